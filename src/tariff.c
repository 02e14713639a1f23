/* Time-of-use bands from configured windows, and the cost of a pump run. */
#include "tariff.h"

#include "text.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char *const day_names[7] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

static int day_index(const char *s, size_t n)
{
	for (int i = 0; i < 7; i++)
		if (n == 3 && strncasecmp(s, day_names[i], 3) == 0)
			return i;
	return -1;
}

/* Day bits from "mon-sat", "sun", "mon,wed,fri" or "all". */
static int parse_days(const char *s, size_t n, uint8_t *days)
{
	*days = 0;
	if (n == 3 && strncasecmp(s, "all", 3) == 0) {
		*days = 0x7f;
		return 0;
	}
	while (n > 0) {
		size_t len = 0;
		int a, b;

		while (len < n && s[len] != ',')
			len++;
		if (len == 7 && s[3] == '-') {
			a = day_index(s, 3);
			b = day_index(s + 4, 3);
		} else {
			a = b = day_index(s, len);
		}
		if (a < 0 || b < 0)
			return -1;
		/* Ranges run forward through the week: "fri-mon" is fri..mon. */
		for (int d = a;; d = (d + 1) % 7) {
			*days |= (uint8_t)(1u << d);
			if (d == b)
				break;
		}
		s += len;
		n -= len;
		if (n > 0) {
			s++;
			n--;
		}
	}
	return 0;
}

static int parse_hhmm(const char *s, int *min)
{
	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) || s[2] != ':' ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return -1;
	int h = (s[0] - '0') * 10 + (s[1] - '0');
	int m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 24 || m > 59 || (h == 24 && m != 0))
		return -1;
	*min = h * 60 + m;
	return 0;
}

int tariff_parse_windows(const char *s, struct tariff_window *out, int max,
			 const char **why)
{
	uint8_t days = 0;
	bool have_days = false;
	int n = 0;

	while (*s) {
		size_t len;
		int a, b;

		while (*s == ' ' || *s == ',' || *s == '\t')
			s++;
		if (!*s)
			break;
		len = strcspn(s, " \t");
		if (s[len - 1] == ',')
			len--;
		if (!have_days) {
			if (parse_days(s, len, &days) < 0) {
				*why = N_("days must be like mon-sat, sun or all");
				return -1;
			}
			have_days = true;
		} else {
			if (len != 11 || s[5] != '-' || parse_hhmm(s, &a) < 0 ||
			    parse_hhmm(s + 6, &b) < 0 || a == b) {
				*why = N_("a window must be like 09:30-11:30");
				return -1;
			}
			if (n == max) {
				*why = N_("too many windows");
				return -1;
			}
			out[n++] = (struct tariff_window){ days, (int16_t)a, (int16_t)(b % 1440) };
		}
		s += len;
	}
	if (!have_days || n == 0) {
		*why = N_("give the days, then at least one window: mon-sat 17:00-20:00");
		return -1;
	}
	return n;
}

void tariff_default_period(struct tariff_period *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->id, sizeof(p->id), "tt16-2014");
	p->from_day = 20140101;
	p->peak[0] = (struct tariff_window){ 0x7e, 9 * 60 + 30, 11 * 60 + 30 };
	p->peak[1] = (struct tariff_window){ 0x7e, 17 * 60, 20 * 60 };
	p->n_peak = 2;
	p->offpeak[0] = (struct tariff_window){ 0x7f, 22 * 60, 4 * 60 };
	p->n_offpeak = 1;
}

static const struct tariff_period *period_for(const struct tariff *t, int day)
{
	const struct tariff_period *p = NULL;

	for (int i = 0; i < t->n_periods; i++)
		if (t->periods[i].from_day <= day)
			p = &t->periods[i];
	return p;
}

/* Is local (weekday, minute) inside one of the windows? A window that
 * passes midnight belongs to the day it starts on. */
static bool in_windows(const struct tariff_window *w, int n, int wday, int min)
{
	int yday = (wday + 6) % 7;

	for (int i = 0; i < n; i++) {
		if (w[i].start_min < w[i].end_min) {
			if ((w[i].days & (1u << wday)) && min >= w[i].start_min &&
			    min < w[i].end_min)
				return true;
		} else {
			if ((w[i].days & (1u << wday)) && min >= w[i].start_min)
				return true;
			if ((w[i].days & (1u << yday)) && min < w[i].end_min)
				return true;
		}
	}
	return false;
}

enum tariff_band tariff_band_at(const struct tariff *t, time_t when)
{
	struct tm tm;
	const struct tariff_period *p;
	int min;

	localtime_r(&when, &tm);
	p = period_for(t, (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday);
	if (!p)
		return BAND_NORMAL;
	min = tm.tm_hour * 60 + tm.tm_min;
	if (in_windows(p->peak, p->n_peak, tm.tm_wday, min))
		return BAND_PEAK;
	if (in_windows(p->offpeak, p->n_offpeak, tm.tm_wday, min))
		return BAND_OFFPEAK;
	return BAND_NORMAL;
}

time_t tariff_next_change(const struct tariff *t, time_t when, time_t limit)
{
	enum tariff_band b = tariff_band_at(t, when);
	time_t m = when - (when % 60) + 60;

	/* Bands change on whole local minutes; Vietnam keeps no summer time,
	 * and a stepwise search is exact for any window table. */
	for (; m < when + limit; m += 60)
		if (tariff_band_at(t, m) != b)
			return m;
	return when + limit;
}

time_t tariff_first_peak(const struct tariff *t, time_t start, time_t end)
{
	time_t m = start;

	while (m < end) {
		if (tariff_band_at(t, m) == BAND_PEAK)
			return m;
		m = tariff_next_change(t, m, end - m);
	}
	return -1;
}

time_t tariff_clear_of_peak(const struct tariff *t, time_t start, int seconds)
{
	time_t limit = start + 7 * 86400, at = start, peak;

	while (at < limit && (peak = tariff_first_peak(t, at, at + seconds)) >= 0) {
		/* Start again where that stretch of peak hours ends. */
		at = peak;
		while (at < limit && tariff_band_at(t, at) == BAND_PEAK)
			at = tariff_next_change(t, at, limit - at);
	}
	return at;
}

void tariff_energy_split(const struct tariff *t, time_t start, time_t end,
			 double kw, double kwh[BAND_COUNT])
{
	for (int b = 0; b < BAND_COUNT; b++)
		kwh[b] = 0;
	while (start < end) {
		time_t next = start - (start % 60) + 60;

		if (next > end)
			next = end;
		kwh[tariff_band_at(t, start)] += kw * (double)(next - start) / 3600.0;
		start = next;
	}
}

double tariff_cost(const struct tariff *t, const double kwh[BAND_COUNT])
{
	double c = 0;

	for (int b = 0; b < BAND_COUNT; b++)
		c += kwh[b] * t->price[b];
	return c;
}

const char *tariff_band_name(enum tariff_band b)
{
	switch (b) {
	case BAND_PEAK:
		return _("Peak hours");
	case BAND_OFFPEAK:
		return _("Off-peak hours");
	default:
		return _("Normal hours");
	}
}
