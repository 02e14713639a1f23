/* Readings and their roll-ups: each batch refreshes the hourly and daily
 * lowest, mean and highest of what it touched, days are the farm's local
 * days, pruning raw readings leaves the roll-ups whole, and a zone's days
 * come out as the export needs them. */
#include "testlib.h"

#include "sensor.h"
#include "store.h"
#include "text.h"

#include <fcntl.h>
#include <math.h>
#include <sqlite3.h>
#include <time.h>

static char *dir;
static struct store *st;
static int soil1, soil2, air;

/* 01/06/2026 00:00 in Vietnam (UTC+7). */
#define JUNE1 1780246800
/* After every reading of these tests: their hours and days have ended. */
#define LATER (JUNE1 + 400 * 86400LL)

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

static void count_one(void *ctx, const struct reading_row *r)
{
	(void)r;
	(*(int *)ctx)++;
}

struct kept {
	struct reading_row *r;
	int n;
};

static void keep_one(void *ctx, const struct reading_row *r)
{
	struct kept *g = ctx;

	g->r[g->n++] = *r;
}

/* How many raw readings there are in [from, to). */
static int raw_count(int64_t from, int64_t to)
{
	int n = 0;

	assert_int_equal(store_readings_each(st, from, to, count_one, &n), 0);
	return n;
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
	assert_int_equal(store_readings_add(st, rows, 25, LATER), 0);
	assert_int_equal(store_readings_add(st, rows + 25, 35, LATER), 0);
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
	assert_int_equal(store_readings_add(st, rows, 3, LATER), 0);
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
	assert_int_equal(store_readings_add(st, rows, n, LATER), 0);
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
		assert_int_equal(store_readings_add(st, rows + i, 2, LATER), 0);
	before = series(ROLLUP_HOURLY, codes, 2, Q_MOISTURE, JUNE1, JUNE1 + 30 * 86400);
	int before_n = before->n;
	double before_mean = before->p[50].mean;
	/* Everything before 06:00 of day 13 may go, six hours at a time:
	 * a batch's row (here an hour, both probes) at a time. */
	while ((removed = store_readings_prune(st, JUNE1 + 13 * 86400 + 6 * 3600, 6 * 3600)) > 0) {
		assert_true(removed <= 6);
		total += removed;
	}
	assert_int_equal(removed, 0);
	assert_int_equal(total, 72 + 6);	/* days 10 to 12, and six hours */
	assert_int_equal(raw_count(JUNE1, LATER), 2 * (100 - 78));
	after = series(ROLLUP_HOURLY, codes, 2, Q_MOISTURE, JUNE1, JUNE1 + 30 * 86400);
	assert_int_equal(after->n, before_n);
	assert_true(after->p[50].mean == before_mean);
	/* A new reading later on a day whose first hours were pruned: the
	 * day is rolled up again from its hours, so those hours still count. */
	struct reading_row late = { soil1, Q_MOISTURE, JUNE1 + 13 * 86400 + 20 * 3600 + 600, 30 };
	assert_int_equal(store_readings_add(st, &late, 1, LATER), 0);
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
	assert_int_equal(store_readings_add(st, rows, 3, LATER), 0);
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

/* Roll-ups as they were kept before, keyed by sensor first: four zones'
 * worth of made-up hours and their days. */
#define OLD_DAYS 40
static const int old_quantities[] = { Q_MOISTURE, Q_AIR_TEMP };

static struct point old_hour(int sensor, int quantity, int h)
{
	struct point p;

	p.t = JUNE1 + (int64_t)h * 3600;
	p.n = 1 + (sensor * 7 + quantity * 3 + h) % 60;
	p.mean = 20 + sensor * 3 + quantity * 10 + (h % 97) / 7.0;
	p.lo = p.mean - 1.25 - (h % 5) / 3.0;
	p.hi = p.mean + 2.5 + (h % 3) / 9.0;
	return p;
}

/* A day from its 24 hours (JUNE1 is a local midnight). */
static struct point old_day(int sensor, int quantity, int d)
{
	struct point p = { text_day_of(JUNE1) + d, INFINITY, 0, -INFINITY, 0 };
	double sum = 0;

	for (int i = 0; i < 24; i++) {
		struct point h = old_hour(sensor, quantity, d * 24 + i);

		p.n += h.n;
		sum += h.mean * h.n;
		p.lo = fmin(p.lo, h.lo);
		p.hi = fmax(p.hi, h.hi);
	}
	p.mean = sum / p.n;
	return p;
}

static void assert_point(const struct point *got, const struct point *want)
{
	assert_int_equal(got->t, want->t);
	assert_int_equal(got->n, want->n);
	assert_true(got->lo == want->lo);
	assert_true(fabs(got->mean - want->mean) < 1e-9);
	assert_true(got->hi == want->hi);
}

static int64_t count_rows(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *q;
	int64_t n;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return n;
}

/* The rows of old_hour() or old_day() into a roll-up table, in order of
 * time, as a station wrote them. */
static void put_old_rows(sqlite3 *db, bool daily)
{
	sqlite3_stmt *ins;
	int per_series = daily ? OLD_DAYS : OLD_DAYS * 24;

	assert_int_equal(sqlite3_prepare_v2(db, daily
		? "INSERT INTO readings_daily VALUES (?, ?, ?, ?, ?, ?, ?)"
		: "INSERT INTO readings_hourly VALUES (?, ?, ?, ?, ?, ?, ?)", -1, &ins, NULL),
		SQLITE_OK);
	for (int i = 0; i < per_series; i++)
		for (int sensor = 1; sensor <= 3; sensor++)
			for (int qi = 0; qi < 2; qi++) {
				int quantity = old_quantities[qi];
				struct point p = daily ? old_day(sensor, quantity, i)
						       : old_hour(sensor, quantity, i);

				sqlite3_bind_int(ins, 1, sensor);
				sqlite3_bind_int(ins, 2, quantity);
				sqlite3_bind_int64(ins, 3, p.t);
				sqlite3_bind_int64(ins, 4, p.n);
				sqlite3_bind_double(ins, 5, p.lo);
				sqlite3_bind_double(ins, 6, p.mean);
				sqlite3_bind_double(ins, 7, p.hi);
				assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
				sqlite3_reset(ins);
			}
	sqlite3_finalize(ins);
}

/* Every row of a roll-up table, in order of sensor, quantity and time,
 * is what old_hour() or old_day() made, bit for bit. */
static void assert_old_rows(sqlite3 *db, bool daily)
{
	sqlite3_stmt *q;
	int per_series = daily ? OLD_DAYS : OLD_DAYS * 24;

	assert_int_equal(sqlite3_prepare_v2(db, daily
		? "SELECT sensor, quantity, day, n, min, mean, max FROM readings_daily"
		  " ORDER BY sensor, quantity, day"
		: "SELECT sensor, quantity, t, n, min, mean, max FROM readings_hourly"
		  " ORDER BY sensor, quantity, t", -1, &q, NULL), SQLITE_OK);
	for (int sensor = 1; sensor <= 3; sensor++)
		for (int qi = 0; qi < 2; qi++)
			for (int i = 0; i < per_series; i++) {
				int quantity = old_quantities[qi];
				struct point want = daily ? old_day(sensor, quantity, i)
							  : old_hour(sensor, quantity, i);

				assert_int_equal(sqlite3_step(q), SQLITE_ROW);
				assert_int_equal(sqlite3_column_int(q, 0), sensor);
				assert_int_equal(sqlite3_column_int(q, 1), quantity);
				assert_int_equal(sqlite3_column_int64(q, 2), want.t);
				assert_int_equal(sqlite3_column_int64(q, 3), want.n);
				assert_true(sqlite3_column_double(q, 4) == want.lo);
				assert_true(sqlite3_column_double(q, 5) == want.mean);
				assert_true(sqlite3_column_double(q, 6) == want.hi);
			}
	assert_int_equal(sqlite3_step(q), SQLITE_DONE);
	sqlite3_finalize(q);
}

/* A station's roll-ups keyed by sensor first are keyed by time first when
 * it is opened, with every row as it was; charts and the export's days
 * read the same from them, and new readings go on rolling up. */
static void rollups_rekeyed_by_time_keep_every_row(void **state)
{
	char path[600], err[256];
	const char *zone[] = { "soil1", "soil2" }, *one[] = { "soil2" };
	struct reading_row rows[12];
	struct points *ps;
	struct point want;
	sqlite3 *db;
	struct store *old;

	(void)state;
	snprintf(path, sizeof(path), "%s/keyed-by-sensor.db", dir);
	assert_int_equal(store_open(path, STORE_EXCLUSIVE, &old, err, sizeof(err)), 0);
	store_close(old);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
		/* What later versions added goes too, and the raw readings are
		 * as they were then. */
		"DROP TABLE trusted_boards; DROP TABLE trusted_stations;"
		"ALTER TABLE pump_runs DROP COLUMN litres;"
		"DROP TABLE replaced_schedules; DROP TABLE moisture_switches;"
		"DROP TABLE outbox; DROP TABLE tank_book; DROP TABLE doses;"
		"ALTER TABLE pump_runs DROP COLUMN wetting_minutes;"
		"ALTER TABLE pump_runs DROP COLUMN dosing_minutes;"
		"ALTER TABLE pump_runs DROP COLUMN flushing_minutes;"
		"ALTER TABLE records DROP COLUMN organic_override;"
		"DROP TABLE readings_hourly; DROP TABLE readings_daily; DROP TABLE readings_packed;"
		"CREATE TABLE readings("
		"  t INTEGER NOT NULL,"
		"  sensor INTEGER NOT NULL REFERENCES sensors(id),"
		"  quantity INTEGER NOT NULL,"
		"  value REAL NOT NULL,"
		"  PRIMARY KEY (t, sensor, quantity)) WITHOUT ROWID;"
		"CREATE TABLE readings_hourly("
		"  sensor INTEGER NOT NULL REFERENCES sensors(id),"
		"  quantity INTEGER NOT NULL,"
		"  t INTEGER NOT NULL,"
		"  n INTEGER NOT NULL,"
		"  min REAL NOT NULL, mean REAL NOT NULL, max REAL NOT NULL,"
		"  PRIMARY KEY (sensor, quantity, t)) WITHOUT ROWID;"
		"CREATE TABLE readings_daily("
		"  sensor INTEGER NOT NULL REFERENCES sensors(id),"
		"  quantity INTEGER NOT NULL,"
		"  day INTEGER NOT NULL,"
		"  n INTEGER NOT NULL,"
		"  min REAL NOT NULL, mean REAL NOT NULL, max REAL NOT NULL,"
		"  PRIMARY KEY (sensor, quantity, day)) WITHOUT ROWID;"
		"INSERT INTO sensors(id, code) VALUES (1, 'soil1'), (2, 'soil2'), (3, 'air');"
		/* version 7 keys them by time */
		"PRAGMA user_version = 6; BEGIN;", NULL, NULL, NULL), SQLITE_OK);
	put_old_rows(db, false);
	put_old_rows(db, true);
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	/* Opening it brings it to the current schema. */
	assert_int_equal(store_open(path, STORE_EXCLUSIVE, &old, err, sizeof(err)), 0);
	assert_int_equal(store_schema_version(old), store_schema_latest());
	store_close(old);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM readings_hourly"), 3 * 2 * OLD_DAYS * 24);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM readings_daily"), 3 * 2 * OLD_DAYS);
	assert_old_rows(db, false);
	assert_old_rows(db, true);
	/* Time first: a batch of readings adds to the end of each tree. */
	assert_int_equal(count_rows(db,
		"SELECT name = 't' FROM pragma_index_info((SELECT name FROM"
		" pragma_index_list('readings_hourly') WHERE origin = 'pk')) WHERE seqno = 0"), 1);
	assert_int_equal(count_rows(db,
		"SELECT name = 'day' FROM pragma_index_info((SELECT name FROM"
		" pragma_index_list('readings_daily') WHERE origin = 'pk')) WHERE seqno = 0"), 1);
	sqlite3_close(db);

	assert_int_equal(store_open(path, STORE_EXCLUSIVE, &old, err, sizeof(err)), 0);
	store_close(st);
	st = old;
	/* A zone of two probes, two days of hours: only their soil moisture,
	 * not the air sensor's, not their temperature. */
	ps = series(ROLLUP_HOURLY, zone, 2, Q_MOISTURE, JUNE1 + 5 * 86400, JUNE1 + 7 * 86400);
	assert_int_equal(ps->n, 48);
	for (int i = 0; i < 48; i++) {
		struct point a = old_hour(1, Q_MOISTURE, 5 * 24 + i), b = old_hour(2, Q_MOISTURE, 5 * 24 + i);

		want = (struct point){ a.t, fmin(a.lo, b.lo), (a.mean + b.mean) / 2, fmax(a.hi, b.hi),
				       a.n + b.n };
		assert_point(&ps->p[i], &want);
	}
	/* The first of those hours worked out by hand from old_hour(): the
	 * probes' 184/7 and 205/7 % are 389/14 together, the lowest 184/7 -
	 * 1.25, the highest 205/7 + 2.5, of 8 + 15 readings. */
	assert_true(fabs(ps->p[0].mean - 389.0 / 14) < 1e-9);
	assert_true(fabs(ps->p[0].lo - (184.0 / 7 - 1.25)) < 1e-9);
	assert_true(fabs(ps->p[0].hi - (205.0 / 7 + 2.5)) < 1e-9);
	assert_int_equal(ps->p[0].n, 23);
	/* A year's chart reads the days. */
	ps = series(ROLLUP_DAILY, one, 1, Q_AIR_TEMP, 0, 1 << 30);
	assert_int_equal(ps->n, OLD_DAYS);
	for (int d = 0; d < OLD_DAYS; d++) {
		want = old_day(2, Q_AIR_TEMP, d);
		assert_point(&ps->p[d], &want);
	}
	struct points days = { .n = 0 };
	assert_int_equal(store_moisture_daily(st, zone, 2, text_day_of(JUNE1) + 3,
					      text_day_of(JUNE1) + 4, collect, &days), 0);
	assert_int_equal(days.n, 2);
	for (int d = 0; d < 2; d++) {
		struct point a = old_day(1, Q_MOISTURE, 3 + d), b = old_day(2, Q_MOISTURE, 3 + d);

		want = (struct point){ a.t, fmin(a.lo, b.lo), (a.mean + b.mean) / 2, fmax(a.hi, b.hi),
				       a.n + b.n };
		assert_point(&days.p[d], &want);
	}

	/* New readings of soil1 in an hour the roll-ups already hold: the
	 * hour is replaced, not added, and its day is counted again from its
	 * hours; soil2's day stays as it was. */
	for (int i = 0; i < 12; i++)
		rows[i] = (struct reading_row){ 1, Q_MOISTURE, JUNE1 + 10 * 3600 + i * 300, 50.0 };
	assert_int_equal(store_readings_add(st, rows, 12, LATER), 0);
	ps = series(ROLLUP_HOURLY, zone, 1, Q_MOISTURE, JUNE1 + 10 * 3600, JUNE1 + 11 * 3600);
	assert_int_equal(ps->n, 1);
	want = (struct point){ JUNE1 + 10 * 3600, 50.0, 50.0, 50.0, 12 };
	assert_point(&ps->p[0], &want);
	ps = series(ROLLUP_DAILY, zone, 1, Q_MOISTURE, 0, 1 << 30);
	assert_int_equal(ps->n, OLD_DAYS);
	want = old_day(1, Q_MOISTURE, 0);
	struct point replaced = old_hour(1, Q_MOISTURE, 10);
	want.mean = (want.mean * want.n - replaced.mean * replaced.n + 50.0 * 12) /
		    (want.n - replaced.n + 12);
	want.n += 12 - replaced.n;
	assert_int_equal(ps->p[0].n, want.n);
	assert_true(fabs(ps->p[0].mean - want.mean) < 1e-9);
	for (int d = 1; d < OLD_DAYS; d++) {
		want = old_day(1, Q_MOISTURE, d);
		assert_point(&ps->p[d], &want);
	}
	ps = series(ROLLUP_DAILY, zone + 1, 1, Q_MOISTURE, 0, 1 << 30);
	want = old_day(2, Q_MOISTURE, 0);
	assert_point(&ps->p[0], &want);
}


/* The roll-ups of the database file itself, as another program reads
 * them (not the hour and day going on, kept in memory). */
static int64_t file_int(const char *sql)
{
	char path[512];
	sqlite3 *db;
	int64_t n;

	snprintf(path, sizeof(path), "%s/station.db", dir);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	n = count_rows(db, sql);
	sqlite3_close(db);
	return n;
}

/* Every minute from hh:mm for n minutes, soil1's moisture. */
static int minutes(struct reading_row *rows, int hh, int mm, int n, double v)
{
	for (int i = 0; i < n; i++)
		rows[i] = (struct reading_row){ soil1, Q_MOISTURE, JUNE1 + hh * 3600 + (mm + i) * 60, v };
	return n;
}

/* The hour going on is on the charts from the first batch; it is written
 * to the card once it has ended, with its readings, in the commit that
 * takes three hours of batches at once; the day likewise. */
static void an_hour_is_written_once_it_has_ended(void **state)
{
	const char *codes[] = { "soil1" };
	struct reading_row rows[60];
	struct points *ps;

	(void)state;
	store_readings_add(st, rows, minutes(rows, 10, 0, 20, 30.0), JUNE1 + 10 * 3600 + 1200);
	ps = series(ROLLUP_HOURLY, codes, 1, Q_MOISTURE, JUNE1, JUNE1 + 86400);
	assert_int_equal(ps->n, 1);
	assert_int_equal(ps->p[0].n, 20);
	assert_int_equal(file_int("SELECT count(*) FROM readings_hourly"), 0);
	assert_int_equal(store_readings_add(st, rows, minutes(rows, 10, 20, 40, 40.0),
					    JUNE1 + 11 * 3600), 0);
	/* Ended, and whole on the charts; not on the card yet. */
	ps = series(ROLLUP_HOURLY, codes, 1, Q_MOISTURE, JUNE1, JUNE1 + 86400);
	assert_int_equal(ps->n, 1);
	assert_int_equal(ps->p[0].n, 60);
	assert_true(fabs(ps->p[0].mean - (20 * 30.0 + 40 * 40.0) / 60) < 1e-9);
	assert_int_equal(file_int("SELECT count(*) FROM readings_hourly"), 0);
	/* 13:00's batch: three hours of batches go in, and the hour with
	 * them; the day has not ended: on the charts, not on the card. */
	assert_int_equal(store_readings_add(st, rows, minutes(rows, 12, 50, 10, 45.0),
					    JUNE1 + 13 * 3600), 0);
	assert_int_equal(file_int("SELECT n FROM readings_hourly WHERE t = " "1780282800"), 60);
	ps = series(ROLLUP_HOURLY, codes, 1, Q_MOISTURE, JUNE1, JUNE1 + 86400);
	assert_int_equal(ps->n, 2);
	assert_int_equal(ps->p[0].n, 60);
	ps = series(ROLLUP_DAILY, codes, 1, Q_MOISTURE, 0, 1 << 30);
	assert_int_equal(ps->n, 1);
	assert_int_equal(ps->p[0].n, 70);
	assert_int_equal(file_int("SELECT count(*) FROM readings_daily"), 0);
	/* The next day, three hours on: the day is on the card. */
	assert_int_equal(store_readings_add(st, rows, minutes(rows, 24, 0, 10, 35.0),
					    JUNE1 + 86400 + 600), 0);
	assert_int_equal(file_int("SELECT count(*) FROM readings_daily"), 0);
	assert_int_equal(store_readings_add(st, rows, minutes(rows, 26, 50, 10, 35.0),
					    JUNE1 + 86400 + 3 * 3600), 0);
	assert_int_equal(file_int("SELECT n FROM readings_daily"), 70);
	ps = series(ROLLUP_DAILY, codes, 1, Q_MOISTURE, 0, 1 << 30);
	assert_int_equal(ps->n, 2);
	assert_int_equal(ps->p[0].n, 70);
	assert_int_equal(ps->p[1].n, 20);
}

/* A station stopped mid-hour writes what it had (settle); started again
 * later in that hour it goes on counting from its raw readings, and the
 * charts count each reading once. */
static void a_stop_mid_hour_counts_each_reading_once(void **state)
{
	char path[512], err[256];
	const char *codes[] = { "soil1" };
	struct reading_row rows[60];
	struct points *ps;

	(void)state;
	store_readings_add(st, rows, minutes(rows, 10, 0, 30, 30.0), JUNE1 + 10 * 3600 + 1800);
	assert_int_equal(store_readings_settle(st), 0);
	assert_int_equal(file_int("SELECT n FROM readings_hourly"), 30);
	assert_int_equal(file_int("SELECT n FROM readings_daily"), 30);
	store_close(st);
	snprintf(path, sizeof(path), "%s/station.db", dir);
	assert_int_equal(store_open(path, STORE_EXCLUSIVE, &st, err, sizeof(err)), 0);
	assert_int_equal(store_readings_resume(st, JUNE1 + 10 * 3600 + 2400), 0);
	store_readings_add(st, rows, minutes(rows, 10, 40, 10, 50.0), JUNE1 + 10 * 3600 + 3000);
	ps = series(ROLLUP_HOURLY, codes, 1, Q_MOISTURE, JUNE1, JUNE1 + 86400);
	assert_int_equal(ps->n, 1);
	assert_int_equal(ps->p[0].n, 40);
	ps = series(ROLLUP_DAILY, codes, 1, Q_MOISTURE, 0, 1 << 30);
	assert_int_equal(ps->n, 1);
	assert_int_equal(ps->p[0].n, 40);
	/* Stopped again, and started the next morning: the hour and the day
	 * have ended, and are written as they ended. */
	store_close(st);
	assert_int_equal(store_open(path, STORE_EXCLUSIVE, &st, err, sizeof(err)), 0);
	assert_int_equal(store_readings_resume(st, JUNE1 + 86400 + 6 * 3600), 0);
	assert_int_equal(file_int("SELECT n FROM readings_hourly"), 40);
	assert_int_equal(file_int("SELECT n FROM readings_daily"), 40);
	assert_true(fabs(file_int("SELECT mean * 1000 FROM readings_daily") -
			 (30 * 30.0 + 10 * 50.0) / 40 * 1000) < 1);
}

/* A clock set back: a batch whose readings fall among those already
 * written is merged with them, the newer value winning at a second. */
static void a_batch_among_older_readings_is_merged(void **state)
{
	struct reading_row rows[60];
	int n = 0;

	(void)state;
	store_readings_add(st, rows, minutes(rows, 10, 0, 10, 30.0), JUNE1 + 10 * 3600 + 600);
	store_readings_add(st, rows, minutes(rows, 10, 5, 10, 31.0), JUNE1 + 10 * 3600 + 900);
	assert_int_equal(raw_count(JUNE1, LATER), 15);
	assert_int_equal(file_int("SELECT count(*) FROM readings_packed"), 1);
	assert_int_equal(store_readings_each(st, JUNE1 + 10 * 3600 + 300, JUNE1 + 10 * 3600 + 360,
					     count_one, &n), 0);
	assert_int_equal(n, 1);
	struct reading_row got[15];
	struct kept g = { got, 0 };
	assert_int_equal(store_readings_each(st, JUNE1, LATER, keep_one, &g), 0);
	for (int i = 0; i < 15; i++)
		assert_true(got[i].value == (i < 5 ? 30.0 : 31.0));
}

/* The readings of the first layout, a row each, are packed when a new
 * program opens the database: every one comes back with its value, bit
 * for bit, and its hour's roll-up stays. */
static void old_readings_are_packed_with_every_value(void **state)
{
	char path[600], err[256];
	struct store *old;
	sqlite3 *db;
	int n = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/old-layout.db", dir);
	assert_int_equal(store_open(path, STORE_EXCLUSIVE, &old, err, sizeof(err)), 0);
	store_close(old);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
		"DROP TABLE readings_packed;"
		"DROP TABLE trusted_boards; DROP TABLE trusted_stations;"
		"ALTER TABLE pump_runs DROP COLUMN litres;"
		"DROP TABLE replaced_schedules; DROP TABLE moisture_switches;"
		"DROP TABLE outbox; DROP TABLE tank_book; DROP TABLE doses;"
		"ALTER TABLE pump_runs DROP COLUMN wetting_minutes;"
		"ALTER TABLE pump_runs DROP COLUMN dosing_minutes;"
		"ALTER TABLE pump_runs DROP COLUMN flushing_minutes;"
		"ALTER TABLE records DROP COLUMN organic_override;"
		"CREATE TABLE readings("
		"  t INTEGER NOT NULL,"
		"  sensor INTEGER NOT NULL REFERENCES sensors(id),"
		"  quantity INTEGER NOT NULL,"
		"  value REAL NOT NULL,"
		"  PRIMARY KEY (t, sensor, quantity)) WITHOUT ROWID;"
		"INSERT INTO sensors(id, code) VALUES (1, 'soil1'), (2, 'air');"
		"WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n < 49999)"
		" INSERT INTO readings SELECT 1780246800 + n * 60, 1 + n % 2, n % 3,"
		"  CASE n % 4 WHEN 0 THEN n / 10.0 WHEN 1 THEN -n / 7.0 WHEN 2 THEN n ELSE 1e-3 * n END"
		"  FROM i;"
		"INSERT INTO readings_hourly VALUES (1, 0, 1780246800, 60, 1, 2, 3);"
		"PRAGMA user_version = 7;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(path, STORE_EXCLUSIVE, &old, err, sizeof(err)), 0);
	assert_int_equal(store_schema_version(old), store_schema_latest());
	store_close(st);
	st = old;
	struct reading_row *got = calloc(50000, sizeof(*got));
	struct kept g = { got, 0 };
	assert_int_equal(store_readings_each(st, 0, LATER, keep_one, &g), 0);
	assert_int_equal(g.n, 50000);
	for (int i = 0; i < 50000; i++) {
		double want = i % 4 == 0 ? i / 10.0 : i % 4 == 1 ? -i / 7.0 : i % 4 == 2 ? i : 1e-3 * i;

		assert_int_equal(got[i].t, JUNE1 + i * 60);
		assert_int_equal(got[i].sensor, 1 + i % 2);
		assert_int_equal(got[i].quantity, i % 3);
		assert_memory_equal(&got[i].value, &want, sizeof(double));
		n++;
	}
	assert_int_equal(n, 50000);
	free(got);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM readings_hourly WHERE mean = 2"), 1);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'readings'"), 0);
	/* An hour a row: 50000 minutes are 834 hours. */
	assert_int_equal(count_rows(db, "SELECT count(*) FROM readings_packed"), 834);
	/* The old rows' pages are given back, not carried by every copy. */
	assert_int_equal(count_rows(db, "PRAGMA freelist_count"), 0);
	sqlite3_close(db);
}

static void reopen(unsigned flags)
{
	char path[512], err[256];

	store_close(st);
	snprintf(path, sizeof(path), "%s/station.db", dir);
	assert_int_equal(store_open(path, flags, &st, err, sizeof(err)), 0);
}

/* Ten-minute batches are made safe in the pending file, a page each, and
 * the database takes three hours of them in one commit, a row an hour.
 * Another program reads them all the while. */
static void hours_of_batches_go_in_at_once(void **state)
{
	char path[512], err[256];
	struct reading_row rows[60];
	struct store *other;
	int n = 0;

	(void)state;
	for (int b = 0; b < 18; b++) {
		assert_int_equal(store_readings_add(st, rows, minutes(rows, 10, b * 10, 10, 30.0 + b),
						    JUNE1 + 10 * 3600 + (b + 1) * 600 - 1), 0);
		assert_int_equal(file_int("SELECT count(*) FROM readings_packed"), 0);
	}
	assert_int_equal(raw_count(JUNE1, LATER), 180);
	snprintf(path, sizeof(path), "%s/station.db", dir);
	assert_int_equal(store_open(path, STORE_RDONLY, &other, err, sizeof(err)), 0);
	assert_int_equal(store_readings_each(other, JUNE1, LATER, count_one, &n), 0);
	store_close(other);
	assert_int_equal(n, 180);
	/* 13:00's batch: three hours have ended. */
	assert_int_equal(store_readings_add(st, rows, minutes(rows, 13, 0, 10, 35.0),
					    JUNE1 + 13 * 3600 + 600), 0);
	assert_int_equal(file_int("SELECT count(*) FROM readings_packed"), 4);
	assert_int_equal(file_int("SELECT count(*) FROM readings_packed WHERE t = 1780282800"
				  " AND last = 1780282800 + 59 * 60"), 1);
	assert_int_equal(file_int("SELECT count(*) FROM readings_hourly"), 3);
	assert_int_equal(file_int("SELECT n FROM readings_hourly WHERE t = 1780282800"), 60);
	/* Read from the side, nothing twice: the pending file still holds
	 * batches the database has taken. */
	n = 0;
	assert_int_equal(store_open(path, STORE_RDONLY, &other, err, sizeof(err)), 0);
	assert_int_equal(store_readings_each(other, JUNE1, LATER, count_one, &n), 0);
	store_close(other);
	assert_int_equal(n, 190);
}

/* A power cut between two commits: what was made safe comes back at the
 * next start, once. */
static void fresh_batches_outlive_a_power_cut(void **state)
{
	struct reading_row rows[60];

	(void)state;
	store_readings_add(st, rows, minutes(rows, 10, 0, 10, 30.0), JUNE1 + 10 * 3600 + 600);
	store_readings_add(st, rows, minutes(rows, 10, 10, 10, 31.0), JUNE1 + 10 * 3600 + 1200);
	assert_int_equal(file_int("SELECT count(*) FROM readings_packed"), 0);
	/* The store closed as a killed process leaves it: nothing settled. */
	reopen(STORE_EXCLUSIVE);
	assert_int_equal(file_int("SELECT count(*) FROM readings_packed"), 1);
	assert_int_equal(raw_count(JUNE1, LATER), 20);
	reopen(STORE_EXCLUSIVE);
	assert_int_equal(raw_count(JUNE1, LATER), 20);
}

/* A batch cut short by the power cut, or a page the card garbled: it and
 * what follows are not read; what was whole before comes back. */
static void a_torn_batch_is_left_out(void **state)
{
	struct reading_row rows[60];
	char path[600];
	int fd;

	(void)state;
	store_readings_add(st, rows, minutes(rows, 10, 0, 10, 30.0), JUNE1 + 10 * 3600 + 600);
	store_readings_add(st, rows, minutes(rows, 10, 10, 10, 31.0), JUNE1 + 10 * 3600 + 1200);
	store_readings_add(st, rows, minutes(rows, 10, 20, 10, 32.0), JUNE1 + 10 * 3600 + 1800);
	store_close(st);
	st = NULL;
	snprintf(path, sizeof(path), "%s/station.db.pending", dir);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	/* The second batch's page (page 2), past its header. */
	assert_int_equal(pwrite(fd, "garbled", 7, 2 * 4096 + 40), 7);
	close(fd);
	reopen(STORE_EXCLUSIVE);
	assert_int_equal(raw_count(JUNE1, LATER), 10);
}

/* Each minute a pump runs the station notes that it is alive, in the
 * pending file: the note is the last moment known alive, to this
 * connection, another, and the next start. */
static void the_alive_note_is_the_last_moment_known(void **state)
{
	char path[512], err[256];
	struct store *other;
	int64_t t = 0;

	(void)state;
	struct alive_run runs[2] = { { 7, 120.5 }, { 9, NAN } }, back[STORE_ALIVE_RUNS];

	assert_int_equal(store_note_alive(st, JUNE1 + 7 * 3600, runs, 2), 0);
	runs[0].litres = 160.25;
	assert_int_equal(store_note_alive(st, JUNE1 + 7 * 3600 + 60, runs, 2), 0);
	assert_int_equal(store_last_alive(st, &t), 0);
	assert_int_equal(t, JUNE1 + 7 * 3600 + 60);
	snprintf(path, sizeof(path), "%s/station.db", dir);
	assert_int_equal(store_open(path, STORE_RDONLY, &other, err, sizeof(err)), 0);
	t = 0;
	assert_int_equal(store_last_alive(other, &t), 0);
	store_close(other);
	assert_int_equal(t, JUNE1 + 7 * 3600 + 60);
	reopen(STORE_EXCLUSIVE);
	t = 0;
	assert_int_equal(store_last_alive(st, &t), 0);
	assert_int_equal(t, JUNE1 + 7 * 3600 + 60);
	/* With each run's water at that minute. */
	assert_int_equal(store_alive_note(st, &t, back), 2);
	assert_int_equal(t, JUNE1 + 7 * 3600 + 60);
	assert_int_equal(back[0].id, 7);
	assert_true(back[0].litres == 160.25);
	assert_int_equal(back[1].id, 9);
	assert_true(isnan(back[1].litres));
	/* Not a commit of the database. */
	assert_int_equal(file_int("SELECT count(*) FROM events"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(an_hour_in_two_batches_rolls_up_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(days_are_the_farms_local_days, setup, teardown),
		cmocka_unit_test_setup_teardown(daily_mean_weighs_each_reading, setup, teardown),
		cmocka_unit_test_setup_teardown(pruning_keeps_the_rollups, setup, teardown),
		cmocka_unit_test_setup_teardown(a_zone_of_two_sensors, setup, teardown),
		cmocka_unit_test_setup_teardown(rollups_rekeyed_by_time_keep_every_row, setup, teardown),
		cmocka_unit_test_setup_teardown(an_hour_is_written_once_it_has_ended, setup, teardown),
		cmocka_unit_test_setup_teardown(a_stop_mid_hour_counts_each_reading_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_batch_among_older_readings_is_merged, setup,
						teardown),
		cmocka_unit_test_setup_teardown(old_readings_are_packed_with_every_value, setup,
						teardown),
		cmocka_unit_test_setup_teardown(hours_of_batches_go_in_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(fresh_batches_outlive_a_power_cut, setup, teardown),
		cmocka_unit_test_setup_teardown(a_torn_batch_is_left_out, setup, teardown),
		cmocka_unit_test_setup_teardown(the_alive_note_is_the_last_moment_known, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("store_readings", tests, NULL, NULL);
}
