/* Soil moisture: each zone's live reading against its thresholds, in
 * words and colour, and the air. */
#include "screen.h"

#include "app.h"
#include "clock.h"
#include "config.h"
#include "readings.h"
#include "text.h"
#include "ui.h"
#include "widgets.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>

/* How a zone's moisture reads against its thresholds. */
static enum tone judge(const struct zone_cfg *z, double m, const char **word)
{
	if (m < z->moisture_low) {
		*word = _("dry");
		return TONE_DRY;
	}
	if (m > z->moisture_high) {
		*word = _("wet");
		return TONE_WET;
	}
	*word = _("good");
	return TONE_GOOD;
}

/* Why a zone has no value: lost sensors, or none read yet. */
static const char *no_value(const struct app *app, int zone)
{
	const struct config *cfg = app->cfg;

	for (int i = 0; i < cfg->n_sensors; i++) {
		const struct sensor_state *st = readings_sensor(app->readings, i);

		if (cfg->sensors[i].zone_index != zone)
			continue;
		if (st->status == SENSOR_LOST)
			return _("Sensor not answering");
		if (st->status == SENSOR_BAD_VALUE || st->status == SENSOR_BAD_FRAME)
			return _("wrong value");
	}
	return _("no reading yet");
}

static void moisture_draw(struct ui *ui, void *st)
{
	struct app *app = ui_app(ui);
	const struct config *cfg = app->cfg;
	int y = ui_top(ui), value_x = COLS - 22;
	double temp, rh;
	char num[16], line[128];

	(void)st;
	for (int z = 0; z < cfg->n_zones && y <= ui_bottom(ui) - 1; z++, y++) {
		const struct zone_cfg *zc = &cfg->zones[z];
		double m = readings_zone_moisture(app->readings, z, NULL);
		const char *word;
		enum tone tone;

		widget_text(y, 1, value_x - 2, TONE_NORMAL, zc->name);
		if (isnan(m)) {
			widget_text(y, value_x, 21, TONE_ALARM, no_value(app, z));
			continue;
		}
		tone = judge(zc, m, &word);
		snprintf(line, sizeof(line), "%5s%% %s", text_number(num, sizeof(num), m, 1), word);
		widget_text(y, value_x, 21, tone, line);
	}
	if (readings_air(app->readings, &temp, &rh, NULL)) {
		char t[16], h[16];

		snprintf(line, sizeof(line), _("Air: %s °C, humidity %s %%"),
			 text_number(t, sizeof(t), temp, 1), text_number(h, sizeof(h), rh, 0));
		widget_text(ui_bottom(ui), 1, COLS - 2, TONE_NORMAL, line);
	}
}

static int moisture_key(struct ui *ui, void *st, int key)
{
	(void)ui;
	(void)st;
	(void)key;
	return ACT_PASS;
}

static const char *const moisture_help[] = {
	N_("Moisture is the mean of a zone's sensors."),
	N_("dry: below the zone's low mark"),
	N_("wet: above the zone's high mark"),
	NULL,
};

const struct screen screen_moisture = {
	.title = N_("Soil moisture"),
	.draw = moisture_draw,
	.key = moisture_key,
	.help = moisture_help,
};
