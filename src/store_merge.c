/* SQL for the office: checking a station's database copy from a stick,
 * and merging it into an office database. Every table is either merged
 * (the specs below) or named with the reason it is not; a test holds
 * every table of the schema to that, so a new table gets a decision.
 *
 * A row's identity across stations is its station's uid and its id at
 * that station: merged rows get ids of their own here, and `origins`
 * says which is which. So the same backup, or an older one, merged
 * again adds nothing; a newer one adds its new rows and fills in what
 * older copies did not know yet (a run's end, an alarm's acknowledgement). */
#include "error.h"
#include "store_internal.h"

#include "text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "FSDB", as store.c marks a station database. */
#define STATION_APPLICATION_ID 0x46534442
/* The first schema with a station uid: older copies cannot be told apart. */
#define FIRST_MERGEABLE_SCHEMA 3

struct merge_ref {
	const char *column;
	const char *table;	/* whose ids it holds */
};

struct merge_spec {
	const char *table;
	/* Rows with an id of their own (rowid): new ids here, mapped in
	 * origins; rows already here get what they lacked. Otherwise rows
	 * keyed by their primary key, whose columns map as refs say. */
	bool by_id;
	struct merge_ref refs[3];
	const char *qualified;	/* unique per station only: prefixed with the uid */
	const char *station;	/* a column holding the station: 0 there, its number here */
	const char *better;	/* keyed rows: the office's is replaced when this grows */
	/* Rows with an id that a station finishes later (a run, a dose: its
	 * end, its water, its energy): an office row not yet finished takes
	 * the whole of a finished one; a finished row is never overwritten,
	 * only what it lacks filled in. */
	const char *finished;
};

/* In order: a table's refs are merged before it. */
static const struct merge_spec specs[] = {
	{ "sensors", true, { { NULL, NULL } }, "code", NULL, NULL, NULL },
	{ "calibrations", true, { { "sensor", "sensors" } }, NULL, NULL, NULL, NULL },
	{ "records", true, { { "corrects", "records" }, { "phi_override", "records" } }, NULL, NULL,
	  NULL, NULL },
	{ "pump_runs", true, { { "record", "records" } }, NULL, NULL, NULL, "ended" },
	/* What each injector gave in a run, the record it wrote, and each
	 * tank's refills (with the supplier's lot), doses and drains: what
	 * a certifier asks about inputs. */
	{ "doses", true, { { "run", "pump_runs" }, { "record", "records" } }, NULL, NULL, NULL,
	  "ended" },
	{ "tank_book", true, { { "dose", "doses" } }, NULL, NULL, NULL, NULL },
	{ "events", true, { { NULL, NULL } }, NULL, NULL, NULL, NULL },
	{ "readings_hourly", false, { { "sensor", "sensors" } }, NULL, NULL, "n", NULL },
	{ "readings_daily", false, { { "sensor", "sensors" } }, NULL, NULL, "n", NULL },
	{ "names", false, { { NULL, NULL } }, NULL, "station", NULL, NULL },
};

#define N_SPECS ((int)(sizeof(specs) / sizeof(specs[0])))

/* Tables not merged, and why. */
static const char *const not_merged[] = {
	"meta",		/* the station's settings and PIN: its row in stations says who */
	"stations",	/* a station's copy has none */
	"origins",	/* likewise */
	"readings_packed",	/* raw readings: kept in the station's copy; the office keeps the roll-ups */
	"lots",		/* a station's count of each day's harvests; records keep the codes */
	"schedules",	/* a station's watering plan, not a record of what was done */
	"moisture_switches",	/* likewise: what its own savings screen sets runs against */
	"replaced_schedules",	/* likewise */
	"port_choices",	/* which adapter a station reads its sensors through */
	"trusted_stations",	/* the office's own trust: a station's copy has none */
	"trusted_boards",	/* likewise */
	"outbox",	/* what a station has still to send over its link: its own */
};

bool store_merge_decided(const char *table)
{
	for (int i = 0; i < N_SPECS; i++)
		if (strcmp(specs[i].table, table) == 0)
			return true;
	for (size_t i = 0; i < sizeof(not_merged) / sizeof(not_merged[0]); i++)
		if (strcmp(not_merged[i], table) == 0)
			return true;
	return false;
}

int store_merge_table_count(void)
{
	return N_SPECS;
}

const char *store_merge_table(int i)
{
	return i >= 0 && i < N_SPECS ? specs[i].table : NULL;
}

/* Checking a copy. */

/* "file:" URI of an absolute path, read-only and immutable: the copy is a
 * file of the caller's that nothing else writes, so SQLite takes no lock
 * on it and looks for no journal beside it. Malloc'd; NULL when the path
 * is not absolute or memory runs out. */
static char *copy_uri(const char *path)
{
	static const char tail[] = "?mode=ro&immutable=1";
	char *uri, *o;

	if (path[0] != '/' || !(uri = malloc(strlen(path) * 3 + sizeof("file://") + sizeof(tail))))
		return NULL;
	o = uri + sprintf(uri, "file://");
	for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
		if (*c == '%' || *c == '?' || *c == '#' || *c < 0x20 || *c == 0x7f)
			o += sprintf(o, "%%%02X", *c);
		else
			*o++ = (char)*c;
	}
	memcpy(o, tail, sizeof(tail));
	return uri;
}

/* SQLite's defences for a database that a stranger made: nothing in it
 * runs (no functions from its schema, no triggers, no views, no writes to
 * its schema), each value read is at most STORE_COPY_MAX_VALUE, and the
 * SQL in its schema is held to small limits while it is parsed. */
static void defend(sqlite3 *db)
{
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
	sqlite3_limit(db, SQLITE_LIMIT_LENGTH, STORE_COPY_MAX_VALUE);
	sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, STORE_COPY_MAX_VALUE);
	sqlite3_limit(db, SQLITE_LIMIT_EXPR_DEPTH, 100);
	sqlite3_limit(db, SQLITE_LIMIT_COMPOUND_SELECT, 8);
	sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
	sqlite3_limit(db, SQLITE_LIMIT_TRIGGER_DEPTH, 1);
	sqlite3_exec(db, "PRAGMA cell_size_check = ON; PRAGMA mmap_size = 0", NULL, NULL, NULL);
}

static int one_text(sqlite3 *db, const char *sql, char *out, size_t n)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (n)
		out[0] = '\0';
	if (rc != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, n, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int one_int(sqlite3 *db, const char *sql, int64_t *out)
{
	char buf[32];

	if (one_text(db, sql, buf, sizeof(buf)) < 0)
		return -1;
	*out = strtoll(buf, NULL, 10);
	return 0;
}

static bool is_hex(const char *s, size_t len)
{
	if (strlen(s) != len)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

static int has_long_value(sqlite3 *db);

int store_backup_inspect(const char *path, struct backup_facts *f, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	char *have = NULL, *want = NULL, *uri = copy_uri(path), buf[256];
	int64_t app_id = 0, version = 0, v;
	int rc = -1;

	memset(f, 0, sizeof(*f));
	if (!uri || sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) !=
			    SQLITE_OK) {
		error_set(err, errlen, -1, _("it is not a database (%s)"), db ? sqlite3_errmsg(db) : strerror(ENOMEM));
		goto out;
	}
	defend(db);
	if (one_int(db, "PRAGMA application_id", &app_id) < 0 ||
	    one_int(db, "PRAGMA user_version", &version) < 0) {
		error_set(err, errlen, -1, _("it is not a database (%s)"), sqlite3_errmsg(db));
		goto out;
	}
	if (app_id != STATION_APPLICATION_ID) {
		error_set(err, errlen, -1, "%s", _("it is not a station's database"));
		goto out;
	}
	if (version > store_schema_latest()) {
		error_set(err, errlen, -1, "%s", _("it was made by a newer fieldstation: update this one"));
		goto out;
	}
	if (version < FIRST_MERGEABLE_SCHEMA) {
		error_set(err, errlen, -1, "%s", _("it was made by a fieldstation too old to say which station it is"));
		goto out;
	}
	/* Exactly the tables and indexes a station of that version has, and
	 * SQLite's own objects that come with them: nothing else, whatever
	 * its name (a trigger or view named sqlite_x too). */
	have = store_schema_text(db);
	want = store_schema_reference((int)version);
	if (!have || !want || strcmp(have, want) != 0) {
		error_set(err, errlen, -1, "%s", _("its tables are not a station's"));
		goto out;
	}
	if (one_text(db, "PRAGMA integrity_check", buf, sizeof(buf)) < 0 ||
	    strcmp(buf, "ok") != 0) {
		error_set(err, errlen, -1, _("it is damaged (%s)"), buf[0] ? buf : sqlite3_errmsg(db));
		goto out;
	}
	if (one_text(db, "SELECT 'x' FROM pragma_foreign_key_check LIMIT 1", buf, sizeof(buf)) < 0 ||
	    buf[0]) {
		error_set(err, errlen, -1, "%s", _("its records point at records it does not have"));
		goto out;
	}
	v = has_long_value(db);
	if (v != 0) {
		if (v > 0)
			error_set(err, errlen, -1, _("it holds a text longer than %d KB, which a station never writes"),
			    STORE_COPY_MAX_VALUE / 1024);
		else
			error_set(err, errlen, -1, _("it is damaged (%s)"), sqlite3_errmsg(db));
		goto out;
	}
	if (one_int(db, "SELECT count(*) FROM stations", &v) < 0 || v > 0 ||
	    one_text(db, "SELECT value FROM meta WHERE key = 'role'", buf, sizeof(buf)) < 0 ||
	    strcmp(buf, "office") == 0) {
		error_set(err, errlen, -1, "%s", _("it is an office's database, not a station's"));
		goto out;
	}
	one_text(db, "SELECT value FROM meta WHERE key = 'station_uid'", f->uid, sizeof(f->uid));
	one_text(db, "SELECT value FROM meta WHERE key = 'station_code'", f->code, sizeof(f->code));
	one_text(db, "SELECT value FROM meta WHERE key = 'station_name'", f->name, sizeof(f->name));
	if (!is_hex(f->uid, 32)) {
		error_set(err, errlen, -1, "%s", _("it does not say which station it is"));
		goto out;
	}
	f->schema = (int)version;
	rc = 0;
out:
	free(have);
	free(want);
	free(uri);
	sqlite3_close(db);
	return rc;
}

/* The office's database. */

static const char SQL_HAS_OWN_DATA[] =
	"SELECT EXISTS (SELECT 1 FROM meta WHERE key = 'station_code')"
	" OR EXISTS (SELECT 1 FROM pump_runs) OR EXISTS (SELECT 1 FROM records)"
	" OR EXISTS (SELECT 1 FROM readings_packed)";
static const char SQL_BE_OFFICE[] =
	"INSERT OR REPLACE INTO meta(key, value) VALUES ('role', 'office')";

int store_office_prepare(struct store *s, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc, own = 0;

	if (store_is_office(s))
		return 0;
	st = store_stmt(s, SQL_HAS_OWN_DATA);
	if (!st)
		return error_set(err, errlen, -1, "%s", store_error(s));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		own = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return error_set(err, errlen, -1, "%s", sqlite3_errmsg(s->db));
	if (own)
		return error_set(err, errlen, -1, "%s",
			   _("it is a station's own database; merge into an office database (a new file is made)"));
	st = store_stmt(s, SQL_BE_OFFICE);
	if (!st || store_exec_stmt(s, st) < 0)
		return error_set(err, errlen, -1, "%s", store_error(s));
	return 0;
}

/* Building a table's SQL from its columns. */

struct buf {
	char *s;
	size_t len, cap;
	bool failed;
};

static void add(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = true;
			return;
		}
		if (b->s && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = b->cap ? b->cap * 2 : 1024;
		while (cap < b->len + (size_t)n + 1)
			cap *= 2;
		char *grown = realloc(b->s, cap);
		if (!grown) {
			b->failed = true;
			return;
		}
		b->s = grown;
		b->cap = cap;
	}
}

#define MAX_COLS 64

struct columns {
	char name[MAX_COLS][64];
	int pk[MAX_COLS];	/* position in the primary key, 0 if not in it */
	int n;
	int rowid_alias;	/* the INTEGER PRIMARY KEY column, or -1 */
};

static int read_columns(sqlite3 *db, const char *table, struct columns *c)
{
	char sql[128];
	sqlite3_stmt *st;
	int pks = 0;

	memset(c, 0, sizeof(*c));
	c->rowid_alias = -1;
	snprintf(sql, sizeof(sql), "SELECT name, pk, upper(type) FROM pragma_table_info('%s', 'main')",
		 table);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW && c->n < MAX_COLS) {
		snprintf(c->name[c->n], sizeof(c->name[0]), "%s", sqlite3_column_text(st, 0));
		c->pk[c->n] = sqlite3_column_int(st, 1);
		if (c->pk[c->n]) {
			pks++;
			if (strcmp((const char *)sqlite3_column_text(st, 2), "INTEGER") == 0)
				c->rowid_alias = c->n;
		}
		c->n++;
	}
	sqlite3_finalize(st);
	if (pks != 1)
		c->rowid_alias = -1;
	return c->n > 0 ? 0 : -1;
}

/* A text or blob longer than STORE_COPY_MAX_VALUE in any table: 1 if so,
 * 0 if not, -1 on another error. A value is read only if it is text or a
 * blob (typeof() does not read it), and reading one that is too long
 * fails with SQLITE_TOOBIG under defend()'s limit. */
static int has_long_value(sqlite3 *db)
{
	sqlite3_stmt *tables;
	int found = 0;

	if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type = 'table'", -1,
			       &tables, NULL) != SQLITE_OK)
		return -1;
	while (found == 0 && sqlite3_step(tables) == SQLITE_ROW) {
		const char *table = (const char *)sqlite3_column_text(tables, 0);
		struct buf b = { 0 };
		struct columns c;
		int64_t v = 0;

		if (!table || read_columns(db, table, &c) < 0) {
			found = -1;
			break;
		}
		add(&b, "SELECT EXISTS (SELECT 1 FROM main.\"%s\" WHERE max(0", table);
		for (int i = 0; i < c.n; i++)
			add(&b, ", CASE WHEN typeof(\"%s\") IN ('text', 'blob') THEN length(\"%s\") END",
			    c.name[i], c.name[i]);
		add(&b, ") > %d)", STORE_COPY_MAX_VALUE);
		if (b.failed || one_int(db, b.s, &v) < 0)
			found = sqlite3_errcode(db) == SQLITE_TOOBIG ? 1 : -1;
		else if (v)
			found = 1;
		free(b.s);
	}
	sqlite3_finalize(tables);
	return found;
}

/* The value of column i of source row s as the office stores it. */
static void value_of(struct buf *b, const struct merge_spec *m, const char *col)
{
	for (int r = 0; r < 3 && m->refs[r].column; r++) {
		if (strcmp(m->refs[r].column, col) == 0) {
			add(b, "(SELECT o.id FROM main.origins o WHERE o.station = ?1 AND o.tbl = '%s'"
			       " AND o.origin_id = s.\"%s\")", m->refs[r].table, col);
			return;
		}
	}
	if (m->qualified && strcmp(m->qualified, col) == 0)
		add(b, "?2 || ':' || s.\"%s\"", col);
	else if (m->station && strcmp(m->station, col) == 0)
		add(b, "?1");
	else
		add(b, "s.\"%s\"", col);
}

/* What one merge works with, and its first error's words. */
struct merging {
	sqlite3 *db;
	int station;
	const char *uid;
	char error[256];
};

static int failed(struct merging *g, int rc)
{
	if (!g->error[0])
		snprintf(g->error, sizeof(g->error), "%s", sqlite3_errmsg(g->db));
	return rc;
}

/* Runs sql with ?1 the station's number here and ?2 its uid; *out gets
 * the rows changed, or the first column of a row. */
static int run(struct merging *g, const char *sql, int64_t *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(g->db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return failed(g, rc);
	if (sqlite3_bind_parameter_count(st) >= 1)
		sqlite3_bind_int(st, 1, g->station);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_text(st, 2, g->uid, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && out)
		*out = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE && out)
		*out = sqlite3_changes64(g->db);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		failed(g, rc);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/* Rows with ids: new ones get ids after the office's, mapped in origins;
 * those merged before get what they lacked. */
static int merge_by_id(struct merging *g, const struct merge_spec *m, const struct columns *c,
		       int64_t *added, int64_t *filled)
{
	const char *id = c->rowid_alias >= 0 ? c->name[c->rowid_alias] : NULL;
	struct buf b = { 0 };
	int rc;

	/* The rowid of a table in UPDATE ... FROM cannot be named: rows merged
	 * by id need an INTEGER PRIMARY KEY. */
	if (!id) {
		snprintf(g->error, sizeof(g->error), "%s has no INTEGER PRIMARY KEY", m->table);
		return SQLITE_ERROR;
	}

	add(&b, "CREATE TEMP TABLE merge_new AS SELECT s.rowid AS origin_id,"
		" (SELECT coalesce(max(rowid), 0) FROM main.\"%s\") + row_number() OVER (ORDER BY s.rowid)"
		" AS id FROM src.\"%s\" s WHERE NOT EXISTS (SELECT 1 FROM main.origins o"
		" WHERE o.station = ?1 AND o.tbl = '%s' AND o.origin_id = s.rowid)",
	    m->table, m->table, m->table);
	rc = b.failed ? SQLITE_NOMEM : run(g, b.s, NULL);
	b.len = 0;
	if (rc == SQLITE_OK)
		rc = run(g, "SELECT count(*) FROM temp.merge_new", added);
	if (rc == SQLITE_OK) {
		add(&b, "INSERT INTO main.origins(tbl, id, station, origin_id)"
			" SELECT '%s', id, ?1, origin_id FROM temp.merge_new", m->table);
		rc = b.failed ? SQLITE_NOMEM : run(g, b.s, NULL);
		b.len = 0;
	}
	if (rc == SQLITE_OK) {
		add(&b, "INSERT INTO main.\"%s\"(\"%s\"", m->table, id);
		for (int i = 0; i < c->n; i++)
			if (i != c->rowid_alias)
				add(&b, ", \"%s\"", c->name[i]);
		add(&b, ") SELECT n.id");
		for (int i = 0; i < c->n; i++) {
			if (i == c->rowid_alias)
				continue;
			add(&b, ", ");
			value_of(&b, m, c->name[i]);
		}
		add(&b, " FROM src.\"%s\" s JOIN temp.merge_new n ON n.origin_id = s.rowid ORDER BY n.id",
		    m->table);
		rc = b.failed ? SQLITE_NOMEM : run(g, b.s, NULL);
		b.len = 0;
	}
	/* What the office's copy did not know yet: never overwritten, filled;
	 * or, for a row the station has finished since, taken whole. */
	if (rc == SQLITE_OK) {
		int k = 0;

		add(&b, "UPDATE main.\"%s\" AS t SET ", m->table);
		for (int i = 0; i < c->n; i++) {
			if (i == c->rowid_alias || (m->qualified && !strcmp(m->qualified, c->name[i])))
				continue;
			add(&b, "%s\"%s\" = ", k++ ? ", " : "", c->name[i]);
			if (m->finished) {
				add(&b, "CASE WHEN t.\"%s\" IS NULL AND s.\"%s\" IS NOT NULL THEN ",
				    m->finished, m->finished);
				value_of(&b, m, c->name[i]);
				add(&b, " ELSE ");
			}
			add(&b, "coalesce(t.\"%s\", ", c->name[i]);
			value_of(&b, m, c->name[i]);
			add(&b, m->finished ? ") END" : ")");
		}
		add(&b, " FROM src.\"%s\" AS s, main.origins AS o WHERE o.station = ?1 AND o.tbl = '%s'"
			" AND o.origin_id = s.\"%s\" AND t.\"%s\" = o.id AND (0",
		    m->table, m->table, id, id);
		if (m->finished)
			add(&b, " OR (t.\"%s\" IS NULL AND s.\"%s\" IS NOT NULL)", m->finished,
			    m->finished);
		for (int i = 0; i < c->n; i++) {
			if (i == c->rowid_alias || (m->qualified && !strcmp(m->qualified, c->name[i])))
				continue;
			add(&b, " OR (t.\"%s\" IS NULL AND ", c->name[i]);
			value_of(&b, m, c->name[i]);
			add(&b, " IS NOT NULL)");
		}
		add(&b, ")");
		rc = k == 0 ? SQLITE_OK : b.failed ? SQLITE_NOMEM : run(g, b.s, filled);
	}
	sqlite3_exec(g->db, "DROP TABLE IF EXISTS temp.merge_new", NULL, NULL, NULL);
	free(b.s);
	return rc;
}

/* Rows keyed by their columns: added when new; an office row is replaced
 * when the copy's is better (more readings in a roll-up), or always when
 * nothing says which is better. */
static int merge_by_key(struct merging *g, const struct merge_spec *m, const struct columns *c,
			int64_t *added, int64_t *filled)
{
	struct buf b = { 0 };
	int64_t before = 0, after = 0, changed = 0;
	int rc, k = 0;

	add(&b, "SELECT count(*) FROM main.\"%s\"", m->table);
	rc = b.failed ? SQLITE_NOMEM : run(g, b.s, &before);
	b.len = 0;
	add(&b, "INSERT INTO main.\"%s\"(", m->table);
	for (int i = 0; i < c->n; i++)
		add(&b, "%s\"%s\"", i ? ", " : "", c->name[i]);
	add(&b, ") SELECT ");
	for (int i = 0; i < c->n; i++) {
		add(&b, "%s", i ? ", " : "");
		value_of(&b, m, c->name[i]);
	}
	add(&b, " FROM src.\"%s\" s WHERE %s%s%s ON CONFLICT(", m->table,
	    m->station ? "s.\"" : "1", m->station ? m->station : "", m->station ? "\" = 0" : "");
	for (int p = 1; p <= c->n; p++)
		for (int i = 0; i < c->n; i++)
			if (c->pk[i] == p)
				add(&b, "%s\"%s\"", p > 1 ? ", " : "", c->name[i]);
	add(&b, ") DO UPDATE SET ");
	for (int i = 0; i < c->n; i++)
		if (!c->pk[i])
			add(&b, "%s\"%s\" = excluded.\"%s\"", k++ ? ", " : "", c->name[i], c->name[i]);
	if (m->better)
		add(&b, " WHERE excluded.\"%s\" > \"%s\".\"%s\"", m->better, m->table, m->better);
	if (rc == SQLITE_OK)
		rc = b.failed ? SQLITE_NOMEM : run(g, b.s, &changed);
	b.len = 0;
	add(&b, "SELECT count(*) FROM main.\"%s\"", m->table);
	if (rc == SQLITE_OK)
		rc = b.failed ? SQLITE_NOMEM : run(g, b.s, &after);
	*added = after - before;
	*filled = changed - *added;
	free(b.s);
	return rc;
}

static const char SQL_STATION_UPSERT[] =
	"INSERT INTO stations(uid, code, name, merged_at, data_until) VALUES (?, ?, ?, ?, ?)"
	" ON CONFLICT(uid) DO UPDATE SET code = excluded.code, name = excluded.name,"
	" merged_at = excluded.merged_at,"
	" data_until = max(coalesce(data_until, 0), coalesce(excluded.data_until, 0))";
static const char SQL_STATION_ID[] = "SELECT id, (SELECT count(*) FROM stations s2"
				     " WHERE s2.code = stations.code AND s2.uid <> stations.uid)"
				     " FROM stations WHERE uid = ?";

static int station_row(struct store *s, const struct backup_facts *f, int64_t now,
		       struct merge_result *r)
{
	sqlite3_stmt *st = store_stmt(s, SQL_STATION_UPSERT);
	int64_t before;
	int rc;

	if (!st)
		return STORE_ERR;
	if (one_int(s->db, "SELECT count(*) FROM stations", &before) < 0)
		return store_fail(s, sqlite3_errcode(s->db));
	sqlite3_bind_text(st, 1, f->uid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->code[0] ? f->code : "?", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, f->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, f->data_until);
	rc = store_exec_stmt(s, st);
	if (rc < 0)
		return rc;
	st = store_stmt(s, SQL_STATION_ID);
	if (!st)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, f->uid, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		r->station = sqlite3_column_int(st, 0);
		r->same_code = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return store_fail(s, rc);
	if (one_int(s->db, "SELECT count(*) FROM stations", &r->new_station) < 0)
		return store_fail(s, sqlite3_errcode(s->db));
	r->new_station -= before;
	return 0;
}

/* After a merge: the copy let go (else the next cannot be attached, and
 * this one stays open) and the office's references checked again for
 * every later write (PRAGMA foreign_keys says nothing when it does not
 * take: it is read back). 0, or -1 with err when err is given. */
static int let_go(struct store *s, bool attached, char *err, size_t errlen)
{
	int64_t on = 0;

	if (attached && sqlite3_exec(s->db, "DETACH DATABASE src", NULL, NULL, NULL) != SQLITE_OK) {
		if (err)
			error_set(err, errlen, -1, _("the copy was merged, but the office database still holds it open (%s): merge the rest in a new run"),
			    sqlite3_errmsg(s->db));
		return -1;
	}
	if (sqlite3_exec(s->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK ||
	    one_int(s->db, "PRAGMA foreign_keys", &on) < 0 || on != 1) {
		if (err)
			error_set(err, errlen, -1, _("the copy was merged, but the office database could not turn its reference checks back on (%s): merge the rest in a new run"),
			    sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

int store_merge(struct store *s, const char *copy, const struct backup_facts *f, int64_t now,
		struct merge_result *r, char *err, size_t errlen)
{
	struct merging g = { .db = s->db, .uid = f->uid };
	char *uri = copy_uri(copy);
	sqlite3_stmt *st;
	int rc, length;

	memset(r, 0, sizeof(*r));
	if (!uri)
		return error_set(err, errlen, -1, "%s", strerror(ENOMEM));
	/* Defence in depth: the copy passed its checks, yet nothing in it
	 * runs, and no value much longer than a copy may hold is read from it. */
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	/* The limit holds a whole row as SQLite builds it: MAX_COLS values. */
	length = sqlite3_limit(s->db, SQLITE_LIMIT_LENGTH, STORE_COPY_MAX_VALUE * MAX_COLS);
	/* Lots are not merged (a day's numbering is each station's), so the
	 * records' lot codes may name lots this database does not list; the
	 * merge maps every other reference itself. */
	rc = sqlite3_exec(s->db, "PRAGMA foreign_keys = OFF", NULL, NULL, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_prepare_v2(s->db, "ATTACH DATABASE ? AS src", -1, &st, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_text(st, 1, uri, -1, SQLITE_STATIC);
			rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(s->db);
			sqlite3_finalize(st);
		}
	}
	if (rc != SQLITE_OK) {
		error_set(err, errlen, -1, "%s", sqlite3_errmsg(s->db));
		let_go(s, false, NULL, 0);
		sqlite3_limit(s->db, SQLITE_LIMIT_LENGTH, length);
		free(uri);
		return STORE_ERR;
	}
	rc = store_begin(s) < 0 ? SQLITE_ERROR : SQLITE_OK;
	if (rc == SQLITE_OK && station_row(s, f, now, r) < 0)
		rc = SQLITE_ERROR;
	g.station = r->station;
	for (int i = 0; rc == SQLITE_OK && i < N_SPECS; i++) {
		struct columns c;

		if (read_columns(s->db, specs[i].table, &c) < 0) {
			rc = failed(&g, SQLITE_ERROR);
			break;
		}
		rc = specs[i].by_id ? merge_by_id(&g, &specs[i], &c, &r->added[i], &r->filled[i])
				    : merge_by_key(&g, &specs[i], &c, &r->added[i], &r->filled[i]);
	}
	if (rc == SQLITE_OK && store_commit(s) == 0) {
		err[0] = '\0';
	} else {
		if ((rc & 0xff) == SQLITE_TOOBIG)
			error_set(err, errlen, -1, _("it holds a text longer than %d KB, which a station never writes"),
			    STORE_COPY_MAX_VALUE / 1024);
		else
			error_set(err, errlen, -1, "%s", g.error[0] ? g.error : store_error(s));
		store_rollback(s);
		rc = SQLITE_ERROR;
	}
	if (let_go(s, true, rc == SQLITE_OK ? err : NULL, errlen) < 0)
		rc = SQLITE_ERROR;
	sqlite3_limit(s->db, SQLITE_LIMIT_LENGTH, length);
	free(uri);
	return rc == SQLITE_OK ? 0 : STORE_ERR;
}
