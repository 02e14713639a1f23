/* The irrigation diary (nhật ký tưới): every run, newest first, two lines
 * each; a run's number shows all of it: who, why, how it ended, moisture
 * before and after, energy and cost by tariff band, fertigation. 9 opens
 * what watering saved, by month or season. */
#include "screen.h"

#include "app.h"
#include "clock.h"
#include "config.h"
#include "dosing.h"
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
#define DETAIL_LINES 24

#define PAGES_BACK 64

struct diary {
	int offset;		/* of the first run shown */
	int total;
	struct run_row runs[PAGE_MAX];
	int n;
	int fit;		/* how many of runs[] fit on the screen */
	int back[PAGES_BACK];	/* where the pages before began */
	int n_back;
	int shown;		/* the run in detail, -1: the list */
	int page;		/* of the run in detail */
};

/* At most as many as two rows each hold; fewer when they wrap. */
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

/* The runs of the page, each its number, day, pump and minutes, then why
 * and what it cost, wrapped; how many fit above the last two rows. */
static int draw_runs(struct ui *ui, struct diary *d, bool draw)
{
	struct app *app = ui_app(ui);
	const char *cur = app->cfg->tariff.currency;
	time_t now = clock_now(app->clock);
	int y = ui_top(ui), bottom = ui_bottom(ui) - 2, i;
	char line[256], more[256], a[32], b[32], c[32];

	for (i = 0; i < d->n; i++) {
		const struct run_row *r = &d->runs[i];
		struct tm tm;
		time_t t = (time_t)r->started;
		int rows;

		localtime_r(&t, &tm);
		snprintf(line, sizeof(line), _("%02d/%02d %s %s, %d min"), tm.tm_mday, tm.tm_mon + 1,
			 text_time(a, sizeof(a), t), pump_name(app->cfg, r->pump),
			 run_minutes(r, now));
		if (!r->ended)
			snprintf(more, sizeof(more), "%s, %s", irrigation_reason_label(r->reason),
				 _("running"));
		else
			snprintf(more, sizeof(more), "%s, %s kWh, %s",
				 irrigation_reason_label(r->reason),
				 text_number(b, sizeof(b), total_kwh(r), 2),
				 text_money(c, sizeof(c), total_cost(r), cur));
		rows = widget_item_at(y, 1, COLS - 2, 3, i + 1, line, false, false) +
		       widget_wrap(0, 3, COLS - 4, 2, TONE_NORMAL, more, false);
		if (y + rows - 1 > bottom && i > 0)
			break;
		if (draw) {
			int n = widget_item_at(y, 1, COLS - 2, 3, i + 1, line, false, true);

			widget_wrap(y + n, 3, COLS - 4, 2, r->ended ? TONE_NORMAL : TONE_GOOD, more,
				    true);
		}
		y += rows;
	}
	return i;
}

static void draw_list(struct ui *ui, struct diary *d)
{
	char line[256];

	if (d->total == 0)
		widget_text(ui_top(ui), 1, COLS - 2, TONE_NORMAL, _("No pump has run yet."));
	d->fit = draw_runs(ui, d, true);
	widget_key_item(ui_bottom(ui) - 1, '9', _("What watering saved"), TONE_GOOD);
	if (d->total > d->fit || d->offset > 0) {
		snprintf(line, sizeof(line), _("+/-: older, newer (%d-%d of %d)"), d->offset + 1,
			 d->offset + d->fit, d->total);
		widget_text(ui_bottom(ui), 1, COLS - 2, TONE_NORMAL, line);
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
	if (r->dosing) {
		struct dose_row doses[DOSE_MAX];
		int nd = store_doses_of_run(app->store, r->id, doses, DOSE_MAX);

		snprintf(lines[n++], 256, _("Dosing run: wet %d, dose %d, flush %d min"), r->wetting,
			 r->dosing, r->flushing);
		for (int i = 0; i < nd && n < DETAIL_LINES; i++)
			snprintf(lines[n++], 256, _("%s: %s %s (%s l of stock), %s"),
				 doses[i].product_name,
				 text_amount(a, sizeof(a), doses[i].litres * doses[i].concentration),
				 doses[i].unit, text_number(b, sizeof(b), doses[i].litres, 1),
				 doses[i].ended ? irrigation_end_label(doses[i].end_reason) : _("dosing"));
	}
	if (r->record) {
		struct record_row rec;

		if (store_record_get(app->store, r->record, &rec) == 1)
			snprintf(lines[n++], 256, _("Fertigation: %s %s %s"), rec.product_name,
				 text_amount(a, sizeof(a), rec.amount), rec.unit);
	}
	return n;
}

static void draw_detail(struct ui *ui, struct diary *d)
{
	char lines[DETAIL_LINES][256];
	const char *text[DETAIL_LINES];
	enum tone tones[DETAIL_LINES];
	int n = detail_lines(ui, &d->runs[d->shown], lines);

	for (int i = 0; i < n; i++) {
		text[i] = lines[i];
		tones[i] = i == 0 ? TONE_GOOD : TONE_NORMAL;
	}
	widget_pages(ui_top(ui), ui_bottom(ui), text, tones, n, &d->page);
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

	if (d->shown >= 0) {
		if (key == '+' || key == K_DOWN)
			d->page++;
		else if (key == '-' || key == K_UP)
			d->page--;
		else if (key == '0' || key == K_BACK || key == K_ENTER)
			d->shown = -1;
		else
			return ACT_NONE;
		return ACT_REDRAW;
	}
	if (key == '9')
		return ACT_TO(SCREEN_SUMMARY);
	d->fit = draw_runs(ui, d, false);
	if (key == '+' || key == K_DOWN) {
		if (d->offset + d->fit < d->total) {
			if (d->n_back < PAGES_BACK)
				d->back[d->n_back++] = d->offset;
			d->offset += d->fit;
		}
		return ACT_REDRAW;
	}
	if (key == '-' || key == K_UP) {
		d->offset = d->n_back > 0 ? d->back[--d->n_back] : 0;
		return ACT_REDRAW;
	}
	if (key >= '1' && key < '1' + d->fit) {
		d->shown = key - '1';
		d->page = 0;
		return ACT_REDRAW;
	}
	return ACT_PASS;
}

static const char *const diary_help[] = {
	N_("1-8: everything about that run"),
	N_("+/-: older or newer runs"),
	N_("9: what watering saved, by month or season"),
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
