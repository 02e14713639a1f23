/* SQL for sensors, their readings and the roll-ups that outlive them.
 *
 * Every batch of readings also refreshes the hourly and daily minimum,
 * mean and maximum of the hours and days it touches, in the same
 * transaction. All three are keyed by time first, so that a batch is
 * appended at the end of each tree and rewrites few pages of the card; a
 * chart reads the range of its span, at most about 365 rows per sensor
 * (the daily roll-ups of a year). Raw readings are pruned after a while;
 * the roll-ups are kept for good. */
#include "store_internal.h"

#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char SQL_SENSOR_GET[] = "SELECT id FROM sensors WHERE code = ?";
static const char SQL_SENSOR_ADD[] = "INSERT INTO sensors(code) VALUES (?)";
static const char SQL_READING_ADD[] =
	"INSERT OR REPLACE INTO readings(t, sensor, quantity, value) VALUES (?, ?, ?, ?)";
/* The newest value of each sensor and quantity in the last week. */
static const char SQL_READINGS_LATEST[] =
	"SELECT s.code, r.quantity, max(r.t), r.value FROM readings r"
	" JOIN sensors s ON s.id = r.sensor"
	" WHERE r.t >= (SELECT max(t) FROM readings) - 7 * 86400"
	" GROUP BY r.sensor, r.quantity ORDER BY s.code, r.quantity";

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

static const char SQL_HOURLY_REFRESH[] =
	"INSERT OR REPLACE INTO readings_hourly(sensor, quantity, t, n, min, mean, max)"
	" SELECT sensor, quantity, t - t % 3600, count(*), min(value), avg(value), max(value)"
	" FROM readings WHERE t >= ?1 AND t < ?2 GROUP BY sensor, quantity, t - t % 3600";
static const char SQL_DAILY_REFRESH[] =
	"INSERT OR REPLACE INTO readings_daily(sensor, quantity, day, n, min, mean, max)"
	" SELECT sensor, quantity, ?3, sum(n), min(min), sum(mean * n) / sum(n), max(max)"
	" FROM readings_hourly WHERE t >= ?1 AND t < ?2 GROUP BY sensor, quantity";
static const char SQL_PRUNE[] =
	"DELETE FROM readings WHERE t < ?1 AND t < (SELECT min(t) FROM readings) + ?2";

/* Small sets of what a batch touched. */
#define TOUCH_MAX 512

struct touched {
	int64_t hours[TOUCH_MAX];
	int n_hours;
	int days[TOUCH_MAX];
	int n_days;
	bool overflow;
};

static void touch(struct touched *t, const struct reading_row *r)
{
	int64_t hour = r->t - ((r->t % 3600) + 3600) % 3600;
	int day = text_day_of((time_t)r->t), i;

	for (i = 0; i < t->n_hours && t->hours[i] != hour; i++)
		;
	if (i == t->n_hours && !(t->overflow = t->overflow || i == TOUCH_MAX))
		t->hours[t->n_hours++] = hour;
	for (i = 0; i < t->n_days && t->days[i] != day; i++)
		;
	if (i == t->n_days && !(t->overflow = t->overflow || i == TOUCH_MAX))
		t->days[t->n_days++] = day;
}

static int refresh_hour(struct store *s, int64_t hour)
{
	sqlite3_stmt *st = store_stmt(s, SQL_HOURLY_REFRESH);

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, hour);
	sqlite3_bind_int64(st, 2, hour + 3600);
	return store_exec_stmt(s, st);
}

/* Every sensor's and quantity's day, from its hours. A day is the
 * station's calendar day, from its local midnight to the next: 23 or 25
 * hours where clocks change. */
static int refresh_day(struct store *s, int day)
{
	sqlite3_stmt *st = store_stmt(s, SQL_DAILY_REFRESH);

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, (int64_t)text_day_start(day));
	sqlite3_bind_int64(st, 2, (int64_t)text_day_start(day + 1));
	sqlite3_bind_int(st, 3, day);
	return store_exec_stmt(s, st);
}

static int refresh_rollups(struct store *s, const struct touched *t)
{
	int rc = 0;

	for (int h = 0; rc == 0 && h < t->n_hours; h++)
		rc = refresh_hour(s, t->hours[h]);
	for (int d = 0; rc == 0 && d < t->n_days; d++)
		rc = refresh_day(s, t->days[d]);
	return rc;
}

int store_readings_add(struct store *s, const struct reading_row *rows, int n)
{
	struct touched *t = calloc(1, sizeof(*t));
	sqlite3_stmt *st;
	int rc;

	if (!t)
		return STORE_ERR;
	rc = store_begin(s);
	for (int i = 0; rc == 0 && i < n; i++) {
		st = store_stmt(s, SQL_READING_ADD);
		if (!st) {
			rc = STORE_ERR;
			break;
		}
		sqlite3_bind_int64(st, 1, rows[i].t);
		sqlite3_bind_int(st, 2, rows[i].sensor);
		sqlite3_bind_int(st, 3, rows[i].quantity);
		sqlite3_bind_double(st, 4, rows[i].value);
		rc = store_exec_stmt(s, st);
		touch(t, &rows[i]);
	}
	/* Only a clock that jumped about spreads a batch over more than
	 * TOUCH_MAX hours; the hours past that keep the roll-ups they had. */
	if (rc == 0)
		rc = refresh_rollups(s, t);
	if (rc == 0)
		rc = store_commit(s);
	if (rc < 0)
		store_rollback(s);
	free(t);
	return rc;
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

/* The zone's sensors are given by code, as a JSON array, so that one
 * statement serves any number of them. The span is read once, in the
 * order of the key, keeping the rows of those sensors. */
static const char SQL_SERIES_HOURLY[] =
	"SELECT h.t, min(h.min), avg(h.mean), max(h.max), sum(h.n) FROM readings_hourly h"
	" WHERE h.t >= ?3 AND h.t < ?4 AND h.quantity = ?2 AND h.sensor IN"
	"  (SELECT id FROM sensors WHERE code IN (SELECT value FROM json_each(?1)))"
	" GROUP BY h.t ORDER BY h.t";
static const char SQL_SERIES_DAILY[] =
	"SELECT d.day, min(d.min), avg(d.mean), max(d.max), sum(d.n) FROM readings_daily d"
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

int store_readings_latest(struct store *s, store_latest_fn *fn, void *ctx)
{
	sqlite3_stmt *st = store_stmt(s, SQL_READINGS_LATEST);
	int rc;

	if (!st)
		return STORE_ERR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(ctx, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int(st, 1),
		   sqlite3_column_int64(st, 2), sqlite3_column_double(st, 3));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc);
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
