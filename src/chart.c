/* Charts from the roll-ups: a day and a week from the hourly table, a
 * month and a year from the daily one, so that no chart reads more than
 * about 365 rows per sensor however many years the station has kept. */
#include "chart.h"

#include "config.h"
#include "sensor.h"
#include "store.h"
#include "text.h"

#include <math.h>
#include <string.h>

#define MAX_SENSORS 64

int64_t chart_span_seconds(enum chart_span span)
{
	static const int64_t days[CHART_SPANS] = { 1, 7, 30, 365 };

	return days[span] * 86400;
}

struct fill {
	struct chart *c;
	bool daily;
	double sum[CHART_MAX_COLS];
	int count[CHART_MAX_COLS];
};

static void on_point(void *ctx, int64_t t, double lo, double mean, double hi, int64_t n)
{
	struct fill *f = ctx;
	struct chart *c = f->c;
	/* The middle of the hour or day is where it goes. */
	int64_t at = f->daily ? (int64_t)text_day_start((int)t) + 43200 : t + 1800;
	int64_t col = (at - c->from) * c->cols / (c->to - c->from);

	if (col < 0)
		col = 0;
	if (col >= c->cols)
		col = c->cols - 1;
	f->sum[col] += mean;
	f->count[col]++;
	if (isnan(c->lo[col]) || lo < c->lo[col])
		c->lo[col] = lo;
	if (isnan(c->hi[col]) || hi > c->hi[col])
		c->hi[col] = hi;
	c->readings += n;
}

int chart_zone(struct store *s, const struct config *cfg, int zone, enum chart_span span,
	       time_t now, int cols, double live, struct chart *out)
{
	const char *codes[MAX_SENSORS];
	int n = config_zone_soil_sensors(cfg, zone, codes, MAX_SENSORS), rc = 0;
	struct fill f = { .c = out, .daily = span >= CHART_MONTH };

	memset(out, 0, sizeof(*out));
	out->span = span;
	out->cols = cols < 1 ? 1 : cols > CHART_MAX_COLS ? CHART_MAX_COLS : cols;
	out->to = now;
	out->from = now - (time_t)chart_span_seconds(span);
	for (int i = 0; i < out->cols; i++)
		out->lo[i] = out->mean[i] = out->hi[i] = NAN;
	if (n > 0 && f.daily)
		rc = store_rollup_series(s, ROLLUP_DAILY, codes, n, Q_MOISTURE,
					 text_day_of(out->from), text_day_of(now) + 1, on_point, &f);
	else if (n > 0)
		rc = store_rollup_series(s, ROLLUP_HOURLY, codes, n, Q_MOISTURE,
					 out->from - (out->from % 3600 + 3600) % 3600, now + 1,
					 on_point, &f);
	out->min = out->max = NAN;
	for (int i = 0; i < out->cols; i++) {
		if (f.count[i])
			out->mean[i] = f.sum[i] / f.count[i];
		else if (i == out->cols - 1 && !isnan(live))
			out->mean[i] = out->lo[i] = out->hi[i] = live;
		if (isnan(out->mean[i]))
			continue;
		if (isnan(out->min) || out->mean[i] < out->min)
			out->min = out->mean[i];
		if (isnan(out->max) || out->mean[i] > out->max)
			out->max = out->mean[i];
	}
	return rc;
}
