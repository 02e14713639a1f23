/* Logging a fertilizing, a spraying or a harvest: the record form, and
 * back to the menu once it is saved or left. */
#include "recordform.h"
#include "screen.h"

#include "text.h"
#include "ui.h"

static void fertilize_enter(struct ui *ui, void *st)
{
	recordform_new(st, ui, REC_FERTILIZE);
}

static void spray_enter(struct ui *ui, void *st)
{
	recordform_new(st, ui, REC_SPRAY);
}

static void harvest_enter(struct ui *ui, void *st)
{
	recordform_new(st, ui, REC_HARVEST);
}

static void new_draw(struct ui *ui, void *st)
{
	recordform_draw(ui, st);
}

static int new_key(struct ui *ui, void *st, int key)
{
	struct recordform *f = st;
	int act;

	if (f->state != FORM_RUNNING)
		return ACT_BACK;
	act = recordform_key(ui, f, key);
	return f->state == FORM_RUNNING ? act : ACT_BACK;
}

static unsigned new_mode(void *st)
{
	return recordform_mode(st);
}

static const char *const new_help[] = {
	N_("1-9: choose   +/-: other page or day"),
	N_("Numbers: digits, . for the point"),
	N_("0: one step back (in a number: Backspace)"),
	N_("On a lot code, +: its QR code"),
	NULL,
};

#define RECORD_SCREEN(var, name, enter_fn) \
	const struct screen var = { \
		.title = name, .state_size = sizeof(struct recordform), .enter = enter_fn, \
		.draw = new_draw, .key = new_key, .help = new_help, .mode = new_mode, \
	}

RECORD_SCREEN(screen_fertilize_new, N_("Log fertilizing"), fertilize_enter);
RECORD_SCREEN(screen_spray_new, N_("Log spraying"), spray_enter);
RECORD_SCREEN(screen_harvest_new, N_("Log a harvest"), harvest_enter);
