/* The chart's bars. The console font has the full block and the two half
 * blocks (▀ ▄ █) but not the eighths, so a row of text is two steps. */
#include "chartview.h"

#include "chart.h"
#include "spoken.h"
#include "widgets.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>

#define SCALE_COLS 3

static enum tone tone_of(double v, double critical, double low, double high)
{
	if (v < critical)
		return TONE_ALARM;
	if (v < low)
		return TONE_DRY;
	if (v > high)
		return TONE_WET;
	return TONE_GOOD;
}

void chartview_draw(int top, int left, int rows, int cols, const struct chart *c,
		    double critical, double low, double high)
{
	int width = cols - SCALE_COLS, steps = 2 * rows;
	double lo, hi;
	char label[8];

	if (rows < 1 || width < 4)
		return;
	/* The scale takes in the thresholds and what was read, in fives. */
	lo = fmin(isnan(c->min) ? low : c->min, low);
	hi = fmax(isnan(c->max) ? high : c->max, high);
	lo = floor((lo - 1) / 5) * 5;
	hi = ceil((hi + 1) / 5) * 5;
	if (lo < 0)
		lo = 0;
	if (hi <= lo)
		hi = lo + 5;
	/* The scale's numbers are not read aloud: the chart is seen. */
	spoken_hold();
	snprintf(label, sizeof(label), "%2.0f", hi);
	widget_text(top, left, SCALE_COLS, TONE_NORMAL, label);
	snprintf(label, sizeof(label), "%2.0f", lo);
	widget_text(top + rows - 1, left, SCALE_COLS, TONE_NORMAL, label);
	spoken_release();

	for (int x = 0; x < width; x++) {
		int col = x * c->cols / width;
		double v = c->mean[col];
		int h = isnan(v) ? -1 : (int)lround((v - lo) / (hi - lo) * steps);
		unsigned attr = isnan(v) ? 0 : widget_tone_attr(tone_of(v, critical, low, high));

		if (!isnan(v) && h < 1)
			h = 1;		/* a reading, however low, shows */
		for (int r = 0; r < rows; r++) {
			int filled = h - 2 * (rows - 1 - r);	/* steps inked in this row */
			int y = top + r, xx = left + SCALE_COLS + x;

			if (filled >= 2 || filled == 1) {
				attron(attr);
				mvaddstr(y, xx, filled >= 2 ? "\u2588" : "\u2584");
				attroff(attr);
				continue;
			}
			/* The thresholds, dotted where no bar covers them. */
			for (int t = 0; t < 2; t++) {
				double mark = t ? high : low;
				int step = (int)lround((mark - lo) / (hi - lo) * steps);

				if ((step + 1) / 2 == rows - r && step > 0) {
					attr_t a = (attr_t)widget_tone_attr(t ? TONE_WET : TONE_DRY);

					attron(a);
					mvaddstr(y, xx, "\u00b7");
					attroff(a);
				}
			}
		}
	}
}
