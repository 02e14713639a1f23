/* Watering schedules (lịch tưới): the list, and a new or changed schedule
 * asked for step by step: the zone, the days, the start time, the
 * minutes; then one Enter to save. A schedule the station refuses (one
 * that overlaps another) is explained and the time asked again. */
#include "screen.h"

#include "app.h"
#include "clock.h"
#include "config.h"
#include "irrigation.h"
#include "keys.h"
#include "numentry.h"
#include "schedule.h"
#include "spoken.h"
#include "tariff.h"
#include "text.h"
#include "timeentry.h"
#include "ui.h"
#include "widgets.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

enum mode { LIST, ACTIONS, ZONE, DAYS, TIME, MINUTES, CONFIRM, CONFIRM_DELETE };

struct schedules {
	enum mode mode;
	int page;
	int zone_page;
	int64_t chosen;			/* the schedule picked from the list */
	struct schedule_row edit;	/* what is being asked for */
	struct schedule_row was;	/* a changed schedule, as it was */
	struct timeentry time;
	struct numentry minutes;
	bool changing;			/* edit is a schedule already saved */
};

#define ADD_KEY '9'

/* Rows a schedule takes in the list: its zone, then its days and time. */
static int schedule_rows(struct ui *ui, const struct schedule_row *sc, int y, int number,
			 bool draw);

/* The first schedule of each page, as many as fit (at most eight); how
 * many pages. */
static int list_pages(struct ui *ui, int *first, int max)
{
	int n, pages = 0, i = 0;
	const struct schedule_row *list = irrigation_schedules(ui_app(ui)->irrigation, &n);
	/* The add line and the page line keep their rows. */
	int rows = ui_bottom(ui) - ui_top(ui) + 1 - 2;

	while (i < n && pages < max) {
		int used = 0, k = 0;

		first[pages++] = i;
		while (i < n && k < 8) {
			int r = schedule_rows(ui, &list[i], 0, k + 1, false);

			if (used + r > rows && k > 0)
				break;
			used += r;
			i++;
			k++;
		}
	}
	if (pages == 0)
		first[pages++] = 0;
	first[pages] = n;
	return pages;
}

static const char *zone_name(const struct config *cfg, const char *id)
{
	int z = config_zone_index(cfg, id);

	return z >= 0 ? cfg->zones[z].name : id;
}

/* The zones to choose from, those without a pump said so. */
static int zone_labels(const struct config *cfg, char names[][CFG_NAME_LEN + 32],
		       const char **labels)
{
	int n = cfg->n_zones < 32 ? cfg->n_zones : 32;

	for (int z = 0; z < n; z++) {
		if (cfg->zones[z].pump_index >= 0)
			snprintf(names[z], CFG_NAME_LEN + 32, "%s", cfg->zones[z].name);
		else
			snprintf(names[z], CFG_NAME_LEN + 32, _("%s (no pump)"), cfg->zones[z].name);
		labels[z] = names[z];
	}
	return n;
}

static const struct schedule_row *find(const struct irrigation *irr, int64_t id)
{
	int n;
	const struct schedule_row *list = irrigation_schedules(irr, &n);

	for (int i = 0; i < n; i++)
		if (list[i].id == id)
			return &list[i];
	return NULL;
}

static int schedule_rows(struct ui *ui, const struct schedule_row *sc, int y, int number,
			 bool draw)
{
	char when[96];
	int rows = widget_item_at(y, 1, COLS - 2, 3, number, zone_name(ui_app(ui)->cfg, sc->zone),
				  false, draw);

	schedule_text(when, sizeof(when), sc);
	return rows + widget_wrap(y + rows, 3, COLS - 4, 2, TONE_NORMAL, when, draw);
}

static void draw_list(struct ui *ui, struct schedules *s)
{
	struct app *app = ui_app(ui);
	int n, first[64], pages = list_pages(ui, first, 63), y = ui_top(ui);
	const struct schedule_row *list = irrigation_schedules(app->irrigation, &n);
	char line[160];

	if (s->page >= pages)
		s->page = pages - 1;
	if (n == 0)
		y += widget_wrap(y, 1, COLS - 2, 2, TONE_NORMAL,
				 _("There are no watering schedules yet."), true);
	for (int i = first[s->page]; i < first[s->page + 1]; i++)
		y += schedule_rows(ui, &list[i], y, i - first[s->page] + 1, true);
	widget_key_item(y++, ADD_KEY, _("Add a schedule"), TONE_GOOD);
	if (pages > 1) {
		snprintf(line, sizeof(line), _("+/-: more (%d of %d)"), s->page + 1, pages);
		widget_text(y, 1, COLS - 2, TONE_NORMAL, line);
	}
}

static void draw_days(struct ui *ui, struct schedules *s)
{
	/* Monday first; the keypad's digits 2-7 are thứ 2 ... thứ 7, 8 is
	 * Sunday. */
	static const int order[7] = { 1, 2, 3, 4, 5, 6, 0 };
	int y = ui_top(ui);
	char top[64] = "", marks[64] = "", cell[64], chosen[96];

	y += widget_wrap(y, 1, COLS - 2, 2, TONE_NORMAL, zone_name(ui_app(ui)->cfg, s->edit.zone),
			 true);
	widget_text(y++, 1, COLS - 2, TONE_NORMAL, _("Which days?"));
	for (int i = 0; i < 7; i++) {
		snprintf(cell, sizeof(cell), "%-4s", schedule_day_name(order[i]));
		strncat(top, cell, sizeof(top) - strlen(top) - 1);
		strncat(marks, s->edit.days & (1 << order[i]) ? "[x] " : "[ ] ",
			sizeof(marks) - strlen(marks) - 1);
	}
	/* Read aloud: the days chosen, not a row of marks under a row of
	 * names. */
	chosen[0] = '\0';
	for (int i = 0; i < 7; i++)
		if (s->edit.days & (1 << order[i]))
			snprintf(chosen + strlen(chosen), sizeof(chosen) - strlen(chosen), "%s%s",
				 chosen[0] ? ", " : "", schedule_day_name(order[i]));
	if (chosen[0]) {
		snprintf(cell, sizeof(cell), "%s", chosen);
		snprintf(chosen, sizeof(chosen), _("Chosen: %s."), cell);
	} else {
		snprintf(chosen, sizeof(chosen), "%s", _("No day chosen."));
	}
	spoken_add(y, 2, chosen);
	spoken_hold();
	widget_text(y++, 2, COLS - 3, TONE_NORMAL, top);
	attron(A_BOLD);
	widget_text(y++, 2, COLS - 3, TONE_NORMAL, marks);
	attroff(A_BOLD);
	spoken_release();
	y++;
	widget_wrap(y, 1, COLS - 2, ui_bottom(ui) - y + 1, TONE_NORMAL,
		    _("2-7: Mon-Sat, 8: Sun (on or off); 1: every day; Enter: next"), true);
}

/* What peak hours will do to this schedule in the coming week. */
static void peak_note(struct app *app, const struct schedule_row *sc, char *buf, size_t n)
{
	time_t t = clock_now(app->clock);
	char a[16], b[16], c[16];

	buf[0] = '\0';
	for (int i = 0; i < 7; i++) {
		time_t at;

		t = schedule_next(sc, t);
		if (t < 0)
			return;
		at = tariff_clear_of_peak(&app->cfg->tariff, t, sc->minutes * 60);
		if (at != t) {
			snprintf(buf, n, _("On some days it falls in peak hours: it will then wait, e.g. from %s to %s on %s."),
				 text_time(a, sizeof(a), t), text_time(b, sizeof(b), at),
				 text_date(c, sizeof(c), at));
			return;
		}
	}
}

static void schedules_draw(struct ui *ui, void *st)
{
	struct schedules *s = st;
	struct app *app = ui_app(ui);
	const struct config *cfg = app->cfg;
	const struct schedule_row *sc;
	int y = ui_top(ui);
	char q[512], when[96], note[256], num[16];

	switch (s->mode) {
	case LIST:
		draw_list(ui, s);
		break;
	case ACTIONS:
		sc = find(app->irrigation, s->chosen);
		if (!sc)
			break;
		y += widget_wrap(y, 1, COLS - 2, 3, TONE_NORMAL, zone_name(cfg, sc->zone), true);
		y += widget_wrap(y, 1, COLS - 2, 2, TONE_NORMAL, schedule_text(when, sizeof(when), sc),
				 true);
		y++;
		widget_menu_item(y++, 1, _("Change"), false);
		widget_menu_item(y++, 2, _("Delete"), false);
		break;
	case ZONE: {
		char names[32][CFG_NAME_LEN + 32];
		const char *labels[32];
		int n = zone_labels(cfg, names, labels);

		widget_text(y, 1, COLS - 2, TONE_NORMAL, _("Which zone?"));
		widget_pick(y + 1, ui_bottom(ui), labels, n, s->zone_page,
			    config_zone_index(cfg, s->edit.zone));
		break;
	}
	case DAYS:
		draw_days(ui, s);
		break;
	case TIME:
		y += widget_wrap(y, 1, COLS - 2, 2, TONE_NORMAL, zone_name(cfg, s->edit.zone), true) - 1;
		widget_text(y + 2, 1, COLS - 2, TONE_NORMAL, _("Start at what time?"));
		snprintf(q, sizeof(q), "[ %s ]", timeentry_text(&s->time, num, sizeof(num)));
		attron(A_BOLD);
		widget_text(y + 3, 3, COLS - 4, TONE_NORMAL, q);
		attroff(A_BOLD);
		widget_wrap(y + 5, 1, COLS - 2, ui_bottom(ui) - y - 4, TONE_NORMAL,
			    _("Digits: 0530 is 05:30; +/-: a quarter hour; Enter: next"), true);
		break;
	case MINUTES:
		y += widget_wrap(y, 1, COLS - 2, 2, TONE_NORMAL, zone_name(cfg, s->edit.zone), true) - 1;
		widget_text(y + 2, 1, COLS - 2, TONE_NORMAL, _("Water for how many minutes?"));
		snprintf(q, sizeof(q), "[ %s ] %s", numentry_text(&s->minutes, num, sizeof(num)),
			 _("minutes"));
		attron(A_BOLD);
		widget_text(y + 3, 3, COLS - 4, TONE_NORMAL, q);
		attroff(A_BOLD);
		snprintf(q, sizeof(q), _("+/-: change (1 to %d)   Enter: next"), (int)s->minutes.max);
		widget_text(y + 5, 1, COLS - 2, TONE_NORMAL, q);
		break;
	case CONFIRM:
		peak_note(app, &s->edit, note, sizeof(note));
		if (s->changing && strcmp(s->was.zone, s->edit.zone) == 0) {
			char was[96];

			snprintf(q, sizeof(q), _("Change the schedule of %s: %s → %s? %s"),
				 zone_name(cfg, s->edit.zone), schedule_text(was, sizeof(was), &s->was),
				 schedule_text(when, sizeof(when), &s->edit), note);
		} else if (s->changing) {
			char was[96];

			snprintf(q, sizeof(q), _("Change the schedule %s, %s to %s, %s? %s"),
				 zone_name(cfg, s->was.zone), schedule_text(was, sizeof(was), &s->was),
				 zone_name(cfg, s->edit.zone),
				 schedule_text(when, sizeof(when), &s->edit), note);
		} else {
			snprintf(q, sizeof(q), _("Save the schedule: %s, %s? %s"),
				 zone_name(cfg, s->edit.zone),
				 schedule_text(when, sizeof(when), &s->edit), note);
		}
		widget_confirm(y, ui_bottom(ui), q);
		break;
	case CONFIRM_DELETE:
		sc = find(app->irrigation, s->chosen);
		if (!sc)
			break;
		snprintf(q, sizeof(q), _("Delete the schedule %s, %s?"), zone_name(cfg, sc->zone),
			 schedule_text(when, sizeof(when), sc));
		widget_confirm(y, ui_bottom(ui), q);
		break;
	}
}

static void begin_edit(struct schedules *s, const struct schedule_row *from)
{
	s->changing = from != NULL;
	if (from) {
		s->edit = *from;
		s->was = *from;
	} else {
		memset(&s->edit, 0, sizeof(s->edit));
		s->edit.days = SCHEDULE_ALL_DAYS;
		s->edit.start_min = 5 * 60;
		s->edit.minutes = 30;
	}
	s->zone_page = 0;
	s->mode = ZONE;
}

static int key_list(struct ui *ui, struct schedules *s, int key)
{
	int n, first[64], pages = list_pages(ui, first, 63);
	const struct schedule_row *list = irrigation_schedules(ui_app(ui)->irrigation, &n);

	if (s->page >= pages)
		s->page = pages - 1;
	if (key == ADD_KEY) {
		begin_edit(s, NULL);
		return ACT_REDRAW;
	}
	if (key == '+' || key == K_DOWN || key == '-' || key == K_UP) {
		s->page = (s->page + (key == '+' || key == K_DOWN ? 1 : pages - 1)) % pages;
		return ACT_REDRAW;
	}
	if (key >= '1' && key <= '8' && first[s->page] + key - '1' < first[s->page + 1]) {
		s->chosen = list[first[s->page] + key - '1'].id;
		s->mode = ACTIONS;
		return ACT_REDRAW;
	}
	return ACT_PASS;
}

static int key_zone(struct ui *ui, struct schedules *s, int key)
{
	const struct config *cfg = ui_app(ui)->cfg;
	char names[32][CFG_NAME_LEN + 32];
	const char *labels[32];
	int n = zone_labels(cfg, names, labels);
	int per = widget_pick_per_page(ui_top(ui) + 1, ui_bottom(ui), labels, n);
	int z = key == K_ENTER ? config_zone_index(cfg, s->edit.zone)
			       : widget_pick_key(key, &s->zone_page, n, per);

	if (key == '0' || key == K_BACK) {
		s->mode = LIST;
		return ACT_REDRAW;
	}
	if (z == WIDGET_PAGED)
		return ACT_REDRAW;
	if (z < 0)
		return ACT_NONE;
	if (cfg->zones[z].pump_index < 0) {
		ui_alert(ui, _("%s has no pump in the configuration."), cfg->zones[z].name);
		return ACT_REDRAW;
	}
	snprintf(s->edit.zone, sizeof(s->edit.zone), "%s", cfg->zones[z].item.id);
	s->mode = DAYS;
	return ACT_REDRAW;
}

static int key_days(struct ui *ui, struct schedules *s, int key)
{
	if (key >= '2' && key <= '7') {
		s->edit.days ^= 1 << (key - '1');	/* '2' is Monday, bit 1 */
	} else if (key == '8') {
		s->edit.days ^= 1;
	} else if (key == '1') {
		s->edit.days = SCHEDULE_ALL_DAYS;
	} else if (key == K_ENTER) {
		if (!s->edit.days) {
			ui_alert(ui, "%s", _("Choose at least one day."));
			return ACT_REDRAW;
		}
		timeentry_init(&s->time, s->edit.start_min);
		s->mode = TIME;
	} else if (key == '0' || key == K_BACK) {
		s->mode = ZONE;
	} else {
		return ACT_NONE;
	}
	return ACT_REDRAW;
}

static int key_time(struct ui *ui, struct schedules *s, int key)
{
	const struct config *cfg = ui_app(ui)->cfg;
	int z = config_zone_index(cfg, s->edit.zone);
	const struct pump_cfg *pc = &cfg->pumps[cfg->zones[z].pump_index];
	int minutes;

	switch (timeentry_key(&s->time, key)) {
	case NUM_DONE:
		s->edit.start_min = timeentry_value(&s->time);
		minutes = s->edit.minutes <= pc->max_minutes ? s->edit.minutes : pc->max_minutes;
		numentry_init(&s->minutes, minutes, 0, 1, pc->max_minutes, 5);
		s->mode = MINUTES;
		return ACT_REDRAW;
	case NUM_CANCEL:
		s->mode = DAYS;
		return ACT_REDRAW;
	case NUM_REFUSED:
		ui_alert(ui, "%s", s->time.why);
		return ACT_REDRAW;
	case NUM_EDITED:
		return ACT_REDRAW;
	default:
		return ACT_NONE;
	}
}

static int key_minutes(struct ui *ui, struct schedules *s, int key)
{
	switch (numentry_key(&s->minutes, key)) {
	case NUM_DONE:
		s->edit.minutes = (int)numentry_value(&s->minutes);
		s->mode = CONFIRM;
		return ACT_REDRAW;
	case NUM_CANCEL:
		timeentry_init(&s->time, s->edit.start_min);
		s->mode = TIME;
		return ACT_REDRAW;
	case NUM_REFUSED:
		ui_alert(ui, "%s", s->minutes.why);
		return ACT_REDRAW;
	case NUM_EDITED:
		return ACT_REDRAW;
	default:
		return ACT_NONE;
	}
}

static int key_confirm(struct ui *ui, struct schedules *s, int key)
{
	struct app *app = ui_app(ui);
	char why[256], when[96];

	if (key == '0' || key == K_BACK) {
		ui_say(ui, "%s", _("Cancelled: nothing was changed."));
		s->mode = LIST;
		return ACT_REDRAW;
	}
	if (key != K_ENTER)
		return ACT_NONE;
	if (s->mode == CONFIRM_DELETE) {
		if (irrigation_schedule_delete(app->irrigation, s->chosen, why, sizeof(why)) < 0)
			ui_alert(ui, "%s", why);
		else
			ui_say(ui, "%s", _("The schedule is deleted."));
		s->mode = LIST;
		s->page = 0;
		return ACT_REDRAW;
	}
	if (irrigation_schedule_save(app->irrigation, &s->edit, why, sizeof(why)) < 0) {
		/* Most often the time: ask it again, with the reason. */
		ui_alert(ui, _("Not saved: %s"), why);
		timeentry_init(&s->time, s->edit.start_min);
		s->mode = TIME;
		return ACT_REDRAW;
	}
	ui_say_aloud(ui, _("Schedule saved: %s, %s."), zone_name(app->cfg, s->edit.zone),
		     schedule_text(when, sizeof(when), &s->edit));
	s->mode = LIST;
	return ACT_REDRAW;
}

static int schedules_key(struct ui *ui, void *st, int key)
{
	struct schedules *s = st;
	const struct schedule_row *sc;

	switch (s->mode) {
	case LIST:
		return key_list(ui, s, key);
	case ACTIONS:
		sc = find(ui_app(ui)->irrigation, s->chosen);
		if (key == '1' && sc) {
			begin_edit(s, sc);
		} else if (key == '2' && sc) {
			s->mode = CONFIRM_DELETE;
		} else if (key == '0' || key == K_BACK) {
			s->mode = LIST;
		} else {
			return ACT_NONE;
		}
		return ACT_REDRAW;
	case ZONE:
		return key_zone(ui, s, key);
	case DAYS:
		return key_days(ui, s, key);
	case TIME:
		return key_time(ui, s, key);
	case MINUTES:
		return key_minutes(ui, s, key);
	case CONFIRM:
	case CONFIRM_DELETE:
	default:
		return key_confirm(ui, s, key);
	}
}

static unsigned schedules_mode(void *st)
{
	const struct schedules *s = st;

	if (s->mode == TIME || s->mode == MINUTES)
		return MODE_FIELD;
	return s->mode == CONFIRM ? MODE_UNSAVED : 0;
}

static const char *schedules_title(struct ui *ui, void *st)
{
	struct schedules *s = st;

	(void)ui;
	switch (s->mode) {
	case ZONE:
	case DAYS:
	case TIME:
	case MINUTES:
	case CONFIRM:
		return s->changing ? _("Change a schedule") : _("Add a schedule");
	case CONFIRM_DELETE:
		return _("Delete a schedule");
	default:
		return NULL;
	}
}

static const char *const schedules_help[] = {
	N_("1-8: change or delete that schedule"),
	N_("9: add a schedule"),
	N_("Peak hours move a scheduled run"),
	NULL,
};

const struct screen screen_schedules = {
	.title = N_("Watering schedules"),
	.state_size = sizeof(struct schedules),
	.draw = schedules_draw,
	.key = schedules_key,
	.help = schedules_help,
	.mode = schedules_mode,
	.title_now = schedules_title,
};
