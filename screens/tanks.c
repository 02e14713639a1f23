/* The tanks of stock solution (bể phân, thuốc): what each holds and its
 * book, newest first; a refill (the product, how much of it, the litres
 * of stock it makes, the supplier's lot number, the day, who), or what is
 * left thrown away. Every step on the keypad; the rules are src/tanks.c's. */
#include "screen.h"

#include "app.h"
#include "clock.h"
#include "config.h"
#include "keys.h"
#include "numentry.h"
#include "records.h"
#include "store.h"
#include "tanks.h"
#include "text.h"
#include "ui.h"
#include "widgets.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

enum step { LIST, TANK, PRODUCT, AMOUNT, LITRES, LOT, DAY, WHO, CONFIRM, DRAIN_WHO, DRAIN };

#define BOOK_MAX 8

struct tanks {
	enum step step;
	int tank, page, book_offset;
	struct tank_refill r;
	struct numentry num;
	int worker;
	int today;
};

static struct tank_stock stock_of(struct ui *ui, int tank)
{
	struct app *app = ui_app(ui);
	struct tank_stock st;

	if (store_tank_stock(app->store, app->cfg->tanks[tank].item.id, &st) < 0)
		memset(&st, 0, sizeof(st));
	return st;
}

/* "NPK 20-20-15: 120 / 200 l" or "trống". */
static void holds(struct ui *ui, int tank, char *buf, size_t n)
{
	const struct tank_cfg *tc = &ui_app(ui)->cfg->tanks[tank];
	struct tank_stock st = stock_of(ui, tank);
	char a[32], b[32];

	if (st.litres <= 0)
		snprintf(buf, n, _("empty (%s l)"), text_number(b, sizeof(b), tc->capacity, 0));
	else
		snprintf(buf, n, _("%s: %s of %s l"), st.product_name,
			 text_amount(a, sizeof(a), st.litres),
			 text_number(b, sizeof(b), tc->capacity, 0));
}

static void draw_list(struct ui *ui, struct tanks *s)
{
	const struct config *cfg = ui_app(ui)->cfg;
	int y = ui_top(ui);
	char line[320];

	(void)s;
	if (!cfg->n_tanks) {
		widget_wrap(y, 1, COLS - 2, 3, TONE_NORMAL,
			    _("No tanks are configured ([tank.ID] and [injector.ID])."), true);
		return;
	}
	for (int i = 0; i < cfg->n_tanks && i < 9 && y <= ui_bottom(ui); i++) {
		widget_menu_item(y++, i + 1, cfg->tanks[i].name, false);
		holds(ui, i, line, sizeof(line));
		y += widget_wrap(y, 3, COLS - 4, ui_bottom(ui) - y + 1, TONE_NORMAL, line, true);
	}
}

static const char *kind_label(int kind)
{
	switch (kind) {
	case TANK_DOSE:
		return _("dose");
	case TANK_DRAIN:
		return _("drained");
	default:
		return _("refill");
	}
}

static void draw_tank(struct ui *ui, struct tanks *s)
{
	struct app *app = ui_app(ui);
	const struct tank_cfg *tc = &app->cfg->tanks[s->tank];
	struct tank_stock st = stock_of(ui, s->tank);
	struct tank_row rows[BOOK_MAX];
	int y = ui_top(ui), total = 0, n;
	char line[320], a[32], b[32], c[32];

	attron(A_BOLD);
	widget_text(y++, 1, COLS - 2, TONE_GOOD, tc->name);
	attroff(A_BOLD);
	holds(ui, s->tank, line, sizeof(line));
	y += widget_wrap(y, 1, COLS - 2, 2, TONE_NORMAL, line, true);
	if (st.litres > 0) {
		snprintf(line, sizeof(line), _("%s %s in a litre of stock"),
			 text_amount(a, sizeof(a), st.amount / st.litres), st.unit);
		y += widget_wrap(y, 1, COLS - 2, 2, TONE_NORMAL, line, true);
	}
	widget_text(y++, 1, COLS - 2, TONE_NORMAL, _("1 Refill   2 Throw away what is left"));
	n = store_tank_page(app->store, tc->item.id, s->book_offset, rows,
			    ui_bottom(ui) - y + 1 < BOOK_MAX ? ui_bottom(ui) - y + 1 : BOOK_MAX, &total);
	for (int i = 0; i < n && y <= ui_bottom(ui); i++) {
		/* The word says which way it went: the litres as a farmer
		 * reads them, without a sign. */
		snprintf(line, sizeof(line), "%.5s %s %s l, %s %s", text_day(a, sizeof(a), rows[i].day),
			 kind_label(rows[i].kind), text_number(b, sizeof(b), fabs(rows[i].litres), 1),
			 text_amount(c, sizeof(c), fabs(rows[i].amount)), rows[i].unit);
		widget_text(y++, 1, COLS - 2, TONE_NORMAL, line);
	}
	if (total > n && y <= ui_bottom(ui))
		widget_text(y, 1, COLS - 2, TONE_GOOD, _("+/-: older, newer"));
}

/* A question above a number field, and the keys under it. */
static void draw_number(struct ui *ui, struct tanks *s, const char *question, const char *unit,
			const char *keys)
{
	int y = ui_top(ui);
	char line[128], num[24];

	widget_text(y, 1, COLS - 2, TONE_NORMAL, ui_app(ui)->cfg->tanks[s->tank].name);
	y += 2;
	y += widget_wrap(y, 1, COLS - 2, 3, TONE_NORMAL, question, true);
	snprintf(line, sizeof(line), "[ %s ] %s", numentry_text(&s->num, num, sizeof(num)), unit);
	attron(A_BOLD);
	widget_text(y + 1, 3, COLS - 4, TONE_NORMAL, line);
	attroff(A_BOLD);
	widget_wrap(y + 3, 1, COLS - 2, 2, TONE_NORMAL, keys, true);
}

static void draw_refill(struct ui *ui, struct tanks *s)
{
	const struct config *cfg = ui_app(ui)->cfg;
	const char *names[200];
	char q[512], a[32], b[32], c[32];
	int n = 0, y = ui_top(ui);

	switch (s->step) {
	case PRODUCT:
		for (int i = 0; i < cfg->n_products && i < 200; i++)
			names[n++] = cfg->products[i].name;
		widget_text(y, 1, COLS - 2, TONE_NORMAL, _("What goes into the tank?"));
		widget_pick(y + 1, ui_bottom(ui), names, n, s->page, -1);
		break;
	case AMOUNT:
		snprintf(q, sizeof(q), _("How much %s goes in?"), cfg->products[s->r.product].name);
		draw_number(ui, s, q, cfg->products[s->r.product].unit,
			    _("Digits and . for the amount; Enter: next"));
		break;
	case LITRES:
		draw_number(ui, s, _("How many litres of stock solution does it make in the tank?"),
			    _("litres"), _("Digits and . ; Enter: next"));
		break;
	case LOT:
		widget_text(y, 1, COLS - 2, TONE_NORMAL, cfg->tanks[s->tank].name);
		y += 2;
		y += widget_wrap(y, 1, COLS - 2, 3, TONE_NORMAL,
				 _("The supplier's lot number on the package (digits):"), true);
		snprintf(q, sizeof(q), "[ %s ]", s->r.lot);
		attron(A_BOLD);
		widget_text(y + 1, 3, COLS - 4, TONE_NORMAL, q);
		attroff(A_BOLD);
		widget_text(y + 3, 1, COLS - 2, TONE_NORMAL, _("Enter: next"));
		break;
	case DAY:
		widget_text(y, 1, COLS - 2, TONE_NORMAL, _("The day it was filled:"));
		snprintf(q, sizeof(q), "< %s >", text_day(a, sizeof(a), s->r.day));
		attron(A_BOLD);
		widget_text(y + 2, 3, COLS - 4, TONE_NORMAL, q);
		attroff(A_BOLD);
		widget_text(y + 4, 1, COLS - 2, TONE_NORMAL, _("+/-: another day   Enter: next"));
		break;
	case WHO:
	case DRAIN_WHO:
		for (int i = 0; i < cfg->n_workers && i < 200; i++)
			names[n++] = cfg->workers[i].name;
		widget_text(y, 1, COLS - 2, TONE_NORMAL, _("Who did it? (Enter: the one marked)"));
		widget_pick(y + 1, ui_bottom(ui), names, n, s->page, s->worker);
		break;
	case CONFIRM:
		snprintf(q, sizeof(q),
			 _("Refill %s: %s %s of %s making %s litres of stock, lot %s, on %s (%s)?"),
			 cfg->tanks[s->tank].name, text_amount(a, sizeof(a), s->r.amount),
			 cfg->products[s->r.product].unit, cfg->products[s->r.product].name,
			 text_amount(b, sizeof(b), s->r.litres), s->r.lot,
			 text_day(c, sizeof(c), s->r.day), cfg->workers[s->worker].name);
		widget_confirm(y, ui_bottom(ui), q);
		break;
	case DRAIN: {
		struct tank_stock st = stock_of(ui, s->tank);

		snprintf(q, sizeof(q), _("Throw away the %s litres of %s left in %s (%s)?"),
			 text_number(a, sizeof(a), st.litres, 1), st.product_name,
			 cfg->tanks[s->tank].name, cfg->workers[s->worker].name);
		widget_confirm(y, ui_bottom(ui), q);
		break;
	}
	default:
		break;
	}
}

static void tanks_draw(struct ui *ui, void *st)
{
	struct tanks *s = st;

	if (s->step == LIST)
		draw_list(ui, s);
	else if (s->step == TANK)
		draw_tank(ui, s);
	else
		draw_refill(ui, s);
}

static int key_number(struct ui *ui, struct tanks *s, int key, enum step back, enum step next)
{
	switch (numentry_key(&s->num, key)) {
	case NUM_DONE:
		s->step = next;
		return ACT_REDRAW;
	case NUM_CANCEL:
		s->step = back;
		return ACT_REDRAW;
	case NUM_REFUSED:
		ui_alert(ui, "%s", s->num.why);
		return ACT_REDRAW;
	case NUM_EDITED:
		return ACT_REDRAW;
	default:
		return ACT_NONE;
	}
}

/* The products or the workers, as the list shows them. */
static int names_of(const struct config *cfg, enum step step, const char **names)
{
	int n = 0;

	if (step == PRODUCT)
		for (int i = 0; i < cfg->n_products && i < 200; i++)
			names[n++] = cfg->products[i].name;
	else
		for (int i = 0; i < cfg->n_workers && i < 200; i++)
			names[n++] = cfg->workers[i].name;
	return n;
}

static int key_pick(struct ui *ui, struct tanks *s, int key, int *out)
{
	const char *names[200];
	int n = names_of(ui_app(ui)->cfg, s->step, names);
	int k = widget_pick_key(key, &s->page, n,
				widget_pick_per_page(ui_top(ui) + 1, ui_bottom(ui), names, n));

	if (k == WIDGET_PAGED)
		return ACT_REDRAW;
	if (k < 0)
		return ACT_NONE;
	*out = k;
	return -1;
}

static int tanks_key(struct ui *ui, void *st, int key)
{
	struct tanks *s = st;
	struct app *app = ui_app(ui);
	const struct config *cfg = app->cfg;
	char why[512];
	int k, act;
	bool back = key == '0' || key == K_BACK;

	switch (s->step) {
	case LIST:
		k = key - '1';
		if (k < 0 || k >= cfg->n_tanks || k > 8)
			return ACT_PASS;
		s->tank = k;
		s->book_offset = 0;
		s->step = TANK;
		return ACT_REDRAW;
	case TANK:
		if (back) {
			s->step = LIST;
			return ACT_REDRAW;
		}
		if (key == '+' || key == K_DOWN) {
			s->book_offset += 4;
			return ACT_REDRAW;
		}
		if (key == '-' || key == K_UP) {
			s->book_offset = s->book_offset > 4 ? s->book_offset - 4 : 0;
			return ACT_REDRAW;
		}
		if (key == '1' || key == '2') {
			if (records_clock_check(app->store, clock_now(app->clock), why, sizeof(why)) < 0 ||
			    records_room_check(app->store, why, sizeof(why)) < 0) {
				ui_alert(ui, "%s", why);
				return ACT_REDRAW;
			}
			if (!cfg->n_workers) {
				ui_alert(ui, "%s", _("Choose who did the work."));
				return ACT_REDRAW;
			}
			memset(&s->r, 0, sizeof(s->r));
			s->r.tank = s->tank;
			s->r.day = s->today = text_day_of(clock_now(app->clock));
			s->page = 0;
			s->worker = 0;
			s->step = key == '1' ? PRODUCT : DRAIN_WHO;
			if (key == '2' && stock_of(ui, s->tank).litres <= 0) {
				ui_alert(ui, _("%s is empty already."), cfg->tanks[s->tank].name);
				s->step = TANK;
			}
			return ACT_REDRAW;
		}
		return ACT_NONE;
	case PRODUCT:
		if (back) {
			s->step = TANK;
			return ACT_REDRAW;
		}
		act = key_pick(ui, s, key, &s->r.product);
		if (act >= 0)
			return act;
		numentry_init_amount(&s->num, NAN, 3, cfg->products[s->r.product].max_amount,
				     cfg->products[s->r.product].unit);
		s->step = AMOUNT;
		return ACT_REDRAW;
	case AMOUNT:
		act = key_number(ui, s, key, PRODUCT, LITRES);
		if (s->step == LITRES) {
			s->r.amount = numentry_value(&s->num);
			numentry_init_amount(&s->num, NAN, 1, cfg->tanks[s->tank].capacity, _("litres"));
		}
		return act;
	case LITRES:
		act = key_number(ui, s, key, AMOUNT, LOT);
		if (s->step == LITRES || s->step == LOT)
			s->r.litres = numentry_value(&s->num);
		if (s->step == AMOUNT)
			numentry_init_amount(&s->num, s->r.amount, 3,
					     cfg->products[s->r.product].max_amount,
					     cfg->products[s->r.product].unit);
		return act;
	case LOT: {
		size_t len = strlen(s->r.lot);

		if ((key >= '0' && key <= '9') || key == '.') {
			if (len + 1 < sizeof(s->r.lot)) {
				s->r.lot[len] = (char)key;
				s->r.lot[len + 1] = '\0';
			}
			return ACT_REDRAW;
		}
		if (key == K_BACK) {
			if (len)
				s->r.lot[len - 1] = '\0';
			else
				s->step = LITRES;
			return ACT_REDRAW;
		}
		if (key != K_ENTER)
			return ACT_NONE;
		if (!len) {
			ui_alert(ui, "%s", _("Type the supplier's lot number from the package."));
			return ACT_REDRAW;
		}
		s->step = DAY;
		return ACT_REDRAW;
	}
	case DAY:
		if (back) {
			s->step = LOT;
			return ACT_REDRAW;
		}
		if ((key == '-' || key == K_DOWN) && s->r.day > s->today - RECORDS_MAX_DAYS_BACK)
			s->r.day--;
		else if ((key == '+' || key == K_UP) && s->r.day < s->today)
			s->r.day++;
		else if (key == K_ENTER)
			s->step = WHO;
		return ACT_REDRAW;
	case WHO:
	case DRAIN_WHO:
		if (back) {
			s->step = s->step == WHO ? DAY : TANK;
			return ACT_REDRAW;
		}
		if (key == K_ENTER) {
			s->step = s->step == WHO ? CONFIRM : DRAIN;
			return ACT_REDRAW;
		}
		act = key_pick(ui, s, key, &s->worker);
		if (act >= 0)
			return act;
		s->step = s->step == WHO ? CONFIRM : DRAIN;
		return ACT_REDRAW;
	case CONFIRM:
		if (back) {
			s->step = WHO;
			return ACT_REDRAW;
		}
		if (key != K_ENTER)
			return ACT_NONE;
		s->r.worker = s->worker;
		if (tanks_refill(app->store, cfg, clock_now(app->clock), &s->r, why, sizeof(why)) < 0) {
			ui_alert(ui, "%s", why);
			return ACT_REDRAW;
		}
		ui_say(ui, _("Saved: %s holds %s now."), cfg->tanks[s->tank].name,
		       cfg->products[s->r.product].name);
		s->step = TANK;
		return ACT_REDRAW;
	case DRAIN:
		if (back) {
			s->step = DRAIN_WHO;
			return ACT_REDRAW;
		}
		if (key != K_ENTER)
			return ACT_NONE;
		if (tanks_drain(app->store, cfg, clock_now(app->clock), s->tank, s->worker, why,
				sizeof(why)) < 0)
			ui_alert(ui, "%s", why);
		else
			ui_say(ui, _("Saved: %s is empty."), cfg->tanks[s->tank].name);
		s->step = TANK;
		return ACT_REDRAW;
	}
	return ACT_NONE;
}

static unsigned tanks_mode(void *st)
{
	const struct tanks *s = st;

	if (s->step == AMOUNT || s->step == LITRES || s->step == LOT)
		return MODE_FIELD;
	return s->step == CONFIRM ? MODE_UNSAVED : 0;
}

static const char *const tanks_help[] = {
	N_("1-9: a tank, its stock and its book"),
	N_("In a tank: 1 refill, 2 throw away"),
	N_("Numbers: digits, . for the point"),
	NULL,
};

const struct screen screen_tanks = {
	.title = N_("Tanks"),
	.state_size = sizeof(struct tanks),
	.draw = tanks_draw,
	.key = tanks_key,
	.help = tanks_help,
	.mode = tanks_mode,
};
