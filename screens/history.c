/* The books of fertilizing, spraying and harvests, newest first, a page at
 * a time with + and -. A record's number shows it whole; from there the
 * manager corrects it or removes it as a mistake (both need the PIN, and
 * both leave the old record in the book, marked), and a harvest's lot is
 * traced. "Trace a lot" is the harvest book going straight to tracing. */
#include "screen.h"

#include "app.h"
#include "clock.h"
#include "config.h"
#include "keys.h"
#include "pin.h"
#include "pinentry.h"
#include "recordform.h"
#include "records.h"
#include "store.h"
#include "text.h"
#include "ui.h"
#include "widgets.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_MAX 9
#define TRACE_LINES 200

enum mode { LIST, DETAIL, PIN, FORM, TRACE };
enum action { DO_CORRECT, DO_VOID };

#define PAGES_BACK 64

struct history {
	int kind;
	bool trace_only;	/* picking a lot traces it */
	enum mode mode;
	int offset, total, n;
	int shown;		/* how many of rows[] fit on the screen */
	int back[PAGES_BACK];	/* where the pages before began */
	int n_back;
	int page;		/* of a record shown whole */
	struct record_row rows[PAGE_MAX];
	struct record_row chosen;
	enum action action;
	struct pinentry pin;
	struct recordform form;
	/* The trace of a lot, as lines to turn through a page at a time. */
	char (*lines)[320];
	int n_lines;
	char why[256];
};

/* At most as many as the rows, a row each, hold; fewer when they wrap. */
static int per_page(struct ui *ui)
{
	int rows = ui_bottom(ui) - ui_top(ui);	/* one row for the page line */

	return rows < PAGE_MAX ? rows : PAGE_MAX;
}

static void load(struct ui *ui, struct history *h)
{
	struct app *app = ui_app(ui);
	int n = store_records_page(app->store, h->kind, h->offset, h->rows, per_page(ui), &h->total);

	if (n < 0) {
		ui_alert(ui, _("The records could not be read: %s"), store_error(app->store));
		n = 0;
	}
	h->n = n;
}

static void enter_kind(struct ui *ui, struct history *h, int kind, bool trace_only)
{
	h->kind = kind;
	h->trace_only = trace_only;
	load(ui, h);
}

static void fert_enter(struct ui *ui, void *st)
{
	enter_kind(ui, st, REC_FERTILIZE, false);
}

static void spray_enter(struct ui *ui, void *st)
{
	enter_kind(ui, st, REC_SPRAY, false);
}

static void harvest_enter(struct ui *ui, void *st)
{
	enter_kind(ui, st, REC_HARVEST, false);
}

static void trace_enter(struct ui *ui, void *st)
{
	enter_kind(ui, st, REC_HARVEST, true);
}

static void history_leave(struct ui *ui, void *st)
{
	struct history *h = st;

	(void)ui;
	free(h->lines);
}

/* The mark a record carries in the book. */
static const char *mark(const struct record_row *r)
{
	if (r->corrected_by)
		return _("[corrected]");
	if (r->voided)
		return _("[removed]");
	if (r->corrects)
		return _("[correction]");
	return "";
}

static void row_text(const struct record_row *r, char *buf, size_t n)
{
	char day[16], a[32];

	text_day(day, sizeof(day), r->day);
	day[5] = '\0';		/* dd/mm */
	if (r->kind == REC_HARVEST)
		snprintf(buf, n, "%s %s %s kg %s", day, r->lot, text_amount(a, sizeof(a), r->kg),
			 r->zone_name);
	else
		snprintf(buf, n, "%s %s %s %s %s", day, r->zone_name, text_amount(a, sizeof(a), r->amount),
			 r->unit, r->product_name);
}

/* The records of the page, each wrapped with its mark at the right; how
 * many fit above the page line. */
static int draw_rows(struct ui *ui, struct history *h, bool draw)
{
	int y = ui_top(ui), bottom = ui_bottom(ui) - 1, i;
	char text[200];

	for (i = 0; i < h->n; i++) {
		const struct record_row *r = &h->rows[i];
		const char *m = mark(r);
		int rows;

		row_text(r, text, sizeof(text));
		rows = widget_row(y, 4, i + 1, text, m, TONE_NORMAL, false);
		if (y + rows - 1 > bottom && i > 0)
			break;
		if (draw)
			widget_row(y, 4, i + 1, text, m, r->corrected_by || r->voided ? TONE_DRY
				   : TONE_GOOD, true);
		y += rows;
	}
	return i;
}

static void draw_list(struct ui *ui, struct history *h)
{
	char line[256];

	if (h->total == 0) {
		widget_text(ui_top(ui), 1, COLS - 2, TONE_NORMAL, _("Nothing is logged yet."));
		return;
	}
	h->shown = draw_rows(ui, h, true);
	snprintf(line, sizeof(line), _("%d-%d of %d   +/-: turn   1-9: open"), h->offset + 1,
		 h->offset + h->shown, h->total);
	widget_text(ui_bottom(ui), 1, COLS - 2, TONE_GOOD, line);
}

static void draw_detail(struct ui *ui, struct history *h)
{
	const struct record_row *r = &h->chosen;
	char lines[12][320], a[32], b[32];
	const char *text[12];
	int n = 0, bottom = ui_bottom(ui);

#define LINE(...) do { if (n < 12) snprintf(lines[n++], 320, __VA_ARGS__); } while (0)
	LINE(_("%s, record %lld %s"), records_kind_label(r->kind), (long long)r->id, mark(r));
	LINE(_("Day: %s   Zone: %s"), text_day(a, sizeof(a), r->day), r->zone_name);
	if (r->kind == REC_HARVEST) {
		LINE(_("Lot code: %s"), r->lot);
		LINE(_("Crop: %s, %s kg"), r->crop, text_amount(a, sizeof(a), r->kg));
		if (r->grade[0] || r->buyer[0])
			LINE("%s%s%s", r->grade, r->grade[0] && r->buyer[0] ? ", " : "", r->buyer);
		if (r->phi_override)
			LINE("%s", _("Interval: allowed by the manager."));
	} else {
		LINE("%s%s", r->product_name, r->organic ? _(" (organic)") : "");
		if (r->kind == REC_FERTILIZE)
			LINE(_("%s %s, %s"), text_amount(a, sizeof(a), r->amount), r->unit,
			     records_method_label(r->method));
		else
			LINE(_("%s %s against %s"), text_amount(a, sizeof(a), r->amount), r->unit,
			     r->target);
		if (r->kind == REC_SPRAY)
			LINE(_("Interval %d days: harvest from %s"), r->phi_days,
			     text_day(b, sizeof(b), r->harvest_from));
	}
	if (r->organic_override)
		LINE(_("Not organic on an organic zone, recorded with the manager's PIN: %s."),
		     records_organic_reason_label(r->organic_override));
	LINE(_("By: %s; entered %s"), r->who_name, text_date_time(a, sizeof(a), (time_t)r->entered_at));
	if (r->corrects)
		LINE(r->voided ? _("Removes record %lld as a mistake.") : _("Corrects record %lld."),
		     (long long)r->corrects);
	if (r->corrected_by)
		LINE(_("Corrected by record %lld."), (long long)r->corrected_by);
#undef LINE
	for (int i = 0; i < n; i++)
		text[i] = lines[i];
	widget_pages(ui_top(ui), bottom - 1, text, NULL, n, &h->page);
	widget_text(bottom, 1, COLS - 2, TONE_GOOD, r->kind == REC_HARVEST
		    ? _("1: correct 2: remove (PIN) 3: trace") : _("1: correct  2: remove (manager PIN)"));
}

static void draw_trace(struct ui *ui, struct history *h)
{
	const char *text[TRACE_LINES];
	enum tone tones[TRACE_LINES];

	for (int i = 0; i < h->n_lines; i++) {
		text[i] = h->lines[i];
		tones[i] = i == 0 ? TONE_GOOD : TONE_NORMAL;
	}
	widget_pages(ui_top(ui), ui_bottom(ui) - 1, text, tones, h->n_lines, &h->page);
	widget_text(ui_bottom(ui), 1, COLS - 2, TONE_GOOD, _("0: back"));
}

static void history_draw(struct ui *ui, void *st)
{
	struct history *h = st;

	switch (h->mode) {
	case LIST:
		draw_list(ui, h);
		break;
	case DETAIL:
		draw_detail(ui, h);
		break;
	case PIN:
		pinentry_draw(ui_top(ui), &h->pin, _("Manager's PIN:"));
		break;
	case FORM:
		recordform_draw(ui, &h->form);
		break;
	case TRACE:
		draw_trace(ui, h);
		break;
	}
}

/* The trace of the chosen lot, as lines. */
static void open_trace(struct ui *ui, struct history *h)
{
	struct app *app = ui_app(ui);
	struct trace t;
	char a[32], b[32];
	int rc = records_trace(app->store, app->cfg, h->chosen.lot, &t), n = 0;

	if (rc < 0) {
		ui_alert(ui, _("The records could not be read: %s"), store_error(app->store));
		return;
	}
	if (rc == 0) {
		ui_alert(ui, _("There is no lot %s."), h->chosen.lot);
		return;
	}
	free(h->lines);
	h->lines = calloc(TRACE_LINES, sizeof(*h->lines));
	if (!h->lines) {
		records_trace_free(&t);
		return;
	}
#define LINE(...) do { if (n < TRACE_LINES) snprintf(h->lines[n++], 320, __VA_ARGS__); } while (0)
	LINE(_("Lot code: %s"), t.harvest.lot);
	LINE("%s, %s, %s kg", t.harvest.zone_name, t.harvest.crop,
	     text_amount(a, sizeof(a), t.harvest.kg));
	if (t.harvest.voided)
		LINE("%s", _("This lot was removed as a mistake."));
	if (t.organic_lost.id) {
		char lost[320];

		LINE("%s", records_organic_lost_text(&t.organic_lost, lost, sizeof(lost)));
	}
	LINE(_("Season: %s - %s"), text_day(a, sizeof(a), t.from), text_day(b, sizeof(b), t.to));
	if (t.n_items == 0)
		LINE("%s", _("No fertilizing or spraying in the season."));
	for (int i = 0; i < t.n_items; i++) {
		const struct record_row *r = &t.items[i];
		char day[16];

		text_day(day, sizeof(day), r->day);
		day[5] = '\0';
		if (r->kind == REC_SPRAY) {
			LINE(_("%s Spray %s %s %s (%s)"), day, r->product_name,
			     text_amount(a, sizeof(a), r->amount), r->unit, r->target);
			switch (records_trace_interval(&t, r)) {
			case TRACE_ALLOWED:
				LINE("  %s", _("inside its interval: manager allowed"));
				break;
			case TRACE_RECORDED_AFTER:
				LINE("  %s", _("inside its interval: recorded later"));
				break;
			case TRACE_INSIDE:
				LINE("  %s", _("inside its interval"));
				break;
			default:
				break;
			}
		} else
			LINE(_("%s Fertilize %s %s %s"), day, r->product_name,
			     text_amount(a, sizeof(a), r->amount), r->unit);
	}
	LINE(_("Irrigation: %d runs, %s hours, %s kWh"), t.runs,
	     text_duration(a, sizeof(a), t.seconds), text_number(b, sizeof(b), t.kwh, 2));
#undef LINE
	records_trace_free(&t);
	h->n_lines = n;
	h->page = 0;
	h->mode = TRACE;
}

static int key_list(struct ui *ui, struct history *h, int key)
{
	h->shown = draw_rows(ui, h, false);
	if (key >= '1' && key <= '9') {
		int i = key - '1';

		if (i >= h->shown)
			return ACT_NONE;
		h->chosen = h->rows[i];
		h->page = 0;
		if (h->trace_only)
			open_trace(ui, h);
		else
			h->mode = DETAIL;
		return ACT_REDRAW;
	}
	switch (key) {
	case '+':
	case K_DOWN:
		if (h->offset + h->shown < h->total) {
			if (h->n_back < PAGES_BACK)
				h->back[h->n_back++] = h->offset;
			h->offset += h->shown;
		} else {
			ui_say(ui, "%s", _("This is the last page."));
		}
		load(ui, h);
		return ACT_REDRAW;
	case '-':
	case K_UP:
		if (h->n_back > 0)
			h->offset = h->back[--h->n_back];
		else if (h->offset > 0)
			h->offset = 0;
		else
			ui_say(ui, "%s", _("This is the first page: the newest."));
		load(ui, h);
		return ACT_REDRAW;
	default:
		return ACT_PASS;
	}
}

static int key_detail(struct ui *ui, struct history *h, int key)
{
	struct app *app = ui_app(ui);

	if (key == '3' && h->chosen.kind == REC_HARVEST) {
		open_trace(ui, h);
		return ACT_REDRAW;
	}
	if (key == '1' || key == '2') {
		if (h->chosen.corrected_by) {
			ui_alert(ui, "%s", _("This record was already corrected: correct the newer one."));
			return ACT_REDRAW;
		}
		if (h->chosen.voided) {
			ui_alert(ui, "%s", _("This record says a mistake was removed; it cannot be corrected."));
			return ACT_REDRAW;
		}
		if (!pin_is_set(app->store)) {
			ui_alert(ui, "%s", _("No manager PIN is set yet: set one in Settings."));
			return ACT_REDRAW;
		}
		h->action = key == '1' ? DO_CORRECT : DO_VOID;
		pinentry_init(&h->pin);
		h->mode = PIN;
		return ACT_REDRAW;
	}
	if (key == '0' || key == K_BACK) {
		h->mode = LIST;
		return ACT_REDRAW;
	}
	if (key == '+' || key == K_DOWN || key == '-' || key == K_UP) {
		h->page += key == '+' || key == K_DOWN ? 1 : -1;
		return ACT_REDRAW;
	}
	return ACT_NONE;
}

static int key_pin(struct ui *ui, struct history *h, int key)
{
	struct app *app = ui_app(ui);

	switch (pinentry_key(&h->pin, key)) {
	case NUM_DONE:
		if (pin_check(app->store, h->pin.buf, clock_now(app->clock), h->why,
			      sizeof(h->why)) != PIN_OK) {
			ui_alert(ui, "%s", h->why);
			pinentry_init(&h->pin);
			return ACT_REDRAW;
		}
		pinentry_init(&h->pin);
		recordform_correct(&h->form, ui, &h->chosen, h->action == DO_VOID);
		h->mode = h->form.state == FORM_RUNNING ? FORM : DETAIL;
		return ACT_REDRAW;
	case NUM_CANCEL:
		h->mode = DETAIL;
		return ACT_REDRAW;
	case NUM_REFUSED:
		ui_alert(ui, "%s", h->pin.why);
		return ACT_REDRAW;
	case NUM_EDITED:
		return ACT_REDRAW;
	default:
		return ACT_NONE;
	}
}

static int history_key(struct ui *ui, void *st, int key)
{
	struct history *h = st;
	int act;

	switch (h->mode) {
	case DETAIL:
		return key_detail(ui, h, key);
	case PIN:
		return key_pin(ui, h, key);
	case FORM:
		act = recordform_key(ui, &h->form, key);
		if (h->form.state == FORM_SAVED) {
			h->offset = 0;
			h->n_back = 0;
			load(ui, h);
			h->mode = LIST;
		} else if (h->form.state == FORM_CANCELLED) {
			h->mode = DETAIL;
		}
		return act | ACT_REDRAW;
	case TRACE:
		if (key == '+' || key == K_DOWN || key == '-' || key == K_UP) {
			h->page += key == '+' || key == K_DOWN ? 1 : -1;
			return ACT_REDRAW;
		}
		if (key == '0' || key == K_BACK) {
			h->mode = h->trace_only ? LIST : DETAIL;
			h->page = 0;
			return ACT_REDRAW;
		}
		return ACT_NONE;
	case LIST:
	default:
		return key_list(ui, h, key);
	}
}

static unsigned history_mode(void *st)
{
	const struct history *h = st;

	if (h->mode == PIN)
		return MODE_FIELD;
	return h->mode == FORM ? recordform_mode(&h->form) : 0;
}

static const char *const history_help[] = {
	N_("Newest first. +/-: turn the page"),
	N_("1-9: open that record"),
	N_("Corrections need the manager's PIN"),
	NULL,
};

static const char *const trace_help[] = {
	N_("1-9: the lot to trace   +/-: page"),
	N_("Shows the zone's season before it"),
	NULL,
};

static const char *history_title(struct ui *ui, void *st)
{
	struct history *h = st;

	(void)ui;
	return h->mode == FORM ? recordform_title(&h->form) : NULL;
}

#define BOOK(var, name, enter_fn, help_lines) \
	const struct screen var = { \
		.title = name, .state_size = sizeof(struct history), .enter = enter_fn, \
		.draw = history_draw, .key = history_key, .leave = history_leave, \
		.help = help_lines, .mode = history_mode, .title_now = history_title, \
	}

BOOK(screen_fertilize_log, N_("Fertilizing book"), fert_enter, history_help);
BOOK(screen_spray_log, N_("Spraying book"), spray_enter, history_help);
BOOK(screen_harvest_log, N_("Harvest book"), harvest_enter, history_help);
BOOK(screen_trace, N_("Trace a lot"), trace_enter, trace_help);
