/* The office link's outbox: what the station wrote, queued in the same
 * transaction by triggers of this connection only (so a station without
 * a link queues nothing), and the batches sent from it as small station
 * database images, which the office merges as it merges a stick's copy. */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The tables whose rows go to the office, and their keys. */
static const struct {
	const char *table;
	const char *k1, *k2, *k3;
} queued[] = {
	{ "records", "id", NULL, NULL },
	{ "pump_runs", "id", NULL, NULL },
	{ "events", "id", NULL, NULL },
	{ "calibrations", "id", NULL, NULL },
	{ "doses", "id", NULL, NULL },
	{ "tank_book", "id", NULL, NULL },
	{ "readings_daily", "day", "sensor", "quantity" },
};

#define N_QUEUED (sizeof(queued) / sizeof(queued[0]))

static int run_sql(struct store *s, const char *sql)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_fail(s, rc);
}

static void key_expr(char *buf, size_t n, const char *col)
{
	if (col)
		snprintf(buf, n, "NEW.\"%s\"", col);
	else
		snprintf(buf, n, "NULL");
}

int store_outbox_enable(struct store *s)
{
	static const char *const when[] = { "INSERT", "UPDATE" };
	char sql[1024], k1[32], k2[32], k3[32];

	for (size_t i = 0; i < N_QUEUED; i++) {
		key_expr(k1, sizeof(k1), queued[i].k1);
		key_expr(k2, sizeof(k2), queued[i].k2);
		key_expr(k3, sizeof(k3), queued[i].k3);
		for (int w = 0; w < 2; w++) {
			snprintf(sql, sizeof(sql),
				 "CREATE TEMP TRIGGER IF NOT EXISTS outbox_%s_%d AFTER %s ON main.\"%s\""
				 " BEGIN INSERT INTO outbox(tbl, k1, k2, k3)"
				 " SELECT '%s', %s, %s, %s WHERE NOT EXISTS (SELECT 1 FROM outbox"
				 " WHERE sent IS NULL AND tbl = '%s' AND k1 = %s AND k2 IS %s AND k3 IS %s);"
				 " END",
				 queued[i].table, w, when[w], queued[i].table, queued[i].table, k1, k2, k3,
				 queued[i].table, k1, k2, k3);
			if (run_sql(s, sql) < 0)
				return STORE_ERR;
		}
	}
	return 0;
}

static int one_int64(struct store *s, const char *sql, int64_t *out)
{
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	if (!st)
		return STORE_ERR;
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_fail(s, rc);
}

static int64_t meta_int(struct store *s, const char *key)
{
	char buf[32];

	if (store_meta_get(s, key, buf, sizeof(buf)) != 0)
		return 0;
	return strtoll(buf, NULL, 10);
}

static int meta_put(struct store *s, const char *key, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	return store_meta_set(s, key, buf);
}

int store_outbox_state(struct store *s, struct outbox_state *o)
{
	memset(o, 0, sizeof(*o));
	if (one_int64(s, "SELECT count(*) FROM outbox", &o->waiting) < 0 ||
	    one_int64(s, "SELECT count(*) FROM outbox WHERE sent IS NULL", &o->unsent) < 0 ||
	    one_int64(s, "SELECT coalesce(max(seq), 0) FROM outbox WHERE sent IS NOT NULL",
		      &o->last_sent) < 0)
		return STORE_ERR;
	o->confirmed_at = meta_int(s, "link_confirmed_at");
	o->dropped_days = meta_int(s, "link_dropped_days");
	o->dropped_events = meta_int(s, "link_dropped_events");
	o->confirmed = meta_int(s, "link_confirmed_seq");
	if (o->last_sent == 0)
		o->last_sent = o->confirmed;
	return 0;
}

/* The image of a database with the station's schema and nothing in it,
 * made once: each batch starts from a copy of it. */
static unsigned char *blank;
static sqlite3_int64 blank_len;

static int make_blank(struct store *s)
{
	sqlite3 *db;

	if (blank)
		return 0;
	/* Small pages: an image is mostly one page per table and index. */
	db = store_schema_memory(512);
	if (!db)
		return store_fail(s, SQLITE_NOMEM);
	if (sqlite3_exec(db, "DELETE FROM meta", NULL, NULL, NULL) == SQLITE_OK)
		blank = sqlite3_serialize(db, "main", &blank_len, 0);
	sqlite3_close(db);
	return blank ? 0 : store_fail(s, SQLITE_NOMEM);
}

/* Every row that a row of the image refers to, brought in until none is
 * missing (a correction's record, a dose's run, a run's record, a
 * roll-up's sensor). */
static int add_referred(struct store *s)
{
	sqlite3_stmt *fk;
	char sql[512];
	int rounds = 0, added;

	if (sqlite3_prepare_v2(s->db,
			       "SELECT m.name, f.\"table\", f.\"from\", coalesce(f.\"to\", 'rowid')"
			       " FROM link.sqlite_schema m, pragma_foreign_key_list(m.name, 'link') f"
			       " WHERE m.type = 'table'", -1, &fk, NULL) != SQLITE_OK)
		return store_fail(s, sqlite3_errcode(s->db));
	do {
		added = 0;
		while (sqlite3_step(fk) == SQLITE_ROW) {
			snprintf(sql, sizeof(sql),
				 "INSERT OR IGNORE INTO link.\"%s\" SELECT * FROM main.\"%s\" WHERE \"%s\" IN"
				 " (SELECT \"%s\" FROM link.\"%s\")",
				 sqlite3_column_text(fk, 1), sqlite3_column_text(fk, 1),
				 sqlite3_column_text(fk, 3), sqlite3_column_text(fk, 2),
				 sqlite3_column_text(fk, 0));
			if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
				sqlite3_finalize(fk);
				return store_fail(s, sqlite3_errcode(s->db));
			}
			added += sqlite3_changes(s->db);
		}
		sqlite3_reset(fk);
	} while (added > 0 && ++rounds < 8);
	sqlite3_finalize(fk);
	return 0;
}

static int fill_image(struct store *s, int max, int64_t *first, int64_t *last)
{
	char sql[768];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql),
		 "CREATE TEMP TABLE link_batch AS SELECT seq, tbl, k1, k2, k3 FROM main.outbox"
		 " WHERE sent IS NULL ORDER BY seq LIMIT %d", max);
	if (run_sql(s, sql) < 0)
		return STORE_ERR;
	if (one_int64(s, "SELECT coalesce(min(seq), 0) FROM temp.link_batch", first) < 0 ||
	    one_int64(s, "SELECT coalesce(max(seq), 0) FROM temp.link_batch", last) < 0)
		return STORE_ERR;
	if (*first == 0)
		return 0;
	for (size_t i = 0; i < N_QUEUED; i++) {
		if (queued[i].k2)
			snprintf(sql, sizeof(sql),
				 "INSERT OR REPLACE INTO link.\"%s\" SELECT t.* FROM main.\"%s\" t"
				 " JOIN temp.link_batch b ON b.tbl = '%s' AND b.k1 = t.\"%s\""
				 " AND b.k2 = t.\"%s\" AND b.k3 = t.\"%s\"",
				 queued[i].table, queued[i].table, queued[i].table, queued[i].k1,
				 queued[i].k2, queued[i].k3);
		else
			snprintf(sql, sizeof(sql),
				 "INSERT OR REPLACE INTO link.\"%s\" SELECT t.* FROM main.\"%s\" t"
				 " JOIN temp.link_batch b ON b.tbl = '%s' AND b.k1 = t.\"%s\"",
				 queued[i].table, queued[i].table, queued[i].table, queued[i].k1);
		if (run_sql(s, sql) < 0)
			return STORE_ERR;
	}
	if (add_referred(s) < 0)
		return STORE_ERR;
	rc = run_sql(s, "INSERT OR REPLACE INTO link.names SELECT * FROM main.names WHERE station = 0;"
		     "INSERT INTO link.meta(key, value) SELECT key, value FROM main.meta"
		     " WHERE key IN ('station_uid', 'station_code', 'station_name')");
	if (rc < 0)
		return rc;
	/* Not a cached statement: the image is detached after. */
	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM link.meta WHERE key = 'station_uid'",
			       -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, sqlite3_errcode(s->db));
	rc = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 1 ? 0 : STORE_ERR;
	sqlite3_finalize(st);
	if (rc < 0)
		snprintf(s->error, sizeof(s->error), "the station has no uid");
	return rc;
}

int store_outbox_image(struct store *s, int max, uint8_t **image, size_t *len, int64_t *first,
		       int64_t *last)
{
	unsigned char *copy;
	sqlite3_int64 size = 0;
	int rc;

	*image = NULL;
	*len = 0;
	*first = *last = 0;
	if (make_blank(s) < 0)
		return STORE_ERR;
	copy = sqlite3_malloc64((sqlite3_uint64)blank_len);
	if (!copy)
		return store_fail(s, SQLITE_NOMEM);
	memcpy(copy, blank, (size_t)blank_len);
	if (run_sql(s, "ATTACH ':memory:' AS link") < 0) {
		sqlite3_free(copy);
		return STORE_ERR;
	}
	rc = sqlite3_deserialize(s->db, "link", copy, blank_len, blank_len,
				 SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE);
	if (rc != SQLITE_OK)
		rc = store_fail(s, rc);
	/* One transaction: the rows as they are at one moment; the image's
	 * references checked when it is whole. */
	if (rc == 0)
		rc = store_begin(s);
	if (rc == 0) {
		rc = run_sql(s, "PRAGMA defer_foreign_keys = ON");
		if (rc == 0)
			rc = fill_image(s, max, first, last);
		if (rc == 0)
			rc = store_commit(s);
		else
			store_rollback(s);
	}
	sqlite3_exec(s->db, "DROP TABLE IF EXISTS temp.link_batch", NULL, NULL, NULL);
	if (rc == 0 && *first) {
		unsigned char *img = sqlite3_serialize(s->db, "link", &size, 0);

		if (img && (*image = malloc((size_t)size)) != NULL) {
			memcpy(*image, img, (size_t)size);
			*len = (size_t)size;
		} else {
			rc = store_fail(s, SQLITE_NOMEM);
		}
		sqlite3_free(img);
	}
	if (sqlite3_exec(s->db, "DETACH DATABASE link", NULL, NULL, NULL) != SQLITE_OK && rc == 0)
		rc = store_fail(s, sqlite3_errcode(s->db));
	if (rc < 0) {
		free(*image);
		*image = NULL;
		*len = 0;
		return rc;
	}
	return *first ? 1 : 0;
}

static const char SQL_SENT[] =
	"UPDATE outbox SET sent = ?3 WHERE seq BETWEEN ?1 AND ?2 AND sent IS NULL";

int store_outbox_sent(struct store *s, int64_t first, int64_t last, int64_t now)
{
	sqlite3_stmt *st = store_stmt(s, SQL_SENT);

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, first);
	sqlite3_bind_int64(st, 2, last);
	sqlite3_bind_int64(st, 3, now);
	return store_exec_stmt(s, st);
}

static const char SQL_CONFIRMED[] = "DELETE FROM outbox WHERE seq <= ?1";

int store_outbox_confirmed(struct store *s, int64_t seq, int64_t now)
{
	sqlite3_stmt *st;
	int rc;

	if (seq <= meta_int(s, "link_confirmed_seq"))
		return 0;
	rc = store_begin(s);
	if (rc == 0) {
		st = store_stmt(s, SQL_CONFIRMED);
		if (!st) {
			rc = STORE_ERR;
		} else {
			sqlite3_bind_int64(st, 1, seq);
			rc = store_exec_stmt(s, st);
		}
	}
	if (rc == 0)
		rc = meta_put(s, "link_confirmed_seq", seq);
	if (rc == 0)
		rc = meta_put(s, "link_confirmed_at", now);
	if (rc == 0)
		return store_commit(s);
	store_rollback(s);
	return rc;
}

static const char SQL_RESEND[] = "UPDATE outbox SET sent = NULL WHERE seq > ?1";

int store_outbox_resend(struct store *s, int64_t seq)
{
	sqlite3_stmt *st = store_stmt(s, SQL_RESEND);

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, seq);
	return store_exec_stmt(s, st);
}

static const char SQL_COUNT[] = "SELECT count(*) FROM outbox";
static const char SQL_GIVE_WAY[] =
	"DELETE FROM outbox WHERE seq IN (SELECT o.seq FROM outbox o WHERE o.tbl = ?1"
	" AND (?1 <> 'events' OR NOT EXISTS (SELECT 1 FROM events e WHERE e.id = o.k1 AND e.alarm))"
	" ORDER BY o.seq LIMIT ?2)";

/* The days among the first limit roll-ups waiting, but for the day of
 * the last one given up before (a day's roll-ups wait together: one given
 * up in two goes is counted once; a clock set back may bring earlier
 * days after it), and the day of the last of them. */
static const char SQL_DAYS_GOING[] =
	"WITH going AS (SELECT seq, k1 FROM outbox WHERE tbl = 'readings_daily'"
	" ORDER BY seq LIMIT ?1)"
	" SELECT (SELECT count(DISTINCT k1) FROM going WHERE k1 <> ?2),"
	" coalesce((SELECT k1 FROM going ORDER BY seq DESC LIMIT 1), ?2)";

static int count_days(struct store *s, int64_t limit, int64_t *days)
{
	sqlite3_stmt *st = store_stmt(s, SQL_DAYS_GOING);
	int64_t last_day = 0, last = meta_int(s, "link_dropped_day");	/* 0: none yet */
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, limit);
	sqlite3_bind_int64(st, 2, last);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*days = sqlite3_column_int64(st, 0);
		last_day = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return store_fail(s, rc);
	if (*days == 0)
		return 0;
	if (meta_put(s, "link_dropped_day", last_day) < 0 ||
	    meta_put(s, "link_dropped_days", meta_int(s, "link_dropped_days") + *days) < 0)
		return STORE_ERR;
	return 0;
}

int store_outbox_bound(struct store *s, int64_t max, bool card_full, int64_t *dropped)
{
	static const char *const give_way[] = { "readings_daily", "events" };
	int64_t n = 0, gone = 0;
	int rc;

	*dropped = 0;
	if (one_int64(s, SQL_COUNT, &n) < 0)
		return STORE_ERR;
	if (n <= max && !card_full)
		return 0;
	rc = store_begin(s);
	for (size_t i = 0; rc == 0 && i < sizeof(give_way) / sizeof(give_way[0]); i++) {
		int64_t limit = card_full && i == 0 ? INT64_MAX : n - max, days = 0, changed;
		sqlite3_stmt *st;

		if (n <= max && !(card_full && i == 0))
			break;
		if (i == 0 && count_days(s, limit, &days) < 0) {
			rc = STORE_ERR;
			break;
		}
		st = store_stmt(s, SQL_GIVE_WAY);
		if (!st) {
			rc = STORE_ERR;
			break;
		}
		sqlite3_bind_text(st, 1, give_way[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, limit);
		rc = store_exec_stmt(s, st);
		if (rc != 0)
			break;
		changed = sqlite3_changes64(s->db);
		gone += changed;
		n -= changed;
		if (i == 1 && changed)
			rc = meta_put(s, "link_dropped_events",
				      meta_int(s, "link_dropped_events") + changed);
	}
	if (rc == 0)
		rc = store_commit(s);
	else
		store_rollback(s);
	if (rc == 0)
		*dropped = gone;
	return rc;
}
