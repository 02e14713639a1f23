/* What watering saved: the diary added up for a month or a season, and
 * the figures the summary screen and the export's savings sheet share. */
#include "savings.h"

#include "csv.h"
#include "schedule.h"
#include "tariff.h"
#include "text.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The first moment of month `index` (years * 12 + tm_mon), local time. */
static time_t month_start(int index)
{
	struct tm tm = { 0 };

	tm.tm_year = index / 12 - 1900;
	tm.tm_mon = index % 12;
	tm.tm_mday = 1;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

/* Whether month index (years * 12 + tm_mon) begins a season: the rainy
 * one at rainy_from, the dry one the month after rainy_to. */
static bool season_begins(const struct config *cfg, int index)
{
	int mon = index % 12 + 1;

	return mon == cfg->station.rainy_from || mon == cfg->station.rainy_to % 12 + 1;
}

void savings_period(const struct config *cfg, time_t now, enum savings_span span, int back,
		    struct savings_period *p)
{
	struct tm tm;
	int index, end;

	localtime_r(&now, &tm);
	index = (tm.tm_year + 1900) * 12 + tm.tm_mon;
	if (span == SAVINGS_SEASON) {
		/* Back to the season's first month, then a season at a time;
		 * the two may differ in length. */
		while (!season_begins(cfg, index))
			index--;
		for (int i = 0; i < back; i++)
			do
				index--;
			while (!season_begins(cfg, index));
		end = index + 1;
		while (!season_begins(cfg, end))
			end++;
	} else {
		index -= back;
		end = index + 1;
	}
	memset(p, 0, sizeof(*p));
	p->span = span;
	p->back = back;
	p->from = month_start(index);
	p->to = month_start(end);
	p->from_before = month_start(index - 12);
	p->to_before = month_start(end - 12);
	p->first_month = index % 12 + 1;
	p->first_year = index / 12;
	p->last_month = (end - 1) % 12 + 1;
	p->last_year = (end - 1) / 12;
	p->dry = p->first_month != cfg->station.rainy_from;
	p->partial = now >= p->from && now < p->to;
	if (p->partial) {
		/* The year before up to the same day and time. */
		struct tm y = tm;
		time_t t;

		y.tm_year -= 1;
		y.tm_isdst = -1;
		t = mktime(&y);
		if (t < p->to_before)
			p->to_before = t;
	}
}

char *savings_period_name(char *buf, size_t n, const struct savings_period *p)
{
	if (p->span == SAVINGS_MONTH)
		snprintf(buf, n, _("Month %02d/%d"), p->first_month, p->first_year);
	else if (p->dry)
		snprintf(buf, n, _("Dry season %02d/%d–%02d/%d"), p->first_month, p->first_year,
			 p->last_month, p->last_year);
	else
		snprintf(buf, n, _("Rainy season %02d/%d–%02d/%d"), p->first_month, p->first_year,
			 p->last_month, p->last_year);
	return buf;
}

/* Adding up by zone. */

struct by_zone {
	const struct config *cfg;
	struct savings *sv;
	int which;		/* 0: the period, 1: a year before */
};

static struct savings_zone *zone_of(struct savings *sv, const struct config *cfg, const char *id)
{
	int z = config_zone_index(cfg, id);

	if (z < 0)
		return NULL;
	for (int i = 0; i < sv->n_zones; i++)
		if (sv->zones[i].zone == z)
			return &sv->zones[i];
	return NULL;
}

static void add_zone(void *ctx, const char *zone, const struct zone_total *t)
{
	struct by_zone *b = ctx;
	struct savings_zone *sz = zone_of(b->sv, b->cfg, zone);

	if (!sz)
		return;	/* a zone no longer in the configuration: in the station's total */
	if (b->which == 0)
		sz->now = *t;
	else
		sz->before = *t;
}

static void add_moisture(void *ctx, const char *zone, const struct zone_total *t)
{
	struct zone_total *sum = ctx;

	(void)zone;
	sum->runs += t->runs;
	sum->seconds += t->seconds;
	sum->kwh += t->kwh;
	sum->litres += t->litres;
	sum->metered += t->metered;
	sum->metered_seconds += t->metered_seconds;
}

/* Is zone watered by moisture now (the keypad's choice, else the
 * configuration's)? */
static bool by_moisture_now(struct store *s, const struct zone_cfg *z)
{
	char key[64], v[8];

	snprintf(key, sizeof(key), "by_moisture.%s", z->item.id);
	if (store_meta_get(s, key, v, sizeof(v)) == 0 && v[0])
		return strcmp(v, "yes") == 0;
	return z->water_by_moisture;
}

/* Runs of the zone only, over [from, to). */
struct one_zone {
	const char *id;
	struct zone_total *sum;
};

static void add_one_zone(void *ctx, const char *zone, const struct zone_total *t)
{
	struct one_zone *o = ctx;

	if (strcmp(zone, o->id) == 0)
		add_moisture(o->sum, zone, t);
}

/* The schedule moisture replaced, over the time moisture watered the
 * zone within [from, to): what it would have run, against what ran. */
static int compare_old(struct store *s, const struct config *cfg, struct savings_zone *sz,
		       time_t from, time_t to)
{
	const struct zone_cfg *z = &cfg->zones[sz->zone];
	struct moisture_switch sw[MOISTURE_SWITCHES_MAX];
	double kw = z->pump_index >= 0 ? cfg->pumps[z->pump_index].power_kw : 0;
	int n = store_moisture_switches(s, z->item.id, from, to, sw, MOISTURE_SWITCHES_MAX);
	bool known = true;

	if (n < 0)
		return n;
	sz->compare = n > 0 ? CMP_NO_OLD : CMP_NONE;
	/* Watered by moisture from the configuration, never switched on the
	 * keypad: there is no schedule it replaced to know of. */
	if (n == 0 && by_moisture_now(s, z)) {
		int ever = store_moisture_switches(s, z->item.id, INT64_MIN, INT64_MAX, sw, 1);

		if (ever < 0)
			return ever;
		if (ever == 0)
			sz->compare = CMP_NO_OLD;
	}
	memset(&sz->moisture, 0, sizeof(sz->moisture));
	sz->old_minutes = 0;
	sz->cmp_from = 0;
	for (int i = 0; i < n; i++) {
		time_t a = sw[i].since > from ? (time_t)sw[i].since : from;
		time_t b = sw[i].until && sw[i].until < to ? (time_t)sw[i].until : to;
		struct one_zone o = { z->item.id, &sz->moisture };

		if (b <= a)
			continue;
		if (!sz->cmp_from)
			sz->cmp_from = a;
		if (sw[i].n_sched == 0)
			known = false;
		for (int k = 0; k < sw[i].n_sched; k++)
			for (time_t t = schedule_next(&sw[i].sched[k], a - 1); t >= 0 && t < b;
			     t = schedule_next(&sw[i].sched[k], t))
				sz->old_minutes += sw[i].sched[k].minutes;
		if (store_runs_by_zone(s, a, b, add_one_zone, &o) < 0)
			return -1;
	}
	if (!sz->cmp_from || !known)
		return 0;
	sz->compare = CMP_OLD;
	sz->old_kwh = sz->old_minutes / 60.0 * kw;
	/* The old schedule's water at the flow its metered runs gave. */
	sz->old_litres = sz->moisture.metered_seconds > 0
				 ? sz->old_minutes * 60.0 * sz->moisture.litres /
					   (double)sz->moisture.metered_seconds
				 : NAN;
	return 0;
}

int savings_compute(struct store *s, const struct config *cfg, time_t now,
		    enum savings_span span, int back, struct savings *out)
{
	struct by_zone b = { cfg, out, 0 };
	time_t upto;

	memset(out, 0, sizeof(*out));
	savings_period(cfg, now, span, back, &out->p);
	if (store_runs_total(s, out->p.from, out->p.to, &out->t) < 0 ||
	    store_runs_total(s, out->p.from_before, out->p.to_before, &out->before) < 0)
		return -1;
	for (int b2 = 0; b2 < BAND_COUNT; b2++) {
		out->kwh += out->t.kwh[b2];
		out->cost += out->t.cost[b2];
	}
	out->at_normal = out->kwh * cfg->tariff.price[BAND_NORMAL];
	out->at_peak = out->t.cost_at_peak;
	out->saved = out->at_peak - out->cost;
	for (int z = 0; z < cfg->n_zones && out->n_zones < CFG_MAX_ZONES; z++)
		if (cfg->zones[z].pump_index >= 0)
			out->zones[out->n_zones++].zone = z;
	if (store_runs_by_zone(s, out->p.from, out->p.to, add_zone, &b) < 0)
		return -1;
	b.which = 1;
	if (store_runs_by_zone(s, out->p.from_before, out->p.to_before, add_zone, &b) < 0)
		return -1;
	upto = out->p.to < now ? out->p.to : now;
	for (int i = 0; i < out->n_zones; i++)
		if (compare_old(s, cfg, &out->zones[i], out->p.from, upto) < 0)
			return -1;
	return 0;
}

/* The figures. */

static void water_item(struct savings_item *it, const struct zone_total *now,
		       const struct zone_total *before, int zone, const char *what)
{
	*it = (struct savings_item){ .zone = zone, .what = what, .unit = UNIT_M3,
				     .basis = BASIS_YEAR_BEFORE, .against = NAN };
	if (now->runs > 0 && now->metered == 0) {
		it->value = NAN;
		it->note = _("not measured");
	} else {
		it->value = now->litres / 1000;
		it->unmetered = now->runs - now->metered;
	}
	/* A year before, if a meter measured every run then. */
	if (before->runs > 0 && before->metered == before->runs)
		it->against = before->litres / 1000;
}

int savings_items(const struct savings *sv, const struct config *cfg, struct savings_item *out,
		  int max)
{
	struct savings_item items[SAVINGS_ITEMS_MAX];
	const struct runs_total *t = &sv->t;
	struct zone_total now = { .runs = t->runs, .litres = t->litres, .metered = t->metered };
	struct zone_total before = { .runs = sv->before.runs, .litres = sv->before.litres,
				     .metered = sv->before.metered };
	int n = 0;

	(void)cfg;
	items[n++] = (struct savings_item){ -1, _("Runs"), UNIT_COUNT, t->runs, BASIS_NONE, NAN,
					    0, NULL };
	items[n++] = (struct savings_item){ -1, _("Started by themselves (no one had to)"),
					    UNIT_COUNT, t->automatic, BASIS_NONE, NAN, 0, NULL };
	items[n++] = (struct savings_item){ -1, _("Pump hours"), UNIT_HOURS, t->seconds / 3600.0,
					    BASIS_NONE, NAN, 0, NULL };
	water_item(&items[n++], &now, &before, -1, _("Water"));
	items[n++] = (struct savings_item){ -1, _("Electricity"), UNIT_KWH, sv->kwh, BASIS_NONE,
					    NAN, 0, NULL };
	items[n++] = (struct savings_item){ -1, _("Paid"), UNIT_MONEY, sv->cost, BASIS_NONE, NAN,
					    0, NULL };
	items[n++] = (struct savings_item){ -1, _("At normal prices"), UNIT_MONEY, sv->at_normal,
					    BASIS_NONE, NAN, 0, NULL };
	items[n++] = (struct savings_item){ -1, _("At peak prices"), UNIT_MONEY, sv->at_peak,
					    BASIS_NONE, NAN, 0, NULL };
	items[n++] = (struct savings_item){ -1, _("Saved by the hours chosen"), UNIT_MONEY,
					    sv->saved, BASIS_NONE, NAN, 0, NULL };
	for (int i = 0; i < sv->n_zones; i++) {
		const struct savings_zone *sz = &sv->zones[i];

		water_item(&items[n++], &sz->now, &sz->before, sz->zone, _("water"));
		if (sz->compare == CMP_NO_OLD) {
			items[n++] = (struct savings_item){ sz->zone, _("against the old schedule"),
							    UNIT_M3, NAN, BASIS_NONE, NAN, 0,
							    _("no old schedule to compare") };
		} else if (sz->compare == CMP_OLD) {
			struct zone_total none = { 0 };

			water_item(&items[n], &sz->moisture, &none, sz->zone,
				   _("water by moisture"));
			items[n].basis = BASIS_OLD_SCHEDULE;
			items[n].against = sz->old_litres / 1000;
			/* No metered run gave the flow: the old water is not known. */
			if (isnan(sz->old_litres) && !isnan(items[n].value))
				items[n].note = _("old schedule: not measured");
			n++;
			items[n++] = (struct savings_item){ sz->zone, _("electricity by moisture"),
							    UNIT_KWH, sz->moisture.kwh,
							    BASIS_OLD_SCHEDULE, sz->old_kwh, 0, NULL };
		}
	}
	if (n > max)
		n = max;
	memcpy(out, items, (size_t)n * sizeof(*out));
	return n;
}

int savings_decimals(enum savings_unit u)
{
	switch (u) {
	case UNIT_M3:
		return 1;
	case UNIT_KWH:
	case UNIT_HOURS:
		return 2;
	default:
		return 0;
	}
}

/* v as the screen shows it, rounded to its unit's decimals. */
static double rounded(double v, enum savings_unit u)
{
	double f = pow(10, savings_decimals(u));

	return round(v * f) / f;
}

bool savings_change(const struct savings_item *it, int *percent)
{
	double v = rounded(it->value, it->unit), a = rounded(it->against, it->unit);

	/* Only where every run of both was measured, against something. */
	if (it->basis == BASIS_NONE || isnan(v) || isnan(a) || a <= 0 || it->unmetered)
		return false;
	*percent = (int)lround((v - a) * 100 / a);
	return true;
}

const char *savings_unit_name(enum savings_unit u, const struct config *cfg)
{
	switch (u) {
	case UNIT_HOURS:
		return _("hours");
	case UNIT_M3:
		return "m³";
	case UNIT_KWH:
		return "kWh";
	case UNIT_MONEY:
		return cfg->tariff.currency;
	default:
		return "";
	}
}

const char *savings_basis_name(enum savings_basis b)
{
	switch (b) {
	case BASIS_YEAR_BEFORE:
		return _("a year before");
	case BASIS_OLD_SCHEDULE:
		return _("old schedule");
	default:
		return "";
	}
}

static char *value_text(char *buf, size_t n, double v, enum savings_unit u,
			const struct config *cfg)
{
	char num[48];

	switch (u) {
	case UNIT_COUNT:
		snprintf(buf, n, "%.0f", v);
		break;
	case UNIT_HOURS:
		text_duration(buf, n, (int64_t)llround(v * 3600));
		break;
	case UNIT_MONEY:
		text_money(buf, n, v, cfg->tariff.currency);
		break;
	default:
		snprintf(buf, n, "%s %s", text_number(num, sizeof(num), v, savings_decimals(u)),
			 savings_unit_name(u, cfg));
	}
	return buf;
}

char *savings_item_text(char *buf, size_t n, const struct savings_item *it,
			const struct config *cfg)
{
	char value[96], against[96], more[200], label[CFG_NAME_LEN + 96];
	size_t used = 0;
	int pct;

	if (it->zone >= 0)
		snprintf(label, sizeof(label), "%s: %s", cfg->zones[it->zone].name, it->what);
	else
		snprintf(label, sizeof(label), "%s", it->what);
	if (isnan(it->value)) {
		snprintf(buf, n, "%s: %s", label, it->note ? it->note : "?");
		return buf;
	}
	value_text(value, sizeof(value), it->value, it->unit, cfg);
	/* In brackets: the runs no meter measured, then what it is set
	 * against, with the change where it means something. */
	more[0] = '\0';
	if (it->note)
		used += (size_t)snprintf(more, sizeof(more), "%s", it->note);
	else if (it->unmetered)
		used += (size_t)snprintf(more, sizeof(more), _("not measured: %d"), it->unmetered);
	if (it->basis != BASIS_NONE && !isnan(it->against) && used < sizeof(more)) {
		value_text(against, sizeof(against), it->against, it->unit, cfg);
		if (savings_change(it, &pct))
			snprintf(more + used, sizeof(more) - used, "%s%s %s, %+d%%", used ? "; " : "",
				 savings_basis_name(it->basis), against, pct);
		else
			snprintf(more + used, sizeof(more) - used, "%s%s %s", used ? "; " : "",
				 savings_basis_name(it->basis), against);
	}
	if (more[0])
		snprintf(buf, n, "%s: %s (%s)", label, value, more);
	else
		snprintf(buf, n, "%s: %s", label, value);
	return buf;
}

/* The sheet. */

const char *savings_column(int col)
{
	static const char *const names[SAVINGS_COLUMNS] = {
		N_("Period"), N_("Zone"), N_("Figure"), N_("Value"), N_("Unit"),
		N_("Compared with"), N_("Basis"), N_("Change %"), N_("Note"),
	};

	return col >= 0 && col < SAVINGS_COLUMNS ? _(names[col]) : "";
}

void savings_export_period(int i, enum savings_span *span, int *back)
{
	*span = i < 2 ? SAVINGS_MONTH : SAVINGS_SEASON;
	*back = i % 2;
}

void savings_csv_header(struct csv *c)
{
	for (int col = 0; col < SAVINGS_COLUMNS; col++)
		csv_text(c, savings_column(col));
	csv_end_row(c);
}

void savings_cells(const struct savings_item *it, const struct config *cfg,
		   struct savings_cells *out)
{
	out->zone = it->zone >= 0 ? cfg->zones[it->zone].name : "";
	out->what = it->what;
	out->decimals = savings_decimals(it->unit);
	out->value = isnan(it->value) ? NAN : rounded(it->value, it->unit);
	out->unit = isnan(it->value) ? "" : savings_unit_name(it->unit, cfg);
	out->against = it->basis == BASIS_NONE ? NAN : rounded(it->against, it->unit);
	out->basis = isnan(out->against) ? "" : savings_basis_name(it->basis);
	out->has_change = savings_change(it, &out->change);
	out->note[0] = '\0';
	if (it->note)
		snprintf(out->note, sizeof(out->note), "%s", it->note);
	else if (it->unmetered)
		snprintf(out->note, sizeof(out->note), _("not measured: %d"), it->unmetered);
}

int savings_csv_rows(struct csv *c, const struct savings *sv, const struct config *cfg)
{
	struct savings_item items[SAVINGS_ITEMS_MAX];
	int n = savings_items(sv, cfg, items, SAVINGS_ITEMS_MAX);
	struct savings_cells cells;
	char period[96];

	savings_period_name(period, sizeof(period), &sv->p);
	for (int i = 0; i < n; i++) {
		savings_cells(&items[i], cfg, &cells);
		csv_text(c, period);
		csv_text(c, cells.zone);
		csv_text(c, cells.what);
		csv_number(c, cells.value, cells.decimals);
		csv_text(c, cells.unit);
		csv_number(c, cells.against, cells.decimals);
		csv_text(c, cells.basis);
		if (cells.has_change)
			csv_int(c, cells.change);
		else
			csv_empty(c);
		csv_text(c, cells.note);
		csv_end_row(c);
	}
	return n;
}
