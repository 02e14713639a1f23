/* Menu entries whose feature is not built yet say so plainly. */
#include "screen.h"

#include "text.h"
#include "ui.h"
#include "widgets.h"

#include <curses.h>

static void notyet_draw(struct ui *ui, void *st)
{
	(void)st;
	widget_text(ui_top(ui) + 1, 1, COLS - 2, TONE_DRY, _("This part is not built yet."));
	widget_text(ui_top(ui) + 3, 1, COLS - 2, TONE_NORMAL, _("Press 0 to go back."));
}

static int notyet_key(struct ui *ui, void *st, int key)
{
	(void)ui;
	(void)st;
	(void)key;
	return ACT_PASS;
}

#define NOT_YET(var, name) \
	const struct screen var = { \
		.title = name, .draw = notyet_draw, .key = notyet_key, \
	}

NOT_YET(screen_usb, N_("Copy to USB"));
