/* Tanks of stock solution: refills and drains, checked before they are
 * written, in the book whose sum is the stock. */
#include "tanks.h"

#include "config.h"
#include "records.h"
#include "text.h"

#include <stdio.h>
#include <string.h>

int tanks_refill_check(struct store *s, const struct config *cfg, const struct tank_refill *r,
		       int today, char *err, size_t errlen)
{
	const struct tank_cfg *tc;
	const struct product_cfg *pc;
	struct tank_stock stock;
	char a[32], b[32], c[32];

	if (r->tank < 0 || r->tank >= cfg->n_tanks) {
		snprintf(err, errlen, "%s", _("Choose a tank of this station."));
		return -1;
	}
	if (r->product < 0 || r->product >= cfg->n_products) {
		snprintf(err, errlen, "%s", _("Choose the product that goes into the tank."));
		return -1;
	}
	if (r->worker < 0 || r->worker >= cfg->n_workers) {
		snprintf(err, errlen, "%s", _("Choose who did the work."));
		return -1;
	}
	tc = &cfg->tanks[r->tank];
	pc = &cfg->products[r->product];
	if (r->day > today) {
		snprintf(err, errlen, _("%s is after today: a record is made for work done."),
			 text_day(a, sizeof(a), r->day));
		return -1;
	}
	if (r->day < today - RECORDS_MAX_DAYS_BACK) {
		snprintf(err, errlen, _("A new record may be dated at most %d days back."),
			 RECORDS_MAX_DAYS_BACK);
		return -1;
	}
	if (!(r->amount > 0) || r->amount > pc->max_amount) {
		snprintf(err, errlen, _("%s %s of %s is not plausible (more than 0, at most %s %s)."),
			 text_amount(a, sizeof(a), r->amount), pc->unit, pc->name,
			 text_amount(b, sizeof(b), pc->max_amount), pc->unit);
		return -1;
	}
	if (!(r->litres > 0)) {
		snprintf(err, errlen, "%s", _("The stock solution is more than 0 litres."));
		return -1;
	}
	if (!r->lot[0]) {
		snprintf(err, errlen, "%s", _("Type the supplier's lot number from the package."));
		return -1;
	}
	/* What an injector doses into an organic zone must be organic. */
	for (int i = 0; i < cfg->n_injectors; i++) {
		const struct injector_cfg *ic = &cfg->injectors[i];

		for (int z = 0; z < cfg->n_zones && ic->tank_index == r->tank; z++)
			if (cfg->zones[z].pump_index == ic->pump_index &&
			    records_organic_check(cfg, z, r->product, err, errlen) < 0)
				return -1;
	}
	if (store_tank_stock(s, tc->item.id, &stock) < 0) {
		snprintf(err, errlen, _("The tanks' book cannot be read: %s"), store_error(s));
		return -1;
	}
	if (stock.litres > 0 && strcmp(stock.product, pc->item.id) != 0) {
		snprintf(err, errlen,
			 _("%s still holds %s litres of %s: use it up or empty the tank before another product goes in."),
			 tc->name, text_number(a, sizeof(a), stock.litres, 1), stock.product_name);
		return -1;
	}
	if (stock.litres + r->litres > tc->capacity + 1e-9) {
		snprintf(err, errlen, _("%s holds %s litres; with %s more it would overflow (%s litres)."),
			 tc->name, text_number(a, sizeof(a), stock.litres, 1),
			 text_number(b, sizeof(b), r->litres, 1), text_number(c, sizeof(c), tc->capacity, 0));
		return -1;
	}
	return 0;
}

static void names_of(const struct config *cfg, int tank, int worker, struct tank_row *t)
{
	snprintf(t->tank, sizeof(t->tank), "%s", cfg->tanks[tank].item.id);
	snprintf(t->tank_name, sizeof(t->tank_name), "%s", cfg->tanks[tank].name);
	snprintf(t->who, sizeof(t->who), "%s", cfg->workers[worker].item.id);
	snprintf(t->who_name, sizeof(t->who_name), "%s", cfg->workers[worker].name);
}

/* With the clock and the card checked as for any record. */
static int write_row(struct store *s, int64_t now, struct tank_row *t, char *err, size_t errlen)
{
	if (records_room_check(s, err, errlen) < 0 || records_clock_check(s, now, err, errlen) < 0)
		return -1;
	t->entered_at = now;
	if (store_tank_add(s, t) < 0) {
		snprintf(err, errlen, _("The record was not saved: %s"), store_error(s));
		records_room_check(s, err, errlen);
		return -1;
	}
	return 0;
}

int tanks_refill(struct store *s, const struct config *cfg, int64_t now,
		 const struct tank_refill *r, char *err, size_t errlen)
{
	const struct product_cfg *pc;
	struct tank_row t = { 0 };

	if (tanks_refill_check(s, cfg, r, text_day_of((time_t)now), err, errlen) < 0)
		return -1;
	pc = &cfg->products[r->product];
	names_of(cfg, r->tank, r->worker, &t);
	t.kind = TANK_REFILL;
	t.day = r->day;
	snprintf(t.product, sizeof(t.product), "%s", pc->item.id);
	snprintf(t.product_name, sizeof(t.product_name), "%s", pc->name);
	snprintf(t.unit, sizeof(t.unit), "%s", pc->unit);
	t.amount = r->amount;
	t.litres = r->litres;
	snprintf(t.lot, sizeof(t.lot), "%s", r->lot);
	return write_row(s, now, &t, err, errlen);
}

int tanks_drain(struct store *s, const struct config *cfg, int64_t now, int tank, int worker,
		char *err, size_t errlen)
{
	struct tank_stock stock;
	struct tank_row t = { 0 };

	if (tank < 0 || tank >= cfg->n_tanks || worker < 0 || worker >= cfg->n_workers) {
		snprintf(err, errlen, "%s", _("Choose who did the work."));
		return -1;
	}
	if (store_tank_stock(s, cfg->tanks[tank].item.id, &stock) < 0) {
		snprintf(err, errlen, _("The tanks' book cannot be read: %s"), store_error(s));
		return -1;
	}
	if (stock.litres <= 0) {
		snprintf(err, errlen, _("%s is empty already."), cfg->tanks[tank].name);
		return -1;
	}
	names_of(cfg, tank, worker, &t);
	t.kind = TANK_DRAIN;
	t.day = text_day_of((time_t)now);
	snprintf(t.product, sizeof(t.product), "%s", stock.product);
	snprintf(t.product_name, sizeof(t.product_name), "%s", stock.product_name);
	snprintf(t.unit, sizeof(t.unit), "%s", stock.unit);
	t.amount = -stock.amount;
	t.litres = -stock.litres;
	return write_row(s, now, &t, err, errlen);
}
