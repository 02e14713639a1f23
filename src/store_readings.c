/* SQL for sensors and their readings. */
#include "store_internal.h"

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

int store_readings_add(struct store *s, const struct reading_row *rows, int n)
{
	sqlite3_stmt *st;
	int rc = store_begin(s);

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
	}
	if (rc == 0)
		rc = store_commit(s);
	if (rc < 0)
		store_rollback(s);
	return rc;
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
