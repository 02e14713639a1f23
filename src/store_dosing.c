/* SQL for doses through the line and the tanks' book: what each injector
 * gave in a run, and each tank's refills, doses and drains. */
#include "store_internal.h"

#include "text.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const tank_kinds[] = { "refill", "dose", "drain" };

#define DOSE_COLUMNS \
	"id, run, injector, injector_name, tank, tank_name, product, product_name, unit," \
	" kind, coalesce(target, ''), zone, who, who_name, concentration, planned_litres," \
	" coalesce(started, 0), coalesce(ended, 0), coalesce(alive, 0), litres," \
	" coalesce(end_reason, ''), coalesce(record, 0)"

static const char SQL_DOSE_ADD[] =
	"INSERT INTO doses(run, injector, injector_name, tank, tank_name, product, product_name,"
	" unit, kind, target, zone, who, who_name, concentration, planned_litres, litres)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)";
static const char SQL_DOSE_PROGRESS[] =
	"UPDATE doses SET started = ?, alive = ?, litres = ? WHERE id = ? AND ended IS NULL";
static const char SQL_DOSE_END[] =
	"UPDATE doses SET started = ?, alive = ?, ended = ?, litres = ?, end_reason = ?,"
	" record = ? WHERE id = ? AND ended IS NULL";
static const char SQL_DOSES_OPEN[] =
	"SELECT " DOSE_COLUMNS " FROM doses WHERE ended IS NULL ORDER BY id";
static const char SQL_DOSES_OF_RUN[] =
	"SELECT " DOSE_COLUMNS " FROM doses WHERE run = ? ORDER BY id";

#define TANK_COLUMNS \
	"id, tank, tank_name, kind, day, coalesce(product, ''), coalesce(product_name, '')," \
	" coalesce(unit, ''), amount, litres, coalesce(lot, ''), coalesce(who, '')," \
	" coalesce(who_name, ''), entered_at, coalesce(dose, 0)"

static const char SQL_TANK_ADD[] =
	"INSERT INTO tank_book(tank, tank_name, kind, day, product, product_name, unit, amount,"
	" litres, lot, who, who_name, entered_at, dose)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
/* What a tank holds: every row added up, and the product of its newest
 * refill. */
static const char SQL_TANK_STOCK[] =
	"SELECT coalesce(sum(litres), 0), coalesce(sum(amount), 0),"
	" (SELECT product FROM tank_book WHERE tank = ?1 AND kind = 'refill' ORDER BY id DESC LIMIT 1),"
	" (SELECT product_name FROM tank_book WHERE tank = ?1 AND kind = 'refill' ORDER BY id DESC LIMIT 1),"
	" (SELECT unit FROM tank_book WHERE tank = ?1 AND kind = 'refill' ORDER BY id DESC LIMIT 1)"
	" FROM tank_book WHERE tank = ?1";
static const char SQL_TANK_PAGE[] =
	"SELECT " TANK_COLUMNS " FROM tank_book WHERE tank = ? ORDER BY id DESC LIMIT ? OFFSET ?";
static const char SQL_TANK_COUNT[] = "SELECT count(*) FROM tank_book WHERE tank = ?";

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v && v[0])
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void col_text(sqlite3_stmt *st, int i, char *buf, size_t n)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	snprintf(buf, n, "%s", v ? (const char *)v : "");
}

static void bind_opt_int(sqlite3_stmt *st, int i, int64_t v)
{
	if (v)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

static void read_dose(sqlite3_stmt *st, struct dose_row *d)
{
	char kind[16];

	memset(d, 0, sizeof(*d));
	d->id = sqlite3_column_int64(st, 0);
	d->run = sqlite3_column_int64(st, 1);
	col_text(st, 2, d->injector, sizeof(d->injector));
	col_text(st, 3, d->injector_name, sizeof(d->injector_name));
	col_text(st, 4, d->tank, sizeof(d->tank));
	col_text(st, 5, d->tank_name, sizeof(d->tank_name));
	col_text(st, 6, d->product, sizeof(d->product));
	col_text(st, 7, d->product_name, sizeof(d->product_name));
	col_text(st, 8, d->unit, sizeof(d->unit));
	col_text(st, 9, kind, sizeof(kind));
	d->kind = strcmp(kind, "spray") == 0 ? REC_SPRAY : REC_FERTILIZE;
	col_text(st, 10, d->target, sizeof(d->target));
	col_text(st, 11, d->zone, sizeof(d->zone));
	col_text(st, 12, d->who, sizeof(d->who));
	col_text(st, 13, d->who_name, sizeof(d->who_name));
	d->concentration = sqlite3_column_double(st, 14);
	d->planned_litres = sqlite3_column_double(st, 15);
	d->started = sqlite3_column_int64(st, 16);
	d->ended = sqlite3_column_int64(st, 17);
	d->alive = sqlite3_column_int64(st, 18);
	d->litres = sqlite3_column_double(st, 19);
	col_text(st, 20, d->end_reason, sizeof(d->end_reason));
	d->record = sqlite3_column_int64(st, 21);
}

int store_dose_add(struct store *s, struct dose_row *d)
{
	sqlite3_stmt *st = store_stmt(s, SQL_DOSE_ADD);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, d->run);
	bind_text(st, 2, d->injector);
	bind_text(st, 3, d->injector_name);
	bind_text(st, 4, d->tank);
	bind_text(st, 5, d->tank_name);
	bind_text(st, 6, d->product);
	bind_text(st, 7, d->product_name);
	bind_text(st, 8, d->unit);
	sqlite3_bind_text(st, 9, store_record_kind_name(d->kind), -1, SQLITE_STATIC);
	bind_text(st, 10, d->target);
	bind_text(st, 11, d->zone);
	bind_text(st, 12, d->who);
	bind_text(st, 13, d->who_name);
	sqlite3_bind_double(st, 14, d->concentration);
	sqlite3_bind_double(st, 15, d->planned_litres);
	rc = store_exec_stmt(s, st);
	if (rc == 0)
		d->id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

int store_dose_progress(struct store *s, const struct dose_row *d)
{
	sqlite3_stmt *st = store_stmt(s, SQL_DOSE_PROGRESS);

	if (!st)
		return STORE_ERR;
	bind_opt_int(st, 1, d->started);
	bind_opt_int(st, 2, d->alive);
	sqlite3_bind_double(st, 3, d->litres);
	sqlite3_bind_int64(st, 4, d->id);
	return store_exec_stmt(s, st);
}

int store_dose_end(struct store *s, const struct dose_row *d)
{
	sqlite3_stmt *st = store_stmt(s, SQL_DOSE_END);

	if (!st)
		return STORE_ERR;
	bind_opt_int(st, 1, d->started);
	bind_opt_int(st, 2, d->alive);
	sqlite3_bind_int64(st, 3, d->ended);
	sqlite3_bind_double(st, 4, d->litres);
	sqlite3_bind_text(st, 5, d->end_reason, -1, SQLITE_STATIC);
	bind_opt_int(st, 6, d->record);
	sqlite3_bind_int64(st, 7, d->id);
	return store_exec_stmt(s, st);
}

static int doses_list(struct store *s, const char *sql, int64_t run, struct dose_row *out,
		      int max)
{
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc, n = 0;

	if (!st)
		return STORE_ERR;
	if (run)
		sqlite3_bind_int64(st, 1, run);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (n < max)
			read_dose(st, &out[n++]);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? n : store_fail(s, rc);
}

int store_doses_open(struct store *s, struct dose_row *out, int max)
{
	return doses_list(s, SQL_DOSES_OPEN, 0, out, max);
}

int store_doses_of_run(struct store *s, int64_t run, struct dose_row *out, int max)
{
	return doses_list(s, SQL_DOSES_OF_RUN, run, out, max);
}

const char *store_tank_kind_name(int kind)
{
	return kind >= 0 && kind < 3 ? tank_kinds[kind] : "refill";
}

int store_tank_add(struct store *s, struct tank_row *t)
{
	sqlite3_stmt *st = store_stmt(s, SQL_TANK_ADD);
	char iso[16];
	int rc;

	if (!st)
		return STORE_ERR;
	bind_text(st, 1, t->tank);
	bind_text(st, 2, t->tank_name);
	sqlite3_bind_text(st, 3, store_tank_kind_name(t->kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, text_day_iso(iso, sizeof(iso), t->day), -1, SQLITE_TRANSIENT);
	bind_text(st, 5, t->product);
	bind_text(st, 6, t->product_name);
	bind_text(st, 7, t->unit);
	sqlite3_bind_double(st, 8, t->amount);
	sqlite3_bind_double(st, 9, t->litres);
	bind_text(st, 10, t->lot);
	bind_text(st, 11, t->who);
	bind_text(st, 12, t->who_name);
	sqlite3_bind_int64(st, 13, t->entered_at);
	bind_opt_int(st, 14, t->dose);
	rc = store_exec_stmt(s, st);
	if (rc == 0)
		t->id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

int store_tank_stock(struct store *s, const char *tank, struct tank_stock *out)
{
	sqlite3_stmt *st = store_stmt(s, SQL_TANK_STOCK);
	int rc;

	memset(out, 0, sizeof(*out));
	if (!st)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, tank, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->litres = sqlite3_column_double(st, 0);
		out->amount = sqlite3_column_double(st, 1);
		col_text(st, 2, out->product, sizeof(out->product));
		col_text(st, 3, out->product_name, sizeof(out->product_name));
		col_text(st, 4, out->unit, sizeof(out->unit));
		/* Sums of rounded parts: a hair above or below empty is empty. */
		if (out->litres < 1e-6)
			out->litres = out->amount = 0;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : store_fail(s, rc);
}

static void read_tank(sqlite3_stmt *st, struct tank_row *t)
{
	char kind[16];

	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	col_text(st, 1, t->tank, sizeof(t->tank));
	col_text(st, 2, t->tank_name, sizeof(t->tank_name));
	col_text(st, 3, kind, sizeof(kind));
	for (int k = 0; k < 3; k++)
		if (strcmp(kind, tank_kinds[k]) == 0)
			t->kind = k;
	if (text_day_parse_iso((const char *)sqlite3_column_text(st, 4), &t->day) < 0)
		t->day = 0;
	col_text(st, 5, t->product, sizeof(t->product));
	col_text(st, 6, t->product_name, sizeof(t->product_name));
	col_text(st, 7, t->unit, sizeof(t->unit));
	t->amount = sqlite3_column_double(st, 8);
	t->litres = sqlite3_column_double(st, 9);
	col_text(st, 10, t->lot, sizeof(t->lot));
	col_text(st, 11, t->who, sizeof(t->who));
	col_text(st, 12, t->who_name, sizeof(t->who_name));
	t->entered_at = sqlite3_column_int64(st, 13);
	t->dose = sqlite3_column_int64(st, 14);
}

int store_tank_page(struct store *s, const char *tank, int offset, struct tank_row *out, int max,
		    int *total)
{
	sqlite3_stmt *st = store_stmt(s, SQL_TANK_COUNT);
	int rc, n = 0;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, tank, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	*total = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return store_fail(s, rc);
	st = store_stmt(s, SQL_TANK_PAGE);
	if (!st)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, tank, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, max);
	sqlite3_bind_int(st, 3, offset);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max)
		read_tank(st, &out[n++]);
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? n : store_fail(s, rc);
}
