/* Electricity tariff: which band (peak, normal, off-peak) a moment falls in,
 * from windows given as data with the date they take effect, and what a
 * pump run costs split by band. */
#ifndef FS_TARIFF_H
#define FS_TARIFF_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

enum tariff_band { BAND_OFFPEAK, BAND_NORMAL, BAND_PEAK, BAND_COUNT };

#define TARIFF_MAX_WINDOWS 8

/* A daily window. Days: bit 0 = Sunday ... bit 6 = Saturday, for the day
 * on which the window starts; end_min may be below start_min (past
 * midnight). Minutes since local midnight. */
struct tariff_window {
	uint8_t days;
	int16_t start_min, end_min;
};

struct tariff_period {
	char id[32];
	int from_day;		/* YYYYMMDD: first local day this period applies */
	struct tariff_window peak[TARIFF_MAX_WINDOWS];
	int n_peak;
	struct tariff_window offpeak[TARIFF_MAX_WINDOWS];
	int n_offpeak;
};

struct tariff {
	double price[BAND_COUNT];	/* per kWh */
	char currency[8];
	struct tariff_period *periods;	/* sorted by from_day */
	int n_periods;
};

/* "mon-sat 09:30-11:30 17:00-20:00" (days: mon..sun, a range, a comma
 * list, or "all"). Returns the number of windows, or -1 with a short
 * reason in why. */
int tariff_parse_windows(const char *s, struct tariff_window *out, int max,
			 const char **why);

/* The built-in windows of Circular 16/2014/TT-BCT, used when the
 * configuration gives none. */
void tariff_default_period(struct tariff_period *p);

enum tariff_band tariff_band_at(const struct tariff *t, time_t when);
/* The first moment after `when` at which the band changes (local minute
 * resolution), at most `limit` seconds ahead. */
time_t tariff_next_change(const struct tariff *t, time_t when, time_t limit);

/* The first moment in [start, end) that falls in peak hours, or -1. */
time_t tariff_first_peak(const struct tariff *t, time_t start, time_t end);
/* The earliest moment at or after `start` from which `seconds` in a row
 * stay out of peak hours (searching at most a week ahead). */
time_t tariff_clear_of_peak(const struct tariff *t, time_t start, int seconds);

/* Energy of a run of `kw` from start to end, split into kWh per band. */
void tariff_energy_split(const struct tariff *t, time_t start, time_t end,
			 double kw, double kwh[BAND_COUNT]);
double tariff_cost(const struct tariff *t, const double kwh[BAND_COUNT]);

/* Short name of a band for the farmer (translated msgid). */
const char *tariff_band_name(enum tariff_band b);

#endif
