/* The home screen: the numbered menu of everything the station does, a
 * clock known to be behind (7 sets it), what a stick from the office
 * brings (8 opens it), and the newest alarm until every alarm is
 * acknowledged (9 opens them). */
#include "screen.h"

#include "alarms.h"
#include "app.h"
#include "keys.h"
#include "newsettings.h"
#include "stick.h"
#include "store.h"
#include "text.h"
#include "ui.h"
#include "update.h"
#include "widgets.h"

#include <curses.h>
#include <stdio.h>

static const struct {
	const char *label;
	enum screen_id screen;
} items[] = {
	{ N_("Soil moisture"), SCREEN_MOISTURE },
	{ N_("Pumps"), SCREEN_PUMPS },
	{ N_("Fertilizing, spraying"), SCREEN_FERTILIZE },
	{ N_("Harvest"), SCREEN_HARVEST },
	{ N_("Copy to USB"), SCREEN_USB },
	{ N_("Settings"), SCREEN_SETTINGS },
};

#define N_ITEMS ((int)(sizeof(items) / sizeof(items[0])))

struct home {
	int selected;
};

/* What a stick from the office brings, in one line with its key (8), and
 * its tone; NULL when it brings nothing for this station. */
static const char *office_line(const struct app *app, char *buf, size_t n, enum tone *tone)
{
	bool version = app->update && app->update->what == FOUND_OFFER;
	bool settings = app->settings && app->settings->what == FOUND_OFFER;
	bool refused = (app->update && app->update->what == FOUND_REFUSED) ||
		       (app->settings && app->settings->what == FOUND_REFUSED);

	*tone = TONE_GOOD;
	if (version && settings)
		snprintf(buf, n, _("New version %s and new settings — 8 to see them"),
			 app->update->offer.version);
	else if (version)
		snprintf(buf, n, _("New version %s — 8 to install it"), app->update->offer.version);
	else if (settings)
		snprintf(buf, n, "%s", _("New settings from the office — 8 to see them"));
	else if (refused)
		snprintf(buf, n, "%s", _("USB: cannot be used here — 8 says why"));
	else
		return NULL;
	if (refused && !version && !settings)
		*tone = TONE_DRY;
	return buf;
}

static void home_draw(struct ui *ui, void *st)
{
	struct home *h = st;
	struct app *app = ui_app(ui);
	struct event_row newest;
	char text[512], line[640];
	int rows = ui_bottom(ui) - ui_top(ui) + 1;
	int n = store_alarms_list(app->store, &newest, 1);
	/* A blank line above the menu and one above the alarm, where they
	 * fit beside at least two lines of the alarm (and the clock's). */
	int spare = rows - N_ITEMS - (n > 0 ? 2 : 0) - (app->clock_behind ? 2 : 0) -
		    (office_line(app, text, sizeof(text), &(enum tone){ 0 }) ? 1 : 0);
	int y = ui_top(ui) + (spare >= 1);

	struct stick *stick = app->stick;
	const char *plugged = _("USB plugged in");
	char office[256];
	enum tone office_tone;
	const char *from_office = office_line(app, office, sizeof(office), &office_tone);

	for (int i = 0; i < N_ITEMS && y <= ui_bottom(ui); i++, y++) {
		widget_menu_item(y, i + 1, _(items[i].label), i == h->selected);
		/* Beside "Copy to USB": the stick is there, one key copies. */
		if (items[i].screen == SCREEN_USB && stick &&
		    stick_info(stick)->state == STICK_READY)
			widget_text(y, COLS - 1 - text_width(plugged), text_width(plugged), TONE_GOOD,
				    plugged);
	}
	if (app->clock_behind && y <= ui_bottom(ui)) {
		if (spare >= 2)
			y++;
		y += widget_wrap(y, 1, COLS - 2, n > 0 ? 2 : ui_bottom(ui) - y + 1, TONE_DRY,
				 _("7 The clock is behind: nothing is logged, no schedule runs. Set it"),
				 true);
	}
	/* Below the clock's line and above the alarm: at most two rows, one
	 * when an alarm needs the rest. */
	if (from_office && y <= ui_bottom(ui))
		y += widget_wrap(y, 1, COLS - 2, n > 0 ? 1 : ui_bottom(ui) - y + 1, office_tone,
				 from_office, true);
	if (n <= 0 || y > ui_bottom(ui))
		return;
	store_alarms_open(app->store, &n);
	if (spare >= 2)
		y++;
	snprintf(line, sizeof(line), _("9 Alarm (%d): %s"), n,
		 alarm_text(app->cfg, &newest, text, sizeof(text)));
	/* Whole where it fits, else what happened in a few words (9 shows
	 * the rest), else only that alarms wait. */
	if (widget_wrap(y, 1, COLS - 2, 1000, TONE_ALARM, line, false) > ui_bottom(ui) - y + 1)
		snprintf(line, sizeof(line), _("9 Alarm (%d): %s"), n,
			 alarm_headline(app->cfg, &newest, text, sizeof(text)));
	if (widget_wrap(y, 1, COLS - 2, 1000, TONE_ALARM, line, false) > ui_bottom(ui) - y + 1)
		snprintf(line, sizeof(line), ngettext("9 Alarm (%d): 9 shows it",
						      "9 Alarms (%d): 9 shows them", (unsigned long)n), n);
	widget_wrap(y, 1, COLS - 2, ui_bottom(ui) - y + 1, TONE_ALARM, line, true);
}

static int home_key(struct ui *ui, void *st, int key)
{
	struct home *h = st;

	if (key >= '1' && key < '1' + N_ITEMS)
		return ACT_TO(items[key - '1'].screen);
	if (key == '9')
		return ACT_TO(SCREEN_ALARMS);
	if (key == '7' && ui_app(ui)->clock_behind)
		return ACT_TO(SCREEN_CLOCKSET);
	if (key == '8') {
		char buf[256];
		enum tone tone;

		if (office_line(ui_app(ui), buf, sizeof(buf), &tone))
			return ACT_TO(SCREEN_OFFICE);
	}
	switch (key) {
	case K_UP:
		h->selected = (h->selected + N_ITEMS - 1) % N_ITEMS;
		return ACT_REDRAW;
	case K_DOWN:
		h->selected = (h->selected + 1) % N_ITEMS;
		return ACT_REDRAW;
	case K_ENTER:
	case K_RIGHT:
		return ACT_TO(items[h->selected].screen);
	case '0':
	case K_BACK:
		return ACT_NONE;	/* nowhere to go back to */
	default:
		return ACT_PASS;
	}
}

static const char *const home_help[] = {
	N_("1-6: open that part"),
	N_("7: set the clock, when it is behind"),
	N_("8: a new version or settings from the office, on a USB stick"),
	N_("9: the alarms, to acknowledge them"),
	NULL,
};

const struct screen screen_home = {
	.title = NULL,		/* the station's name */
	.state_size = sizeof(struct home),
	.draw = home_draw,
	.key = home_key,
	.help = home_help,
};
