/* Set the date and time on the keypad: twelve digits, day month year
 * hour minute, typed into "dd/mm/yyyy hh:mm", read back with how far it
 * is from the clock, and set with one more key. A time before what the
 * station wrote takes the manager's PIN and a reason. Shown by itself at
 * start-up when the clock is behind what the station wrote, and from
 * Settings; it can always be left: nothing is logged or watered by the
 * clock until it is set, but pumps run by hand. */
#include "screen.h"

#include "app.h"
#include "clock.h"
#include "clockset.h"
#include "keys.h"
#include "pin.h"
#include "pinentry.h"
#include "text.h"
#include "ui.h"
#include "widgets.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#define DIGITS 12

enum stage { TYPING, READ_BACK, PIN, REASON };

struct clockset_screen {
	enum stage stage;
	char digits[DIGITS + 1];
	int n;
	time_t t;		/* what was typed, from READ_BACK on */
	bool earlier;		/* before what the station wrote */
	char why[256];		/* why it needs the manager */
	struct pinentry pin;
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

static void draw_typing(struct ui *ui, struct clockset_screen *s)
{
	struct app *app = ui_app(ui);
	char line[320], now[32], field[20];
	int y = ui_top(ui), bottom = ui_bottom(ui);

	if (app->clock_behind) {
		snprintf(line, sizeof(line),
			 _("The clock says %s, earlier than what the station has written: nothing is logged and no schedule runs until the date and time are set. Pumps still run by hand."),
			 text_date_time(now, sizeof(now), clock_now(app->clock)));
		y += widget_wrap(y, 1, COLS - 2, bottom - y - 2, TONE_DRY, line, true);
	} else {
		snprintf(line, sizeof(line), _("The clock says %s."),
			 text_date_time(now, sizeof(now), clock_now(app->clock)));
		y += widget_wrap(y, 1, COLS - 2, 2, TONE_NORMAL, line, true);
	}
	if (bottom - y >= 3)
		y++;
	widget_text(y++, 1, COLS - 2, TONE_NORMAL, _("Today's date and time:"));
	shown(s, field);
	snprintf(line, sizeof(line), "[ %s ]", field);
	attron(A_BOLD);
	widget_text(y++, 3, COLS - 4, TONE_NORMAL, line);
	attroff(A_BOLD);
	widget_text(y, 1, COLS - 2, TONE_GOOD, _("Enter: next  Backspace: delete/back"));
}

static void draw_read_back(struct ui *ui, struct clockset_screen *s)
{
	struct app *app = ui_app(ui);
	char line[320], when[32], diff[128];
	int y = ui_top(ui), bottom = ui_bottom(ui);

	widget_text(y++, 1, COLS - 2, TONE_NORMAL, _("Set the clock to:"));
	snprintf(line, sizeof(line), "  %s", text_date_time(when, sizeof(when), s->t));
	attron(A_BOLD);
	widget_text(y++, 1, COLS - 2, TONE_NORMAL, line);
	attroff(A_BOLD);
	snprintf(line, sizeof(line), _("%s — is that right?"),
		 clockset_difference(app->clock, s->t, diff, sizeof(diff)));
	y += widget_wrap(y, 1, COLS - 2, 2, TONE_NORMAL, line, true);
	if (s->earlier)
		y += widget_wrap(y, 1, COLS - 2, bottom - y, TONE_DRY, s->why, true);
	widget_text(bottom, 1, COLS - 2, TONE_GOOD,
		    s->earlier ? _("Enter: manager's PIN   0: change") : _("Enter: yes, set   0: change"));
}

static void draw_reason(struct ui *ui)
{
	int y = ui_top(ui), bottom = ui_bottom(ui);

	widget_text(y++, 1, COLS - 2, TONE_NORMAL, _("Why is the clock set back?"));
	for (int i = 0; i < CLOCKSET_REASONS; i++)
		widget_menu_item(y++, i + 1, clockset_reason_label((enum clockset_reason)i), false);
	if (bottom - y >= 1)
		widget_wrap(y, 1, COLS - 2, bottom - y, TONE_NORMAL,
			    _("The records keep their dates; the event log keeps the jump."), true);
	widget_text(bottom, 1, COLS - 2, TONE_GOOD, _("1-3: the reason   0: back"));
}

static void clockset_draw(struct ui *ui, void *st)
{
	struct clockset_screen *s = st;

	switch (s->stage) {
	case TYPING:
		draw_typing(ui, s);
		break;
	case READ_BACK:
		draw_read_back(ui, s);
		break;
	case PIN:
		pinentry_draw(ui_top(ui), &s->pin, _("Manager's PIN:"));
		break;
	case REASON:
		draw_reason(ui);
		break;
	}
}

/* Days in month m (1-12) of year y. */
static int days_in(int m, int y)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/* The twelve digits as a time; 0, or -1 with a refusal said. */
static int parse(struct ui *ui, struct clockset_screen *s)
{
	struct tm tm = { 0 };
	int v[5], at = 0;
	static const int width[5] = { 2, 2, 4, 2, 2 };

	if (s->n < DIGITS) {
		ui_alert(ui, "%s", _("Type all twelve digits: day, month, year, hour, minute."));
		return -1;
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
	s->t = mktime(&tm);
	/* Refused, with what is wrong: "31/02/2026" is no day. */
	if (v[1] < 1 || v[1] > 12)
		ui_alert(ui, _("There is no month %02d: months are 01 to 12."), v[1]);
	else if (v[0] < 1 || v[0] > days_in(v[1], v[2]))
		ui_alert(ui, _("There is no day %02d/%02d/%04d: month %d of %d has %d days."), v[0], v[1],
			 v[2], v[1], v[2], days_in(v[1], v[2]));
	else if (v[3] > 23)
		ui_alert(ui, _("There is no hour %02d: hours are 00 to 23."), v[3]);
	else if (v[4] > 59)
		ui_alert(ui, _("There is no minute %02d: minutes are 00 to 59."), v[4]);
	else if (v[2] < 2000)
		ui_alert(ui, _("The year %04d is too early: type the year as four digits, 2026."), v[2]);
	else if (tm.tm_mday != v[0] || tm.tm_mon != v[1] - 1)
		ui_alert(ui, "%s", _("This is not a date and time: day/month/year hour:minute."));
	else
		return 0;
	return -1;
}

static int set(struct ui *ui, struct clockset_screen *s, enum clockset_reason reason)
{
	char said[256];

	if (clockset_apply(ui_app(ui), s->t, reason, said, sizeof(said)) < 0) {
		ui_alert(ui, "%s", said);
		s->stage = TYPING;
		return ACT_REDRAW;
	}
	ui_say(ui, "%s", said);
	return ACT_BACK;
}

static int key_typing(struct ui *ui, struct clockset_screen *s, int key)
{
	int rc;

	if (key >= '0' && key <= '9') {
		if (s->n < DIGITS)
			s->digits[s->n++] = (char)key;
		else
			ui_alert(ui, "%s", _("That is all twelve digits: Enter goes on, Backspace deletes."));
		return ACT_REDRAW;
	}
	if (key == K_BACK) {
		if (s->n == 0)
			return ACT_BACK;
		s->digits[--s->n] = '\0';
		return ACT_REDRAW;
	}
	if (key != K_ENTER)
		return ACT_NONE;
	if (parse(ui, s) < 0)
		return ACT_REDRAW;
	rc = clockset_check(ui_app(ui)->store, s->t, s->why, sizeof(s->why));
	if (rc < 0) {
		ui_alert(ui, "%s", s->why);
		return ACT_REDRAW;
	}
	s->earlier = rc == CLOCKSET_EARLIER;
	s->stage = READ_BACK;
	return ACT_REDRAW;
}

static int key_read_back(struct ui *ui, struct clockset_screen *s, int key)
{
	if (key == '0' || key == K_BACK) {
		s->stage = TYPING;
		return ACT_REDRAW;
	}
	if (key != K_ENTER)
		return ACT_NONE;
	if (!s->earlier)
		return set(ui, s, CLOCKSET_REASONS);
	if (!pin_is_set(ui_app(ui)->store)) {
		ui_alert(ui, "%s", _("No manager PIN is set yet: set one in Settings."));
		return ACT_REDRAW;
	}
	pinentry_init(&s->pin);
	s->stage = PIN;
	return ACT_REDRAW;
}

static int key_pin(struct ui *ui, struct clockset_screen *s, int key)
{
	struct app *app = ui_app(ui);

	switch (pinentry_key(&s->pin, key)) {
	case NUM_DONE:
		if (pin_check(app->store, s->pin.buf, clock_now(app->clock), s->why,
			      sizeof(s->why)) != PIN_OK) {
			ui_alert(ui, "%s", s->why);
			pinentry_init(&s->pin);
			return ACT_REDRAW;
		}
		pinentry_init(&s->pin);
		s->stage = REASON;
		return ACT_REDRAW;
	case NUM_CANCEL:
		s->stage = READ_BACK;
		return ACT_REDRAW;
	case NUM_REFUSED:
		ui_alert(ui, "%s", s->pin.why);
		return ACT_REDRAW;
	case NUM_EDITED:
		return ACT_REDRAW;
	default:
		return ACT_NONE;
	}
}

static int clockset_key(struct ui *ui, void *st, int key)
{
	struct clockset_screen *s = st;

	switch (s->stage) {
	case TYPING:
		return key_typing(ui, s, key);
	case READ_BACK:
		return key_read_back(ui, s, key);
	case PIN:
		return key_pin(ui, s, key);
	case REASON:
		if (key >= '1' && key < '1' + CLOCKSET_REASONS)
			return set(ui, s, (enum clockset_reason)(key - '1'));
		if (key == '0' || key == K_BACK) {
			s->stage = READ_BACK;
			return ACT_REDRAW;
		}
		return ACT_NONE;
	}
	return ACT_NONE;
}

static unsigned clockset_mode(void *st)
{
	const struct clockset_screen *s = st;

	return s->stage == TYPING || s->stage == PIN ? MODE_FIELD : 0;
}

static const char *const help[] = {
	N_("Type the date and time as twelve digits:"),
	N_("26112026 0930 is 26/11/2026 09:30"),
	N_("0 is a digit; Backspace deletes one"),
	N_("Backspace on an empty field: back"),
	NULL,
};

const struct screen screen_clockset = {
	.title = N_("Date and time"),
	.state_size = sizeof(struct clockset_screen),
	.draw = clockset_draw,
	.key = clockset_key,
	.help = help,
	.mode = clockset_mode,
};
