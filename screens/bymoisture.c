/* Watering by soil moisture, zone by zone: on or off, and what it does
 * (water below the low mark, stop at the high mark or the pump's longest
 * run, out of peak hours unless the soil is critically dry). */
#include "screen.h"

#include "app.h"
#include "config.h"
#include "irrigation.h"
#include "keys.h"
#include "text.h"
#include "ui.h"
#include "widgets.h"

#include <curses.h>
#include <stdio.h>

struct by_moisture {
	int zone;		/* asked about, -1: the list */
	int page;
};

static void by_moisture_enter(struct ui *ui, void *st)
{
	struct by_moisture *s = st;

	(void)ui;
	s->zone = -1;
}

/* Each zone with its state and its marks: how many, and labels[]. */
static int zone_labels(struct app *app, char names[][CFG_NAME_LEN + 64], const char **labels)
{
	const struct config *cfg = app->cfg;
	char a[16], b[16];
	int n = cfg->n_zones < 32 ? cfg->n_zones : 32;

	for (int i = 0; i < n; i++) {
		const struct zone_cfg *z = &cfg->zones[i];

		if (z->pump_index < 0)
			snprintf(names[i], CFG_NAME_LEN + 64, _("%s: no pump"), z->name);
		else
			snprintf(names[i], CFG_NAME_LEN + 64, _("%s: %s (below %s%%, until %s%%)"),
				 z->name,
				 irrigation_by_moisture(app->irrigation, i) ? _("on") : _("off"),
				 text_amount(a, sizeof(a), z->moisture_low),
				 text_amount(b, sizeof(b), z->moisture_high));
		labels[i] = names[i];
	}
	return n;
}

static void draw_list(struct ui *ui, struct by_moisture *s)
{
	char names[32][CFG_NAME_LEN + 64];
	const char *labels[32];
	int n = zone_labels(ui_app(ui), names, labels);

	widget_pick(ui_top(ui), ui_bottom(ui), labels, n, s->page, -1);
}

static void by_moisture_draw(struct ui *ui, void *st)
{
	struct by_moisture *s = st;
	struct app *app = ui_app(ui);
	const struct config *cfg = app->cfg;
	int y = ui_top(ui);
	char line[512], a[16], b[16], c[16];

	if (s->zone >= 0) {
		const struct zone_cfg *z = &cfg->zones[s->zone];
		bool on = irrigation_by_moisture(app->irrigation, s->zone);

		if (on)
			snprintf(line, sizeof(line), _("Stop watering %s by soil moisture? Pumps then run only by hand and by schedule."),
				 z->name);
		else
			snprintf(line, sizeof(line), _("Water %s by soil moisture? Below %s%% the pump starts; it stops at %s%% or after %d minutes; not in peak hours unless the soil is below %s%%."),
				 z->name, text_amount(a, sizeof(a), z->moisture_low),
				 text_amount(b, sizeof(b), z->moisture_high),
				 cfg->pumps[z->pump_index].max_minutes,
				 text_amount(c, sizeof(c), z->moisture_critical));
		widget_confirm(y, ui_bottom(ui), line);
		return;
	}
	draw_list(ui, s);
}

static int by_moisture_key(struct ui *ui, void *st, int key)
{
	struct by_moisture *s = st;
	struct app *app = ui_app(ui);
	const struct config *cfg = app->cfg;
	int z;

	if (s->zone >= 0) {
		bool on = !irrigation_by_moisture(app->irrigation, s->zone);

		if (key == K_ENTER) {
			if (irrigation_set_by_moisture(app->irrigation, s->zone, on) < 0)
				ui_alert(ui, "%s", _("The setting was not saved."));
			else if (on)
				ui_say(ui, _("%s is now watered by soil moisture."), cfg->zones[s->zone].name);
			else
				ui_say(ui, _("%s is no longer watered by soil moisture."), cfg->zones[s->zone].name);
		} else if (key == '0' || key == K_BACK) {
			ui_say(ui, "%s", _("Cancelled: nothing was changed."));
		} else {
			return ACT_NONE;
		}
		s->zone = -1;
		return ACT_REDRAW;
	}
	char names[32][CFG_NAME_LEN + 64];
	const char *labels[32];
	int n = zone_labels(app, names, labels);

	z = widget_pick_key(key, &s->page, n, widget_pick_per_page(ui_top(ui), ui_bottom(ui), labels, n));
	if (z == WIDGET_PAGED)
		return ACT_REDRAW;
	if (z < 0)
		return ACT_PASS;
	if (cfg->zones[z].pump_index < 0) {
		ui_alert(ui, _("%s has no pump in the configuration."), cfg->zones[z].name);
		return ACT_REDRAW;
	}
	s->zone = z;
	return ACT_REDRAW;
}

static const char *const by_moisture_help[] = {
	N_("1-9: switch that zone on or off"),
	N_("+/-: more zones"),
	N_("The marks are in the configuration"),
	NULL,
};

const struct screen screen_by_moisture = {
	.title = N_("Watering by soil moisture"),
	.state_size = sizeof(struct by_moisture),
	.enter = by_moisture_enter,
	.draw = by_moisture_draw,
	.key = by_moisture_key,
	.help = by_moisture_help,
};
