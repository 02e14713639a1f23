/* SQL for pump runs: the irrigation diary. */
#include "store_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const reasons[] = { "manual", "schedule", "moisture" };

static const char SQL_RUN_BEGIN[] =
	"INSERT INTO pump_runs(pump, zone, reason, who, started, planned_end, moisture_before,"
	" power_kw, scheduled_for, alive, litres, wetting_minutes, dosing_minutes, flushing_minutes)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_RUN_END[] =
	"UPDATE pump_runs SET ended = ?, end_reason = ?, moisture_after = ?, kwh_offpeak = ?,"
	" kwh_normal = ?, kwh_peak = ?, cost_offpeak = ?, cost_normal = ?, cost_peak = ?,"
	" cost_at_peak = ?, litres = ? WHERE id = ? AND ended IS NULL";
static const char SQL_RUN_ALIVE[] = "UPDATE pump_runs SET alive = ?, litres = ? WHERE id = ?";
static const char SQL_RUN_RECORD[] = "UPDATE pump_runs SET record = ? WHERE id = ?";
static const char SQL_RUN_REDATE[] =
	"UPDATE pump_runs SET started = ?, planned_end = ?, alive = ? WHERE id = ? AND ended IS NULL";
static const char SQL_RUN_REDATE_ENDED[] =
	"UPDATE pump_runs SET started = ?, planned_end = ?, alive = ?, ended = ?, kwh_offpeak = ?,"
	" kwh_normal = ?, kwh_peak = ?, cost_offpeak = ?, cost_normal = ?, cost_peak = ?,"
	" cost_at_peak = ? WHERE id = ? AND ended IS NOT NULL";

#define RUN_COLUMNS \
	"id, pump, coalesce(zone, ''), reason, coalesce(who, ''), started, planned_end," \
	" coalesce(ended, 0), coalesce(end_reason, ''), moisture_before, moisture_after," \
	" coalesce(alive, 0), coalesce(power_kw, 0), coalesce(kwh_offpeak, 0)," \
	" coalesce(kwh_normal, 0), coalesce(kwh_peak, 0), coalesce(cost_offpeak, 0)," \
	" coalesce(cost_normal, 0), coalesce(cost_peak, 0), coalesce(cost_at_peak, 0)," \
	" coalesce(scheduled_for, 0), coalesce(record, 0), litres, coalesce(wetting_minutes, 0)," \
	" coalesce(dosing_minutes, 0), coalesce(flushing_minutes, 0)"

static const char SQL_RUNS_OPEN[] =
	"SELECT " RUN_COLUMNS " FROM pump_runs WHERE ended IS NULL ORDER BY started";
static const char SQL_RUNS_PAGE[] =
	"SELECT " RUN_COLUMNS " FROM pump_runs ORDER BY started DESC, id DESC LIMIT ? OFFSET ?";
static const char SQL_RUNS_COUNT[] = "SELECT count(*) FROM pump_runs";
static const char SQL_RUN_LAST[] =
	"SELECT " RUN_COLUMNS " FROM pump_runs WHERE pump = ? AND ended IS NOT NULL"
	" ORDER BY started DESC, id DESC LIMIT 1";
static const char SQL_RUN_FOR_SCHEDULE[] =
	"SELECT count(*) FROM pump_runs WHERE zone = ? AND scheduled_for = ?";
static const char SQL_RUNS_TOTAL[] =
	"SELECT count(*), coalesce(sum(ended - started), 0), coalesce(sum(kwh_offpeak), 0),"
	" coalesce(sum(kwh_normal), 0), coalesce(sum(kwh_peak), 0), coalesce(sum(cost_offpeak), 0),"
	" coalesce(sum(cost_normal), 0), coalesce(sum(cost_peak), 0), coalesce(sum(cost_at_peak), 0),"
	" coalesce(sum(litres), 0), count(litres), coalesce(sum(reason <> 'manual'), 0)"
	" FROM pump_runs"
	" WHERE started >= ? AND started < ? AND ended IS NOT NULL";

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

static double col_real_or_nan(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

static void col_text(sqlite3_stmt *st, int i, char *buf, size_t n)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	snprintf(buf, n, "%s", v ? (const char *)v : "");
}

static void read_run(sqlite3_stmt *st, struct run_row *r)
{
	const char *reason = (const char *)sqlite3_column_text(st, 3);

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	col_text(st, 1, r->pump, sizeof(r->pump));
	col_text(st, 2, r->zone, sizeof(r->zone));
	for (int i = 0; i < 3; i++)
		if (reason && strcmp(reason, reasons[i]) == 0)
			r->reason = i;
	col_text(st, 4, r->who, sizeof(r->who));
	r->started = sqlite3_column_int64(st, 5);
	r->planned_end = sqlite3_column_int64(st, 6);
	r->ended = sqlite3_column_int64(st, 7);
	col_text(st, 8, r->end_reason, sizeof(r->end_reason));
	r->moisture_before = col_real_or_nan(st, 9);
	r->moisture_after = col_real_or_nan(st, 10);
	r->alive = sqlite3_column_int64(st, 11);
	r->power_kw = sqlite3_column_double(st, 12);
	for (int b = 0; b < 3; b++)
		r->kwh[b] = sqlite3_column_double(st, 13 + b);
	for (int b = 0; b < 3; b++)
		r->cost[b] = sqlite3_column_double(st, 16 + b);
	r->cost_at_peak = sqlite3_column_double(st, 19);
	r->scheduled_for = sqlite3_column_int64(st, 20);
	r->record = sqlite3_column_int64(st, 21);
	r->litres = col_real_or_nan(st, 22);
	r->wetting = sqlite3_column_int(st, 23);
	r->dosing = sqlite3_column_int(st, 24);
	r->flushing = sqlite3_column_int(st, 25);
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
	sqlite3_bind_double(st, 8, r->power_kw);
	if (r->scheduled_for)
		sqlite3_bind_int64(st, 9, r->scheduled_for);
	else
		sqlite3_bind_null(st, 9);
	sqlite3_bind_int64(st, 10, r->started);
	bind_real_or_null(st, 11, r->litres);
	if (r->dosing) {
		sqlite3_bind_int(st, 12, r->wetting);
		sqlite3_bind_int(st, 13, r->dosing);
		sqlite3_bind_int(st, 14, r->flushing);
	}
	rc = store_exec_stmt(s, st);
	if (rc == 0)
		r->id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

int store_run_end(struct store *s, const struct run_row *r)
{
	sqlite3_stmt *st = store_stmt(s, SQL_RUN_END);

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, r->ended);
	sqlite3_bind_text(st, 2, r->end_reason, -1, SQLITE_STATIC);
	bind_real_or_null(st, 3, r->moisture_after);
	for (int b = 0; b < 3; b++)
		sqlite3_bind_double(st, 4 + b, r->kwh[b]);
	for (int b = 0; b < 3; b++)
		sqlite3_bind_double(st, 7 + b, r->cost[b]);
	sqlite3_bind_double(st, 10, r->cost_at_peak);
	bind_real_or_null(st, 11, r->litres);
	sqlite3_bind_int64(st, 12, r->id);
	return store_exec_stmt(s, st);
}

int store_run_alive(struct store *s, int64_t id, int64_t t, double litres)
{
	sqlite3_stmt *st = store_stmt(s, SQL_RUN_ALIVE);

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, t);
	bind_real_or_null(st, 2, litres);
	sqlite3_bind_int64(st, 3, id);
	return store_exec_stmt(s, st);
}

int store_run_link_record(struct store *s, int64_t id, int64_t record)
{
	sqlite3_stmt *st = store_stmt(s, SQL_RUN_RECORD);

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, record);
	sqlite3_bind_int64(st, 2, id);
	return store_exec_stmt(s, st);
}

int store_run_redate(struct store *s, const struct run_row *r)
{
	sqlite3_stmt *st = store_stmt(s, r->ended ? SQL_RUN_REDATE_ENDED : SQL_RUN_REDATE);
	int i = 1;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, i++, r->started);
	sqlite3_bind_int64(st, i++, r->planned_end);
	sqlite3_bind_int64(st, i++, r->alive);
	if (r->ended) {
		sqlite3_bind_int64(st, i++, r->ended);
		for (int b = 0; b < 3; b++)
			sqlite3_bind_double(st, i++, r->kwh[b]);
		for (int b = 0; b < 3; b++)
			sqlite3_bind_double(st, i++, r->cost[b]);
		sqlite3_bind_double(st, i++, r->cost_at_peak);
	}
	sqlite3_bind_int64(st, i, r->id);
	return store_exec_stmt(s, st);
}

int store_runs_open(struct store *s, struct run_row *out, int max)
{
	sqlite3_stmt *st = store_stmt(s, SQL_RUNS_OPEN);
	int rc, n = 0;

	if (!st)
		return STORE_ERR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (n < max)
			read_run(st, &out[n++]);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? n : store_fail(s, rc);
}

int store_runs_page(struct store *s, int offset, struct run_row *out, int max, int *total)
{
	sqlite3_stmt *st = store_stmt(s, SQL_RUNS_COUNT);
	int rc, n = 0;

	if (!st)
		return STORE_ERR;
	rc = sqlite3_step(st);
	*total = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return store_fail(s, rc);
	st = store_stmt(s, SQL_RUNS_PAGE);
	if (!st)
		return STORE_ERR;
	sqlite3_bind_int(st, 1, max);
	sqlite3_bind_int(st, 2, offset);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max)
		read_run(st, &out[n++]);
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? n : store_fail(s, rc);
}

int store_run_last(struct store *s, const char *pump, struct run_row *out)
{
	sqlite3_stmt *st = store_stmt(s, SQL_RUN_LAST);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, pump, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_run(st, out);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc);
}

int store_has_run_for_schedule(struct store *s, const char *zone, int64_t t)
{
	sqlite3_stmt *st = store_stmt(s, SQL_RUN_FOR_SCHEDULE);
	int rc, found = 0;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, zone, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, t);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		found = sqlite3_column_int(st, 0) > 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? found : store_fail(s, rc);
}

int store_runs_total(struct store *s, int64_t from, int64_t to, struct runs_total *out)
{
	sqlite3_stmt *st = store_stmt(s, SQL_RUNS_TOTAL);
	int rc;

	memset(out, 0, sizeof(*out));
	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->runs = sqlite3_column_int(st, 0);
		out->seconds = sqlite3_column_int64(st, 1);
		for (int b = 0; b < 3; b++)
			out->kwh[b] = sqlite3_column_double(st, 2 + b);
		for (int b = 0; b < 3; b++)
			out->cost[b] = sqlite3_column_double(st, 5 + b);
		out->cost_at_peak = sqlite3_column_double(st, 8);
		out->litres = sqlite3_column_double(st, 9);
		out->metered = sqlite3_column_int(st, 10);
		out->automatic = sqlite3_column_int(st, 11);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : store_fail(s, rc);
}

static const char SQL_RUNS_ZONE[] =
	"SELECT pump, count(*), sum(ended - started),"
	" coalesce(sum(kwh_offpeak + kwh_normal + kwh_peak), 0),"
	" coalesce(sum(cost_offpeak + cost_normal + cost_peak), 0) FROM pump_runs"
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
		   sqlite3_column_int64(st, 2), sqlite3_column_double(st, 3),
		   sqlite3_column_double(st, 4));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc);
}

static const char SQL_RUNS_BY_ZONE[] =
	"SELECT coalesce(zone, ''), count(*), coalesce(sum(ended - started), 0),"
	" coalesce(sum(coalesce(kwh_offpeak, 0) + coalesce(kwh_normal, 0) + coalesce(kwh_peak, 0)), 0),"
	" coalesce(sum(litres), 0), count(litres),"
	" coalesce(sum(CASE WHEN litres IS NOT NULL THEN ended - started END), 0) FROM pump_runs"
	" WHERE started >= ? AND started < ? AND ended IS NOT NULL"
	" GROUP BY coalesce(zone, '') ORDER BY 1";

int store_runs_by_zone(struct store *s, int64_t from, int64_t to, store_zone_total_fn *fn,
		       void *ctx)
{
	sqlite3_stmt *st = store_stmt(s, SQL_RUNS_BY_ZONE);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct zone_total t = {
			.runs = sqlite3_column_int(st, 1),
			.seconds = sqlite3_column_int64(st, 2),
			.kwh = sqlite3_column_double(st, 3),
			.litres = sqlite3_column_double(st, 4),
			.metered = sqlite3_column_int(st, 5),
			.metered_seconds = sqlite3_column_int64(st, 6),
		};

		fn(ctx, (const char *)sqlite3_column_text(st, 0), &t);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc);
}
