/* The store: schema and settings, migrations, refusals with reasons, and
 * what the station writes. */
#include "testlib.h"

#include "cardvfs.h"
#include "store.h"
#include "text.h"

#include <math.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>

static char *dir;

static int setup(void **state)
{
	(void)state;
	text_init("en");
	dir = test_mkdir();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_rmdir(dir);
	return 0;
}

static const char *path_of(const char *name)
{
	static char p[512];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static struct store *open_ok(const char *name, unsigned flags)
{
	struct store *s = NULL;
	char err[512];

	if (store_open(path_of(name), flags, &s, err, sizeof(err)) != 0)
		fail_msg("open %s: %s", name, err);
	return s;
}

static const char *sql_text(const char *path, const char *sql)
{
	static char out[512];
	sqlite3 *db;
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	out[0] = '\0';
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, sizeof(out), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

static void new_database_has_schema_wal_and_tables(void **state)
{
	struct store *s = open_ok("new.db", STORE_EXCLUSIVE);

	(void)state;
	assert_int_equal(store_schema_version(s), store_schema_latest());
	store_close(s);
	assert_string_equal(sql_text(path_of("new.db"), "PRAGMA journal_mode"), "wal");
	assert_string_equal(sql_text(path_of("new.db"),
				     "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema"
				     " WHERE type = 'table' ORDER BY name)"),
			    "calibrations,doses,events,lots,meta,moisture_switches,names,origins,outbox,"
			    "port_choices,pump_runs,readings_daily,readings_hourly,readings_packed,"
			    "records,replaced_schedules,schedules,sensors,sqlite_sequence,stations,"
			    "tank_book,trusted_boards,trusted_stations");
}

static void synchronous_full(void **state)
{
	struct store *s = open_ok("sync.db", 0);
	sqlite3 *db;

	(void)state;
	/* The setting is per connection: check the store's own. */
	db = *(sqlite3 **)s;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA synchronous", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 2);	/* FULL */
	sqlite3_finalize(st);
	store_close(s);
}

static void reopening_keeps_data_and_version(void **state)
{
	struct store *s = open_ok("keep.db", 0);
	char buf[64];

	(void)state;
	assert_int_equal(store_meta_set(s, "station", "PT01"), 0);
	store_close(s);
	s = open_ok("keep.db", 0);
	assert_int_equal(store_meta_get(s, "station", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "PT01");
	assert_int_equal(store_schema_version(s), store_schema_latest());
	store_close(s);
}

static void refuses_a_newer_database(void **state)
{
	struct store *s = open_ok("newer.db", 0);
	char err[512];

	(void)state;
	store_close(s);
	sql_text(path_of("newer.db"), "PRAGMA user_version = 999");
	assert_int_equal(store_open(path_of("newer.db"), 0, &s, err, sizeof(err)), STORE_NEWER);
	assert_null(s);
	assert_non_null(strstr(err, "newer"));
}

static void refuses_what_is_not_a_station_database(void **state)
{
	struct store *s = NULL;
	char err[512];

	(void)state;
	/* Another program's SQLite file. */
	sql_text(path_of("other.db"), "CREATE TABLE t(x)");
	assert_int_equal(store_open(path_of("other.db"), 0, &s, err, sizeof(err)), STORE_CORRUPT);
	assert_non_null(strstr(err, "not a station database"));
	/* And it was not touched. */
	assert_string_equal(sql_text(path_of("other.db"), "PRAGMA user_version"), "0");
	/* A text file. */
	test_write(dir, "text.db", "this is not a database, just words on a card\n");
	assert_int_equal(store_open(path_of("text.db"), 0, &s, err, sizeof(err)), STORE_CORRUPT);
	assert_non_null(strstr(err, "text.db"));
}

static int expect_readonly(void)
{
	struct store *s = NULL;
	char err[512];

	if (store_open(path_of("ro.db"), 0, &s, err, sizeof(err)) != STORE_READONLY || s)
		return 1;
	return strstr(err, "cannot be written") ? 0 : 2;
}

static void refuses_a_read_only_file_with_a_sentence(void **state)
{
	struct store *s = open_ok("ro.db", 0);
	int status;
	pid_t pid;

	(void)state;
	store_close(s);
	chmod(dir, 0755);
	chmod(path_of("ro.db"), 0444);
	if (geteuid() != 0) {
		assert_int_equal(expect_readonly(), 0);
		return;
	}
	/* root writes through permissions: try it as nobody. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(setgid(65534) || setuid(65534) ? 3 : expect_readonly());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void missing_folder(void **state)
{
	struct store *s = NULL;
	char err[512];

	(void)state;
	assert_true(store_open("/nonexistent/folder/station.db", 0, &s, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "/nonexistent/folder/station.db"));
}

/* status, export, trace and reset-pin never make a database where a path
 * was mistyped: they say there is none, and leave nothing behind. */
static void a_missing_database_is_said_not_made(void **state)
{
	struct store *s = NULL;
	char err[512];

	(void)state;
	assert_int_equal(store_open(path_of("typo.db"), STORE_RDONLY, &s, err, sizeof(err)),
			 STORE_MISSING);
	assert_null(s);
	assert_non_null(strstr(err, "There is no database"));
	assert_non_null(strstr(err, "typo.db"));
	assert_null(strstr(err, "unable to open"));
	assert_int_equal(store_open(path_of("typo.db"), STORE_EXCLUSIVE | STORE_EXISTING, &s, err,
				    sizeof(err)), STORE_MISSING);
	assert_int_equal(access(path_of("typo.db"), F_OK), -1);
	assert_int_equal(access(path_of("typo.db.lock"), F_OK), -1);
	/* An empty file is no station's database either: not migrated. */
	fclose(fopen(path_of("empty.db"), "w"));
	assert_int_equal(store_open(path_of("empty.db"), STORE_EXISTING, &s, err, sizeof(err)),
			 STORE_CORRUPT);
	assert_string_equal(sql_text(path_of("empty.db"), "PRAGMA user_version"), "0");
	/* A station's database opens as usual. */
	store_close(open_ok("there.db", 0));
	store_close(open_ok("there.db", STORE_EXCLUSIVE | STORE_EXISTING));
}

static void one_running_station_per_database(void **state)
{
	struct store *a = open_ok("one.db", STORE_EXCLUSIVE), *b = NULL, *ro;
	char err[512];

	(void)state;
	assert_int_equal(store_open(path_of("one.db"), STORE_EXCLUSIVE, &b, err, sizeof(err)),
			 STORE_LOCKED);
	assert_non_null(strstr(err, "already using"));
	/* status and check read alongside the running station. */
	ro = open_ok("one.db", STORE_RDONLY);
	store_close(ro);
	store_close(a);
	b = open_ok("one.db", STORE_EXCLUSIVE);
	store_close(b);
}

static struct {
	struct reading_row r[16];
	int n;
} got;

static void keep_row(void *ctx, const struct reading_row *r)
{
	(void)ctx;
	if (got.n < 16)
		got.r[got.n++] = *r;
}

static void readings_round_trip(void **state)
{
	struct store *s = open_ok("readings.db", 0);
	struct reading_row rows[3];
	int a, b, again;

	(void)state;
	assert_int_equal(store_sensor_id(s, "soil1", &a), 0);
	assert_int_equal(store_sensor_id(s, "air", &b), 0);
	assert_int_equal(store_sensor_id(s, "soil1", &again), 0);
	assert_int_equal(a, again);
	assert_int_not_equal(a, b);
	rows[0] = (struct reading_row){ a, 0, 1000, 35.5 };
	rows[1] = (struct reading_row){ a, 0, 1060, 36.1 };
	rows[2] = (struct reading_row){ b, 4, 1060, 29.4 };
	assert_int_equal(store_readings_add(s, rows, 3, 2000), 0);
	int64_t alive;
	assert_int_equal(store_last_alive(s, &alive), 0);
	assert_int_equal(alive, 1060);
	store_close(s);
	s = open_ok("readings.db", STORE_RDONLY);
	got.n = 0;
	assert_int_equal(store_readings_each(s, 0, 5000, keep_row, &got), 0);
	store_close(s);
	assert_int_equal(got.n, 3);
	assert_true(got.r[0].t == 1000 && got.r[0].sensor == a && got.r[0].value == 35.5);
	assert_true(got.r[1].t == 1060 && got.r[1].sensor == a && got.r[1].value == 36.1);
	assert_true(got.r[2].t == 1060 && got.r[2].sensor == b && got.r[2].quantity == 4 &&
		    got.r[2].value == 29.4);
}

static void runs_open_and_close(void **state)
{
	struct store *s = open_ok("runs.db", 0);
	struct run_row r = { .reason = RUN_MANUAL, .started = 5000, .planned_end = 6800,
			     .moisture_before = 28.5 };
	struct run_row open[4];

	(void)state;
	snprintf(r.pump, sizeof(r.pump), "p1");
	snprintf(r.zone, sizeof(r.zone), "mit");
	assert_int_equal(store_run_begin(s, &r), 0);
	assert_true(r.id > 0);
	assert_int_equal(store_runs_open(s, open, 4), 1);
	assert_string_equal(open[0].pump, "p1");
	assert_int_equal(open[0].planned_end, 6800);
	assert_true(fabs(open[0].moisture_before - 28.5) < 1e-9);
	r.ended = 6000;
	snprintf(r.end_reason, sizeof(r.end_reason), "by_hand");
	r.moisture_after = 33.0;
	assert_int_equal(store_run_end(s, &r), 0);
	assert_int_equal(store_runs_open(s, open, 4), 0);
	/* A run that ends before it starts is refused by the schema. */
	struct run_row bad = r;
	bad.planned_end = bad.started;
	assert_true(store_run_begin(s, &bad) < 0);
	store_close(s);
	assert_string_equal(sql_text(path_of("runs.db"),
				     "SELECT pump || ' ' || zone || ' ' || reason || ' ' || ended || ' '"
				     " || end_reason || ' ' || moisture_after FROM pump_runs"),
			    "p1 mit manual 6000 by_hand 33.0");
}

static void events_and_alarms(void **state)
{
	struct store *s = open_ok("events.db", 0);
	struct event_row alarm;
	int n = -1;

	(void)state;
	assert_int_equal(store_event(s, 100, "start", NULL, "0.1.0", false), 0);
	assert_int_equal(store_alarms_open(s, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_has_alarm_waiting(s, "sensor_lost", "soil1"), 0);
	assert_int_equal(store_event(s, 200, "sensor_lost", "soil1", NULL, true), 0);
	assert_int_equal(store_alarms_open(s, &n), 0);
	assert_int_equal(n, 1);
	/* The question answers 1 for yes, for that kind and source only. */
	assert_int_equal(store_has_alarm_waiting(s, "sensor_lost", "soil1"), 1);
	assert_int_equal(store_has_alarm_waiting(s, "sensor_lost", "soil2"), 0);
	assert_int_equal(store_has_alarm_waiting(s, "no_rise", "soil1"), 0);
	/* Not an alarm: a start waits for nobody. */
	assert_int_equal(store_has_alarm_waiting(s, "start", NULL), 0);
	assert_int_equal(store_alarms_list(s, &alarm, 1), 1);
	assert_int_equal(store_alarm_ack(s, alarm.id, 300), 0);
	assert_int_equal(store_has_alarm_waiting(s, "sensor_lost", "soil1"), 0);
	store_close(s);
}

/* Each database names its station for good: a uid made once, kept when
 * the code or the names in the configuration change. */
static void a_station_has_one_uid_and_remembers_its_names(void **state)
{
	struct store *a = open_ok("uid-a.db", 0), *b = open_ok("uid-b.db", 0);
	char uid_a[40], uid_b[40], again[40], code[16], name[96];
	const struct store_name names[] = {
		{ "zone", "mit", "Mít ruột đỏ", NULL },
		{ "sensor", "soil1", "soil1", "mit" },
	};

	(void)state;
	assert_int_equal(store_station_identity(a, uid_a, sizeof(uid_a), code, sizeof(code), name,
						sizeof(name)), 0);
	assert_int_equal(strlen(uid_a), 32);
	assert_string_equal(code, "");
	assert_int_equal(store_station_identity(b, uid_b, sizeof(uid_b), code, sizeof(code), name,
						sizeof(name)), 0);
	assert_string_not_equal(uid_a, uid_b);
	assert_false(store_is_office(a));
	assert_int_equal(store_station_remember(a, "PT01", "Trạm 1", names, 2), 0);
	assert_int_equal(store_station_remember(a, "PT02", "Trạm 2", names, 1), 0);
	store_close(a);
	store_close(b);
	a = open_ok("uid-a.db", STORE_RDONLY);
	assert_int_equal(store_station_identity(a, again, sizeof(again), code, sizeof(code), name,
						sizeof(name)), 0);
	assert_string_equal(again, uid_a);
	assert_string_equal(code, "PT02");
	assert_string_equal(name, "Trạm 2");
	store_close(a);
	/* The names are those of the latest configuration only. */
	assert_string_equal(sql_text(path_of("uid-a.db"),
				     "SELECT group_concat(kind || ':' || id || '=' || name, ' ') FROM names"),
			    "zone:mit=Mít ruột đỏ");
}

/* A write the card refuses: the store says the card fails, in words,
 * until a write goes through again; and, the card working again, it finds
 * out by itself. */
static void a_failing_card_is_told_and_tried_again(void **state)
{
	struct store *s;
	char v[32];

	(void)state;
	assert_int_equal(cardvfs_install(), 0);
	s = open_ok("failing.db", STORE_EXCLUSIVE);
	assert_int_equal(store_meta_set(s, "kept", "1"), 0);
	assert_int_equal(store_card(s), CARD_OK);
	cardvfs_command("fail write EIO 1");
	assert_int_equal(store_meta_set(s, "lost", "1"), STORE_CARD);
	assert_string_equal(store_error(s), "the memory card is failing");
	/* Tried again at once: still failing. */
	assert_int_equal(store_card_try(s), CARD_FAILING);
	assert_true(cardvfs_failed() >= 2);
	cardvfs_command("heal");
	/* Asked again within 2 s, it waits before writing once more. */
	assert_int_equal(store_card(s), CARD_FAILING);
	assert_int_equal(store_card_try(s), CARD_OK);
	assert_int_equal(store_meta_get(s, "kept", v, sizeof(v)), 0);
	assert_string_equal(v, "1");
	assert_int_equal(store_meta_get(s, "lost", v, sizeof(v)), 0);
	assert_string_equal(v, "");

	/* A sync that fails: the probe's too. A statement that changes
	 * nothing proves nothing; one that writes says the card works. */
	cardvfs_command("fail sync EIO 1");
	assert_int_equal(store_meta_set(s, "lost", "2"), STORE_CARD);
	assert_int_equal(store_card_try(s), CARD_FAILING);
	assert_int_equal(store_readings_prune(s, 1, 3600), 0);
	assert_int_equal(store_card(s), CARD_FAILING);
	cardvfs_command("heal");
	assert_int_equal(store_readings_prune(s, 1, 3600), 0);
	assert_int_equal(store_card(s), CARD_FAILING);
	assert_int_equal(store_meta_set(s, "kept", "2"), 0);
	assert_int_equal(store_card(s), CARD_OK);
	store_close(s);
}

/* Readings of the hour under way, while the card fails: they wait in the
 * pending file and in memory, and their commit, which wrote nothing to
 * the database, is no sign that the card works again: a new record is
 * still refused before it is begun. Once the card heals, they go in. */
static void readings_kept_in_memory_prove_nothing(void **state)
{
	const int64_t now = 1780246800 + 1800;
	struct reading_row row;
	struct store *s;
	int soil;

	(void)state;
	assert_int_equal(cardvfs_install(), 0);
	s = open_ok("fresh.db", STORE_EXCLUSIVE);
	assert_int_equal(store_sensor_id(s, "soil1", &soil), 0);
	cardvfs_command("fail write EIO 1");
	assert_int_equal(store_meta_set(s, "lost", "1"), STORE_CARD);
	assert_int_equal(store_card(s), CARD_FAILING);
	for (int i = 0; i < 3; i++) {
		row = (struct reading_row){ soil, 0, now - 600 + 60 * i, 35.5 + i };
		assert_int_equal(store_readings_add(s, &row, 1, now), 0);
		assert_int_equal(store_card(s), CARD_FAILING);
	}
	assert_int_equal(store_card_try(s), CARD_FAILING);
	cardvfs_command("heal");
	assert_int_equal(store_card_try(s), CARD_OK);
	assert_int_equal(store_readings_settle(s), 0);
	store_close(s);
	s = open_ok("fresh.db", STORE_RDONLY);
	got.n = 0;
	assert_int_equal(store_readings_each(s, now - 3600, now, keep_row, &got), 0);
	store_close(s);
	assert_int_equal(got.n, 3);
	assert_true(got.r[0].value == 35.5 && got.r[2].value == 37.5);
}

/* A read the card refuses (what was in memory is no help: a new
 * connection has nothing there). */
static void a_card_that_cannot_be_read_fails_too(void **state)
{
	struct store *s;
	char v[32];

	(void)state;
	assert_int_equal(cardvfs_install(), 0);
	s = open_ok("unreadable.db", STORE_EXCLUSIVE);
	assert_int_equal(store_meta_set(s, "kept", "1"), 0);
	store_close(s);
	s = open_ok("unreadable.db", STORE_EXCLUSIVE);
	cardvfs_command("fail read EIO 1");
	assert_int_equal(store_meta_get(s, "kept", v, sizeof(v)), STORE_CARD);
	assert_string_equal(store_error(s), "the memory card is failing");
	assert_int_equal(store_card_try(s), CARD_FAILING);
	cardvfs_command("heal");
	assert_int_equal(store_card_try(s), CARD_OK);
	assert_int_equal(store_meta_get(s, "kept", v, sizeof(v)), 0);
	assert_string_equal(v, "1");
	store_close(s);
}

/* A station's database from before dosing through the line: its records
 * table is made again so that a fertilizing record may say "injector",
 * every row and every reference as it was, and the schema the same as a
 * new station's (the office checks a copy against that). */
static void records_made_again_for_injectors_keep_every_row(void **state)
{
	struct store *s = open_ok("v9.db", STORE_EXCLUSIVE);
	struct backup_facts f;
	char why[256], path[600];
	sqlite3 *db;

	(void)state;
	store_close(s);
	snprintf(path, sizeof(path), "%s", path_of("v9.db"));
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
		"DROP TABLE replaced_schedules; DROP TABLE moisture_switches;"
		"DROP TABLE outbox; DROP TABLE tank_book; DROP TABLE doses;"
		"ALTER TABLE pump_runs DROP COLUMN wetting_minutes;"
		"ALTER TABLE pump_runs DROP COLUMN dosing_minutes;"
		"ALTER TABLE pump_runs DROP COLUMN flushing_minutes;"
		/* The records table as version 2 made it. */
		"CREATE TABLE records_old("
		"  id INTEGER PRIMARY KEY,"
		"  kind TEXT NOT NULL CHECK (kind IN ('fertilize', 'spray', 'harvest')),"
		"  day TEXT NOT NULL,"
		"  zone TEXT NOT NULL,"
		"  zone_name TEXT NOT NULL,"
		"  product TEXT, product_name TEXT, organic INTEGER,"
		"  amount REAL CHECK (amount > 0), unit TEXT,"
		"  method TEXT CHECK (method IN ('venturi', 'hand')),"
		"  target TEXT,"
		"  phi_days INTEGER CHECK (phi_days >= 0), harvest_from TEXT,"
		"  crop TEXT, kg REAL CHECK (kg > 0), grade TEXT, buyer TEXT,"
		"  lot_code TEXT REFERENCES lots(code),"
		"  phi_override INTEGER REFERENCES records(id),"
		"  who TEXT NOT NULL,"
		"  who_name TEXT NOT NULL,"
		"  entered_at INTEGER NOT NULL,"
		"  corrects INTEGER UNIQUE REFERENCES records(id),"
		"  voided INTEGER NOT NULL DEFAULT 0 CHECK (voided = 0 OR corrects IS NOT NULL),"
		"  CHECK (kind <> 'harvest' OR (lot_code IS NOT NULL AND kg IS NOT NULL)),"
		"  CHECK (kind = 'harvest' OR (product IS NOT NULL AND amount IS NOT NULL)));"
		"DROP TABLE records;"
		"ALTER TABLE records_old RENAME TO records;"
		/* As version 11 added it. */
		"ALTER TABLE records ADD COLUMN organic_override TEXT"
		" CHECK (organic_override IN ('outbreak', 'mistake', 'unavailable', 'other'));"
		"CREATE INDEX records_kind_day ON records(kind, day);"
		"CREATE INDEX records_zone_day ON records(zone, day);"
		"CREATE INDEX records_lot ON records(lot_code) WHERE lot_code IS NOT NULL;"
		"PRAGMA user_version = 11;"
		"INSERT INTO lots VALUES ('PT01-260601-01', '2026-06-01', 1);"
		"INSERT INTO records(id, kind, day, zone, zone_name, product, product_name, amount,"
		" unit, method, who, who_name, entered_at)"
		" VALUES (1, 'fertilize', '2026-05-30', 'mit', 'Mít', 'npk', 'NPK', 20, 'kg',"
		" 'venturi', 'ba', 'Ba', 1780100000);"
		"INSERT INTO records(id, kind, day, zone, zone_name, product, product_name, amount,"
		" unit, target, phi_days, harvest_from, who, who_name, entered_at, organic_override)"
		" VALUES (2, 'spray', '2026-05-31', 'mit', 'Mít', 'radiant', 'Radiant', 100, 'ml',"
		" 'Rệp sáp', 7, '2026-06-07', 'ba', 'Ba', 1780190000, 'outbreak');"
		"INSERT INTO records(id, kind, day, zone, zone_name, crop, kg, lot_code, phi_override,"
		" who, who_name, entered_at)"
		" VALUES (3, 'harvest', '2026-06-01', 'mit', 'Mít', 'Mít', 500, 'PT01-260601-01', 2,"
		" 'ba', 'Ba', 1780280000);"
		"INSERT INTO records(id, kind, day, zone, zone_name, product, product_name, amount,"
		" unit, method, who, who_name, entered_at, corrects)"
		" VALUES (4, 'fertilize', '2026-05-30', 'mit', 'Mít', 'npk', 'NPK', 25, 'kg',"
		" 'hand', 'ba', 'Ba', 1780290000, 1);"
		"INSERT INTO pump_runs(id, pump, zone, reason, started, planned_end, ended, record)"
		" VALUES (1, 'p1', 'mit', 'manual', 1780099000, 1780100800, 1780100800, 1);",
		NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	s = open_ok("v9.db", STORE_EXCLUSIVE);
	assert_int_equal(store_schema_version(s), store_schema_latest());
	store_close(s);
	assert_string_equal(sql_text(path, "SELECT group_concat(id || kind || coalesce(method, '')"
				     " || coalesce(corrects, '') || coalesce(phi_override, '')"
				     " || coalesce(lot_code, ''), ',') FROM records"),
			    "1fertilizeventuri,2spray,3harvest2PT01-260601-01,4fertilizehand1");
	assert_string_equal(sql_text(path, "SELECT group_concat(id || coalesce(organic_override, '-'), ',')"
				     " FROM records"),
			    "1-,2outbreak,3-,4-");
	assert_string_equal(sql_text(path, "SELECT record FROM pump_runs"), "1");
	assert_string_equal(sql_text(path, "SELECT count(*) FROM pragma_foreign_key_check"), "0");
	/* Now a fertilizing record may say it went through an injector. */
	assert_string_equal(sql_text(path, "INSERT INTO records(kind, day, zone, zone_name, product,"
				     " product_name, amount, unit, method, who, who_name, entered_at)"
				     " VALUES ('fertilize', '2026-06-02', 'mit', 'Mít', 'humic', 'Humic',"
				     " 3, 'lít', 'injector', 'ba', 'Ba', 1780370000) RETURNING method"),
			    "injector");
	/* And its schema is a new station's, to the office. */
	if (store_backup_inspect(path, &f, why, sizeof(why)) != 0)
		fail_msg("the office refuses the migrated copy: %s", why);
}

/* A station that watered zones by moisture before it kept the schedules
 * moisture replaced: each switch is taken from its own event log (not
 * from stations merged into it), with the zone's schedules saved before
 * the switch; one saved after it is not what was replaced. */
static void moisture_switches_come_from_the_event_log(void **state)
{
	struct store *s = open_ok("v13.db", STORE_EXCLUSIVE);
	struct moisture_switch sw[4];
	char path[600];
	sqlite3 *db;

	(void)state;
	store_close(s);
	snprintf(path, sizeof(path), "%s", path_of("v13.db"));
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
		 "DROP TABLE replaced_schedules; DROP TABLE moisture_switches;"
		 "PRAGMA user_version = 13;"
		 "INSERT INTO schedules(zone, days, start_min, minutes, changed)"
		 " VALUES ('mit', 127, 300, 30, 100), ('mit', 62, 1020, 20, 150),"
		 " ('mit', 127, 360, 45, 500), ('vusua', 127, 300, 10, 100);"
		 "INSERT INTO events(id, t, kind, source) VALUES"
		 " (1, 200, 'by_moisture_on', 'mit'), (2, 300, 'by_moisture_off', 'mit'),"
		 " (3, 400, 'by_moisture_on', 'mit'), (4, 450, 'by_moisture_on', 'rau'),"
		 " (5, 460, 'by_moisture_on', 'tieu');"
		 "INSERT INTO stations(id, uid, code, name, merged_at) VALUES (1, 'x', 'PT02', 'Hai', 1);"
		 "INSERT INTO origins(tbl, id, station, origin_id) VALUES ('events', 5, 1, 9);",
		 NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	s = open_ok("v13.db", STORE_EXCLUSIVE);
	assert_int_equal(store_schema_version(s), store_schema_latest());
	/* Mít: on at 200 until 300, with its two schedules of then; on
	 * again at 400, with the same two (the one of 500 came later). */
	assert_int_equal(store_moisture_switches(s, "mit", 0, 1000, sw, 4), 2);
	assert_int_equal(sw[0].since, 200);
	assert_int_equal(sw[0].until, 300);
	assert_int_equal(sw[0].n_sched, 2);
	assert_int_equal(sw[0].sched[0].start_min, 300);
	assert_int_equal(sw[0].sched[0].minutes, 30);
	assert_int_equal(sw[0].sched[1].days, 62);
	assert_int_equal(sw[1].since, 400);
	assert_int_equal(sw[1].until, 0);
	assert_int_equal(sw[1].n_sched, 2);
	/* Only the switches on during a period. */
	assert_int_equal(store_moisture_switches(s, "mit", 300, 400, sw, 4), 0);
	assert_int_equal(store_moisture_switches(s, "mit", 250, 260, sw, 4), 1);
	/* Rau had no schedule; Vú sữa was never switched; Tiêu's event is
	 * another station's. */
	assert_int_equal(store_moisture_switches(s, "rau", 0, 1000, sw, 4), 1);
	assert_int_equal(sw[0].n_sched, 0);
	assert_int_equal(store_moisture_switches(s, "vusua", 0, 1000, sw, 4), 0);
	assert_int_equal(store_moisture_switches(s, "tieu", 0, 1000, sw, 4), 0);
	/* Switched off now: the open switch ends. */
	assert_int_equal(store_moisture_switch(s, "mit", 700, false, NULL, 0), 0);
	assert_int_equal(store_moisture_switches(s, "mit", 0, 1000, sw, 4), 2);
	assert_int_equal(sw[1].until, 700);
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(new_database_has_schema_wal_and_tables),
		cmocka_unit_test(synchronous_full),
		cmocka_unit_test(reopening_keeps_data_and_version),
		cmocka_unit_test(refuses_a_newer_database),
		cmocka_unit_test(refuses_what_is_not_a_station_database),
		cmocka_unit_test(refuses_a_read_only_file_with_a_sentence),
		cmocka_unit_test(missing_folder),
		cmocka_unit_test(a_missing_database_is_said_not_made),
		cmocka_unit_test(one_running_station_per_database),
		cmocka_unit_test(readings_round_trip),
		cmocka_unit_test(runs_open_and_close),
		cmocka_unit_test(events_and_alarms),
		cmocka_unit_test(a_station_has_one_uid_and_remembers_its_names),
		cmocka_unit_test(a_failing_card_is_told_and_tried_again),
		cmocka_unit_test(readings_kept_in_memory_prove_nothing),
		cmocka_unit_test(a_card_that_cannot_be_read_fails_too),
		cmocka_unit_test(records_made_again_for_injectors_keep_every_row),
		cmocka_unit_test(moisture_switches_come_from_the_event_log),
	};

	return cmocka_run_group_tests_name("store", tests, setup, teardown);
}
