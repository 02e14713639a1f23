/* Drawing a zone's moisture chart (src/chart.c) in a box of the screen:
 * bars in half-block steps, coloured by the zone's thresholds, which are
 * dotted across; the scale on the left. */
#ifndef FS_CHARTVIEW_H
#define FS_CHARTVIEW_H

struct chart;

/* The box is rows x cols from (top, left), the scale included; low and
 * high are the zone's thresholds, critical its lowest. */
void chartview_draw(int top, int left, int rows, int cols, const struct chart *c,
		    double critical, double low, double high);

#endif
