/* Readings and their roll-ups: each batch refreshes the hourly and daily
 * lowest, mean and highest of what it touched, days are the farm's local
 * days, pruning raw readings leaves the roll-ups whole, and a zone's days
 * come out as the export needs them. */
#include "testlib.h"

#include "sensor.h"
#include "store.h"
#include "text.h"

#include <math.h>
#include <time.h>

static char *dir;
static struct store *st;
static int soil1, soil2, air;

/* 01/06/2026 00:00 in Vietnam (UTC+7). */
#define JUNE1 1780246800

static int setup(void **state)
{
	char path[512], err[256];

	(void)state;
	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	tzset();
	text_init("en");
	dir = test_mkdir();
	snprintf(path, sizeof(path), "%s/station.db", dir);
	assert_int_equal(store_open(path, STORE_EXCLUSIVE, &st, err, sizeof(err)), 0);
	assert_int_equal(store_sensor_id(st, "soil1", &soil1), 0);
	assert_int_equal(store_sensor_id(st, "soil2", &soil2), 0);
	assert_int_equal(store_sensor_id(st, "air", &air), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	store_close(st);
	test_rmdir(dir);
	return 0;
}

struct point {
	int64_t t;
	double lo, mean, hi;
	int64_t n;
};

struct points {
	struct point p[2000];
	int n;
};

static void collect(void *ctx, int64_t t, double lo, double mean, double hi, int64_t n)
{
	struct points *ps = ctx;

	assert_true(ps->n < 2000);
	ps->p[ps->n++] = (struct point){ t, lo, mean, hi, n };
}

static struct points *series(enum store_rollup which, const char *const *codes, int n, int q,
			     int64_t from, int64_t to)
{
	static struct points ps;

	ps.n = 0;
	assert_int_equal(store_rollup_series(st, which, codes, n, q, from, to, collect, &ps), 0);
	return &ps;
}

/* Every minute of one hour, in two batches as two flushes would write. */
static void an_hour_in_two_batches_rolls_up_whole(void **state)
{
	struct reading_row rows[60];
	const char *codes[] = { "soil1" };
	struct points *ps;

	(void)state;
	for (int i = 0; i < 60; i++)
		rows[i] = (struct reading_row){ soil1, Q_MOISTURE, JUNE1 + 3 * 3600 + i * 60,
						 30.0 + i % 10 };
	assert_int_equal(store_readings_add(st, rows, 25), 0);
	assert_int_equal(store_readings_add(st, rows + 25, 35), 0);
	ps = series(ROLLUP_HOURLY, codes, 1, Q_MOISTURE, JUNE1, JUNE1 + 86400);
	assert_int_equal(ps->n, 1);
	assert_int_equal(ps->p[0].t, JUNE1 + 3 * 3600);
	assert_int_equal(ps->p[0].n, 60);
	assert_true(ps->p[0].lo == 30.0);
	assert_true(ps->p[0].hi == 39.0);
	assert_true(fabs(ps->p[0].mean - 34.5) < 1e-9);
	/* The day holds the hour, once, however many batches made it. */
	ps = series(ROLLUP_DAILY, codes, 1, Q_MOISTURE, 0, 1 << 30);
	assert_int_equal(ps->n, 1);
	assert_int_equal(ps->p[0].t, text_day_of(JUNE1));
	assert_int_equal(ps->p[0].n, 60);
	assert_true(fabs(ps->p[0].mean - 34.5) < 1e-9);
}

/* 23:30 and 00:30 local time are two days, though the same UTC day. */
static void days_are_the_farms_local_days(void **state)
{
	struct reading_row rows[] = {
		{ soil2, Q_MOISTURE, JUNE1 + 86400 - 1800, 20.0 },	/* 01/06 23:30 */
		{ soil2, Q_MOISTURE, JUNE1 + 86400 + 1800, 40.0 },	/* 02/06 00:30 */
		{ soil2, Q_MOISTURE, JUNE1 + 86400 + 2400, 44.0 },	/* 02/06 00:40 */
	};
	const char *codes[] = { "soil2" };
	struct points *ps;

	(void)state;
	assert_int_equal(store_readings_add(st, rows, 3), 0);
	ps = series(ROLLUP_DAILY, codes, 1, Q_MOISTURE, 0, 1 << 30);
	assert_int_equal(ps->n, 2);
	assert_int_equal(ps->p[0].t, text_day_of(JUNE1));
	assert_true(ps->p[0].mean == 20.0);
	assert_int_equal(ps->p[1].t, text_day_of(JUNE1) + 1);
	assert_true(ps->p[1].mean == 42.0);
	assert_true(ps->p[1].lo == 40.0 && ps->p[1].hi == 44.0);
	assert_int_equal(ps->p[1].n, 2);
}

/* The daily mean is the mean of the readings, not of the hours. */
static void daily_mean_weighs_each_reading(void **state)
{
	struct reading_row rows[7];
	const char *codes[] = { "air" };
	struct points *ps;
	int n = 0;

	(void)state;
	/* One reading at 05:00 of 10 degrees; six at 14:00 of 31. */
	rows[n++] = (struct reading_row){ air, Q_AIR_TEMP, JUNE1 + 5 * 3600, 10.0 };
	for (int i = 0; i < 6; i++)
		rows[n++] = (struct reading_row){ air, Q_AIR_TEMP, JUNE1 + 14 * 3600 + i * 60, 31.0 };
	assert_int_equal(store_readings_add(st, rows, n), 0);
	ps = series(ROLLUP_DAILY, codes, 1, Q_AIR_TEMP, 0, 1 << 30);
	assert_int_equal(ps->n, 1);
	assert_true(fabs(ps->p[0].mean - 28.0) < 1e-9);
	assert_true(ps->p[0].lo == 10.0 && ps->p[0].hi == 31.0);
	/* Soil moisture is another quantity: none of this is in it. */
	ps = series(ROLLUP_DAILY, codes, 1, Q_MOISTURE, 0, 1 << 30);
	assert_int_equal(ps->n, 0);
}

/* Raw readings older than their keep go, a little at a time; the roll-ups
 * that charts and exports read stay. */
static void pruning_keeps_the_rollups(void **state)
{
	const char *codes[] = { "soil1", "soil2" };
	struct reading_row rows[200];
	struct points *before, *after;
	int n = 0, removed, total = 0;

	(void)state;
	for (int d = 0; d < 100; d++) {
		rows[n++] = (struct reading_row){ soil1, Q_MOISTURE, JUNE1 + 10 * 86400 + d * 3600, 30 + d % 7 };
		rows[n++] = (struct reading_row){ soil2, Q_MOISTURE, JUNE1 + 10 * 86400 + d * 3600, 40 };
	}
	/* In hours' worth of batches, as flushes write them. */
	for (int i = 0; i < n; i += 2)
		assert_int_equal(store_readings_add(st, rows + i, 2), 0);
	before = series(ROLLUP_HOURLY, codes, 2, Q_MOISTURE, JUNE1, JUNE1 + 30 * 86400);
	int before_n = before->n;
	double before_mean = before->p[50].mean;
	/* Everything before 06:00 of day 13 may go, six hours at a time. */
	while ((removed = store_readings_prune(st, JUNE1 + 13 * 86400 + 6 * 3600, 6 * 3600)) > 0) {
		assert_true(removed <= 2 * 6);
		total += removed;
	}
	assert_int_equal(removed, 0);
	assert_int_equal(total, 2 * (72 + 6));	/* days 10 to 12, and six hours */
	after = series(ROLLUP_HOURLY, codes, 2, Q_MOISTURE, JUNE1, JUNE1 + 30 * 86400);
	assert_int_equal(after->n, before_n);
	assert_true(after->p[50].mean == before_mean);
	/* A new reading later on a day whose first hours were pruned: the
	 * day is rolled up again from its hours, so those hours still count. */
	struct reading_row late = { soil1, Q_MOISTURE, JUNE1 + 13 * 86400 + 20 * 3600 + 600, 30 };
	assert_int_equal(store_readings_add(st, &late, 1), 0);
	struct points *day = series(ROLLUP_DAILY, codes, 2, Q_MOISTURE, 0, 1 << 30);
	int64_t day13_n = 0;
	for (int i = 0; i < day->n; i++)
		if (day->p[i].t == text_day_of(JUNE1 + 13 * 86400))
			day13_n = day->p[i].n;
	assert_int_equal(day13_n, 48 + 1);
}

/* Two sensors of a zone together: the mean of their means; the lowest and
 * highest either read. The export's daily summary is the same. */
static void a_zone_of_two_sensors(void **state)
{
	const char *codes[] = { "soil1", "soil2" };
	struct reading_row rows[] = {
		{ soil1, Q_MOISTURE, JUNE1 + 40 * 86400 + 3600, 30 },
		{ soil1, Q_MOISTURE, JUNE1 + 40 * 86400 + 3660, 34 },
		{ soil2, Q_MOISTURE, JUNE1 + 40 * 86400 + 3600, 50 },
	};
	struct points ps = { .n = 0 };

	(void)state;
	assert_int_equal(store_readings_add(st, rows, 3), 0);
	assert_int_equal(store_moisture_daily(st, codes, 2, text_day_of(JUNE1) + 40,
					      text_day_of(JUNE1) + 40, collect, &ps), 0);
	assert_int_equal(ps.n, 1);
	assert_true(ps.p[0].mean == 41.0);	/* (32 + 50) / 2 */
	assert_true(ps.p[0].lo == 30.0);
	assert_true(ps.p[0].hi == 50.0);
	assert_int_equal(ps.p[0].n, 3);
	/* A code that is not a sensor adds nothing; quotes cannot break out. */
	const char *odd[] = { "soil1", "no\"such", "x\\" };
	ps.n = 0;
	assert_int_equal(store_moisture_daily(st, odd, 3, text_day_of(JUNE1) + 40,
					      text_day_of(JUNE1) + 40, collect, &ps), 0);
	assert_int_equal(ps.n, 1);
	assert_true(ps.p[0].mean == 32.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(an_hour_in_two_batches_rolls_up_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(days_are_the_farms_local_days, setup, teardown),
		cmocka_unit_test_setup_teardown(daily_mean_weighs_each_reading, setup, teardown),
		cmocka_unit_test_setup_teardown(pruning_keeps_the_rollups, setup, teardown),
		cmocka_unit_test_setup_teardown(a_zone_of_two_sensors, setup, teardown),
	};

	return cmocka_run_group_tests_name("store_readings", tests, NULL, NULL);
}
