/* Sensors, for a technician: every sensor on a line with its state; its
 * number shows all about it: where it is, how it is read, why it is not,
 * its last values and its calibration. */
#include "screen.h"

#include "app.h"
#include "calibration.h"
#include "clock.h"
#include "config.h"
#include "keys.h"
#include "readings.h"
#include "text.h"
#include "ui.h"
#include "widgets.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#define MAX_SHOWN 64

struct sensors {
	int page;
	int chosen;		/* -1: the list */
};

static void sensors_enter(struct ui *ui, void *st)
{
	struct sensors *s = st;

	(void)ui;
	s->chosen = -1;
}

static enum tone tone_of(enum sensor_status st)
{
	return st == SENSOR_OK ? TONE_GOOD : st == SENSOR_WAITING ? TONE_NORMAL : TONE_ALARM;
}

/* "read 2 minutes ago", or the trouble. */
static void state_words(struct app *app, int i, char *buf, size_t n)
{
	const struct sensor_state *st = readings_sensor(app->readings, i);
	char ago[48];

	if (st->status != SENSOR_OK) {
		snprintf(buf, n, "%s", readings_status_text(st->status));
		return;
	}
	snprintf(buf, n, _("read %s"),
		 text_ago(ago, sizeof(ago), (int64_t)clock_now(app->clock) - st->t));
}

/* Each sensor with its state. */
static int sensor_labels(struct ui *ui, char text[][160], const char **labels)
{
	struct app *app = ui_app(ui);
	const struct config *cfg = app->cfg;
	int n = cfg->n_sensors < MAX_SHOWN ? cfg->n_sensors : MAX_SHOWN;
	char words[96];

	for (int i = 0; i < n; i++) {
		state_words(app, i, words, sizeof(words));
		snprintf(text[i], 160, "%s: %s", cfg->sensors[i].item.id, words);
		labels[i] = text[i];
	}
	return n;
}

static int per_page(struct ui *ui)
{
	static char text[MAX_SHOWN][160];
	const char *labels[MAX_SHOWN];
	int n = sensor_labels(ui, text, labels);

	return widget_pick_per_page(ui_top(ui), ui_bottom(ui), labels, n);
}

static void draw_list(struct ui *ui, struct sensors *s)
{
	static char text[MAX_SHOWN][160];
	const char *labels[MAX_SHOWN];
	int n = sensor_labels(ui, text, labels);

	if (n == 0) {
		widget_text(ui_top(ui), 1, COLS - 2, TONE_NORMAL, _("No sensors are configured."));
		return;
	}
	widget_pick(ui_top(ui), ui_bottom(ui), labels, n, s->page, -1);
}

/* The port a sensor's bus has open. */
static const char *opened_path(struct app *app, int sensor)
{
	int who[MAX_SHOWN], n;
	const char *path;

	for (int k = 0; k < readings_ports(app->readings); k++) {
		readings_port(app->readings, k, &path, who, &n);
		for (int j = 0; j < n; j++)
			if (who[j] == sensor)
				return path;
	}
	return NULL;
}

static int line(int y, enum tone tone, const char *text)
{
	return widget_wrap(y, 1, COLS - 2, 2, tone, text, true);
}

static void draw_detail(struct ui *ui, struct sensors *s)
{
	struct app *app = ui_app(ui);
	const struct config *cfg = app->cfg;
	const struct sensor_cfg *sc = &cfg->sensors[s->chosen];
	const struct sensor_state *st = readings_sensor(app->readings, s->chosen);
	const struct calibration *c = readings_calibration(app->readings, s->chosen);
	int y = ui_top(ui);
	char text[320], a[48], b[48], d[32];
	const char *path = opened_path(app, s->chosen);

	snprintf(text, sizeof(text), "%s: %s", sc->item.id, config_sensor_model(sc));
	attron(A_BOLD);
	y += line(y, TONE_NORMAL, text);
	attroff(A_BOLD);
	if (sc->zone_index >= 0)
		snprintf(text, sizeof(text), _("Zone: %s"), cfg->zones[sc->zone_index].name);
	else if (config_sensor_pump(cfg, s->chosen) >= 0)
		snprintf(text, sizeof(text), _("In the line of %s"),
			 cfg->pumps[config_sensor_pump(cfg, s->chosen)].name);
	else if (!config_sensor_is_air(sc))
		snprintf(text, sizeof(text), "%s", _("In no pump's line"));
	else
		snprintf(text, sizeof(text), "%s", _("The air"));
	y += line(y, TONE_NORMAL, text);
	if (sc->driver == SENSOR_DRIVER_SIM)
		snprintf(text, sizeof(text), "%s", _("Simulated"));
	else if (sc->driver == SENSOR_DRIVER_LINE)
		snprintf(text, sizeof(text), _("%s, channel %s, %d baud"), path ? path : sc->port,
			 sc->channel, sc->baud);
	else
		snprintf(text, sizeof(text), _("%s, address %d, %d baud"), path ? path : sc->port,
			 sc->address, sc->baud);
	y += line(y, TONE_NORMAL, text);
	state_words(app, s->chosen, a, sizeof(a));
	if (st->detail[0] && st->status != SENSOR_OK)
		snprintf(text, sizeof(text), _("State: %s (%s)"), a, st->detail);
	else
		snprintf(text, sizeof(text), _("State: %s"), a);
	y += line(y, tone_of(st->status), text);
	if (st->t) {
		size_t len = 0;

		len += (size_t)snprintf(text, sizeof(text), "%s", _("Last read:"));
		for (int q = 0; q < Q_COUNT && len < sizeof(text); q++) {
			if (!st->has[q])
				continue;
			len += (size_t)snprintf(text + len, sizeof(text) - len, " %s%s%s",
						q == Q_PH ? "pH " : q == Q_RAW ? _("count ") : "",
						text_number(b, sizeof(b), st->value[q],
							    q == Q_EC || q == Q_RAW ? 0 : 1),
						q == Q_FLOW ? _(" l/min") :
						sensor_quantity_unit((enum quantity)q));
		}
		y += line(y, TONE_NORMAL, text);
		snprintf(text, sizeof(text), _("at %s"), text_date_time(a, sizeof(a), (time_t)st->t));
		y += line(y, TONE_NORMAL, text);
	}
	if (config_sensor_is_analog(sc)) {
		if (c->set)
			snprintf(text, sizeof(text), _("Calibration: %s dry, %s in water (%s)"),
				 text_number(a, sizeof(a), c->dry, 0),
				 text_number(b, sizeof(b), c->wet, 0),
				 text_date(d, sizeof(d), (time_t)c->made_at));
		else
			snprintf(text, sizeof(text), "%s", _("Not calibrated: Settings, Calibrate probes."));
		line(y, c->set ? TONE_NORMAL : TONE_DRY, text);
	}
}

static void sensors_draw(struct ui *ui, void *st)
{
	struct sensors *s = st;

	if (s->chosen >= 0)
		draw_detail(ui, s);
	else
		draw_list(ui, s);
}

static int sensors_key(struct ui *ui, void *st, int key)
{
	struct sensors *s = st;
	int n = ui_app(ui)->cfg->n_sensors, per = per_page(ui);
	int pages = n ? (n + per - 1) / per : 1, k = s->page * per + key - '1';

	if (s->chosen >= 0) {
		if (key == '0' || key == K_BACK || key == K_LEFT) {
			s->chosen = -1;
			return ACT_REDRAW;
		}
		return ACT_NONE;
	}
	if (key >= '1' && key <= '9' && key - '1' < per && k < n && k < MAX_SHOWN) {
		s->chosen = k;
		return ACT_REDRAW;
	}
	if (key == '+' || key == '-') {
		s->page = (s->page + (key == '+' ? 1 : pages - 1)) % pages;
		return ACT_REDRAW;
	}
	return ACT_PASS;
}

static const char *const sensors_help[] = {
	N_("1-9: all about that sensor"),
	N_("+/-: more sensors"),
	NULL,
};

const struct screen screen_sensors = {
	.title = N_("Sensors"),
	.state_size = sizeof(struct sensors),
	.enter = sensors_enter,
	.draw = sensors_draw,
	.key = sensors_key,
	.help = sensors_help,
};
