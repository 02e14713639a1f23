/* SQL for pump runs: the irrigation diary. */
#include "store_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const reasons[] = { "manual", "schedule", "moisture" };

static const char SQL_RUN_BEGIN[] =
	"INSERT INTO pump_runs(pump, zone, reason, who, started, planned_end, moisture_before)"
	" VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char SQL_RUN_END[] =
	"UPDATE pump_runs SET ended = ?, end_reason = ?, moisture_after = ?"
	" WHERE id = ? AND ended IS NULL";
static const char SQL_RUNS_OPEN[] =
	"SELECT id, pump, coalesce(zone, ''), reason, coalesce(who, ''), started, planned_end,"
	" moisture_before FROM pump_runs WHERE ended IS NULL ORDER BY started";

const char *store_run_reason_name(int reason)
{
	return reason >= 0 && reason < 3 ? reasons[reason] : "manual";
}

static void bind_real_or_null(sqlite3_stmt *st, int i, double v)
{
	if (isnan(v))
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_double(st, i, v);
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
	if (v[0])
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

int store_run_begin(struct store *s, struct run_row *r)
{
	sqlite3_stmt *st = store_stmt(s, SQL_RUN_BEGIN);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, r->pump, -1, SQLITE_STATIC);
	bind_text_or_null(st, 2, r->zone);
	sqlite3_bind_text(st, 3, store_run_reason_name(r->reason), -1, SQLITE_STATIC);
	bind_text_or_null(st, 4, r->who);
	sqlite3_bind_int64(st, 5, r->started);
	sqlite3_bind_int64(st, 6, r->planned_end);
	bind_real_or_null(st, 7, r->moisture_before);
	rc = store_exec_stmt(s, st);
	if (rc == 0)
		r->id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

int store_run_end(struct store *s, int64_t id, int64_t ended, const char *end_reason,
		  double moisture_after)
{
	sqlite3_stmt *st = store_stmt(s, SQL_RUN_END);

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, ended);
	sqlite3_bind_text(st, 2, end_reason, -1, SQLITE_STATIC);
	bind_real_or_null(st, 3, moisture_after);
	sqlite3_bind_int64(st, 4, id);
	return store_exec_stmt(s, st);
}

int store_runs_open(struct store *s, struct run_row *out, int max)
{
	sqlite3_stmt *st = store_stmt(s, SQL_RUNS_OPEN);
	int rc, n = 0;

	if (!st)
		return STORE_ERR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct run_row *r;
		const char *reason = (const char *)sqlite3_column_text(st, 3);

		if (n == max)
			continue;
		r = &out[n++];
		memset(r, 0, sizeof(*r));
		r->id = sqlite3_column_int64(st, 0);
		snprintf(r->pump, sizeof(r->pump), "%s", sqlite3_column_text(st, 1));
		snprintf(r->zone, sizeof(r->zone), "%s", sqlite3_column_text(st, 2));
		for (int i = 0; i < 3; i++)
			if (strcmp(reason, reasons[i]) == 0)
				r->reason = i;
		snprintf(r->who, sizeof(r->who), "%s", sqlite3_column_text(st, 4));
		r->started = sqlite3_column_int64(st, 5);
		r->planned_end = sqlite3_column_int64(st, 6);
		r->moisture_before = sqlite3_column_type(st, 7) == SQLITE_NULL
					     ? NAN : sqlite3_column_double(st, 7);
		r->moisture_after = NAN;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? n : store_fail(s, rc);
}

static const char SQL_RUNS_ZONE[] =
	"SELECT pump, count(*), sum(ended - started) FROM pump_runs"
	" WHERE zone = ? AND started >= ? AND started < ? AND ended IS NOT NULL"
	" GROUP BY pump ORDER BY pump";

int store_runs_zone(struct store *s, const char *zone, int64_t from, int64_t to,
		    store_zone_runs_fn *fn, void *ctx)
{
	sqlite3_stmt *st = store_stmt(s, SQL_RUNS_ZONE);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, zone, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(ctx, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int(st, 1),
		   sqlite3_column_int64(st, 2));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc);
}
