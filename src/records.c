/* Farm records: the rules a record must pass before it reaches the card,
 * lot codes, pre-harvest intervals, corrections and traceability. */
#include "records.h"

#include "config.h"
#include "csv.h"
#include "error.h"
#include "outfile.h"
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *records_kind_label(int kind)
{
	switch (kind) {
	case REC_SPRAY:
		return _("Spraying");
	case REC_HARVEST:
		return _("Harvest");
	default:
		return _("Fertilizing");
	}
}

const char *records_method_label(int method)
{
	switch (method) {
	case METHOD_VENTURI:
		return _("fertigation (venturi)");
	case METHOD_HAND:
		return _("by hand");
	case METHOD_INJECTOR:
		return _("fertigation (dosing pump)");
	default:
		return "";
	}
}

void records_init(struct record_row *r, int kind, int day)
{
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->day = day;
}

void records_set_zone(struct record_row *r, const struct config *cfg, int zone)
{
	snprintf(r->zone, sizeof(r->zone), "%s", cfg->zones[zone].item.id);
	snprintf(r->zone_name, sizeof(r->zone_name), "%s", cfg->zones[zone].name);
}

void records_set_product(struct record_row *r, const struct config *cfg, int product)
{
	const struct product_cfg *p = &cfg->products[product];

	snprintf(r->product, sizeof(r->product), "%s", p->item.id);
	snprintf(r->product_name, sizeof(r->product_name), "%s", p->name);
	snprintf(r->unit, sizeof(r->unit), "%s", p->unit);
	r->organic = p->organic;
	if (r->kind == REC_SPRAY) {
		r->phi_days = p->phi_days;
		r->harvest_from = r->day + p->phi_days;
	}
}

void records_set_worker(struct record_row *r, const struct config *cfg, int worker)
{
	snprintf(r->who, sizeof(r->who), "%s", cfg->workers[worker].item.id);
	snprintf(r->who_name, sizeof(r->who_name), "%s", cfg->workers[worker].name);
}

char *records_organic_lost_text(const struct record_row *first, char *buf, size_t n)
{
	char day[32];

	if (first->organic_override)
		snprintf(buf, n, _("Not organic from %s: %s was used (record %lld), allowed by the manager: %s."),
			 text_day(day, sizeof(day), first->day), first->product_name,
			 (long long)first->id, records_organic_reason_label(first->organic_override));
	else
		snprintf(buf, n, _("Not organic from %s: %s was used (record %lld)."),
			 text_day(day, sizeof(day), first->day), first->product_name,
			 (long long)first->id);
	return buf;
}

const char *records_organic_reason_label(int reason)
{
	switch (reason) {
	case ORGANIC_OUTBREAK:
		return _("a pest or disease no organic product could stop");
	case ORGANIC_MISTAKE:
		return _("used by mistake");
	case ORGANIC_UNAVAILABLE:
		return _("no organic product could be had in time");
	case ORGANIC_OTHER:
		return _("another reason, told to the certifier");
	default:
		return "";
	}
}

int records_organic_check(const struct config *cfg, int zone, int product, char *err, size_t errlen)
{
	const struct zone_cfg *z = &cfg->zones[zone];
	const struct product_cfg *p = &cfg->products[product];

	if (z->organic && !p->organic)
		return error_set(err, errlen, REC_REFUSED,
			   _("%s is an organic zone: %s is not an organic product and may not be used there."),
			   z->name, p->name);
	return 0;
}

int records_has_lost_organic(struct store *s, const struct config *cfg, const char *zone, int to,
			  struct record_row *first)
{
	int z = config_zone_index(cfg, zone);

	if (z < 0 || !cfg->zones[z].organic)
		return 0;
	return store_organic_lost(s, zone, to, first);
}

int records_organic_allowed(struct store *s, const struct config *cfg, struct record_row *r,
			    bool manager, char *err, size_t errlen)
{
	int zone = config_zone_index(cfg, r->zone), product = config_product_index(cfg, r->product);
	struct record_row first;
	char a[32];
	int rc;

	if (r->kind == REC_HARVEST || zone < 0 || product < 0 ||
	    records_organic_check(cfg, zone, product, err, errlen) == 0) {
		r->organic_override = ORGANIC_NONE;
		return 0;
	}
	/* A zone no longer organic on that day takes any product. */
	rc = store_organic_lost(s, r->zone, r->day, &first);
	if (rc < 0)
		return error_set(err, errlen, REC_FAILED, _("The records could not be read: %s"),
			   store_error(s));
	if (rc == 1 && first.id != r->corrects) {
		r->organic_override = ORGANIC_NONE;
		return 0;
	}
	if (r->organic_override > ORGANIC_NONE && r->organic_override < ORGANIC_REASONS && manager)
		return 0;
	return error_set(err, errlen, REC_NEED_MANAGER,
		   _("%s is an organic zone: %s is not an organic product. If it was really used, the manager records it with the PIN and a reason, and %s is no longer organic from %s."),
		   cfg->zones[zone].name, cfg->products[product].name, cfg->zones[zone].name,
		   text_day(a, sizeof(a), r->day));
}

int records_check(const struct config *cfg, const struct record_row *r, int today, char *err,
		  size_t errlen)
{
	int zone = config_zone_index(cfg, r->zone);
	char a[32], b[32];

	if (r->kind < 0 || r->kind >= REC_KINDS)
		return error_set(err, errlen, REC_REFUSED, _("This kind of record is unknown."));
	if (zone < 0)
		return error_set(err, errlen, REC_REFUSED, _("Choose a zone of this station."));
	if (r->day > today)
		return error_set(err, errlen, REC_REFUSED, _("%s is after today: a record is made for work done."),
			   text_day(a, sizeof(a), r->day));
	if (config_worker_index(cfg, r->who) < 0)
		return error_set(err, errlen, REC_REFUSED, _("Choose who did the work."));
	if (r->kind == REC_HARVEST) {
		const struct zone_cfg *z = &cfg->zones[zone];

		if (!r->crop[0])
			return error_set(err, errlen, REC_REFUSED, _("Choose the crop."));
		if (!(r->kg > 0))
			return error_set(err, errlen, REC_REFUSED, _("A harvest weighs more than 0 kg."));
		if (r->kg > z->harvest_max_kg)
			return error_set(err, errlen, REC_REFUSED,
				   _("%s kg is more than is plausible for %s (at most %s kg)."),
				   text_amount(a, sizeof(a), r->kg), z->name,
				   text_amount(b, sizeof(b), z->harvest_max_kg));
		return 0;
	}
	int product = config_product_index(cfg, r->product);
	const struct product_cfg *p = product >= 0 ? &cfg->products[product] : NULL;
	int want = r->kind == REC_SPRAY ? PRODUCT_PESTICIDE : PRODUCT_FERTILIZER;

	if (!p || p->kind != want)
		return error_set(err, errlen, REC_REFUSED, r->kind == REC_SPRAY
			   ? _("Choose a plant-protection product from the list.")
			   : _("Choose a fertilizer from the list."));
	if (!(r->amount > 0))
		return error_set(err, errlen, REC_REFUSED, _("The amount must be more than 0."));
	if (r->amount > p->max_amount)
		return error_set(err, errlen, REC_REFUSED,
			   _("%s %s of %s is more than is plausible (at most %s %s)."),
			   text_amount(a, sizeof(a), r->amount), p->unit, p->name,
			   text_amount(b, sizeof(b), p->max_amount), p->unit);
	if (r->kind == REC_FERTILIZE && r->method != METHOD_VENTURI && r->method != METHOD_HAND &&
	    r->method != METHOD_INJECTOR)
		return error_set(err, errlen, REC_REFUSED, _("Choose how the fertilizer was given."));
	if (r->kind == REC_SPRAY && !r->target[0])
		return error_set(err, errlen, REC_REFUSED, _("Choose what the spray was against."));
	return 0;
}

int records_phi_check(struct store *s, const struct record_row *harvest,
		      struct record_row *spray, char *err, size_t errlen)
{
	char a[32], b[32];
	int rc = store_has_spray_blocking(s, harvest->zone, harvest->day, spray);

	if (rc < 0)
		return error_set(err, errlen, REC_FAILED, _("The records could not be read: %s"),
			   store_error(s));
	if (rc == 0)
		return 0;
	return error_set(err, errlen, REC_NEED_MANAGER,
		   _("%s is inside the pre-harvest interval: %s was sprayed on %s; harvest from %s."),
		   harvest->zone_name, spray->product_name, text_day(a, sizeof(a), spray->day),
		   text_day(b, sizeof(b), spray->harvest_from));
}

char *records_lot_code(char *buf, size_t n, const char *station, int day, int seq)
{
	char iso[16], code[64];

	text_day_iso(iso, sizeof(iso), day);
	/* 2026-06-01 -> 260601 */
	snprintf(code, sizeof(code), "%.8s-%.2s%.2s%.2s-%02d", station, iso + 2, iso + 5, iso + 8,
		 seq);
	if (n > 0) {
		size_t len = strlen(code) < n - 1 ? strlen(code) : n - 1;

		memcpy(buf, code, len);
		buf[len] = '\0';
	}
	return buf;
}

int records_clock_check(struct store *s, int64_t now, char *err, size_t errlen)
{
	int64_t newest = 0;
	char a[32];

	if (store_records_newest(s, &newest) < 0)
		return error_set(err, errlen, REC_FAILED, _("The records could not be read: %s"),
			   store_error(s));
	if (now < newest)
		return error_set(err, errlen, REC_REFUSED,
			   _("The station's clock is behind the newest record (%s): set the date and time before logging."),
			   text_date_time(a, sizeof(a), (time_t)newest));
	return 0;
}

/* What a correction may replace: a record of the same kind that nothing
 * has corrected yet. */
static int check_correction(struct store *s, struct record_row *r, char *err, size_t errlen)
{
	struct record_row old;
	int rc = store_record_get(s, r->corrects, &old);

	if (rc < 0)
		return error_set(err, errlen, REC_FAILED, _("The records could not be read: %s"),
			   store_error(s));
	if (rc == 0 || old.kind != r->kind)
		return error_set(err, errlen, REC_REFUSED, _("The record to correct is not there."));
	if (old.corrected_by)
		return error_set(err, errlen, REC_REFUSED,
			   _("This record was already corrected: correct the newer one."));
	if (old.voided)
		return error_set(err, errlen, REC_REFUSED, _("This record says a mistake was removed; it cannot be corrected."));
	if (r->kind == REC_HARVEST)
		snprintf(r->lot, sizeof(r->lot), "%s", old.lot);
	return 0;
}

static int new_lot(struct store *s, const struct config *cfg, struct record_row *r)
{
	int seq, rc = store_lot_next(s, r->day, &seq);

	if (rc < 0)
		return rc;
	records_lot_code(r->lot, sizeof(r->lot), cfg->station.code, r->day, seq);
	return store_lot_add(s, r->lot, r->day, seq);
}

int records_save_in(struct store *s, const struct config *cfg, int64_t now, struct record_row *r,
		    bool manager, char *err, size_t errlen)
{
	int today = text_day_of((time_t)now), rc;
	struct record_row spray;

	rc = records_clock_check(s, now, err, errlen);
	if (rc < 0)
		return rc;
	if (r->corrects) {
		rc = check_correction(s, r, err, errlen);
		if (rc < 0)
			return rc;
	} else if (r->day < today - RECORDS_MAX_DAYS_BACK) {
		return error_set(err, errlen, REC_REFUSED, _("A new record may be dated at most %d days back."),
			   RECORDS_MAX_DAYS_BACK);
	}
	if (r->voided) {
		if (!r->corrects)
			return error_set(err, errlen, REC_REFUSED, _("The record to correct is not there."));
	} else {
		rc = records_check(cfg, r, today, err, errlen);
		if (rc == 0)
			rc = records_organic_allowed(s, cfg, r, manager, err, errlen);
		if (rc < 0)
			return rc;
	}
	r->phi_override = 0;
	if (r->kind == REC_HARVEST && !r->voided) {
		rc = records_phi_check(s, r, &spray, err, errlen);
		if (rc == REC_NEED_MANAGER && manager)
			r->phi_override = spray.id;
		else if (rc < 0)
			return rc;
	}
	if (r->kind == REC_HARVEST && !r->corrects && new_lot(s, cfg, r) < 0)
		return error_set(err, errlen, REC_FAILED, _("The record was not saved: %s"), store_error(s));
	r->entered_at = now;
	if (store_record_add(s, r) < 0)
		return error_set(err, errlen, REC_FAILED, _("The record was not saved: %s"), store_error(s));
	return 0;
}

int records_save(struct store *s, const struct config *cfg, int64_t now, struct record_row *r,
		 bool manager, char *err, size_t errlen)
{
	int rc;

	if (store_begin(s) < 0)
		return error_set(err, errlen, REC_FAILED, _("The record was not saved: %s"), store_error(s));
	rc = records_save_in(s, cfg, now, r, manager, err, errlen);
	if (rc == 0 && store_commit(s) < 0)
		rc = error_set(err, errlen, REC_FAILED, _("The record was not saved: %s"), store_error(s));
	if (rc < 0) {
		store_rollback(s);
		if (!r->corrects)
			r->lot[0] = '\0';
		r->id = 0;
		/* Not a fault to report as one: the card is full or
		 * failing, and says so. */
		if (rc == REC_FAILED)
			records_room_check(s, err, errlen);
	}
	return rc;
}

int records_room_check(struct store *s, char *err, size_t errlen)
{
	switch (store_card_try(s)) {
	case CARD_FULL:
		return error_set(err, errlen, REC_FAILED,
			   _("The memory card is full: nothing more can be saved. What was saved is kept."));
	case CARD_FAILING:
		return error_set(err, errlen, REC_FAILED,
			   _("The memory card is failing: nothing more can be saved. What was saved is kept."));
	case CARD_READONLY:
		return error_set(err, errlen, REC_FAILED,
			   _("The memory card can no longer be written: nothing more can be saved. What was saved is kept."));
	default:
		return 0;
	}
}

void records_season(const struct config *cfg, const struct record_row *harvest, int *from,
		    int *to)
{
	int zone = config_zone_index(cfg, harvest->zone);
	int days = zone >= 0 ? cfg->zones[zone].season_days : 120;

	*to = harvest->day;
	*from = harvest->day - days + 1;
}

struct gather {
	struct trace *t;
	int failed;
};

static void on_item(void *ctx, const struct record_row *r)
{
	struct gather *g = ctx;
	struct record_row *grown;

	if (r->kind == REC_HARVEST || g->failed)
		return;
	grown = realloc(g->t->items, (size_t)(g->t->n_items + 1) * sizeof(*grown));
	if (!grown) {
		g->failed = 1;
		return;
	}
	g->t->items = grown;
	g->t->items[g->t->n_items++] = *r;
}

struct runs_ctx {
	struct trace *t;
	const struct config *cfg;
};

/* The energy and cost each run was given when it ran, as the export
 * carries them: not today's power_kw or prices. */
static void on_runs(void *ctx, const char *pump, int runs, int64_t seconds, double kwh,
		    double cost)
{
	struct runs_ctx *rc = ctx;
	struct trace *t = rc->t;
	int p = config_pump_index(rc->cfg, pump);
	struct trace_pump *tp;

	if (t->n_pumps == TRACE_MAX_PUMPS)
		return;
	tp = &t->pumps[t->n_pumps++];
	snprintf(tp->pump, sizeof(tp->pump), "%s", pump);
	snprintf(tp->name, sizeof(tp->name), "%s", p >= 0 ? rc->cfg->pumps[p].name : pump);
	tp->runs = runs;
	tp->seconds = seconds;
	tp->kwh = kwh;
	tp->cost = cost;
	t->runs += runs;
	t->seconds += seconds;
	t->kwh += kwh;
	t->cost += cost;
}

/* The id of the record that r's chain of corrections started from. */
static int first_id(struct store *s, const struct record_row *r, int64_t *id)
{
	struct record_row first;
	int rc;

	*id = r->id;
	if (!r->corrects)
		return 0;
	rc = store_record_first(s, r->id, &first);
	if (rc == 1)
		*id = first.id;
	return rc < 0 ? rc : 0;
}

/* Keeps the items done before the harvest: every one of an earlier day,
 * and of the harvest day those recorded before it. */
static int before_harvest(struct store *s, struct trace *t, int64_t harvest_first)
{
	int kept = 0;

	for (int i = 0; i < t->n_items; i++) {
		struct record_row *r = &t->items[i];
		int64_t first;

		if (r->day > t->harvest.day)
			continue;
		if (r->day == t->harvest.day) {
			int rc = first_id(s, r, &first);

			if (rc < 0)
				return rc;
			if (first > harvest_first)
				continue;
		}
		t->items[kept++] = *r;
	}
	t->n_items = kept;
	return 0;
}

int records_trace(struct store *s, const struct config *cfg, const char *lot, struct trace *t)
{
	struct gather g = { .t = t };
	struct runs_ctx rc = { .t = t, .cfg = cfg };
	struct record_row first;
	int64_t day_end;
	int r;

	memset(t, 0, sizeof(*t));
	r = store_record_by_lot(s, lot, &t->harvest);
	if (r <= 0)
		return r;
	r = store_record_first(s, t->harvest.id, &first);
	if (r != 1)
		return r < 0 ? r : STORE_ERR;
	t->recorded_at = first.entered_at;
	day_end = (int64_t)text_day_start(t->harvest.day + 1);
	t->harvest_at = text_day_of((time_t)first.entered_at) == t->harvest.day ? first.entered_at
										 : day_end;
	records_season(cfg, &t->harvest, &t->from, &t->to);
	r = store_records_zone(s, t->harvest.zone, t->from, t->to, on_item, &g);
	if (r == 0 && g.failed)
		r = STORE_ERR;
	if (r == 0)
		r = before_harvest(s, t, first.id);
	if (r == 0)
		r = store_runs_zone(s, t->harvest.zone, text_day_start(t->from), t->harvest_at,
				    on_runs, &rc);
	if (r == 0) {
		int lost = records_has_lost_organic(s, cfg, t->harvest.zone, t->harvest.day,
						    &t->organic_lost);

		if (lost < 0)
			r = lost;
		else if (lost == 0)
			memset(&t->organic_lost, 0, sizeof(t->organic_lost));
	}
	if (r < 0) {
		records_trace_free(t);
		return r;
	}
	return 1;
}

/* The harvest screen checked the current harvest record against the
 * sprays current when it was saved, and a manager's PIN let it through
 * (records_save()). */
enum trace_interval records_trace_interval(const struct trace *t, const struct record_row *r)
{
	const struct record_row *h = &t->harvest;

	if (r->kind != REC_SPRAY)
		return TRACE_NO_INTERVAL;
	if (r->harvest_from <= h->day)
		return TRACE_ENDED;
	if (r->id > h->id)
		return TRACE_RECORDED_AFTER;
	if (h->phi_override && !h->voided)
		return TRACE_ALLOWED;
	return TRACE_INSIDE;
}

const char *records_trace_interval_label(enum trace_interval i)
{
	switch (i) {
	case TRACE_ENDED:
		return _("ended before the harvest");
	case TRACE_ALLOWED:
		return _("harvested inside it: allowed by the manager with the PIN");
	case TRACE_RECORDED_AFTER:
		return _("harvested inside it: this spray was recorded after the harvest, so the harvest was not checked against it");
	case TRACE_INSIDE:
		return _("harvested inside it");
	case TRACE_NO_INTERVAL:
	default:
		return "";
	}
}

void records_trace_free(struct trace *t)
{
	free(t->items);
	t->items = NULL;
	t->n_items = 0;
}

static void csv_pair(struct csv *c, const char *label, const char *value)
{
	csv_text(c, label);
	csv_text(c, value);
	csv_end_row(c);
}

/* A day as a date cell. */
static void csv_day_of(struct csv *c, int day)
{
	csv_date(c, text_day_start(day));
}

/* The sheet is a CSV like the export's diaries: the configured separator
 * and decimal mark, quoting, dates a spreadsheet reads as dates, and text
 * that it keeps as text (csv_text()). */
int records_trace_write(const struct trace *t, const struct config *cfg, FILE *f)
{
	const struct record_row *h = &t->harvest;
	char a[64], b[64], line[256];
	struct csv c;
	int rc;

	csv_init(&c, config_csv_separator(cfg), config_csv_decimal(cfg));
	csv_bom(&c);
	csv_pair(&c, _("Traceability sheet of lot"), h->lot);
	snprintf(line, sizeof(line), "%s (%s)", cfg->station.name, cfg->station.code);
	csv_pair(&c, _("Station"), line);
	csv_pair(&c, _("Zone"), h->zone_name);
	csv_pair(&c, _("Crop"), h->crop);
	csv_text(&c, _("Harvest day"));
	csv_day_of(&c, h->day);
	csv_end_row(&c);
	csv_text(&c, _("Harvest recorded"));
	csv_date_time(&c, (time_t)t->recorded_at);
	csv_end_row(&c);
	csv_text(&c, _("Weight (kg)"));
	csv_amount(&c, h->kg);
	csv_end_row(&c);
	csv_pair(&c, _("Grade"), h->grade);
	csv_pair(&c, _("Buyer"), h->buyer);
	csv_pair(&c, _("Harvested by"), h->who_name);
	snprintf(line, sizeof(line), "%s - %s", text_day(a, sizeof(a), t->from),
		 text_day(b, sizeof(b), t->to));
	csv_pair(&c, _("Season"), line);
	if (h->voided)
		csv_pair(&c, _("Note"), _("This lot was removed as a mistake."));
	if (h->phi_override) {
		snprintf(line, sizeof(line),
			 _("Harvested inside a pre-harvest interval, allowed by the manager (record %lld)."),
			 (long long)h->phi_override);
		csv_pair(&c, _("Note"), line);
	}
	if (t->organic_lost.id) {
		records_organic_lost_text(&t->organic_lost, line, sizeof(line));
		csv_pair(&c, _("Organic"), line);
	}
	csv_pair(&c, _("Listed"),
		 _("the work on the zone in the season before the harvest; on the harvest day, what was recorded before the harvest"));
	csv_end_row(&c);
	static const char *const headers[] = {
		N_("Day"), N_("Work"), N_("Product"), N_("Organic"), N_("Amount"), N_("Unit"),
		N_("Method or pest"), N_("Pre-harvest interval (days)"), N_("Harvest from"),
		N_("Done by"), N_("Entered"), N_("Pre-harvest interval at the harvest"),
	};
	for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++)
		csv_text(&c, _(headers[i]));
	csv_end_row(&c);
	for (int i = 0; i < t->n_items; i++) {
		const struct record_row *r = &t->items[i];
		bool spray = r->kind == REC_SPRAY;

		csv_day_of(&c, r->day);
		csv_text(&c, records_kind_label(r->kind));
		csv_text(&c, r->product_name);
		csv_text(&c, r->organic ? _("yes") : _("no"));
		csv_amount(&c, r->amount);
		csv_text(&c, r->unit);
		csv_text(&c, spray ? r->target : records_method_label(r->method));
		if (spray)
			csv_int(&c, r->phi_days);
		else
			csv_empty(&c);
		if (spray)
			csv_day_of(&c, r->harvest_from);
		else
			csv_empty(&c);
		csv_text(&c, r->who_name);
		csv_date_time(&c, (time_t)r->entered_at);
		csv_text(&c, records_trace_interval_label(records_trace_interval(t, r)));
		csv_end_row(&c);
	}
	csv_end_row(&c);
	csv_text(&c, _("Irrigation"));
	csv_text(&c, _("Runs"));
	csv_text(&c, _("Hours"));
	csv_text(&c, _("Energy (kWh)"));
	csv_text(&c, _("Cost"));
	csv_end_row(&c);
	/* kWh and cost to the export's decimals, so that they add up alike. */
	for (int i = 0; i < t->n_pumps; i++) {
		const struct trace_pump *p = &t->pumps[i];

		csv_text(&c, p->name);
		csv_int(&c, p->runs);
		csv_number(&c, (double)p->seconds / 3600.0, 1);
		csv_number(&c, p->kwh, 3);
		csv_number(&c, p->cost, 0);
		csv_end_row(&c);
	}
	csv_text(&c, _("Total"));
	csv_int(&c, t->runs);
	csv_number(&c, (double)t->seconds / 3600.0, 1);
	csv_number(&c, t->kwh, 3);
	csv_number(&c, t->cost, 0);
	csv_end_row(&c);
	rc = c.failed || fwrite(c.buf, 1, c.len, f) != c.len || ferror(f) ? -1 : 0;
	csv_free(&c);
	return rc;
}

int records_trace_write_path(struct store *s, const struct config *cfg, const char *lot,
			     const char *path, char *err, size_t errlen)
{
	char folder[4096], tmp[NAME_MAX + 1], *text = NULL;
	const char *name = strrchr(path, '/');
	uint8_t digest[SHA256_BYTES];
	struct outfile out;
	struct trace t;
	size_t len = 0;
	FILE *mem;
	int rc = records_trace(s, cfg, lot, &t), dir;

	if (rc == 0)
		return error_set(err, errlen, -1, _("There is no lot %s."), lot);
	if (rc < 0)
		return error_set(err, errlen, -1, _("The records could not be read: %s"), store_error(s));
	mem = open_memstream(&text, &len);
	rc = mem ? records_trace_write(&t, cfg, mem) : -1;
	records_trace_free(&t);
	if (mem && fclose(mem) != 0)
		rc = -1;
	if (rc < 0) {
		free(text);
		return error_set(err, errlen, -1, _("%s cannot be written: %s"), path, strerror(ENOMEM));
	}
	/* A new file under a name of its own, on the card before it takes
	 * the name asked for (outfile.h); the folder is the one given. */
	snprintf(folder, sizeof(folder), "%.*s", name ? (name == path ? 1 : (int)(name - path)) : 1,
		 name ? path : ".");
	name = name ? name + 1 : path;
	dir = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir >= 0 && (size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", name) < sizeof(tmp))
		unlinkat(dir, tmp, 0);	/* what a cut-short run left; a link is not followed */
	rc = dir < 0 ? -errno : outfile_open(&out, dir, name);
	if (rc == 0) {
		rc = outfile_write(&out, text, len);
		if (rc == 0)
			rc = outfile_commit(&out, digest);
		else
			outfile_abort(&out);
	}
	if (rc == 0)
		rc = outfile_sync_dir(dir);
	if (dir >= 0)
		close(dir);
	free(text);
	if (rc < 0)
		return error_set(err, errlen, -1, _("%s cannot be written: %s"), path, strerror(-rc));
	return 0;
}
