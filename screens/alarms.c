/* Alarms waiting to be acknowledged, one at a time, newest first, in
 * full words. Enter acknowledges the one shown; +/- show the others. */
#include "screen.h"

#include "alarms.h"
#include "app.h"
#include "clock.h"
#include "keys.h"
#include "store.h"
#include "text.h"
#include "ui.h"
#include "widgets.h"

#include <curses.h>
#include <stdio.h>

#define ALARMS_MAX 50

struct alarms {
	struct event_row list[ALARMS_MAX];
	int n;
	int shown;
};

static void load(struct ui *ui, struct alarms *a)
{
	a->n = store_alarms_list(ui_app(ui)->store, a->list, ALARMS_MAX);
	if (a->n < 0)
		a->n = 0;
	if (a->shown >= a->n)
		a->shown = a->n ? a->n - 1 : 0;
}

static void alarms_enter(struct ui *ui, void *st)
{
	load(ui, st);
}

static void alarms_draw(struct ui *ui, void *st)
{
	struct alarms *a = st;
	const struct event_row *e;
	int y = ui_top(ui);
	char text[512], line[64], when[32];

	load(ui, a);
	if (a->n == 0) {
		widget_text(y, 1, COLS - 2, TONE_GOOD, _("No alarm is waiting."));
		return;
	}
	e = &a->list[a->shown];
	snprintf(line, sizeof(line), _("Alarm %d of %d, %s"), a->shown + 1, a->n,
		 text_date_time(when, sizeof(when), (time_t)e->t));
	widget_text(y++, 1, COLS - 2, TONE_ALARM, line);
	alarm_text(ui_app(ui)->cfg, e, text, sizeof(text));
	widget_wrap(y, 1, COLS - 2, ui_bottom(ui) - y, TONE_NORMAL, text, true);
	widget_text(ui_bottom(ui), 1, COLS - 2, TONE_GOOD,
		    a->n > 1 ? _("Enter: seen   +/-: the others") : _("Enter: seen"));
}

static int alarms_key(struct ui *ui, void *st, int key)
{
	struct alarms *a = st;
	struct app *app = ui_app(ui);

	if (a->n == 0)
		return ACT_PASS;
	switch (key) {
	case K_ENTER:
		if (store_alarm_ack(app->store, a->list[a->shown].id, clock_now(app->clock)) < 0) {
			ui_alert(ui, _("Not saved: %s"), store_error(app->store));
			return ACT_REDRAW;
		}
		load(ui, a);
		if (a->n == 0) {
			ui_say(ui, "%s", _("Every alarm is acknowledged."));
			return ACT_BACK;
		}
		return ACT_REDRAW;
	case '+':
	case K_DOWN:
		a->shown = (a->shown + 1) % a->n;
		return ACT_REDRAW;
	case '-':
	case K_UP:
		a->shown = (a->shown + a->n - 1) % a->n;
		return ACT_REDRAW;
	default:
		return ACT_PASS;
	}
}

static const char *const alarms_help[] = {
	N_("Enter: the alarm is seen, it goes"),
	N_("+/-: the other alarms"),
	NULL,
};

const struct screen screen_alarms = {
	.title = N_("Alarms"),
	.state_size = sizeof(struct alarms),
	.enter = alarms_enter,
	.draw = alarms_draw,
	.key = alarms_key,
	.help = alarms_help,
};
