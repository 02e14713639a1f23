/* Tariff bands from windows with an effective date, across midnight and
 * Sundays, and the energy of a run split by band. */
#include "testlib.h"

#include "tariff.h"
#include "text.h"

#include <math.h>
#include <time.h>

static struct tariff_period periods[2];
static struct tariff tariff = { .price = { 1300, 1987, 3640 }, .periods = periods, .n_periods = 2 };

static time_t at(int y, int mo, int d, int h, int mi)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
			 .tm_min = mi, .tm_isdst = -1 };

	return mktime(&tm);
}

static int setup(void **state)
{
	const char *why;

	(void)state;
	text_init("en");
	tariff_default_period(&periods[0]);
	/* Decision 963/QĐ-BCT, from 1 May 2026 in these tests. */
	periods[1].from_day = 20260501;
	periods[1].n_peak = tariff_parse_windows("mon-sat 17:30-22:30", periods[1].peak, 8, &why);
	periods[1].n_offpeak = tariff_parse_windows("all 00:00-06:00", periods[1].offpeak, 8, &why);
	assert_int_equal(periods[1].n_peak, 1);
	assert_int_equal(periods[1].n_offpeak, 1);
	return 0;
}

static void windows_of_2014(void **state)
{
	(void)state;
	/* Monday 2 March 2026. */
	assert_int_equal(tariff_band_at(&tariff, at(2026, 3, 2, 9, 29)), BAND_NORMAL);
	assert_int_equal(tariff_band_at(&tariff, at(2026, 3, 2, 9, 30)), BAND_PEAK);
	assert_int_equal(tariff_band_at(&tariff, at(2026, 3, 2, 11, 29)), BAND_PEAK);
	assert_int_equal(tariff_band_at(&tariff, at(2026, 3, 2, 11, 30)), BAND_NORMAL);
	assert_int_equal(tariff_band_at(&tariff, at(2026, 3, 2, 18, 0)), BAND_PEAK);
	assert_int_equal(tariff_band_at(&tariff, at(2026, 3, 2, 21, 0)), BAND_NORMAL);
	assert_int_equal(tariff_band_at(&tariff, at(2026, 3, 2, 23, 0)), BAND_OFFPEAK);
	assert_int_equal(tariff_band_at(&tariff, at(2026, 3, 2, 3, 59)), BAND_OFFPEAK);
	assert_int_equal(tariff_band_at(&tariff, at(2026, 3, 2, 4, 0)), BAND_NORMAL);
	/* Sunday 1 March: no peak; off-peak at night like every day. */
	assert_int_equal(tariff_band_at(&tariff, at(2026, 3, 1, 10, 0)), BAND_NORMAL);
	assert_int_equal(tariff_band_at(&tariff, at(2026, 3, 1, 18, 0)), BAND_NORMAL);
	assert_int_equal(tariff_band_at(&tariff, at(2026, 3, 1, 23, 30)), BAND_OFFPEAK);
}

static void windows_of_2026_take_over_on_their_date(void **state)
{
	(void)state;
	/* Thursday 30 April 2026: still 2014. Friday 1 May: 2026. */
	assert_int_equal(tariff_band_at(&tariff, at(2026, 4, 30, 10, 0)), BAND_PEAK);
	assert_int_equal(tariff_band_at(&tariff, at(2026, 5, 1, 10, 0)), BAND_NORMAL);
	assert_int_equal(tariff_band_at(&tariff, at(2026, 5, 1, 17, 29)), BAND_NORMAL);
	assert_int_equal(tariff_band_at(&tariff, at(2026, 5, 1, 17, 30)), BAND_PEAK);
	assert_int_equal(tariff_band_at(&tariff, at(2026, 5, 1, 22, 29)), BAND_PEAK);
	assert_int_equal(tariff_band_at(&tariff, at(2026, 5, 1, 23, 0)), BAND_NORMAL);
	assert_int_equal(tariff_band_at(&tariff, at(2026, 5, 2, 5, 59)), BAND_OFFPEAK);
	/* Sunday 3 May 2026. */
	assert_int_equal(tariff_band_at(&tariff, at(2026, 5, 3, 18, 0)), BAND_NORMAL);
}

static void saturday_window_runs_past_midnight_into_sunday(void **state)
{
	struct tariff_period p = { .from_day = 20000101 };
	struct tariff t = { .periods = &p, .n_periods = 1 };
	const char *why;

	(void)state;
	p.n_peak = tariff_parse_windows("sat 22:00-02:00", p.peak, 8, &why);
	assert_int_equal(p.n_peak, 1);
	/* Saturday 7 March 2026, 23:00 and Sunday 01:00: the window is Saturday's. */
	assert_int_equal(tariff_band_at(&t, at(2026, 3, 7, 23, 0)), BAND_PEAK);
	assert_int_equal(tariff_band_at(&t, at(2026, 3, 8, 1, 0)), BAND_PEAK);
	assert_int_equal(tariff_band_at(&t, at(2026, 3, 8, 2, 0)), BAND_NORMAL);
	/* Friday night is not in it. */
	assert_int_equal(tariff_band_at(&t, at(2026, 3, 6, 23, 0)), BAND_NORMAL);
	assert_int_equal(tariff_band_at(&t, at(2026, 3, 7, 1, 0)), BAND_NORMAL);
}

static void parse_errors(void **state)
{
	struct tariff_window w[8];
	const char *why = NULL;

	(void)state;
	assert_int_equal(tariff_parse_windows("mon-sat", w, 8, &why), -1);
	assert_non_null(why);
	assert_int_equal(tariff_parse_windows("someday 10:00-11:00", w, 8, &why), -1);
	assert_int_equal(tariff_parse_windows("mon 10:00-10:00", w, 8, &why), -1);
	assert_int_equal(tariff_parse_windows("mon 25:00-26:00", w, 8, &why), -1);
	assert_int_equal(tariff_parse_windows("mon,wed,fri 10:00-11:00, 13:00-14:00", w, 8, &why), 2);
	assert_int_equal(w[0].days, (1 << 1) | (1 << 3) | (1 << 5));
	assert_int_equal(tariff_parse_windows("fri-mon 10:00-11:00", w, 8, &why), 1);
	assert_int_equal(w[0].days, (1 << 5) | (1 << 6) | (1 << 0) | (1 << 1));
}

static void energy_split_across_midnight(void **state)
{
	double kwh[BAND_COUNT];

	(void)state;
	/* Tuesday 3 March 2026 21:30 to 22:30 at 2 kW under the 2014 windows:
	 * 30 minutes normal, 30 minutes off-peak. */
	tariff_energy_split(&tariff, at(2026, 3, 3, 21, 30), at(2026, 3, 3, 22, 30), 2.0, kwh);
	assert_true(fabs(kwh[BAND_NORMAL] - 1.0) < 1e-9);
	assert_true(fabs(kwh[BAND_OFFPEAK] - 1.0) < 1e-9);
	assert_true(fabs(kwh[BAND_PEAK]) < 1e-9);
	assert_true(fabs(tariff_cost(&tariff, kwh) - (1987 + 1300)) < 1e-6);
	/* 23:50 to 00:20: all off-peak, across the date. */
	tariff_energy_split(&tariff, at(2026, 3, 3, 23, 50), at(2026, 3, 4, 0, 20), 1.5, kwh);
	assert_true(fabs(kwh[BAND_OFFPEAK] - 0.75) < 1e-9);
	/* Seconds count: 10:00:00 to 10:00:30 peak at 1.2 kW. */
	tariff_energy_split(&tariff, at(2026, 3, 3, 10, 0), at(2026, 3, 3, 10, 0) + 30, 1.2, kwh);
	assert_true(fabs(kwh[BAND_PEAK] - 0.01) < 1e-9);
}

static void next_change(void **state)
{
	(void)state;
	assert_int_equal(tariff_next_change(&tariff, at(2026, 3, 2, 8, 15), 86400),
			 at(2026, 3, 2, 9, 30));
	assert_int_equal(tariff_next_change(&tariff, at(2026, 3, 1, 8, 15), 86400),
			 at(2026, 3, 1, 22, 0));
}

static void first_peak_of_a_run(void **state)
{
	(void)state;
	/* 2014 windows, Monday 2 March 2026: 09:00 for an hour meets peak at 09:30. */
	assert_int_equal(tariff_first_peak(&tariff, at(2026, 3, 2, 9, 0), at(2026, 3, 2, 10, 0)),
			 at(2026, 3, 2, 9, 30));
	assert_int_equal(tariff_first_peak(&tariff, at(2026, 3, 2, 10, 0), at(2026, 3, 2, 10, 5)),
			 at(2026, 3, 2, 10, 0));
	assert_int_equal(tariff_first_peak(&tariff, at(2026, 3, 2, 11, 30), at(2026, 3, 2, 17, 0)), -1);
	/* Sunday 1 March: none all day. */
	assert_int_equal(tariff_first_peak(&tariff, at(2026, 3, 1, 0, 0), at(2026, 3, 2, 0, 0)), -1);
	/* Sunday night into Monday morning reaches Monday's first peak. */
	assert_int_equal(tariff_first_peak(&tariff, at(2026, 3, 1, 23, 0), at(2026, 3, 2, 12, 0)),
			 at(2026, 3, 2, 9, 30));
}

static void clear_of_peak_moves_past_it(void **state)
{
	(void)state;
	/* 2014 windows, Monday: 09:00 for 45 minutes would meet 09:30; the
	 * whole run fits from 11:30. */
	assert_int_equal(tariff_clear_of_peak(&tariff, at(2026, 3, 2, 9, 0), 45 * 60),
			 at(2026, 3, 2, 11, 30));
	/* A run that fits before the peak stays where it is. */
	assert_int_equal(tariff_clear_of_peak(&tariff, at(2026, 3, 2, 9, 0), 30 * 60),
			 at(2026, 3, 2, 9, 0));
	/* 16:30 for an hour meets the evening peak at 17:00: 20:00. */
	assert_int_equal(tariff_clear_of_peak(&tariff, at(2026, 3, 2, 16, 30), 60 * 60),
			 at(2026, 3, 2, 20, 0));
	/* Saturday 7 March 18:00: after the peak, 20:00; Sunday has none. */
	assert_int_equal(tariff_clear_of_peak(&tariff, at(2026, 3, 7, 18, 0), 30 * 60),
			 at(2026, 3, 7, 20, 0));
	assert_int_equal(tariff_clear_of_peak(&tariff, at(2026, 3, 8, 18, 0), 30 * 60),
			 at(2026, 3, 8, 18, 0));
	/* 2026 windows, Monday 1 June 22:00 for an hour: after 22:30, past
	 * midnight is no matter. */
	assert_int_equal(tariff_clear_of_peak(&tariff, at(2026, 6, 1, 22, 0), 60 * 60),
			 at(2026, 6, 1, 22, 30));
	/* Saturday 6 June 2026 17:00 for 45 minutes: 22:30 Saturday. */
	assert_int_equal(tariff_clear_of_peak(&tariff, at(2026, 6, 6, 17, 0), 45 * 60),
			 at(2026, 6, 6, 22, 30));
}

static void energy_split_across_sunday_midnight_into_monday(void **state)
{
	double kwh[BAND_COUNT];

	(void)state;
	/* 2026 windows, Sunday 7 June 23:30 to Monday 00:30 at 1 kW: Sunday
	 * 23:30-24:00 is normal, Monday 00:00-00:30 off-peak. */
	tariff_energy_split(&tariff, at(2026, 6, 7, 23, 30), at(2026, 6, 8, 0, 30), 1.0, kwh);
	assert_true(fabs(kwh[BAND_NORMAL] - 0.5) < 1e-9);
	assert_true(fabs(kwh[BAND_OFFPEAK] - 0.5) < 1e-9);
	/* Saturday 6 June 22:00 to 23:00: half peak, half normal. */
	tariff_energy_split(&tariff, at(2026, 6, 6, 22, 0), at(2026, 6, 6, 23, 0), 2.0, kwh);
	assert_true(fabs(kwh[BAND_PEAK] - 1.0) < 1e-9);
	assert_true(fabs(kwh[BAND_NORMAL] - 1.0) < 1e-9);
	assert_true(fabs(tariff_cost(&tariff, kwh) - (3640 + 1987)) < 1e-6);
	/* Sunday 7 June 18:00 to 19:00: no peak on Sundays. */
	tariff_energy_split(&tariff, at(2026, 6, 7, 18, 0), at(2026, 6, 7, 19, 0), 2.0, kwh);
	assert_true(fabs(kwh[BAND_NORMAL] - 2.0) < 1e-9);
	assert_true(fabs(kwh[BAND_PEAK]) < 1e-9);
	/* The night the 2026 windows begin: Thursday 30 April 23:00 (2014:
	 * off-peak) to Friday 1 May 01:00 (2026: off-peak from midnight). */
	tariff_energy_split(&tariff, at(2026, 4, 30, 23, 0), at(2026, 5, 1, 1, 0), 1.0, kwh);
	assert_true(fabs(kwh[BAND_OFFPEAK] - 2.0) < 1e-9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(windows_of_2014),
		cmocka_unit_test(windows_of_2026_take_over_on_their_date),
		cmocka_unit_test(saturday_window_runs_past_midnight_into_sunday),
		cmocka_unit_test(parse_errors),
		cmocka_unit_test(energy_split_across_midnight),
		cmocka_unit_test(next_change),
		cmocka_unit_test(first_peak_of_a_run),
		cmocka_unit_test(clear_of_peak_moves_past_it),
		cmocka_unit_test(energy_split_across_sunday_midnight_into_monday),
	};

	return cmocka_run_group_tests_name("tariff", tests, setup, NULL);
}
