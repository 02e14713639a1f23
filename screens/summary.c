/* What watering saved, for a month or a season (src/savings.c, the same
 * figures as the export's savings sheet): runs and the runs nobody had to
 * start, pump hours, metered water against the same period a year before,
 * kWh and what they cost against the same runs at normal and at peak
 * prices, then each zone's water, and where a zone is watered by soil
 * moisture, against the schedule it replaced. 4 and 6 show the period
 * before and after, 5 switches between months and seasons, + and - page. */
#include "screen.h"

#include "app.h"
#include "clock.h"
#include "config.h"
#include "keys.h"
#include "savings.h"
#include "store.h"
#include "text.h"
#include "ui.h"
#include "widgets.h"

#include <curses.h>
#include <stdio.h>

#define LINE_LEN 320
#define LINES_MAX (SAVINGS_ITEMS_MAX + 2)

struct summary {
	enum savings_span span;
	int back;		/* periods before this one */
	int page;
};

static void summary_enter(struct ui *ui, void *st)
{
	struct summary *s = st;

	(void)ui;
	s->span = SAVINGS_MONTH;
	s->back = 0;
	s->page = 0;
}

static const char *keys_text(const struct summary *s)
{
	if (s->span == SAVINGS_MONTH)
		return s->back ? _("4/6: month before/after  5: by season")
			       : _("4: month before  5: by season");
	return s->back ? _("4/6: season before/after  5: by month")
		       : _("4: season before  5: by month");
}

static void summary_draw(struct ui *ui, void *st)
{
	struct summary *s = st;
	struct app *app = ui_app(ui);
	const struct config *cfg = app->cfg;
	static struct savings sv;
	struct savings_item items[SAVINGS_ITEMS_MAX];
	char lines[LINES_MAX][LINE_LEN], name[96];
	const char *text[LINES_MAX];
	enum tone tones[LINES_MAX];
	int y = ui_top(ui), n = 0, k;
	bool zones = false;

	widget_text(ui_bottom(ui), 1, COLS - 2, TONE_NORMAL, keys_text(s));
	/* Never a period of zeros that is not one. */
	if (savings_compute(app->store, cfg, clock_now(app->clock), s->span, s->back, &sv) < 0) {
		savings_period(cfg, clock_now(app->clock), s->span, s->back, &sv.p);
		widget_text(y++, 1, COLS - 2, TONE_GOOD, savings_period_name(name, sizeof(name), &sv.p));
		snprintf(lines[0], LINE_LEN, _("The irrigation diary cannot be read from the memory card: %s"),
			 store_error(app->store));
		widget_wrap(y, 1, COLS - 2, ui_bottom(ui) - y, TONE_ALARM, lines[0], true);
		return;
	}
	widget_text(y++, 1, COLS - 2, TONE_GOOD, savings_period_name(name, sizeof(name), &sv.p));
	k = savings_items(&sv, cfg, items, SAVINGS_ITEMS_MAX);
	for (int i = 0; i < k && n < LINES_MAX; i++) {
		bool last_of_station = items[i].zone < 0 && (i + 1 == k || items[i + 1].zone >= 0);

		if (items[i].zone >= 0 && !zones) {
			snprintf(lines[n], LINE_LEN, "%s", _("Each zone:"));
			tones[n++] = TONE_GOOD;
			zones = true;
		}
		savings_item_text(lines[n], LINE_LEN, &items[i], cfg);
		/* What keeping out of peak hours saved stands out. */
		tones[n++] = last_of_station ? TONE_GOOD : TONE_NORMAL;
	}
	for (int i = 0; i < n; i++)
		text[i] = lines[i];
	widget_pages(y, ui_bottom(ui) - 1, text, tones, n, &s->page);
}

static int summary_key(struct ui *ui, void *st, int key)
{
	struct summary *s = st;

	(void)ui;
	if (key == '4' || key == K_LEFT) {
		s->back++;
		s->page = 0;
	} else if ((key == '6' || key == K_RIGHT) && s->back > 0) {
		s->back--;
		s->page = 0;
	} else if (key == '5') {
		s->span = s->span == SAVINGS_MONTH ? SAVINGS_SEASON : SAVINGS_MONTH;
		s->back = 0;
		s->page = 0;
	} else if (key == '+' || key == K_DOWN) {
		s->page++;
	} else if (key == '-' || key == K_UP) {
		s->page--;
	} else {
		return ACT_PASS;
	}
	return ACT_REDRAW;
}

static const char *const summary_help[] = {
	N_("Runs that ended, by the month or season they began"),
	N_("Seasons: the rainy and the dry one, by the months set for the station; the title shows them"),
	N_("4/6: the month or season before or after"),
	N_("5: months or seasons"),
	N_("+/-: more lines"),
	NULL,
};

const struct screen screen_summary = {
	.title = N_("What watering saved"),
	.state_size = sizeof(struct summary),
	.enter = summary_enter,
	.draw = summary_draw,
	.key = summary_key,
	.help = summary_help,
};
