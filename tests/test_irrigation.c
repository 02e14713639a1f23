/* Pump runs on the simulator with a manual clock and soil moisture set by
 * the test: every way a run ends, the diary's energy and cost, the limit
 * on pumps at once, schedules and peak hours, watering by moisture, the
 * alarm when water does not arrive, power cuts. */
#include "testlib.h"
#include "cardvfs.h"
#include "storefault.h"

#include "alarms.h"
#include "app.h"
#include "clock.h"
#include "config.h"
#include "irrigation.h"
#include "loop.h"
#include "readings.h"
#include "relay.h"
#include "savings.h"
#include "schedule.h"
#include "sim_farm.h"
#include "station.h"
#include "store.h"
#include "text.h"

#include <math.h>
#include <sqlite3.h>
#include <sys/stat.h>

/* In place of the poller's answers (-Wl,--wrap in the Makefile: the
 * station's core links the real poller). */
double __wrap_readings_zone_moisture(const struct readings *r, int zone, int64_t *t);
const struct sensor_state *__wrap_readings_sensor(const struct readings *r, int sensor);

/* Soil moisture as the test says, in place of the sensors; NAN (no
 * reading) unless a test sets it. */
static double moisture[8];
static char fake_readings;

double __wrap_readings_zone_moisture(const struct readings *r, int zone, int64_t *t)
{
	(void)r;
	if (t)
		*t = 0;
	return zone >= 0 && zone < 8 ? moisture[zone] : NAN;
}

/* The pressure and flow sensors' answers, as the test says. */
static struct sensor_state line_sensor[2];
enum { FLOW1, PR3 };

const struct sensor_state *__wrap_readings_sensor(const struct readings *r, int sensor)
{
	(void)r;
	return &line_sensor[sensor];
}

static const char farm_ini[] =
	"[station]\ncode = PT01\nmax_pumps_running = 1\n"
	"[tariff]\nprice_offpeak = 1300\nprice_normal = 2000\nprice_peak = 3600\n"
	"[tariff.tt16]\nfrom = 2014-01-01\npeak = mon-sat 09:30-11:30 17:00-20:00\n"
	"offpeak = all 22:00-04:00\n"
	"[tariff.qd963]\nfrom = 2026-05-01\npeak = mon-sat 17:30-22:30\noffpeak = all 00:00-06:00\n"
	"[zone.mit]\nname = Mít\npump = p1\nmoisture_low = 30\nmoisture_high = 45\n"
	"moisture_critical = 20\nrise_percent = 2\nrise_minutes = 20\nrest_minutes = 60\n"
	"[zone.vusua]\nname = Vú sữa\npump = p2\n"
	"[zone.rau]\nname = Rau\n"
	"[zone.tieu]\nname = Tiêu\npump = p3\n"
	"[sensor.flow1]\ndriver = sim\nmodel = flow\n"
	"[sensor.pr3]\ndriver = sim\nmodel = pressure\n"
	"[pump.p1]\nname = Bơm 1\ndriver = sim\npower_kw = 1.5\nmax_minutes = 90\n"
	"flow_sensor = flow1\nmin_flow = 20\n"
	"[pump.p2]\nname = Bơm 2\ndriver = sim\npower_kw = 1.1\nmax_minutes = 60\n"
	"[pump.p3]\nname = Bơm 3\ndriver = sim\npower_kw = 2.2\nmax_minutes = 720\n"
	"pressure_sensor = pr3\nmin_pressure = 1.0\nflow_grace_seconds = 120\n";

enum { MIT, VUSUA, RAU, TIEU };
enum { P1, P2, P3 };

struct rig {
	char *dir;
	char db[512];
	struct app app;
	char ini[4096];		/* the farm's configuration */
};

static time_t at(int y, int mo, int d, int h, int mi)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
			 .tm_min = mi, .tm_isdst = -1 };

	return mktime(&tm);
}

static void rig_open(struct rig *r)
{
	char err[512];
	struct config *cfg;

	assert_int_equal(config_load(test_write(r->dir, "farm.ini", r->ini), &cfg, err, sizeof(err)), 0);
	r->app.cfg = cfg;
	r->app.db_path = r->db;
	r->app.readings = (struct readings *)&fake_readings;
	if (station_open(&r->app, STATION_IRRIGATION, err, sizeof(err)) < 0)
		fail_msg("station_open: %s", err);
}

static void rig_close(struct rig *r)
{
	station_close(&r->app);
	config_free((struct config *)r->app.cfg);
}

static struct rig *rig_new_with(time_t start, const char *more)
{
	struct rig *r = calloc(1, sizeof(*r));

	snprintf(r->ini, sizeof(r->ini), "%s%s", farm_ini, more);

	text_init("en");
	for (int z = 0; z < 8; z++)
		moisture[z] = NAN;
	memset(line_sensor, 0, sizeof(line_sensor));
	assert_int_equal(cardvfs_install(), 0);
	cardvfs_command("heal");
	r->dir = test_mkdir();
	snprintf(r->db, sizeof(r->db), "%s/station.db", r->dir);
	r->app.clock = clock_new_manual(start);
	rig_open(r);
	return r;
}

static struct rig *rig_new(time_t start)
{
	return rig_new_with(start, "");
}

/* Monday 1 June 2026, 05:00: off-peak until 06:00 under the 2026 windows. */
static int setup(void **state)
{
	*state = rig_new(at(2026, 6, 1, 5, 0));
	return 0;
}

/* Pump 4 with a pulse meter in its line (450 pulses a litre, 40 l/min on
 * the simulator), and what the meter does wrong, if anything. */
#define METERED \
	"[zone.dua]\nname = Dưa\npump = p4\nrise_percent = 0\n" \
	"[pump.p4]\nname = Bơm 4\ndriver = sim\npower_kw = 0.75\nmax_minutes = 120\n" \
	"meter = m4\nmin_flow = 20\n" \
	"[meter.m4]\nname = Đồng hồ 4\npulses_per_litre = 450\n"
enum { DUA = 4 };
enum { P4 = 3 };

static int setup_metered(void **state)
{
	*state = rig_new_with(at(2026, 6, 1, 5, 0), METERED "driver = sim\n");
	return 0;
}

static int setup_dry_meter(void **state)
{
	*state = rig_new_with(at(2026, 6, 1, 5, 0), METERED "driver = sim\nsim_fault = no_water\n");
	return 0;
}

static int setup_noisy_meter(void **state)
{
	*state = rig_new_with(at(2026, 6, 1, 5, 0), METERED "driver = sim\nsim_fault = noise\n");
	return 0;
}

static int setup_missing_meter(void **state)
{
	*state = rig_new_with(at(2026, 6, 1, 5, 0),
			      METERED "driver = gpiod\nchip = nochip\nline = 3\n");
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

static time_t now(struct rig *r)
{
	return clock_now(r->app.clock);
}

/* Let station time pass minute by minute, as the loop's timer would. */
static void pass_minutes(struct rig *r, int minutes)
{
	for (int i = 0; i < minutes; i++) {
		clock_advance(r->app.clock, 60 * 1000);
		irrigation_tick(r->app.irrigation);
	}
}

static void pass_until(struct rig *r, time_t t)
{
	while (now(r) < t) {
		clock_advance(r->app.clock, 60 * 1000);
		irrigation_tick(r->app.irrigation);
	}
}

/* The clock is set delta seconds on, as clockset_apply() does it. */
static void set_clock(struct rig *r, long long delta)
{
	bool system;

	assert_int_equal(clock_set(r->app.clock, (int64_t)(now(r) + delta) * 1000, &system), 0);
	irrigation_clock_set(r->app.irrigation, delta);
}

static bool watering(struct rig *r, int zone)
{
	return sim_farm_watering(r->app.farm, zone);
}

/* The newest run in the diary. */
static struct run_row last_run(struct rig *r)
{
	struct run_row row;
	int total = 0;

	assert_int_equal(store_runs_page(r->app.store, 0, &row, 1, &total), 1);
	return row;
}

static int count_sql(struct rig *r, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int n;

	assert_int_equal(sqlite3_open(r->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void near(double a, double b)
{
	if (fabs(a - b) > 1e-6)
		fail_msg("%f is not %f", a, b);
}

static void a_run_ends_on_time_with_its_energy_and_cost(void **state)
{
	struct rig *r = *state;
	char why[256] = "";
	int64_t until;
	struct run_row run;

	moisture[MIT] = 35;
	assert_false(watering(r, MIT));
	assert_int_equal(irrigation_start(r->app.irrigation, P1, 30, RUN_MANUAL, "Ba Tư", why, sizeof(why)), 0);
	assert_true(watering(r, MIT));
	assert_true(irrigation_running(r->app.irrigation, P1, &until));
	assert_int_equal(until, now(r) + 30 * 60);
	pass_minutes(r, 10);
	moisture[MIT] = 38;
	pass_minutes(r, 19);
	assert_true(watering(r, MIT));
	pass_minutes(r, 1);
	assert_false(watering(r, MIT));
	assert_false(irrigation_running(r->app.irrigation, P1, NULL));
	run = last_run(r);
	assert_string_equal(run.end_reason, "done");
	assert_string_equal(run.pump, "p1");
	assert_string_equal(run.zone, "mit");
	assert_string_equal(run.who, "Ba Tư");
	assert_int_equal(run.reason, RUN_MANUAL);
	assert_int_equal(run.ended - run.started, 30 * 60);
	near(run.moisture_before, 35);
	near(run.moisture_after, 38);
	/* 30 minutes at 1.5 kW, all off-peak (before 06:00). */
	near(run.kwh[BAND_OFFPEAK], 0.75);
	near(run.kwh[BAND_NORMAL], 0);
	near(run.cost[BAND_OFFPEAK], 0.75 * 1300);
	near(run.cost[BAND_NORMAL] + run.cost[BAND_PEAK], 0);
	near(run.cost_at_peak, 0.75 * 3600);
}

static void a_run_across_bands_is_split(void **state)
{
	struct rig *r = *state;
	char why[256];
	struct run_row run;

	/* 05:40 to 06:20: 20 minutes off-peak, 20 normal. */
	pass_minutes(r, 40);
	assert_int_equal(irrigation_start(r->app.irrigation, P1, 40, RUN_MANUAL, NULL, why, sizeof(why)), 0);
	pass_minutes(r, 40);
	run = last_run(r);
	near(run.kwh[BAND_OFFPEAK], 0.5);
	near(run.kwh[BAND_NORMAL], 0.5);
	near(run.cost[BAND_OFFPEAK], 0.5 * 1300);
	near(run.cost[BAND_NORMAL], 0.5 * 2000);
}

static void stop_by_hand(void **state)
{
	struct rig *r = *state;
	char why[256];
	struct run_row open[2];

	assert_int_equal(irrigation_start(r->app.irrigation, P2, 20, RUN_MANUAL, NULL, why, sizeof(why)), 0);
	assert_int_equal(store_runs_open(r->app.store, open, 2), 1);
	pass_minutes(r, 5);
	assert_int_equal(irrigation_stop(r->app.irrigation, P2, "by_hand"), 0);
	assert_false(watering(r, VUSUA));
	assert_int_equal(store_runs_open(r->app.store, open, 2), 0);
	assert_string_equal(last_run(r).end_reason, "by_hand");
	assert_int_equal(last_run(r).ended - last_run(r).started, 5 * 60);
}

static void limits_are_refused_in_words(void **state)
{
	struct rig *r = *state;
	char why[256];

	assert_int_equal(irrigation_start(r->app.irrigation, P1, 0, RUN_MANUAL, NULL, why, sizeof(why)), IRR_REFUSED);
	assert_string_equal(why, "Bơm 1 may run 1 to 90 minutes.");
	assert_int_equal(irrigation_start(r->app.irrigation, P1, 91, RUN_MANUAL, NULL, why, sizeof(why)), IRR_REFUSED);
	assert_false(watering(r, MIT));
	assert_int_equal(irrigation_check_start(r->app.irrigation, P1, 10, why, sizeof(why)), 0);
	assert_int_equal(irrigation_start(r->app.irrigation, P1, 10, RUN_MANUAL, NULL, why, sizeof(why)), 0);
	assert_int_equal(irrigation_start(r->app.irrigation, P1, 10, RUN_MANUAL, NULL, why, sizeof(why)), IRR_REFUSED);
	assert_string_equal(why, "Bơm 1 is already running.");
	/* The shed's supply carries one pump at a time. */
	assert_int_equal(irrigation_check_start(r->app.irrigation, P2, 10, why, sizeof(why)), IRR_REFUSED);
	assert_int_equal(irrigation_start(r->app.irrigation, P2, 10, RUN_MANUAL, NULL, why, sizeof(why)), IRR_REFUSED);
	assert_string_equal(why, "Only 1 pump may run at once: the shed's power supply cannot carry more.");
	assert_false(watering(r, VUSUA));
	assert_int_equal(irrigation_start(r->app.irrigation, 7, 10, RUN_MANUAL, NULL, why, sizeof(why)), IRR_REFUSED);
	assert_int_equal(count_sql(r, "SELECT count(*) FROM pump_runs"), 1);
}

static void shutdown_turns_everything_off_and_closes_runs(void **state)
{
	struct rig *r = *state;
	char why[256], err[256];
	struct run_row open[2];

	assert_int_equal(irrigation_start(r->app.irrigation, P1, 60, RUN_MANUAL, NULL, why, sizeof(why)), 0);
	irrigation_free(r->app.irrigation);
	r->app.irrigation = NULL;
	assert_false(watering(r, MIT));
	assert_int_equal(store_runs_open(r->app.store, open, 2), 0);
	assert_string_equal(last_run(r).end_reason, "shutdown");
	r->app.irrigation = irrigation_new(&r->app, err, sizeof(err));
	irrigation_resume(r->app.irrigation);
	/* A stop is not a power cut: no alarm says so. */
	assert_int_equal(count_sql(r, "SELECT count(*) FROM events WHERE kind = 'run_cut'"), 0);
}

/* A copy of the database as a power cut would leave it: taken while the
 * station runs, with no chance to close anything. */
static void snapshot(struct rig *r, const char *to)
{
	char sql[1100];
	sqlite3 *db;

	snprintf(sql, sizeof(sql), "VACUUM INTO '%s'", to);
	assert_int_equal(sqlite3_open(r->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* Pump 1 runs 23 minutes of an hour, and the power goes: the database as
 * the cut left it, the station closed, its clock two hours on. */
static void cut_in_a_run(struct rig *r)
{
	char why[256], cut[520];

	assert_int_equal(irrigation_start(r->app.irrigation, P1, 60, RUN_MANUAL, NULL, why, sizeof(why)), 0);
	pass_minutes(r, 23);
	snprintf(cut, sizeof(cut), "%s/cut.db", r->dir);
	snapshot(r, cut);
	rig_close(r);
	rename(cut, r->db);
	clock_advance(r->app.clock, 2 * 3600 * 1000);
}

static void power_cut_run_is_closed_at_its_last_minute(void **state)
{
	struct rig *r = *state;
	char why[256];
	struct run_row run, open[2];
	struct event_row alarm;
	time_t t0 = now(r);

	cut_in_a_run(r);
	/* The station comes back on what the cut left. */
	rig_open(r);
	assert_false(watering(r, MIT));
	/* The alarm the home screen shows until it is acknowledged. */
	assert_int_equal(store_alarms_list(r->app.store, &alarm, 1), 1);
	alarm_text(r->app.cfg, &alarm, why, sizeof(why));
	assert_non_null(strstr(why, "Bơm 1 was running when the power failed"));
	assert_int_equal(store_runs_open(r->app.store, open, 2), 0);
	run = last_run(r);
	assert_string_equal(run.end_reason, "power_cut");
	/* Its last heartbeat: the minute before the cut, not its start and
	 * not its planned end. */
	assert_int_equal(run.ended, t0 + 23 * 60);
	near(run.kwh[BAND_OFFPEAK], 1.5 * 23 / 60);
	assert_int_equal(count_sql(r, "SELECT count(*) FROM events WHERE kind = 'run_cut' AND alarm AND acked IS NULL"), 1);
}

/* Every connection opened from now on reads pump_runs through this
 * fault: the station starts on a card that will not give its runs. */
static struct store_fault runs_fault;

static int runs_unreadable(sqlite3 *db, char **msg, const struct sqlite3_api_routines *api)
{
	(void)msg;
	(void)api;
	runs_fault = (struct store_fault){ .name = "pump_runs", .what = FAULT_READ };
	sqlite3_set_authorizer(db, store_fault_auth, &runs_fault);
	return SQLITE_OK;
}

/* The open runs cannot be read when the station comes back: it says so,
 * keeps its relays off, and closes them, with their alarm, at the first
 * minute the card gives them. */
static void a_cut_run_the_card_hides_is_closed_when_it_reads(void **state)
{
	struct rig *r = *state;
	struct run_row open[2];
	char why[256];
	time_t t0 = now(r);

	cut_in_a_run(r);
	sqlite3_auto_extension((void (*)(void))runs_unreadable);
	rig_open(r);
	sqlite3_cancel_auto_extension((void (*)(void))runs_unreadable);
	assert_true(runs_fault.refused > 0);
	assert_false(watering(r, MIT));
	assert_string_equal(r->app.trouble,
			    "The irrigation diary cannot be read: the pump runs a power cut left open are closed once the memory card reads again.");
	/* Still unreadable a minute later: still said, nothing written. */
	pass_minutes(r, 1);
	assert_string_equal(r->app.trouble,
			    "The irrigation diary cannot be read: the pump runs a power cut left open are closed once the memory card reads again.");
	store_fault_clear(r->app.store);
	assert_int_equal(store_runs_open(r->app.store, open, 2), 1);
	assert_int_equal(count_sql(r, "SELECT count(*) FROM events WHERE kind = 'run_cut'"), 0);
	/* Meanwhile pump 2 is started by hand: this station's own run, with
	 * its own heartbeats, after the cut. */
	assert_int_equal(irrigation_start(r->app.irrigation, P2, 30, RUN_MANUAL, NULL, why, sizeof(why)), 0);
	/* The card reads again: the next minute closes the cut run at its
	 * last heartbeat before the cut, with its alarm, and the line goes;
	 * pump 2's run goes on. */
	pass_minutes(r, 3);
	assert_int_equal(store_runs_open(r->app.store, open, 2), 1);
	assert_string_equal(open[0].pump, "p2");
	assert_true(watering(r, VUSUA));
	snprintf(why, sizeof(why), "SELECT count(*) FROM pump_runs WHERE pump = 'p1'"
		 " AND end_reason = 'power_cut' AND ended = %lld", (long long)(t0 + 23 * 60));
	assert_int_equal(count_sql(r, why), 1);
	assert_int_equal(count_sql(r, "SELECT count(*) FROM events WHERE kind = 'run_cut' AND alarm"), 1);
	assert_string_equal(r->app.trouble, "");
	assert_false(watering(r, MIT));
}

static void idle_station_writes_no_heartbeat(void **state)
{
	struct rig *r = *state;

	pass_minutes(r, 30);
	/* Nothing ran, nothing was written: no events, no runs. */
	assert_int_equal(count_sql(r, "SELECT count(*) FROM events"), 0);
	assert_int_equal(count_sql(r, "SELECT count(*) FROM pump_runs"), 0);
}

static void a_failing_relay_turns_everything_off(void **state)
{
	struct rig *r = *state;
	char why[256];

	sim_farm_break_relay(r->app.farm, MIT, true);
	assert_int_equal(irrigation_start(r->app.irrigation, P1, 10, RUN_MANUAL, NULL, why, sizeof(why)), IRR_FAILED);
	assert_string_equal(why, "The relay of Bơm 1 does not answer: every pump is switched off.");
	assert_false(watering(r, MIT));
	assert_int_equal(irrigation_running_count(r->app.irrigation), 0);
	assert_string_equal(last_run(r).end_reason, "relay_error");
	assert_int_equal(count_sql(r, "SELECT count(*) FROM events WHERE kind = 'relay_error' AND source = 'p1' AND alarm"), 1);
}

/* The clock is set two hours forward while a pump runs: the pump still
 * runs its 30 minutes, and the diary tells them by the right clock. */
static void a_run_keeps_its_minutes_when_the_clock_is_set(void **state)
{
	struct rig *r = *state;
	char why[256];
	struct run_row run;

	assert_int_equal(irrigation_start(r->app.irrigation, P1, 30, RUN_MANUAL, NULL, why, sizeof(why)), 0);
	pass_minutes(r, 10);
	set_clock(r, 2 * 3600);
	irrigation_tick(r->app.irrigation);
	assert_true(watering(r, MIT));
	assert_true(irrigation_run(r->app.irrigation, P1, &run));
	assert_int_equal(run.started, at(2026, 6, 1, 7, 0));
	pass_minutes(r, 19);
	assert_true(watering(r, MIT));
	pass_minutes(r, 1);
	assert_false(watering(r, MIT));
	run = last_run(r);
	assert_int_equal(run.started, at(2026, 6, 1, 7, 0));
	assert_int_equal(run.ended - run.started, 30 * 60);
	/* Five minutes back: the same. */
	assert_int_equal(irrigation_start(r->app.irrigation, P1, 30, RUN_MANUAL, NULL, why, sizeof(why)), 0);
	pass_minutes(r, 10);
	set_clock(r, -5 * 60);
	pass_minutes(r, 20);
	assert_false(watering(r, MIT));
	assert_int_equal(last_run(r).ended - last_run(r).started, 30 * 60);
}

static struct schedule_row sched(const char *zone, int days, int h, int m, int minutes)
{
	struct schedule_row s = { .days = days, .start_min = h * 60 + m, .minutes = minutes };

	snprintf(s.zone, sizeof(s.zone), "%s", zone);
	return s;
}

#define MON (1 << 1)
#define SUN (1 << 0)
#define MON_SAT 0x7e
/* The date jumps under a running pump and nobody has told the station
 * yet (NTP at boot, a technician's `date`): the run still ends after its
 * minutes, forward or back, the soil's rise is awaited for its minutes,
 * and the diary holds the run's true length. */
static void a_run_ends_after_its_minutes_whatever_the_date_does(void **state)
{
	struct rig *r = *state;
	char why[256];
	bool system;

	moisture[MIT] = 30;
	assert_int_equal(irrigation_start(r->app.irrigation, P1, 30, RUN_MANUAL, NULL, why, sizeof(why)), 0);
	pass_minutes(r, 10);
	assert_int_equal(clock_set(r->app.clock, (int64_t)at(2027, 6, 1, 5, 10) * 1000, &system), 0);
	pass_minutes(r, 1);
	assert_true(watering(r, MIT));
	assert_int_equal(count_sql(r, "SELECT count(*) FROM events WHERE kind = 'no_rise'"), 0);
	moisture[MIT] = 33;
	pass_minutes(r, 19);
	assert_false(watering(r, MIT));
	assert_int_equal(last_run(r).ended - last_run(r).started, 30 * 60);
	/* A year back. */
	assert_int_equal(irrigation_start(r->app.irrigation, P1, 20, RUN_MANUAL, NULL, why, sizeof(why)), 0);
	pass_minutes(r, 5);
	assert_int_equal(clock_set(r->app.clock, (int64_t)at(2026, 6, 1, 5, 5) * 1000, &system), 0);
	pass_minutes(r, 14);
	assert_true(watering(r, MIT));
	pass_minutes(r, 1);
	assert_false(watering(r, MIT));
	assert_int_equal(last_run(r).ended - last_run(r).started, 20 * 60);
}

/* The board booted a day behind: no schedule runs, but a pump runs by
 * hand and stops by hand or at its end; once the clock is set, the runs
 * of the wrong day are in the diary when they really ran, priced at
 * their real hours, and the schedule runs again. */
static void a_clock_behind_waits_but_pumps_run_by_hand(void **state)
{
	struct rig *r = *state;
	struct schedule_row s = sched("mit", MON_SAT, 5, 30, 20);
	char why[256];
	struct run_row run;

	assert_int_equal(irrigation_schedule_save(r->app.irrigation, &s, why, sizeof(why)), 0);
	rig_close(r);
	/* Sunday 31 May 05:00 on the board, Monday 1 June in truth. */
	clock_set(r->app.clock, (int64_t)(now(r) - 86400) * 1000, &(bool){ false });
	r->app.clock_behind = true;
	rig_open(r);
	pass_minutes(r, 40);
	assert_false(watering(r, MIT));
	assert_int_equal(count_sql(r, "SELECT count(*) FROM pump_runs"), 0);
	/* 05:40 by the wrong clock: ten minutes by hand, then two and a stop. */
	assert_int_equal(irrigation_start(r->app.irrigation, P1, 10, RUN_MANUAL, "Ba", why, sizeof(why)), 0);
	assert_true(watering(r, MIT));
	pass_minutes(r, 10);
	assert_false(watering(r, MIT));
	assert_int_equal(irrigation_start(r->app.irrigation, P1, 30, RUN_MANUAL, "Ba", why, sizeof(why)), 0);
	pass_minutes(r, 2);
	assert_int_equal(irrigation_stop(r->app.irrigation, P1, "by_hand"), 0);
	assert_false(watering(r, MIT));
	/* Set at 05:52 Monday. */
	r->app.clock_behind = false;
	set_clock(r, 86400);
	run = last_run(r);
	assert_int_equal(run.started, at(2026, 6, 1, 5, 50));
	assert_int_equal(run.ended, at(2026, 6, 1, 5, 52));
	/* Off-peak (Monday's 00:00-06:00): two minutes of 1.5 kW at 1300. */
	near(run.kwh[BAND_OFFPEAK], 0.05);
	near(run.cost[BAND_OFFPEAK], 65);
	assert_int_equal(count_sql(r, "SELECT count(*) FROM pump_runs WHERE started < 1780264800"), 0);
	assert_int_equal(count_sql(r, "SELECT count(*) FROM pump_runs WHERE ended - started = 600"), 1);
	/* The 05:30 schedule is 22 minutes late, within its half hour: it
	 * runs now. */
	irrigation_tick(r->app.irrigation);
	assert_true(watering(r, MIT));
}

static void a_schedule_runs_at_its_time(void **state)
{
	struct rig *r = *state;
	struct schedule_row s = sched("mit", MON_SAT, 5, 30, 20);
	char why[256];
	struct run_row run;

	assert_int_equal(irrigation_schedule_save(r->app.irrigation, &s, why, sizeof(why)), 0);
	assert_true(s.id > 0);
	pass_minutes(r, 29);
	assert_false(watering(r, MIT));
	pass_minutes(r, 1);
	assert_true(watering(r, MIT));
	pass_minutes(r, 20);
	assert_false(watering(r, MIT));
	run = last_run(r);
	assert_int_equal(run.reason, RUN_SCHEDULE);
	assert_int_equal(run.scheduled_for, at(2026, 6, 1, 5, 30));
	assert_int_equal(run.started, at(2026, 6, 1, 5, 30));
	assert_string_equal(run.end_reason, "done");
	/* And again the next day; the station keeps its schedules. */
	rig_close(r);
	rig_open(r);
	pass_until(r, at(2026, 6, 2, 5, 31));
	assert_true(watering(r, MIT));
}

static void a_schedule_in_peak_hours_moves_and_says_so(void **state)
{
	struct rig *r = *state;
	struct schedule_row s = sched("mit", MON, 17, 15, 30);
	struct irr_upcoming u;
	char why[256];
	struct run_row run;

	assert_int_equal(irrigation_schedule_save(r->app.irrigation, &s, why, sizeof(why)), 0);
	/* Seen ahead: asked for 17:15, it will run at 22:30, after the peak
	 * (17:30-22:30 under the 2026 windows). */
	assert_true(irrigation_next_scheduled(r->app.irrigation, &u));
	assert_int_equal(u.zone, MIT);
	assert_int_equal(u.asked, at(2026, 6, 1, 17, 15));
	assert_int_equal(u.at, at(2026, 6, 1, 22, 30));
	assert_true(u.moved);
	pass_until(r, at(2026, 6, 1, 17, 16));
	/* Waiting now, still shown as moved. */
	assert_true(irrigation_next_scheduled(r->app.irrigation, &u));
	assert_int_equal(u.at, at(2026, 6, 1, 22, 30));
	assert_true(u.moved);
	assert_false(watering(r, MIT));
	assert_int_equal(count_sql(r, "SELECT count(*) FROM events WHERE kind = 'schedule_moved' AND source = 'mit'"), 1);
	pass_until(r, at(2026, 6, 1, 22, 29));
	assert_false(watering(r, MIT));
	pass_minutes(r, 1);
	assert_true(watering(r, MIT));
	pass_minutes(r, 30);
	run = last_run(r);
	assert_int_equal(run.started, at(2026, 6, 1, 22, 30));
	assert_int_equal(run.scheduled_for, at(2026, 6, 1, 17, 15));
	near(run.kwh[BAND_PEAK], 0);
}

/* The station is off (a power cut) from 18:00 to 20:00, while the 17:15
 * run waits for the end of peak hours: it still runs at 22:30. */
static void a_moved_run_survives_a_restart(void **state)
{
	struct rig *r = *state;
	struct schedule_row s = sched("mit", MON, 17, 15, 30);
	char why[256], cut[520];

	assert_int_equal(irrigation_schedule_save(r->app.irrigation, &s, why, sizeof(why)), 0);
	pass_until(r, at(2026, 6, 1, 18, 0));
	snprintf(cut, sizeof(cut), "%s/cut.db", r->dir);
	snapshot(r, cut);
	rig_close(r);
	rename(cut, r->db);
	clock_advance(r->app.clock, 2 * 3600 * 1000);
	rig_open(r);
	pass_until(r, at(2026, 6, 1, 22, 29));
	assert_false(watering(r, MIT));
	pass_minutes(r, 1);
	assert_true(watering(r, MIT));
	pass_minutes(r, 30);
	assert_int_equal(last_run(r).scheduled_for, at(2026, 6, 1, 17, 15));
	/* Once run, a restart does not run it again. */
	rig_close(r);
	rig_open(r);
	pass_minutes(r, 60);
	assert_int_equal(count_sql(r, "SELECT count(*) FROM pump_runs"), 1);
}

static void runs_the_station_slept_through_are_not_made_up(void **state)
{
	struct rig *r = *state;
	struct schedule_row s = sched("mit", MON, 5, 30, 30);
	char why[256];

	assert_int_equal(irrigation_schedule_save(r->app.irrigation, &s, why, sizeof(why)), 0);
	rig_close(r);
	/* Off from 05:00 to 07:00: the 05:30 run is not made up at 07:00. */
	clock_advance(r->app.clock, 2 * 3600 * 1000);
	rig_open(r);
	pass_minutes(r, 60);
	assert_int_equal(count_sql(r, "SELECT count(*) FROM pump_runs"), 0);
	/* Back at 05:45 (a short cut): still due, it runs at once. */
	rig_close(r);
	clock_advance(r->app.clock, -(int64_t)(now(r) - at(2026, 6, 8, 5, 45)) * 1000);
	rig_open(r);
	irrigation_tick(r->app.irrigation);	/* the loop's first turn */
	assert_true(watering(r, MIT));
	assert_int_equal(last_run(r).scheduled_for, at(2026, 6, 8, 5, 30));
}

static void on_sunday_there_is_no_peak(void **state)
{
	struct rig *r = *state;
	struct schedule_row s = sched("mit", SUN, 17, 45, 30);
	char why[256];

	assert_int_equal(irrigation_schedule_save(r->app.irrigation, &s, why, sizeof(why)), 0);
	pass_until(r, at(2026, 6, 7, 17, 45));	/* Sunday */
	assert_true(watering(r, MIT));
	assert_int_equal(last_run(r).started, at(2026, 6, 7, 17, 45));
}

static void critical_soil_waters_in_peak_hours(void **state)
{
	struct rig *r = *state;
	struct schedule_row s = sched("mit", MON, 18, 0, 30);
	char why[256];

	assert_int_equal(irrigation_schedule_save(r->app.irrigation, &s, why, sizeof(why)), 0);
	pass_until(r, at(2026, 6, 1, 17, 50));
	moisture[MIT] = 18;	/* below its critical 20 % */
	pass_until(r, at(2026, 6, 1, 18, 0));
	assert_true(watering(r, MIT));
	assert_int_equal(last_run(r).started, at(2026, 6, 1, 18, 0));
}

static void a_schedule_waits_for_a_free_pump(void **state)
{
	struct rig *r = *state;
	struct schedule_row s = sched("vusua", MON_SAT, 5, 20, 20);
	char why[256];

	assert_int_equal(irrigation_schedule_save(r->app.irrigation, &s, why, sizeof(why)), 0);
	/* Pump 1 by hand from 05:10 to 05:40; the shed carries one pump. */
	pass_minutes(r, 10);
	assert_int_equal(irrigation_start(r->app.irrigation, P1, 30, RUN_MANUAL, NULL, why, sizeof(why)), 0);
	pass_until(r, at(2026, 6, 1, 5, 21));
	assert_false(watering(r, VUSUA));
	/* Waiting for the pump is not a move by peak hours. */
	struct irr_upcoming u;
	assert_true(irrigation_next_scheduled(r->app.irrigation, &u));
	assert_int_equal(u.asked, at(2026, 6, 1, 5, 20));
	assert_false(u.moved);
	pass_until(r, at(2026, 6, 1, 5, 40));
	assert_false(watering(r, MIT));
	assert_true(watering(r, VUSUA));
	assert_int_equal(last_run(r).scheduled_for, at(2026, 6, 1, 5, 20));
	assert_int_equal(last_run(r).started, at(2026, 6, 1, 5, 40));
}

static void a_schedule_gives_up_after_two_hours(void **state)
{
	struct rig *r = *state;
	struct schedule_row s = sched("vusua", MON_SAT, 5, 5, 20);
	char why[256];

	assert_int_equal(irrigation_schedule_save(r->app.irrigation, &s, why, sizeof(why)), 0);
	/* The well pump runs three hours by hand; the shed carries one pump. */
	assert_int_equal(irrigation_start(r->app.irrigation, P3, 180, RUN_MANUAL, NULL, why, sizeof(why)), 0);
	pass_minutes(r, 124);
	assert_false(watering(r, VUSUA));
	assert_int_equal(count_sql(r, "SELECT count(*) FROM events WHERE kind = 'schedule_skipped'"), 0);
	/* 05:05 to 07:05: two hours of waiting, then it is given up, loudly. */
	pass_minutes(r, 1);
	assert_int_equal(count_sql(r, "SELECT count(*) FROM events WHERE kind = 'schedule_skipped' AND source = 'vusua' AND alarm"), 1);
	pass_minutes(r, 60);
	assert_false(watering(r, VUSUA));
	assert_int_equal(count_sql(r, "SELECT count(*) FROM pump_runs WHERE pump = 'p2'"), 0);
}

static void schedules_refuse_bad_input_in_words(void **state)
{
	struct rig *r = *state;
	struct schedule_row a = sched("mit", MON_SAT, 5, 30, 30), b;
	const struct schedule_row *list;
	char why[256];
	int n;

	assert_int_equal(irrigation_schedule_save(r->app.irrigation, &a, why, sizeof(why)), 0);
	b = sched("mit", MON, 5, 45, 30);
	assert_int_equal(irrigation_schedule_save(r->app.irrigation, &b, why, sizeof(why)), -1);
	assert_string_equal(why, "It overlaps the schedule of Mít (Mon–Sat 05:30, 30 minutes) on the same pump.");
	b = sched("vusua", MON, 5, 45, 30);
	assert_int_equal(irrigation_schedule_save(r->app.irrigation, &b, why, sizeof(why)), -1);
	assert_string_equal(why, "It overlaps the schedule of Mít (Mon–Sat 05:30, 30 minutes): only 1 pump may run at once.");
	b = sched("mit", MON, 6, 0, 0);
	assert_int_equal(irrigation_schedule_save(r->app.irrigation, &b, why, sizeof(why)), -1);
	assert_string_equal(why, "Bơm 1 may run 1 to 90 minutes.");
	b = sched("mit", MON, 6, 0, 91);
	assert_int_equal(irrigation_schedule_save(r->app.irrigation, &b, why, sizeof(why)), -1);
	b = sched("rau", MON, 6, 0, 10);
	assert_int_equal(irrigation_schedule_save(r->app.irrigation, &b, why, sizeof(why)), -1);
	assert_string_equal(why, "Rau has no pump in the configuration.");
	b = sched("mit", 0, 6, 0, 10);
	assert_int_equal(irrigation_schedule_save(r->app.irrigation, &b, why, sizeof(why)), -1);
	assert_string_equal(why, "Choose at least one day.");
	list = irrigation_schedules(r->app.irrigation, &n);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].start_min, 5 * 60 + 30);
	/* Nothing refused ever started. */
	pass_minutes(r, 29);
	assert_int_equal(count_sql(r, "SELECT count(*) FROM pump_runs"), 0);
	/* An edit does not overlap itself; a deleted schedule does not run. */
	a.start_min = 5 * 60 + 40;
	assert_int_equal(irrigation_schedule_save(r->app.irrigation, &a, why, sizeof(why)), 0);
	assert_int_equal(irrigation_schedule_delete(r->app.irrigation, a.id, why, sizeof(why)), 0);
	pass_minutes(r, 30);
	assert_int_equal(count_sql(r, "SELECT count(*) FROM pump_runs"), 0);
	assert_int_equal(count_sql(r, "SELECT count(*) FROM schedules"), 0);
}

static void moisture_starts_below_low_and_stops_at_high(void **state)
{
	struct rig *r = *state;
	struct run_row run;

	assert_int_equal(irrigation_set_by_moisture(r->app.irrigation, MIT, true), 0);
	pass_minutes(r, 5);
	assert_false(watering(r, MIT));
	moisture[MIT] = 29;
	pass_minutes(r, 1);
	assert_true(watering(r, MIT));
	assert_true(irrigation_run(r->app.irrigation, P1, &run));
	assert_int_equal(run.reason, RUN_MOISTURE);
	/* The longest allowed run: the pump's 90 minutes, all before peak. */
	assert_int_equal(run.planned_end - run.started, 90 * 60);
	moisture[MIT] = 40;
	pass_minutes(r, 10);
	assert_true(watering(r, MIT));
	moisture[MIT] = 45.2;
	pass_minutes(r, 1);
	assert_false(watering(r, MIT));
	run = last_run(r);
	assert_string_equal(run.end_reason, "moisture_high");
	near(run.moisture_before, 29);
	near(run.moisture_after, 45.2);
}

static void moisture_run_ends_at_its_longest(void **state)
{
	struct rig *r = *state;

	irrigation_set_by_moisture(r->app.irrigation, MIT, true);
	moisture[MIT] = 25;
	pass_minutes(r, 1);
	assert_true(watering(r, MIT));
	moisture[MIT] = 28;	/* wetter, never enough */
	pass_minutes(r, 90);
	assert_false(watering(r, MIT));
	assert_string_equal(last_run(r).end_reason, "done");
	/* Still dry: the zone rests an hour before the next try. */
	pass_minutes(r, 59);
	assert_false(watering(r, MIT));
	pass_minutes(r, 1);
	assert_true(watering(r, MIT));
}

static void moisture_keeps_out_of_peak_unless_critical(void **state)
{
	struct rig *r = *state;
	struct run_row run;

	irrigation_set_by_moisture(r->app.irrigation, MIT, true);
	/* 16:30 on a Monday: the run is planned to stop as peak begins. */
	pass_until(r, at(2026, 6, 1, 16, 30));
	moisture[MIT] = 27;
	pass_minutes(r, 1);
	assert_true(irrigation_run(r->app.irrigation, P1, &run));
	assert_int_equal(run.planned_end, at(2026, 6, 1, 17, 30));
	moisture[MIT] = 29.5;
	pass_until(r, at(2026, 6, 1, 17, 30));
	assert_false(watering(r, MIT));
	assert_string_equal(last_run(r).end_reason, "peak");
	/* Dry in peak hours: it waits... */
	pass_until(r, at(2026, 6, 1, 19, 0));
	assert_false(watering(r, MIT));
	/* ...unless the soil falls below its critical level. */
	moisture[MIT] = 19.5;
	pass_minutes(r, 1);
	assert_true(irrigation_run(r->app.irrigation, P1, &run));
	assert_int_equal(run.planned_end - run.started, 90 * 60);
	moisture[MIT] = 46;
	pass_minutes(r, 1);
	assert_false(watering(r, MIT));
}

static void moisture_watering_off_stays_off(void **state)
{
	struct rig *r = *state;

	moisture[MIT] = 25;
	pass_minutes(r, 5);
	assert_false(watering(r, MIT));
	irrigation_set_by_moisture(r->app.irrigation, MIT, true);
	assert_true(watering(r, MIT));
	/* Off means off: the automatic run stops, and it stays off after a
	 * restart. */
	irrigation_set_by_moisture(r->app.irrigation, MIT, false);
	assert_false(watering(r, MIT));
	rig_close(r);
	rig_open(r);
	assert_false(irrigation_by_moisture(r->app.irrigation, MIT));
	pass_minutes(r, 70);
	assert_false(watering(r, MIT));
}

static void water_that_does_not_wet_the_soil_raises_an_alarm(void **state)
{
	struct rig *r = *state;
	struct event_row alarms[4];
	char why[256];

	moisture[MIT] = 31;
	assert_int_equal(irrigation_start(r->app.irrigation, P1, 60, RUN_MANUAL, NULL, why, sizeof(why)), 0);
	moisture[MIT] = 32.5;	/* not the 2 points asked for */
	pass_minutes(r, 19);
	assert_true(watering(r, MIT));
	pass_minutes(r, 1);
	assert_false(watering(r, MIT));
	assert_string_equal(last_run(r).end_reason, "no_rise");
	assert_int_equal(store_alarms_list(r->app.store, alarms, 4), 1);
	assert_string_equal(alarms[0].kind, "no_rise");
	assert_string_equal(alarms[0].source, "mit");
	assert_string_equal(alarms[0].detail, "p1;31.0;32.5;20");
	/* Automatic watering of the zone waits for the acknowledgement. */
	irrigation_set_by_moisture(r->app.irrigation, MIT, true);
	moisture[MIT] = 25;
	pass_minutes(r, 120);
	assert_false(watering(r, MIT));
	assert_int_equal(store_alarm_ack(r->app.store, alarms[0].id, now(r)), 0);
	assert_int_equal(store_alarms_list(r->app.store, alarms, 4), 0);
	pass_minutes(r, 1);
	assert_true(watering(r, MIT));
}

static void a_good_run_raises_no_alarm(void **state)
{
	struct rig *r = *state;
	char why[256];

	moisture[MIT] = 31;
	assert_int_equal(irrigation_start(r->app.irrigation, P1, 40, RUN_MANUAL, NULL, why, sizeof(why)), 0);
	pass_minutes(r, 10);
	moisture[MIT] = 33.1;
	pass_minutes(r, 30);
	assert_string_equal(last_run(r).end_reason, "done");
	assert_int_equal(count_sql(r, "SELECT count(*) FROM events WHERE alarm"), 0);
	/* Without a reading there is nothing to judge: no alarm either. */
	moisture[MIT] = NAN;
	assert_int_equal(irrigation_start(r->app.irrigation, P1, 40, RUN_MANUAL, NULL, why, sizeof(why)), 0);
	pass_minutes(r, 40);
	assert_int_equal(count_sql(r, "SELECT count(*) FROM events WHERE alarm"), 0);
}

/* A poll of a line sensor answered now with v (as src/readings.c keeps
 * it: the answer before stays beside it when that poll was answered). */
static void line_reads(struct rig *r, int sensor, enum quantity q, double v)
{
	struct sensor_state *st = &line_sensor[sensor];

	st->prev_t = st->status == SENSOR_OK ? st->t : 0;
	memcpy(st->prev_value, st->value, sizeof(st->value));
	memcpy(st->prev_has, st->has, sizeof(st->has));
	st->status = SENSOR_OK;
	st->t = now(r);
	st->value[q] = v;
	st->has[q] = true;
}

static void line_lost(int sensor)
{
	line_sensor[sensor].status = SENSOR_LOST;
	line_sensor[sensor].failures++;
}

/* A minute passes: the sensor is polled as it begins, then the loop's
 * timer looks at the pumps. */
static void minute_reading(struct rig *r, int sensor, enum quantity q, double v)
{
	clock_advance(r->app.clock, 60 * 1000);
	line_reads(r, sensor, q, v);
	irrigation_tick(r->app.irrigation);
}

static void water_flows_and_the_run_goes_on(void **state)
{
	struct rig *r = *state;
	char why[256];

	moisture[MIT] = 31;
	assert_int_equal(irrigation_start(r->app.irrigation, P1, 30, RUN_MANUAL, NULL, why, sizeof(why)), 0);
	line_reads(r, FLOW1, Q_FLOW, 0);	/* the poll as it started */
	for (int m = 0; m < 29; m++) {
		moisture[MIT] = 31 + 0.2 * m;
		minute_reading(r, FLOW1, Q_FLOW, 38.5);
	}
	assert_true(watering(r, MIT));
	minute_reading(r, FLOW1, Q_FLOW, 38.5);
	assert_false(watering(r, MIT));
	assert_string_equal(last_run(r).end_reason, "done");
	assert_int_equal(count_sql(r, "SELECT count(*) FROM events WHERE alarm"), 0);
	/* Each reading stands for the minute before it: 30 of 38.5 l/min. */
	near(last_run(r).litres, 30 * 38.5);
}

static void no_flow_after_the_grace_stops_the_pump(void **state)
{
	struct rig *r = *state;
	struct event_row alarms[4];
	char why[256], text[512];
	time_t start = now(r);
	struct run_row run;

	moisture[MIT] = 31;
	assert_int_equal(irrigation_start(r->app.irrigation, P1, 60, RUN_MANUAL, NULL, why, sizeof(why)), 0);
	line_reads(r, FLOW1, Q_FLOW, 0);
	moisture[MIT] = 34;	/* the soil would not tell yet */
	/* 05:01: the first reading after the 60 s of grace; one is not two. */
	minute_reading(r, FLOW1, Q_FLOW, 0);
	assert_true(watering(r, MIT));
	/* 05:02: the second in a row. */
	minute_reading(r, FLOW1, Q_FLOW, 0.4);
	assert_false(watering(r, MIT));
	assert_false(irrigation_running(r->app.irrigation, P1, NULL));
	run = last_run(r);
	assert_string_equal(run.end_reason, "no_flow");
	assert_int_equal(run.ended, start + 120);
	assert_string_equal(irrigation_end_label(run.end_reason), "stopped: no water flowed");
	assert_int_equal(store_alarms_list(r->app.store, alarms, 4), 1);
	assert_string_equal(alarms[0].kind, "no_flow");
	assert_string_equal(alarms[0].source, "p1");
	assert_string_equal(alarms[0].detail, "flow1;0.40;20");
	assert_string_equal(alarm_text(r->app.cfg, &alarms[0], text, sizeof(text)),
			    "Bơm 1: no water is flowing (0.4 l/min, at least 20.0 expected): a dry source, a burst pipe or a clogged nozzle? The pump was stopped; automatic watering waits until this is acknowledged.");
	/* Automatic watering of the pump's zone waits for the acknowledgement. */
	irrigation_set_by_moisture(r->app.irrigation, MIT, true);
	moisture[MIT] = 25;
	pass_minutes(r, 120);
	assert_false(watering(r, MIT));
	assert_int_equal(store_alarm_ack(r->app.store, alarms[0].id, now(r)), 0);
	pass_minutes(r, 1);
	assert_true(watering(r, MIT));
}

/* One low reading between good ones, or a low reading after a lost
 * poll, is not two in a row; a lost sensor stops nothing by itself. */
static void a_lost_sensor_or_one_low_reading_stops_nothing(void **state)
{
	struct rig *r = *state;
	char why[256];

	moisture[MIT] = 31;
	assert_int_equal(irrigation_start(r->app.irrigation, P1, 20, RUN_MANUAL, NULL, why, sizeof(why)), 0);
	for (int m = 0; m < 4; m++) {
		minute_reading(r, FLOW1, Q_FLOW, 35);
		minute_reading(r, FLOW1, Q_FLOW, 3);
	}
	for (int m = 0; m < 5; m++) {
		clock_advance(r->app.clock, 60 * 1000);
		line_lost(FLOW1);
		irrigation_tick(r->app.irrigation);
		minute_reading(r, FLOW1, Q_FLOW, 0);
		moisture[MIT] += 1;
	}
	assert_true(watering(r, MIT));
	clock_advance(r->app.clock, 60 * 1000);
	line_lost(FLOW1);
	pass_minutes(r, 1);
	assert_false(watering(r, MIT));
	assert_string_equal(last_run(r).end_reason, "done");
	assert_int_equal(count_sql(r, "SELECT count(*) FROM events WHERE alarm"), 0);
}

/* Pump 3 waits two minutes for its pressure. */
static void no_pressure_after_its_grace_stops_the_pump(void **state)
{
	struct rig *r = *state;
	struct event_row alarms[4];
	char why[256], text[512];
	time_t start = now(r);

	moisture[TIEU] = 31;
	assert_int_equal(irrigation_start(r->app.irrigation, P3, 60, RUN_MANUAL, NULL, why, sizeof(why)), 0);
	line_reads(r, PR3, Q_PRESSURE, 0);
	minute_reading(r, PR3, Q_PRESSURE, 0.2);
	minute_reading(r, PR3, Q_PRESSURE, 0.2);
	assert_true(watering(r, TIEU));
	minute_reading(r, PR3, Q_PRESSURE, 0.3);
	assert_false(watering(r, TIEU));
	assert_string_equal(last_run(r).end_reason, "no_pressure");
	assert_int_equal(last_run(r).ended, start + 180);
	assert_int_equal(store_alarms_list(r->app.store, alarms, 4), 1);
	assert_string_equal(alarms[0].kind, "no_pressure");
	assert_string_equal(alarms[0].source, "p3");
	assert_string_equal(alarms[0].detail, "pr3;0.30;1");
	assert_string_equal(alarm_text(r->app.cfg, &alarms[0], text, sizeof(text)),
			    "Bơm 3: no water pressure (0.3 bar, at least 1.0 expected): a dry source or a burst pipe? The pump was stopped; automatic watering waits until this is acknowledged.");
	/* Pressure that holds lets the next run go on. */
	assert_int_equal(store_alarm_ack(r->app.store, alarms[0].id, now(r)), 0);
	assert_int_equal(irrigation_start(r->app.irrigation, P3, 10, RUN_MANUAL, NULL, why, sizeof(why)), 0);
	for (int m = 0; m < 10; m++)
		minute_reading(r, PR3, Q_PRESSURE, 2.4);
	assert_string_equal(last_run(r).end_reason, "done");
}

static void the_month_adds_up(void **state)
{
	struct rig *r = *state;
	struct runs_total t;
	char why[256];

	/* 30 min off-peak and, on Tuesday 10:00, 60 min normal at 1.1 kW. */
	irrigation_start(r->app.irrigation, P1, 30, RUN_MANUAL, NULL, why, sizeof(why));
	pass_minutes(r, 30);
	pass_until(r, at(2026, 6, 2, 10, 0));
	irrigation_start(r->app.irrigation, P2, 60, RUN_MANUAL, NULL, why, sizeof(why));
	pass_minutes(r, 60);
	assert_int_equal(store_runs_total(r->app.store, at(2026, 6, 1, 0, 0), at(2026, 7, 1, 0, 0), &t), 0);
	assert_int_equal(t.runs, 2);
	assert_int_equal(t.seconds, 90 * 60);
	near(t.kwh[BAND_OFFPEAK], 0.75);
	near(t.kwh[BAND_NORMAL], 1.1);
	near(t.cost[BAND_OFFPEAK], 0.75 * 1300);
	near(t.cost[BAND_NORMAL], 1.1 * 2000);
	near(t.cost[BAND_PEAK], 0);
	near(t.cost_at_peak, (0.75 + 1.1) * 3600);
	/* Both were started by hand: no labour saved yet. */
	assert_int_equal(t.automatic, 0);
	/* A run the schedule started is one nobody had to start. */
	pass_until(r, at(2026, 6, 2, 13, 0));
	assert_int_equal(irrigation_start(r->app.irrigation, P1, 10, RUN_SCHEDULE, NULL, why,
					  sizeof(why)), 0);
	pass_minutes(r, 10);
	assert_int_equal(store_runs_total(r->app.store, at(2026, 6, 1, 0, 0), at(2026, 7, 1, 0, 0), &t), 0);
	assert_int_equal(t.runs, 3);
	assert_int_equal(t.automatic, 1);
	assert_int_equal(store_runs_total(r->app.store, at(2026, 5, 1, 0, 0), at(2026, 6, 1, 0, 0), &t), 0);
	assert_int_equal(t.runs, 0);
	assert_int_equal(t.automatic, 0);
}

/* What watering saved. A finished run put in the diary as the station
 * keeps it: its kWh at the normal price (2 000 đ), the same energy at
 * peak 3 600 đ; litres NAN: no meter. */
static void diary_run(struct rig *r, const char *pump, const char *zone, int reason,
		      time_t started, int minutes, double kwh, double litres)
{
	struct run_row row = { .reason = reason, .started = started,
			       .planned_end = started + minutes * 60, .moisture_before = NAN,
			       .litres = NAN };

	snprintf(row.pump, sizeof(row.pump), "%s", pump);
	snprintf(row.zone, sizeof(row.zone), "%s", zone);
	assert_int_equal(store_run_begin(r->app.store, &row), 0);
	row.ended = row.planned_end;
	snprintf(row.end_reason, sizeof(row.end_reason), "done");
	row.moisture_after = NAN;
	row.kwh[BAND_NORMAL] = kwh;
	row.cost[BAND_NORMAL] = kwh * 2000;
	row.cost_at_peak = kwh * 3600;
	row.litres = litres;
	assert_int_equal(store_run_end(r->app.store, &row), 0);
}

static struct savings_item items[SAVINGS_ITEMS_MAX];
static int n_items;

static void figures(struct rig *r, enum savings_span span, int back, struct savings *sv)
{
	assert_int_equal(savings_compute(r->app.store, r->app.cfg, now(r), span, back, sv), 0);
	n_items = savings_items(sv, r->app.cfg, items, SAVINGS_ITEMS_MAX);
}

/* The figure of zone (-1: the station) called what, or NULL. */
static const struct savings_item *figure(int zone, const char *what)
{
	for (int i = 0; i < n_items; i++)
		if (items[i].zone == zone && strcmp(items[i].what, what) == 0)
			return &items[i];
	return NULL;
}

static const char *figure_text(struct rig *r, int zone, const char *what)
{
	static char line[320];
	const struct savings_item *it = figure(zone, what);

	if (!it)
		fail_msg("no figure '%s' of zone %d", what, zone);
	return savings_item_text(line, sizeof(line), it, r->app.cfg);
}

/* Monday 15 June 2026, noon. */
static int setup_mid_june(void **state)
{
	*state = rig_new(at(2026, 6, 15, 12, 0));
	return 0;
}

static void the_month_saved_zone_by_zone_against_a_year_before(void **state)
{
	struct rig *r = *state;
	struct savings sv;
	int pct;

	/* June 2026: Mít twice by its meter, 1 200 and 1 800 l; Vú sữa once,
	 * no meter; Tiêu on 31 May, another month. */
	diary_run(r, "p1", "mit", RUN_MANUAL, at(2026, 6, 2, 5, 0), 30, 0.75, 1200);
	diary_run(r, "p1", "mit", RUN_SCHEDULE, at(2026, 6, 10, 5, 0), 30, 0.75, 1800);
	diary_run(r, "p2", "vusua", RUN_MOISTURE, at(2026, 6, 3, 6, 0), 60, 1.1, NAN);
	diary_run(r, "p3", "tieu", RUN_MANUAL, at(2026, 5, 31, 23, 0), 30, 1.1, NAN);
	/* A year before: 5 000 l on 5 June, and 1 000 l on 20 June, after
	 * the day this June has reached: not set against half a month. */
	diary_run(r, "p1", "mit", RUN_SCHEDULE, at(2025, 6, 5, 5, 0), 60, 1.5, 5000);
	diary_run(r, "p1", "mit", RUN_SCHEDULE, at(2025, 6, 20, 5, 0), 60, 1.5, 1000);

	figures(r, SAVINGS_MONTH, 0, &sv);
	/* Three runs, two that nobody started, two hours. */
	near(figure(-1, "Runs")->value, 3);
	near(figure(-1, "Started by themselves (no one had to)")->value, 2);
	near(figure(-1, "Pump hours")->value, 2);
	/* 0,75 + 0,75 + 1,1 kWh; paid 2 000 đ each, at peak 3 600 đ each. */
	near(figure(-1, "Electricity")->value, 2.6);
	near(figure(-1, "Paid")->value, 5200);
	near(figure(-1, "At normal prices")->value, 5200);
	near(figure(-1, "At peak prices")->value, 9360);
	near(figure(-1, "Saved by the hours chosen")->value, 4160);
	/* The station's water: 3 m³ measured, one run not; no percentage. */
	near(figure(-1, "Water")->value, 3);
	assert_int_equal(figure(-1, "Water")->unmetered, 1);
	near(figure(-1, "Water")->against, 5);
	assert_false(savings_change(figure(-1, "Water"), &pct));
	/* Mít: 3 m³ against 5 m³ to 15 June a year before: -40 %. */
	near(figure(MIT, "water")->value, 3);
	near(figure(MIT, "water")->against, 5);
	assert_true(savings_change(figure(MIT, "water"), &pct));
	assert_int_equal(pct, -40);
	assert_string_equal(figure_text(r, MIT, "water"),
			    "Mít: water: 3.0 m³ (a year before 5.0 m³, -40%)");
	/* Vú sữa's run had no meter: said, not guessed. */
	assert_true(isnan(figure(VUSUA, "water")->value));
	assert_string_equal(figure_text(r, VUSUA, "water"), "Vú sữa: water: not measured");
	/* Tiêu did not run in June; Rau has no pump. */
	near(figure(TIEU, "water")->value, 0);
	assert_null(figure(RAU, "water"));
	/* No zone was watered by moisture: nothing against a schedule. */
	assert_null(figure(MIT, "water by moisture"));
	assert_null(figure(MIT, "against the old schedule"));

	/* The rainy season, May to October: Tiêu's run of 31 May too. */
	figures(r, SAVINGS_SEASON, 0, &sv);
	assert_int_equal(sv.p.first_month, 5);
	assert_int_equal(sv.p.last_month, 10);
	assert_false(sv.p.dry);
	near(figure(-1, "Runs")->value, 4);
	near(figure(-1, "Electricity")->value, 3.7);
	assert_true(isnan(figure(TIEU, "water")->value));
	/* A year before, to 15 June 2025 noon. */
	assert_int_equal(sv.p.from_before, at(2025, 5, 1, 0, 0));
	assert_int_equal(sv.p.to_before, at(2025, 6, 15, 12, 0));
	/* The season before, a whole one: November to April, dry. */
	figures(r, SAVINGS_SEASON, 1, &sv);
	assert_true(sv.p.dry);
	assert_int_equal(sv.p.from, at(2025, 11, 1, 0, 0));
	assert_int_equal(sv.p.to, at(2026, 5, 1, 0, 0));
	assert_int_equal(sv.p.to_before, at(2025, 5, 1, 0, 0));
	near(figure(-1, "Runs")->value, 0);
}

static void seasons_and_months_across_the_new_year(void **state)
{
	static struct config south = { .station = { .rainy_from = 5, .rainy_to = 10 } };
	static struct config centre = { .station = { .rainy_from = 9, .rainy_to = 12 } };
	struct savings_period p;
	char name[96];

	(void)state;
	text_init("en");
	/* 10 January 2026 is in the dry season that began in November. */
	savings_period(&south, at(2026, 1, 10, 8, 0), SAVINGS_SEASON, 0, &p);
	assert_int_equal(p.from, at(2025, 11, 1, 0, 0));
	assert_int_equal(p.to, at(2026, 5, 1, 0, 0));
	assert_string_equal(savings_period_name(name, sizeof(name), &p),
			    "Dry season 11/2025–04/2026");
	savings_period(&south, at(2026, 1, 10, 8, 0), SAVINGS_SEASON, 1, &p);
	assert_string_equal(savings_period_name(name, sizeof(name), &p),
			    "Rainy season 05/2025–10/2025");
	assert_false(p.partial);
	/* A whole season is set against a whole one. */
	assert_int_equal(p.to_before, at(2024, 11, 1, 0, 0));
	savings_period(&south, at(2026, 1, 10, 8, 0), SAVINGS_MONTH, 1, &p);
	assert_string_equal(savings_period_name(name, sizeof(name), &p), "Month 12/2025");
	assert_int_equal(p.from_before, at(2024, 12, 1, 0, 0));
	/* Where the rains come from September to December, the dry season
	 * is the eight months from January to August. */
	savings_period(&centre, at(2026, 1, 10, 8, 0), SAVINGS_SEASON, 0, &p);
	assert_string_equal(savings_period_name(name, sizeof(name), &p),
			    "Dry season 01/2026–08/2026");
	assert_int_equal(p.to, at(2026, 9, 1, 0, 0));
	assert_true(p.partial);
	savings_period(&centre, at(2026, 1, 10, 8, 0), SAVINGS_SEASON, 1, &p);
	assert_string_equal(savings_period_name(name, sizeof(name), &p),
			    "Rainy season 09/2025–12/2025");
	assert_int_equal(p.from_before, at(2024, 9, 1, 0, 0));
	assert_int_equal(p.to_before, at(2025, 1, 1, 0, 0));
	savings_period(&centre, at(2026, 1, 10, 8, 0), SAVINGS_SEASON, 2, &p);
	assert_string_equal(savings_period_name(name, sizeof(name), &p),
			    "Dry season 01/2025–08/2025");
}

/* Monday 1 June 2026, midnight. */
static int setup_june(void **state)
{
	*state = rig_new(at(2026, 6, 1, 0, 0));
	return 0;
}

static void against_the_schedule_that_moisture_replaced(void **state)
{
	struct rig *r = *state;
	struct schedule_row s = { .zone = "mit", .days = SCHEDULE_ALL_DAYS, .start_min = 5 * 60,
				  .minutes = 30 };
	struct runs_total t;
	struct savings sv;
	char why[256];
	int pct;

	/* Mít was watered 30 minutes every day at 05:00; then by moisture,
	 * and the schedule was deleted: it is kept with the switch. */
	assert_int_equal(irrigation_schedule_save(r->app.irrigation, &s, why, sizeof(why)), 0);
	assert_int_equal(irrigation_set_by_moisture(r->app.irrigation, MIT, true), 0);
	assert_int_equal(irrigation_schedule_delete(r->app.irrigation, s.id, why, sizeof(why)), 0);
	/* Vú sữa had no schedule when it was switched. */
	assert_int_equal(irrigation_set_by_moisture(r->app.irrigation, VUSUA, true), 0);
	/* Tiêu's schedule, Monday to Saturday at 06:00 for an hour, was
	 * deleted (twice: made again and deleted again) before Tiêu was
	 * switched: the deleted one is what moisture replaced, once. */
	for (int i = 0; i < 2; i++) {
		struct schedule_row tieu = { .zone = "tieu", .days = 0x7e, .start_min = 6 * 60,
					     .minutes = 60 };

		assert_int_equal(irrigation_schedule_save(r->app.irrigation, &tieu, why, sizeof(why)), 0);
		assert_int_equal(irrigation_schedule_delete(r->app.irrigation, tieu.id, why, sizeof(why)),
				 0);
	}
	assert_int_equal(irrigation_set_by_moisture(r->app.irrigation, TIEU, true), 0);
	pass_until(r, at(2026, 6, 11, 0, 0));
	assert_int_equal(store_runs_total(r->app.store, at(2026, 6, 1, 0, 0), now(r), &t), 0);
	assert_int_equal(t.runs, 0);	/* no soil reading: moisture started nothing */
	/* Moisture asked for two runs of 20 minutes, 800 l and 0,5 kWh each. */
	diary_run(r, "p1", "mit", RUN_MOISTURE, at(2026, 6, 3, 5, 0), 20, 0.5, 800);
	diary_run(r, "p1", "mit", RUN_MOISTURE, at(2026, 6, 7, 5, 0), 20, 0.5, 800);

	/* 1 to 10 June, the old schedule: 10 runs of 30 minutes, 5 hours at
	 * 1,5 kW = 7,5 kWh; at the 40 l/min the meter measured (1 600 l in
	 * 40 minutes), 12 000 l. Moisture used 1,6 m³ and 1 kWh: -87 %. */
	figures(r, SAVINGS_MONTH, 0, &sv);
	near(figure(MIT, "water by moisture")->value, 1.6);
	near(figure(MIT, "water by moisture")->against, 12);
	assert_true(savings_change(figure(MIT, "water by moisture"), &pct));
	assert_int_equal(pct, -87);
	near(figure(MIT, "electricity by moisture")->value, 1);
	near(figure(MIT, "electricity by moisture")->against, 7.5);
	assert_string_equal(figure_text(r, MIT, "electricity by moisture"),
			    "Mít: electricity by moisture: 1.00 kWh (old schedule 7.50 kWh, -87%)");
	assert_string_equal(figure_text(r, VUSUA, "against the old schedule"),
			    "Vú sữa: against the old schedule: no old schedule to compare");
	/* Tiêu: 1 to 10 June but Sunday the 7th, nine hours at 2,2 kW =
	 * 19,8 kWh; moisture ran nothing, and no meter gave the old water. */
	near(figure(TIEU, "electricity by moisture")->against, 19.8);
	near(figure(TIEU, "electricity by moisture")->value, 0);
	assert_string_equal(figure_text(r, TIEU, "water by moisture"),
			    "Tiêu: water by moisture: 0.0 m³ (old schedule: not measured)");
	assert_null(figure(TIEU, "against the old schedule"));

	/* Switched back on 11 June: the ten days stay the whole comparison. */
	assert_int_equal(irrigation_set_by_moisture(r->app.irrigation, MIT, false), 0);
	pass_until(r, at(2026, 6, 21, 0, 0));
	figures(r, SAVINGS_MONTH, 0, &sv);
	near(figure(MIT, "electricity by moisture")->against, 7.5);
	/* May was before any of it. */
	figures(r, SAVINGS_MONTH, 1, &sv);
	assert_null(figure(MIT, "water by moisture"));
	assert_null(figure(VUSUA, "against the old schedule"));
}

/* A zone the configuration waters by moisture was never switched from a
 * schedule: nothing is guessed. */
static int setup_by_moisture_in_config(void **state)
{
	struct rig *r = rig_new(at(2026, 6, 1, 0, 0));

	rig_close(r);
	snprintf(r->ini + strlen(r->ini), sizeof(r->ini) - strlen(r->ini),
		 "[zone.dua]\nname = Dưa\npump = p3\nwater_by_moisture = yes\n");
	rig_open(r);
	*state = r;
	return 0;
}

static void a_zone_by_moisture_from_the_start_has_no_old_schedule(void **state)
{
	struct rig *r = *state;
	struct savings sv;

	figures(r, SAVINGS_SEASON, 0, &sv);
	assert_string_equal(figure_text(r, 4, "against the old schedule"),
			    "Dưa: against the old schedule: no old schedule to compare");
	assert_null(figure(MIT, "against the old schedule"));
}

static const char *file_text(const char *path)
{
	static char text[16];
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	text[fread(text, 1, sizeof(text) - 1, f)] = '\0';
	fclose(f);
	return text;
}

/* Relays go off before the database is opened (it may take seconds, or
 * fail): making them needs no database, and leaves each one off, as the
 * relay boards show it. */
static void relays_go_off_with_no_database(void **state)
{
	struct rig *r = *state;
	struct app app = r->app;
	struct irrigation *irr;
	char folder[300], path[400], err[256];

	snprintf(folder, sizeof(folder), "%s/relays", r->dir);
	assert_int_equal(mkdir(folder, 0755), 0);
	/* What a station killed with both pumps on left. */
	snprintf(path, sizeof(path), "%s/p1", folder);
	test_write(folder, "p1", "1");
	test_write(folder, "p2", "1");
	app.store = NULL;
	app.sim_relays = folder;
	irr = irrigation_new(&app, err, sizeof(err));
	assert_non_null(irr);
	assert_string_equal(file_text(path), "0");
	snprintf(path, sizeof(path), "%s/p2", folder);
	assert_string_equal(file_text(path), "0");
	irrigation_free(irr);
	assert_string_equal(file_text(path), "0");
}

/* A zone whose alarms cannot be read may have one waiting that says its
 * water does not arrive: neither its soil nor its schedule starts it,
 * the farmer is told, and the event log says so where it still can. */
static void a_zone_whose_alarms_cannot_be_read_waits(void **state)
{
	struct rig *r = *state;
	struct store_fault fault;
	struct schedule_row s = { .zone = "vusua", .days = 0x7f, .start_min = 5 * 60 + 10,
				  .minutes = 20 };
	char why[256];

	assert_int_equal(irrigation_set_by_moisture(r->app.irrigation, MIT, true), 0);
	assert_int_equal(irrigation_schedule_save(r->app.irrigation, &s, why, sizeof(why)), 0);
	store_fault_set(r->app.store, &fault, "events", FAULT_READ);
	moisture[MIT] = 25;
	moisture[VUSUA] = 25;
	pass_minutes(r, 30);	/* past 05:10 */
	assert_false(watering(r, MIT));
	assert_false(watering(r, VUSUA));
	assert_true(fault.refused > 0);
	assert_string_equal(r->app.trouble,
			    "Automatic watering is held: the alarms cannot be read from the memory card.");
	/* Pumps by hand still run: the farmer sees the water. */
	assert_int_equal(irrigation_start(r->app.irrigation, P2, 5, RUN_MANUAL, NULL, why, sizeof(why)), 0);
	assert_true(watering(r, VUSUA));
	pass_minutes(r, 5);
	store_fault_clear(r->app.store);
	assert_int_equal(count_sql(r, "SELECT count(*) FROM events WHERE kind = 'alarms_unread'"), 1);
	assert_int_equal(count_sql(r, "SELECT count(*) FROM events WHERE kind = 'schedule_blocked'"), 1);
	/* The card reads again: watering by moisture goes on by itself. */
	pass_minutes(r, 1);
	assert_true(watering(r, MIT));
	assert_string_equal(r->app.trouble, "");
}

/* Runs the card cannot take wait in memory, 32 of them; beyond, they are
 * added up, and once the card has room the diary gets the 32 and an
 * alarm says how many runs are missing, when, how long and how much. */
static void runs_the_card_cannot_take_are_kept_or_counted(void **state)
{
	struct rig *r = *state;
	struct event_row alarm;
	char why[256], text[512];
	time_t first;

	cardvfs_command("fail write ENOSPC 1");
	first = now(r);
	for (int i = 0; i < 34; i++) {
		assert_int_equal(irrigation_start(r->app.irrigation, P1, 1, RUN_MANUAL, NULL, why, sizeof(why)), 0);
		assert_true(watering(r, MIT));
		pass_minutes(r, 1);
		assert_false(watering(r, MIT));
		if (i == 0)
			assert_string_equal(r->app.trouble,
					    "The irrigation diary cannot be written: pump runs wait in memory until the memory card takes them.");
	}
	assert_string_equal(r->app.trouble,
			    "Pump runs are being lost: the memory card has not taken the irrigation diary for too long.");
	assert_true(cardvfs_failed() > 0);
	cardvfs_command("heal");
	pass_minutes(r, 1);
	assert_int_equal(count_sql(r, "SELECT count(*) FROM pump_runs WHERE ended IS NOT NULL"), 32);
	assert_int_equal(count_sql(r, "SELECT count(*) FROM pump_runs"), 32);
	assert_int_equal(store_alarms_list(r->app.store, &alarm, 1), 1);
	assert_string_equal(alarm.kind, "runs_lost");
	/* The 33rd and 34th runs: a minute each at 1.5 kW. */
	snprintf(why, sizeof(why), "2;%lld;%lld;120;0.050", (long long)(first + 32 * 60),
		 (long long)(first + 34 * 60));
	assert_string_equal(alarm.detail, why);
	alarm_text(r->app.cfg, &alarm, text, sizeof(text));
	assert_string_equal(text,
			    "2 pump runs from 01/06/2026 05:32 to 01/06/2026 05:34 are not in the irrigation diary: the memory card was full or failing. They ran 0:02 hours, 0.05 kWh in all.");
	assert_string_equal(r->app.trouble, "");
}

/* Every litre the meter counted is in the diary: 30 minutes at 40 l/min
 * is 1 200 litres (540 000 pulses at 450 a litre), and the month adds the
 * metered runs' water up. */
static void a_metered_run_records_its_litres(void **state)
{
	struct rig *r = *state;
	struct runs_total t;
	char why[256];

	assert_int_equal(irrigation_start(r->app.irrigation, P4, 30, RUN_MANUAL, NULL, why, sizeof(why)), 0);
	pass_minutes(r, 10);
	/* The note of each minute carries the water so far. */
	struct alive_run noted[STORE_ALIVE_RUNS];
	int64_t noted_at;
	assert_int_equal(store_alive_note(r->app.store, &noted_at, noted), 1);
	assert_int_equal(noted[0].id, count_sql(r, "SELECT id FROM pump_runs WHERE ended IS NULL"));
	near(noted[0].litres, 400);
	pass_minutes(r, 20);
	assert_false(irrigation_running(r->app.irrigation, P4, NULL));
	assert_string_equal(last_run(r).end_reason, "done");
	near(last_run(r).litres, 1200);
	/* A pump without a meter or flow sensor measures nothing. */
	assert_int_equal(irrigation_start(r->app.irrigation, P2, 10, RUN_MANUAL, NULL, why, sizeof(why)), 0);
	pass_minutes(r, 10);
	assert_true(isnan(last_run(r).litres));
	assert_int_equal(store_runs_total(r->app.store, at(2026, 6, 1, 0, 0), at(2026, 7, 1, 0, 0), &t), 0);
	assert_int_equal(t.runs, 2);
	assert_int_equal(t.metered, 1);
	near(t.litres, 1200);
	assert_int_equal(count_sql(r, "SELECT count(*) FROM events WHERE alarm"), 0);
}

/* A power cut: the run is closed at its last heartbeat with the water
 * counted until then. */
static void a_metered_run_cut_keeps_its_water(void **state)
{
	struct rig *r = *state;
	char why[256], cut[520];

	assert_int_equal(irrigation_start(r->app.irrigation, P4, 60, RUN_MANUAL, NULL, why, sizeof(why)), 0);
	pass_minutes(r, 23);
	snprintf(cut, sizeof(cut), "%s/cut.db", r->dir);
	snapshot(r, cut);
	rig_close(r);
	rename(cut, r->db);
	clock_advance(r->app.clock, 3600 * 1000);
	rig_open(r);
	assert_string_equal(last_run(r).end_reason, "power_cut");
	near(last_run(r).litres, 23 * 40);
}

/* A meter that counts no water: like a flow sensor's two low readings,
 * two windows after the grace stop the pump with the alarm. */
static void a_dry_meter_stops_the_pump(void **state)
{
	struct rig *r = *state;
	struct event_row alarms[4];
	char why[256], text[512];
	time_t start = now(r);

	assert_int_equal(irrigation_start(r->app.irrigation, P4, 60, RUN_MANUAL, NULL, why, sizeof(why)), 0);
	pass_minutes(r, 2);
	assert_true(watering(r, DUA));
	pass_minutes(r, 1);
	assert_false(watering(r, DUA));
	assert_string_equal(last_run(r).end_reason, "no_flow");
	/* Grace to 05:01, then two windows of a minute. */
	assert_int_equal(last_run(r).ended, start + 180);
	near(last_run(r).litres, 0);
	assert_int_equal(store_alarms_list(r->app.store, alarms, 4), 1);
	assert_string_equal(alarms[0].kind, "no_flow");
	assert_string_equal(alarms[0].source, "p4");
	assert_string_equal(alarms[0].detail, "m4;0.00;20");
	assert_string_equal(alarm_text(r->app.cfg, &alarms[0], text, sizeof(text)),
			    "Bơm 4: no water is flowing (0.0 l/min, at least 20.0 expected): a dry source, a burst pipe or a clogged nozzle? The pump was stopped; automatic watering waits until this is acknowledged.");
}

/* Thousands of pulses a second: noise, said once, never water; and it
 * does not pass for a dry line either. */
static void a_noisy_meter_is_flagged_not_counted(void **state)
{
	struct rig *r = *state;
	struct event_row alarms[4];
	char why[256], text[512];

	assert_int_equal(irrigation_start(r->app.irrigation, P4, 10, RUN_MANUAL, NULL, why, sizeof(why)), 0);
	pass_minutes(r, 10);
	assert_string_equal(last_run(r).end_reason, "done");
	near(last_run(r).litres, 0);
	assert_int_equal(store_alarms_list(r->app.store, alarms, 4), 1);
	assert_string_equal(alarms[0].kind, "meter_noise");
	assert_string_equal(alarms[0].source, "m4");
	assert_string_equal(alarms[0].detail, "p4;5000;750");
	assert_string_equal(alarm_text(r->app.cfg, &alarms[0], text, sizeof(text)),
			    "Water meter Đồng hồ 4 (in the line of Bơm 4) sent 5,000 pulses in one second, more than the 750 that water can give: noise from its wiring, not counted as water. Check its cable and ground.");
}

/* A meter whose GPIO chip is not there: an alarm says so, the pump waters
 * all the same, its water unmeasured. */
static void a_missing_meter_leaves_the_pump_working(void **state)
{
	struct rig *r = *state;
	struct event_row alarms[4];
	char why[256], text[512];

	assert_int_equal(store_alarms_list(r->app.store, alarms, 4), 1);
	assert_string_equal(alarms[0].kind, "meter_missing");
	assert_string_equal(alarms[0].source, "m4");
	assert_string_equal(alarm_text(r->app.cfg, &alarms[0], text, sizeof(text)),
			    "Water meter Đồng hồ 4 cannot be used: There is no GPIO chip \"nochip\" on this board (gpiodetect lists them). The pump runs without it; its water is not measured.");
	assert_int_equal(irrigation_start(r->app.irrigation, P4, 10, RUN_MANUAL, NULL, why, sizeof(why)), 0);
	pass_minutes(r, 10);
	assert_string_equal(last_run(r).end_reason, "done");
	assert_true(isnan(last_run(r).litres));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(a_run_ends_on_time_with_its_energy_and_cost),
		T(a_run_across_bands_is_split),
		T(stop_by_hand),
		T(limits_are_refused_in_words),
		T(shutdown_turns_everything_off_and_closes_runs),
		T(power_cut_run_is_closed_at_its_last_minute),
		T(a_cut_run_the_card_hides_is_closed_when_it_reads),
		T(idle_station_writes_no_heartbeat),
		T(a_failing_relay_turns_everything_off),
		T(a_run_keeps_its_minutes_when_the_clock_is_set),
		T(a_run_ends_after_its_minutes_whatever_the_date_does),
		T(a_clock_behind_waits_but_pumps_run_by_hand),
		T(a_schedule_runs_at_its_time),
		T(a_schedule_in_peak_hours_moves_and_says_so),
		T(a_moved_run_survives_a_restart),
		T(runs_the_station_slept_through_are_not_made_up),
		T(on_sunday_there_is_no_peak),
		T(critical_soil_waters_in_peak_hours),
		T(a_schedule_waits_for_a_free_pump),
		T(a_schedule_gives_up_after_two_hours),
		T(schedules_refuse_bad_input_in_words),
		T(moisture_starts_below_low_and_stops_at_high),
		T(moisture_run_ends_at_its_longest),
		T(moisture_keeps_out_of_peak_unless_critical),
		T(moisture_watering_off_stays_off),
		T(water_that_does_not_wet_the_soil_raises_an_alarm),
		T(a_good_run_raises_no_alarm),
		T(water_flows_and_the_run_goes_on),
		T(no_flow_after_the_grace_stops_the_pump),
		T(a_lost_sensor_or_one_low_reading_stops_nothing),
		T(no_pressure_after_its_grace_stops_the_pump),
		T(the_month_adds_up),
		cmocka_unit_test_setup_teardown(the_month_saved_zone_by_zone_against_a_year_before,
						setup_mid_june, teardown),
		cmocka_unit_test(seasons_and_months_across_the_new_year),
		cmocka_unit_test_setup_teardown(against_the_schedule_that_moisture_replaced,
						setup_june, teardown),
		cmocka_unit_test_setup_teardown(a_zone_by_moisture_from_the_start_has_no_old_schedule,
						setup_by_moisture_in_config, teardown),
		T(relays_go_off_with_no_database),
		T(a_zone_whose_alarms_cannot_be_read_waits),
		T(runs_the_card_cannot_take_are_kept_or_counted),
		cmocka_unit_test_setup_teardown(a_metered_run_records_its_litres, setup_metered, teardown),
		cmocka_unit_test_setup_teardown(a_metered_run_cut_keeps_its_water, setup_metered, teardown),
		cmocka_unit_test_setup_teardown(a_dry_meter_stops_the_pump, setup_dry_meter, teardown),
		cmocka_unit_test_setup_teardown(a_noisy_meter_is_flagged_not_counted, setup_noisy_meter,
						teardown),
		cmocka_unit_test_setup_teardown(a_missing_meter_leaves_the_pump_working,
						setup_missing_meter, teardown),
	};

	return cmocka_run_group_tests_name("irrigation", tests, NULL, NULL);
}
