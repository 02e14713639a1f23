/* Settings: a numbered list of what a technician or manager may look at
 * or change. Each entry is a screen of its own; add a row to add one. */
#include "screen.h"

#include "keys.h"
#include "text.h"
#include "ui.h"
#include "widgets.h"

static const struct {
	const char *label;
	enum screen_id screen;
} items[] = {
	{ N_("About this station"), SCREEN_INFO },
};

#define N_ITEMS ((int)(sizeof(items) / sizeof(items[0])))

struct settings {
	int selected;
};

static void settings_draw(struct ui *ui, void *st)
{
	struct settings *s = st;
	int y = ui_top(ui);

	for (int i = 0; i < N_ITEMS && y <= ui_bottom(ui); i++)
		widget_menu_item(y++, i + 1, _(items[i].label), i == s->selected);
}

static int settings_key(struct ui *ui, void *st, int key)
{
	struct settings *s = st;

	(void)ui;
	if (key >= '1' && key < '1' + N_ITEMS)
		return ACT_TO(items[key - '1'].screen);
	switch (key) {
	case K_UP:
		s->selected = (s->selected + N_ITEMS - 1) % N_ITEMS;
		return ACT_REDRAW;
	case K_DOWN:
		s->selected = (s->selected + 1) % N_ITEMS;
		return ACT_REDRAW;
	case K_ENTER:
	case K_RIGHT:
		return ACT_TO(items[s->selected].screen);
	default:
		return ACT_PASS;
	}
}

static const char *const settings_help[] = {
	N_("1-9: open that setting"),
	NULL,
};

const struct screen screen_settings = {
	.title = N_("Settings"),
	.state_size = sizeof(struct settings),
	.draw = settings_draw,
	.key = settings_key,
	.help = settings_help,
};
