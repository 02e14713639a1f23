/* Calibrating a raw analog probe on the keypad: pick the probe; hold it
 * in dry air and take its count; put it in water and take its count; save
 * both with the date. The count shown is live (the probes are read every
 * two seconds meanwhile) and is what Enter takes; digits type another. */
#include "screen.h"

#include "app.h"
#include "calibration.h"
#include "clock.h"
#include "config.h"
#include "keys.h"
#include "numentry.h"
#include "readings.h"
#include "text.h"
#include "ui.h"
#include "widgets.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>

#define MAX_PROBES 64

enum step { PICK, DRY, WET, CONFIRM };

struct calibrate {
	enum step step;
	int probes[MAX_PROBES];	/* indexes into cfg->sensors */
	int n, page, chosen;
	double dry;
	struct numentry count;
	bool fast;
};

static void calibrate_enter(struct ui *ui, void *st)
{
	struct calibrate *s = st;
	const struct config *cfg = ui_app(ui)->cfg;

	for (int i = 0; i < cfg->n_sensors && s->n < MAX_PROBES; i++)
		if (config_sensor_is_analog(&cfg->sensors[i]))
			s->probes[s->n++] = i;
}

/* Live counts while a probe is in the air or in the water. */
static void watch(struct ui *ui, struct calibrate *s, bool on)
{
	if (s->fast != on)
		readings_fast(ui_app(ui)->readings, on);
	s->fast = on;
}

static void calibrate_leave(struct ui *ui, void *st)
{
	watch(ui, st, false);
}

static double live_count(struct ui *ui, const struct calibrate *s)
{
	const struct sensor_state *st = readings_sensor(ui_app(ui)->readings, s->chosen);

	return st->status == SENSOR_OK && st->has[Q_RAW] ? st->value[Q_RAW] : NAN;
}

static void begin_step(struct ui *ui, struct calibrate *s, enum step step)
{
	s->step = step;
	numentry_init(&s->count, live_count(ui, s), 0, 0, 65535, 1);
	watch(ui, s, step == DRY || step == WET);
}

/* Each probe with its zone and when it was calibrated. */
static void probe_labels(struct ui *ui, const struct calibrate *s, char text[][200],
			 const char **labels)
{
	struct app *app = ui_app(ui);
	const struct config *cfg = app->cfg;
	char when[32];

	for (int k = 0; k < s->n; k++) {
		const struct sensor_cfg *sc = &cfg->sensors[s->probes[k]];
		const struct calibration *c = readings_calibration(app->readings, s->probes[k]);

		if (c->set)
			snprintf(text[k], 200, "%s (%s): %s", sc->item.id,
				 cfg->zones[sc->zone_index].name,
				 text_date(when, sizeof(when), (time_t)c->made_at));
		else
			snprintf(text[k], 200, _("%s (%s): not calibrated"), sc->item.id,
				 cfg->zones[sc->zone_index].name);
		labels[k] = text[k];
	}
}

static int per_page(struct ui *ui, const struct calibrate *s)
{
	const char *labels[MAX_PROBES];
	char text[MAX_PROBES][200];

	probe_labels(ui, s, text, labels);
	return widget_pick_per_page(ui_top(ui) + 1, ui_bottom(ui), labels, s->n);
}

static void draw_pick(struct ui *ui, struct calibrate *s)
{
	const char *labels[MAX_PROBES];
	char text[MAX_PROBES][200];
	int y = ui_top(ui);

	if (s->n == 0) {
		widget_wrap(y, 1, COLS - 2, 4, TONE_NORMAL,
			    _("No raw analog probes are configured (model = soil-analog)."), true);
		return;
	}
	widget_text(y, 1, COLS - 2, TONE_NORMAL, _("Which probe?"));
	probe_labels(ui, s, text, labels);
	widget_pick(y + 1, ui_bottom(ui), labels, s->n, s->page, -1);
}

static void draw_step(struct ui *ui, struct calibrate *s)
{
	const struct config *cfg = ui_app(ui)->cfg;
	const struct sensor_cfg *sc = &cfg->sensors[s->chosen];
	const struct sensor_state *st = readings_sensor(ui_app(ui)->readings, s->chosen);
	double live = live_count(ui, s);
	int y = ui_top(ui);
	char line[256], num[24];

	snprintf(line, sizeof(line), s->step == DRY ? _("%s, step 1 of 2: dry") :
			 _("%s, step 2 of 2: in water"), sc->item.id);
	attron(A_BOLD);
	widget_text(y++, 1, COLS - 2, TONE_NORMAL, line);
	attroff(A_BOLD);
	y += widget_wrap(y, 1, COLS - 2, 3, TONE_NORMAL,
			 s->step == DRY ? _("Take the probe out of the soil, wipe it dry and hold it in the air.")
					: _("Stand the probe in a glass of water up to its line."),
			 true);
	/* Until a digit is typed, the entry follows the live count. */
	if (!s->count.touched && !isnan(live) && live != numentry_value(&s->count))
		numentry_init(&s->count, live, 0, 0, 65535, 1);
	if (isnan(live)) {
		const char *why = st->status == SENSOR_OK ? _("no count yet") :
				  readings_status_text(st->status);

		snprintf(line, sizeof(line), _("Count now: none (%s)"), why);
		widget_text(y++, 1, COLS - 2, TONE_ALARM, line);
	} else {
		snprintf(line, sizeof(line), _("Count now: %s"), text_number(num, sizeof(num), live, 0));
		widget_text(y++, 1, COLS - 2, TONE_GOOD, line);
	}
	y++;
	attron(A_BOLD);
	widget_text(y++, 3, COLS - 4, TONE_NORMAL, numentry_line(&s->count, line, sizeof(line)));
	attroff(A_BOLD);
	widget_wrap(y, 1, COLS - 2, ui_bottom(ui) - y + 1, TONE_NORMAL,
		    _("Enter when the count stays still; digits to type another."), true);
}

static void calibrate_draw(struct ui *ui, void *st)
{
	struct calibrate *s = st;
	char q[256], a[24], b[24];

	switch (s->step) {
	case PICK:
		draw_pick(ui, s);
		break;
	case DRY:
	case WET:
		draw_step(ui, s);
		break;
	case CONFIRM:
		snprintf(q, sizeof(q), _("Save the calibration of %s: %s dry, %s in water?"),
			 ui_app(ui)->cfg->sensors[s->chosen].item.id,
			 text_number(a, sizeof(a), s->dry, 0),
			 text_number(b, sizeof(b), numentry_value(&s->count), 0));
		widget_confirm(ui_top(ui), ui_bottom(ui), q);
		break;
	}
}

static int key_pick(struct ui *ui, struct calibrate *s, int key)
{
	int per = per_page(ui, s), pages = s->n ? (s->n + per - 1) / per : 1;
	int k = s->page * per + key - '1';

	if (key >= '1' && key <= '9' && key - '1' < per && k < s->n) {
		s->chosen = s->probes[k];
		begin_step(ui, s, DRY);
		return ACT_REDRAW;
	}
	if (key == '+' || key == '-') {
		s->page = (s->page + (key == '+' ? 1 : pages - 1)) % pages;
		return ACT_REDRAW;
	}
	return ACT_PASS;
}

static int key_step(struct ui *ui, struct calibrate *s, int key)
{
	switch (numentry_key(&s->count, key)) {
	case NUM_DONE:
		if (s->step == DRY) {
			s->dry = numentry_value(&s->count);
			begin_step(ui, s, WET);
		} else {
			const char *why = calibration_refusal(s->dry, numentry_value(&s->count));

			if (why) {
				ui_alert(ui, "%s", _(why));
				begin_step(ui, s, WET);
				return ACT_REDRAW;
			}
			watch(ui, s, false);
			s->step = CONFIRM;
		}
		return ACT_REDRAW;
	case NUM_CANCEL:
		watch(ui, s, false);
		s->step = s->step == WET ? DRY : PICK;
		if (s->step == DRY)
			begin_step(ui, s, DRY);
		return ACT_REDRAW;
	case NUM_REFUSED:
		ui_alert(ui, "%s", s->count.why);
		return ACT_REDRAW;
	case NUM_EDITED:
		return ACT_REDRAW;
	default:
		return ACT_NONE;
	}
}

static int key_confirm(struct ui *ui, struct calibrate *s, int key)
{
	struct app *app = ui_app(ui);
	const char *id = app->cfg->sensors[s->chosen].item.id;
	char why[256], a[24], b[24];
	double wet = numentry_value(&s->count);

	if (key == '0' || key == K_BACK) {
		ui_say(ui, "%s", _("Cancelled: nothing was changed."));
		s->step = PICK;
		return ACT_REDRAW;
	}
	if (key != K_ENTER)
		return ACT_NONE;
	if (readings_calibrate(app->readings, s->chosen, s->dry, wet, why, sizeof(why)) < 0)
		ui_alert(ui, "%s", why);
	else
		ui_say(ui, _("%s is calibrated: %s dry, %s in water."), id,
		       text_number(a, sizeof(a), s->dry, 0), text_number(b, sizeof(b), wet, 0));
	s->step = PICK;
	return ACT_REDRAW;
}

static int calibrate_key(struct ui *ui, void *st, int key)
{
	struct calibrate *s = st;

	switch (s->step) {
	case DRY:
	case WET:
		return key_step(ui, s, key);
	case CONFIRM:
		return key_confirm(ui, s, key);
	case PICK:
	default:
		return key_pick(ui, s, key);
	}
}

static unsigned calibrate_mode(void *st)
{
	const struct calibrate *s = st;

	if (s->step == DRY || s->step == WET)
		return MODE_FIELD;
	return s->step == CONFIRM ? MODE_UNSAVED : 0;
}

static const char *const calibrate_help[] = {
	N_("1-9: the probe to calibrate"),
	N_("Enter takes the count shown; digits type one"),
	N_("Backspace on an empty count: a step back"),
	NULL,
};

const struct screen screen_calibrate = {
	.title = N_("Calibrate probes"),
	.state_size = sizeof(struct calibrate),
	.enter = calibrate_enter,
	.draw = calibrate_draw,
	.key = calibrate_key,
	.leave = calibrate_leave,
	.help = calibrate_help,
	.mode = calibrate_mode,
};
