/* Charts of a zone's soil moisture: the right hours and days fall in the
 * right columns, the zone is the mean of its probes, gaps stay gaps, and
 * the newest value not yet on the card closes the chart. */
#include "testlib.h"

#include "chart.h"
#include "config.h"
#include "sensor.h"
#include "store.h"
#include "text.h"

#include <math.h>

static char *dir;
static struct store *st;
static struct config *cfg;
static int soil1, soil2;

/* 01/06/2026 00:00 in Vietnam (UTC+7). */
#define JUNE1 1780246800

static const char farm[] =
	"[station]\ncode = PT01\n"
	"[zone.mit]\nname = Mít\n[zone.empty]\nname = Trống\n"
	"[sensor.soil1]\ndriver = sim\nzone = mit\nmodel = soil-0000\n"
	"[sensor.soil2]\ndriver = sim\nzone = mit\nmodel = soil-jxct\n"
	"[sensor.air]\ndriver = sim\nmodel = air-xymd02\n";

static int setup(void **state)
{
	char path[512], err[256];

	(void)state;
	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	tzset();
	text_init("en");
	dir = test_mkdir();
	assert_int_equal(config_load(test_write(dir, "farm.ini", farm), &cfg, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/station.db", dir);
	assert_int_equal(store_open(path, STORE_EXCLUSIVE, &st, err, sizeof(err)), 0);
	assert_int_equal(store_sensor_id(st, "soil1", &soil1), 0);
	assert_int_equal(store_sensor_id(st, "soil2", &soil2), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	store_close(st);
	config_free(cfg);
	test_rmdir(dir);
	return 0;
}

static void add(int sensor, int64_t t, double v)
{
	struct reading_row r = { sensor, Q_MOISTURE, t, v };

	assert_int_equal(store_readings_add(st, &r, 1, t + 86400), 0);
}

/* A day in 24 columns: one column an hour, the two probes averaged. */
static void a_day_hour_by_hour(void **state)
{
	struct chart c;

	(void)state;
	for (int h = 0; h < 24; h++) {
		if (h == 5)
			continue;	/* both probes silent at 05:00 */
		add(soil1, JUNE1 + h * 3600 + 600, 20 + h);
		add(soil2, JUNE1 + h * 3600 + 600, 30 + h);
	}
	assert_int_equal(chart_zone(st, cfg, 0, CHART_DAY, JUNE1 + 86400, 24, NAN, &c), 0);
	assert_int_equal(c.cols, 24);
	assert_true(c.mean[0] == 25.0);
	assert_true(c.lo[0] == 20.0 && c.hi[0] == 30.0);
	assert_true(isnan(c.mean[5]));		/* a gap stays a gap */
	assert_true(c.mean[23] == 48.0);
	assert_true(c.min == 25.0 && c.max == 48.0);
	assert_int_equal(c.readings, 46);
	/* The zone without probes has an empty chart. */
	assert_int_equal(chart_zone(st, cfg, 1, CHART_DAY, JUNE1 + 86400, 24, NAN, &c), 0);
	assert_true(isnan(c.min) && isnan(c.mean[0]) && c.readings == 0);
}

/* A year of days in 52 columns: a week to a column. */
static void a_year_week_by_week(void **state)
{
	struct chart c;
	int64_t start = JUNE1 - 364 * 86400;

	(void)state;
	for (int d = 0; d < 365; d++)
		add(soil1, start + d * 86400 + 12 * 3600, 10 + d / 7);
	assert_int_equal(chart_zone(st, cfg, 0, CHART_YEAR, JUNE1 + 86400, 52, NAN, &c), 0);
	assert_int_equal(c.readings, 365);
	for (int col = 1; col < 51; col++) {
		assert_false(isnan(c.mean[col]));
		assert_true(c.mean[col] > c.mean[col - 1]);	/* the soil wets week by week */
	}
	assert_true(fabs(c.mean[0] - 10.0) < 1.01);
	assert_true(fabs(c.mean[51] - 62.0) < 1.01);
	assert_true(c.max - c.min > 50);
	/* The same data seen over a month: only its last 30 days. */
	assert_int_equal(chart_zone(st, cfg, 0, CHART_MONTH, JUNE1 + 86400, 30, NAN, &c), 0);
	assert_int_equal(c.readings, 30);
	assert_true(c.min >= 10 + 334 / 7);
}

/* The value read a minute ago is not on the card yet: it closes the chart. */
static void the_newest_value_closes_the_chart(void **state)
{
	struct chart c;

	(void)state;
	add(soil1, JUNE1 + 3600, 30);
	assert_int_equal(chart_zone(st, cfg, 0, CHART_DAY, JUNE1 + 86400, 48, 41.5, &c), 0);
	assert_true(c.mean[47] == 41.5);
	assert_true(c.max == 41.5);
	assert_true(c.mean[3] == 30);	/* 01:00 to 02:00, half an hour a column */
	/* Not over a column that has readings of its own. */
	add(soil1, JUNE1 + 86400 - 600, 33);
	assert_int_equal(chart_zone(st, cfg, 0, CHART_DAY, JUNE1 + 86400, 24, 41.5, &c), 0);
	assert_true(c.mean[23] == 33);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_day_hour_by_hour, setup, teardown),
		cmocka_unit_test_setup_teardown(a_year_week_by_week, setup, teardown),
		cmocka_unit_test_setup_teardown(the_newest_value_closes_the_chart, setup, teardown),
	};

	return cmocka_run_group_tests_name("chart", tests, NULL, NULL);
}
