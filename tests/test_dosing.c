/* Dosing through the line on the simulator with a manual clock: the three
 * phases and each injector's relay, the records a dose writes (as ones
 * entered by hand), the tanks' book, a tank that runs dry, the stop key,
 * a power cut in each phase, and refills. */
#include "testlib.h"

#include "alarms.h"
#include "app.h"
#include "clock.h"
#include "config.h"
#include "dosing.h"
#include "irrigation.h"
#include "loop.h"
#include "readings.h"
#include "records.h"
#include "relay.h"
#include "sim_farm.h"
#include "station.h"
#include "store.h"
#include "tanks.h"
#include "text.h"

#include <math.h>
#include <sqlite3.h>

/* In place of the poller's answers (-Wl,--wrap in the Makefile: the
 * station's core links the real poller). */
double __wrap_readings_zone_moisture(const struct readings *r, int zone, int64_t *t);
const struct sensor_state *__wrap_readings_sensor(const struct readings *r, int sensor);

/* No soil readings: the soil's rise decides nothing here. */
static char fake_readings;

double __wrap_readings_zone_moisture(const struct readings *r, int zone, int64_t *t)
{
	(void)r;
	(void)zone;
	if (t)
		*t = 0;
	return NAN;
}

const struct sensor_state *__wrap_readings_sensor(const struct readings *r, int sensor)
{
	static struct sensor_state none;

	(void)r;
	(void)sensor;
	return &none;
}

static const char farm_ini[] =
	"[station]\ncode = PT01\nmax_pumps_running = 2\n"
	"[tariff]\nprice_offpeak = 1300\nprice_normal = 2000\nprice_peak = 3600\n"
	"[zone.tieu]\nname = Tiêu hữu cơ\npump = p1\norganic = yes\nrise_percent = 0\n"
	"wetting_minutes = 10\ndosing_minutes = 20\nflushing_minutes = 10\n"
	"[zone.mit]\nname = Mít\npump = p2\nrise_percent = 0\n"
	"[pump.p1]\nname = Bơm 1\ndriver = sim\npower_kw = 1.1\nmax_minutes = 90\n"
	"[pump.p2]\nname = Bơm 2\ndriver = sim\npower_kw = 1.5\nmax_minutes = 90\n"
	"[tank.ta]\nname = Bể A\ncapacity = 200\n"
	"[tank.tb]\nname = Bể B\ncapacity = 100\n"
	"[tank.tc]\nname = Bể C\ncapacity = 100\n"
	"[injector.ia]\nname = Châm A\ndriver = sim\npump = p1\ntank = ta\nrate = 1.5\n"
	"[injector.ib]\nname = Châm B\ndriver = sim\npump = p1\ntank = tb\nrate = 0.5\n"
	"[injector.ic]\nname = Châm C\ndriver = sim\npump = p2\ntank = tc\nrate = 2\nmeter = mc\n"
	"[meter.mc]\nname = Đồng hồ C\ndriver = sim\npulses_per_litre = 100\n"
	"[product.humic]\nname = Humic lỏng hữu cơ\nkind = fertilizer\nunit = lít\norganic = yes\n"
	"max_amount = 50\n"
	"[product.namxanh]\nname = Nấm xanh\nkind = pesticide\nunit = g\norganic = yes\n"
	"phi_days = 3\nmax_amount = 5000\ndosing_minutes = 15\n"
	"[product.radiant]\nname = Radiant 60SC\nkind = pesticide\nunit = ml\nphi_days = 7\n"
	"max_amount = 2000\n"
	"[worker.tu]\nname = Lê Văn Tư\n"
	"[pest.repsap]\nname = Rệp sáp\n";

enum { TIEU, MIT };
enum { P1, P2 };
enum { IA, IB, IC };
enum { HUMIC, NAMXANH, RADIANT };
enum { TA, TB, TC };

struct rig {
	char *dir;
	char db[512];
	struct app app;
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

	assert_int_equal(config_load(test_write(r->dir, "farm.ini", farm_ini), &cfg, err, sizeof(err)), 0);
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

/* Tuesday 2 June 2026, 06:00: normal hours. */
static int setup(void **state)
{
	struct rig *r = calloc(1, sizeof(*r));

	text_init("en");
	r->dir = test_mkdir();
	snprintf(r->db, sizeof(r->db), "%s/station.db", r->dir);
	r->app.clock = clock_new_manual(at(2026, 6, 2, 6, 0));
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

static time_t now(struct rig *r)
{
	return clock_now(r->app.clock);
}

static void pass_minutes(struct rig *r, int minutes)
{
	for (int i = 0; i < minutes; i++) {
		clock_advance(r->app.clock, 60 * 1000);
		irrigation_tick(r->app.irrigation);
	}
}

static void near(double a, double b)
{
	if (fabs(a - b) > 1e-6)
		fail_msg("%.9f is not %.9f", a, b);
}

static double sql_real(struct rig *r, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	double v;

	assert_int_equal(sqlite3_open(r->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static const char *sql_text(struct rig *r, const char *sql)
{
	static char out[512];
	sqlite3 *db;
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_open(r->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	out[0] = '\0';
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, sizeof(out), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

/* A tank filled as the keypad does it. */
static void refill(struct rig *r, int tank, int product, double amount, double litres)
{
	struct tank_refill f = { .tank = tank, .product = product, .worker = 0, .amount = amount,
				 .litres = litres, .day = text_day_of(now(r)) };
	char why[256];

	snprintf(f.lot, sizeof(f.lot), "230512");
	if (tanks_refill(r->app.store, r->app.cfg, now(r), &f, why, sizeof(why)) < 0)
		fail_msg("refill: %s", why);
}

static bool injector_on(struct rig *r, int i)
{
	struct relay *relays[8] = { 0 };

	dosing_relays(irrigation_dosing(r->app.irrigation), relays);
	return relay_is_on(relays[i]);
}

static bool pump_on(struct rig *r, int zone)
{
	return sim_farm_watering(r->app.farm, zone);
}

/* A plan with the phases the configuration gives. */
static struct dose_plan plan_of(struct rig *r, int pump, int n, const int *injectors,
				const int *pests)
{
	struct dose_plan p = { .pump = pump, .worker = 0, .n = n };

	for (int i = 0; i < n; i++)
		p.picks[i] = (struct dose_pick){ injectors[i], pests ? pests[i] : -1 };
	dosing_plan_defaults(irrigation_dosing(r->app.irrigation), &p);
	return p;
}

static void start_ok(struct rig *r, struct dose_plan *p)
{
	char why[256];

	if (irrigation_start_dosing(r->app.irrigation, p, why, sizeof(why)) < 0)
		fail_msg("start: %s", why);
}

static struct record_row record(struct rig *r, int64_t id)
{
	struct record_row rec;

	assert_int_equal(store_record_get(r->app.store, id, &rec), 1);
	return rec;
}

/* Wetting with plain water, then the injector on for its minutes, then
 * plain water to flush; the fertilizing record says what went in, the
 * tank's book takes it out, the dose is tied to the run. */
static void a_dose_runs_its_phases_and_writes_its_record(void **state)
{
	struct rig *r = *state;
	int inj[] = { IA };
	struct dose_plan p;
	struct dose_row doses[4];
	struct tank_stock stock;
	struct run_row run;
	struct record_row rec;
	int left = 0, total = 0;
	time_t t0;

	/* 20 litres of humic made into 200 litres of stock: 0.1 a litre. */
	refill(r, TA, HUMIC, 20, 200);
	p = plan_of(r, P1, 1, inj, NULL);
	assert_int_equal(p.wetting, 10);
	assert_int_equal(p.dosing, 20);
	assert_int_equal(p.flushing, 10);
	t0 = now(r);
	start_ok(r, &p);
	/* 30 litres of stock (1.5 a minute for 20 minutes): 3 litres of humic. */
	near(p.est[0].stock_litres, 30);
	near(p.est[0].amount, 3);
	assert_true(pump_on(r, TIEU));
	assert_false(injector_on(r, IA));
	assert_int_equal(irrigation_phase(r->app.irrigation, P1, &left), PHASE_WETTING);
	assert_int_equal(left, 10);
	pass_minutes(r, 9);
	assert_false(injector_on(r, IA));
	pass_minutes(r, 1);
	assert_true(injector_on(r, IA));
	assert_int_equal(irrigation_phase(r->app.irrigation, P1, &left), PHASE_DOSING);
	assert_int_equal(left, 20);
	pass_minutes(r, 19);
	assert_true(injector_on(r, IA));
	/* Its progress is on the card each minute. */
	near(sql_real(r, "SELECT litres FROM doses"), 19 * 1.5);
	pass_minutes(r, 1);
	assert_false(injector_on(r, IA));
	assert_true(pump_on(r, TIEU));
	assert_int_equal(irrigation_phase(r->app.irrigation, P1, &left), PHASE_FLUSHING);
	assert_int_equal(left, 10);
	assert_int_equal(store_doses_of_run(r->app.store, 1, doses, 4), 1);
	assert_string_equal(doses[0].end_reason, "done");
	near(doses[0].litres, 30);
	assert_int_equal(doses[0].started, t0 + 600);
	assert_int_equal(doses[0].ended, t0 + 1800);
	rec = record(r, doses[0].record);
	assert_int_equal(rec.kind, REC_FERTILIZE);
	assert_int_equal(rec.method, METHOD_INJECTOR);
	assert_string_equal(rec.product_name, "Humic lỏng hữu cơ");
	near(rec.amount, 3);
	assert_string_equal(rec.unit, "lít");
	assert_string_equal(rec.zone_name, "Tiêu hữu cơ");
	assert_string_equal(rec.who_name, "Lê Văn Tư");
	assert_int_equal(rec.day, text_day_of(t0));
	assert_string_equal(records_method_label(rec.method), "fertigation (dosing pump)");
	assert_int_equal(store_tank_stock(r->app.store, "ta", &stock), 0);
	near(stock.litres, 170);
	near(stock.amount, 17);
	pass_minutes(r, 10);
	assert_false(pump_on(r, TIEU));
	assert_int_equal(store_runs_page(r->app.store, 0, &run, 1, &total), 1);
	assert_string_equal(run.end_reason, "done");
	assert_int_equal(run.ended - run.started, 40 * 60);
	assert_int_equal(run.wetting, 10);
	assert_int_equal(run.dosing, 20);
	assert_int_equal(run.flushing, 10);
	assert_string_equal(run.who, "Lê Văn Tư");
	/* The book: the refill with its lot, then the dose. */
	assert_string_equal(sql_text(r, "SELECT group_concat(kind || ' ' || litres || ' ' || amount"
				     " || ' ' || coalesce(lot, '-'), ', ') FROM tank_book"),
			    "refill 200.0 20.0 230512, dose -30.0 -3.0 -");
	assert_int_equal((int)sql_real(r, "SELECT count(*) FROM events WHERE alarm"), 0);
}

/* A fertilizer and a plant-protection product in one run: one record
 * each, both tied to the run; the spray's interval counts from the day
 * the dose ended, and its pest is the one chosen. */
static void fertilizer_and_plant_protection_in_one_run(void **state)
{
	struct rig *r = *state;
	int inj[] = { IA, IB }, pests[] = { -1, 0 };
	struct dose_plan p;
	struct dose_row doses[4];
	struct record_row fert, spray;

	refill(r, TA, HUMIC, 20, 200);
	refill(r, TB, NAMXANH, 500, 50);	/* 10 g a litre */
	p = plan_of(r, P1, 2, inj, pests);
	/* Humic takes the zone's 20 minutes, Nấm xanh asks for 15: 20. */
	assert_int_equal(p.dosing, 20);
	start_ok(r, &p);
	pass_minutes(r, 40);
	assert_int_equal(store_doses_of_run(r->app.store, 1, doses, 4), 2);
	fert = record(r, doses[0].record);
	spray = record(r, doses[1].record);
	assert_true(fert.id != spray.id);
	assert_int_equal(fert.kind, REC_FERTILIZE);
	near(fert.amount, 3);
	assert_int_equal(spray.kind, REC_SPRAY);
	assert_string_equal(spray.product_name, "Nấm xanh");
	near(spray.amount, 20 * 0.5 * 10);
	assert_string_equal(spray.unit, "g");
	assert_string_equal(spray.target, "Rệp sáp");
	assert_true(spray.organic);
	assert_int_equal(spray.phi_days, 3);
	assert_int_equal(spray.harvest_from, spray.day + 3);
	assert_int_equal((int)sql_real(r, "SELECT count(DISTINCT run) FROM doses"), 1);
	assert_int_equal((int)sql_real(r, "SELECT count(*) FROM records"), 2);
}

/* A spray whose dose ends after midnight: its interval counts from that
 * day, and a harvest inside it needs the manager, as after a spray
 * entered by hand. The injector's own meter measures what it gave. */
static void the_interval_counts_from_the_end_of_the_dose(void **state)
{
	struct rig *r = *state;
	int inj[] = { IC }, pests[] = { 0 };
	struct dose_plan p;
	struct dose_row doses[2];
	struct record_row spray, harvest;
	char why[256];

	refill(r, TC, RADIANT, 1000, 100);	/* 10 ml a litre */
	clock_advance(r->app.clock, (int64_t)(at(2026, 6, 2, 23, 45) - now(r)) * 1000);
	p = plan_of(r, P2, 1, inj, pests);
	start_ok(r, &p);
	pass_minutes(r, 40);
	assert_int_equal(store_doses_of_run(r->app.store, 1, doses, 2), 1);
	/* 20 minutes at 2 litres a minute, counted by its meter. */
	near(doses[0].litres, 40);
	spray = record(r, doses[0].record);
	near(spray.amount, 400);
	assert_int_equal(spray.day, text_day_of(at(2026, 6, 3, 0, 15)));
	assert_int_equal(spray.harvest_from, spray.day + 7);
	records_init(&harvest, REC_HARVEST, spray.day + 6);
	records_set_zone(&harvest, r->app.cfg, MIT);
	assert_int_equal(records_phi_check(r->app.store, &harvest, &spray, why, sizeof(why)),
			 REC_NEED_MANAGER);
	assert_non_null(strstr(why, "Radiant 60SC was sprayed on 03/06/2026; harvest from 10/06/2026"));
	harvest.day = spray.day + 7;
	assert_int_equal(records_phi_check(r->app.store, &harvest, &spray, why, sizeof(why)), 0);
}

/* An organic zone takes only organic products, through the line too. */
static void an_organic_zone_refuses_what_is_not(void **state)
{
	struct rig *r = *state;
	int inj[] = { IB }, pests[] = { 0 };
	struct tank_refill f = { .tank = TB, .product = RADIANT, .worker = 0, .amount = 100,
				 .litres = 50, .day = text_day_of(now(r)) };
	struct tank_row sneaked = { .kind = TANK_REFILL, .amount = 100, .litres = 50 };
	struct record_row used;
	struct dose_plan p;
	char why[256];

	snprintf(f.lot, sizeof(f.lot), "1");
	assert_int_equal(tanks_refill(r->app.store, r->app.cfg, now(r), &f, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "Tiêu hữu cơ is an organic zone: Radiant 60SC is not an organic product"));
	/* A tank filled some other way is refused when the dose is planned. */
	snprintf(sneaked.tank, sizeof(sneaked.tank), "tb");
	snprintf(sneaked.tank_name, sizeof(sneaked.tank_name), "Bể B");
	snprintf(sneaked.product, sizeof(sneaked.product), "radiant");
	snprintf(sneaked.product_name, sizeof(sneaked.product_name), "Radiant 60SC");
	sneaked.day = text_day_of(now(r));
	sneaked.entered_at = now(r);
	assert_int_equal(store_tank_add(r->app.store, &sneaked), 0);
	p = plan_of(r, P1, 1, inj, pests);
	assert_int_equal(irrigation_start_dosing(r->app.irrigation, &p, why, sizeof(why)), IRR_REFUSED);
	assert_non_null(strstr(why, "is an organic zone"));
	assert_false(pump_on(r, TIEU));
	assert_int_equal((int)sql_real(r, "SELECT count(*) FROM pump_runs"), 0);
	/* Once the manager recorded a product that is not organic on the
	 * zone (the PIN and a reason), the zone is no longer organic: the
	 * dose goes on. */
	records_init(&used, REC_SPRAY, text_day_of(now(r)));
	records_set_zone(&used, r->app.cfg, TIEU);
	records_set_product(&used, r->app.cfg, RADIANT);
	used.amount = 100;
	snprintf(used.target, sizeof(used.target), "Rệp sáp");
	records_set_worker(&used, r->app.cfg, 0);
	used.organic_override = ORGANIC_OUTBREAK;
	assert_int_equal(records_save(r->app.store, r->app.cfg, now(r), &used, true, why,
				      sizeof(why)), 0);
	start_ok(r, &p);
	assert_true(pump_on(r, TIEU));
}

/* What is refused before any water moves, in words. */
static void a_dose_is_refused_in_words(void **state)
{
	struct rig *r = *state;
	int inj[] = { IA }, spray[] = { IB };
	struct dose_plan p;
	char why[256];

	p = plan_of(r, P1, 1, inj, NULL);
	assert_int_equal(irrigation_start_dosing(r->app.irrigation, &p, why, sizeof(why)), IRR_REFUSED);
	assert_string_equal(why, "Bể A is empty: refill it first (Fertilizing, spraying: Tanks).");
	refill(r, TA, HUMIC, 20, 200);
	refill(r, TB, NAMXANH, 500, 50);
	p = plan_of(r, P1, 1, spray, NULL);
	assert_int_equal(irrigation_start_dosing(r->app.irrigation, &p, why, sizeof(why)), IRR_REFUSED);
	assert_string_equal(why, "Choose what Nấm xanh is against.");
	p = plan_of(r, P1, 1, inj, NULL);
	p.dosing = 75;
	assert_int_equal(irrigation_start_dosing(r->app.irrigation, &p, why, sizeof(why)), IRR_REFUSED);
	assert_string_equal(why, "Bơm 1 may run at most 90 minutes: wetting 10, dosing 75 and flushing 10 make 95.");
	/* 40 minutes at 1.5 litres a minute: 6 litres of humic; at most 50. */
	p.dosing = 40;
	assert_int_equal(irrigation_check_dosing(r->app.irrigation, &p, why, sizeof(why), NULL, 0), 0);
	p.worker = -1;
	assert_int_equal(irrigation_start_dosing(r->app.irrigation, &p, why, sizeof(why)), IRR_REFUSED);
	assert_string_equal(why, "Choose who does the work: a dose is written in the records.");
	p = plan_of(r, P2, 1, inj, NULL);
	assert_int_equal(irrigation_start_dosing(r->app.irrigation, &p, why, sizeof(why)), IRR_REFUSED);
	assert_string_equal(why, "That injector does not feed this pump.");
	assert_int_equal((int)sql_real(r, "SELECT count(*) FROM pump_runs"), 0);
}

/* A tank that runs dry: a warning before, the injector off at its last
 * litre, the record what was given, the flush as planned. */
static void a_tank_that_runs_dry_stops_its_injector_and_the_flush_runs(void **state)
{
	struct rig *r = *state;
	int inj[] = { IA };
	struct dose_plan p;
	struct dose_row doses[2];
	struct event_row alarms[4];
	struct tank_stock stock;
	char why[256], warn[256], text[512];

	refill(r, TA, HUMIC, 1.2, 12);
	p = plan_of(r, P1, 1, inj, NULL);
	assert_int_equal(irrigation_check_dosing(r->app.irrigation, &p, why, sizeof(why), warn,
						 sizeof(warn)), 0);
	assert_string_equal(warn, "Bể A holds only 12.0 litres, enough for 8 of the 20 minutes of dosing: the injector stops when it is empty, and the flushing still runs.");
	start_ok(r, &p);
	pass_minutes(r, 17);
	assert_true(injector_on(r, IA));
	assert_false(dosing_dry(irrigation_dosing(r->app.irrigation), P1));
	pass_minutes(r, 1);
	assert_false(injector_on(r, IA));
	assert_true(pump_on(r, TIEU));
	/* The pumps screen says plain water now, not dosing. */
	assert_int_equal(irrigation_phase(r->app.irrigation, P1, NULL), PHASE_DOSING);
	assert_true(dosing_dry(irrigation_dosing(r->app.irrigation), P1));
	assert_int_equal(store_doses_of_run(r->app.store, 1, doses, 2), 1);
	assert_string_equal(doses[0].end_reason, "tank_empty");
	near(doses[0].litres, 12);
	near(record(r, doses[0].record).amount, 1.2);
	assert_int_equal(store_tank_stock(r->app.store, "ta", &stock), 0);
	near(stock.litres, 0);
	assert_int_equal(store_alarms_list(r->app.store, alarms, 4), 1);
	assert_string_equal(alarms[0].kind, "tank_empty");
	assert_string_equal(alarm_text(r->app.cfg, &alarms[0], text, sizeof(text)),
			    "Bể A ran dry while dosing: 12.0 litres of stock given of 30.0. The record says what was given; the pipes were still flushed. Refill the tank.");
	pass_minutes(r, 21);
	assert_true(pump_on(r, TIEU));
	pass_minutes(r, 1);
	assert_false(pump_on(r, TIEU));
	assert_string_equal(sql_text(r, "SELECT end_reason FROM pump_runs"), "done");
}

/* The stop key in the middle of the dose: injector and pump off, the
 * record says the five minutes that were given. */
static void the_stop_key_mid_dose(void **state)
{
	struct rig *r = *state;
	int inj[] = { IA };
	struct dose_plan p;
	struct dose_row doses[2];

	refill(r, TA, HUMIC, 20, 200);
	p = plan_of(r, P1, 1, inj, NULL);
	start_ok(r, &p);
	pass_minutes(r, 15);
	assert_true(injector_on(r, IA));
	assert_int_equal(irrigation_stop(r->app.irrigation, P1, "by_hand"), 0);
	assert_false(injector_on(r, IA));
	assert_false(pump_on(r, TIEU));
	assert_int_equal(store_doses_of_run(r->app.store, 1, doses, 2), 1);
	assert_string_equal(doses[0].end_reason, "by_hand");
	near(doses[0].litres, 7.5);
	near(record(r, doses[0].record).amount, 0.75);
	near(sql_real(r, "SELECT sum(litres) FROM tank_book"), 192.5);
	/* Stopped in the wetting, nothing was given: no record. */
	p = plan_of(r, P1, 1, inj, NULL);
	start_ok(r, &p);
	pass_minutes(r, 5);
	assert_int_equal(irrigation_stop(r->app.irrigation, P1, "by_hand"), 0);
	assert_int_equal(store_doses_of_run(r->app.store, 2, doses, 2), 1);
	assert_int_equal(doses[0].record, 0);
	near(doses[0].litres, 0);
	assert_int_equal((int)sql_real(r, "SELECT count(*) FROM records"), 1);
}

/* "Stop dosing and flush": the injector off at once, the record, then
 * the flushing minutes and the pump stops. */
static void dosing_stopped_early_still_flushes(void **state)
{
	struct rig *r = *state;
	int inj[] = { IA }, left = 0;
	struct dose_plan p;

	refill(r, TA, HUMIC, 20, 200);
	p = plan_of(r, P1, 1, inj, NULL);
	start_ok(r, &p);
	pass_minutes(r, 15);
	assert_int_equal(irrigation_end_dosing(r->app.irrigation, P1), 0);
	assert_false(injector_on(r, IA));
	assert_true(pump_on(r, TIEU));
	assert_int_equal(irrigation_phase(r->app.irrigation, P1, &left), PHASE_FLUSHING);
	assert_int_equal(left, 10);
	near(sql_real(r, "SELECT amount FROM records"), 0.75);
	pass_minutes(r, 9);
	assert_true(pump_on(r, TIEU));
	pass_minutes(r, 1);
	assert_false(pump_on(r, TIEU));
	assert_int_equal((int)sql_real(r, "SELECT ended - started FROM pump_runs"), 25 * 60);
	assert_string_equal(sql_text(r, "SELECT end_reason FROM doses"), "by_hand");
	/* Flushing already: nothing more to stop. */
	assert_int_equal(irrigation_end_dosing(r->app.irrigation, P1), IRR_REFUSED);
}

static void snapshot(struct rig *r, const char *to)
{
	char sql[1100];
	sqlite3 *db;

	snprintf(sql, sizeof(sql), "VACUUM INTO '%s'", to);
	assert_int_equal(sqlite3_open(r->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* The power fails after `minutes` of a run of 10 + 20 + 10; the station
 * comes back an hour later on what the cut left. */
static void cut_after(struct rig *r, int minutes)
{
	int inj[] = { IA };
	struct dose_plan p;
	char cut[520];

	refill(r, TA, HUMIC, 20, 200);
	p = plan_of(r, P1, 1, inj, NULL);
	start_ok(r, &p);
	pass_minutes(r, minutes);
	snprintf(cut, sizeof(cut), "%s/cut.db", r->dir);
	snapshot(r, cut);
	rig_close(r);
	rename(cut, r->db);
	clock_advance(r->app.clock, 3600 * 1000);
	rig_open(r);
	assert_false(pump_on(r, TIEU));
	assert_false(injector_on(r, IA));
	assert_string_equal(sql_text(r, "SELECT end_reason FROM pump_runs"), "power_cut");
	assert_int_equal((int)sql_real(r, "SELECT count(*) FROM doses WHERE ended IS NULL"), 0);
}

static void a_power_cut_while_wetting(void **state)
{
	struct rig *r = *state;

	cut_after(r, 5);
	/* Nothing was given: no record, nothing out of the tank. */
	assert_int_equal((int)sql_real(r, "SELECT count(*) FROM records"), 0);
	near(sql_real(r, "SELECT sum(litres) FROM tank_book"), 200);
	assert_string_equal(sql_text(r, "SELECT end_reason FROM doses"), "power_cut");
	assert_int_equal((int)sql_real(r, "SELECT count(*) FROM events WHERE kind = 'dose_cut'"), 0);
	assert_int_equal((int)sql_real(r, "SELECT count(*) FROM events WHERE kind = 'run_cut' AND alarm"), 1);
}

static void a_power_cut_while_dosing(void **state)
{
	struct rig *r = *state;
	struct event_row alarms[4];
	char text[512];
	int n;

	cut_after(r, 17);
	/* The heartbeat of 06:17: seven minutes of 1.5 litres, 0.1 a litre. */
	near(sql_real(r, "SELECT litres FROM doses"), 10.5);
	near(sql_real(r, "SELECT amount FROM records"), 1.05);
	assert_string_equal(sql_text(r, "SELECT method FROM records"), "injector");
	near(sql_real(r, "SELECT sum(litres) FROM tank_book"), 189.5);
	assert_string_equal(sql_text(r, "SELECT end_reason FROM doses"), "power_cut");
	n = store_alarms_list(r->app.store, alarms, 4);
	assert_int_equal(n, 2);
	assert_string_equal(alarms[0].kind, "dose_cut");
	assert_string_equal(alarm_text(r->app.cfg, &alarms[0], text, sizeof(text)),
			    "The power failed while Châm A was dosing Humic lỏng hữu cơ (last seen 02/06/2026 06:17): 10.5 litres of stock given of 30.0. The record says what was given.");
}

static void a_power_cut_while_flushing(void **state)
{
	struct rig *r = *state;

	cut_after(r, 35);
	/* The dose was over and written at 06:30. */
	near(sql_real(r, "SELECT amount FROM records"), 3);
	assert_string_equal(sql_text(r, "SELECT end_reason FROM doses"), "done");
	assert_int_equal((int)sql_real(r, "SELECT count(*) FROM events WHERE kind = 'dose_cut'"), 0);
}

/* A refill: one product a tank, no more than it holds, a lot number, not
 * in the future; what is left can be thrown away. */
static void refills_are_checked(void **state)
{
	struct rig *r = *state;
	const struct config *cfg = r->app.cfg;
	struct tank_refill f = { .tank = TA, .product = HUMIC, .worker = 0, .amount = 20,
				 .litres = 150, .day = text_day_of(now(r)) };
	struct tank_stock stock;
	char why[256];

	assert_int_equal(tanks_refill(r->app.store, cfg, now(r), &f, why, sizeof(why)), -1);
	assert_string_equal(why, "Type the supplier's lot number from the package.");
	snprintf(f.lot, sizeof(f.lot), "0451.23");
	f.day++;
	assert_int_equal(tanks_refill(r->app.store, cfg, now(r), &f, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "is after today"));
	f.day--;
	f.amount = 60;
	assert_int_equal(tanks_refill(r->app.store, cfg, now(r), &f, why, sizeof(why)), -1);
	assert_string_equal(why, "60 lít of Humic lỏng hữu cơ is not plausible (more than 0, at most 50 lít).");
	f.amount = 20;
	assert_int_equal(tanks_refill(r->app.store, cfg, now(r), &f, why, sizeof(why)), 0);
	f.litres = 60;
	assert_int_equal(tanks_refill(r->app.store, cfg, now(r), &f, why, sizeof(why)), -1);
	assert_string_equal(why, "Bể A holds 150.0 litres; with 60.0 more it would overflow (200 litres).");
	f.product = NAMXANH;
	f.amount = 100;
	f.litres = 10;
	assert_int_equal(tanks_refill(r->app.store, cfg, now(r), &f, why, sizeof(why)), -1);
	assert_string_equal(why, "Bể A still holds 150.0 litres of Humic lỏng hữu cơ: use it up or empty the tank before another product goes in.");
	assert_int_equal(tanks_drain(r->app.store, cfg, now(r), TA, 0, why, sizeof(why)), 0);
	assert_int_equal(store_tank_stock(r->app.store, "ta", &stock), 0);
	near(stock.litres, 0);
	near(stock.amount, 0);
	assert_int_equal(tanks_drain(r->app.store, cfg, now(r), TA, 0, why, sizeof(why)), -1);
	assert_string_equal(why, "Bể A is empty already.");
	assert_int_equal(tanks_refill(r->app.store, cfg, now(r), &f, why, sizeof(why)), 0);
	assert_string_equal(sql_text(r, "SELECT group_concat(kind || ':' || product || ':' || coalesce(lot, ''), ' ')"
				     " FROM tank_book"),
			    "refill:humic:0451.23 drain:humic: refill:namxanh:0451.23");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(a_dose_runs_its_phases_and_writes_its_record),
		T(fertilizer_and_plant_protection_in_one_run),
		T(the_interval_counts_from_the_end_of_the_dose),
		T(an_organic_zone_refuses_what_is_not),
		T(a_dose_is_refused_in_words),
		T(a_tank_that_runs_dry_stops_its_injector_and_the_flush_runs),
		T(the_stop_key_mid_dose),
		T(dosing_stopped_early_still_flushes),
		T(a_power_cut_while_wetting),
		T(a_power_cut_while_dosing),
		T(a_power_cut_while_flushing),
		T(refills_are_checked),
	};

	return cmocka_run_group_tests_name("dosing", tests, NULL, NULL);
}
