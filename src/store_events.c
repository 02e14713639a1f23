/* SQL for the alarms of the event log: which wait to be acknowledged,
 * and acknowledging one. */
#include "store_internal.h"

#include <stdio.h>

static const char SQL_ALARMS[] =
	"SELECT id, t, kind, coalesce(source, ''), coalesce(detail, '') FROM events"
	" WHERE alarm AND acked IS NULL ORDER BY t DESC, id DESC";
static const char SQL_ACK[] = "UPDATE events SET acked = ? WHERE id = ? AND alarm";
static const char SQL_WAITING[] =
	"SELECT count(*) FROM events WHERE alarm AND acked IS NULL AND kind = ? AND source = ?";

static void col_text(sqlite3_stmt *st, int i, char *buf, size_t n)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	snprintf(buf, n, "%s", v ? (const char *)v : "");
}

int store_alarms_list(struct store *s, struct event_row *out, int max)
{
	sqlite3_stmt *st = store_stmt(s, SQL_ALARMS);
	int rc, n = 0;

	if (!st)
		return STORE_ERR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct event_row *e;

		if (n == max)
			continue;
		e = &out[n++];
		e->id = sqlite3_column_int64(st, 0);
		e->t = sqlite3_column_int64(st, 1);
		col_text(st, 2, e->kind, sizeof(e->kind));
		col_text(st, 3, e->source, sizeof(e->source));
		col_text(st, 4, e->detail, sizeof(e->detail));
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? n : store_fail(s, rc);
}

int store_alarm_ack(struct store *s, int64_t id, int64_t t)
{
	sqlite3_stmt *st = store_stmt(s, SQL_ACK);

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, t);
	sqlite3_bind_int64(st, 2, id);
	return store_exec_stmt(s, st);
}

int store_has_alarm_waiting(struct store *s, const char *kind, const char *source)
{
	sqlite3_stmt *st = store_stmt(s, SQL_WAITING);
	int rc, waiting = 0;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, source, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		waiting = sqlite3_column_int(st, 0) > 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? waiting : store_fail(s, rc);
}
