/* Pumps: each pump's state and the next scheduled run; start one for a
 * number of minutes (who, and fertigation with it), or stop it at once;
 * 7, 8 and 9 open schedules, the irrigation diary and watering by soil
 * moisture. Every start and stop is confirmed with one key, a start in
 * peak hours once more with the reason. */
#include "screen.h"

#include "app.h"
#include "clock.h"
#include "config.h"
#include "doseform.h"
#include "irrigation.h"
#include "keys.h"
#include "numentry.h"
#include "records.h"
#include "store.h"
#include "tariff.h"
#include "text.h"
#include "ui.h"
#include "widgets.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

enum mode { LIST, BUSY, MINUTES, WHO, CONFIRM_START, PRODUCT, AMOUNT, CONFIRM_PEAK,
	    CONFIRM_STOP, KIND, DOSE };

/* The entries after the pumps, on fixed keys whatever the pumps. */
static const struct {
	int key;
	const char *label;
	enum screen_id screen;
} more[] = {
	{ '7', N_("Watering schedules"), SCREEN_SCHEDULES },
	{ '8', N_("Irrigation diary"), SCREEN_DIARY },
	{ '9', N_("Watering by soil moisture"), SCREEN_BY_MOISTURE },
};

#define N_MORE ((int)(sizeof(more) / sizeof(more[0])))
#define PUMP_KEYS 6		/* pumps on 1-6, a page at a time */

struct pumps {
	enum mode mode;
	int page;		/* first pump shown */
	int pump;
	struct numentry minutes;
	int worker;		/* -1: nobody named */
	bool fertigate;
	int product;		/* index in cfg->products */
	int list_page;		/* workers or products */
	struct numentry amount;
	bool dosing;		/* through the pump's injectors: dose's plan */
	struct doseform dose;
};

static int minutes_left(struct app *app, int pump)
{
	int64_t until;

	if (!irrigation_running(app->irrigation, pump, &until))
		return 0;
	return (int)((until - clock_now(app->clock) + 59) / 60);
}

/* Rows a pump takes in the list: its name and state, then its zone and
 * why it runs or why it last stopped. */
static int pump_rows(struct ui *ui, int p, bool draw, int y, int number);

/* A page of the list: some pumps, and the entries after them on the
 * page where they fit (7, 8 and 9 work on every page). */
struct pump_page {
	int first, count;
	bool more;
};

#define MAX_PAGES 32

static int pump_pages(struct ui *ui, struct pump_page *pg)
{
	int n = ui_app(ui)->cfg->n_pumps, rows = ui_bottom(ui) - ui_top(ui) + 1, used = 0, total = 0;
	int pages = 0;

	for (int p = 0; p < n; p++)
		total += pump_rows(ui, p, false, 0, p % PUMP_KEYS + 1);
	if (n <= PUMP_KEYS && total + N_MORE <= rows) {
		pg[0] = (struct pump_page){ 0, n, true };
		return 1;
	}
	rows--;		/* the page line */
	pg[0] = (struct pump_page){ 0, 0, false };
	for (int p = 0; p < n; p++) {
		int r = pump_rows(ui, p, false, 0, pg[pages].count + 1);

		if (pg[pages].count > 0 && (used + r > rows || pg[pages].count == PUMP_KEYS)) {
			if (pages + 1 == MAX_PAGES)
				break;
			pg[++pages] = (struct pump_page){ p, 0, false };
			used = 0;
		}
		pg[pages].count++;
		used += r;
	}
	if (used + N_MORE > rows && pages + 1 < MAX_PAGES && pg[pages].count > 0)
		pg[++pages] = (struct pump_page){ n, 0, false };
	pg[pages].more = true;
	return pages + 1;
}

/* "Mít ruột đỏ: by hand, with fertigation" while it runs; "Mít ruột đỏ:
 * stopped 07:40, ran its time" after. */
static void pump_words(struct app *app, int p, char *buf, size_t n)
{
	const struct config *cfg = app->cfg;
	int zone = config_pump_zone(cfg, p);
	const char *zname = zone >= 0 ? cfg->zones[zone].name : _("no zone");
	struct run_row r;
	char at[16], day[16];

	if (irrigation_run(app->irrigation, p, &r)) {
		int z = config_zone_index(cfg, r.zone);

		snprintf(buf, n, r.record || r.dosing ? _("%s: %s, with fertigation") : "%s: %s",
			 z >= 0 ? cfg->zones[z].name : zname, irrigation_reason_label(r.reason));
	} else if (irrigation_last_run(app->irrigation, p, &r)) {
		text_time(at, sizeof(at), (time_t)r.ended);
		if (text_day_of((time_t)r.ended) != text_day_of(clock_now(app->clock)))
			snprintf(at + strlen(at), sizeof(at) - strlen(at), " %.5s",
				 text_date(day, sizeof(day), (time_t)r.ended));
		snprintf(buf, n, _("%s: stopped at %s, %s"), zname, at,
			 irrigation_end_label(r.end_reason));
	} else {
		snprintf(buf, n, "%s", zname);
	}
}

static int pump_rows(struct ui *ui, int p, bool draw, int y, int number)
{
	struct app *app = ui_app(ui);
	bool on = irrigation_running(app->irrigation, p, NULL);
	bool missing = irrigation_unavailable(app->irrigation, p) != NULL;
	char state[64], words[256];
	int rows, left = 0;
	enum dose_phase phase = irrigation_phase(app->irrigation, p, &left);

	if (on && phase == PHASE_WETTING)
		snprintf(state, sizeof(state), _("wetting, dosing in %d min"), left);
	else if (on && phase == PHASE_DOSING && dosing_dry(irrigation_dosing(app->irrigation), p))
		snprintf(state, sizeof(state), _("tank empty, flushing in %d min"), left);
	else if (on && phase == PHASE_DOSING)
		snprintf(state, sizeof(state), _("dosing, %d min left"), left);
	else if (on && phase == PHASE_FLUSHING)
		snprintf(state, sizeof(state), _("flushing, %d min left"), left);
	else if (on)
		snprintf(state, sizeof(state), _("on, %d min left"), minutes_left(app, p));
	else if (missing)
		snprintf(state, sizeof(state), "%s", _("cannot be used"));
	else
		snprintf(state, sizeof(state), "%s", _("off"));
	rows = widget_row(y, 4, number, app->cfg->pumps[p].name, state,
			  on ? TONE_GOOD : missing ? TONE_ALARM : TONE_NORMAL, draw);
	pump_words(app, p, words, sizeof(words));
	return rows + widget_wrap(y + rows, 3, COLS - 4, 3, on ? TONE_GOOD : TONE_NORMAL, words,
				  draw);
}

/* "Next: Mít 22:30 (schedule said 17:15: peak hours)". */
static void draw_upcoming(struct ui *ui, int y, int bottom)
{
	struct app *app = ui_app(ui);
	struct irr_upcoming u;
	char line[256], a[16], b[16], day[16];

	if (y > bottom || !irrigation_next_scheduled(app->irrigation, &u))
		return;
	text_time(a, sizeof(a), u.at);
	if (text_day_of(u.at) != text_day_of(clock_now(app->clock)))
		snprintf(a + strlen(a), sizeof(a) - strlen(a), " %.5s", text_date(day, sizeof(day), u.at));
	if (u.moved)
		snprintf(line, sizeof(line), _("Next: %s at %s (the schedule said %s: peak hours)"),
			 app->cfg->zones[u.zone].name, a, text_time(b, sizeof(b), u.asked));
	else
		snprintf(line, sizeof(line), _("Next: %s at %s"), app->cfg->zones[u.zone].name, a);
	widget_wrap(y, 1, COLS - 2, bottom - y + 1, u.moved ? TONE_DRY : TONE_NORMAL, line, true);
}

static void draw_list(struct ui *ui, struct pumps *s)
{
	struct app *app = ui_app(ui);
	const struct config *cfg = app->cfg;
	struct pump_page pg[MAX_PAGES];
	int pages = pump_pages(ui, pg), y = ui_top(ui);
	char line[96];

	if (s->page >= pages)
		s->page = pages - 1;
	for (int i = 0; i < pg[s->page].count; i++)
		y += pump_rows(ui, pg[s->page].first + i, true, y, i + 1);
	if (cfg->n_pumps == 0)
		widget_text(y++, 1, COLS - 2, TONE_NORMAL, _("No pumps are configured."));
	if (pages > 1) {
		snprintf(line, sizeof(line), _("+/-: page %d of %d"), s->page + 1, pages);
		widget_text(ui_bottom(ui), 1, COLS - 2, TONE_GOOD, line);
	}
	if (!pg[s->page].more)
		return;
	if (ui_bottom(ui) - y >= N_MORE + (pages > 1))
		y++;		/* a blank row before them where there is room */
	for (int i = 0; i < N_MORE && y <= ui_bottom(ui) - (pages > 1); i++, y++)
		widget_key_item(y, more[i].key, _(more[i].label), TONE_NORMAL);
	draw_upcoming(ui, y, ui_bottom(ui) - (pages > 1));
}

/* The running pumps, when no other may start: which to stop. */
static int running_pumps(struct app *app, int *out, const char **names, char text[][160])
{
	const struct config *cfg = app->cfg;
	int n = 0;

	for (int p = 0; p < cfg->n_pumps && n < PUMP_KEYS; p++) {
		if (!irrigation_running(app->irrigation, p, NULL))
			continue;
		snprintf(text[n], 160, _("Stop %s (%d min left)"), cfg->pumps[p].name,
			 minutes_left(app, p));
		names[n] = text[n];
		out[n++] = p;
	}
	return n;
}

static void draw_busy(struct ui *ui, struct pumps *s)
{
	struct app *app = ui_app(ui);
	const struct config *cfg = app->cfg;
	char text[PUMP_KEYS][160], q[512];
	const char *names[PUMP_KEYS];
	int idx[PUMP_KEYS], n = running_pumps(app, idx, names, text), y = ui_top(ui);

	if (n == 1)
		snprintf(q, sizeof(q),
			 ngettext("Only %d pump may run at once, and %s is running (%d min left). Stop it and start %s?",
				  "Only %d pumps may run at once, and %s is running (%d min left). Stop it and start %s?",
				  (unsigned long)cfg->station.max_pumps_running),
			 cfg->station.max_pumps_running, cfg->pumps[idx[0]].name,
			 minutes_left(app, idx[0]), cfg->pumps[s->pump].name);
	else
		snprintf(q, sizeof(q),
			 ngettext("Only %d pump may run at once. Which one stops, so that %s can start?",
				  "Only %d pumps may run at once. Which one stops, so that %s can start?",
				  (unsigned long)cfg->station.max_pumps_running),
			 cfg->station.max_pumps_running, cfg->pumps[s->pump].name);
	if (n == 1) {
		widget_wrap(y + 1, 1, COLS - 2, ui_bottom(ui) - y - 2, TONE_NORMAL, q, true);
		widget_text(ui_bottom(ui), 1, COLS - 2, TONE_GOOD, _("Enter: stop it    0: no"));
		return;
	}
	y += widget_wrap(y, 1, COLS - 2, 3, TONE_NORMAL, q, true);
	widget_pick(y, ui_bottom(ui), names, n, 0, -1);
}

/* A numbered page of names: workers or fertilizers. */
/* Workers and fertilizers: a question, then a page of names. */
static int choices_per_page(const struct ui *ui, const char *const *names, int n)
{
	return widget_pick_per_page(ui_top(ui) + 1, ui_bottom(ui), names, n);
}

static int worker_names(const struct config *cfg, const char **names)
{
	int n = cfg->n_workers < 200 ? cfg->n_workers : 200;

	for (int i = 0; i < n; i++)
		names[i] = cfg->workers[i].name;
	return n;
}

static void draw_choices(struct ui *ui, const char *question, const char *const *names, int n,
			 int page, int highlight)
{
	widget_text(ui_top(ui), 1, COLS - 2, TONE_NORMAL, question);
	widget_pick(ui_top(ui) + 1, ui_bottom(ui), names, n, page, highlight);
}

/* The fertilizers that may go in the zone's water today: on an organic
 * zone the organic ones, until the zone is no longer organic. */
static int fertilizers(struct app *app, int zone, int *out, const char **names)
{
	const struct config *cfg = app->cfg;
	struct record_row first;
	char why[256];
	int n = 0;
	bool any = zone < 0 ||
		   records_has_lost_organic(app->store, cfg, cfg->zones[zone].item.id,
					    text_day_of(clock_now(app->clock)), &first) == 1;

	for (int i = 0; i < cfg->n_products && n < 200; i++) {
		if (cfg->products[i].kind != PRODUCT_FERTILIZER)
			continue;
		if (!any && records_organic_check(cfg, zone, i, why, sizeof(why)) < 0)
			continue;
		out[n] = i;
		names[n++] = cfg->products[i].name;
	}
	return n;
}

static const char *who_name(const struct config *cfg, const struct pumps *s)
{
	return s->worker >= 0 ? cfg->workers[s->worker].name : NULL;
}

/* Says when a run now for minutes meets peak hours; false if it does not. */
static bool peak_question(struct app *app, const struct pump_cfg *pc, int minutes, char *q,
			  size_t n)
{
	const struct tariff *t = &app->cfg->tariff;
	time_t now = clock_now(app->clock);
	time_t peak = tariff_first_peak(t, now, now + (time_t)minutes * 60);
	char a[16], price[32], normal[32];

	if (peak < 0)
		return false;
	text_money(price, sizeof(price), t->price[BAND_PEAK], t->currency);
	text_money(normal, sizeof(normal), t->price[BAND_NORMAL], t->currency);
	if (peak == now)
		snprintf(q, n, _("It is peak hours until %s: electricity costs %s per kWh instead of %s. Start %s all the same?"),
			 text_time(a, sizeof(a), tariff_next_change(t, now, 86400)), price, normal,
			 pc->name);
	else
		snprintf(q, n, _("Peak hours begin at %s: the last %d minutes cost %s per kWh. Start %s all the same?"),
			 text_time(a, sizeof(a), peak),
			 minutes - (int)((peak - now) / 60), price, pc->name);
	return true;
}

static bool has_injectors(struct app *app, int pump)
{
	int inj[DOSE_MAX];

	return dosing_injectors(irrigation_dosing(app->irrigation), pump, inj, DOSE_MAX) > 0;
}

/* Is the pump's run wetting or dosing (its injectors not done yet)? */
static bool dosing_now(struct app *app, int pump)
{
	enum dose_phase ph = irrigation_phase(app->irrigation, pump, NULL);

	return ph == PHASE_WETTING || ph == PHASE_DOSING;
}

static void pumps_draw(struct ui *ui, void *st)
{
	struct pumps *s = st;
	struct app *app = ui_app(ui);
	const struct config *cfg = app->cfg;
	const struct pump_cfg *pc = cfg->n_pumps ? &cfg->pumps[s->pump] : NULL;
	const char *names[200];
	int idx[200], n;
	char q[512], num[16], who[128];
	int y = ui_top(ui), minutes = (int)numentry_value(&s->minutes);

	if (!pc || s->mode == LIST) {
		draw_list(ui, s);
		return;
	}
	switch (s->mode) {
	case LIST:
		break;
	case BUSY:
		draw_busy(ui, s);
		break;
	case MINUTES:
		y += widget_wrap(y, 1, COLS - 2, 3, TONE_NORMAL, pc->name, true) - 1;
		widget_text(y + 2, 1, COLS - 2, TONE_NORMAL, _("Run for how many minutes?"));
		snprintf(q, sizeof(q), "[ %s ] %s", numentry_text(&s->minutes, num, sizeof(num)),
			 _("minutes"));
		attron(A_BOLD);
		widget_text(y + 3, 3, COLS - 4, TONE_NORMAL, q);
		attroff(A_BOLD);
		snprintf(q, sizeof(q), _("+/-: change (1 to %d)   Enter: next"), pc->max_minutes);
		widget_wrap(y + 5, 1, COLS - 2, ui_bottom(ui) - y - 4, TONE_NORMAL, q, true);
		break;
	case WHO:
		n = worker_names(cfg, names);
		draw_choices(ui, _("Who starts it? (Enter: the one marked)"), names, n, s->list_page,
			     s->worker);
		break;
	case KIND:
		y += widget_wrap(y, 1, COLS - 2, 3, TONE_NORMAL, pc->name, true);
		widget_menu_item(y + 1, 1, _("Plain water"), false);
		widget_wrap(y + 2, 1, COLS - 2, 2, TONE_NORMAL,
			    _("2 Water with dosing (fertilizer, plant protection)"), true);
		break;
	case DOSE:
		doseform_draw(ui, &s->dose);
		break;
	case CONFIRM_START:
		who[0] = '\0';
		if (who_name(cfg, s))
			snprintf(who, sizeof(who), " (%s)", who_name(cfg, s));
		if (s->dosing) {
			char plan[320];

			snprintf(q, sizeof(q), _("Start %s with dosing: %s?%s %s"), pc->name,
				 doseform_summary(ui, &s->dose, plan, sizeof(plan)), who, s->dose.warn);
			widget_confirm(y, ui_bottom(ui), q);
			break;
		}
		snprintf(q, sizeof(q), _("Start %s for %d minutes?%s"), pc->name, minutes, who);
		widget_confirm(y, ui_bottom(ui), q);
		/* A pump with injectors doses through them, not a venturi. */
		if (s->worker >= 0 && !has_injectors(app, s->pump) &&
		    fertilizers(app, config_pump_zone(cfg, s->pump), idx, names) > 0)
			widget_text(ui_bottom(ui) - 1, 1, COLS - 2, TONE_GOOD,
				    _("1: yes, with fertigation"));
		break;
	case PRODUCT:
		n = fertilizers(app, config_pump_zone(cfg, s->pump), idx, names);
		draw_choices(ui, _("Which fertilizer goes in the water?"), names, n, s->list_page, -1);
		break;
	case AMOUNT:
		y += widget_wrap(y, 1, COLS - 2, 3, TONE_NORMAL, cfg->products[s->product].name, true) - 1;
		widget_text(y + 2, 1, COLS - 2, TONE_NORMAL, _("How much goes in?"));
		snprintf(q, sizeof(q), "[ %s ] %s", numentry_text(&s->amount, num, sizeof(num)),
			 cfg->products[s->product].unit);
		attron(A_BOLD);
		widget_text(y + 3, 3, COLS - 4, TONE_NORMAL, q);
		attroff(A_BOLD);
		widget_wrap(y + 5, 1, COLS - 2, ui_bottom(ui) - y - 4, TONE_NORMAL,
			    _("Digits and . for the amount; Enter: next"), true);
		break;
	case CONFIRM_PEAK:
		/* Asked a moment ago; the peak hours may have ended since. */
		if (!peak_question(app, pc, minutes, q, sizeof(q)))
			snprintf(q, sizeof(q), _("Start %s for %d minutes?%s"), pc->name, minutes, "");
		widget_confirm(y, ui_bottom(ui), q);
		break;
	case CONFIRM_STOP:
		snprintf(q, sizeof(q), _("Stop %s now?"), pc->name);
		widget_confirm(y, ui_bottom(ui), q);
		if (dosing_now(app, s->pump))
			widget_wrap(ui_bottom(ui) - 2, 1, COLS - 2, 2, TONE_GOOD,
				    _("1: stop dosing, flush the pipes, then stop"), true);
		break;
	}
}

static void ask_minutes(struct pumps *s, const struct config *cfg, int p)
{
	s->mode = MINUTES;
	numentry_init(&s->minutes, cfg->pumps[p].default_minutes, 0, 1, cfg->pumps[p].max_minutes, 5);
}

/* A pump with injectors first asks: plain water, or with dosing. */
static void ask_kind_or_minutes(struct app *app, struct pumps *s)
{
	if (has_injectors(app, s->pump))
		s->mode = KIND;
	else
		ask_minutes(s, app->cfg, s->pump);
}

/* Who comes next, the one marked being the last chosen. */
static void ask_who(struct ui *ui, struct pumps *s)
{
	const char *names[200];
	int n = worker_names(ui_app(ui)->cfg, names);

	if (n == 0) {
		s->mode = CONFIRM_START;
		return;
	}
	s->mode = WHO;
	s->worker = ui_last_worker(ui) < n ? ui_last_worker(ui) : 0;
	s->list_page = s->worker / choices_per_page(ui, names, n);
}

static int key_kind(struct ui *ui, struct pumps *s, int key)
{
	struct app *app = ui_app(ui);

	if (key == '0' || key == K_BACK) {
		s->mode = LIST;
		return ACT_REDRAW;
	}
	if (key == '1') {
		ask_minutes(s, app->cfg, s->pump);
		return ACT_REDRAW;
	}
	if (key != '2')
		return ACT_NONE;
	doseform_begin(&s->dose, ui, s->pump);
	s->mode = s->dose.state == DOSEFORM_RUNNING ? DOSE : KIND;
	return ACT_REDRAW;
}

static int key_dose(struct ui *ui, struct pumps *s, int key)
{
	int act = doseform_key(ui, &s->dose, key);

	if (s->dose.state == DOSEFORM_CANCELLED) {
		s->mode = KIND;
	} else if (s->dose.state == DOSEFORM_DONE) {
		const struct dose_plan *p = &s->dose.plan;

		s->dosing = true;
		numentry_init(&s->minutes, p->wetting + p->dosing + p->flushing, 0, 1,
			      ui_app(ui)->cfg->pumps[s->pump].max_minutes, 5);
		ask_who(ui, s);
	}
	return act | ACT_REDRAW;
}

static int key_list(struct ui *ui, struct pumps *s, int key)
{
	struct app *app = ui_app(ui);
	const struct config *cfg = app->cfg;
	struct pump_page pg[MAX_PAGES];
	int pages = pump_pages(ui, pg), p;

	for (int i = 0; i < N_MORE; i++)
		if (key == more[i].key)
			return ACT_TO(more[i].screen);
	if (s->page >= pages)
		s->page = pages - 1;
	if (key == '+' || key == K_DOWN || key == '-' || key == K_UP) {
		s->page = (s->page + ((key == '+' || key == K_DOWN) ? 1 : pages - 1)) % pages;
		return ACT_REDRAW;
	}
	if (key < '1' || key - '1' >= pg[s->page].count)
		return ACT_PASS;
	p = pg[s->page].first + key - '1';
	if (irrigation_unavailable(app->irrigation, p)) {
		ui_alert(ui, _("%s cannot be used: %s"), cfg->pumps[p].name,
			 irrigation_unavailable(app->irrigation, p));
		return ACT_REDRAW;
	}
	s->pump = p;
	s->fertigate = false;
	s->dosing = false;
	s->worker = -1;
	if (irrigation_running(app->irrigation, p, NULL))
		s->mode = CONFIRM_STOP;
	else if (irrigation_running_count(app->irrigation) >= cfg->station.max_pumps_running)
		s->mode = BUSY;		/* said before any question is asked */
	else
		ask_kind_or_minutes(app, s);
	return ACT_REDRAW;
}

static int key_busy(struct ui *ui, struct pumps *s, int key)
{
	struct app *app = ui_app(ui);
	const struct config *cfg = app->cfg;
	char text[PUMP_KEYS][160];
	const char *names[PUMP_KEYS];
	int idx[PUMP_KEYS], n = running_pumps(app, idx, names, text), k;

	if (key == '0' || key == K_BACK) {
		ui_say(ui, "%s", _("Cancelled: nothing was changed."));
		s->mode = LIST;
		return ACT_REDRAW;
	}
	if (n == 0) {
		/* The running pump stopped meanwhile. */
		ask_kind_or_minutes(app, s);
		return ACT_REDRAW;
	}
	k = n == 1 && key == K_ENTER ? 0 : n > 1 ? widget_pick_key(key, &(int){ 0 }, n, n) : -1;
	if (k < 0)
		return ACT_NONE;
	if (irrigation_stop(app->irrigation, idx[k], "by_hand") < 0) {
		ui_alert(ui, _("%s: the relay did not answer; it was switched off."),
			 cfg->pumps[idx[k]].name);
		s->mode = LIST;
		return ACT_REDRAW;
	}
	ui_say_pumps(ui, _("%s is off."), cfg->pumps[idx[k]].name);
	if (irrigation_running_count(app->irrigation) >= cfg->station.max_pumps_running)
		return ACT_REDRAW;
	ask_kind_or_minutes(app, s);
	return ACT_REDRAW;
}

/* The last question before water moves: peak hours, if the run meets them. */
static void ask_peak_or_start(struct ui *ui, struct pumps *s);

static int key_number(struct ui *ui, struct pumps *s, struct numentry *ne, int key,
		      enum mode back, enum mode next)
{
	switch (numentry_key(ne, key)) {
	case NUM_DONE:
		s->mode = next;
		return ACT_REDRAW;
	case NUM_CANCEL:
		s->mode = back;
		return ACT_REDRAW;
	case NUM_REFUSED:
		ui_alert(ui, "%s", ne->why);
		return ACT_REDRAW;
	case NUM_EDITED:
		return ACT_REDRAW;
	case NUM_PASS:
	default:
		return ACT_NONE;
	}
}

static int key_minutes(struct ui *ui, struct pumps *s, int key)
{
	struct app *app = ui_app(ui);
	char why[256];
	int act = key_number(ui, s, &s->minutes, key, LIST, CONFIRM_START);

	if (s->mode != CONFIRM_START)
		return act;
	/* Refusals (the shed's limit) before any more questions. */
	if (irrigation_check_start(app->irrigation, s->pump, (int)numentry_value(&s->minutes), why,
				   sizeof(why)) < 0) {
		ui_alert(ui, "%s", why);
		s->mode = LIST;
		return ACT_REDRAW;
	}
	if (app->cfg->n_workers > 0)
		ask_who(ui, s);
	return ACT_REDRAW;
}

static int key_who(struct ui *ui, struct pumps *s, int key)
{
	const char *names[200];
	int n = worker_names(ui_app(ui)->cfg, names);
	int w = key == K_ENTER ? s->worker
			       : widget_pick_key(key, &s->list_page, n, choices_per_page(ui, names, n));

	if (key == '0' || key == K_BACK) {
		if (s->dosing) {
			s->dosing = false;
			s->dose.state = DOSEFORM_RUNNING;
			s->mode = DOSE;
		} else {
			s->mode = MINUTES;
		}
		return ACT_REDRAW;
	}
	if (w == WIDGET_PAGED)
		return ACT_REDRAW;
	if (w < 0)
		return ACT_NONE;
	s->worker = w;
	ui_set_last_worker(ui, w);
	s->mode = CONFIRM_START;
	return ACT_REDRAW;
}

static void start(struct ui *ui, struct pumps *s)
{
	struct app *app = ui_app(ui);
	const struct config *cfg = app->cfg;
	const struct pump_cfg *pc = &cfg->pumps[s->pump];
	int minutes = (int)numentry_value(&s->minutes);
	struct record_row rec;
	char why[256], amount[32];
	time_t now = clock_now(app->clock);

	s->mode = LIST;
	if (s->dosing) {
		struct dose_plan *p = &s->dose.plan;

		p->worker = s->worker;
		if (irrigation_start_dosing(app->irrigation, p, why, sizeof(why)) < 0) {
			ui_alert(ui, "%s", why);
			return;
		}
		ui_say_pumps(ui, _("%s is on: wetting %d, dosing %d, flushing %d minutes — it stops by itself in %d minutes."),
			     pc->name, p->wetting, p->dosing, p->flushing, minutes);
		return;
	}
	if (!s->fertigate) {
		if (irrigation_start(app->irrigation, s->pump, minutes, RUN_MANUAL, who_name(cfg, s),
				     why, sizeof(why)) < 0) {
			ui_alert(ui, "%s", why);
			return;
		}
		ui_say_pumps(ui, _("%s is on — it stops by itself in %d minutes."), pc->name, minutes);
		return;
	}
	/* src/ checks the record before any water moves, and stops the
	 * water if it cannot be kept. */
	records_init(&rec, REC_FERTILIZE, text_day_of(now));
	records_set_zone(&rec, cfg, config_pump_zone(cfg, s->pump));
	records_set_product(&rec, cfg, s->product);
	records_set_worker(&rec, cfg, s->worker);
	rec.amount = numentry_value(&s->amount);
	rec.method = METHOD_VENTURI;
	if (irrigation_start_fertigation(app->irrigation, s->pump, minutes, who_name(cfg, s), &rec,
					 why, sizeof(why)) < 0) {
		ui_alert(ui, "%s", why);
		return;
	}
	ui_say_pumps(ui, _("%s is on — it stops by itself in %d minutes. Fertigation saved: %s %s %s."),
	       pc->name, minutes, cfg->products[s->product].name,
	       text_amount(amount, sizeof(amount), rec.amount), cfg->products[s->product].unit);
}

static void ask_peak_or_start(struct ui *ui, struct pumps *s)
{
	struct app *app = ui_app(ui);
	char q[512];

	if (peak_question(app, &app->cfg->pumps[s->pump], (int)numentry_value(&s->minutes), q,
			  sizeof(q)))
		s->mode = CONFIRM_PEAK;
	else
		start(ui, s);
}

static int key_confirm_start(struct ui *ui, struct pumps *s, int key)
{
	struct app *app = ui_app(ui);
	const struct config *cfg = app->cfg;
	const char *names[200];
	int idx[200];

	if (key == K_ENTER) {
		s->fertigate = false;
		ask_peak_or_start(ui, s);
		return ACT_REDRAW;
	}
	if (key == '1' && s->worker >= 0 && !s->dosing && !has_injectors(app, s->pump) &&
	    fertilizers(app, config_pump_zone(cfg, s->pump), idx, names) > 0) {
		s->fertigate = true;
		s->list_page = 0;
		s->mode = PRODUCT;
		return ACT_REDRAW;
	}
	if (key == '0' || key == K_BACK) {
		ui_say(ui, "%s", _("Cancelled: nothing was changed."));
		s->mode = LIST;
	}
	return ACT_REDRAW;
}

static int key_product(struct ui *ui, struct pumps *s, int key)
{
	const struct config *cfg = ui_app(ui)->cfg;
	const char *names[200];
	int idx[200], n = fertilizers(ui_app(ui), config_pump_zone(cfg, s->pump), idx, names), k;
	const struct product_cfg *p;

	if (key == '0' || key == K_BACK) {
		s->mode = CONFIRM_START;
		return ACT_REDRAW;
	}
	k = widget_pick_key(key, &s->list_page, n, choices_per_page(ui, names, n));
	if (k == WIDGET_PAGED)
		return ACT_REDRAW;
	if (k < 0)
		return ACT_NONE;
	s->product = idx[k];
	p = &cfg->products[s->product];
	numentry_init(&s->amount, NAN, 2, 0.01, p->max_amount, 1);
	s->mode = AMOUNT;
	return ACT_REDRAW;
}

static int key_confirm(struct ui *ui, struct pumps *s, int key)
{
	struct app *app = ui_app(ui);
	const struct pump_cfg *pc = &app->cfg->pumps[s->pump];

	if (key == '1' && s->mode == CONFIRM_STOP && dosing_now(app, s->pump)) {
		int left = 0;

		if (irrigation_end_dosing(app->irrigation, s->pump) < 0)
			ui_alert(ui, _("%s: the dosing could not be stopped as asked; the pump was stopped."),
				 pc->name);
		else if (irrigation_phase(app->irrigation, s->pump, &left) == PHASE_FLUSHING)
			ui_say_pumps(ui, _("%s: dosing stopped; the pipes are flushed %d minutes, then it stops."),
				     pc->name, left);
		else
			ui_say_pumps(ui, _("%s: dosing stopped."), pc->name);
		s->mode = LIST;
		return ACT_REDRAW;
	}
	if (key != K_ENTER) {
		if (key == '0' || key == K_BACK) {
			ui_say(ui, "%s", _("Cancelled: nothing was changed."));
			s->mode = LIST;
		}
		return ACT_REDRAW;
	}
	if (s->mode == CONFIRM_PEAK) {
		start(ui, s);
		return ACT_REDRAW;
	}
	if (irrigation_stop(app->irrigation, s->pump, "by_hand") < 0)
		ui_alert(ui, _("%s: the relay did not answer; it was switched off."), pc->name);
	else
		ui_say_pumps(ui, _("%s is off."), pc->name);
	s->mode = LIST;
	return ACT_REDRAW;
}

static int pumps_key(struct ui *ui, void *st, int key)
{
	struct pumps *s = st;
	int act;

	switch (s->mode) {
	case BUSY:
		return key_busy(ui, s, key);
	case MINUTES:
		return key_minutes(ui, s, key);
	case WHO:
		return key_who(ui, s, key);
	case CONFIRM_START:
		return key_confirm_start(ui, s, key);
	case PRODUCT:
		return key_product(ui, s, key);
	case AMOUNT:
		act = key_number(ui, s, &s->amount, key, PRODUCT, CONFIRM_PEAK);
		if (s->mode == CONFIRM_PEAK)
			ask_peak_or_start(ui, s);
		return act;
	case CONFIRM_PEAK:
	case CONFIRM_STOP:
		return key_confirm(ui, s, key);
	case KIND:
		return key_kind(ui, s, key);
	case DOSE:
		return key_dose(ui, s, key);
	case LIST:
	default:
		return key_list(ui, s, key);
	}
}

static unsigned pumps_mode(void *st)
{
	const struct pumps *s = st;

	return s->mode == MINUTES || s->mode == AMOUNT ? MODE_FIELD : 0;
}

static const char *const pumps_help[] = {
	N_("1-6: start or stop that pump"),
	N_("Minutes: digits, or + and -"),
	N_("7 schedules, 8 diary, 9 by moisture"),
	NULL,
};

const struct screen screen_pumps = {
	.title = N_("Pumps"),
	.state_size = sizeof(struct pumps),
	.draw = pumps_draw,
	.key = pumps_key,
	.help = pumps_help,
	.mode = pumps_mode,
};
