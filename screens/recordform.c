/* The record form: a table of steps per kind of record; each step is a
 * day, a pick from a list or a number. The rules are src/records.c's. */
#include "recordform.h"

#include "app.h"
#include "bigtext.h"
#include "clock.h"
#include "config.h"
#include "keys.h"
#include "qrcode.h"
#include "pin.h"
#include "screen.h"
#include "spoken.h"
#include "store.h"
#include "text.h"
#include "ui.h"
#include "widgets.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

enum step {
	ST_DAY, ST_ZONE, ST_PRODUCT, ST_AMOUNT, ST_METHOD, ST_TARGET, ST_CROP, ST_KG,
	ST_GRADE, ST_BUYER, ST_WHO, ST_CONFIRM, ST_LOT,
};

enum overlay { OV_NONE, OV_INTERVAL, OV_PIN, OV_ORGANIC, OV_REASON };

static const int fertilize_steps[] = { ST_DAY, ST_ZONE, ST_PRODUCT, ST_AMOUNT, ST_METHOD,
				       ST_WHO, ST_CONFIRM };
static const int spray_steps[] = { ST_DAY, ST_ZONE, ST_PRODUCT, ST_AMOUNT, ST_TARGET, ST_WHO,
				   ST_CONFIRM };
static const int harvest_steps[] = { ST_DAY, ST_ZONE, ST_CROP, ST_KG, ST_GRADE, ST_BUYER,
				     ST_WHO, ST_CONFIRM, ST_LOT };
static const int void_steps[] = { ST_WHO, ST_CONFIRM };

#define MAX_OPTIONS 200

struct options {
	const char *label[MAX_OPTIONS];
	int index[MAX_OPTIONS];		/* in the configuration's list */
	int n;
	char crops[CFG_MAX_CROPS][CFG_NAME_LEN];
	char zones[CFG_MAX_ZONES][CFG_NAME_LEN + 64];
};

static const struct config *cfg_of(struct ui *ui)
{
	return ui_app(ui)->cfg;
}

static int step(const struct recordform *f)
{
	return f->steps[f->at];
}

static void set_steps(struct recordform *f, const int *steps, int n)
{
	memcpy(f->steps, steps, (size_t)n * sizeof(*steps));
	f->n_steps = n;
	f->at = 0;
}

/* The list a pick step offers. */
static void options(struct ui *ui, const struct recordform *f, int st, struct options *o)
{
	const struct config *cfg = cfg_of(ui);
	int want = f->r.kind == REC_SPRAY ? PRODUCT_PESTICIDE : PRODUCT_FERTILIZER;

	o->n = 0;
#define ADD(l, i) do { if (o->n < MAX_OPTIONS) { o->label[o->n] = (l); o->index[o->n++] = (i); } } while (0)
	switch (st) {
	case ST_ZONE:
		/* An organic zone that is no longer organic on the record's
		 * day says so. */
		for (int i = 0; i < cfg->n_zones && i < CFG_MAX_ZONES; i++) {
			struct record_row first;
			char day[16];

			if (records_has_lost_organic(ui_app(ui)->store, cfg, cfg->zones[i].item.id,
						     f->r.day, &first) == 1)
				snprintf(o->zones[i], sizeof(o->zones[i]), _("%s (not organic from %s)"),
					 cfg->zones[i].name, text_day(day, sizeof(day), first.day));
			else
				snprintf(o->zones[i], sizeof(o->zones[i]), "%s", cfg->zones[i].name);
			ADD(o->zones[i], i);
		}
		break;
	case ST_PRODUCT:
		for (int i = 0; i < cfg->n_products; i++)
			if (cfg->products[i].kind == want)
				ADD(cfg->products[i].name, i);
		break;
	case ST_METHOD:
		ADD(records_method_label(METHOD_VENTURI), METHOD_VENTURI);
		ADD(records_method_label(METHOD_HAND), METHOD_HAND);
		break;
	case ST_TARGET:
		for (int i = 0; i < cfg->n_pests; i++)
			ADD(cfg->pests[i].name, i);
		break;
	case ST_CROP:
		if (f->zone >= 0) {
			int n = config_zone_crops(&cfg->zones[f->zone], o->crops, CFG_MAX_CROPS);

			for (int i = 0; i < n; i++)
				ADD(o->crops[i], i);
		}
		break;
	case ST_GRADE:
		for (int i = 0; i < cfg->n_grades; i++)
			ADD(cfg->grades[i].name, i);
		break;
	case ST_BUYER:
		ADD(_("(none: not sold yet)"), -1);
		for (int i = 0; i < cfg->n_buyers; i++)
			ADD(cfg->buyers[i].name, i);
		break;
	case ST_WHO:
		for (int i = 0; i < cfg->n_workers; i++)
			ADD(cfg->workers[i].name, i);
		break;
	default:
		break;
	}
#undef ADD
}

static bool is_pick(int st)
{
	return st == ST_ZONE || st == ST_PRODUCT || st == ST_METHOD || st == ST_TARGET ||
	       st == ST_CROP || st == ST_GRADE || st == ST_BUYER || st == ST_WHO;
}

/* Which option the record holds now (what Enter keeps), or -1. */
static int current(struct ui *ui, const struct recordform *f, int st, const struct options *o)
{
	const struct config *cfg = cfg_of(ui);
	const struct record_row *r = &f->r;

	for (int i = 0; i < o->n; i++) {
		int k = o->index[i];

		switch (st) {
		case ST_ZONE:
			if (k == f->zone)
				return i;
			break;
		case ST_PRODUCT:
			if (strcmp(cfg->products[k].item.id, r->product) == 0)
				return i;
			break;
		case ST_METHOD:
			if (k == r->method)
				return i;
			break;
		case ST_TARGET:
		case ST_CROP:
		case ST_GRADE:
		case ST_BUYER:
			if (strcmp(o->label[i], st == ST_TARGET ? r->target : st == ST_CROP ? r->crop
						: st == ST_GRADE ? r->grade : r->buyer) == 0)
				return i;
			if (st == ST_BUYER && k < 0 && !r->buyer[0])
				return i;	/* Enter: no buyer */
			break;
		case ST_WHO:
			if (strcmp(cfg->workers[k].item.id, r->who) == 0)
				return i;
			break;
		}
	}
	return -1;
}

/* Take option i of the step's list; 0, or -1 with a refusal said. */
static int take(struct ui *ui, struct recordform *f, int st, const struct options *o, int i)
{
	const struct config *cfg = cfg_of(ui);
	struct record_row *r = &f->r;
	int k = o->index[i];

	switch (st) {
	case ST_ZONE:
		f->zone = k;
		records_set_zone(r, cfg, k);
		break;
	case ST_PRODUCT: {
		/* A product that is not organic on an organic zone takes the
		 * manager's leave and a reason (records_organic_allowed). */
		struct record_row with = *r;
		int rc;

		records_set_product(&with, cfg, k);
		rc = records_organic_allowed(ui_app(ui)->store, cfg, &with, f->manager, f->why,
					     sizeof(f->why));
		if (rc == REC_NEED_MANAGER) {
			f->pending = k;
			f->overlay = OV_ORGANIC;
			return -1;
		}
		if (rc < 0) {
			ui_alert(ui, "%s", f->why);
			return -1;
		}
		if (strcmp(r->product, cfg->products[k].item.id) != 0)
			r->amount = 0;
		records_set_product(r, cfg, k);
		r->organic_override = with.organic_override;
		break;
	}
	case ST_METHOD:
		r->method = k;
		break;
	case ST_TARGET:
		snprintf(r->target, sizeof(r->target), "%s", o->label[i]);
		break;
	case ST_CROP:
		snprintf(r->crop, sizeof(r->crop), "%s", o->label[i]);
		break;
	case ST_GRADE:
		snprintf(r->grade, sizeof(r->grade), "%s", o->label[i]);
		break;
	case ST_BUYER:
		snprintf(r->buyer, sizeof(r->buyer), "%s", k < 0 ? "" : o->label[i]);
		break;
	case ST_WHO:
		records_set_worker(r, cfg, k);
		ui_set_last_worker(ui, k);
		break;
	}
	return 0;
}

/* A step with nothing to choose is passed: one option is taken, none
 * leaves the field empty. */
static bool passes(struct ui *ui, struct recordform *f, int st)
{
	struct options o;

	if (!is_pick(st) || st == ST_PRODUCT || st == ST_WHO || st == ST_METHOD)
		return false;
	options(ui, f, st, &o);
	if (st == ST_BUYER)
		return o.n == 1;
	if (o.n == 1 && current(ui, f, st, &o) < 0)
		take(ui, f, st, &o, 0);
	return o.n <= 1;
}

static void enter_step(struct ui *ui, struct recordform *f)
{
	const struct config *cfg = cfg_of(ui);
	int st = step(f);

	f->page = 0;
	/* Enter takes the worker chosen last, here or at the pumps. */
	if (st == ST_WHO && !f->r.who[0] && ui_last_worker(ui) < cfg->n_workers)
		records_set_worker(&f->r, cfg, ui_last_worker(ui));
	if (is_pick(st)) {
		/* The page that shows what the record holds. */
		struct options o;
		int cur, per;

		options(ui, f, st, &o);
		cur = current(ui, f, st, &o);
		per = widget_pick_per_page(ui_top(ui) + 1, ui_bottom(ui), o.label, o.n);
		if (cur >= 0)
			f->page = cur / per;
	}
	if (st == ST_AMOUNT) {
		int p = config_product_index(cfg, f->r.product);

		numentry_init_amount(&f->num, f->r.amount > 0 ? f->r.amount : NAN, 2,
				     p >= 0 ? cfg->products[p].max_amount : 1000, f->r.unit);
	} else if (st == ST_KG) {
		numentry_init_amount(&f->num, f->r.kg > 0 ? f->r.kg : NAN, 1,
				     f->zone >= 0 ? cfg->zones[f->zone].harvest_max_kg : 20000,
				     "kg");
	}
}

static void check_interval(struct ui *ui, struct recordform *f);

/* To the next step that needs the farmer. Once the day and the zone of
 * a harvest are known, a spray's interval is checked. */
static void forward(struct ui *ui, struct recordform *f)
{
	int from = step(f);

	do {
		if (f->at + 1 >= f->n_steps)
			return;
		f->at++;
	} while (passes(ui, f, step(f)));
	enter_step(ui, f);
	if (f->r.kind == REC_HARVEST && !f->r.voided && from <= ST_ZONE && step(f) > ST_ZONE)
		check_interval(ui, f);
}

/* To the step before that needs the farmer; before the first, the form
 * is left. */
static void backward(struct ui *ui, struct recordform *f)
{
	while (f->at > 0) {
		f->at--;
		if (!passes(ui, f, step(f))) {
			enter_step(ui, f);
			return;
		}
	}
	f->state = FORM_CANCELLED;
}

static void check_interval(struct ui *ui, struct recordform *f)
{
	struct app *app = ui_app(ui);
	struct record_row spray;
	int rc = records_phi_check(app->store, &f->r, &spray, f->why, sizeof(f->why));

	if (rc == REC_NEED_MANAGER && !f->manager)
		f->overlay = OV_INTERVAL;
	else if (rc == REC_FAILED)
		ui_alert(ui, "%s", f->why);
}

static void start(struct recordform *f, struct ui *ui)
{
	struct app *app = ui_app(ui);

	f->state = FORM_RUNNING;
	f->today = text_day_of(clock_now(app->clock));
	if (records_room_check(app->store, f->why, sizeof(f->why)) < 0 ||
	    records_clock_check(app->store, clock_now_ms(app->clock) / 1000, f->why,
				sizeof(f->why)) < 0) {
		ui_alert(ui, "%s", f->why);
		f->state = FORM_CANCELLED;
		return;
	}
	if (app->cfg->n_workers == 0) {
		ui_alert(ui, "%s", _("No workers are in the configuration: add [worker.ID] sections."));
		f->state = FORM_CANCELLED;
		return;
	}
	enter_step(ui, f);
}

void recordform_new(struct recordform *f, struct ui *ui, int kind)
{
	const struct config *cfg = cfg_of(ui);
	int want = kind == REC_SPRAY ? PRODUCT_PESTICIDE : PRODUCT_FERTILIZER, n = 0;

	memset(f, 0, sizeof(*f));
	f->zone = -1;
	records_init(&f->r, kind, text_day_of(clock_now(ui_app(ui)->clock)));
	if (kind == REC_FERTILIZE)
		set_steps(f, fertilize_steps, (int)(sizeof(fertilize_steps) / sizeof(int)));
	else if (kind == REC_SPRAY)
		set_steps(f, spray_steps, (int)(sizeof(spray_steps) / sizeof(int)));
	else
		set_steps(f, harvest_steps, (int)(sizeof(harvest_steps) / sizeof(int)));
	for (int i = 0; i < cfg->n_products; i++)
		n += cfg->products[i].kind == want;
	if (kind != REC_HARVEST && n == 0) {
		ui_alert(ui, "%s", kind == REC_SPRAY
			 ? _("No plant-protection products are in the configuration: add [product.ID] sections.")
			 : _("No fertilizers are in the configuration: add [product.ID] sections."));
		f->state = FORM_CANCELLED;
		return;
	}
	if (cfg->n_zones == 0) {
		ui_alert(ui, "%s", _("No zones are in the configuration."));
		f->state = FORM_CANCELLED;
		return;
	}
	start(f, ui);
}

void recordform_correct(struct recordform *f, struct ui *ui, const struct record_row *old,
			bool void_it)
{
	memset(f, 0, sizeof(*f));
	f->old = *old;
	f->r = *old;
	f->r.id = 0;
	f->r.corrects = old->id;
	f->r.corrected_by = 0;
	f->r.voided = void_it;
	f->correcting = true;
	f->manager = true;
	f->zone = config_zone_index(cfg_of(ui), old->zone);
	if (void_it) {
		set_steps(f, void_steps, 2);
	} else if (old->kind == REC_FERTILIZE) {
		set_steps(f, fertilize_steps, (int)(sizeof(fertilize_steps) / sizeof(int)));
	} else if (old->kind == REC_SPRAY) {
		set_steps(f, spray_steps, (int)(sizeof(spray_steps) / sizeof(int)));
	} else {
		/* The lot code stays: the last step is the saved one. */
		set_steps(f, harvest_steps, (int)(sizeof(harvest_steps) / sizeof(int)) - 1);
	}
	start(f, ui);
}

/* "Day: 10/06/2026", or in a correction that changes it, "Day:
 * 09/06/2026 → 10/06/2026". */
static void fact(char *line, size_t n, const char *label, const char *now, const char *was,
		 bool correcting)
{
	if (correcting && strcmp(now, was) != 0)
		snprintf(line, n, "%.40s: %.130s → %.130s", label, was, now);
	else
		snprintf(line, n, "%.40s: %.250s", label, now);
}

/* The record's facts, each "label: value" ("Người làm" is the worker). */
static void facts_of(const struct record_row *r, char v[][160])
{
	char a[32];

	text_day(v[0], 160, r->day);
	snprintf(v[1], 160, "%s", r->zone_name);
	if (r->kind == REC_HARVEST) {
		snprintf(v[2], 160, "%s", r->crop);
		snprintf(v[3], 160, "%s kg", text_amount(a, sizeof(a), r->kg));
		snprintf(v[4], 160, "%s", r->grade);
		snprintf(v[5], 160, "%s", r->buyer);
	} else {
		snprintf(v[2], 160, "%s", r->product_name);
		snprintf(v[3], 160, "%s %s", text_amount(a, sizeof(a), r->amount), r->unit);
		snprintf(v[4], 160, "%s", r->kind == REC_FERTILIZE ? records_method_label(r->method)
				      : r->target);
		v[5][0] = '\0';
	}
	snprintf(v[6], 160, "%s", r->who_name);
}

/* The record in a few lines, for one look before saving; a correction
 * shows what it changes, old beside new. */
static int summary(struct ui *ui, const struct recordform *f, char lines[][320], int max)
{
	const struct record_row *r = &f->r;
	const char *labels[7];
	char now[7][160], was[7][160], b[32];
	bool c = f->correcting && !r->voided;
	int n = 0;

	(void)ui;
	if (r->kind == REC_HARVEST) {
		const char *h[] = { _("Day"), _("Zone"), _("Crop"), _("Weight"), _("Grade"),
				    _("Buyer"), _("By") };

		memcpy(labels, h, sizeof(labels));
	} else {
		const char *h[] = { _("Day"), _("Zone"), r->kind == REC_SPRAY ? _("Product sprayed")
				    : _("Fertilizer"), r->kind == REC_SPRAY ? _("Dose") : _("Amount"),
				    r->kind == REC_SPRAY ? _("Against") : _("Given"), "", _("By") };

		memcpy(labels, h, sizeof(labels));
	}
	if (r->voided)
		labels[6] = _("Removed by");
	facts_of(r, now);
	facts_of(&f->old, was);
#define LINE(...) do { if (n < max) snprintf(lines[n++], 320, __VA_ARGS__); } while (0)
	if (r->voided)
		LINE(_("Remove record %lld as a mistake:"), (long long)r->corrects);
	else if (f->correcting)
		LINE(_("Correction of record %lld"), (long long)r->corrects);
	for (int i = 0; i < 7; i++) {
		if (!labels[i][0] || (!now[i][0] && !(c && was[i][0])))
			continue;
		if (n < max)
			fact(lines[n++], 320, labels[i], now[i][0] ? now[i] : "-",
			     was[i][0] ? was[i] : "-", c);
	}
	if (r->kind == REC_SPRAY)
		LINE(_("Interval %d days: harvest from %s"), r->phi_days,
		     text_day(b, sizeof(b), r->day + r->phi_days));
	if (r->kind == REC_HARVEST && f->manager && !f->correcting)
		LINE("%s", _("Interval: allowed by the manager."));
	if (r->organic_override && !r->voided)
		LINE(_("Organic: %s is not organic from %s; the manager allows it: %s."),
		     r->zone_name, text_day(b, sizeof(b), r->day),
		     records_organic_reason_label(r->organic_override));
#undef LINE
	return n;
}

const char *recordform_title(const struct recordform *f)
{
	if (!f->correcting || f->state != FORM_RUNNING)
		return NULL;
	return f->r.voided ? _("Remove a record") : _("Correct a record");
}

static const char *question(int st, int kind, bool voided)
{
	switch (st) {
	case ST_DAY:
		return _("Which day was the work done?");
	case ST_ZONE:
		return _("Which zone?");
	case ST_PRODUCT:
		return kind == REC_SPRAY ? _("Which product was sprayed?") : _("Which fertilizer?");
	case ST_AMOUNT:
		return kind == REC_SPRAY ? _("What dose?") : _("How much?");
	case ST_METHOD:
		return _("How was it given?");
	case ST_TARGET:
		return _("Against what?");
	case ST_CROP:
		return _("Which crop?");
	case ST_KG:
		return _("How many kilograms?");
	case ST_GRADE:
		return _("Which grade?");
	case ST_BUYER:
		return _("Sold to whom?");
	case ST_WHO:
		return voided ? _("Who removes it?") : _("Who did it?");
	default:
		return "";
	}
}

/* Where the reasons start, under the question of why a product that is
 * not organic was used. */
static int reason_top(struct ui *ui, const struct recordform *f)
{
	char line[256];

	snprintf(line, sizeof(line), _("Why was %s used?"), cfg_of(ui)->products[f->pending].name);
	return ui_top(ui) + widget_wrap(0, 1, COLS - 2, 3, TONE_NORMAL, line, false);
}

static void draw_lot(struct ui *ui, const struct recordform *f)
{
	int y = ui_top(ui), bottom = ui_bottom(ui), text_rows, rows;
	const char *dash = strchr(f->r.lot, '-');
	char line[256], head[LOT_CODE_LEN + 1];
	bool big, code_line;

	if (f->qr) {
		/* Over the title, which the QR code needs the rows of. */
		if (qrcode_draw(0, 1, bottom + 1, COLS - 2, f->r.lot) == 0) {
			/* The code a phone reads, said for a person. */
			snprintf(line, sizeof(line), _("Lot code: %s"), f->r.lot);
			spoken_add(1, 1, line);
			return;
		}
		y += widget_wrap(y, 1, COLS - 2, 2, TONE_DRY,
				 _("The screen is too small for the QR code."), true) + 1;
	}
	snprintf(line, sizeof(line), "%s   %s", _("Write this code on the crates. Enter: done"),
		 _("+: QR code"));
	text_rows = widget_wrap(0, 1, COLS - 2, 3, TONE_NORMAL, line, false);
	/* In large characters the station code and its dash, then the day
	 * and the number; the code in letters above them where the rows
	 * allow, a blank row between where more do. */
	snprintf(head, sizeof(head), "%.*s", dash ? (int)(dash - f->r.lot) + 1 : 0, f->r.lot);
	rows = bottom - y + 1 - text_rows;
	big = dash && bigtext_width(head) <= COLS - 2 && bigtext_width(dash + 1) <= COLS - 2 &&
	      rows >= 2 * BIGTEXT_ROWS;
	code_line = !big || rows >= 2 * BIGTEXT_ROWS + 1;
	if (code_line) {
		snprintf(line, sizeof(line), _("Lot code: %s"), f->r.lot);
		widget_text(y++, 1, COLS - 2, TONE_GOOD, line);
		rows--;
	}
	if (big) {
		int gap = rows >= 2 * BIGTEXT_ROWS + 2;

		/* Said whole, once: the two halves are one code. */
		if (!code_line)
			spoken_add(y + gap, 1, f->r.lot);
		spoken_hold();
		attron(A_BOLD);
		bigtext_draw(y + gap, 1, head);
		bigtext_draw(y + 2 * gap + BIGTEXT_ROWS, 1, dash + 1);
		attroff(A_BOLD);
		spoken_release();
		y += 2 * gap + 2 * BIGTEXT_ROWS;
	} else {
		y++;
	}
	snprintf(line, sizeof(line), "%s   %s", _("Write this code on the crates. Enter: done"),
		 _("+: QR code"));
	widget_wrap(y, 1, COLS - 2, bottom - y + 1, TONE_NORMAL, line, true);
}

void recordform_draw(struct ui *ui, struct recordform *f)
{
	int y = ui_top(ui), bottom = ui_bottom(ui), st = step(f);
	char line[256], a[32], lines[10][320];
	struct options o;

	if (f->state != FORM_RUNNING) {
		widget_text(y, 1, COLS - 2, TONE_NORMAL, _("Press 0 to go back."));
		return;
	}
	if (f->overlay == OV_INTERVAL) {
		y += widget_wrap(y, 1, COLS - 2, bottom - y - 1, TONE_ALARM, f->why, true);
		widget_wrap(y + 1, 1, COLS - 2, bottom - y - 1, TONE_NORMAL,
			    _("Enter: the manager allows it (PIN)   0: back"), true);
		return;
	}
	if (f->overlay == OV_PIN) {
		pinentry_draw(y, &f->pin, _("Manager's PIN:"));
		return;
	}
	if (f->overlay == OV_ORGANIC) {
		const char *keys = _("Enter: the manager records it (PIN)   0: choose again");
		int rows = widget_wrap(0, 1, COLS - 2, 2, TONE_GOOD, keys, false);

		widget_wrap(y, 1, COLS - 2, bottom - y + 1 - rows, TONE_DRY, f->why, true);
		widget_wrap(bottom - rows + 1, 1, COLS - 2, rows, TONE_GOOD, keys, true);
		return;
	}
	if (f->overlay == OV_REASON) {
		const char *labels[ORGANIC_REASONS - 1];

		for (int i = 1; i < ORGANIC_REASONS; i++)
			labels[i - 1] = records_organic_reason_label(i);
		snprintf(line, sizeof(line), _("Why was %s used?"),
			 cfg_of(ui)->products[f->pending].name);
		widget_wrap(y, 1, COLS - 2, 3, TONE_NORMAL, line, true);
		widget_pick(reason_top(ui, f), bottom, labels, ORGANIC_REASONS - 1, f->page, -1);
		return;
	}
	switch (st) {
	case ST_DAY:
		y += widget_wrap(y, 1, COLS - 2, 2, TONE_NORMAL, question(st, f->r.kind, f->r.voided),
				 true) - 1;
		snprintf(line, sizeof(line), "< %s >  %s", text_day(a, sizeof(a), f->r.day),
			 f->r.day == f->today ? _("today")
			 : f->r.day == f->today - 1 ? _("yesterday") : "");
		attron(A_BOLD);
		widget_text(y + 2, 3, COLS - 4, TONE_NORMAL, line);
		attroff(A_BOLD);
		widget_text(y + 4, 1, COLS - 2, TONE_NORMAL, _("-: a day back  +: a day on"));
		widget_text(y + 5, 1, COLS - 2, TONE_NORMAL, _("Enter: next   0: back"));
		break;
	case ST_AMOUNT:
	case ST_KG:
		/* What is weighed or measured, the question, the number; the
		 * rows left say what is allowed. */
		y += widget_wrap(y, 1, COLS - 2, 3, TONE_NORMAL,
				 st == ST_KG ? f->r.crop : f->r.product_name, true);
		y += widget_wrap(y, 1, COLS - 2, 2, TONE_NORMAL, question(st, f->r.kind, f->r.voided),
				 true) + 1;
		attron(A_BOLD);
		widget_text(y, 3, COLS - 4, TONE_NORMAL, numentry_line(&f->num, line, sizeof(line)));
		attroff(A_BOLD);
		y += 1 + (bottom - y >= 4);
		snprintf(line, sizeof(line), _("at most %s %s   .: decimal point"),
			 text_amount(a, sizeof(a), f->num.max), f->num.unit);
		y += widget_wrap(y, 1, COLS - 2, bottom - y, TONE_NORMAL, line, true);
		widget_wrap(y, 1, COLS - 2, bottom - y + 1, TONE_NORMAL,
			    _("Backspace: delete   Enter: next"), true);
		break;
	case ST_CONFIRM: {
		int n = summary(ui, f, lines, 10);
		const char *text[10];

		for (int i = 0; i < n; i++)
			text[i] = lines[i];
		widget_pages(y, bottom - 1, text, NULL, n, &f->summary_page);
		widget_text(bottom, 1, COLS - 2, TONE_GOOD, _("Enter: save    0: back"));
		break;
	}
	case ST_LOT:
		draw_lot(ui, f);
		break;
	default:
		options(ui, f, st, &o);
		widget_text(y, 1, COLS - 2, TONE_NORMAL, question(st, f->r.kind, f->r.voided));
		widget_pick(y + 1, bottom, o.label, o.n, f->page, current(ui, f, st, &o));
		break;
	}
}

static int save(struct ui *ui, struct recordform *f)
{
	struct app *app = ui_app(ui);
	char a[32], b[32];
	int rc;

	if (f->r.kind == REC_SPRAY)
		f->r.harvest_from = f->r.day + f->r.phi_days;
	rc = records_save(app->store, app->cfg, clock_now_ms(app->clock) / 1000, &f->r, f->manager,
			  f->why, sizeof(f->why));
	if (rc == REC_NEED_MANAGER) {
		f->overlay = f->r.kind == REC_HARVEST ? OV_INTERVAL : OV_ORGANIC;
		f->pending = config_product_index(app->cfg, f->r.product);
		return ACT_REDRAW;
	}
	if (rc < 0) {
		ui_alert(ui, "%s", f->why);
		return ACT_REDRAW;
	}
	app_changed(app);
	if (f->r.voided)
		ui_say_aloud(ui, _("Saved: record %lld is marked as a mistake."),
			     (long long)f->r.corrects);
	else if (f->r.kind == REC_HARVEST)
		ui_say_aloud(ui, _("Saved: %s kg, lot %s."), text_amount(a, sizeof(a), f->r.kg),
			     f->r.lot);
	else if (f->r.kind == REC_SPRAY)
		ui_say_aloud(ui, _("Saved. Harvest %s from %s."), f->r.zone_name,
			     text_day(b, sizeof(b), f->r.harvest_from));
	else
		ui_say_aloud(ui, _("Saved: %s %s %s on %s."),
			     text_amount(a, sizeof(a), f->r.amount), f->r.unit, f->r.product_name,
			     f->r.zone_name);
	if (f->r.kind == REC_HARVEST && !f->correcting)
		forward(ui, f);		/* to the lot code */
	else
		f->state = FORM_SAVED;
	return ACT_REDRAW;
}

/* The reason a product that is not organic was used: it is taken, and
 * the form goes on. */
static int key_reason(struct ui *ui, struct recordform *f, int key)
{
	const char *labels[ORGANIC_REASONS - 1];
	int k;

	if (key == '0' || key == K_BACK) {
		f->overlay = OV_ORGANIC;
		return ACT_REDRAW;
	}
	for (int i = 1; i < ORGANIC_REASONS; i++)
		labels[i - 1] = records_organic_reason_label(i);
	k = widget_pick_key(key, &f->page, ORGANIC_REASONS - 1,
			    widget_pick_per_page(reason_top(ui, f), ui_bottom(ui), labels,
						 ORGANIC_REASONS - 1));
	if (k == WIDGET_PAGED)
		return ACT_REDRAW;
	if (k < 0)
		return ACT_NONE;
	f->overlay = OV_NONE;
	f->page = 0;
	if (strcmp(f->r.product, cfg_of(ui)->products[f->pending].item.id) != 0)
		f->r.amount = 0;
	records_set_product(&f->r, cfg_of(ui), f->pending);
	f->r.organic_override = k + 1;
	if (step(f) == ST_CONFIRM)
		return save(ui, f);
	forward(ui, f);
	return ACT_REDRAW;
}

/* The manager's leave, asked for by overlay `after`: the PIN first. */
static void ask_pin(struct ui *ui, struct recordform *f, int after)
{
	if (!pin_is_set(ui_app(ui)->store)) {
		ui_alert(ui, "%s", _("No manager PIN is set yet: set one in Settings."));
		return;
	}
	pinentry_init(&f->pin);
	f->after_pin = after;
	f->overlay = OV_PIN;
}

static int key_overlay(struct ui *ui, struct recordform *f, int key)
{
	struct app *app = ui_app(ui);

	if (f->overlay == OV_REASON)
		return key_reason(ui, f, key);
	if (f->overlay == OV_ORGANIC) {
		if (key == K_ENTER && f->manager) {
			f->overlay = OV_REASON;
			f->page = 0;
		} else if (key == K_ENTER) {
			ask_pin(ui, f, OV_ORGANIC);
		} else if (key == '0' || key == K_BACK) {
			f->overlay = OV_NONE;
			ui_say(ui, "%s", _("Not recorded: choose the product that was used."));
		} else {
			return ACT_NONE;
		}
		return ACT_REDRAW;
	}
	if (f->overlay == OV_INTERVAL) {
		if (key == K_ENTER) {
			ask_pin(ui, f, OV_INTERVAL);
		} else if (key == '0' || key == K_BACK) {
			f->overlay = OV_NONE;
			ui_say(ui, "%s", _("Not saved: the harvest waits for the end of the interval."));
			backward(ui, f);
		}
		return ACT_REDRAW;
	}
	switch (pinentry_key(&f->pin, key)) {
	case NUM_DONE:
		if (pin_check(app->store, f->pin.buf, clock_now(app->clock), f->why,
			      sizeof(f->why)) != PIN_OK) {
			ui_alert(ui, "%s", f->why);
			pinentry_init(&f->pin);
			return ACT_REDRAW;
		}
		pinentry_init(&f->pin);
		f->manager = true;
		if (f->after_pin == OV_ORGANIC) {
			f->overlay = OV_REASON;
			f->page = 0;
			return ACT_REDRAW;
		}
		f->overlay = OV_NONE;
		ui_say(ui, "%s", _("The manager allowed this harvest; it is recorded."));
		if (step(f) == ST_CONFIRM)
			return save(ui, f);
		return ACT_REDRAW;
	case NUM_CANCEL:
		f->overlay = f->after_pin;
		return ACT_REDRAW;
	case NUM_REFUSED:
		ui_alert(ui, "%s", f->pin.why);
		return ACT_REDRAW;
	case NUM_EDITED:
		return ACT_REDRAW;
	default:
		return ACT_NONE;
	}
}

static int key_pick(struct ui *ui, struct recordform *f, int st, int key)
{
	struct options o;
	int per, pages, cur;

	options(ui, f, st, &o);
	per = widget_pick_per_page(ui_top(ui) + 1, ui_bottom(ui), o.label, o.n);
	pages = (o.n + per - 1) / per;
	cur = current(ui, f, st, &o);
	if (key >= '1' && key <= '9') {
		int i = f->page * per + key - '1';

		if (key - '1' >= per || i >= o.n)
			return ACT_NONE;
		if (take(ui, f, st, &o, i) == 0)
			forward(ui, f);
		return ACT_REDRAW;
	}
	switch (key) {
	case '+':
	case K_DOWN:
		f->page = pages > 0 ? (f->page + 1) % pages : 0;
		return ACT_REDRAW;
	case '-':
	case K_UP:
		f->page = pages > 0 ? (f->page + pages - 1) % pages : 0;
		return ACT_REDRAW;
	case K_ENTER:
		if (cur < 0) {
			ui_alert(ui, _("Press the number of your choice, 1 to %d."), o.n < per ? o.n : per);
			return ACT_REDRAW;
		}
		forward(ui, f);
		return ACT_REDRAW;
	case '0':
	case K_BACK:
		backward(ui, f);
		return ACT_REDRAW;
	default:
		return ACT_NONE;
	}
}

unsigned recordform_mode(const struct recordform *f)
{
	if (f->state != FORM_RUNNING)
		return 0;
	if (f->overlay == OV_PIN || step(f) == ST_AMOUNT || step(f) == ST_KG)
		return MODE_FIELD;
	return step(f) == ST_CONFIRM && f->overlay == OV_NONE ? MODE_UNSAVED : 0;
}

int recordform_key(struct ui *ui, struct recordform *f, int key)
{
	int st = step(f), low = f->correcting ? f->today - 3660 : f->today - RECORDS_MAX_DAYS_BACK;

	if (f->state != FORM_RUNNING)
		return ACT_NONE;
	if (f->overlay != OV_NONE)
		return key_overlay(ui, f, key);
	switch (st) {
	case ST_DAY:
		if ((key == '-' || key == K_DOWN) && f->r.day > low)
			f->r.day--;
		else if ((key == '+' || key == K_UP) && f->r.day < f->today)
			f->r.day++;
		else if (key == '-' || key == K_DOWN)
			ui_alert(ui, _("A new record may be dated at most %d days back."),
				 RECORDS_MAX_DAYS_BACK);
		else if (key == '+' || key == K_UP)
			ui_alert(ui, "%s", _("Not after today: a record is made for work done."));
		else if (key == K_ENTER)
			forward(ui, f);
		else if (key == '0' || key == K_BACK)
			backward(ui, f);
		else
			return ACT_NONE;
		return ACT_REDRAW;
	case ST_AMOUNT:
	case ST_KG:
		switch (numentry_key(&f->num, key)) {
		case NUM_DONE:
			if (st == ST_KG)
				f->r.kg = numentry_value(&f->num);
			else
				f->r.amount = numentry_value(&f->num);
			forward(ui, f);
			return ACT_REDRAW;
		case NUM_CANCEL:
			backward(ui, f);
			return ACT_REDRAW;
		case NUM_REFUSED:
			ui_alert(ui, "%s", f->num.why);
			return ACT_REDRAW;
		case NUM_EDITED:
			return ACT_REDRAW;
		default:
			return ACT_NONE;
		}
	case ST_CONFIRM:
		if (key == '+' || key == K_DOWN || key == '-' || key == K_UP) {
			f->summary_page += key == '+' || key == K_DOWN ? 1 : -1;
			return ACT_REDRAW;
		}
		if (key == K_ENTER)
			return save(ui, f);
		if (key == '0' || key == K_BACK) {
			backward(ui, f);
			return ACT_REDRAW;
		}
		return ACT_NONE;
	case ST_LOT:
		if (key == '+' || key == '-') {
			f->qr = !f->qr;
			return ACT_REDRAW;
		}
		if (key == K_ENTER || key == '0' || key == K_BACK) {
			char kg[32];

			f->state = FORM_SAVED;
			ui_say(ui, _("Saved: %s kg, lot %s."), text_amount(kg, sizeof(kg), f->r.kg),
			       f->r.lot);
		}
		return ACT_REDRAW;
	default:
		return key_pick(ui, f, st, key);
	}
}
