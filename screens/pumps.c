/* Pumps: each pump's state; start one for a number of minutes, or stop
 * it at once. Every start and stop is confirmed with one key. */
#include "screen.h"

#include "app.h"
#include "clock.h"
#include "config.h"
#include "irrigation.h"
#include "keys.h"
#include "numentry.h"
#include "store.h"
#include "text.h"
#include "ui.h"
#include "widgets.h"

#include <curses.h>
#include <stdio.h>

enum mode { LIST, MINUTES, CONFIRM_START, CONFIRM_STOP };

struct pumps {
	enum mode mode;
	int pump;
	struct numentry minutes;
};

static int minutes_left(struct app *app, int pump)
{
	int64_t until;

	if (!irrigation_running(app->irrigation, pump, &until))
		return 0;
	return (int)((until - clock_now(app->clock) + 59) / 60);
}

static void draw_list(struct ui *ui)
{
	struct app *app = ui_app(ui);
	const struct config *cfg = app->cfg;
	int y = ui_top(ui);
	char state[64];

	for (int p = 0; p < cfg->n_pumps && y <= ui_bottom(ui); p++, y++) {
		bool on = irrigation_running(app->irrigation, p, NULL);

		widget_menu_item(y, p + 1, cfg->pumps[p].name, false);
		if (on)
			snprintf(state, sizeof(state), _("on, %d min left"), minutes_left(app, p));
		else
			snprintf(state, sizeof(state), "%s", _("off"));
		widget_text(y, COLS - 1 - text_width(state), text_width(state),
			    on ? TONE_GOOD : TONE_NORMAL, state);
	}
	if (cfg->n_pumps == 0)
		widget_text(y, 1, COLS - 2, TONE_NORMAL, _("No pumps are configured."));
}

static void pumps_draw(struct ui *ui, void *st)
{
	struct pumps *s = st;
	const struct config *cfg = ui_app(ui)->cfg;
	const struct pump_cfg *pc = cfg->n_pumps ? &cfg->pumps[s->pump] : NULL;
	char q[256], num[16];
	int y = ui_top(ui);

	if (!pc || s->mode == LIST) {
		draw_list(ui);
		return;
	}
	switch (s->mode) {
	case LIST:
		break;
	case MINUTES:
		widget_text(y, 1, COLS - 2, TONE_NORMAL, pc->name);
		widget_text(y + 2, 1, COLS - 2, TONE_NORMAL, _("Run for how many minutes?"));
		snprintf(q, sizeof(q), "[ %s ] %s", numentry_text(&s->minutes, num, sizeof(num)),
			 _("minutes"));
		attron(A_BOLD);
		widget_text(y + 3, 3, COLS - 4, TONE_NORMAL, q);
		attroff(A_BOLD);
		snprintf(q, sizeof(q), _("+/-: change (1 to %d)   Enter: next"), pc->max_minutes);
		widget_text(y + 5, 1, COLS - 2, TONE_NORMAL, q);
		break;
	case CONFIRM_START:
		snprintf(q, sizeof(q), _("Start %s for %d minutes?"), pc->name,
			 (int)numentry_value(&s->minutes));
		widget_confirm(y, ui_bottom(ui), q);
		break;
	case CONFIRM_STOP:
		snprintf(q, sizeof(q), _("Stop %s now?"), pc->name);
		widget_confirm(y, ui_bottom(ui), q);
		break;
	}
}

static int key_list(struct ui *ui, struct pumps *s, int key)
{
	struct app *app = ui_app(ui);
	const struct config *cfg = app->cfg;
	int p = key - '1';

	if (key < '1' || key > '9' || p >= cfg->n_pumps)
		return ACT_PASS;
	s->pump = p;
	if (irrigation_running(app->irrigation, p, NULL)) {
		s->mode = CONFIRM_STOP;
	} else {
		s->mode = MINUTES;
		numentry_init(&s->minutes, cfg->pumps[p].default_minutes, 0, 1,
			      cfg->pumps[p].max_minutes, 5);
	}
	return ACT_REDRAW;
}

static int key_minutes(struct ui *ui, struct pumps *s, int key)
{
	switch (numentry_key(&s->minutes, key)) {
	case NUM_DONE:
		s->mode = CONFIRM_START;
		return ACT_REDRAW;
	case NUM_CANCEL:
		s->mode = LIST;
		return ACT_REDRAW;
	case NUM_REFUSED:
		ui_alert(ui, "%s", s->minutes.why);
		return ACT_REDRAW;
	case NUM_EDITED:
		return ACT_REDRAW;
	case NUM_PASS:
	default:
		return ACT_NONE;
	}
}

static int key_confirm(struct ui *ui, struct pumps *s, int key)
{
	struct app *app = ui_app(ui);
	const struct pump_cfg *pc = &app->cfg->pumps[s->pump];
	char why[256];
	int minutes = (int)numentry_value(&s->minutes);

	if (key != K_ENTER) {
		if (key == '0' || key == K_BACK) {
			ui_say(ui, "%s", _("Cancelled: nothing was changed."));
			s->mode = LIST;
		}
		return ACT_REDRAW;
	}
	if (s->mode == CONFIRM_STOP) {
		if (irrigation_stop(app->irrigation, s->pump, "by_hand") < 0)
			ui_alert(ui, _("%s: the relay did not answer; it was switched off."), pc->name);
		else
			ui_say(ui, _("%s is off."), pc->name);
	} else if (irrigation_start(app->irrigation, s->pump, minutes, RUN_MANUAL, NULL, why,
				    sizeof(why)) < 0) {
		ui_alert(ui, "%s", why);
	} else {
		ui_say(ui, _("%s is on — it stops by itself in %d minutes."), pc->name, minutes);
	}
	s->mode = LIST;
	return ACT_REDRAW;
}

static int pumps_key(struct ui *ui, void *st, int key)
{
	struct pumps *s = st;

	switch (s->mode) {
	case MINUTES:
		return key_minutes(ui, s, key);
	case CONFIRM_START:
	case CONFIRM_STOP:
		return key_confirm(ui, s, key);
	case LIST:
	default:
		return key_list(ui, s, key);
	}
}

static const char *const pumps_help[] = {
	N_("1-9: start or stop that pump"),
	N_("Minutes: digits, or + and -"),
	N_("Backspace: delete a digit"),
	NULL,
};

const struct screen screen_pumps = {
	.title = N_("Pumps"),
	.state_size = sizeof(struct pumps),
	.draw = pumps_draw,
	.key = pumps_key,
	.help = pumps_help,
};
