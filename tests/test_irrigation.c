/* Pump runs on the simulator with a manual clock: relays off at start,
 * every run ends, limits refused in words, power cuts closed. */
#include "testlib.h"

#include "app.h"
#include "clock.h"
#include "config.h"
#include "irrigation.h"
#include "loop.h"
#include "relay.h"
#include "sim_farm.h"
#include "store.h"
#include "text.h"

#include <math.h>
#include <sqlite3.h>

static const char farm_ini[] =
	"[station]\ncode = PT01\nmax_pumps_running = 1\n"
	"[zone.mit]\nname = Mít\npump = p1\n"
	"[zone.vusua]\nname = Vú sữa\npump = p2\n"
	"[pump.p1]\nname = Bơm 1\ndriver = sim\npower_kw = 1.5\nmax_minutes = 90\n"
	"[pump.p2]\nname = Bơm 2\ndriver = sim\npower_kw = 1.1\nmax_minutes = 60\n";

struct rig {
	char *dir;
	char db[512];
	struct app app;
};

static int64_t farm_now(void *ctx)
{
	return clock_now_ms(ctx);
}

static void rig_open(struct rig *r)
{
	char err[512];
	struct config *cfg;

	assert_int_equal(config_load(test_write(r->dir, "farm.ini", farm_ini), &cfg, err, sizeof(err)), 0);
	r->app.cfg = cfg;
	assert_int_equal(store_open(r->db, STORE_EXCLUSIVE, &r->app.store, err, sizeof(err)), 0);
	r->app.loop = loop_new();
	r->app.farm = sim_farm_new(1, cfg->n_zones, farm_now, r->app.clock);
	r->app.irrigation = irrigation_new(&r->app, err, sizeof(err));
	assert_non_null(r->app.irrigation);
}

static void rig_close(struct rig *r)
{
	irrigation_free(r->app.irrigation);
	sim_farm_free(r->app.farm);
	loop_free(r->app.loop);
	store_close(r->app.store);
	config_free((struct config *)r->app.cfg);
	r->app.irrigation = NULL;
}

static int setup(void **state)
{
	struct rig *r = calloc(1, sizeof(*r));

	text_init("en");
	r->dir = test_mkdir();
	snprintf(r->db, sizeof(r->db), "%s/station.db", r->dir);
	r->app.clock = clock_new_manual(1780290000);	/* 1 June 2026 */
	rig_open(r);
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	struct rig *r = *state;

	if (r->app.irrigation)
		rig_close(r);
	clock_free(r->app.clock);
	test_rmdir(r->dir);
	free(r);
	return 0;
}

static bool watering(struct rig *r, int zone)
{
	return sim_farm_watering(r->app.farm, zone);
}

static void a_run_ends_on_time(void **state)
{
	struct rig *r = *state;
	char why[256] = "";
	int64_t until;

	assert_false(watering(r, 0));
	assert_int_equal(irrigation_start(r->app.irrigation, 0, 30, RUN_MANUAL, NULL, why, sizeof(why)), 0);
	assert_true(watering(r, 0));
	assert_true(irrigation_running(r->app.irrigation, 0, &until));
	assert_int_equal(until, clock_now(r->app.clock) + 30 * 60);
	clock_advance(r->app.clock, 29 * 60 * 1000);
	irrigation_tick(r->app.irrigation);
	assert_true(watering(r, 0));
	clock_advance(r->app.clock, 60 * 1000);
	irrigation_tick(r->app.irrigation);
	assert_false(watering(r, 0));
	assert_false(irrigation_running(r->app.irrigation, 0, NULL));
	assert_int_equal(irrigation_running_count(r->app.irrigation), 0);
}

static void stop_by_hand(void **state)
{
	struct rig *r = *state;
	char why[256];
	struct run_row open[2];

	assert_int_equal(irrigation_start(r->app.irrigation, 1, 20, RUN_MANUAL, NULL, why, sizeof(why)), 0);
	assert_int_equal(store_runs_open(r->app.store, open, 2), 1);
	clock_advance(r->app.clock, 5 * 60 * 1000);
	assert_int_equal(irrigation_stop(r->app.irrigation, 1, "by_hand"), 0);
	assert_false(watering(r, 1));
	assert_int_equal(store_runs_open(r->app.store, open, 2), 0);
}

static void limits_are_refused_in_words(void **state)
{
	struct rig *r = *state;
	char why[256];

	assert_int_equal(irrigation_start(r->app.irrigation, 0, 0, RUN_MANUAL, NULL, why, sizeof(why)), IRR_REFUSED);
	assert_string_equal(why, "Bơm 1 may run 1 to 90 minutes.");
	assert_int_equal(irrigation_start(r->app.irrigation, 0, 91, RUN_MANUAL, NULL, why, sizeof(why)), IRR_REFUSED);
	assert_false(watering(r, 0));
	assert_int_equal(irrigation_start(r->app.irrigation, 0, 10, RUN_MANUAL, NULL, why, sizeof(why)), 0);
	assert_int_equal(irrigation_start(r->app.irrigation, 0, 10, RUN_MANUAL, NULL, why, sizeof(why)), IRR_REFUSED);
	assert_string_equal(why, "Bơm 1 is already running.");
	/* The shed's supply carries one pump at a time. */
	assert_int_equal(irrigation_start(r->app.irrigation, 1, 10, RUN_MANUAL, NULL, why, sizeof(why)), IRR_REFUSED);
	assert_non_null(strstr(why, "Only 1 pump may run at once"));
	assert_false(watering(r, 1));
	assert_int_equal(irrigation_start(r->app.irrigation, 7, 10, RUN_MANUAL, NULL, why, sizeof(why)), IRR_REFUSED);
}

static void shutdown_turns_everything_off_and_closes_runs(void **state)
{
	struct rig *r = *state;
	char why[256];
	struct run_row open[2];

	assert_int_equal(irrigation_start(r->app.irrigation, 0, 60, RUN_MANUAL, NULL, why, sizeof(why)), 0);
	irrigation_free(r->app.irrigation);
	r->app.irrigation = NULL;
	assert_false(watering(r, 0));
	assert_int_equal(store_runs_open(r->app.store, open, 2), 0);
	char err[256];
	r->app.irrigation = irrigation_new(&r->app, err, sizeof(err));
	assert_int_equal(irrigation_power_cut_report(r->app.irrigation, why, sizeof(why)), 0);
}

static void power_cut_run_is_closed_after_restart(void **state)
{
	struct rig *r = *state;
	char why[256], err[256];
	struct run_row run = { .reason = RUN_MANUAL }, open[2];
	int64_t t0 = clock_now(r->app.clock);

	rig_close(r);
	/* What a power cut leaves: a run with no end, and the last sign of
	 * life ten minutes into it. */
	assert_int_equal(store_open(r->db, 0, &r->app.store, err, sizeof(err)), 0);
	snprintf(run.pump, sizeof(run.pump), "p1");
	run.started = t0;
	run.planned_end = t0 + 3600;
	assert_int_equal(store_run_begin(r->app.store, &run), 0);
	assert_int_equal(store_event(r->app.store, t0 + 600, "alive", NULL, NULL, false), 0);
	store_close(r->app.store);
	clock_advance(r->app.clock, 2 * 3600 * 1000);
	rig_open(r);
	assert_false(watering(r, 0));
	assert_int_equal(irrigation_power_cut_report(r->app.irrigation, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "Bơm 1 was running when the power failed"));
	assert_int_equal(store_runs_open(r->app.store, open, 2), 0);
	/* Closed at the last moment the station was known alive. */
	sqlite3 *db;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open(r->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT ended, end_reason FROM pump_runs", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(st, 0), t0 + 600);
	assert_string_equal((const char *)sqlite3_column_text(st, 1), "power_cut");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_run_ends_on_time, setup, teardown),
		cmocka_unit_test_setup_teardown(stop_by_hand, setup, teardown),
		cmocka_unit_test_setup_teardown(limits_are_refused_in_words, setup, teardown),
		cmocka_unit_test_setup_teardown(shutdown_turns_everything_off_and_closes_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(power_cut_run_is_closed_after_restart, setup, teardown),
	};

	return cmocka_run_group_tests_name("irrigation", tests, NULL, NULL);
}
