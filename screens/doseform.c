/* Choosing a dose on the keypad: tanks, pests, phases. The checks are
 * src/'s (irrigation_check_dosing()): the screen shows what they say. */
#include "doseform.h"

#include "app.h"
#include "config.h"
#include "irrigation.h"
#include "keys.h"
#include "screen.h"
#include "store.h"
#include "text.h"
#include "ui.h"
#include "widgets.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

enum { STEP_TANKS, STEP_PEST, STEP_PHASES };

void doseform_begin(struct doseform *f, struct ui *ui, int pump)
{
	struct app *app = ui_app(ui);

	memset(f, 0, sizeof(*f));
	f->plan.pump = pump;
	f->plan.worker = -1;
	f->n_injectors = dosing_injectors(irrigation_dosing(app->irrigation), pump, f->injectors,
					  DOSE_MAX);
	f->state = f->n_injectors ? DOSEFORM_RUNNING : DOSEFORM_CANCELLED;
}

/* The picks in plan from what is chosen; the pests kept. */
static void gather(struct doseform *f)
{
	struct dose_pick old[DOSE_MAX];
	int n_old = f->plan.n;

	memcpy(old, f->plan.picks, sizeof(old));
	f->plan.n = 0;
	for (int i = 0; i < f->n_injectors; i++) {
		struct dose_pick *p;

		if (!f->chosen[i])
			continue;
		p = &f->plan.picks[f->plan.n++];
		p->injector = f->injectors[i];
		p->pest = -1;
		for (int k = 0; k < n_old; k++)
			if (old[k].injector == p->injector)
				p->pest = old[k].pest;
	}
}

/* The product in an injector's tank, or -1. */
static int tank_product(struct ui *ui, int injector, struct tank_stock *stock)
{
	return dosing_tank_product(irrigation_dosing(ui_app(ui)->irrigation), injector, stock);
}

/* The next pick that still needs its pest, from i on; -1 none. */
static int needs_pest(struct ui *ui, struct doseform *f, int i)
{
	const struct config *cfg = ui_app(ui)->cfg;
	struct tank_stock stock;

	for (; i < f->plan.n; i++) {
		int k = tank_product(ui, f->plan.picks[i].injector, &stock);

		if (k >= 0 && cfg->products[k].kind == PRODUCT_PESTICIDE)
			return i;
	}
	return -1;
}

static void draw_tanks(struct ui *ui, struct doseform *f)
{
	struct app *app = ui_app(ui);
	const struct config *cfg = app->cfg;
	int y = ui_top(ui), bottom = ui_bottom(ui) - 1;
	char line[320], a[32];

	y += widget_wrap(y, 1, COLS - 2, 2, TONE_NORMAL,
			 _("What goes into the water? (a number: yes or no)"), true);
	for (int i = 0; i < f->n_injectors && y <= bottom; i++) {
		const struct injector_cfg *ic = &cfg->injectors[f->injectors[i]];
		const char *tank = cfg->tanks[ic->tank_index].name;
		const char *no = dosing_unavailable(irrigation_dosing(app->irrigation), f->injectors[i]);
		struct tank_stock stock;
		int k = tank_product(ui, f->injectors[i], &stock);

		if (no)
			snprintf(line, sizeof(line), _("%d [ ] %s: cannot be used"), i + 1, ic->name);
		else if (k == -1)
			snprintf(line, sizeof(line), _("%d [ ] %s is empty"), i + 1, tank);
		else
			snprintf(line, sizeof(line), "%d [%s] %s (%s: %s l)", i + 1,
				 f->chosen[i] ? "x" : " ", k >= 0 ? cfg->products[k].name : stock.product_name,
				 tank, text_number(a, sizeof(a), stock.litres, 0));
		y += widget_wrap(y, 1, COLS - 2, bottom - y + 1,
				 f->chosen[i] ? TONE_GOOD : TONE_NORMAL, line, true);
	}
	widget_text(ui_bottom(ui), 1, COLS - 2, TONE_GOOD, _("Enter: next"));
}

static void draw_pest(struct ui *ui, struct doseform *f)
{
	const struct config *cfg = ui_app(ui)->cfg;
	const char *names[100];
	struct tank_stock stock;
	int k = tank_product(ui, f->plan.picks[f->asking].injector, &stock), n = 0;
	char q[256];

	for (int i = 0; i < cfg->n_pests && i < 100; i++)
		names[n++] = cfg->pests[i].name;
	snprintf(q, sizeof(q), _("%s: against what?"), k >= 0 ? cfg->products[k].name : "");
	f->pick_top = ui_top(ui) + widget_wrap(ui_top(ui), 1, COLS - 2, 2, TONE_NORMAL, q, true);
	widget_pick(f->pick_top, ui_bottom(ui), names, n, f->page, -1);
}

/* src/'s checks of the plan as it stands, and what it would give; who
 * is asked next, so the first worker stands in for the one chosen. */
static bool check(struct ui *ui, struct doseform *f, char *err, size_t errlen)
{
	struct app *app = ui_app(ui);
	int worker = f->plan.worker;
	bool ok;

	if (f->plan.worker < 0 && app->cfg->n_workers > 0)
		f->plan.worker = 0;
	f->warn[0] = '\0';
	ok = irrigation_check_dosing(app->irrigation, &f->plan, err, errlen, f->warn,
				     sizeof(f->warn)) == 0;
	f->plan.worker = worker;
	return ok;
}

static void draw_phases(struct ui *ui, struct doseform *f)
{
	struct app *app = ui_app(ui);
	const struct config *cfg = app->cfg;
	int y = ui_top(ui), bottom = ui_bottom(ui) - 1;
	char line[320], why[256], a[32], b[32];
	struct dose_plan *p = &f->plan;
	bool ok;

	/* What a dose of these minutes would give, as src/ reckons it. */
	ok = check(ui, f, why, sizeof(why));
	snprintf(line, sizeof(line), _("Wet %d min, dose %d min, flush %d min: %d min in all"),
		 p->wetting, p->dosing, p->flushing, p->wetting + p->dosing + p->flushing);
	attron(A_BOLD);
	y += widget_wrap(y, 1, COLS - 2, 2, TONE_NORMAL, line, true);
	attroff(A_BOLD);
	for (int i = 0; ok && i < p->n && y <= bottom; i++) {
		const struct product_cfg *pc = &cfg->products[p->est[i].product];
		/* A tank that holds less gives what it holds. */
		double stock = p->est[i].stock_litres < p->est[i].tank_litres ? p->est[i].stock_litres
									      : p->est[i].tank_litres;

		snprintf(line, sizeof(line), _("%s: about %s %s (%s l of stock)"), pc->name,
			 text_amount(a, sizeof(a), p->est[i].amount), pc->unit,
			 text_amount(b, sizeof(b), stock));
		y += widget_wrap(y, 1, COLS - 2, bottom - y + 1, TONE_NORMAL, line, true);
	}
	if (y <= bottom)
		y += widget_wrap(y, 1, COLS - 2, bottom - y + 1, ok ? TONE_DRY : TONE_ALARM,
				 ok ? f->warn : why, true);
	widget_text(ui_bottom(ui), 1, COLS - 2, TONE_GOOD, _("+/-: dosing minutes   Enter: next"));
}

void doseform_draw(struct ui *ui, struct doseform *f)
{
	switch (f->step) {
	case STEP_PEST:
		draw_pest(ui, f);
		break;
	case STEP_PHASES:
		draw_phases(ui, f);
		break;
	default:
		draw_tanks(ui, f);
	}
}

static int to_phases(struct ui *ui, struct doseform *f)
{
	int dosing = f->plan.dosing;

	dosing_plan_defaults(irrigation_dosing(ui_app(ui)->irrigation), &f->plan);
	/* Minutes the farmer chose stay chosen. */
	if (dosing > 0)
		f->plan.dosing = dosing;
	f->step = STEP_PHASES;
	return ACT_REDRAW;
}

static int key_tanks(struct ui *ui, struct doseform *f, int key)
{
	struct app *app = ui_app(ui);
	const struct config *cfg = app->cfg;
	struct tank_stock stock;
	int i = key - '1';

	if (key == '0' || key == K_BACK) {
		f->state = DOSEFORM_CANCELLED;
		return ACT_REDRAW;
	}
	if (key == K_ENTER) {
		gather(f);
		if (!f->plan.n) {
			ui_alert(ui, "%s", _("Choose at least one tank to dose from."));
			return ACT_REDRAW;
		}
		f->asking = needs_pest(ui, f, 0);
		f->page = 0;
		if (f->asking >= 0) {
			f->step = STEP_PEST;
			return ACT_REDRAW;
		}
		return to_phases(ui, f);
	}
	if (i < 0 || i >= f->n_injectors)
		return ACT_NONE;
	{
		const struct injector_cfg *ic = &cfg->injectors[f->injectors[i]];
		const char *no = dosing_unavailable(irrigation_dosing(app->irrigation), f->injectors[i]);
		int k = tank_product(ui, f->injectors[i], &stock);

		if (no) {
			ui_alert(ui, _("%s cannot be used: %s"), ic->name, no);
			return ACT_REDRAW;
		}
		if (k == -1) {
			ui_alert(ui, _("%s is empty: refill it first (Fertilizing, spraying: Tanks)."),
				 cfg->tanks[ic->tank_index].name);
			return ACT_REDRAW;
		}
	}
	f->chosen[i] = !f->chosen[i];
	return ACT_REDRAW;
}

static int key_pest(struct ui *ui, struct doseform *f, int key)
{
	const struct config *cfg = ui_app(ui)->cfg;
	const char *names[100];
	int k;

	if (key == '0' || key == K_BACK) {
		f->step = STEP_TANKS;
		return ACT_REDRAW;
	}
	for (int i = 0; i < cfg->n_pests && i < 100; i++)
		names[i] = cfg->pests[i].name;
	k = widget_pick_key(key, &f->page, cfg->n_pests,
			    widget_pick_per_page(f->pick_top, ui_bottom(ui), names,
						 cfg->n_pests < 100 ? cfg->n_pests : 100));
	if (k == WIDGET_PAGED)
		return ACT_REDRAW;
	if (k < 0)
		return ACT_NONE;
	f->plan.picks[f->asking].pest = k;
	f->asking = needs_pest(ui, f, f->asking + 1);
	f->page = 0;
	if (f->asking >= 0)
		return ACT_REDRAW;
	return to_phases(ui, f);
}

static int key_phases(struct ui *ui, struct doseform *f, int key)
{
	struct app *app = ui_app(ui);
	int most = app->cfg->pumps[f->plan.pump].max_minutes - f->plan.wetting - f->plan.flushing;
	char why[256];

	if (key == '0' || key == K_BACK) {
		f->asking = needs_pest(ui, f, 0);
		f->step = f->asking >= 0 ? STEP_PEST : STEP_TANKS;
		return ACT_REDRAW;
	}
	if ((key == '+' || key == K_UP) && f->plan.dosing < most) {
		f->plan.dosing++;
		return ACT_REDRAW;
	}
	if ((key == '-' || key == K_DOWN) && f->plan.dosing > 1) {
		f->plan.dosing--;
		return ACT_REDRAW;
	}
	if (key != K_ENTER)
		return ACT_NONE;
	if (!check(ui, f, why, sizeof(why))) {
		ui_alert(ui, "%s", why);
		return ACT_REDRAW;
	}
	f->state = DOSEFORM_DONE;
	return ACT_REDRAW;
}

int doseform_key(struct ui *ui, struct doseform *f, int key)
{
	switch (f->step) {
	case STEP_PEST:
		return key_pest(ui, f, key);
	case STEP_PHASES:
		return key_phases(ui, f, key);
	default:
		return key_tanks(ui, f, key);
	}
}

char *doseform_summary(struct ui *ui, const struct doseform *f, char *buf, size_t n)
{
	const struct config *cfg = ui_app(ui)->cfg;
	const struct dose_plan *p = &f->plan;
	char a[32];
	size_t len;

	snprintf(buf, n, _("wet %d, dose %d, flush %d min"), p->wetting, p->dosing, p->flushing);
	for (int i = 0; i < p->n; i++) {
		const struct product_cfg *pc = &cfg->products[p->est[i].product];

		len = strlen(buf);
		snprintf(buf + len, n - len, "; %s %s %s", pc->name,
			 text_amount(a, sizeof(a), p->est[i].amount), pc->unit);
	}
	return buf;
}
