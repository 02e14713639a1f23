/* SQL for farm records and lots: fertilizing, spraying, harvests, their
 * corrections, and the irrigation of a zone over a season. */
#include "store_internal.h"

#include "text.h"

#include <stdio.h>
#include <string.h>

static const char *const kinds[REC_KINDS] = { "fertilize", "spray", "harvest" };
static const char *const methods[] = { NULL, "venturi", "hand", "injector" };
static const char *const organic_reasons[] = { NULL, "outbreak", "mistake", "unavailable",
					       "other" };

const char *store_record_kind_name(int kind)
{
	return kind >= 0 && kind < REC_KINDS ? kinds[kind] : "fertilize";
}

#define RECORD_COLUMNS \
	"r.id, r.kind, r.day, r.zone, r.zone_name, r.product, r.product_name, r.organic," \
	" r.amount, r.unit, r.method, r.target, r.phi_days, r.harvest_from, r.crop, r.kg," \
	" r.grade, r.buyer, r.lot_code, r.phi_override, r.who, r.who_name, r.entered_at," \
	" r.corrects, r.voided, (SELECT c.id FROM records c WHERE c.corrects = r.id)," \
	" r.organic_override"

/* Neither corrected by a later record nor a voiding one. */
#define CURRENT \
	" NOT r.voided AND NOT EXISTS (SELECT 1 FROM records c WHERE c.corrects = r.id)"

static const char SQL_ADD[] =
	"INSERT INTO records(kind, day, zone, zone_name, product, product_name, organic, amount,"
	" unit, method, target, phi_days, harvest_from, crop, kg, grade, buyer, lot_code,"
	" phi_override, who, who_name, entered_at, corrects, voided, organic_override)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_GET[] = "SELECT " RECORD_COLUMNS " FROM records r WHERE r.id = ?";
static const char SQL_BY_LOT[] =
	"SELECT " RECORD_COLUMNS " FROM records r WHERE r.lot_code = ?"
	" AND NOT EXISTS (SELECT 1 FROM records c WHERE c.corrects = r.id)";
static const char SQL_PAGE[] =
	"SELECT " RECORD_COLUMNS " FROM records r WHERE r.kind = ?"
	" ORDER BY r.day DESC, r.id DESC LIMIT ? OFFSET ?";
static const char SQL_COUNT[] = "SELECT count(*) FROM records WHERE kind = ?";
static const char SQL_ZONE[] =
	"SELECT " RECORD_COLUMNS " FROM records r WHERE r.zone = ? AND r.day >= ? AND r.day <= ?"
	" AND" CURRENT " ORDER BY r.day, r.id";
static const char SQL_EACH[] = "SELECT " RECORD_COLUMNS " FROM records r ORDER BY r.id";
static const char SQL_BLOCKING[] =
	"SELECT " RECORD_COLUMNS " FROM records r WHERE r.kind = 'spray' AND r.zone = ?"
	" AND r.day <= ? AND r.harvest_from > ? AND" CURRENT
	" ORDER BY r.harvest_from DESC, r.id DESC LIMIT 1";
/* The chain of corrections back to its start: each record corrects an
 * older one (a smaller id), so the walk ends. */
static const char SQL_FIRST[] =
	"WITH RECURSIVE chain(id) AS (SELECT ?1 UNION ALL SELECT c.corrects FROM records c"
	" JOIN chain ON c.id = chain.id WHERE c.corrects < c.id)"
	" SELECT " RECORD_COLUMNS " FROM records r WHERE r.id = (SELECT min(id) FROM chain)";
static const char SQL_ORGANIC_LOST[] =
	"SELECT " RECORD_COLUMNS " FROM records r WHERE r.zone = ? AND r.day <= ?"
	" AND r.kind != 'harvest' AND NOT r.organic AND" CURRENT " ORDER BY r.day, r.id LIMIT 1";
static const char SQL_LOT_NEXT[] = "SELECT coalesce(max(seq), 0) + 1 FROM lots WHERE day = ?";
static const char SQL_LOT_ADD[] = "INSERT INTO lots(code, day, seq) VALUES (?, ?, ?)";
static const char SQL_NEWEST[] =
	"SELECT coalesce(max(entered_at), 0) FROM records"
	" WHERE entered_at <= ?1 OR entered_at > ?2 OR id > ?3";

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v && v[0])
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void bind_day(sqlite3_stmt *st, int i, int day)
{
	char iso[16];

	sqlite3_bind_text(st, i, text_day_iso(iso, sizeof(iso), day), -1, SQLITE_TRANSIENT);
}

static void col_text(sqlite3_stmt *st, int i, char *buf, size_t n)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	snprintf(buf, n, "%s", v ? (const char *)v : "");
}

static int col_day(sqlite3_stmt *st, int i)
{
	int day = 0;

	if (text_day_parse_iso((const char *)sqlite3_column_text(st, i), &day) < 0)
		return 0;
	return day;
}

static void read_row(sqlite3_stmt *st, struct record_row *r)
{
	char word[16];

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	col_text(st, 1, word, sizeof(word));
	for (int k = 0; k < REC_KINDS; k++)
		if (strcmp(word, kinds[k]) == 0)
			r->kind = k;
	r->day = col_day(st, 2);
	col_text(st, 3, r->zone, sizeof(r->zone));
	col_text(st, 4, r->zone_name, sizeof(r->zone_name));
	col_text(st, 5, r->product, sizeof(r->product));
	col_text(st, 6, r->product_name, sizeof(r->product_name));
	r->organic = sqlite3_column_int(st, 7);
	r->amount = sqlite3_column_double(st, 8);
	col_text(st, 9, r->unit, sizeof(r->unit));
	col_text(st, 10, word, sizeof(word));
	r->method = strcmp(word, "venturi") == 0 ? METHOD_VENTURI
		    : strcmp(word, "hand") == 0 ? METHOD_HAND
		    : strcmp(word, "injector") == 0 ? METHOD_INJECTOR : METHOD_NONE;
	col_text(st, 11, r->target, sizeof(r->target));
	r->phi_days = sqlite3_column_int(st, 12);
	r->harvest_from = sqlite3_column_type(st, 13) == SQLITE_NULL ? 0 : col_day(st, 13);
	col_text(st, 14, r->crop, sizeof(r->crop));
	r->kg = sqlite3_column_double(st, 15);
	col_text(st, 16, r->grade, sizeof(r->grade));
	col_text(st, 17, r->buyer, sizeof(r->buyer));
	col_text(st, 18, r->lot, sizeof(r->lot));
	r->phi_override = sqlite3_column_int64(st, 19);
	col_text(st, 20, r->who, sizeof(r->who));
	col_text(st, 21, r->who_name, sizeof(r->who_name));
	r->entered_at = sqlite3_column_int64(st, 22);
	r->corrects = sqlite3_column_int64(st, 23);
	r->voided = sqlite3_column_int(st, 24);
	r->corrected_by = sqlite3_column_int64(st, 25);
	col_text(st, 26, word, sizeof(word));
	for (int k = 1; k < ORGANIC_REASONS; k++)
		if (strcmp(word, organic_reasons[k]) == 0)
			r->organic_override = k;
}

int store_record_add(struct store *s, struct record_row *r)
{
	sqlite3_stmt *st = store_stmt(s, SQL_ADD);
	bool harvest = r->kind == REC_HARVEST, spray = r->kind == REC_SPRAY;
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, store_record_kind_name(r->kind), -1, SQLITE_STATIC);
	bind_day(st, 2, r->day);
	bind_text(st, 3, r->zone);
	bind_text(st, 4, r->zone_name);
	if (!harvest) {
		bind_text(st, 5, r->product);
		bind_text(st, 6, r->product_name);
		sqlite3_bind_int(st, 7, r->organic);
		sqlite3_bind_double(st, 8, r->amount);
		bind_text(st, 9, r->unit);
	}
	if (r->kind == REC_FERTILIZE && r->method > METHOD_NONE && r->method <= METHOD_INJECTOR)
		sqlite3_bind_text(st, 10, methods[r->method], -1, SQLITE_STATIC);
	if (spray) {
		bind_text(st, 11, r->target);
		sqlite3_bind_int(st, 12, r->phi_days);
		bind_day(st, 13, r->harvest_from);
	}
	if (harvest) {
		bind_text(st, 14, r->crop);
		sqlite3_bind_double(st, 15, r->kg);
		bind_text(st, 16, r->grade);
		bind_text(st, 17, r->buyer);
		bind_text(st, 18, r->lot);
		if (r->phi_override)
			sqlite3_bind_int64(st, 19, r->phi_override);
	}
	bind_text(st, 20, r->who);
	bind_text(st, 21, r->who_name);
	sqlite3_bind_int64(st, 22, r->entered_at);
	if (r->corrects)
		sqlite3_bind_int64(st, 23, r->corrects);
	sqlite3_bind_int(st, 24, r->voided);
	if (!harvest && r->organic_override > 0 && r->organic_override < ORGANIC_REASONS)
		sqlite3_bind_text(st, 25, organic_reasons[r->organic_override], -1, SQLITE_STATIC);
	rc = store_exec_stmt(s, st);
	if (rc == 0)
		r->id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

/* Steps a statement that returns at most one record. */
static int one_row(struct store *s, sqlite3_stmt *st, struct record_row *r)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		read_row(st, r);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc);
}

int store_record_get(struct store *s, int64_t id, struct record_row *r)
{
	sqlite3_stmt *st = store_stmt(s, SQL_GET);

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, id);
	return one_row(s, st, r);
}

int store_record_first(struct store *s, int64_t id, struct record_row *r)
{
	sqlite3_stmt *st = store_stmt(s, SQL_FIRST);

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, id);
	return one_row(s, st, r);
}

int store_record_by_lot(struct store *s, const char *lot, struct record_row *r)
{
	sqlite3_stmt *st = store_stmt(s, SQL_BY_LOT);

	if (!st)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, lot, -1, SQLITE_TRANSIENT);
	return one_row(s, st, r);
}

int store_records_page(struct store *s, int kind, int offset, struct record_row *out, int max,
		       int *total)
{
	sqlite3_stmt *st = store_stmt(s, SQL_COUNT);
	int rc, n = 0;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, store_record_kind_name(kind), -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*total = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return store_fail(s, rc);
	st = store_stmt(s, SQL_PAGE);
	if (!st)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, store_record_kind_name(kind), -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, max);
	sqlite3_bind_int(st, 3, offset);
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		read_row(st, &out[n++]);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? n : store_fail(s, rc);
}

static int each(struct store *s, sqlite3_stmt *st, store_record_fn *fn, void *ctx)
{
	struct record_row r;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_row(st, &r);
		fn(ctx, &r);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc);
}

int store_records_zone(struct store *s, const char *zone, int from, int to,
		       store_record_fn *fn, void *ctx)
{
	sqlite3_stmt *st = store_stmt(s, SQL_ZONE);

	if (!st)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, zone, -1, SQLITE_TRANSIENT);
	bind_day(st, 2, from);
	bind_day(st, 3, to);
	return each(s, st, fn, ctx);
}

int store_records_each(struct store *s, store_record_fn *fn, void *ctx)
{
	sqlite3_stmt *st = store_stmt(s, SQL_EACH);

	return st ? each(s, st, fn, ctx) : STORE_ERR;
}

int store_has_spray_blocking(struct store *s, const char *zone, int day, struct record_row *r)
{
	sqlite3_stmt *st = store_stmt(s, SQL_BLOCKING);

	if (!st)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, zone, -1, SQLITE_TRANSIENT);
	bind_day(st, 2, day);
	bind_day(st, 3, day);
	return one_row(s, st, r);
}

int store_organic_lost(struct store *s, const char *zone, int to, struct record_row *r)
{
	sqlite3_stmt *st = store_stmt(s, SQL_ORGANIC_LOST);

	if (!st)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, zone, -1, SQLITE_TRANSIENT);
	bind_day(st, 2, to);
	return one_row(s, st, r);
}

int store_lot_next(struct store *s, int day, int *seq)
{
	sqlite3_stmt *st = store_stmt(s, SQL_LOT_NEXT);
	int rc;

	if (!st)
		return STORE_ERR;
	bind_day(st, 1, day);
	rc = sqlite3_step(st);
	*seq = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : store_fail(s, rc);
}

int store_lot_add(struct store *s, const char *code, int day, int seq)
{
	sqlite3_stmt *st = store_stmt(s, SQL_LOT_ADD);

	if (!st)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
	bind_day(st, 2, day);
	sqlite3_bind_int(st, 3, seq);
	return store_exec_stmt(s, st);
}

int store_records_newest(struct store *s, int64_t *t)
{
	sqlite3_stmt *st = store_stmt(s, SQL_NEWEST);
	int rc;

	if (!st)
		return STORE_ERR;
	store_bind_clock_wrong(s, st);
	rc = sqlite3_step(st);
	*t = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : store_fail(s, rc);
}
