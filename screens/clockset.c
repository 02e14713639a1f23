/* Set the date and time on the keypad: twelve digits, day month year
 * hour minute, typed into "dd/mm/yyyy hh:mm". Shown by itself at start-up
 * when the clock is behind what the station wrote (nothing is logged or
 * watered by the clock until it is set), and from Settings. */
#include "screen.h"

#include "app.h"
#include "clock.h"
#include "clockset.h"
#include "keys.h"
#include "text.h"
#include "ui.h"
#include "widgets.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#define DIGITS 12

struct clockset_screen {
	char digits[DIGITS + 1];
	int n;
};

/* "dd/mm/yyyy hh:mm" with what is typed so far, '_' for the rest. */
static void shown(const struct clockset_screen *s, char *buf)
{
	static const char mask[] = "__/__/____ __:__";
	int d = 0;

	for (int i = 0; mask[i]; i++)
		buf[i] = mask[i] == '_' ? (d < s->n ? s->digits[d++] : '_') : mask[i];
	buf[sizeof(mask) - 1] = '\0';
}

static void clockset_draw(struct ui *ui, void *st)
{
	struct clockset_screen *s = st;
	struct app *app = ui_app(ui);
	char line[256], now[32], field[20];
	int y = ui_top(ui);

	if (app->clock_behind) {
		snprintf(line, sizeof(line),
			 _("The clock says %s, earlier than what the station has written: set the date and time before anything is logged."),
			 text_date_time(now, sizeof(now), clock_now(app->clock)));
		y += widget_wrap(y, 1, COLS - 2, 4, TONE_DRY, line, true);
	} else {
		snprintf(line, sizeof(line), _("The clock says %s."),
			 text_date_time(now, sizeof(now), clock_now(app->clock)));
		y += widget_wrap(y, 1, COLS - 2, 2, TONE_NORMAL, line, true);
	}
	y++;
	widget_text(y++, 1, COLS - 2, TONE_NORMAL, _("Today's date and time:"));
	shown(s, field);
	snprintf(line, sizeof(line), "[ %s ]", field);
	widget_text(y++, 3, COLS - 4, TONE_GOOD, line);
	widget_text(y, 1, COLS - 2, TONE_NORMAL, _("Enter: set   Backspace: delete"));
}

static int set(struct ui *ui, struct clockset_screen *s)
{
	struct app *app = ui_app(ui);
	struct tm tm = { 0 };
	char said[256];
	time_t t;
	int v[5], at = 0;
	static const int width[5] = { 2, 2, 4, 2, 2 };

	if (s->n < DIGITS) {
		ui_alert(ui, "%s", _("Type all twelve digits: day, month, year, hour, minute."));
		return ACT_REDRAW;
	}
	for (int i = 0; i < 5; i++) {
		v[i] = 0;
		for (int k = 0; k < width[i]; k++)
			v[i] = v[i] * 10 + (s->digits[at++] - '0');
	}
	tm.tm_mday = v[0];
	tm.tm_mon = v[1] - 1;
	tm.tm_year = v[2] - 1900;
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (v[1] < 1 || v[1] > 12 || v[0] < 1 || v[3] > 23 || v[4] > 59 || v[2] < 2000 ||
	    tm.tm_mday != v[0] || tm.tm_mon != v[1] - 1) {
		ui_alert(ui, "%s", _("This is not a date and time: day/month/year hour:minute."));
		return ACT_REDRAW;
	}
	if (clockset_apply(app, t, said, sizeof(said)) < 0) {
		ui_alert(ui, "%s", said);
		return ACT_REDRAW;
	}
	ui_say(ui, "%s", said);
	return ACT_BACK;
}

static int clockset_key(struct ui *ui, void *st, int key)
{
	struct clockset_screen *s = st;

	if (key >= '0' && key <= '9') {
		if (s->n < DIGITS)
			s->digits[s->n++] = (char)key;
		return ACT_REDRAW;
	}
	if (key == K_BACK) {
		if (s->n > 0) {
			s->digits[--s->n] = '\0';
			return ACT_REDRAW;
		}
		/* A clock known to be wrong is not left behind. */
		return ui_app(ui)->clock_behind ? ACT_NONE : ACT_BACK;
	}
	if (key == K_ENTER)
		return set(ui, s);
	return ui_app(ui)->clock_behind ? ACT_NONE : ACT_PASS;
}

static const char *const help[] = {
	N_("Type the date and time as twelve digits:"),
	N_("26112026 0930 is 26/11/2026 09:30"),
	NULL,
};

const struct screen screen_clockset = {
	.title = N_("Date and time"),
	.state_size = sizeof(struct clockset_screen),
	.draw = clockset_draw,
	.key = clockset_key,
	.help = help,
};
