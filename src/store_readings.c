/* SQL for sensors, their readings and the roll-ups that outlive them.
 *
 * A batch of readings (every flush_minutes) is made safe in the pending
 * file beside the database, a page of the card (store_pending.c), and
 * kept in memory; every three hours the database takes the batches in
 * one commit, a packed row (readings_pack.h) for each hour, appended at
 * the end of the raw readings, with the roll-ups (the hourly minimum,
 * mean and maximum of every sensor and quantity) of the hours that have
 * ended, and of the days. Until then, and for the hour and the day going
 * on, the roll-ups are kept in memory, so that the charts show them.
 * Roll-ups are keyed by time first and appended at the end of their
 * trees; a chart reads the range of its span, at most about 365 rows per
 * sensor (the daily roll-ups of a year). Raw readings are pruned after a
 * while; the roll-ups are kept for good. */
#include "store_internal.h"

#include "readings_pack.h"
#include "text.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char SQL_SENSOR_GET[] = "SELECT id FROM sensors WHERE code = ?";
static const char SQL_SENSOR_ADD[] = "INSERT INTO sensors(code) VALUES (?)";

int store_sensor_id(struct store *s, const char *code, int *id)
{
	sqlite3_stmt *st = store_stmt(s, SQL_SENSOR_GET);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int(st, 0);
		sqlite3_reset(st);
		return 0;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, rc);
	st = store_stmt(s, SQL_SENSOR_ADD);
	if (!st)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = store_exec_stmt(s, st);
	if (rc == 0)
		*id = (int)sqlite3_last_insert_rowid(s->db);
	return rc;
}

/* Raw readings. A row holds a batch's readings within one hour, packed
 * (readings_pack.h): t, its key, is the first reading's time and last the
 * last's. Rows never overlap in time, so that the table is in the order
 * of time and its last row holds the newest reading; a batch that would
 * overlap (a clock set back) is merged with the rows it meets.
 *
 * A batch is first made safe in the pending file (store_pending.c) and
 * kept in memory in temp.readings_fresh, which is read with the table;
 * every three hours the database takes the batches, with the roll-ups
 * of the hours that have ended, in one commit, a packed row an hour. */
static const char SQL_RAW_ADD[] = "INSERT INTO readings_packed(t, last, data) VALUES (?, ?, ?)";
static const char SQL_MAIN_MEETS[] =
	"SELECT count(*) FROM readings_packed WHERE t >= ?1 AND t < ?2 AND last >= ?3";
static const char SQL_MAIN_HOUR[] =
	"SELECT t, data FROM readings_packed WHERE t >= ?1 AND t < ?2 ORDER BY t";
static const char SQL_RAW_HOUR_DELETE[] =
	"DELETE FROM readings_packed WHERE t >= ?1 AND t < ?2";
static const char SQL_FRESH_ADD[] =
	"INSERT OR REPLACE INTO temp.readings_fresh(t, last, data) VALUES (?, ?, ?)";
static const char SQL_FRESH_HOUR[] =
	"SELECT t, data FROM temp.readings_fresh WHERE t >= ?1 AND t < ?2 ORDER BY t";
static const char SQL_FRESH_HOUR_DELETE[] =
	"DELETE FROM temp.readings_fresh WHERE t >= ?1 AND t < ?2";
static const char SQL_FRESH_OLDEST[] = "SELECT min(t) FROM temp.readings_fresh";
static const char SQL_ANY_MEETS[] =
	"SELECT (SELECT count(*) FROM readings_packed WHERE t >= ?1 AND t < ?2 AND last >= ?3)"
	" + (SELECT count(*) FROM temp.readings_fresh WHERE t >= ?1 AND t < ?2 AND last >= ?3)";
/* Both together, for reading. */
static const char SQL_RAW_HOUR[] =
	"SELECT t, data FROM (SELECT t, data FROM readings_packed WHERE t >= ?1 AND t < ?2"
	" UNION ALL SELECT t, data FROM temp.readings_fresh WHERE t >= ?1 AND t < ?2) ORDER BY t";
#define NO_ROW ((int64_t)1 << 62)
static const char SQL_RAW_NEXT[] =
	"SELECT min(coalesce((SELECT min(t) FROM readings_packed WHERE t >= ?1), 1 << 62),"
	"           coalesce((SELECT min(t) FROM temp.readings_fresh WHERE t >= ?1), 1 << 62))";
static const char SQL_PRUNE[] =
	"DELETE FROM readings_packed WHERE last < ?1"
	" AND t < (SELECT min(t) FROM readings_packed) + ?2";
/* The newest reading the database holds. */
static const char SQL_MAIN_NEWEST[] =
	"SELECT coalesce((SELECT last FROM readings_packed ORDER BY t DESC LIMIT 1), 0)";

/* Roll-ups. An hour is rolled up for good (readings_hourly) once it has
 * ended, a day (readings_daily) once it has ended; until then their
 * roll-ups are kept in memory only (the TEMP tables hourly_tail and
 * daily_tail, rebuilt from the raw readings at start), so that a batch
 * every few minutes writes its own row and nothing else to the card,
 * while the charts still show the hour and the day going on. */
static const char SQL_HOURLY_SET[] =
	"INSERT OR REPLACE INTO readings_hourly(sensor, quantity, t, n, min, mean, max)"
	" VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char SQL_HOURLY_TAIL_SET[] =
	"INSERT OR REPLACE INTO temp.hourly_tail(sensor, quantity, t, n, min, mean, max)"
	" VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char SQL_HOURLY_TAIL_DROP[] = "DELETE FROM temp.hourly_tail WHERE t = ?";
static const char SQL_HOURLY_TAIL_ENDED[] =
	"SELECT DISTINCT t FROM temp.hourly_tail WHERE t + 3600 <= ? ORDER BY t";
static const char SQL_DAILY_SET[] =
	"INSERT OR REPLACE INTO readings_daily(sensor, quantity, day, n, min, mean, max)"
	" SELECT sensor, quantity, ?3, sum(n), min(min), sum(mean * n) / sum(n), max(max)"
	" FROM readings_hourly WHERE t >= ?1 AND t < ?2 GROUP BY sensor, quantity";
static const char SQL_DAILY_TAIL_SET[] =
	"INSERT OR REPLACE INTO temp.daily_tail(sensor, quantity, day, n, min, mean, max)"
	" SELECT sensor, quantity, ?3, sum(n), min(min), sum(mean * n) / sum(n), max(max)"
	" FROM (SELECT sensor, quantity, n, min, mean, max FROM readings_hourly m"
	"       WHERE t >= ?1 AND t < ?2 AND NOT EXISTS (SELECT 1 FROM temp.hourly_tail k"
	"        WHERE k.t = m.t AND k.sensor = m.sensor AND k.quantity = m.quantity)"
	"       UNION ALL SELECT sensor, quantity, n, min, mean, max FROM temp.hourly_tail"
	"       WHERE t >= ?1 AND t < ?2)"
	" GROUP BY sensor, quantity";
/* The hour and the day going on, as far as they have gone, for good: when
 * the station stops and before an export, so that the database holds
 * them. The rows in memory stay the ones read until they end. */
static const char SQL_SETTLE[] =
	"INSERT OR REPLACE INTO readings_hourly(sensor, quantity, t, n, min, mean, max)"
	" SELECT sensor, quantity, t, n, min, mean, max FROM temp.hourly_tail;"
	"INSERT OR REPLACE INTO readings_daily(sensor, quantity, day, n, min, mean, max)"
	" SELECT sensor, quantity, day, n, min, mean, max FROM temp.daily_tail;";
static const char SQL_DAILY_TAIL_DROP[] = "DELETE FROM temp.daily_tail WHERE day = ?";
static const char SQL_DAILY_TAIL_DAYS[] = "SELECT DISTINCT day FROM temp.daily_tail ORDER BY day";
/* Where the roll-ups for good end, for rebuilding what follows. */
static const char SQL_HOURLY_NEWEST[] = "SELECT coalesce(max(t), 0) FROM readings_hourly";
static const char SQL_DAILY_NEWEST[] = "SELECT max(day) FROM readings_daily";
static const char SQL_RAW_HOURS_FROM[] =
	"SELECT t - t % 3600 FROM (SELECT t FROM readings_packed WHERE t >= ?1"
	" UNION ALL SELECT t FROM temp.readings_fresh WHERE t >= ?1) ORDER BY t";

/* How many hours' batches wait in the pending file before the database
 * takes them (see fresh_due()). */
#define FRESH_HOURS 3

/* Small sets of what a batch touched. */
#define TOUCH_MAX 512

struct touched {
	int64_t hours[TOUCH_MAX];
	int n_hours;
	int days[TOUCH_MAX];
	int n_days;
	bool overflow;
};

static int64_t hour_of(int64_t t)
{
	return t - ((t % 3600) + 3600) % 3600;
}

static void touch_day(struct touched *t, int day)
{
	int i;

	for (i = 0; i < t->n_days && t->days[i] != day; i++)
		;
	if (i == t->n_days && !(t->overflow = t->overflow || i == TOUCH_MAX))
		t->days[t->n_days++] = day;
}

static void touch_hour(struct touched *t, int64_t hour)
{
	int i;

	for (i = 0; i < t->n_hours && t->hours[i] != hour; i++)
		;
	if (i == t->n_hours && !(t->overflow = t->overflow || i == TOUCH_MAX))
		t->hours[t->n_hours++] = hour;
	touch_day(t, text_day_of((time_t)hour));
}

/* An hour's readings, sensor by sensor: the roll-up of each. */
struct series_sum {
	int sensor, quantity;
	int64_t n;
	double sum, min, max;
};

struct hour_sum {
	struct series_sum *s;
	int n, cap;
	int64_t from, to;
	bool failed;
};

static int add_to_sum(void *ctx, const struct reading_row *r)
{
	struct hour_sum *h = ctx;
	struct series_sum *x = NULL;

	if (r->t < h->from || r->t >= h->to)
		return 0;
	for (int i = h->n - 1; i >= 0 && !x; i--)
		if (h->s[i].sensor == r->sensor && h->s[i].quantity == r->quantity)
			x = &h->s[i];
	if (!x) {
		if (h->n == h->cap) {
			int cap = h->cap ? h->cap * 2 : 64;
			struct series_sum *grown = realloc(h->s, (size_t)cap * sizeof(*grown));

			if (!grown) {
				h->failed = true;
				return 1;
			}
			h->s = grown;
			h->cap = cap;
		}
		x = &h->s[h->n++];
		*x = (struct series_sum){ r->sensor, r->quantity, 0, 0, r->value, r->value };
	}
	x->n++;
	x->sum += r->value;
	if (r->value < x->min)
		x->min = r->value;
	if (r->value > x->max)
		x->max = r->value;
	return 0;
}

static int damaged(struct store *s, const char *what)
{
	snprintf(s->error, sizeof(s->error), "%s: %s", what, _("damaged"));
	return STORE_CORRUPT;
}

/* Calls fn for every raw reading in [from, to) of the rows sql gives, a
 * row at a time (the database's and the fresh ones, or either). */
static int rows_each(struct store *s, const char *sql, int64_t from, int64_t to,
		     readings_unpack_fn *fn, void *ctx)
{
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	if (!st)
		return STORE_ERR;
	/* A row holds an hour at most: one that begins before from may
	 * reach into it. */
	sqlite3_bind_int64(st, 1, from - 3600);
	sqlite3_bind_int64(st, 2, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (readings_unpack(sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1),
				    sqlite3_column_int64(st, 0), fn, ctx) < 0) {
			sqlite3_reset(st);
			return damaged(s, "readings_packed");
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc);
}

static int raw_each(struct store *s, int64_t from, int64_t to, readings_unpack_fn *fn, void *ctx)
{
	return rows_each(s, SQL_RAW_HOUR, from, to, fn, ctx);
}

/* The roll-up of one hour from its raw readings: for good once it has
 * ended (unless for_good is false: in memory until the database takes
 * its readings), else in memory. */
static int roll_hour(struct store *s, int64_t hour, int64_t now, bool for_good)
{
	struct hour_sum h = { .from = hour, .to = hour + 3600 };
	bool ended = for_good && hour + 3600 <= now;
	sqlite3_stmt *st;
	int rc = raw_each(s, hour, hour + 3600, add_to_sum, &h);

	if (rc == 0 && h.failed)
		rc = STORE_ERR;
	for (int i = 0; rc == 0 && i < h.n; i++) {
		const struct series_sum *x = &h.s[i];

		st = store_stmt(s, ended ? SQL_HOURLY_SET : SQL_HOURLY_TAIL_SET);
		if (!st) {
			rc = STORE_ERR;
			break;
		}
		sqlite3_bind_int(st, 1, x->sensor);
		sqlite3_bind_int(st, 2, x->quantity);
		sqlite3_bind_int64(st, 3, hour);
		sqlite3_bind_int64(st, 4, x->n);
		sqlite3_bind_double(st, 5, x->min);
		sqlite3_bind_double(st, 6, x->sum / (double)x->n);
		sqlite3_bind_double(st, 7, x->max);
		rc = store_exec_stmt(s, st);
	}
	free(h.s);
	if (rc == 0 && ended && (st = store_stmt(s, SQL_HOURLY_TAIL_DROP))) {
		sqlite3_bind_int64(st, 1, hour);
		rc = store_exec_stmt(s, st);
	}
	return rc;
}

/* Every sensor's and quantity's day, from its hours. A day is the
 * station's calendar day, from its local midnight to the next: 23 or 25
 * hours where clocks change. */
static int roll_day(struct store *s, int day, int64_t now, bool for_good)
{
	int64_t from = (int64_t)text_day_start(day), to = (int64_t)text_day_start(day + 1);
	bool ended = for_good && to <= now;
	sqlite3_stmt *st = store_stmt(s, ended ? SQL_DAILY_SET : SQL_DAILY_TAIL_SET);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	sqlite3_bind_int(st, 3, day);
	rc = store_exec_stmt(s, st);
	if (rc == 0 && ended && (st = store_stmt(s, SQL_DAILY_TAIL_DROP))) {
		sqlite3_bind_int(st, 1, day);
		rc = store_exec_stmt(s, st);
	}
	return rc;
}

static int int_list(struct store *s, const char *sql, int64_t arg, int64_t *out, int max,
		    int *n)
{
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	*n = 0;
	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, arg);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (*n < max && (*n == 0 || out[*n - 1] != sqlite3_column_int64(st, 0)))
			out[(*n)++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc);
}

static int newest_hour(struct store *s, int64_t *hour)
{
	sqlite3_stmt *st = store_stmt(s, SQL_HOURLY_NEWEST);
	int rc;

	if (!st)
		return STORE_ERR;
	rc = sqlite3_step(st);
	*hour = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : store_fail(s, rc);
}

/* The hours and days touched, those with readings after the newest hour
 * rolled up for good (a station stopped before they ended), and those
 * kept in memory that have ended since, rolled up: for good those that
 * have ended. for_good false: every one in memory (a batch kept fresh:
 * the database takes the hours that have ended, and their roll-ups,
 * later, in one commit). */
static int roll_up(struct store *s, struct touched *t, int64_t now, bool for_good)
{
	int64_t ended[TOUCH_MAX], newest = 0;
	int n = 0, rc = 0;

	if (for_good) {
		rc = int_list(s, SQL_HOURLY_TAIL_ENDED, now, ended, TOUCH_MAX, &n);
		for (int i = 0; rc == 0 && i < n; i++)
			touch_hour(t, ended[i]);
		if (rc == 0)
			rc = newest_hour(s, &newest);
		if (rc == 0)
			rc = int_list(s, SQL_RAW_HOURS_FROM, newest + 3600, ended, TOUCH_MAX, &n);
		for (int i = 0; rc == 0 && i < n; i++)
			touch_hour(t, ended[i]);
		if (rc == 0)
			rc = int_list(s, SQL_DAILY_TAIL_DAYS, 0, ended, TOUCH_MAX, &n);
		for (int i = 0; rc == 0 && i < n; i++)
			if (text_day_start((int)ended[i] + 1) <= now)
				touch_day(t, (int)ended[i]);
	}
	for (int h = 0; rc == 0 && h < t->n_hours; h++)
		rc = roll_hour(s, t->hours[h], now, for_good);
	for (int d = 0; rc == 0 && d < t->n_days; d++)
		rc = roll_day(s, t->days[d], now, for_good);
	return rc;
}

/* Readings gathered from rows, those in [from, to) only. */
struct merge {
	struct reading_row *rows;
	int n, cap;
	int64_t from, to;
	bool failed;
};

static int merge_keep(void *ctx, const struct reading_row *r)
{
	struct merge *m = ctx;

	if (r->t < m->from || r->t >= m->to)
		return 0;
	if (m->n == m->cap) {
		int cap = m->cap ? m->cap * 2 : 1024;
		struct reading_row *grown = realloc(m->rows, (size_t)cap * sizeof(*grown));

		if (!grown) {
			m->failed = true;
			return 1;
		}
		m->rows = grown;
		m->cap = cap;
	}
	m->rows[m->n++] = *r;
	return 0;
}

/* Packs rows into a row of sql's table (the database's or the fresh). */
static int insert_packed(struct store *s, const char *sql, struct reading_row *rows, int n)
{
	sqlite3_stmt *st = store_stmt(s, sql);
	int64_t first = rows[0].t, last = rows[0].t;
	uint8_t *blob;
	size_t size;

	for (int i = 1; i < n; i++) {
		if (rows[i].t < first)
			first = rows[i].t;
		if (rows[i].t > last)
			last = rows[i].t;
	}
	if (!st)
		return STORE_ERR;
	blob = readings_pack(rows, n, first, &size);
	if (!blob)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, first);
	sqlite3_bind_int64(st, 2, last);
	sqlite3_bind_blob(st, 3, blob, (int)size, free);
	return store_exec_stmt(s, st);
}

static int64_t count_meets(struct store *s, const char *sql, int64_t hour, int64_t first, int *rc)
{
	sqlite3_stmt *st = store_stmt(s, sql);
	int64_t n = 0;
	int step;

	if (!st) {
		*rc = STORE_ERR;
		return 0;
	}
	sqlite3_bind_int64(st, 1, hour);
	sqlite3_bind_int64(st, 2, hour + 3600);
	sqlite3_bind_int64(st, 3, first);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	*rc = step == SQLITE_ROW ? 0 : store_fail(s, step);
	return n;
}

static int64_t first_of(const struct reading_row *rows, int n)
{
	int64_t first = rows[0].t;

	for (int i = 1; i < n; i++)
		if (rows[i].t < first)
			first = rows[i].t;
	return first;
}

/* One hour's readings (rows[0..n), all in hour) into the database: a
 * row of their own, or, if they meet rows already there, one row with
 * them (the new readings win at the same second). */
static int add_hour(struct store *s, int64_t hour, struct reading_row *rows, int n)
{
	struct merge m = { .from = hour, .to = hour + 3600 };
	sqlite3_stmt *st;
	int rc;
	int64_t meets = count_meets(s, SQL_MAIN_MEETS, hour, first_of(rows, n), &rc);

	if (rc < 0)
		return rc;
	if (!meets)
		return insert_packed(s, SQL_RAW_ADD, rows, n);
	rc = rows_each(s, SQL_MAIN_HOUR, hour, hour + 3600, merge_keep, &m);
	for (int i = 0; rc == 0 && i < n; i++)
		merge_keep(&m, &rows[i]);
	if (rc == 0 && m.failed)
		rc = STORE_ERR;
	if (rc == 0 && (st = store_stmt(s, SQL_RAW_HOUR_DELETE))) {
		sqlite3_bind_int64(st, 1, hour);
		sqlite3_bind_int64(st, 2, hour + 3600);
		rc = store_exec_stmt(s, st);
	}
	if (rc == 0)
		rc = insert_packed(s, SQL_RAW_ADD, m.rows, m.n);
	free(m.rows);
	return rc;
}

static int by_time(const void *a, const void *b)
{
	const struct reading_row *x = a, *y = b;

	return (x->t > y->t) - (x->t < y->t);
}

/* The fresh readings into the database, an hour a row, inside the
 * caller's transaction: what a batch made safe in the pending file is
 * then in the database, and the file may begin again. */
static int take_fresh(struct store *s, struct touched *t)
{
	sqlite3_stmt *st;
	int rc = 0;

	for (;;) {
		struct merge m;
		int64_t oldest, hour;

		if (!(st = store_stmt(s, SQL_FRESH_OLDEST)))
			return STORE_ERR;
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW || sqlite3_column_type(st, 0) == SQLITE_NULL) {
			sqlite3_reset(st);
			return rc == SQLITE_ROW ? 0 : store_fail(s, rc);
		}
		oldest = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		hour = hour_of(oldest);
		m = (struct merge){ .from = hour, .to = hour + 3600 };
		rc = rows_each(s, SQL_FRESH_HOUR, hour, hour + 3600, merge_keep, &m);
		if (rc == 0 && m.failed)
			rc = STORE_ERR;
		if (rc == 0 && (st = store_stmt(s, SQL_FRESH_HOUR_DELETE))) {
			sqlite3_bind_int64(st, 1, hour);
			sqlite3_bind_int64(st, 2, hour + 3600);
			rc = store_exec_stmt(s, st);
		}
		if (rc == 0 && m.n > 0)
			rc = add_hour(s, hour, m.rows, m.n);
		free(m.rows);
		if (rc < 0)
			return rc;
		touch_hour(t, hour);
	}
}

/* Into the database now, in one commit: the fresh readings and rows
 * (sorted by time), the roll-ups of what they touched (those of hours
 * that have not ended in memory, unless roll is false: a start's own
 * batches, rolled up when the console resumes). */
static int add_now(struct store *s, struct reading_row *rows, int n, int64_t now, bool roll)
{
	struct touched *t = calloc(1, sizeof(*t));
	int rc = t ? store_begin(s) : STORE_ERR;

	if (rc == 0)
		rc = take_fresh(s, t);
	for (int i = 0, j; rc == 0 && i < n; i = j) {
		int64_t hour = hour_of(rows[i].t);

		for (j = i + 1; j < n && hour_of(rows[j].t) == hour; j++)
			;
		rc = add_hour(s, hour, rows + i, j - i);
		touch_hour(t, hour);
	}
	/* Only a clock that jumped about spreads a batch over more than
	 * TOUCH_MAX hours; the hours past that keep the roll-ups they had. */
	if (rc == 0 && roll)
		rc = roll_up(s, t, now, true);
	if (rc == 0)
		rc = store_commit(s);
	if (rc < 0)
		store_rollback(s);
	else
		pending_reset(s);
	free(t);
	return rc;
}

/* Is it time the database took the fresh readings: FRESH_HOURS of
 * theirs have ended, or the pending file is filling up? A commit costs
 * the card some 60 KB whatever it holds (its WAL frames, the pages of
 * its index): a few hours in one cost little more than one. */
static int fresh_due(struct store *s, int64_t now, bool *due)
{
	sqlite3_stmt *st = store_stmt(s, SQL_FRESH_OLDEST);
	int rc;

	if (!st)
		return STORE_ERR;
	rc = sqlite3_step(st);
	*due = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL &&
	       (hour_of(sqlite3_column_int64(st, 0)) + FRESH_HOURS * 3600 <= now ||
		!pending_room(s, 8192));
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : store_fail(s, rc);
}

/* The batch made safe in the pending file and kept fresh, its hours
 * rolled up in memory. 1 when it could not be (no pending file, no room
 * in it, a batch among readings already kept): then it goes into the
 * database at once. */
static int add_fresh(struct store *s, struct reading_row *rows, int n, int64_t now)
{
	struct touched *t = calloc(1, sizeof(*t));
	int rc = t ? 0 : STORE_ERR;

	for (int i = 0, j; rc == 0 && i < n; i = j) {
		int64_t hour = hour_of(rows[i].t);

		for (j = i + 1; j < n && hour_of(rows[j].t) == hour; j++)
			;
		if (count_meets(s, SQL_ANY_MEETS, hour, first_of(rows + i, j - i), &rc) > 0)
			rc = 1;
		touch_hour(t, hour);
	}
	/* Safe on the card first, a page for each hour of it. */
	for (int i = 0, j; rc == 0 && i < n; i = j) {
		int64_t hour = hour_of(rows[i].t);
		uint8_t *blob;
		size_t size;

		for (j = i + 1; j < n && hour_of(rows[j].t) == hour; j++)
			;
		blob = readings_pack(rows + i, j - i, rows[i].t, &size);
		if (!blob)
			rc = STORE_ERR;
		else if (pending_append(s, blob, size, rows[i].t) < 0)
			rc = 1;
		free(blob);
	}
	if (rc == 0)
		rc = sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK ? 0 : STORE_ERR;
	for (int i = 0, j; rc == 0 && i < n; i = j) {
		int64_t hour = hour_of(rows[i].t);

		for (j = i + 1; j < n && hour_of(rows[j].t) == hour; j++)
			;
		rc = insert_packed(s, SQL_FRESH_ADD, rows + i, j - i);
	}
	if (rc == 0)
		rc = roll_up(s, t, now, false);
	if (rc == 0)
		rc = store_commit(s);
	if (rc < 0)
		store_rollback(s);
	free(t);
	return rc;
}

int store_readings_add(struct store *s, const struct reading_row *given, int n, int64_t now)
{
	struct reading_row *rows = malloc((size_t)(n > 0 ? n : 1) * sizeof(*rows));
	bool due = false, waiting = false;
	int rc = rows ? 0 : STORE_ERR;

	if (n > 0 && rows)
		memcpy(rows, given, (size_t)n * sizeof(*rows));
	if (rc == 0)
		qsort(rows, (size_t)n, sizeof(*rows), by_time);
	if (rc == 0)
		rc = fresh_due(s, INT64_MAX, &waiting);
	/* A batch whose hours have all ended, with none waiting (years of a
	 * reference farm, a start's own), has no reason to wait. */
	if (rc == 0 && (waiting || n == 0 || hour_of(rows[n - 1].t) + 3600 > now))
		rc = add_fresh(s, rows, n, now);
	else if (rc == 0)
		rc = 1;
	if (rc == 1)
		rc = add_now(s, rows, n, now, true);
	else if (rc == 0)
		rc = fresh_due(s, now, &due);
	/* The batch is safe in the pending file: a database that cannot take
	 * the fresh ones now (a full card) is asked again at the next, and
	 * store_card_full() says why. */
	if (rc == 0 && due)
		add_now(s, NULL, 0, now, true);
	free(rows);
	return rc;
}

int store_readings_resume(struct store *s, int64_t now)
{
	struct touched *t = calloc(1, sizeof(*t));
	int64_t newest = 0;
	sqlite3_stmt *st;
	int rc = t ? newest_hour(s, &newest) : STORE_ERR;

	/* The newest hour and day for good are done again: a station before
	 * this one may have written them before they ended. */
	if (rc == 0 && newest && hour_of(newest) == newest)
		touch_hour(t, newest);
	if (rc == 0 && (st = store_stmt(s, SQL_DAILY_NEWEST))) {
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
			int day = sqlite3_column_int(st, 0);

			touch_day(t, day);
		}
		sqlite3_reset(st);
	}
	if (rc == 0)
		rc = store_begin(s);
	if (rc == 0)
		rc = roll_up(s, t, now, true);
	if (rc == 0)
		rc = store_commit(s);
	if (rc < 0)
		store_rollback(s);
	free(t);
	return rc;
}

int store_readings_settle(struct store *s)
{
	struct touched *t = calloc(1, sizeof(*t));
	int rc = t ? store_begin(s) : STORE_ERR;

	/* The fresh readings in, the hour and the day as far as they went:
	 * what the database holds is then all the station read. */
	if (rc == 0)
		rc = take_fresh(s, t);
	if (rc == 0 && sqlite3_exec(s->db, SQL_SETTLE, NULL, NULL, NULL) != SQLITE_OK)
		rc = store_fail(s, sqlite3_errcode(s->db));
	if (rc == 0)
		rc = store_commit(s);
	if (rc < 0)
		store_rollback(s);
	else
		rc = pending_forget(s) < 0 ? STORE_ERR : 0;
	free(t);
	return rc;
}

/* At the station's start: batches a power cut left in the pending file
 * go into the database. Their roll-ups wait for the console's resume,
 * which knows the time. */
static int recover_batch(void *ctx, int64_t base, const uint8_t *data, size_t n)
{
	struct merge *m = ctx;

	return readings_unpack(data, n, base, merge_keep, m) < 0 || m->failed ? -1 : 0;
}

int store_readings_recover(struct store *s)
{
	struct merge m = { .from = INT64_MIN, .to = INT64_MAX };
	int rc, n = pending_read(s, recover_batch, &m);

	if (n <= 0 || m.n == 0) {
		free(m.rows);
		return n < 0 ? STORE_ERR : 0;
	}
	qsort(m.rows, (size_t)m.n, sizeof(*m.rows), by_time);
	rc = add_now(s, m.rows, m.n, 0, false);
	if (rc == 0)
		rc = pending_forget(s) < 0 ? STORE_ERR : 0;
	free(m.rows);
	return rc;
}

/* Another program's view (status, an export, fieldstation readings):
 * the station's fresh batches too, those after what the database holds,
 * read from the pending file. */
static int load_batch(void *ctx, int64_t base, const uint8_t *data, size_t n)
{
	return readings_unpack(data, n, base, merge_keep, ctx) < 0 ? -1 : 0;
}

int store_readings_look_ahead(struct store *s)
{
	sqlite3_stmt *st = store_stmt(s, SQL_MAIN_NEWEST);
	struct merge m = { .to = INT64_MAX };
	int rc;

	if (!st)
		return STORE_ERR;
	rc = sqlite3_step(st);
	m.from = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) + 1 : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return store_fail(s, rc);
	rc = pending_read(s, load_batch, &m);
	if (m.failed)
		rc = STORE_ERR;
	if (m.n > 0)
		qsort(m.rows, (size_t)m.n, sizeof(*m.rows), by_time);
	for (int i = 0, j; rc >= 0 && i < m.n; i = j) {
		int64_t hour = hour_of(m.rows[i].t);

		for (j = i + 1; j < m.n && hour_of(m.rows[j].t) == hour; j++)
			;
		rc = insert_packed(s, SQL_FRESH_ADD, m.rows + i, j - i);
	}
	free(m.rows);
	return rc < 0 ? STORE_ERR : 0;
}

int store_readings_prune(struct store *s, int64_t before, int64_t max_span)
{
	sqlite3_stmt *st = store_stmt(s, SQL_PRUNE);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, before);
	sqlite3_bind_int64(st, 2, max_span);
	rc = store_exec_stmt(s, st);
	return rc < 0 ? rc : sqlite3_changes(s->db);
}

static int by_time_sensor(const void *a, const void *b)
{
	const struct reading_row *x = a, *y = b;

	if (x->t != y->t)
		return (x->t > y->t) - (x->t < y->t);
	if (x->sensor != y->sensor)
		return (x->sensor > y->sensor) - (x->sensor < y->sensor);
	return (x->quantity > y->quantity) - (x->quantity < y->quantity);
}

int store_readings_each(struct store *s, int64_t from, int64_t to, store_reading_fn *fn,
			void *ctx)
{
	int rc = 0;

	/* An hour at a time, each in the order of time. */
	for (int64_t h = hour_of(from); rc == 0 && h < to; h += 3600) {
		struct merge m = { .from = from > h ? from : h, .to = to < h + 3600 ? to : h + 3600 };

		rc = raw_each(s, h, h + 3600, merge_keep, &m);
		if (rc == 0 && m.failed)
			rc = STORE_ERR;
		if (rc == 0 && m.n > 0)
			qsort(m.rows, (size_t)m.n, sizeof(*m.rows), by_time_sensor);
		for (int i = 0; rc == 0 && i < m.n; i++)
			fn(ctx, &m.rows[i]);
		free(m.rows);
		/* Past the newest row, nothing more. */
		if (rc == 0 && h + 3600 < to) {
			int64_t next = 0;
			sqlite3_stmt *st = store_stmt(s, SQL_RAW_NEXT);

			if (!st)
				return STORE_ERR;
			sqlite3_bind_int64(st, 1, h + 3600);
			if (sqlite3_step(st) == SQLITE_ROW)
				next = sqlite3_column_int64(st, 0);
			sqlite3_reset(st);
			if (!next || next >= NO_ROW)
				break;
			if (hour_of(next) - 3600 > h)
				h = hour_of(next) - 3600;
		}
	}
	return rc;
}

/* The zone's sensors are given by code, as a JSON array, so that one
 * statement serves any number of them. The span is read once, in the
 * order of the key, keeping the rows of those sensors. */
static const char SQL_SERIES_HOURLY[] =
	"SELECT h.t, min(h.min), avg(h.mean), max(h.max), sum(h.n) FROM"
	" (SELECT sensor, quantity, t, n, min, mean, max FROM readings_hourly m"
	"  WHERE NOT EXISTS (SELECT 1 FROM temp.hourly_tail k"
	"   WHERE k.t = m.t AND k.sensor = m.sensor AND k.quantity = m.quantity)"
	"  UNION ALL SELECT sensor, quantity, t, n, min, mean, max FROM temp.hourly_tail) h"
	" WHERE h.t >= ?3 AND h.t < ?4 AND h.quantity = ?2 AND h.sensor IN"
	"  (SELECT id FROM sensors WHERE code IN (SELECT value FROM json_each(?1)))"
	" GROUP BY h.t ORDER BY h.t";
static const char SQL_SERIES_DAILY[] =
	"SELECT d.day, min(d.min), avg(d.mean), max(d.max), sum(d.n) FROM"
	" (SELECT sensor, quantity, day, n, min, mean, max FROM readings_daily m"
	"  WHERE NOT EXISTS (SELECT 1 FROM temp.daily_tail k"
	"   WHERE k.day = m.day AND k.sensor = m.sensor AND k.quantity = m.quantity)"
	"  UNION ALL SELECT sensor, quantity, day, n, min, mean, max FROM temp.daily_tail) d"
	" WHERE d.day >= ?3 AND d.day < ?4 AND d.quantity = ?2 AND d.sensor IN"
	"  (SELECT id FROM sensors WHERE code IN (SELECT value FROM json_each(?1)))"
	" GROUP BY d.day ORDER BY d.day";

static char *json_codes(const char *const *codes, int n)
{
	size_t len = 3;
	char *out, *p;

	for (int i = 0; i < n; i++)
		len += 2 * strlen(codes[i]) + 3;
	out = p = malloc(len);
	if (!out)
		return NULL;
	*p++ = '[';
	for (int i = 0; i < n; i++) {
		if (i)
			*p++ = ',';
		*p++ = '"';
		for (const char *c = codes[i]; *c; c++) {
			if (*c == '"' || *c == '\\')
				*p++ = '\\';
			*p++ = *c;
		}
		*p++ = '"';
	}
	*p++ = ']';
	*p = '\0';
	return out;
}

int store_rollup_series(struct store *s, enum store_rollup which, const char *const *codes,
			int n_codes, int quantity, int64_t from, int64_t to, store_point_fn *fn,
			void *ctx)
{
	sqlite3_stmt *st = store_stmt(s, which == ROLLUP_DAILY ? SQL_SERIES_DAILY
								: SQL_SERIES_HOURLY);
	char *json = json_codes(codes, n_codes);
	int rc;

	if (!st || !json) {
		free(json);
		return STORE_ERR;
	}
	sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, quantity);
	sqlite3_bind_int64(st, 3, from);
	sqlite3_bind_int64(st, 4, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(ctx, sqlite3_column_int64(st, 0), sqlite3_column_double(st, 1),
		   sqlite3_column_double(st, 2), sqlite3_column_double(st, 3),
		   sqlite3_column_int64(st, 4));
	sqlite3_reset(st);
	free(json);
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc);
}

int store_moisture_daily(struct store *s, const char *const *codes, int n_codes, int from_day,
			 int to_day, store_point_fn *fn, void *ctx)
{
	return store_rollup_series(s, ROLLUP_DAILY, codes, n_codes, 0, from_day, to_day + 1, fn,
				   ctx);
}

/* The newest value of each sensor and quantity in the newest week of
 * readings: rows are read from the newest back. */
static const char SQL_RAW_NEWEST_FIRST[] =
	"SELECT t, data FROM (SELECT t, data FROM readings_packed UNION ALL"
	" SELECT t, data FROM temp.readings_fresh)"
	" WHERE t >= (SELECT max(t) FROM (SELECT max(t) AS t FROM readings_packed UNION ALL"
	"  SELECT max(t) FROM temp.readings_fresh)) - 7 * 86400 - 3600 ORDER BY t DESC";
static const char SQL_SENSOR_CODES[] = "SELECT id, code FROM sensors ORDER BY code";

struct latest {
	struct reading_row *r;
	int n, cap;
	bool failed;
};

static int keep_latest(void *ctx, const struct reading_row *r)
{
	struct latest *l = ctx;
	int i;

	for (i = 0; i < l->n; i++)
		if (l->r[i].sensor == r->sensor && l->r[i].quantity == r->quantity)
			break;
	if (i == l->n) {
		if (l->n == l->cap) {
			int cap = l->cap ? l->cap * 2 : 64;
			struct reading_row *grown = realloc(l->r, (size_t)cap * sizeof(*grown));

			if (!grown) {
				l->failed = true;
				return 1;
			}
			l->r = grown;
			l->cap = cap;
		}
		l->r[l->n++] = *r;
	} else if (r->t > l->r[i].t) {
		l->r[i] = *r;
	}
	return 0;
}

int store_sensors(struct store *s, struct sensor_code *out, int max)
{
	sqlite3_stmt *st = store_stmt(s, SQL_SENSOR_CODES);
	int rc, n = 0;

	if (!st)
		return STORE_ERR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max) {
		out[n].id = sqlite3_column_int(st, 0);
		snprintf(out[n].code, sizeof(out[n].code), "%s",
			 (const char *)sqlite3_column_text(st, 1));
		n++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? n : store_fail(s, rc);
}

int store_readings_latest(struct store *s, store_latest_fn *fn, void *ctx)
{
	sqlite3_stmt *st = store_stmt(s, SQL_RAW_NEWEST_FIRST);
	struct latest l = { 0 };
	int rc;

	if (!st)
		return STORE_ERR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (readings_unpack(sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1),
				    sqlite3_column_int64(st, 0), keep_latest, &l) < 0) {
			sqlite3_reset(st);
			free(l.r);
			return damaged(s, "readings_packed");
		}
	}
	sqlite3_reset(st);
	rc = rc == SQLITE_DONE ? (l.failed ? STORE_ERR : 0) : store_fail(s, rc);
	/* By sensor code, then quantity. */
	if (rc == 0 && (st = store_stmt(s, SQL_SENSOR_CODES))) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			int id = sqlite3_column_int(st, 0);

			for (int q = 0; q < 64; q++)
				for (int i = 0; i < l.n; i++)
					if (l.r[i].sensor == id && l.r[i].quantity == q)
						fn(ctx, (const char *)sqlite3_column_text(st, 1), q,
						   l.r[i].t, l.r[i].value);
		}
		sqlite3_reset(st);
	}
	free(l.r);
	return rc;
}

static const char SQL_CALIBRATION_ADD[] =
	"INSERT INTO calibrations(sensor, dry, wet, made_at) VALUES (?, ?, ?, ?)";
static const char SQL_CALIBRATION_GET[] =
	"SELECT dry, wet, made_at FROM calibrations WHERE sensor = ?"
	" ORDER BY made_at DESC, id DESC LIMIT 1";
static const char SQL_PORT_CHOICE_SET[] =
	"INSERT OR REPLACE INTO port_choices(port, chosen, chosen_at) VALUES (?, ?, ?)";
static const char SQL_PORT_CHOICE_FORGET[] = "DELETE FROM port_choices WHERE port = ?";
static const char SQL_PORT_CHOICE_GET[] =
	"SELECT chosen, chosen_at FROM port_choices WHERE port = ?";

int store_calibration_add(struct store *s, int sensor, double dry, double wet, int64_t t)
{
	sqlite3_stmt *st = store_stmt(s, SQL_CALIBRATION_ADD);

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int(st, 1, sensor);
	sqlite3_bind_double(st, 2, dry);
	sqlite3_bind_double(st, 3, wet);
	sqlite3_bind_int64(st, 4, t);
	return store_exec_stmt(s, st);
}

int store_calibration_get(struct store *s, int sensor, double *dry, double *wet, int64_t *t)
{
	sqlite3_stmt *st = store_stmt(s, SQL_CALIBRATION_GET);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int(st, 1, sensor);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*dry = sqlite3_column_double(st, 0);
		*wet = sqlite3_column_double(st, 1);
		*t = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc);
}

int store_port_choice_set(struct store *s, const char *port, const char *chosen, int64_t t)
{
	sqlite3_stmt *st = store_stmt(s, chosen ? SQL_PORT_CHOICE_SET : SQL_PORT_CHOICE_FORGET);

	if (!st)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, port, -1, SQLITE_STATIC);
	if (chosen) {
		sqlite3_bind_text(st, 2, chosen, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, t);
	}
	return store_exec_stmt(s, st);
}

int store_port_choice_get(struct store *s, const char *port, char *chosen, size_t n,
			  int64_t *t)
{
	sqlite3_stmt *st = store_stmt(s, SQL_PORT_CHOICE_GET);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, port, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(chosen, n, "%s", (const char *)sqlite3_column_text(st, 0));
		if (t)
			*t = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc);
}
