/* SQL for watering schedules. A schedule is a setting, changed in place;
 * the event log keeps what was changed and when. */
#include "store_internal.h"

#include <stdio.h>

static const char SQL_LOAD[] =
	"SELECT id, zone, days, start_min, minutes, changed FROM schedules ORDER BY start_min, id";
static const char SQL_ADD[] =
	"INSERT INTO schedules(zone, days, start_min, minutes, changed) VALUES (?, ?, ?, ?, ?)";
static const char SQL_SET[] =
	"UPDATE schedules SET zone = ?, days = ?, start_min = ?, minutes = ?, changed = ?"
	" WHERE id = ?";
static const char SQL_DELETE[] = "DELETE FROM schedules WHERE id = ?";

int store_schedules_load(struct store *s, struct schedule_row *out, int max)
{
	sqlite3_stmt *st = store_stmt(s, SQL_LOAD);
	int rc, n = 0;

	if (!st)
		return STORE_ERR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct schedule_row *r;

		if (n == max)
			continue;
		r = &out[n++];
		r->id = sqlite3_column_int64(st, 0);
		snprintf(r->zone, sizeof(r->zone), "%s", (const char *)sqlite3_column_text(st, 1));
		r->days = sqlite3_column_int(st, 2);
		r->start_min = sqlite3_column_int(st, 3);
		r->minutes = sqlite3_column_int(st, 4);
		r->changed = sqlite3_column_int64(st, 5);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? n : store_fail(s, rc);
}

int store_schedule_save(struct store *s, struct schedule_row *r, int64_t now)
{
	sqlite3_stmt *st = store_stmt(s, r->id ? SQL_SET : SQL_ADD);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, r->zone, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, r->days);
	sqlite3_bind_int(st, 3, r->start_min);
	sqlite3_bind_int(st, 4, r->minutes);
	sqlite3_bind_int64(st, 5, now);
	if (r->id)
		sqlite3_bind_int64(st, 6, r->id);
	rc = store_exec_stmt(s, st);
	if (rc == 0 && !r->id)
		r->id = sqlite3_last_insert_rowid(s->db);
	if (rc == 0)
		r->changed = now;
	return rc;
}

int store_schedule_delete(struct store *s, int64_t id)
{
	sqlite3_stmt *st = store_stmt(s, SQL_DELETE);

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, id);
	return store_exec_stmt(s, st);
}
