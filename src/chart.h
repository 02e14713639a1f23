/* A zone's soil moisture over the last day, week, month or year, read
 * from the hourly and daily roll-ups and put into as many columns as the
 * screen has. No ncurses here: the screen draws what this computes. */
#ifndef FS_CHART_H
#define FS_CHART_H

#include <stdint.h>
#include <time.h>

struct config;
struct store;

enum chart_span { CHART_DAY, CHART_WEEK, CHART_MONTH, CHART_YEAR, CHART_SPANS };

#define CHART_MAX_COLS 160

struct chart {
	enum chart_span span;
	int cols;
	time_t from, to;
	/* Per column; NAN where no reading falls. */
	double lo[CHART_MAX_COLS], mean[CHART_MAX_COLS], hi[CHART_MAX_COLS];
	double min, max;	/* of the means shown; NAN when there are none */
	int64_t readings;	/* how many readings lie behind the chart */
};

/* Fills out for zone, ending at now, in cols columns (at most
 * CHART_MAX_COLS). live is the newest value not yet written to the
 * database (NAN if none): it fills the last column when that is empty.
 * Returns 0, or a negative STORE_ code. */
int chart_zone(struct store *s, const struct config *cfg, int zone, enum chart_span span,
	       time_t now, int cols, double live, struct chart *out);

/* Seconds a span covers. */
int64_t chart_span_seconds(enum chart_span span);

#endif
