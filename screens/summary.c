/* This month's irrigation: runs, pump hours, the runs nobody had to
 * start, the water metered against the same month a year before, kWh and
 * what they cost, and what the same runs would have cost at normal and at
 * peak prices (what keeping out of peak hours saved). - and + show other
 * months. */
#include "screen.h"

#include "app.h"
#include "clock.h"
#include "config.h"
#include "keys.h"
#include "store.h"
#include "tariff.h"
#include "text.h"
#include "ui.h"
#include "widgets.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <time.h>

struct summary {
	int back;		/* months before this one */
};

/* The first moment of the month `back` months before now's, and of the
 * month after it. */
static void month_bounds(time_t now, int back, time_t *from, time_t *to, struct tm *first)
{
	struct tm tm;

	localtime_r(&now, &tm);
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mon -= back;
	tm.tm_isdst = -1;
	*from = mktime(&tm);
	*first = tm;
	tm.tm_mon += 1;
	tm.tm_isdst = -1;
	*to = mktime(&tm);
}

/* A line, wrapped, where the screen has room for it above the keys. */
static void put(struct ui *ui, int *y, enum tone tone, const char *line)
{
	if (*y < ui_bottom(ui))
		*y += widget_wrap(*y, 1, COLS - 2, ui_bottom(ui) - *y, tone, line, true);
}

static void summary_draw(struct ui *ui, void *st)
{
	struct summary *s = st;
	struct app *app = ui_app(ui);
	const char *cur = app->cfg->tariff.currency;
	struct runs_total t, before;
	struct tm first, first_before;
	time_t from, to, from_before, to_before;
	int y = ui_top(ui);
	char line[320], a[32], b[32], c[32];
	const char *keys = s->back ? _("-: month before  +: month after") : _("-: month before");
	double kwh, cost;

	month_bounds(clock_now(app->clock), s->back, &from, &to, &first);
	/* The same month a year before, to set the water against. */
	month_bounds(clock_now(app->clock), s->back + 12, &from_before, &to_before, &first_before);
	snprintf(line, sizeof(line), _("Month %02d/%d"), first.tm_mon + 1, first.tm_year + 1900);
	widget_text(y++, 1, COLS - 2, TONE_GOOD, line);
	/* Never a month of zeros that is not one. */
	if (store_runs_total(app->store, from, to, &t) < 0 ||
	    store_runs_total(app->store, from_before, to_before, &before) < 0) {
		snprintf(line, sizeof(line), _("The irrigation diary cannot be read from the memory card: %s"),
			 store_error(app->store));
		widget_wrap(y, 1, COLS - 2, ui_bottom(ui) - y, TONE_ALARM, line, true);
		widget_text(ui_bottom(ui), 1, COLS - 2, TONE_NORMAL, keys);
		return;
	}
	kwh = t.kwh[BAND_OFFPEAK] + t.kwh[BAND_NORMAL] + t.kwh[BAND_PEAK];
	cost = t.cost[BAND_OFFPEAK] + t.cost[BAND_NORMAL] + t.cost[BAND_PEAK];
	/* With the labour saved: the runs a schedule or the soil started,
	 * which nobody had to start. */
	snprintf(line, sizeof(line), _("Runs: %d (%d by themselves)   Pump hours: %s"), t.runs,
		 t.automatic, text_duration(a, sizeof(a), t.seconds));
	put(ui, &y, TONE_NORMAL, line);
	/* Water where a meter measured it, against a year before. */
	if (t.metered && before.metered && before.litres > 0)
		snprintf(line, sizeof(line), _("Water: %s m³ (a year before %s m³, %+d %%)"),
			 text_number(a, sizeof(a), t.litres / 1000, 1),
			 text_number(b, sizeof(b), before.litres / 1000, 1),
			 (int)lround((t.litres - before.litres) * 100 / before.litres));
	else if (t.metered)
		snprintf(line, sizeof(line), _("Water: %s m³"), text_number(a, sizeof(a), t.litres / 1000, 1));
	else
		line[0] = '\0';
	if (line[0])
		put(ui, &y, TONE_NORMAL, line);
	snprintf(line, sizeof(line), _("Electricity: %s kWh, paid %s"), text_number(a, sizeof(a), kwh, 2),
		 text_money(b, sizeof(b), cost, cur));
	attron(A_BOLD);
	put(ui, &y, TONE_NORMAL, line);
	attroff(A_BOLD);
	snprintf(line, sizeof(line), _("At normal prices: %s"),
		 text_money(a, sizeof(a), kwh * app->cfg->tariff.price[BAND_NORMAL], cur));
	put(ui, &y, TONE_NORMAL, line);
	snprintf(line, sizeof(line), _("At peak prices: %s"), text_money(a, sizeof(a), t.cost_at_peak, cur));
	put(ui, &y, TONE_NORMAL, line);
	snprintf(line, sizeof(line), _("Saved by the hours chosen: %s"),
		 text_money(a, sizeof(a), t.cost_at_peak - cost, cur));
	put(ui, &y, TONE_GOOD, line);
	/* By band, where the screen has room. */
	for (int band = 0; band < BAND_COUNT && y + BAND_COUNT - band <= ui_bottom(ui); band++) {
		snprintf(line, sizeof(line), _("  %s: %s kWh, %s"), tariff_band_name((enum tariff_band)band),
			 text_number(b, sizeof(b), t.kwh[band], 2),
			 text_money(c, sizeof(c), t.cost[band], cur));
		widget_text(y++, 1, COLS - 2, TONE_NORMAL, line);
	}
	widget_text(ui_bottom(ui), 1, COLS - 2, TONE_NORMAL, keys);
}

static int summary_key(struct ui *ui, void *st, int key)
{
	struct summary *s = st;

	(void)ui;
	if (key == '-' || key == K_UP) {
		s->back++;
		return ACT_REDRAW;
	}
	if ((key == '+' || key == K_DOWN) && s->back > 0) {
		s->back--;
		return ACT_REDRAW;
	}
	return ACT_PASS;
}

static const char *const summary_help[] = {
	N_("Runs that ended, by the month they began"),
	N_("-/+: the month before or after"),
	NULL,
};

const struct screen screen_summary = {
	.title = N_("Irrigation by month"),
	.state_size = sizeof(struct summary),
	.draw = summary_draw,
	.key = summary_key,
	.help = summary_help,
};
