/* Opening the database, its schema and migrations, the statement cache,
 * station metadata and the event log. */
#include "store_internal.h"

#include "readings_pack.h"
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

/* "FSDB": marks a file as a station database. */
#define STORE_CACHE_KB "256"
#define STORE_APPLICATION_ID 0x46534442

/* migrations[i] takes the schema from version i to version i + 1. Never
 * edit one that has shipped: add the next. */
static const char *const migrations[] = {
	/* 1: the first schema. Times are Unix seconds (UTC). */
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE sensors(id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE);"
	/* Keyed by time first, so that a batch of new readings is appended
	 * to the end of the tree and touches few pages of the SD card. */
	"CREATE TABLE readings("
	"  t INTEGER NOT NULL,"
	"  sensor INTEGER NOT NULL REFERENCES sensors(id),"
	"  quantity INTEGER NOT NULL,"
	"  value REAL NOT NULL,"
	"  PRIMARY KEY (t, sensor, quantity)) WITHOUT ROWID;"
	"CREATE TABLE pump_runs("
	"  id INTEGER PRIMARY KEY,"
	"  pump TEXT NOT NULL,"
	"  zone TEXT,"
	"  reason TEXT NOT NULL CHECK (reason IN ('manual', 'schedule', 'moisture')),"
	"  who TEXT,"
	"  started INTEGER NOT NULL,"
	"  planned_end INTEGER NOT NULL CHECK (planned_end > started),"
	"  ended INTEGER,"
	"  end_reason TEXT,"
	"  moisture_before REAL,"
	"  moisture_after REAL);"
	"CREATE INDEX pump_runs_started ON pump_runs(started);"
	"CREATE INDEX pump_runs_open ON pump_runs(ended) WHERE ended IS NULL;"
	/* Fertilizing, spraying and harvests. A record is never changed: a
	 * correction is a new row whose `corrects` names the old one. */
	"CREATE TABLE records("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL CHECK (kind IN ('fertilize', 'spray', 'harvest')),"
	"  day TEXT NOT NULL,"
	"  zone TEXT NOT NULL,"
	"  product TEXT, amount REAL, unit TEXT, method TEXT, target TEXT,"
	"  crop TEXT, kg REAL, grade TEXT, buyer TEXT, lot_code TEXT UNIQUE,"
	"  who TEXT,"
	"  entered_at INTEGER NOT NULL,"
	"  corrects INTEGER REFERENCES records(id),"
	"  note TEXT);"
	"CREATE INDEX records_day ON records(kind, day);"
	"CREATE TABLE events("
	"  id INTEGER PRIMARY KEY,"
	"  t INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  source TEXT,"
	"  detail TEXT,"
	"  alarm INTEGER NOT NULL DEFAULT 0,"
	"  acked INTEGER);"
	"CREATE INDEX events_t ON events(t);"
	"CREATE INDEX events_open_alarms ON events(alarm) WHERE alarm AND acked IS NULL;",
	/* 2: farm records as entered, with the names of the moment, and the
	 * lots. The first records table never held data. A record is
	 * corrected at most once (corrects is unique): a later correction
	 * corrects the correction. A corrected harvest keeps its lot code,
	 * which is already written on the crates. */
	"DROP TABLE records;"
	"CREATE TABLE lots("
	"  code TEXT PRIMARY KEY,"
	"  day TEXT NOT NULL,"
	"  seq INTEGER NOT NULL CHECK (seq > 0),"
	"  UNIQUE (day, seq));"
	"CREATE TABLE records("
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
	"CREATE INDEX records_kind_day ON records(kind, day);"
	"CREATE INDEX records_zone_day ON records(zone, day);"
	"CREATE INDEX records_lot ON records(lot_code) WHERE lot_code IS NOT NULL;",
	/* 3: where rows come from. station_uid names this database's station
	 * for good, whatever its code becomes. An office database lists the
	 * stations merged into it, and which row here is which row there;
	 * station 0 is always the database's own. `names` keeps what zones,
	 * pumps and sensors were called, for exports far from the config. */
	"INSERT INTO meta(key, value) VALUES ('station_uid', lower(hex(randomblob(16))));"
	"CREATE TABLE stations("
	"  id INTEGER PRIMARY KEY CHECK (id > 0),"
	"  uid TEXT NOT NULL UNIQUE,"
	"  code TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  merged_at INTEGER NOT NULL,"
	"  data_until INTEGER);"
	"CREATE TABLE origins("
	"  tbl TEXT NOT NULL,"
	"  id INTEGER NOT NULL,"
	"  station INTEGER NOT NULL REFERENCES stations(id),"
	"  origin_id INTEGER NOT NULL,"
	"  PRIMARY KEY (tbl, id)) WITHOUT ROWID;"
	"CREATE UNIQUE INDEX origins_at_station ON origins(station, tbl, origin_id);"
	"CREATE TABLE names("
	"  station INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  id TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  zone TEXT,"
	"  PRIMARY KEY (station, kind, id)) WITHOUT ROWID;",
	/* 4: roll-ups of the readings, kept for good when raw readings are
	 * pruned: per hour (t, the hour's first second) and per day (the
	 * station's calendar day, days since 1970-01-01). Keyed by sensor,
	 * quantity and time, so that a chart reads one range per sensor. The
	 * readings already there are rolled up here. */
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
	"INSERT INTO readings_hourly"
	" SELECT sensor, quantity, t - t % 3600, count(*), min(value), avg(value), max(value)"
	" FROM readings GROUP BY sensor, quantity, t - t % 3600;"
	"INSERT INTO readings_daily"
	" SELECT sensor, quantity,"
	"  CAST(julianday(date(t, 'unixepoch', 'localtime')) - 2440587.5 AS INTEGER) AS d,"
	"  sum(n), min(min), sum(mean * n) / sum(n), max(max)"
	" FROM readings_hourly GROUP BY sensor, quantity, d;",
	/* 5: the irrigation diary's energy and cost (split by tariff band,
	 * as priced when the run ended), the last minute a running pump was
	 * known to run, the time a schedule asked for, the fertilizing record
	 * of a fertigation run; and the watering schedules. */
	"ALTER TABLE pump_runs ADD COLUMN alive INTEGER;"
	"ALTER TABLE pump_runs ADD COLUMN power_kw REAL;"
	"ALTER TABLE pump_runs ADD COLUMN kwh_offpeak REAL;"
	"ALTER TABLE pump_runs ADD COLUMN kwh_normal REAL;"
	"ALTER TABLE pump_runs ADD COLUMN kwh_peak REAL;"
	"ALTER TABLE pump_runs ADD COLUMN cost_offpeak REAL;"
	"ALTER TABLE pump_runs ADD COLUMN cost_normal REAL;"
	"ALTER TABLE pump_runs ADD COLUMN cost_peak REAL;"
	"ALTER TABLE pump_runs ADD COLUMN cost_at_peak REAL;"
	"ALTER TABLE pump_runs ADD COLUMN scheduled_for INTEGER;"
	"ALTER TABLE pump_runs ADD COLUMN record INTEGER REFERENCES records(id);"
	"CREATE TABLE schedules("
	"  id INTEGER PRIMARY KEY,"
	"  zone TEXT NOT NULL,"
	"  days INTEGER NOT NULL CHECK (days BETWEEN 1 AND 127),"
	"  start_min INTEGER NOT NULL CHECK (start_min BETWEEN 0 AND 1439),"
	"  minutes INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 720),"
	"  changed INTEGER NOT NULL);",
	/* 6: two-point calibrations of raw analog probes, never changed: a
	 * new one supersedes the old, which stays for the record. And the
	 * serial adapter a technician picked on the keypad for a port of the
	 * configuration. */
	"CREATE TABLE calibrations("
	"  id INTEGER PRIMARY KEY,"
	"  sensor INTEGER NOT NULL REFERENCES sensors(id),"
	"  dry REAL NOT NULL CHECK (dry >= 0),"
	"  wet REAL NOT NULL CHECK (wet >= 0 AND wet <> dry),"
	"  made_at INTEGER NOT NULL);"
	"CREATE INDEX calibrations_sensor ON calibrations(sensor, made_at);"
	"CREATE TABLE port_choices("
	"  port TEXT PRIMARY KEY,"
	"  chosen TEXT NOT NULL,"
	"  chosen_at INTEGER NOT NULL) WITHOUT ROWID;",
	/* 7: the roll-ups keyed by time first, as the raw readings are: a
	 * batch then rewrites the few pages at the end of each table, where
	 * keyed by sensor first it rewrote one page per sensor and quantity,
	 * about 130 pages of the card every ten minutes. A chart reads the
	 * rows of its span and keeps its zone's sensors. */
	"CREATE TABLE hourly_by_time("
	"  sensor INTEGER NOT NULL REFERENCES sensors(id),"
	"  quantity INTEGER NOT NULL,"
	"  t INTEGER NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  min REAL NOT NULL, mean REAL NOT NULL, max REAL NOT NULL,"
	"  PRIMARY KEY (t, sensor, quantity)) WITHOUT ROWID;"
	"INSERT INTO hourly_by_time SELECT * FROM readings_hourly ORDER BY t, sensor, quantity;"
	"DROP TABLE readings_hourly;"
	"ALTER TABLE hourly_by_time RENAME TO readings_hourly;"
	"CREATE TABLE daily_by_time("
	"  sensor INTEGER NOT NULL REFERENCES sensors(id),"
	"  quantity INTEGER NOT NULL,"
	"  day INTEGER NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  min REAL NOT NULL, mean REAL NOT NULL, max REAL NOT NULL,"
	"  PRIMARY KEY (day, sensor, quantity)) WITHOUT ROWID;"
	"INSERT INTO daily_by_time SELECT * FROM readings_daily ORDER BY day, sensor, quantity;"
	"DROP TABLE readings_daily;"
	"ALTER TABLE daily_by_time RENAME TO readings_daily;",
	/* 8: the office's trust in stations' signing keys: each station it
	 * trusts (its uid; its code and name, public key and the key's
	 * fingerprint as a person confirmed them; when and by whom; the
	 * fingerprint of the key it replaced, if it did), and the boards that
	 * key has come from. A station's own database keeps them empty. */
	"CREATE TABLE trusted_stations("
	"  uid TEXT PRIMARY KEY,"
	"  code TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  public_key TEXT NOT NULL CHECK (length(public_key) = 64),"
	"  fingerprint TEXT NOT NULL,"
	"  trusted_at INTEGER NOT NULL,"
	"  trusted_by TEXT NOT NULL,"
	"  replaced TEXT) WITHOUT ROWID;"
	"CREATE TABLE trusted_boards("
	"  uid TEXT NOT NULL REFERENCES trusted_stations(uid),"
	"  board TEXT NOT NULL,"
	"  trusted_at INTEGER NOT NULL,"
	"  trusted_by TEXT NOT NULL,"
	"  PRIMARY KEY (uid, board)) WITHOUT ROWID;",
	/* 9: the water a run really gave, in litres, from a pulse meter or a
	 * flow sensor in the pump's line (NULL: nothing measured it). */
	"ALTER TABLE pump_runs ADD COLUMN litres REAL CHECK (litres >= 0);",
	/* 10: raw readings packed, a row per batch and hour holding every
	 * sensor's readings (src/readings_pack.h): a few bytes a reading
	 * where a row a reading took seventeen, and a batch that writes its
	 * row where it rewrote ten pages. The readings there are packed an
	 * hour a row by pack_old_readings(), which drops the old table. */
	"CREATE TABLE readings_packed("
	"  t INTEGER PRIMARY KEY,"
	"  last INTEGER NOT NULL CHECK (last >= t),"
	"  data BLOB NOT NULL);",
	/* 11: a product that is not organic, really used on an organic zone
	 * and recorded with the manager's PIN: why (the zone is not organic
	 * from that record's day while the record stands). */
	"ALTER TABLE records ADD COLUMN organic_override TEXT"
	" CHECK (organic_override IN ('outbreak', 'mistake', 'unavailable', 'other'));",
	/* 12: dosing through the line. A fertilizing record may say the
	 * fertilizer went in through an injector: the records table is made
	 * again with that method allowed (SQLite cannot change a CHECK), its
	 * rows and ids as they were. A dosing run's phases in minutes; each
	 * injector's dose in a run (its product and the concentration of its
	 * tank, the litres of stock it gave, the record it wrote); and each
	 * tank's book: refills with the supplier's lot number, doses, drains. */
	"CREATE TABLE records_new("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL CHECK (kind IN ('fertilize', 'spray', 'harvest')),"
	"  day TEXT NOT NULL,"
	"  zone TEXT NOT NULL,"
	"  zone_name TEXT NOT NULL,"
	"  product TEXT, product_name TEXT, organic INTEGER,"
	"  amount REAL CHECK (amount > 0), unit TEXT,"
	"  method TEXT CHECK (method IN ('venturi', 'hand', 'injector')),"
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
	"  organic_override TEXT"
	"   CHECK (organic_override IN ('outbreak', 'mistake', 'unavailable', 'other')),"
	"  CHECK (kind <> 'harvest' OR (lot_code IS NOT NULL AND kg IS NOT NULL)),"
	"  CHECK (kind = 'harvest' OR (product IS NOT NULL AND amount IS NOT NULL)));"
	"INSERT INTO records_new SELECT * FROM records ORDER BY id;"
	"DROP TABLE records;"
	"ALTER TABLE records_new RENAME TO records;"
	"CREATE INDEX records_kind_day ON records(kind, day);"
	"CREATE INDEX records_zone_day ON records(zone, day);"
	"CREATE INDEX records_lot ON records(lot_code) WHERE lot_code IS NOT NULL;"
	"ALTER TABLE pump_runs ADD COLUMN wetting_minutes INTEGER;"
	"ALTER TABLE pump_runs ADD COLUMN dosing_minutes INTEGER;"
	"ALTER TABLE pump_runs ADD COLUMN flushing_minutes INTEGER;"
	"CREATE TABLE doses("
	"  id INTEGER PRIMARY KEY,"
	"  run INTEGER NOT NULL REFERENCES pump_runs(id),"
	"  injector TEXT NOT NULL, injector_name TEXT NOT NULL,"
	"  tank TEXT NOT NULL, tank_name TEXT NOT NULL,"
	"  product TEXT NOT NULL, product_name TEXT NOT NULL, unit TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('fertilize', 'spray')),"
	"  target TEXT,"
	"  zone TEXT NOT NULL,"
	"  who TEXT NOT NULL, who_name TEXT NOT NULL,"
	"  concentration REAL NOT NULL CHECK (concentration >= 0),"
	"  planned_litres REAL NOT NULL CHECK (planned_litres >= 0),"
	"  started INTEGER, alive INTEGER, ended INTEGER,"
	"  litres REAL NOT NULL CHECK (litres >= 0),"
	"  end_reason TEXT,"
	"  record INTEGER REFERENCES records(id));"
	"CREATE INDEX doses_run ON doses(run);"
	"CREATE INDEX doses_open ON doses(ended) WHERE ended IS NULL;"
	"CREATE TABLE tank_book("
	"  id INTEGER PRIMARY KEY,"
	"  tank TEXT NOT NULL, tank_name TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('refill', 'dose', 'drain')),"
	"  day TEXT NOT NULL,"
	"  product TEXT, product_name TEXT, unit TEXT,"
	"  amount REAL NOT NULL,"
	"  litres REAL NOT NULL,"
	"  lot TEXT,"
	"  who TEXT, who_name TEXT,"
	"  entered_at INTEGER NOT NULL,"
	"  dose INTEGER REFERENCES doses(id),"
	"  CHECK (kind = 'refill' OR (litres <= 0 AND amount <= 0)),"
	"  CHECK (kind <> 'refill' OR (litres > 0 AND amount > 0)));"
	"CREATE INDEX tank_book_tank ON tank_book(tank, id);",
	/* 13: the office link's outbox (src/store_outbox.c): what the station
	 * wrote that the office has not confirmed yet, in the order it was
	 * written, a row naming a row of a table (its id, or a day's roll-up
	 * by its key); sent is when the broker took it. Filled only by a
	 * station with an [uplink], in the transaction of each write. */
	"CREATE TABLE outbox("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  tbl TEXT NOT NULL,"
	"  k1 INTEGER NOT NULL, k2 INTEGER, k3 INTEGER,"
	"  sent INTEGER);"
	"CREATE INDEX outbox_waiting ON outbox(tbl, k1, k2, k3) WHERE sent IS NULL;",
	/* 14: each time a zone was switched to watering by soil moisture
	 * (until: switched back, or to it again), with the schedules the zone
	 * had then, which moisture replaced: what the old schedule would
	 * have used is set against what moisture used. Switches made before
	 * are taken from the station's own event log, each with the zone's
	 * schedules last saved before it (one changed or deleted since is not
	 * known: those switches have no old schedule to compare). */
	"CREATE TABLE moisture_switches("
	"  id INTEGER PRIMARY KEY,"
	"  zone TEXT NOT NULL,"
	"  since INTEGER NOT NULL,"
	"  until INTEGER);"
	"CREATE INDEX moisture_switches_zone ON moisture_switches(zone, since);"
	"CREATE TABLE replaced_schedules("
	"  switch INTEGER NOT NULL REFERENCES moisture_switches(id),"
	"  days INTEGER NOT NULL CHECK (days BETWEEN 1 AND 127),"
	"  start_min INTEGER NOT NULL CHECK (start_min BETWEEN 0 AND 1439),"
	"  minutes INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 720));"
	"CREATE INDEX replaced_schedules_switch ON replaced_schedules(switch);"
	"INSERT INTO moisture_switches(zone, since, until)"
	" SELECT e.source, e.t, (SELECT min(o.t) FROM events o"
	"  WHERE o.kind IN ('by_moisture_on', 'by_moisture_off') AND o.source = e.source"
	"  AND o.id > e.id AND o.id NOT IN (SELECT id FROM origins WHERE tbl = 'events'))"
	" FROM events e WHERE e.kind = 'by_moisture_on' AND e.source IS NOT NULL"
	" AND e.id NOT IN (SELECT id FROM origins WHERE tbl = 'events') ORDER BY e.id;"
	"INSERT INTO replaced_schedules(switch, days, start_min, minutes)"
	" SELECT m.id, s.days, s.start_min, s.minutes FROM moisture_switches m"
	" JOIN schedules s ON s.zone = m.zone AND s.changed <= m.since ORDER BY m.id, s.id;",
};

static int pack_old_readings(struct store *s);

/* What a migration does besides its SQL, in the same transaction. */
static int (*const migration_code[])(struct store *s) = {
	[9] = pack_old_readings,
};

#define N_MIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

int store_schema_latest(void)
{
	return N_MIGRATIONS;
}

const char *store_error(const struct store *s)
{
	return s->error;
}

/* Is the file system holding the database read-only now? */
static bool card_readonly(const struct store *s)
{
	struct statvfs v;

	return statvfs(s->folder, &v) == 0 && (v.f_flag & ST_RDONLY);
}

/* What the farmer is told when the card is what failed. */
static const char *card_words(enum store_card c)
{
	switch (c) {
	case CARD_FULL:
		return _("the memory card is full");
	case CARD_READONLY:
		return _("the memory card can no longer be written");
	case CARD_FAILING:
		return _("the memory card is failing");
	default:
		return "";
	}
}

int store_fail(struct store *s, int rc)
{
	snprintf(s->error, sizeof(s->error), "%s", sqlite3_errmsg(s->db));
	switch (rc & 0xff) {
	case SQLITE_FULL:
		s->card = CARD_FULL;
		snprintf(s->error, sizeof(s->error), "%s", card_words(s->card));
		return STORE_FULL;
	case SQLITE_IOERR:
		if (rc == SQLITE_IOERR_NOMEM)
			return STORE_ERR;
		s->card = sqlite3_system_errno(s->db) == EROFS || card_readonly(s) ? CARD_READONLY
										 : CARD_FAILING;
		if (rc == SQLITE_IOERR_READ || rc == SQLITE_IOERR_SHORT_READ)
			s->unreadable = true;
		snprintf(s->error, sizeof(s->error), "%s", card_words(s->card));
		return STORE_CARD;
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		return STORE_READONLY;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return STORE_CORRUPT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return STORE_LOCKED;
	default:
		return STORE_ERR;
	}
}

sqlite3_stmt *store_stmt(struct store *s, const char *sql)
{
	int i, rc;

	for (i = 0; i < STORE_MAX_STMTS && s->stmts[i].sql; i++) {
		if (s->stmts[i].sql == sql) {
			sqlite3_reset(s->stmts[i].stmt);
			sqlite3_clear_bindings(s->stmts[i].stmt);
			return s->stmts[i].stmt;
		}
	}
	if (i == STORE_MAX_STMTS) {
		snprintf(s->error, sizeof(s->error), "statement cache full");
		return NULL;
	}
	rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->stmts[i].stmt, NULL);
	if (rc != SQLITE_OK) {
		store_fail(s, rc);
		return NULL;
	}
	s->stmts[i].sql = sql;
	return s->stmts[i].stmt;
}

/* The database's pages written to the card so far (to its WAL). The
 * TEMP tables live in memory: what changes there is no write to the
 * card, and so no sign that the card works. */
static int card_pages(struct store *s)
{
	int now = 0, high = 0;

	sqlite3_db_status(s->db, SQLITE_DBSTATUS_CACHE_WRITE, &now, &high, 0);
	return now;
}

int store_exec_stmt(struct store *s, sqlite3_stmt *st)
{
	int written = card_pages(s);
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	/* Written to the card: a statement that changed nothing there
	 * proves nothing. */
	if (rc == SQLITE_DONE && sqlite3_get_autocommit(s->db) && card_pages(s) != written &&
	    !s->unreadable)
		s->card = CARD_OK;
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc);
}

static int exec(struct store *s, const char *sql)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_fail(s, rc);
}

static int pragma_int(struct store *s, const char *sql, int *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return store_fail(s, rc);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_fail(s, rc);
}

int store_schema_version(struct store *s)
{
	int v = -1;

	pragma_int(s, "PRAGMA user_version", &v);
	return v;
}

int store_begin(struct store *s)
{
	return exec(s, "BEGIN IMMEDIATE");
}

int store_commit(struct store *s)
{
	int written = card_pages(s);
	int rc = exec(s, "COMMIT");

	/* Only a commit that wrote the database's pages says the card takes
	 * them (a commit that changed any writes at least one, for its
	 * commit mark). The readings kept fresh change the TEMP tables
	 * alone: their batch went to the pending file, beside SQLite. */
	if (rc == 0 && card_pages(s) != written && !s->unreadable)
		s->card = CARD_OK;
	return rc;
}

/* Below this much free space a new record is not even begun: SQLite needs
 * room for the pages a transaction touches. */
#define STORE_RESERVE (256 * 1024)

/* A failing card tried again: one read of it, past what SQLite keeps in
 * memory, and one small write (the schema version, as it is). */
static void card_probe(struct store *s, bool now_or_never)
{
	struct timespec now;
	sqlite3_file *f = NULL;
	char sector[512];
	long long ms;
	int v, rc;
	char sql[64];

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	if (!now_or_never && s->probed_ms && ms - s->probed_ms < 2000)
		return;
	s->probed_ms = ms;
	if (!sqlite3_get_autocommit(s->db))
		return;		/* a transaction is under way: its end will tell */
	if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_FILE_POINTER, &f) == SQLITE_OK &&
	    f && f->pMethods) {
		rc = f->pMethods->xRead(f, sector, sizeof(sector), 0);
		if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ)
			return;
		s->unreadable = false;
	}
	if (store_begin(s) < 0)
		return;
	v = store_schema_version(s);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v);
	if (v < 0 || exec(s, sql) < 0 || store_commit(s) < 0)
		store_rollback(s);
	else
		s->card = CARD_OK;
}

static enum store_card card_state(struct store *s, bool try_now)
{
	struct statvfs v;
	unsigned long long free_bytes;

	if (statvfs(s->folder, &v) == 0) {
		if (v.f_flag & ST_RDONLY)
			return s->card = CARD_READONLY;
		free_bytes = (unsigned long long)v.f_bavail * v.f_frsize;
		/* Room has clearly come back: the next write will show. */
		if (s->card == CARD_FULL && free_bytes >= 4 * STORE_RESERVE)
			s->card = CARD_OK;
		if (s->card == CARD_OK && free_bytes < STORE_RESERVE)
			return CARD_FULL;
	}
	if (s->card == CARD_FAILING || s->card == CARD_READONLY)
		card_probe(s, try_now);
	return s->card;
}

enum store_card store_card(struct store *s)
{
	return card_state(s, false);
}

enum store_card store_card_try(struct store *s)
{
	return card_state(s, true);
}

bool store_card_full(struct store *s)
{
	return store_card(s) == CARD_FULL;
}

void store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* The readings of the first layout, an hour a packed row. */
static int pack_old_readings(struct store *s)
{
	sqlite3_stmt *st, *ins;
	struct reading_row *rows = NULL;
	int n = 0, cap = 0, rc;
	int64_t hour = 0;

	rc = sqlite3_prepare_v2(s->db, "SELECT t, sensor, quantity, value FROM readings ORDER BY t",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_fail(s, rc);
	rc = sqlite3_prepare_v2(s->db, "INSERT INTO readings_packed(t, last, data) VALUES (?, ?, ?)",
				-1, &ins, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_finalize(st);
		return store_fail(s, rc);
	}
	for (;;) {
		int step = sqlite3_step(st);
		int64_t t = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;

		if (step != SQLITE_ROW && step != SQLITE_DONE) {
			rc = step;
			break;
		}
		/* The hour before is whole: its row. */
		if (n > 0 && (step == SQLITE_DONE || t - ((t % 3600) + 3600) % 3600 != hour)) {
			int64_t first = rows[0].t, last = rows[n - 1].t;
			size_t size;
			uint8_t *blob = readings_pack(rows, n, first, &size);

			if (!blob) {
				rc = SQLITE_NOMEM;
				break;
			}
			sqlite3_bind_int64(ins, 1, first);
			sqlite3_bind_int64(ins, 2, last);
			sqlite3_bind_blob(ins, 3, blob, (int)size, free);
			rc = sqlite3_step(ins);
			sqlite3_reset(ins);
			if (rc != SQLITE_DONE)
				break;
			rc = SQLITE_OK;
			n = 0;
		}
		if (step == SQLITE_DONE)
			break;
		if (n == cap) {
			struct reading_row *grown = realloc(rows, (size_t)(cap = cap ? 2 * cap : 4096) *
								   sizeof(*rows));

			if (!grown) {
				rc = SQLITE_NOMEM;
				break;
			}
			rows = grown;
		}
		hour = t - ((t % 3600) + 3600) % 3600;
		rows[n++] = (struct reading_row){ sqlite3_column_int(st, 1), sqlite3_column_int(st, 2),
						  t, sqlite3_column_double(st, 3) };
	}
	sqlite3_finalize(st);
	sqlite3_finalize(ins);
	free(rows);
	if (rc != SQLITE_OK)
		return store_fail(s, rc);
	return exec(s, "DROP TABLE readings");
}

static int migrate_to(struct store *s, int from, int to)
{
	char sql[64];

	for (int v = from; v < to; v++) {
		int rc = store_begin(s);

		if (rc == 0)
			rc = exec(s, migrations[v]);
		if (rc == 0 && v < (int)(sizeof(migration_code) / sizeof(migration_code[0])) &&
		    migration_code[v])
			rc = migration_code[v](s);
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (rc == 0)
			rc = exec(s, sql);
		if (rc == 0 && v == 0) {
			snprintf(sql, sizeof(sql), "PRAGMA application_id = %d", STORE_APPLICATION_ID);
			rc = exec(s, sql);
		}
		if (rc == 0)
			rc = store_commit(s);
		if (rc < 0) {
			store_rollback(s);
			return rc;
		}
	}
	return 0;
}

/* A migration that rewrote a large table leaves its old pages free in
 * the file (packing the readings frees two thirds of five years'
 * database): every whole copy of the file would carry them, so they are
 * given back once, by VACUUM. Without room for it the file stays as it
 * is, and SQLite fills the free pages in time. */
static void give_back_free_pages(struct store *s)
{
	int free_pages = 0, pages = 0;

	if (pragma_int(s, "PRAGMA freelist_count", &free_pages) == 0 &&
	    pragma_int(s, "PRAGMA page_count", &pages) == 0 && free_pages > pages / 2)
		sqlite3_exec(s->db, "VACUUM", NULL, NULL, NULL);
}

static int migrate(struct store *s, int from)
{
	return migrate_to(s, from, N_MIGRATIONS);
}

char *store_schema_text(sqlite3 *db)
{
	/* Every object, SQLite's own too (the indexes of UNIQUE and PRIMARY
	 * KEY constraints, sqlite_autoindex_*): the schema's text decides,
	 * never a name. */
	static const char sql[] =
		"SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema ORDER BY type, name";
	sqlite3_stmt *st;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	f = open_memstream(&text, &len);
	if (!f) {
		sqlite3_finalize(st);
		return NULL;
	}
	while (sqlite3_step(st) == SQLITE_ROW)
		fprintf(f, "%s %s %s %s\n", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
			sqlite3_column_text(st, 2), sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

char *store_schema_reference(int version)
{
	struct store *s = calloc(1, sizeof(*s));
	char *text = NULL;

	if (!s || version < 1 || version > N_MIGRATIONS) {
		free(s);
		return NULL;
	}
	s->lock_fd = -1;
	s->pending_fd = -1;
	if (sqlite3_open(":memory:", &s->db) == SQLITE_OK && migrate_to(s, 0, version) == 0)
		text = store_schema_text(s->db);
	store_close(s);
	return text;
}

sqlite3 *store_schema_memory(int page_size)
{
	struct store *s = calloc(1, sizeof(*s));
	sqlite3 *db = NULL;
	char sql[64];

	if (!s)
		return NULL;
	s->lock_fd = -1;
	s->pending_fd = -1;
	snprintf(sql, sizeof(sql), "PRAGMA page_size = %d", page_size);
	if (sqlite3_open(":memory:", &s->db) == SQLITE_OK && exec(s, sql) == 0 &&
	    migrate_to(s, 0, N_MIGRATIONS) == 0) {
		db = s->db;
		s->db = NULL;
	}
	store_close(s);
	return db;
}

/* The database and what SQLite keeps beside it are the station's: its
 * group may read them, no one else (they hold the manager PIN's hash).
 * SQLite gives the -wal and -shm the database's own mode; a database made
 * before this rule, or under a loose umask, is brought to it. */
#define STORE_MODE 0640

static void tighten(const char *path)
{
	static const char *const tails[] = { "", "-wal", "-shm", ".lock", ".pending" };
	char p[4200];
	struct stat st;

	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, tails[i]);
		if (lstat(p, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777 & ~STORE_MODE))
			chmod(p, st.st_mode & STORE_MODE);
	}
}

/* One running station per database: two would fight over the relays. */
static int take_lock(struct store *s, const char *path)
{
	char lock[4096];

	snprintf(lock, sizeof(lock), "%s.lock", path);
	s->lock_fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, STORE_MODE);
	if (s->lock_fd < 0)
		return errno == EROFS || errno == EACCES || errno == EPERM ? STORE_READONLY : STORE_ERR;
	if (flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0)
		return STORE_LOCKED;
	return 0;
}

static void explain(int rc, const char *path, const char *detail, char *err, size_t errlen)
{
	switch (rc) {
	case STORE_READONLY:
		snprintf(err, errlen, _("The database %s cannot be written (%s). Check the card and the folder's permissions."),
			 path, detail);
		break;
	case STORE_CORRUPT:
		snprintf(err, errlen, _("%s is damaged or is not a station database (%s)."), path,
			 detail);
		break;
	case STORE_LOCKED:
		snprintf(err, errlen, _("Another station program is already using %s."), path);
		break;
	case STORE_NEWER:
		snprintf(err, errlen, _("%s was made by a newer fieldstation; update this one."),
			 path);
		break;
	case STORE_FULL:
		snprintf(err, errlen, _("The memory card is full: %s cannot be written."), path);
		break;
	case STORE_MISSING:
		snprintf(err, errlen, _("There is no database %s: check the path (--db, or database in the configuration)."),
			 path);
		break;
	default:
		snprintf(err, errlen, _("Cannot open the database %s: %s"), path, detail);
	}
}

static void folder_of(const char *path, char *buf, size_t n)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(buf, n, ".");
	else if (slash == path)
		snprintf(buf, n, "/");
	else
		snprintf(buf, n, "%.*s", (int)(slash - path), path);
}

/* The roll-ups of the hour and the day going on, in memory only (see
 * store_readings.c); empty on a connection that adds no readings. */
static int make_tails(struct store *s)
{
	return exec(s, "PRAGMA temp_store = MEMORY;"
		    "CREATE TEMP TABLE hourly_tail("
		    "  sensor INTEGER NOT NULL, quantity INTEGER NOT NULL, t INTEGER NOT NULL,"
		    "  n INTEGER NOT NULL, min REAL NOT NULL, mean REAL NOT NULL, max REAL NOT NULL,"
		    "  PRIMARY KEY (t, sensor, quantity)) WITHOUT ROWID;"
		    "CREATE TEMP TABLE daily_tail("
		    "  sensor INTEGER NOT NULL, quantity INTEGER NOT NULL, day INTEGER NOT NULL,"
		    "  n INTEGER NOT NULL, min REAL NOT NULL, mean REAL NOT NULL, max REAL NOT NULL,"
		    "  PRIMARY KEY (day, sensor, quantity)) WITHOUT ROWID;"
		    "CREATE TEMP TABLE readings_fresh("
		    "  t INTEGER PRIMARY KEY, last INTEGER NOT NULL, data BLOB NOT NULL);");
}

int store_open(const char *path, unsigned flags, struct store **out, char *err, size_t errlen)
{
	struct store *s = calloc(1, sizeof(*s));
	/* URIs, so that an office can attach a station's copy read-only and
	 * immutable; a path of its own is never read as one. */
	int open_flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE | SQLITE_OPEN_URI;
	int rc, version = 0, app_id = 0, tables = 0;
	char plain[4096];

	*out = NULL;
	if (!s) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return STORE_ERR;
	}
	s->lock_fd = -1;
	s->pending_fd = -1;
	folder_of(path, s->folder, sizeof(s->folder));
	snprintf(s->path, sizeof(s->path), "%s", path);
	/* Said plainly, before a lock file is made beside a mistyped path. */
	if ((flags & (STORE_RDONLY | STORE_EXISTING)) && access(path, F_OK) < 0 && errno == ENOENT) {
		rc = STORE_MISSING;
		explain(rc, path, "", err, errlen);
		goto fail;
	}
	if (flags & STORE_EXCLUSIVE) {
		rc = take_lock(s, path);
		if (rc < 0) {
			explain(rc, path, strerror(errno), err, errlen);
			goto fail;
		}
	}
	open_flags |= (flags & STORE_RDONLY) ? SQLITE_OPEN_READONLY
		      : (flags & STORE_EXISTING) ? SQLITE_OPEN_READWRITE
		      : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (strncmp(path, "file:", 5) == 0 &&
	    (size_t)snprintf(plain, sizeof(plain), "./%s", path) < sizeof(plain))
		path = plain;
	rc = sqlite3_open_v2(path, &s->db, open_flags, NULL);
	if (rc != SQLITE_OK) {
		rc = s->db ? store_fail(s, rc) : STORE_ERR;
		explain(rc == STORE_ERR && (flags & STORE_RDONLY) ? STORE_ERR : rc, path,
			s->db ? s->error : strerror(ENOMEM), err, errlen);
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 2000);
	if (!(flags & STORE_RDONLY) && sqlite3_db_readonly(s->db, "main")) {
		rc = STORE_READONLY;
		explain(rc, path, strerror(EACCES), err, errlen);
		goto fail;
	}
	/* Before the -wal and -shm are made, which take its mode. */
	if (!(flags & STORE_RDONLY))
		tighten(path);
	rc = pragma_int(s, "PRAGMA user_version", &version);
	if (rc == 0)
		rc = pragma_int(s, "PRAGMA application_id", &app_id);
	if (rc == 0)
		rc = pragma_int(s, "SELECT count(*) FROM sqlite_schema", &tables);
	if (rc < 0)
		goto explain;
	if ((version > 0 || tables > 0) && app_id != STORE_APPLICATION_ID) {
		rc = STORE_CORRUPT;
		snprintf(s->error, sizeof(s->error), "application_id %d", app_id);
		goto explain;
	}
	if (version > N_MIGRATIONS) {
		rc = STORE_NEWER;
		goto explain;
	}
	if ((flags & (STORE_RDONLY | STORE_EXISTING)) && version == 0) {
		rc = STORE_CORRUPT;
		snprintf(s->error, sizeof(s->error), _("empty"));
		goto explain;
	}
	if (flags & STORE_RDONLY) {
		rc = make_tails(s);
		if (rc < 0)
			goto explain;
		/* The station's fresh readings, if they can be read; what cannot
		 * is told by the reads that need it. */
		store_readings_look_ahead(s);
		*out = s;
		return 0;
	}
	rc = exec(s, "PRAGMA journal_mode = WAL");
	if (rc == 0)
		rc = exec(s, "PRAGMA synchronous = FULL");
	/* Deleted rows and a changed PIN's hash leave nothing behind in the
	 * file (Debian's SQLite does so by default; said here for any). */
	if (rc == 0)
		rc = exec(s, "PRAGMA secure_delete = ON");
	/* The pages the station reads again and again are few (the ends of
	 * the tables, the small ones); the operating system caches the file
	 * besides. SQLite's default of 2 MB would double the station's own
	 * memory. */
	if (rc == 0)
		rc = exec(s, "PRAGMA cache_size = -" STORE_CACHE_KB);
	/* SQLite as Debian builds it zeroes every page it frees: pruning old
	 * readings would write them all once more. FAST zeroes what it
	 * deletes only in pages it writes anyway. */
	if (rc == 0)
		rc = exec(s, "PRAGMA secure_delete = FAST");
	/* A WAL that grew (a migration, a long export holding the
	 * checkpoint back) goes back to its usual size once checkpointed. */
	if (rc == 0)
		rc = exec(s, "PRAGMA journal_size_limit = 4194304");
	/* Migrations run with foreign keys off, as SQLite's way of making a
	 * table again needs. */
	if (rc == 0)
		rc = migrate(s, version);
	if (rc == 0 && version > 0 && version < N_MIGRATIONS)
		give_back_free_pages(s);
	if (rc == 0)
		rc = exec(s, "PRAGMA foreign_keys = ON");
	if (rc == 0)
		rc = make_tails(s);
	/* The running station's: what a power cut left on its way in. */
	if (rc == 0 && (flags & STORE_EXCLUSIVE))
		rc = store_readings_recover(s);
	if (rc < 0)
		goto explain;
	*out = s;
	return 0;
explain:
	explain(rc, path, s->error, err, errlen);
fail:
	store_close(s);
	return rc < 0 ? rc : STORE_ERR;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	for (int i = 0; i < STORE_MAX_STMTS && s->stmts[i].sql; i++)
		sqlite3_finalize(s->stmts[i].stmt);
	if (s->db)
		sqlite3_close(s->db);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	pending_close(s);
	free(s);
}

/* What a check that could not finish says: damage only when SQLite met
 * damage (or the card could not read a page), never for a busy database
 * or a lack of memory, so that a check that was merely in the way sets
 * nothing aside. */
static int check_failed(struct store *s, int rc, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s", sqlite3_errmsg(s->db));
	switch (rc & 0xff) {
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_IOERR:
		return STORE_CORRUPT;
	default:
		return store_fail(s, rc);
	}
}

static int quick_check(struct store *s, const char *sql, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return check_failed(s, rc, err, errlen);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0) {
		sqlite3_finalize(st);
		return 0;
	}
	if (rc == SQLITE_ROW) {
		snprintf(err, errlen, "%s", (const char *)sqlite3_column_text(st, 0));
		rc = STORE_CORRUPT;
	} else {
		rc = check_failed(s, rc, err, errlen);
	}
	sqlite3_finalize(st);
	return rc;
}

/* The tables that grow with every reading, five years of which take
 * seconds to check: they are left to the check of the whole database,
 * which the console runs after its first screen. */
static const char SQL_SMALL_TABLES[] =
	"SELECT name FROM sqlite_schema WHERE type = 'table'"
	" AND name NOT IN ('readings_packed', 'readings_hourly', 'readings_daily') ORDER BY name";

int store_check(struct store *s, enum store_check scope, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	if (scope == STORE_CHECK_ALL)
		return quick_check(s, "PRAGMA quick_check", err, errlen);
	rc = sqlite3_prepare_v2(s->db, SQL_SMALL_TABLES, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return check_failed(s, rc, err, errlen);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char *sql = sqlite3_mprintf("PRAGMA quick_check(\"%w\")",
					    (const char *)sqlite3_column_text(st, 0));
		int bad = sql ? quick_check(s, sql, err, errlen) : STORE_ERR;

		sqlite3_free(sql);
		if (bad < 0) {
			sqlite3_finalize(st);
			return bad;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : check_failed(s, rc, err, errlen);
	sqlite3_finalize(st);
	return rc;
}

static const char SQL_META_GET[] = "SELECT value FROM meta WHERE key = ?";
static const char SQL_META_SET[] = "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)";

int store_meta_get(struct store *s, const char *key, char *buf, size_t n)
{
	sqlite3_stmt *st = store_stmt(s, SQL_META_GET);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(buf, n, "%s", (const char *)sqlite3_column_text(st, 0));
	else if (n > 0)
		buf[0] = '\0';
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_fail(s, rc);
}

int store_meta_set(struct store *s, const char *key, const char *value)
{
	sqlite3_stmt *st = store_stmt(s, SQL_META_SET);

	if (!st)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	return store_exec_stmt(s, st);
}

static const char SQL_EVENT_ADD[] =
	"INSERT INTO events(t, kind, source, detail, alarm) VALUES (?, ?, ?, ?, ?)";
static const char SQL_ALARMS_OPEN[] =
	"SELECT count(*) FROM events WHERE alarm AND acked IS NULL";
static const char SQL_LAST_ALIVE[] =
	"SELECT max(coalesce((SELECT last FROM readings_packed ORDER BY t DESC LIMIT 1), 0),"
	"           coalesce((SELECT max(last) FROM temp.readings_fresh), 0),"
	"           coalesce((SELECT max(t) FROM events), 0),"
	"           coalesce((SELECT max(max(started, coalesce(ended, 0))) FROM pump_runs), 0))";

/* Each table's newest moment before and after a wrong clock's span, and
 * whatever was written since it was declared wrong (by id); each max()
 * reads one end of an index. Parameters: store_bind_clock_wrong(). */
static const char SQL_NEWEST_MOMENT[] =
	"SELECT max(coalesce(min((SELECT last FROM readings_packed WHERE t <= ?1"
	"                         ORDER BY t DESC LIMIT 1), ?1), 0),"
	"           coalesce((SELECT last FROM readings_packed WHERE last > ?2"
	"                     ORDER BY t DESC LIMIT 1), 0),"
	"           coalesce((SELECT max(last) FROM temp.readings_fresh WHERE last <= ?1 OR last > ?2), 0),"
	"           coalesce((SELECT max(t) FROM events WHERE t <= ?1), 0),"
	"           coalesce((SELECT max(t) FROM events WHERE t > ?2), 0),"
	"           coalesce((SELECT max(t) FROM events WHERE id > ?4), 0),"
	"           coalesce((SELECT max(m) FROM (SELECT id, max(started, coalesce(ended, 0)) AS m"
	"                     FROM pump_runs) WHERE m <= ?1 OR m > ?2 OR id > ?5), 0),"
	"           coalesce((SELECT max(entered_at) FROM records"
	"                     WHERE entered_at <= ?1 OR entered_at > ?2 OR id > ?3), 0))";
static const char SQL_NEWEST_IDS[] =
	"SELECT coalesce((SELECT max(id) FROM records), 0), coalesce((SELECT max(id) FROM events), 0),"
	" coalesce((SELECT max(id) FROM pump_runs), 0)";
static const char META_CLOCK_WRONG[] = "clock_wrong";

int store_event(struct store *s, int64_t t, const char *kind, const char *source,
		const char *detail, bool alarm)
{
	sqlite3_stmt *st = store_stmt(s, SQL_EVENT_ADD);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, t);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, detail, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, alarm);
	rc = store_exec_stmt(s, st);
	if (rc < 0)
		return rc;
	if (alarm && s->on_alarm)
		s->on_alarm(s->on_alarm_ctx);
	return 0;
}

void store_on_alarm(struct store *s, void (*fn)(void *ctx), void *ctx)
{
	s->on_alarm = fn;
	s->on_alarm_ctx = ctx;
}

int store_alarms_open(struct store *s, int *count)
{
	sqlite3_stmt *st = store_stmt(s, SQL_ALARMS_OPEN);
	int rc;

	if (!st)
		return STORE_ERR;
	rc = sqlite3_step(st);
	*count = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : store_fail(s, rc);
}

int store_last_alive(struct store *s, int64_t *t)
{
	sqlite3_stmt *st = store_stmt(s, SQL_LAST_ALIVE);
	int rc;

	if (!st)
		return STORE_ERR;
	rc = sqlite3_step(st);
	*t = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	/* The note written each minute a pump runs. */
	if (s->alive_note > *t)
		*t = s->alive_note;
	return rc == SQLITE_ROW ? 0 : store_fail(s, rc);
}

/* "after until records events runs": the span, and the newest ids when
 * it was declared. */
static int clock_wrong_get(struct store *s, long long v[5])
{
	char text[128];

	return store_meta_get(s, META_CLOCK_WRONG, text, sizeof(text)) == 0 &&
	       sscanf(text, "%lld %lld %lld %lld %lld", &v[0], &v[1], &v[2], &v[3], &v[4]) == 5 &&
	       v[0] < v[1] ? 0 : -1;
}

void store_clock_wrong_span(struct store *s, int64_t *after, int64_t *until)
{
	long long v[5];

	*after = *until = INT64_MAX;
	if (clock_wrong_get(s, v) == 0) {
		*after = v[0];
		*until = v[1];
	}
}

void store_bind_clock_wrong(struct store *s, sqlite3_stmt *st)
{
	long long v[5] = { INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX };
	int n = sqlite3_bind_parameter_count(st);

	if (clock_wrong_get(s, v) < 0)
		v[0] = v[1] = v[2] = v[3] = v[4] = INT64_MAX;
	for (int i = 0; i < 5 && i < n; i++)
		sqlite3_bind_int64(st, i + 1, v[i]);
}

int store_clock_wrong_set(struct store *s, int64_t after, int64_t until)
{
	sqlite3_stmt *st = store_stmt(s, SQL_NEWEST_IDS);
	long long ids[3] = { 0, 0, 0 };
	char v[128];
	int rc;

	if (!st)
		return STORE_ERR;
	rc = sqlite3_step(st);
	for (int i = 0; i < 3 && rc == SQLITE_ROW; i++)
		ids[i] = sqlite3_column_int64(st, i);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return store_fail(s, rc);
	snprintf(v, sizeof(v), "%lld %lld %lld %lld %lld", (long long)after, (long long)until,
		 ids[0], ids[1], ids[2]);
	return store_meta_set(s, META_CLOCK_WRONG, v);
}

int store_newest_moment(struct store *s, int64_t *t)
{
	sqlite3_stmt *st = store_stmt(s, SQL_NEWEST_MOMENT);
	int rc;

	*t = 0;
	if (!st)
		return STORE_ERR;
	store_bind_clock_wrong(s, st);
	rc = sqlite3_step(st);
	*t = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	/* The note a running pump's minutes leave, if not in the span. */
	{
		int64_t after, until;

		store_clock_wrong_span(s, &after, &until);
		if (s->alive_note > *t && (s->alive_note <= after || s->alive_note > until))
			*t = s->alive_note;
	}
	return rc == SQLITE_ROW ? 0 : store_fail(s, rc);
}

int store_note_alive(struct store *s, int64_t t, const struct alive_run *runs, int n)
{
	int rc = pending_note_alive(s, t, runs, n);

	if (rc < 0)
		snprintf(s->error, sizeof(s->error), "%s", strerror(-rc));
	return rc < 0 ? STORE_ERR : 0;
}

int store_alive_note(struct store *s, int64_t *t, struct alive_run *runs)
{
	*t = s->alive_note;
	memcpy(runs, s->alive_runs, (size_t)s->n_alive_runs * sizeof(*runs));
	return s->n_alive_runs;
}

