/* Injectors, the phases of a dosing run, and what each dose writes: the
 * fertilizing or spraying record (through src/records.c), the tank's
 * book and the dose's row, in one transaction when the dose ends. */
#include "dosing.h"

#include "app.h"
#include "clock.h"
#include "config.h"
#include "records.h"
#include "relay.h"
#include "store.h"
#include "text.h"
#include "water.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Less stock than this given is nothing given: no record. */
#define DOSE_NOTHING 0.001
/* An injector's own meter: a window of half a minute or more giving
 * less than this share of its rate, twice in a row, is a dry tank. */
#define DOSE_DRY_SHARE 0.2
#define DOSE_WINDOW_MS 30000

struct dose_item {
	int injector;
	int product;		/* in cfg->products, when the dose began */
	struct dose_row row;
	double stock;		/* litres in the tank when the run began */
	bool on, done;
	int64_t on_ms, end_ms;	/* steady: went on, goes off */
	bool by_stock;		/* end_ms is the tank's last litre */
	double measured;	/* its own meter's litres */
	int64_t window_ms;
	double window_litres;
	int low_windows;
	bool noise_told;
};

struct dose_run {
	bool active;
	enum dose_phase phase;
	int64_t wet_end, dose_end;	/* steady ms */
	int dosing, flushing;		/* minutes */
	struct dose_item items[DOSE_MAX];
	int n;
};

struct dosing {
	struct app *app;
	struct water *water;
	struct relay **relays;	/* as cfg->injectors; NULL: cannot be used */
	char (*why)[256];
	int n;
	struct dose_run *runs;	/* per pump */
	/* Doses over whose records the card would not take yet. */
	struct dose_row unwritten[DOSE_MAX * 2];
	int n_unwritten;
};

static const struct config *cfg_of(const struct dosing *d)
{
	return d->app->cfg;
}

static int64_t now_of(const struct dosing *d)
{
	return clock_now(d->app->clock);
}

static struct relay *make_relay(struct dosing *d, int i)
{
	const struct injector_cfg *ic = &cfg_of(d)->injectors[i];
	struct relay *r;

	if (ic->driver == RELAY_DRIVER_GPIOD) {
		r = relay_gpiod_new(ic->chip, ic->line, ic->active_low, d->why[i], sizeof(d->why[i]));
		if (r && relay_set(r, false) < 0) {
			relay_free(r);
			r = NULL;
			snprintf(d->why[i], sizeof(d->why[i]),
				 _("Line %s of GPIO chip %s cannot be switched off."), ic->line, ic->chip);
		}
	} else if (!d->app->farm) {
		snprintf(d->why[i], sizeof(d->why[i]), "%s", _("Simulated pumps need the simulator."));
		r = NULL;
	} else if (d->app->sim_relays) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/injector.%s", d->app->sim_relays, ic->item.id);
		r = relay_sim_new(d->app->farm, NULL, 0, path);
		if (!r)
			snprintf(d->why[i], sizeof(d->why[i]), _("Cannot write %s."), path);
	} else {
		r = relay_sim_new(d->app->farm, NULL, 0, NULL);
		if (!r)
			snprintf(d->why[i], sizeof(d->why[i]), "%s", strerror(ENOMEM));
	}
	if (r)
		relay_mark_first(r);
	return r;
}

struct dosing *dosing_new(struct app *app)
{
	const struct config *cfg = app->cfg;
	struct dosing *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->app = app;
	d->n = cfg->n_injectors;
	d->relays = calloc((size_t)d->n + 1, sizeof(*d->relays));
	d->why = calloc((size_t)d->n + 1, sizeof(*d->why));
	d->runs = calloc((size_t)cfg->n_pumps + 1, sizeof(*d->runs));
	if (!d->relays || !d->why || !d->runs) {
		dosing_free(d);
		return NULL;
	}
	for (int i = 0; i < d->n; i++)
		d->relays[i] = make_relay(d, i);
	return d;
}

void dosing_resume(struct dosing *d, struct water *w)
{
	d->water = w;
	/* The pump waters plain water without it; an alarm says why. */
	for (int i = 0; i < d->n; i++)
		if (!d->relays[i])
			store_event(d->app->store, now_of(d), "injector_missing",
				    cfg_of(d)->injectors[i].item.id, d->why[i], true);
}

void dosing_relays(const struct dosing *d, struct relay **out)
{
	for (int i = 0; i < d->n; i++)
		out[i] = d->relays[i];
}

/* Every injector off, first; then freed. */
void dosing_free(struct dosing *d)
{
	if (!d)
		return;
	for (int i = 0; d->relays && i < d->n; i++)
		if (d->relays[i])
			relay_set(d->relays[i], false);
	for (int i = 0; d->relays && i < d->n; i++)
		relay_free(d->relays[i]);
	free(d->relays);
	free(d->why);
	free(d->runs);
	free(d);
}

const char *dosing_unavailable(const struct dosing *d, int injector)
{
	return injector >= 0 && injector < d->n && !d->relays[injector] ? d->why[injector] : NULL;
}

int dosing_injectors(const struct dosing *d, int pump, int *out, int max)
{
	const struct config *cfg = cfg_of(d);
	int n = 0;

	for (int i = 0; i < cfg->n_injectors && n < max; i++)
		if (cfg->injectors[i].pump_index == pump)
			out[n++] = i;
	return n;
}

/* A phase's minutes: each product's own, or else the zone's; the
 * longest of them. */
static int phase_minutes(const struct config *cfg, int zone, const int *products, int n,
			 size_t zone_off, size_t product_off)
{
	int z = *(const int *)((const char *)&cfg->zones[zone] + zone_off), best = n ? 0 : z;

	for (int i = 0; i < n; i++) {
		int p = *(const int *)((const char *)&cfg->products[products[i]] + product_off);

		if ((p >= 0 ? p : z) > best)
			best = p >= 0 ? p : z;
	}
	return best;
}

int dosing_tank_product(struct dosing *d, int injector, struct tank_stock *stock)
{
	const struct config *cfg = cfg_of(d);
	const struct injector_cfg *ic = &cfg->injectors[injector];

	if (store_tank_stock(d->app->store, cfg->tanks[ic->tank_index].item.id, stock) < 0)
		return -2;
	if (stock->litres <= 0)
		return -1;
	return config_product_index(cfg, stock->product);
}

void dosing_plan_defaults(struct dosing *d, struct dose_plan *p)
{
	const struct config *cfg = cfg_of(d);
	int products[DOSE_MAX], n = 0;
	struct tank_stock stock;

	p->zone = config_pump_zone(cfg, p->pump);
	if (p->zone < 0)
		return;
	for (int i = 0; i < p->n; i++) {
		int k = dosing_tank_product(d, p->picks[i].injector, &stock);

		if (k >= 0)
			products[n++] = k;
	}
	p->wetting = phase_minutes(cfg, p->zone, products, n, offsetof(struct zone_cfg, wetting_minutes),
				   offsetof(struct product_cfg, wetting_minutes));
	p->dosing = phase_minutes(cfg, p->zone, products, n, offsetof(struct zone_cfg, dosing_minutes),
				  offsetof(struct product_cfg, dosing_minutes));
	p->flushing = phase_minutes(cfg, p->zone, products, n,
				    offsetof(struct zone_cfg, flushing_minutes),
				    offsetof(struct product_cfg, flushing_minutes));
}

/* The record a dose will write, as it will be checked. */
static void proto_record(const struct config *cfg, const struct dose_plan *p, int i, int product,
			 int day, double amount, struct record_row *r)
{
	const struct product_cfg *pc = &cfg->products[product];

	records_init(r, pc->kind == PRODUCT_PESTICIDE ? REC_SPRAY : REC_FERTILIZE, day);
	records_set_zone(r, cfg, p->zone);
	records_set_product(r, cfg, product);
	if (p->worker >= 0 && p->worker < cfg->n_workers)
		records_set_worker(r, cfg, p->worker);
	r->amount = amount;
	if (r->kind == REC_FERTILIZE)
		r->method = METHOD_INJECTOR;
	else if (p->picks[i].pest >= 0 && p->picks[i].pest < cfg->n_pests)
		snprintf(r->target, sizeof(r->target), "%s", cfg->pests[p->picks[i].pest].name);
}

int dosing_plan(struct dosing *d, struct dose_plan *p, char *err, size_t errlen, char *warn,
		size_t wn)
{
	const struct config *cfg = cfg_of(d);
	const struct pump_cfg *pc = &cfg->pumps[p->pump];
	int today = text_day_of((time_t)now_of(d));
	char a[32];

	if (warn && wn)
		warn[0] = '\0';
	p->zone = config_pump_zone(cfg, p->pump);
	if (p->zone < 0) {
		snprintf(err, errlen, _("%s waters no zone: a dose's record needs one."), pc->name);
		return -1;
	}
	if (p->n < 1) {
		snprintf(err, errlen, "%s", _("Choose at least one tank to dose from."));
		return -1;
	}
	if (p->worker < 0 || p->worker >= cfg->n_workers) {
		snprintf(err, errlen, "%s", _("Choose who does the work: a dose is written in the records."));
		return -1;
	}
	if (p->dosing < 1) {
		snprintf(err, errlen, "%s", _("Dosing lasts at least one minute."));
		return -1;
	}
	if (p->wetting + p->dosing + p->flushing > pc->max_minutes) {
		snprintf(err, errlen,
			 _("%s may run at most %d minutes: wetting %d, dosing %d and flushing %d make %d."),
			 pc->name, pc->max_minutes, p->wetting, p->dosing, p->flushing,
			 p->wetting + p->dosing + p->flushing);
		return -1;
	}
	for (int i = 0; i < p->n; i++) {
		int inj = p->picks[i].injector, product;
		const struct injector_cfg *ic;
		struct tank_stock stock;
		struct record_row proto;
		const char *no;

		if (inj < 0 || inj >= cfg->n_injectors || cfg->injectors[inj].pump_index != p->pump) {
			snprintf(err, errlen, "%s", _("That injector does not feed this pump."));
			return -1;
		}
		ic = &cfg->injectors[inj];
		for (int j = 0; j < i; j++)
			if (p->picks[j].injector == inj) {
				snprintf(err, errlen, _("%s is chosen twice."), ic->name);
				return -1;
			}
		no = dosing_unavailable(d, inj);
		if (no) {
			snprintf(err, errlen, _("%s cannot be used: %s"), ic->name, no);
			return -1;
		}
		product = dosing_tank_product(d, inj, &stock);
		if (product == -2) {
			snprintf(err, errlen, _("The tanks' book cannot be read: %s"), store_error(d->app->store));
			return -1;
		}
		if (product == -1) {
			snprintf(err, errlen, _("%s is empty: refill it first (Fertilizing, spraying: Tanks)."),
				 cfg->tanks[ic->tank_index].name);
			return -1;
		}
		if (product < 0) {
			snprintf(err, errlen, _("%s holds %s, which the configuration no longer lists."),
				 cfg->tanks[ic->tank_index].name, stock.product_name);
			return -1;
		}
		p->est[i].product = product;
		p->est[i].tank_litres = stock.litres;
		p->est[i].stock_litres = ic->rate * p->dosing;
		p->est[i].amount = (p->est[i].stock_litres < stock.litres ? p->est[i].stock_litres
									  : stock.litres) *
				   stock.amount / stock.litres;
		if (cfg->products[product].kind == PRODUCT_PESTICIDE &&
		    (p->picks[i].pest < 0 || p->picks[i].pest >= cfg->n_pests)) {
			snprintf(err, errlen, _("Choose what %s is against."), cfg->products[product].name);
			return -1;
		}
		proto_record(cfg, p, i, product, today, p->est[i].amount, &proto);
		if (records_check(cfg, &proto, today, err, errlen) < 0)
			return -1;
		/* An organic zone takes a product that is not organic only
		 * through the manager's PIN on a record entered by hand; a
		 * zone no longer organic takes it. */
		switch (records_organic_allowed(d->app->store, cfg, &proto, false, err, errlen)) {
		case 0:
			break;
		case REC_NEED_MANAGER:
			records_organic_check(cfg, config_zone_index(cfg, proto.zone), product, err, errlen);
			return -1;
		default:
			return -1;
		}
		if (warn && p->est[i].stock_litres > stock.litres && !warn[0])
			snprintf(warn, wn,
				 _("%s holds only %s litres, enough for %d of the %d minutes of dosing: the injector stops when it is empty, and the flushing still runs."),
				 cfg->tanks[ic->tank_index].name, text_number(a, sizeof(a), stock.litres, 1),
				 (int)(stock.litres / ic->rate), p->dosing);
	}
	return 0;
}

int dosing_begin(struct dosing *d, const struct dose_plan *p, int64_t run)
{
	const struct config *cfg = cfg_of(d);
	struct dose_run *r = &d->runs[p->pump];

	memset(r, 0, sizeof(*r));
	for (int i = 0; i < p->n; i++) {
		const struct injector_cfg *ic = &cfg->injectors[p->picks[i].injector];
		const struct product_cfg *pc = &cfg->products[p->est[i].product];
		struct dose_item *it = &r->items[i];
		struct dose_row *row = &it->row;
		struct tank_stock stock;

		if (store_tank_stock(d->app->store, cfg->tanks[ic->tank_index].item.id, &stock) < 0 ||
		    stock.litres <= 0)
			return STORE_ERR;
		it->injector = p->picks[i].injector;
		it->product = p->est[i].product;
		it->stock = stock.litres;
		row->run = run;
		snprintf(row->injector, sizeof(row->injector), "%s", ic->item.id);
		snprintf(row->injector_name, sizeof(row->injector_name), "%s", ic->name);
		snprintf(row->tank, sizeof(row->tank), "%s", cfg->tanks[ic->tank_index].item.id);
		snprintf(row->tank_name, sizeof(row->tank_name), "%s", cfg->tanks[ic->tank_index].name);
		snprintf(row->product, sizeof(row->product), "%s", pc->item.id);
		snprintf(row->product_name, sizeof(row->product_name), "%s", pc->name);
		snprintf(row->unit, sizeof(row->unit), "%s", pc->unit);
		row->kind = pc->kind == PRODUCT_PESTICIDE ? REC_SPRAY : REC_FERTILIZE;
		if (row->kind == REC_SPRAY)
			snprintf(row->target, sizeof(row->target), "%s",
				 cfg->pests[p->picks[i].pest].name);
		snprintf(row->zone, sizeof(row->zone), "%s", cfg->zones[p->zone].item.id);
		snprintf(row->who, sizeof(row->who), "%s", cfg->workers[p->worker].item.id);
		snprintf(row->who_name, sizeof(row->who_name), "%s", cfg->workers[p->worker].name);
		row->concentration = stock.amount / stock.litres;
		row->planned_litres = ic->rate * p->dosing;
		if (store_dose_add(d->app->store, row) < 0)
			return STORE_ERR;
	}
	r->n = p->n;
	r->dosing = p->dosing;
	r->flushing = p->flushing;
	return 0;
}

void dosing_arm(struct dosing *d, int pump, int64_t steady, const struct dose_plan *p)
{
	struct dose_run *r = &d->runs[pump];

	r->active = true;
	r->phase = PHASE_WETTING;
	r->wet_end = steady + (int64_t)p->wetting * 60000;
	r->dose_end = r->wet_end + (int64_t)p->dosing * 60000;
}

void dosing_disarm(struct dosing *d, int pump)
{
	memset(&d->runs[pump], 0, sizeof(d->runs[pump]));
}

/* Litres of stock the injector has given so far: its own meter's, or its
 * rate over the time it has been on. */
static double given(const struct dosing *d, const struct dose_item *it, int64_t steady)
{
	const struct injector_cfg *ic = &cfg_of(d)->injectors[it->injector];
	int64_t until;

	double litres;

	if (ic->meter_index >= 0 && !water_meter_unavailable(d->water, ic->meter_index))
		return it->measured;
	if (!it->on_ms)
		return 0;
	until = it->on ? steady : it->end_ms;
	litres = until > it->on_ms ? ic->rate * (double)(until - it->on_ms) / 60000.0 : 0;
	/* After the tank's last litre it draws air. */
	return litres < it->stock ? litres : it->stock;
}

/* Its own meter's pulses since the last look; true when a window says the
 * tank has run dry (or the injector is blocked). */
static bool measure(struct dosing *d, struct dose_item *it, int64_t steady, bool final)
{
	const struct injector_cfg *ic = &cfg_of(d)->injectors[it->injector];
	double litres, flow;
	uint64_t noise, noisiest;

	if (ic->meter_index < 0 ||
	    !water_meter_take(d->water, ic->meter_index, final, &litres, &noise, &noisiest))
		return false;
	it->measured += litres;
	if (noise && !it->noise_told) {
		water_noise_alarm(d->water, ic->meter_index, ic->item.id, noisiest);
		it->noise_told = true;
	}
	if (!it->on || final)
		return false;
	if (!it->window_ms) {
		it->window_ms = steady;
		it->window_litres = 0;
		return false;
	}
	it->window_litres += litres;
	if (steady - it->window_ms < DOSE_WINDOW_MS)
		return false;
	flow = it->window_litres / ((double)(steady - it->window_ms) / 60000.0);
	it->low_windows = flow < DOSE_DRY_SHARE * ic->rate && !noise ? it->low_windows + 1 : 0;
	it->window_ms = steady;
	it->window_litres = 0;
	return it->low_windows >= 2;
}

static void tank_row_of(const struct dose_row *row, int day, double litres, int64_t now,
			struct tank_row *t)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->tank, sizeof(t->tank), "%s", row->tank);
	snprintf(t->tank_name, sizeof(t->tank_name), "%s", row->tank_name);
	t->kind = TANK_DOSE;
	t->day = day;
	snprintf(t->product, sizeof(t->product), "%s", row->product);
	snprintf(t->product_name, sizeof(t->product_name), "%s", row->product_name);
	snprintf(t->unit, sizeof(t->unit), "%s", row->unit);
	t->litres = -litres;
	t->amount = -litres * row->concentration;
	snprintf(t->who, sizeof(t->who), "%s", row->who);
	snprintf(t->who_name, sizeof(t->who_name), "%s", row->who_name);
	t->entered_at = now;
	t->dose = row->id;
}

/* A dose is over: its record, the tank's book and the dose's row, in one
 * transaction. The record is the one a person would enter by hand, dated
 * the day the dose ended (a spray's interval counts from then). 0, or -1
 * with an alarm: the dose's row then stays open with what it gave, for
 * the next try. */
static int write_dose(struct dosing *d, struct dose_row *row, int64_t now, bool retry)
{
	struct store *st = d->app->store;
	const struct config *cfg = cfg_of(d);
	int day = text_day_of((time_t)row->ended), product = config_product_index(cfg, row->product);
	int zone = config_zone_index(cfg, row->zone), worker = config_worker_index(cfg, row->who);
	struct record_row rec;
	struct tank_row tank;
	char why[256], detail[128];

	row->record = 0;
	if (row->litres < DOSE_NOTHING)
		return store_dose_end(st, row) < 0 ? -1 : 0;
	records_init(&rec, row->kind, day);
	if (zone >= 0)
		records_set_zone(&rec, cfg, zone);
	if (product >= 0)
		records_set_product(&rec, cfg, product);
	if (worker >= 0)
		records_set_worker(&rec, cfg, worker);
	rec.amount = row->litres * row->concentration;
	rec.method = row->kind == REC_FERTILIZE ? METHOD_INJECTOR : METHOD_NONE;
	snprintf(rec.target, sizeof(rec.target), "%s", row->target);
	tank_row_of(row, day, row->litres, now, &tank);
	if (store_begin(st) < 0)
		goto fail;
	if (records_save_in(st, cfg, now, &rec, false, why, sizeof(why)) < 0) {
		store_rollback(st);
		goto refused;
	}
	row->record = rec.id;
	if (store_tank_add(st, &tank) < 0 || store_dose_end(st, row) < 0 || store_commit(st) < 0) {
		store_rollback(st);
		goto fail;
	}
	return 0;
fail:
	snprintf(why, sizeof(why), "%s", store_error(st));
refused:
	row->record = 0;
	store_dose_progress(st, row);
	if (d->n_unwritten < (int)(sizeof(d->unwritten) / sizeof(d->unwritten[0])))
		d->unwritten[d->n_unwritten++] = *row;
	/* One alarm, not one each time it is tried again. */
	snprintf(detail, sizeof(detail), "%s;%.3f;%.70s", row->injector, row->litres, why);
	if (!retry)
		store_event(st, now, "dose_unrecorded", row->injector, detail, true);
	return -1;
}

/* One injector's dose is over (its minutes, its tank, the run's end). */
static int end_item(struct dosing *d, struct dose_item *it, const char *reason, int64_t steady,
		    int64_t now, bool *relay_failed)
{
	int rc = 0;

	if (it->done)
		return 0;
	if (it->on) {
		if (relay_set(d->relays[it->injector], false) < 0)
			*relay_failed = true;
		/* It ran until now, a tick after its planned end maybe. */
		it->end_ms = steady;
		measure(d, it, steady, true);
		it->on = false;
	}
	it->done = true;
	it->row.litres = given(d, it, steady);
	it->row.ended = now;
	snprintf(it->row.end_reason, sizeof(it->row.end_reason), "%s", reason);
	if (strcmp(reason, "tank_empty") == 0) {
		char detail[128];

		snprintf(detail, sizeof(detail), "%s;%.3f;%.3f", it->row.tank, it->row.litres,
			 it->row.planned_litres);
		store_event(d->app->store, now, "tank_empty", it->row.injector, detail, true);
	}
	rc = write_dose(d, &it->row, now, false);
	return rc;
}

static int start_dosing(struct dosing *d, struct dose_run *r, int64_t steady, int64_t now)
{
	const struct config *cfg = cfg_of(d);

	r->phase = PHASE_DOSING;
	for (int i = 0; i < r->n; i++) {
		struct dose_item *it = &r->items[i];
		const struct injector_cfg *ic = &cfg->injectors[it->injector];
		int64_t last;
		double litres;
		uint64_t noise, noisiest;

		/* What its meter counted before is not this dose's. */
		water_meter_take(d->water, ic->meter_index, true, &litres, &noise, &noisiest);
		if (relay_set(d->relays[it->injector], true) < 0)
			return -1;
		it->on = true;
		it->on_ms = steady;
		it->end_ms = r->dose_end;
		/* Without a meter the tank's last litre is known ahead. */
		last = steady + (int64_t)(it->stock / ic->rate * 60000.0);
		if (last < it->end_ms) {
			it->end_ms = last;
			it->by_stock = true;
		}
		it->row.started = now;
		it->row.alive = now;
		store_dose_progress(d->app->store, &it->row);
	}
	return 0;
}

int dosing_tick(struct dosing *d, int pump, int64_t steady, int64_t now)
{
	struct dose_run *r = &d->runs[pump];
	bool failed = false;
	int rc = 0;

	if (!r->active)
		return 0;
	if (r->phase == PHASE_WETTING && steady >= r->wet_end && start_dosing(d, r, steady, now) < 0)
		return DOSING_RELAY_FAILED;
	if (r->phase != PHASE_DOSING)
		return 0;
	for (int i = 0; i < r->n; i++) {
		struct dose_item *it = &r->items[i];
		bool dry;

		if (it->done)
			continue;
		dry = measure(d, it, steady, false);
		/* The measured stock may run out before the reckoned. */
		if (!dry && given(d, it, steady) >= it->stock)
			dry = true;
		if (dry || steady >= it->end_ms) {
			const char *why = dry || it->by_stock ? "tank_empty" : "done";

			if (end_item(d, it, why, steady, now, &failed) < 0)
				rc = DOSING_RECORD_FAILED;
		}
	}
	if (failed)
		return DOSING_RELAY_FAILED;
	if (steady >= r->dose_end)
		r->phase = PHASE_FLUSHING;
	return rc;
}

int dosing_stop(struct dosing *d, int pump, const char *reason, int64_t steady, int64_t now)
{
	struct dose_run *r = &d->runs[pump];
	bool failed = false;
	int rc = 0;

	if (!r->active && !r->n)
		return 0;
	for (int i = 0; i < r->n; i++)
		if (end_item(d, &r->items[i], reason, steady, now, &failed) < 0)
			rc = DOSING_RECORD_FAILED;
	memset(r, 0, sizeof(*r));
	return failed ? DOSING_RELAY_FAILED : rc;
}

int dosing_end_early(struct dosing *d, int pump, int64_t steady, int64_t now, int *flushing)
{
	struct dose_run *r = &d->runs[pump];
	bool failed = false;
	int rc = 0;

	if (!r->active || r->phase == PHASE_FLUSHING)
		return -1;
	for (int i = 0; i < r->n; i++)
		if (end_item(d, &r->items[i], "by_hand", steady, now, &failed) < 0)
			rc = DOSING_RECORD_FAILED;
	r->phase = PHASE_FLUSHING;
	r->dose_end = steady;
	*flushing = r->flushing;
	return failed ? DOSING_RELAY_FAILED : rc;
}

int64_t dosing_next(const struct dosing *d, int pump)
{
	const struct dose_run *r = &d->runs[pump];
	int64_t next = -1;

#define SOONER(t) do { if (next < 0 || (t) < next) next = (t); } while (0)
	if (!r->active)
		return -1;
	if (r->phase == PHASE_WETTING)
		SOONER(r->wet_end);
	if (r->phase == PHASE_DOSING) {
		SOONER(r->dose_end);
		for (int i = 0; i < r->n; i++)
			if (r->items[i].on)
				SOONER(r->items[i].end_ms);
	}
#undef SOONER
	return next;
}

enum dose_phase dosing_phase(const struct dosing *d, int pump, int64_t *until)
{
	const struct dose_run *r = &d->runs[pump];

	if (!r->active)
		return PHASE_NONE;
	if (until)
		*until = r->phase == PHASE_WETTING ? r->wet_end
			 : r->phase == PHASE_DOSING ? r->dose_end : -1;
	return r->phase;
}

bool dosing_dry(const struct dosing *d, int pump)
{
	const struct dose_run *r = &d->runs[pump];

	if (!r->active || r->phase != PHASE_DOSING)
		return false;
	for (int i = 0; i < r->n; i++)
		if (!r->items[i].done)
			return false;
	return true;
}

void dosing_heartbeat(struct dosing *d, int64_t steady, int64_t now)
{
	for (int p = 0; p < cfg_of(d)->n_pumps; p++) {
		struct dose_run *r = &d->runs[p];

		for (int i = 0; r->active && i < r->n; i++) {
			struct dose_item *it = &r->items[i];

			if (!it->on)
				continue;
			it->row.litres = given(d, it, steady);
			it->row.alive = now;
			store_dose_progress(d->app->store, &it->row);
		}
	}
}

void dosing_clock_set(struct dosing *d, long long delta)
{
	for (int p = 0; p < cfg_of(d)->n_pumps; p++) {
		struct dose_run *r = &d->runs[p];

		for (int i = 0; r->active && i < r->n; i++) {
			struct dose_row *row = &r->items[i].row;

			if (row->started)
				row->started += delta;
			if (row->alive)
				row->alive += delta;
		}
	}
}

/* Doses left open: a power cut (or a crash) in the middle of one, or a
 * record the card could not take. Each is closed at its last heartbeat
 * with what it had given by then, and its record written; an alarm says
 * what was cut. Not those of a run still going. */
void dosing_close_open(struct dosing *d, int64_t now, bool at_start)
{
	struct dose_row open[16];
	int n = store_doses_open(d->app->store, open, 16);

	for (int i = 0; i < n; i++) {
		struct dose_row *row = &open[i];
		bool running = false;
		char detail[128];

		for (int p = 0; p < cfg_of(d)->n_pumps && !at_start; p++)
			for (int k = 0; k < d->runs[p].n; k++)
				running |= d->runs[p].items[k].row.id == row->id;
		if (running)
			continue;
		row->ended = row->alive ? row->alive : row->started ? row->started : now;
		if (!row->end_reason[0] || at_start)
			snprintf(row->end_reason, sizeof(row->end_reason), "%s",
				 at_start ? "power_cut" : "shutdown");
		if (at_start && row->started) {
			snprintf(detail, sizeof(detail), "%s;%.3f;%.3f;%" PRId64, row->product,
				 row->litres, row->planned_litres, row->ended);
			store_event(d->app->store, now, "dose_cut", row->injector, detail, true);
		}
		write_dose(d, row, now, false);
	}
}

int dosing_halt(struct dosing *d, int pump, int64_t steady)
{
	struct dose_run *r = &d->runs[pump];
	int rc = 0;

	for (int i = 0; i < r->n; i++) {
		struct dose_item *it = &r->items[i];

		if (!it->on)
			continue;
		if (relay_set(d->relays[it->injector], false) < 0)
			rc = -1;
		it->end_ms = steady;
		it->on = false;
		measure(d, it, steady, true);
	}
	return rc;
}

void dosing_retry(struct dosing *d, int64_t now)
{
	int n = d->n_unwritten;
	struct dose_row rows[DOSE_MAX * 2];

	if (!n)
		return;
	memcpy(rows, d->unwritten, (size_t)n * sizeof(rows[0]));
	d->n_unwritten = 0;
	/* A failure puts it back. */
	for (int i = 0; i < n; i++)
		write_dose(d, &rows[i], now, true);
}
