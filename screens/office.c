/* From the office: what a USB stick from the cooperative's office brings
 * (src/offers.h). A new version is offered with what installing it does;
 * new settings with what would change, in words; each asks for the
 * manager's PIN, then is handed to the privileged installer, which stops
 * the station, puts it in place and starts the station again (or takes it
 * back). What the station will not take says why in one sentence. With no
 * stick, it says which version runs and which key it takes them from. */
#include "screen.h"

#include "app.h"
#include "clock.h"
#include "handover.h"
#include "irrigation.h"
#include "keys.h"
#include "loop.h"
#include "newsettings.h"
#include "offers.h"
#include "pin.h"
#include "pinentry.h"
#include "signing.h"
#include "stick.h"
#include "text.h"
#include "ui.h"
#include "update.h"
#include "widgets.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

/* How long the installer may take to stop the station before the screen
 * says it did not answer. */
#define ANSWER_MS 120000

enum mode { LIST, VERSION_ASK, SETTINGS_SHOW, PIN, WAITING };
enum gate { ASK_PIN, CHOOSE_PIN };

struct office {
	enum mode mode;
	bool update;		/* what the PIN and the wait are for */
	int page;
	enum gate gate;
	struct pinentry pin;
	struct pinchoose choose;
	char asked_after[40];	/* the installer's result before the request */
	int timer;
	int waited;		/* milliseconds */
	char said[768];		/* what happened to the last request */
	struct ui *ui;
};

static bool offered(const struct app *app, bool update)
{
	return update ? app->update && app->update->what == FOUND_OFFER
		      : app->settings && app->settings->what == FOUND_OFFER;
}

static bool stick_ready(const struct app *app)
{
	return app->stick && stick_info(app->stick)->state == STICK_READY;
}

static void office_enter(struct ui *ui, void *st)
{
	struct office *o = st;

	o->ui = ui;
}

static void office_leave(struct ui *ui, void *st)
{
	struct office *o = st;

	if (o->timer)
		loop_timer_del(ui_app(ui)->loop, o->timer);
	o->timer = 0;
}

/* The lines of the list: what the stick offers, each with its number,
 * and what it will not take, with why. */
static int list_lines(struct app *app, char text[][800], const char **lines, enum tone *tones)
{
	char fp[SIGN_FINGERPRINT_LEN], why[512];
	uint8_t key[SIGN_PUBLIC_BYTES];
	int n = 0, number = 0;

	if (!stick_ready(app)) {
		snprintf(text[n], 800, "%s", _("Plug in the office's USB stick: a new version or new settings on it show here."));
		tones[n++] = TONE_NORMAL;
		snprintf(text[n], 800, _("This station runs version %s (%s)."), VERSION,
			 update_architecture());
		tones[n++] = TONE_NORMAL;
		if (releasekey_load_public(offers_release_key(), key, why, sizeof(why)) == 0) {
			sign_fingerprint(key, fp);
			snprintf(text[n], 800, _("It takes them signed with the release key %s."), fp);
			tones[n++] = TONE_NORMAL;
		} else {
			snprintf(text[n], 800, "%s", _("It has no release key: it takes no new version from a USB stick."));
			tones[n++] = TONE_DRY;
		}
		goto out;
	}
	if (offered(app, true)) {
		snprintf(text[n], 800, _("%d Install version %s (this station runs %s)"), ++number,
			 app->update->offer.version, VERSION);
		tones[n++] = TONE_GOOD;
	} else if (app->update && app->update->what == FOUND_REFUSED) {
		snprintf(text[n], 800, "%s", app->update->why);
		tones[n++] = TONE_DRY;
	} else {
		snprintf(text[n], 800, _("No new version on the USB stick (this station runs %s)."),
			 VERSION);
		tones[n++] = TONE_NORMAL;
	}
	if (offered(app, false)) {
		snprintf(text[n], 800,
			 ngettext("%d New settings: %d change", "%d New settings: %d changes",
				  (unsigned long)app->settings->n_changes),
			 ++number, app->settings->n_changes);
		tones[n++] = TONE_GOOD;
	} else if (app->settings && app->settings->what == FOUND_REFUSED) {
		snprintf(text[n], 800, "%s", app->settings->why);
		tones[n++] = TONE_DRY;
	}
out:
	for (int i = 0; i < n; i++)
		lines[i] = text[i];
	return n;
}

static void draw_list(struct ui *ui, struct office *o)
{
	static char text[4][800];
	const char *lines[5];
	enum tone tones[5];
	struct app *app = ui_app(ui);
	int top = ui_top(ui), n;

	if (o->said[0])
		top += widget_wrap(top, 1, COLS - 2, 4, TONE_DRY, o->said, true) + 1;
	n = list_lines(app, text, lines, tones);
	if (top <= ui_bottom(ui))
		widget_pages(top, ui_bottom(ui), lines, tones, n, &o->page);
}

static void draw_version(struct ui *ui, struct office *o)
{
	struct app *app = ui_app(ui);
	int y = ui_top(ui), running = irrigation_running_count(app->irrigation);
	int bottom = ui_bottom(ui);
	char text[768];

	(void)o;
	snprintf(text, sizeof(text),
		 _("The station stops the pumps, backs up its records, installs version %s and starts again by itself. Should it not start, it goes back to version %s and its records by itself."),
		 app->update->offer.version, VERSION);
	y += widget_wrap(y, 1, COLS - 2, bottom - y - (running ? 1 : 0), TONE_NORMAL, text, true);
	if (running && y < bottom) {
		snprintf(text, sizeof(text),
			 ngettext("%d pump is running: it will be stopped.",
				  "%d pumps are running: they will be stopped.", (unsigned long)running),
			 running);
		y += widget_wrap(y, 1, COLS - 2, bottom - y, TONE_DRY, text, true);
	}
	widget_text(bottom, 1, COLS - 2, TONE_GOOD, _("Enter: install (the manager's PIN)"));
}

static void draw_settings(struct ui *ui, struct office *o)
{
	struct app *app = ui_app(ui);
	const struct settings_found *s = app->settings;
	static char more[128];
	const char *lines[SETTINGS_MAX_CHANGES + 1];
	int n = s->n_changes < SETTINGS_MAX_CHANGES ? s->n_changes : SETTINGS_MAX_CHANGES;
	int top = ui_top(ui), bottom = ui_bottom(ui);

	for (int i = 0; i < n; i++)
		lines[i] = s->changes[i];
	if (s->n_changes > n) {
		snprintf(more, sizeof(more), _("… and %d more."), s->n_changes - n);
		lines[n++] = more;
	}
	widget_pages(top, bottom - 1, lines, NULL, n, &o->page);
	widget_text(bottom, 1, COLS - 2, TONE_GOOD, _("Enter: use them (the manager's PIN)"));
}

static void draw_waiting(struct ui *ui, struct office *o)
{
	struct app *app = ui_app(ui);
	int y = ui_top(ui);
	char text[256];

	if (o->update)
		snprintf(text, sizeof(text), _("Installing version %s."), app->update->offer.version);
	else
		snprintf(text, sizeof(text), "%s", _("Putting the new settings in place."));
	attron(A_BOLD);
	y += widget_wrap(y, 1, COLS - 2, 2, TONE_GOOD, text, true);
	attroff(A_BOLD);
	widget_wrap(y + 1, 1, COLS - 2, ui_bottom(ui) - y - 1, TONE_NORMAL,
		    _("Do not switch the power off. The station stops and starts again by itself; then it says how it went."),
		    true);
}

static void office_draw(struct ui *ui, void *st)
{
	struct office *o = st;
	struct app *app = ui_app(ui);

	/* What was offered may have gone with the stick. */
	if ((o->mode == VERSION_ASK || (o->mode == PIN && o->update)) && !offered(app, true))
		o->mode = LIST;
	if ((o->mode == SETTINGS_SHOW || (o->mode == PIN && !o->update)) && !offered(app, false))
		o->mode = LIST;
	switch (o->mode) {
	case LIST:
		draw_list(ui, o);
		break;
	case VERSION_ASK:
		draw_version(ui, o);
		break;
	case SETTINGS_SHOW:
		draw_settings(ui, o);
		break;
	case PIN:
		if (o->gate == ASK_PIN) {
			pinentry_draw(ui_top(ui), &o->pin, _("Manager's PIN:"));
		} else {
			int y = ui_top(ui);

			y += widget_wrap(y, 1, COLS - 2, 2, TONE_DRY,
					 _("No manager PIN yet. Choose one (4 to 8 digits):"), true);
			pinchoose_draw(y, &o->choose, _("New PIN:"));
		}
		break;
	case WAITING:
		draw_waiting(ui, o);
		break;
	}
}

/* The installer answered without stopping the station (it refused), or
 * did not answer at all. */
static int64_t on_answer(void *data)
{
	struct office *o = data;
	struct app *app = ui_app(o->ui);
	struct handover_result r;

	if (o->mode != WAITING) {
		o->timer = 0;
		return LOOP_DONE;
	}
	o->waited += 1000;
	if (handover_result_read(offers_updater_dir(), &r) == 0 &&
	    strcmp(r.id, o->asked_after) != 0) {
		handover_result_sentence(&r, o->said, sizeof(o->said));
	} else if (o->waited >= ANSWER_MS) {
		snprintf(o->said, sizeof(o->said), "%s",
			 _("The installer did not answer: nothing was installed. Was the station installed from its Debian package?"));
	} else {
		return 1000;
	}
	o->timer = 0;
	o->mode = LIST;
	app_changed(app);
	return LOOP_DONE;
}

static void hand_over(struct ui *ui, struct office *o)
{
	struct app *app = ui_app(ui);
	struct handover_result r;
	char why[768];

	o->said[0] = '\0';
	snprintf(o->asked_after, sizeof(o->asked_after), "%s",
		 handover_result_read(offers_updater_dir(), &r) == 0 ? r.id : "");
	if (offers_begin(app, o->update, why, sizeof(why)) < 0) {
		snprintf(o->said, sizeof(o->said), "%s", why);
		o->mode = LIST;
		return;
	}
	o->mode = WAITING;
	/* The installer stops the station; should it refuse, its result says
	 * why. The screen looks once a second, and gives up after a while. */
	o->waited = 0;
	o->timer = loop_timer_add(app->loop, 1000, on_answer, o);
}

static int pin_key(struct ui *ui, struct office *o, int key)
{
	struct app *app = ui_app(ui);
	enum numentry_result r;
	char why[160];

	r = o->gate == ASK_PIN ? pinentry_key(&o->pin, key) : pinchoose_key(&o->choose, key);
	switch (r) {
	case NUM_DONE:
		if (o->gate == ASK_PIN &&
		    pin_check(app->store, o->pin.buf, clock_now(app->clock), why, sizeof(why)) != PIN_OK) {
			ui_alert(ui, "%s", why);
			pinentry_init(&o->pin);
			return ACT_REDRAW;
		}
		if (o->gate == CHOOSE_PIN && pin_set(app->store, o->choose.first, why, sizeof(why)) != PIN_OK) {
			ui_alert(ui, "%s", why);
			pinchoose_init(&o->choose);
			return ACT_REDRAW;
		}
		pinentry_init(&o->pin);
		pinchoose_init(&o->choose);
		hand_over(ui, o);
		return ACT_REDRAW;
	case NUM_CANCEL:
		o->mode = o->update ? VERSION_ASK : SETTINGS_SHOW;
		return ACT_REDRAW;
	case NUM_REFUSED:
		ui_alert(ui, "%s", o->gate == ASK_PIN ? o->pin.why : o->choose.e.why);
		return ACT_REDRAW;
	case NUM_EDITED:
		return ACT_REDRAW;
	default:
		return ACT_NONE;
	}
}

static void ask_pin(struct ui *ui, struct office *o)
{
	o->mode = PIN;
	o->gate = pin_is_set(ui_app(ui)->store) ? ASK_PIN : CHOOSE_PIN;
	pinentry_init(&o->pin);
	pinchoose_init(&o->choose);
}

static int office_key(struct ui *ui, void *st, int key)
{
	struct office *o = st;
	struct app *app = ui_app(ui);
	bool first = offered(app, true);

	switch (o->mode) {
	case LIST:
		if (key == '+' || key == '-' || key == K_UP || key == K_DOWN) {
			o->page += key == '+' || key == K_DOWN ? 1 : -1;
			if (o->page < 0)
				o->page = 0;
			return ACT_REDRAW;
		}
		/* Numbered as shown: the new version first. */
		if (key == '1' && first) {
			o->update = true;
			o->mode = VERSION_ASK;
		} else if ((key == '1' && !first && offered(app, false)) ||
			   (key == '2' && first && offered(app, false))) {
			o->update = false;
			o->page = 0;
			o->mode = SETTINGS_SHOW;
		} else {
			return ACT_PASS;
		}
		o->said[0] = '\0';
		return ACT_REDRAW;
	case VERSION_ASK:
	case SETTINGS_SHOW:
		if (key == K_ENTER) {
			ask_pin(ui, o);
			return ACT_REDRAW;
		}
		if (key == '0' || key == K_BACK) {
			o->mode = LIST;
			o->page = 0;
			return ACT_REDRAW;
		}
		if (o->mode == SETTINGS_SHOW &&
		    (key == '+' || key == '-' || key == K_UP || key == K_DOWN)) {
			o->page += key == '+' || key == K_DOWN ? 1 : -1;
			if (o->page < 0)
				o->page = 0;
			return ACT_REDRAW;
		}
		return ACT_PASS;
	case PIN:
		return pin_key(ui, o, key);
	case WAITING:
	default:
		return ACT_PASS;
	}
}

static unsigned office_mode(void *st)
{
	return ((const struct office *)st)->mode == PIN ? MODE_FIELD : 0;
}

static const char *office_title(struct ui *ui, void *st)
{
	struct office *o = st;

	switch (o->mode) {
	case VERSION_ASK:
	case WAITING:
		if (o->update && offered(ui_app(ui), true)) {
			static char title[128];

			snprintf(title, sizeof(title), _("New version %s"),
				 ui_app(ui)->update->offer.version);
			return title;
		}
		return o->mode == WAITING ? _("New settings") : NULL;
	case SETTINGS_SHOW:
		return _("New settings");
	case PIN:
		return _("Manager's PIN");
	default:
		return NULL;
	}
}

static const char *const office_help[] = {
	N_("1, 2: what the USB stick offers"),
	N_("Enter: install it, with the manager's PIN"),
	N_("+ and -: more lines"),
	NULL,
};

const struct screen screen_office = {
	.title = N_("From the office"),
	.state_size = sizeof(struct office),
	.enter = office_enter,
	.draw = office_draw,
	.key = office_key,
	.leave = office_leave,
	.help = office_help,
	.mode = office_mode,
	.title_now = office_title,
};
