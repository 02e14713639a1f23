/* Readings on the simulator: every bus built from the configuration and
 * read; a raw analog probe needs its calibration before it says soil
 * moisture, keeps it across a restart, and a count its calibration cannot
 * explain is a wrong value, logged; a missing serial adapter is reported
 * lost without stopping the simulated probes. */
#include "testlib.h"
#include "cardvfs.h"

#include "app.h"
#include "calibration.h"
#include "clock.h"
#include "config.h"
#include "loop.h"
#include "readings.h"
#include "sim_farm.h"
#include "station.h"
#include "store.h"
#include "text.h"

#include <math.h>
#include <sqlite3.h>
#include <sys/stat.h>

static const char farm_ini[] =
	"[station]\ncode = PT01\n"
	"[zone.mit]\nname = Mít\npump = p1\n"
	"[zone.tieu]\nname = Tiêu\n"
	"[pump.p1]\ndriver = sim\npower_kw = 1\nflow_sensor = flow1\nmin_flow = 20\n"
	"[sensor.soil1]\ndriver = sim\nzone = mit\nmodel = soil-0000\n"
	"[sensor.cap1]\ndriver = sim\nzone = tieu\nmodel = soil-analog\n"
	/* In pump 1's line; it stops answering after two polls. */
	"[sensor.flow1]\ndriver = sim\nmodel = flow\nsim_fault = silent\nsim_fault_after = 2\n"
	"[sensor.air]\ndriver = sim\nmodel = air-xymd02\n"
	/* An RS485 adapter that is not plugged in. */
	"[sensor.far]\ndriver = modbus\nzone = tieu\nport = /dev/serial/by-id/usb-none-port0\n"
	"model = soil-jxct\n";

enum { SOIL1, CAP1, FLOW1, AIR, FAR };

struct rig {
	char *dir;
	char db[512];
	const char *ini;
	struct app app;
};

static void rig_open(struct rig *r)
{
	char err[512];
	struct config *cfg;

	assert_int_equal(config_load(test_write(r->dir, "farm.ini", r->ini), &cfg, err,
				     sizeof(err)), 0);
	r->app.cfg = cfg;
	r->app.db_path = r->db;
	if (station_open(&r->app, 0, err, sizeof(err)) < 0)
		fail_msg("station_open: %s", err);
	r->app.readings = readings_new(&r->app, err, sizeof(err));
	if (!r->app.readings)
		fail_msg("readings_new: %s", err);
}

static void rig_close(struct rig *r)
{
	readings_free(r->app.readings);
	r->app.readings = NULL;
	station_close(&r->app);
	config_free((struct config *)r->app.cfg);
}

static int setup(void **state)
{
	struct rig *r = calloc(1, sizeof(*r));

	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	tzset();
	text_init("en");
	assert_int_equal(cardvfs_install(), 0);
	cardvfs_command("heal");
	r->ini = farm_ini;
	r->dir = test_mkdir();
	snprintf(r->db, sizeof(r->db), "%s/station.db", r->dir);
	r->app.clock = clock_new_manual(1780246800 + 8 * 3600);	/* 01/06/2026 08:00 */
	rig_open(r);
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	struct rig *r = *state;

	rig_close(r);
	clock_free(r->app.clock);
	test_rmdir(r->dir);
	free(r);
	return 0;
}

/* One poll of every bus, now: the simulated probes answer within 100 ms. */
static void poll_now(struct rig *r)
{
	readings_fast(r->app.readings, true);
	readings_fast(r->app.readings, false);
	for (int i = 0; i < 20; i++)
		loop_run_once(r->app.loop, 10);
}

static const struct sensor_state *sensor(struct rig *r, int i)
{
	return readings_sensor(r->app.readings, i);
}

static int events(struct rig *r, const char *kind, const char *source)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int n = -1;

	assert_int_equal(sqlite3_open(r->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM events WHERE kind = ?"
					    " AND source = ?", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, source, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static const char *event_detail(struct rig *r, const char *kind);

static void every_bus_is_read(void **state)
{
	struct rig *r = *state;
	double t, h;

	poll_now(r);
	assert_int_equal(sensor(r, SOIL1)->status, SENSOR_OK);
	assert_true(sensor(r, SOIL1)->has[Q_MOISTURE]);
	assert_true(readings_air(r->app.readings, &t, &h, NULL));
	assert_true(t > 10 && t < 45 && h > 30 && h <= 100);
	/* The adapter that is not there: lost, with why, and an alarm. */
	assert_int_equal(sensor(r, FAR)->status, SENSOR_LOST);
	assert_string_equal(sensor(r, FAR)->detail, "its serial port cannot be opened (not connected)");
	assert_int_equal(events(r, "sensor_lost", "far"), 1);
	/* Its port, as configured and as opened. */
	const char *path;
	int who[8], n;
	assert_int_equal(readings_ports(r->app.readings), 1);
	assert_string_equal(readings_port(r->app.readings, 0, &path, who, &n),
			    "/dev/serial/by-id/usb-none-port0");
	assert_int_equal(n, 1);
	assert_int_equal(who[0], FAR);
}

static void an_analog_probe_needs_its_calibration(void **state)
{
	struct rig *r = *state;
	const struct sensor_state *cap;
	char why[256];
	double raw, m, expect;

	poll_now(r);
	cap = sensor(r, CAP1);
	/* Not calibrated: its count, and no moisture for the zone from it. */
	assert_int_equal(cap->status, SENSOR_OK);
	assert_true(cap->has[Q_RAW]);
	assert_false(cap->has[Q_MOISTURE]);
	raw = cap->value[Q_RAW];
	assert_true(raw > 250 && raw < 600);
	assert_false(readings_calibration(r->app.readings, CAP1)->set);
	/* Points too close are refused, in words, and nothing changes. */
	assert_int_equal(readings_calibrate(r->app.readings, CAP1, 400, 390, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "almost the same"));
	assert_false(readings_calibration(r->app.readings, CAP1)->set);
	/* Calibrated: the next reading says soil moisture. */
	assert_int_equal(readings_calibrate(r->app.readings, CAP1, 560, 300, why, sizeof(why)), 0);
	assert_int_equal(events(r, "calibration", "cap1"), 1);
	poll_now(r);
	raw = cap->value[Q_RAW];
	assert_true(cap->has[Q_MOISTURE]);
	/* What a two-point calibration means, not the station's arithmetic:
	 * 0 % at the dry count, 100 % at the wet one, on the straight line
	 * between, to a tenth (so within 0.05). */
	expect = 100.0 * (560 - raw) / (560 - 300);
	assert_true(fabs(cap->value[Q_MOISTURE] - fmin(100, fmax(0, expect))) <= 0.05 + 1e-9);
	m = readings_zone_moisture(r->app.readings, 1, NULL);
	assert_true(fabs(m - cap->value[Q_MOISTURE]) < 1e-9);	/* far is lost: cap1 alone */
	/* After a restart the calibration is still there, with its date. */
	rig_close(r);
	rig_open(r);
	assert_true(readings_calibration(r->app.readings, CAP1)->set);
	assert_true(readings_calibration(r->app.readings, CAP1)->dry == 560);
	assert_int_equal(readings_calibration(r->app.readings, CAP1)->made_at, 1780246800 + 8 * 3600);
	poll_now(r);
	assert_true(sensor(r, CAP1)->has[Q_MOISTURE]);
}

/* A count the calibration cannot explain (the probe in a cup of water
 * read as if the points were 1000 and 900) is a wrong value. */
static void a_count_outside_the_calibration(void **state)
{
	struct rig *r = *state;
	char why[256];

	assert_int_equal(readings_calibrate(r->app.readings, CAP1, 1000, 900, why, sizeof(why)), 0);
	/* Said, and logged, in the farmer's words with the numbers. */
	text_set_language("vi");
	poll_now(r);
	text_set_language("en");
	assert_int_equal(sensor(r, CAP1)->status, SENSOR_BAD_VALUE);
	assert_non_null(strstr(sensor(r, CAP1)->detail,
			       "nằm ngoài hiệu chuẩn (khô 1.000, trong nước 900)"));
	assert_non_null(strstr(sensor(r, CAP1)->detail, "số thô "));
	assert_int_equal(events(r, "sensor_bad_value", "cap1"), 1);
	assert_string_equal(event_detail(r, "sensor_bad_value"), sensor(r, CAP1)->detail);
	assert_true(isnan(readings_zone_moisture(r->app.readings, 1, NULL)));
	/* The zone with a good probe is untouched. */
	assert_false(isnan(readings_zone_moisture(r->app.readings, 0, NULL)));
}

/* A flow sensor's litres a minute are kept and stored like any value,
 * with the answer of the poll before beside the newest; lost, it is
 * logged like any sensor. It is no air sensor. */
struct flows {
	int sensor, n;
	double max;
};

static void keep_flow(void *ctx, const struct reading_row *r)
{
	struct flows *f = ctx;

	if (r->sensor != f->sensor || r->quantity != Q_FLOW)
		return;
	f->n++;
	if (r->value > f->max)
		f->max = r->value;
}

static void a_flow_sensor_keeps_two_answers_in_a_row(void **state)
{
	struct rig *r = *state;
	const struct sensor_state *fl = sensor(r, FLOW1);
	double t, h;
	int64_t first;

	poll_now(r);
	assert_int_equal(fl->status, SENSOR_OK);
	assert_true(fl->has[Q_FLOW] && fl->value[Q_FLOW] == 0);	/* the pump is off */
	assert_false(fl->has[Q_AIR_TEMP]);
	assert_int_equal(fl->prev_t, 0);
	first = fl->t;
	assert_true(readings_air(r->app.readings, &t, &h, NULL));
	assert_true(t > 10 && h > 30);
	sim_farm_set_water(r->app.farm, 0, true);
	clock_advance(r->app.clock, 60 * 1000);
	poll_now(r);
	assert_true(fl->value[Q_FLOW] > 30);
	assert_int_equal(fl->prev_t, first);
	assert_true(fl->prev_has[Q_FLOW] && fl->prev_value[Q_FLOW] == 0);
	clock_advance(r->app.clock, 60 * 1000);
	poll_now(r);
	assert_int_equal(fl->status, SENSOR_LOST);
	assert_int_equal(events(r, "sensor_lost", "flow1"), 1);
	assert_int_equal(readings_flush(r->app.readings), 0);
	struct flows flows = { 0 };
	assert_int_equal(store_sensor_id(r->app.store, "flow1", &flows.sensor), 0);
	assert_int_equal(store_readings_each(r->app.store, 0, INT64_MAX, keep_flow, &flows), 0);
	assert_int_equal(flows.n, 2);
	assert_true(flows.max > 30);
}

static const char *event_detail(struct rig *r, const char *kind)
{
	static char out[128];
	sqlite3 *db;
	sqlite3_stmt *st;

	out[0] = '\0';
	assert_int_equal(sqlite3_open(r->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT detail FROM events WHERE kind = ?", -1, &st,
					    NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(out, sizeof(out), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

static void count_one(void *ctx, const struct reading_row *row)
{
	(void)row;
	(*(int *)ctx)++;
}

/* The readings the database holds, as another program reads them
 * without the pending file. */
static int count_readings(struct rig *r)
{
	char pending[600], aside[620];
	struct store *s;
	char err[256];
	int n = 0;

	snprintf(pending, sizeof(pending), "%s.pending", r->db);
	snprintf(aside, sizeof(aside), "%s.aside", pending);
	rename(pending, aside);
	assert_int_equal(store_open(r->db, STORE_RDONLY, &s, err, sizeof(err)), 0);
	assert_int_equal(store_readings_each(s, 0, INT64_MAX, count_one, &n), 0);
	store_close(s);
	rename(aside, pending);
	return n;
}

/* One soil probe read each hour: its readings wait in memory for a card
 * that cannot take them three hours (three polls of four values), the
 * farmer told; what comes after is counted, and once the card takes
 * them the event log says how many readings are missing, and when. */
static void readings_the_card_cannot_take_wait_or_are_counted(void **state)
{
	struct rig *r = *state;
	time_t t0 = clock_now(r->app.clock);
	char want[96], pending[600];

	rig_close(r);
	r->ini = "[station]\ncode = PT01\npoll_seconds = 3600\n[zone.mit]\nname = Mít\n"
		 "[sensor.soil1]\ndriver = sim\nzone = mit\nmodel = soil-0000\n";
	/* A card that takes nothing: not the database, nor its pending file
	 * (here a folder in its place). */
	snprintf(pending, sizeof(pending), "%s.pending", r->db);
	assert_int_equal(mkdir(pending, 0700), 0);
	rig_open(r);
	cardvfs_command("fail write ENOSPC 1");
	poll_now(r);
	assert_int_equal(readings_flush(r->app.readings), STORE_FULL);
	assert_string_equal(r->app.trouble,
			    "Readings cannot be written to the memory card: they wait in memory.");
	for (int hour = 1; hour < 5; hour++) {
		clock_advance(r->app.clock, 3600 * 1000);
		poll_now(r);
	}
	assert_string_equal(r->app.trouble,
			    "Readings are being lost: the memory card has not taken them for hours.");
	assert_true(cardvfs_failed() > 0);
	cardvfs_command("heal");
	assert_int_equal(readings_flush(r->app.readings), 0);
	assert_string_equal(r->app.trouble, "");
	assert_int_equal(count_readings(r), 3 * 4);
	snprintf(want, sizeof(want), "8;%lld;%lld", (long long)t0 + 3 * 3600,
		 (long long)t0 + 4 * 3600);
	assert_string_equal(event_detail(r, "readings_lost"), want);
	rmdir(pending);
}

/* A database that cannot be written, with its pending file whole: the
 * readings are safe there, the farmer is not told they wait in memory,
 * and the database takes them once it can. */
static void readings_wait_in_the_pending_file(void **state)
{
	struct rig *r = *state;

	cardvfs_command("fail write ENOSPC 1");
	poll_now(r);
	assert_int_equal(readings_flush(r->app.readings), 0);
	assert_string_equal(r->app.trouble, "");
	cardvfs_command("heal");
	assert_int_equal(count_readings(r), 0);
	assert_int_equal(readings_settle(r->app.readings), 0);
	assert_true(count_readings(r) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(every_bus_is_read, setup, teardown),
		cmocka_unit_test_setup_teardown(an_analog_probe_needs_its_calibration, setup, teardown),
		cmocka_unit_test_setup_teardown(a_count_outside_the_calibration, setup, teardown),
		cmocka_unit_test_setup_teardown(a_flow_sensor_keeps_two_answers_in_a_row, setup, teardown),
		cmocka_unit_test_setup_teardown(readings_the_card_cannot_take_wait_or_are_counted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(readings_wait_in_the_pending_file, setup, teardown),
	};

	return cmocka_run_group_tests_name("readings", tests, NULL, NULL);
}
