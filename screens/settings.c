/* Settings: a numbered list of what a technician or manager may look at
 * or change. Each entry is a screen of its own; add a row to add one.
 * The manager's PIN opens it; the first time, when there is none, the
 * PIN is chosen here (typed twice). */
#include "screen.h"

#include "app.h"
#include "clock.h"
#include "keys.h"
#include "pin.h"
#include "pinentry.h"
#include "text.h"
#include "ui.h"
#include "widgets.h"

#include <curses.h>

static const struct {
	const char *label;
	enum screen_id screen;
} items[] = {
	{ N_("About this station"), SCREEN_INFO },
	{ N_("Manager's PIN"), SCREEN_MANAGER_PIN },
	{ N_("Date and time"), SCREEN_CLOCKSET },
	{ N_("Sensors"), SCREEN_SENSORS },
	{ N_("Calibrate probes"), SCREEN_CALIBRATE },
	{ N_("Serial ports"), SCREEN_PORTS },
	{ N_("From the office (USB)"), SCREEN_OFFICE },
	{ N_("Voice"), SCREEN_VOICE },
};

#define N_ITEMS ((int)(sizeof(items) / sizeof(items[0])))

enum gate { ASK_PIN, CHOOSE_PIN, OPEN };

struct settings {
	int selected;
	enum gate gate;
	struct pinentry pin;
	struct pinchoose choose;
};

static void settings_enter(struct ui *ui, void *st)
{
	struct settings *s = st;

	s->gate = pin_is_set(ui_app(ui)->store) ? ASK_PIN : CHOOSE_PIN;
}

static void settings_draw(struct ui *ui, void *st)
{
	struct settings *s = st;
	int y = ui_top(ui);

	if (s->gate == ASK_PIN) {
		pinentry_draw(y, &s->pin, _("Manager's PIN:"));
		return;
	}
	if (s->gate == CHOOSE_PIN) {
		y += widget_wrap(y, 1, COLS - 2, 2, TONE_DRY,
				 _("No manager PIN yet. Choose one (4 to 8 digits):"), true);
		pinchoose_draw(y, &s->choose, _("New PIN:"));
		return;
	}

	for (int i = 0; i < N_ITEMS && y <= ui_bottom(ui); i++)
		widget_menu_item(y++, i + 1, _(items[i].label), i == s->selected);
}

/* The gate before the menu: the PIN, or choosing the first one. */
static int gate_key(struct ui *ui, struct settings *s, int key)
{
	struct app *app = ui_app(ui);
	enum numentry_result r;
	char why[160];

	r = s->gate == ASK_PIN ? pinentry_key(&s->pin, key) : pinchoose_key(&s->choose, key);
	switch (r) {
	case NUM_DONE:
		if (s->gate == ASK_PIN) {
			if (pin_check(app->store, s->pin.buf, clock_now(app->clock), why,
				      sizeof(why)) != PIN_OK) {
				ui_alert(ui, "%s", why);
				pinentry_init(&s->pin);
				return ACT_REDRAW;
			}
		} else if (pin_set(app->store, s->choose.first, why, sizeof(why)) != PIN_OK) {
			ui_alert(ui, "%s", why);
			pinchoose_init(&s->choose);
			return ACT_REDRAW;
		} else {
			ui_say(ui, "%s", _("The manager's PIN is set."));
		}
		pinentry_init(&s->pin);
		pinchoose_init(&s->choose);
		s->gate = OPEN;
		return ACT_REDRAW;
	case NUM_CANCEL:
		return ACT_BACK;
	case NUM_REFUSED:
		ui_alert(ui, "%s", s->gate == ASK_PIN ? s->pin.why : s->choose.e.why);
		return ACT_REDRAW;
	case NUM_EDITED:
		return ACT_REDRAW;
	default:
		return ACT_NONE;
	}
}

static int settings_key(struct ui *ui, void *st, int key)
{
	struct settings *s = st;

	if (s->gate != OPEN)
		return gate_key(ui, s, key);
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

static unsigned settings_mode(void *st)
{
	return ((const struct settings *)st)->gate != OPEN ? MODE_FIELD : 0;
}

static const char *const settings_help[] = {
	N_("1-9: open that setting"),
	NULL,
};

const struct screen screen_settings = {
	.title = N_("Settings"),
	.state_size = sizeof(struct settings),
	.enter = settings_enter,
	.draw = settings_draw,
	.key = settings_key,
	.help = settings_help,
	.mode = settings_mode,
};
