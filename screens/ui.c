/* The screen manager. Keys come from the loop (the keypad is stdin); the
 * manager alone redraws and switches screens, after each key and when
 * the station's data change, coalesced into one redraw. */
#include "ui.h"

#include "app.h"
#include "clock.h"
#include "config.h"
#include "irrigation.h"
#include "keys.h"
#include "loop.h"
#include "speech.h"
#include "spoken.h"
#include "store.h"
#include "tariff.h"
#include "text.h"
#include "widgets.h"

#include <curses.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define UI_DEPTH 8

struct frame {
	const struct screen *screen;
	void *st;
};

struct ui {
	struct app *app;
	SCREEN *term;
	struct frame stack[UI_DEPTH];
	int depth;
	bool help;		/* the key help is shown */
	bool small;		/* the terminal is below 40x12 */
	bool headless;		/* the keypad's terminal is gone */
	bool asking_home;	/* '/' on a record not saved: asked first */
	bool speak;		/* '*' on the help: read the screen aloud once drawn */
	/* A save just closed its form and said so: the next Enter only
	 * clears the message, it does not start another record. */
	bool enter_spent;
	/* ui_free() has begun: the pumps are already gone, and nobody will
	 * read what a screen says as it leaves. */
	bool closing;
	char message[640];
	enum tone message_tone;
	int minute_timer, redraw_timer;
	bool message_of_pumps;		/* said of the pumps' state (ui_say_pumps) */
	unsigned message_changes;	/* irrigation_changes() when it was said */
	int last_worker;		/* the worker chosen last, offered first */
};

static const char *const global_help[] = {
	N_("1-9: choose    Enter: yes"),
	N_("0 or Backspace: back"),
	N_("/: home screen    *: this help"),
	N_("* twice: read the screen aloud"),
	NULL,
};

/* While a number, time, date or PIN is typed. */
static const char *const field_help[] = {
	N_("0-9: type    Enter: done"),
	N_("Backspace: delete one; empty: back"),
	N_("/: home screen    *: this help"),
	N_("* twice: read the screen aloud"),
	NULL,
};

bool ui_terminal_fits(int fd, int *cols, int *lines)
{
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) < 0 || ws.ws_col == 0) {
		*cols = *lines = 0;
		return false;
	}
	*cols = ws.ws_col;
	*lines = ws.ws_row;
	return *cols >= UI_MIN_COLS && *lines >= UI_MIN_LINES;
}

struct app *ui_app(struct ui *ui)
{
	return ui->app;
}

static const char *title_of(const struct ui *ui)
{
	const struct frame *f = &ui->stack[ui->depth - 1];
	const char *now = f->screen->title_now ? f->screen->title_now((struct ui *)ui, f->st) : NULL;

	if (now)
		return now;
	return f->screen->title ? _(f->screen->title) : ui->app->cfg->station.name;
}

/* A title too long for its row (a station's long name) takes two. */
int ui_top(const struct ui *ui)
{
	return ui->depth > 0 ? widget_wrap(0, 1, COLS - 2, 2, TONE_NORMAL, title_of(ui), false) : 1;
}

int ui_bottom(const struct ui *ui)
{
	(void)ui;
	return LINES - 4;
}

/* Returns whether it was said: not once the ui is closing. */
static bool vsay(struct ui *ui, enum tone tone, const char *fmt, va_list ap)
{
	if (ui->closing)
		return false;
	vsnprintf(ui->message, sizeof(ui->message), fmt, ap);
	ui->message_tone = tone;
	ui->message_of_pumps = false;
	ui->message_changes = irrigation_changes(ui->app->irrigation);
	return true;
}

void ui_say_pumps(struct ui *ui, const char *fmt, ...)
{
	va_list ap;
	bool said;

	va_start(ap, fmt);
	said = vsay(ui, TONE_GOOD, fmt, ap);
	va_end(ap);
	if (!said)
		return;
	ui->message_of_pumps = true;
	speech_say(ui->app->speech, ui->message);
}

void ui_say_aloud(struct ui *ui, const char *fmt, ...)
{
	va_list ap;
	bool said;

	va_start(ap, fmt);
	said = vsay(ui, TONE_GOOD, fmt, ap);
	va_end(ap);
	if (!said)
		return;
	speech_say(ui->app->speech, ui->message);
}

int ui_last_worker(const struct ui *ui)
{
	return ui->last_worker;
}

void ui_set_last_worker(struct ui *ui, int worker)
{
	ui->last_worker = worker;
}

void ui_say(struct ui *ui, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(ui, TONE_GOOD, fmt, ap);
	va_end(ap);
}

void ui_alert(struct ui *ui, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(ui, TONE_ALARM, fmt, ap);
	va_end(ap);
}

static void push(struct ui *ui, const struct screen *s)
{
	struct frame *f;

	if (ui->depth == UI_DEPTH)
		return;
	f = &ui->stack[ui->depth];
	f->screen = s;
	f->st = calloc(1, s->state_size ? s->state_size : 1);
	if (!f->st)
		return;
	ui->depth++;
	if (s->enter)
		s->enter(ui, f->st);
}

static void pop(struct ui *ui)
{
	struct frame *f = &ui->stack[ui->depth - 1];

	if (f->screen->leave)
		f->screen->leave(ui, f->st);
	free(f->st);
	ui->depth--;
}

static void draw_status(struct ui *ui)
{
	struct app *app = ui->app;
	time_t now = clock_now(app->clock);
	enum tariff_band band = tariff_band_at(&app->cfg->tariff, now);
	char when[32], line[160];
	int alarms = 0, running = irrigation_running_count(app->irrigation);

	store_alarms_open(app->store, &alarms);
	snprintf(line, sizeof(line), "%s %s", text_date_time(when, sizeof(when), now),
		 tariff_band_name(band));
	widget_text(LINES - 2, 0, COLS - 1, band == BAND_PEAK ? TONE_DRY : TONE_NORMAL, line);
	snprintf(line, sizeof(line), _("Pumps on: %d   Alarms: %d"), running, alarms);
	widget_text(LINES - 1, 0, COLS - 1, alarms ? TONE_ALARM : TONE_NORMAL, line);
}

static unsigned mode_of(const struct ui *ui)
{
	const struct frame *f = &ui->stack[ui->depth - 1];

	return f->screen->mode ? f->screen->mode(f->st) : 0;
}

static void draw_help(struct ui *ui)
{
	const struct screen *s = ui->stack[ui->depth - 1].screen;
	const char *const *global = mode_of(ui) & MODE_FIELD ? field_help : global_help;
	int y = ui_top(ui);

	for (int r = y; r <= ui_bottom(ui); r++)
		mvhline(r, 0, ' ', COLS);
	spoken_forget(y, ui_bottom(ui));
	y += widget_wrap(y, 1, COLS - 2, 2, TONE_GOOD, _("Keys on this screen:"), true);
	for (int i = 0; s->help && s->help[i] && y <= ui_bottom(ui); i++)
		y += widget_wrap(y, 1, COLS - 2, ui_bottom(ui) - y + 1, TONE_NORMAL, _(s->help[i]),
				 true);
	for (int i = 0; global[i] && y <= ui_bottom(ui); i++)
		y += widget_wrap(y, 1, COLS - 2, ui_bottom(ui) - y + 1, TONE_NORMAL, _(global[i]),
				 true);
	widget_text(LINES - 3, 1, COLS - 2, TONE_GOOD,
		    speech_on(ui->app->speech) ? _("*: read aloud   other keys: close")
							 : _("Any key: close this help"));
}

/* A message takes as many rows above the line of keys as it needs, over
 * the bottom of the screen's content, all of them if it must; so does what
 * the station cannot do for want of its database (app->trouble), until it
 * is over. */
static void draw_message(struct ui *ui, enum tone tone, const char *text)
{
	int rows = widget_wrap(0, 1, COLS - 2, LINES - 3 - ui_top(ui), tone, text, false);
	int y = LINES - 3 - rows;

	for (int r = y; r < LINES - 3; r++)
		mvhline(r, 0, ' ', COLS);
	spoken_forget(y, LINES - 4);
	widget_wrap(y, 1, COLS - 2, rows, tone, text, true);
}

/* '/' on a record not saved: one question over the screen. */
static void draw_asking_home(struct ui *ui)
{
	int top = ui_top(ui), bottom = ui_bottom(ui);

	for (int r = top; r <= bottom; r++)
		mvhline(r, 0, ' ', COLS);
	spoken_forget(top, bottom);
	/* Its answers are on the line of keys. */
	widget_wrap(top + 1, 1, COLS - 2, bottom - top, TONE_DRY,
		    _("What you entered is not saved yet. Leave it and go to the home screen?"), true);
}

/* The keys every screen has, by what its keys are now. */
static const char *key_line(struct ui *ui)
{
	if (mode_of(ui) & MODE_FIELD)
		return _("Backspace: delete/back   *: help");
	return ui->depth > 1 ? _("0: back   /: home   *: help") : _("*: help");
}

/* The line a card that cannot take more shows, or NULL. */
static const char *card_line(struct store *s)
{
	switch (store_card(s)) {
	case CARD_FULL:
		return _("Memory card full: nothing new is saved");
	case CARD_FAILING:
		return _("Memory card failing: nothing new is saved");
	case CARD_READONLY:
		return _("Memory card read-only: nothing new is saved");
	default:
		return NULL;
	}
}

static void draw(struct ui *ui)
{
	const struct frame *f = &ui->stack[ui->depth - 1];
	const char *title, *card;

	if (ui->headless)
		return;
	if (ui->app->news[0]) {
		snprintf(ui->message, sizeof(ui->message), "%s", ui->app->news);
		ui->message_tone = TONE_GOOD;
		ui->message_of_pumps = false;
		ui->app->news[0] = '\0';
	}
	erase();
	spoken_begin();
	if (ui->small) {
		char why[160];

		snprintf(why, sizeof(why), _("The screen is %dx%d; the station needs at least %dx%d."),
			 COLS, LINES, UI_MIN_COLS, UI_MIN_LINES);
		widget_wrap(0, 1, COLS - 2, LINES, TONE_ALARM, why, true);
		refresh();
		return;
	}
	title = title_of(ui);
	attron(A_REVERSE);
	for (int r = 0; r < ui_top(ui); r++)
		mvhline(r, 0, ' ', COLS);
	attroff(A_REVERSE);
	attron(A_REVERSE | A_BOLD);
	widget_wrap(0, 1, COLS - 2, ui_top(ui), TONE_NORMAL, title, true);
	attroff(A_REVERSE | A_BOLD);
	/* What was said of the pumps before one started or stopped may no
	 * longer hold: the screen shows what is true now. */
	if (ui->message[0] && ui->message_of_pumps &&
	    ui->message_changes != irrigation_changes(ui->app->irrigation))
		ui->message[0] = '\0';
	f->screen->draw(ui, f->st);
	if (ui->asking_home)
		draw_asking_home(ui);
	/* The line of keys stays under whatever is said; a card that cannot
	 * take more takes it: what else waits or is lost follows from it. */
	if (ui->help)
		draw_help(ui);
	else if ((card = card_line(ui->app->store)))
		widget_text(LINES - 3, 1, COLS - 2, TONE_ALARM, card);
	else
		widget_text(LINES - 3, 1, COLS - 2, TONE_NORMAL,
			    ui->asking_home ? _("Enter: leave it   0: stay") : key_line(ui));
	if (!ui->help && !ui->asking_home && ui->message[0])
		draw_message(ui, ui->message_tone, ui->message);
	else if (!ui->help && !ui->asking_home && ui->app->trouble[0])
		draw_message(ui, TONE_ALARM, ui->app->trouble);
	draw_status(ui);
	refresh();
}

static int64_t on_redraw(void *data)
{
	struct ui *ui = data;

	ui->redraw_timer = 0;
	draw(ui);
	return LOOP_DONE;
}

/* Redraw once the loop has handled what is ready, however many things
 * changed meanwhile. */
static void changed(void *ctx)
{
	struct ui *ui = ctx;

	if (!ui->redraw_timer)
		ui->redraw_timer = loop_timer_add(ui->app->loop, 0, on_redraw, ui);
}

/* The clock on the status line moves each station minute. */
static int64_t on_minute(void *data)
{
	struct ui *ui = data;
	const struct clock *c = ui->app->clock;

	draw(ui);
	return clock_real_ms_until(c, (clock_now_ms(c) / 60000 + 1) * 60000);
}

static void apply(struct ui *ui, int act)
{
	if (act & ACT_HOME) {
		while (ui->depth > 1)
			pop(ui);
	} else if (act & ACT_BACK) {
		if (ui->depth > 1)
			pop(ui);
	}
	if (act & ACT_GOTO) {
		int id = ACT_TARGET(act);

		if (id >= 0 && id < SCREEN_COUNT && screen_table[id])
			push(ui, screen_table[id]);
	}
}

/* The keys that are the manager's, the same on every screen: '*' the
 * help, '/' home (asking first when a finished record would be lost),
 * and, where a screen passes them, 0 and Backspace back. */
static void handle_key(struct ui *ui, int key)
{
	const struct frame *f;
	int act, depth;

	if (!key)
		return;
	if (key == K_RESIZE) {
		ui_resize(ui);
		return;
	}
	if (ui->small)
		return;
	if (ui->help) {
		ui->help = false;
		/* '*' twice: the screen read aloud once it is drawn again. */
		if (key == '*') {
			if (speech_on(ui->app->speech))
				ui->speak = true;
			else
				ui_say(ui, "%s", _("The voice is off: Settings, Voice turns it on."));
		}
		return;
	}
	if (ui->asking_home) {
		ui->asking_home = false;
		if (key == K_ENTER) {
			apply(ui, ACT_HOME);
			ui_say(ui, "%s", _("Left without saving."));
		}
		return;
	}
	if (ui->enter_spent) {
		ui->enter_spent = false;
		if (key == K_ENTER) {
			ui->message[0] = '\0';
			return;
		}
	}
	ui->message[0] = '\0';
	if (key == '*') {
		ui->help = true;
		return;
	}
	if (key == '/') {
		if (mode_of(ui) & MODE_UNSAVED)
			ui->asking_home = true;
		else
			apply(ui, ACT_HOME);
		return;
	}
	f = &ui->stack[ui->depth - 1];
	depth = ui->depth;
	act = f->screen->key(ui, f->st, key);
	if (act & ACT_PASS)
		act = (key == '0' || key == K_BACK || key == K_LEFT) ? ACT_BACK : ACT_NONE;
	apply(ui, act);
	ui->enter_spent = ui->depth < depth && ui->message[0] && ui->message_tone == TONE_GOOD;
}

/* The screen as drawn, read aloud: its title, what it shows and asks,
 * its choices, and what was said below it; on the home screen also the
 * date and time, the tariff band, the pumps running and the alarms. */
static void speak_screen(struct ui *ui)
{
	char text[4096];
	size_t len;

	spoken_text(text, sizeof(text), 0, LINES - 4);
	len = strlen(text);
	if (ui->depth == 1 && len + 2 < sizeof(text)) {
		text[len++] = ' ';
		spoken_text(text + len, sizeof(text) - len, LINES - 2, LINES - 1);
	}
	speech_say(ui->app->speech, text);
}

static void on_input(void *data, int fd, short revents)
{
	struct ui *ui = data;
	int ch;

	if (revents & (POLLHUP | POLLERR | POLLNVAL)) {
		/* The screen is gone; the station goes on watering and logging. */
		loop_unwatch(ui->app->loop, fd);
		ui->headless = true;
		store_event(ui->app->store, clock_now(ui->app->clock), "screen_lost", NULL, NULL,
			    false);
		return;
	}
	while ((ch = getch()) != ERR)
		handle_key(ui, keys_translate(ch));
	draw(ui);
	if (ui->speak) {
		ui->speak = false;
		speak_screen(ui);
	}
}

void ui_resize(struct ui *ui)
{
	int cols, lines;

	ui_terminal_fits(STDOUT_FILENO, &cols, &lines);
	if (cols > 0 && lines > 0)
		resize_term(lines, cols);
	ui->small = COLS < UI_MIN_COLS || LINES < UI_MIN_LINES;
	clear();
	draw(ui);
}

struct ui *ui_new(struct app *app, char *err, size_t errlen)
{
	struct ui *ui = calloc(1, sizeof(*ui));
	const char *term = getenv("TERM");

	if (!ui)
		return NULL;
	ui->app = app;
	ui->term = newterm(NULL, stdout, stdin);
	if (!ui->term) {
		snprintf(err, errlen, _("The terminal type \"%s\" is unknown."), term ? term : "");
		free(ui);
		return NULL;
	}
	set_escdelay(50);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	keys_define();
	/* Application keypad mode: the keypad's keys are told apart from the
	 * arrows whatever NumLock says (the Linux console has no smkx).
	 * putp() leaves it in stdio's buffer, which ncurses' own writes go
	 * around: flushed now, or the console would get it only at exit. */
	putp("\033=");
	fflush(stdout);
	widgets_init();
	push(ui, screen_table[SCREEN_HOME]);
	if (app->clock_behind)
		push(ui, screen_table[SCREEN_CLOCKSET]);
	if (app->notice[0])
		ui_alert(ui, "%s", app->notice);
	app->changed = changed;
	app->changed_ctx = ui;
	loop_watch(app->loop, STDIN_FILENO, POLLIN, on_input, ui);
	ui->minute_timer = loop_timer_add(app->loop, 0, on_minute, ui);
	ui->small = COLS < UI_MIN_COLS || LINES < UI_MIN_LINES;
	return ui;
}

void ui_free(struct ui *ui)
{
	if (!ui)
		return;
	ui->app->changed = NULL;
	ui->closing = true;
	while (ui->depth > 0)
		pop(ui);
	if (!ui->headless)
		loop_unwatch(ui->app->loop, STDIN_FILENO);
	if (ui->minute_timer)
		loop_timer_del(ui->app->loop, ui->minute_timer);
	if (ui->redraw_timer)
		loop_timer_del(ui->app->loop, ui->redraw_timer);
	putp("\033>");
	fflush(stdout);
	endwin();
	delscreen(ui->term);
	free(ui);
}
