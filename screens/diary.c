/* The irrigation diary (nhật ký tưới): every run, newest first, two lines
 * each; a run's number shows all of it: who, why, how it ended, moisture
 * before and after, energy and cost by tariff band, fertigation. 9 opens
 * this month's summary. */
#include "screen.h"

#include "app.h"
#include "clock.h"
#include "config.h"
#include "irrigation.h"
#include "keys.h"
#include "store.h"
#include "tariff.h"
#include "text.h"
#include "ui.h"
#include "widgets.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define PAGE_MAX 8
#define DETAIL_LINES 16

struct diary {
	int offset;		/* of the first run shown */
	int total;
	struct run_row runs[PAGE_MAX];
	int n;
	int shown;		/* the run in detail, -1: the list */
	int scroll;
};

static int per_page(const struct ui *ui)
{
	int n = (ui_bottom(ui) - ui_top(ui)) / 2;

	return n > PAGE_MAX ? PAGE_MAX : n < 1 ? 1 : n;
}

static void load(struct ui *ui, struct diary *d)
{
	d->n = store_runs_page(ui_app(ui)->store, d->offset, d->runs, per_page(ui), &d->total);
	if (d->n < 0)
		d->n = 0;
}

static void diary_enter(struct ui *ui, void *st)
{
	struct diary *d = st;

	d->shown = -1;
	load(ui, d);
}

static const char *pump_name(const struct config *cfg, const char *id)
{
	int p = config_pump_index(cfg, id);

	return p >= 0 ? cfg->pumps[p].name : id;
}

static const char *zone_name(const struct config *cfg, const char *id)
{
	int z = config_zone_index(cfg, id);

	return z >= 0 ? cfg->zones[z].name : id;
}

static int run_minutes(const struct run_row *r, time_t now)
{
	int64_t end = r->ended ? r->ended : now;

	return (int)((end - r->started + 30) / 60);
}

static double total_kwh(const struct run_row *r)
{
	return r->kwh[BAND_OFFPEAK] + r->kwh[BAND_NORMAL] + r->kwh[BAND_PEAK];
}

static double total_cost(const struct run_row *r)
{
	return r->cost[BAND_OFFPEAK] + r->cost[BAND_NORMAL] + r->cost[BAND_PEAK];
}

static void draw_list(struct ui *ui, struct diary *d)
{
	struct app *app = ui_app(ui);
	const char *cur = app->cfg->tariff.currency;
	time_t now = clock_now(app->clock);
	int y = ui_top(ui);
	char line[256], a[32], b[32], c[32];

	if (d->total == 0)
		widget_text(y++, 1, COLS - 2, TONE_NORMAL, _("No pump has run yet."));
	for (int i = 0; i < d->n; i++) {
		const struct run_row *r = &d->runs[i];
		struct tm tm;
		time_t t = (time_t)r->started;

		localtime_r(&t, &tm);
		snprintf(line, sizeof(line), _("%d %02d/%02d %s %s, %d min"), i + 1, tm.tm_mday,
			 tm.tm_mon + 1, text_time(a, sizeof(a), t), pump_name(app->cfg, r->pump),
			 run_minutes(r, now));
		widget_text(y++, 1, COLS - 2, TONE_NORMAL, line);
		if (!r->ended)
			snprintf(line, sizeof(line), "  %s, %s", irrigation_reason_label(r->reason),
				 _("running"));
		else
			snprintf(line, sizeof(line), "  %s, %s kWh, %s", irrigation_reason_label(r->reason),
				 text_number(b, sizeof(b), total_kwh(r), 2),
				 text_money(c, sizeof(c), total_cost(r), cur));
		widget_text(y++, 1, COLS - 2, r->ended ? TONE_NORMAL : TONE_GOOD, line);
	}
	snprintf(line, sizeof(line), "9 %s", _("This month's summary"));
	widget_text(y++, 1, COLS - 2, TONE_GOOD, line);
	if (d->total > d->n || d->offset > 0) {
		snprintf(line, sizeof(line), _("+/-: older, newer (%d-%d of %d)"), d->offset + 1,
			 d->offset + d->n, d->total);
		if (y <= ui_bottom(ui))
			widget_text(y, 1, COLS - 2, TONE_NORMAL, line);
	}
}

static char *percent(char *buf, size_t n, double v)
{
	char num[24];

	if (isnan(v))
		snprintf(buf, n, "?");
	else
		snprintf(buf, n, "%s%%", text_number(num, sizeof(num), v, 1));
	return buf;
}

/* Every fact of one run, a line each. */
static int detail_lines(struct ui *ui, const struct run_row *r, char lines[][256])
{
	struct app *app = ui_app(ui);
	const struct config *cfg = app->cfg;
	const char *cur = cfg->tariff.currency;
	time_t now = clock_now(app->clock);
	char a[32], b[32], e[32];
	int n = 0;

	snprintf(lines[n++], 256, "%s — %s", pump_name(cfg, r->pump),
		 r->zone[0] ? zone_name(cfg, r->zone) : "");
	snprintf(lines[n++], 256, _("%s to %s (%d min)"), text_date_time(a, sizeof(a), r->started),
		 r->ended ? text_time(b, sizeof(b), r->ended) : _("now"), run_minutes(r, now));
	/* A minute late or more: peak hours or a busy pump held it back. */
	if (r->reason == RUN_SCHEDULE && r->scheduled_for && r->started - r->scheduled_for >= 60)
		snprintf(lines[n++], 256, _("By schedule: asked for %s, moved (peak hours or a busy pump)"),
			 text_time(a, sizeof(a), r->scheduled_for));
	else
		snprintf(lines[n++], 256, _("Why: %s"), irrigation_reason_label(r->reason));
	if (r->who[0])
		snprintf(lines[n++], 256, _("Started by: %s"), r->who);
	if (r->ended)
		snprintf(lines[n++], 256, _("Ended: %s"), irrigation_end_label(r->end_reason));
	snprintf(lines[n++], 256, _("Soil moisture: %s → %s"),
		 percent(a, sizeof(a), r->moisture_before), percent(b, sizeof(b), r->moisture_after));
	if (r->ended) {
		snprintf(lines[n++], 256, _("Energy: %s kWh (%s kW)"), text_number(a, sizeof(a), total_kwh(r), 2),
			 text_number(b, sizeof(b), r->power_kw, 1));
		for (int band = 0; band < BAND_COUNT; band++)
			if (r->kwh[band] >= 0.005)
				snprintf(lines[n++], 256, _("  %s: %s kWh, %s"),
					 tariff_band_name((enum tariff_band)band),
					 text_number(a, sizeof(a), r->kwh[band], 2),
					 text_money(b, sizeof(b), r->cost[band], cur));
		snprintf(lines[n++], 256, _("Cost: %s (all at peak: %s)"),
			 text_money(a, sizeof(a), total_cost(r), cur),
			 text_money(e, sizeof(e), r->cost_at_peak, cur));
	}
	if (!isnan(r->litres))
		snprintf(lines[n++], 256, _("Water: %s litres (%s m³)"),
			 text_number(a, sizeof(a), r->litres, 0),
			 text_number(b, sizeof(b), r->litres / 1000.0, 2));
	if (r->record) {
		struct record_row rec;

		if (store_record_get(app->store, r->record, &rec) == 0)
			snprintf(lines[n++], 256, _("Fertigation: %s %s %s"), rec.product_name,
				 text_amount(a, sizeof(a), rec.amount), rec.unit);
	}
	return n;
}

static void draw_detail(struct ui *ui, struct diary *d)
{
	char lines[DETAIL_LINES][256];
	int n = detail_lines(ui, &d->runs[d->shown], lines);
	int y = ui_top(ui), rows = ui_bottom(ui) - ui_top(ui) + 1;

	if (d->scroll > n - rows)
		d->scroll = n - rows > 0 ? n - rows : 0;
	/* A long line wraps: a narrow screen shows all of it. */
	for (int i = d->scroll; i < n && y <= ui_bottom(ui); i++)
		y += widget_wrap(y, 1, COLS - 2, ui_bottom(ui) - y + 1,
				 i == 0 ? TONE_GOOD : TONE_NORMAL, lines[i], true);
}

static void diary_draw(struct ui *ui, void *st)
{
	struct diary *d = st;

	/* Runs start and end while the diary is open. */
	load(ui, d);
	if (d->shown >= 0 && d->shown < d->n)
		draw_detail(ui, d);
	else
		draw_list(ui, d);
}

static int diary_key(struct ui *ui, void *st, int key)
{
	struct diary *d = st;
	int per = per_page(ui);

	if (d->shown >= 0) {
		if (key == '+' || key == K_DOWN)
			d->scroll++;
		else if ((key == '-' || key == K_UP) && d->scroll > 0)
			d->scroll--;
		else if (key == '0' || key == K_BACK || key == K_ENTER)
			d->shown = -1;
		else
			return ACT_NONE;
		return ACT_REDRAW;
	}
	if (key == '9')
		return ACT_TO(SCREEN_SUMMARY);
	if (key == '+' || key == K_DOWN) {
		if (d->offset + per < d->total)
			d->offset += per;
		return ACT_REDRAW;
	}
	if (key == '-' || key == K_UP) {
		d->offset = d->offset > per ? d->offset - per : 0;
		return ACT_REDRAW;
	}
	if (key >= '1' && key < '1' + d->n) {
		d->shown = key - '1';
		d->scroll = 0;
		return ACT_REDRAW;
	}
	return ACT_PASS;
}

static const char *const diary_help[] = {
	N_("1-8: everything about that run"),
	N_("+/-: older or newer runs"),
	N_("9: this month's hours, kWh and cost"),
	NULL,
};

const struct screen screen_diary = {
	.title = N_("Irrigation diary"),
	.state_size = sizeof(struct diary),
	.enter = diary_enter,
	.draw = diary_draw,
	.key = diary_key,
	.help = diary_help,
};
