/* Chép ra USB: one key on the home screen copies the records to the stick,
 * or waits for one and copies as soon as it is there. A bar shows a long
 * copy; the station goes on watering meanwhile, the copy moving a step at
 * a time on the loop. Only once everything has been read back from the
 * stick does the screen say that it may be pulled out. */
#include "screen.h"

#include "app.h"
#include "clock.h"
#include "config.h"
#include "export.h"
#include "keys.h"
#include "loop.h"
#include "readings.h"
#include "stick.h"
#include "text.h"
#include "ui.h"
#include "widgets.h"

#include <curses.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>

/* A step of the copy takes about this long, then the keypad and the pumps
 * have their turn. */
#define STEP_MS 40
/* USB storage that is there but not mounted after this long is one the
 * board cannot read. */
#define UNREADABLE_MS 6000

enum mode { WAITING, COPYING, CONFIRM_STOP, DONE, FAILED };

struct usb {
	struct ui *ui;
	enum mode mode;
	struct export *export;
	int step_timer, unreadable_timer;
	bool unreadable;
	bool was_ready;
	bool pulled;		/* FAILED because the stick went */
	int percent;
	char folder[128];
	int files;
	char error[512];
	char notice[512];	/* folders on the stick left as they were */
};

static const struct stick_info *stick_now(struct ui *ui)
{
	static const struct stick_info none;
	struct stick *s = ui_app(ui)->stick;

	return s ? stick_info(s) : &none;
}

/* A copy is freed: what it took goes back to the system. glibc keeps
 * freed pieces below the heap's top resident, and a copy's many small
 * ones (its own database connection, the workbook's cells) left the
 * station 0.7 to 0.9 MB bigger after a few copies. */
static void free_copy(struct usb *u)
{
	export_free(u->export);
	u->export = NULL;
	malloc_trim(0);
}

static void stop_copy(struct usb *u)
{
	struct app *app = ui_app(u->ui);

	if (u->step_timer)
		loop_timer_del(app->loop, u->step_timer);
	u->step_timer = 0;
	free_copy(u);
}

static void failed(struct usb *u, const char *why)
{
	snprintf(u->error, sizeof(u->error), "%s", why);
	u->mode = FAILED;
	u->pulled = false;
}

static int64_t on_step(void *data)
{
	struct usb *u = data;
	struct app *app = ui_app(u->ui);
	int rc = export_step(u->export, STEP_MS);

	if (rc == EXPORT_MORE) {
		if (export_percent(u->export) != u->percent) {
			u->percent = export_percent(u->export);
			app_changed(app);
		}
		return export_idle_ms(u->export);
	}
	u->step_timer = 0;
	if (rc == EXPORT_DONE) {
		snprintf(u->folder, sizeof(u->folder), "%s", export_folder(u->export));
		snprintf(u->notice, sizeof(u->notice), "%s", export_notice(u->export));
		u->files = export_file_count(u->export);
		u->mode = DONE;
	} else {
		failed(u, export_error(u->export));
		u->pulled = export_failure(u->export) == EXPORT_FAILED_REMOVED;
	}
	free_copy(u);
	app_changed(app);
	return LOOP_DONE;
}

static void start_copy(struct usb *u)
{
	struct app *app = ui_app(u->ui);
	const struct config *cfg = app->cfg;
	struct export_opts o = {
		.db_path = app->db_path,
		.dest = stick_now(u->ui)->mount,
		.code = cfg->station.code,
		.name = cfg->station.name,
		.cfg = cfg,
		.sep = config_csv_separator(cfg),
		.dec = config_csv_decimal(cfg),
		.now = clock_now(app->clock),
	};
	char err[512];

	u->percent = 0;
	/* What was read until now goes with it (the export reads the
	 * database through its own connection). */
	readings_settle(app->readings);
	if (export_begin(&o, &u->export, err, sizeof(err)) < 0) {
		failed(u, err);
		return;
	}
	u->mode = COPYING;
	u->step_timer = loop_timer_add(app->loop, 0, on_step, u);
}

static int64_t on_unreadable(void *data)
{
	struct usb *u = data;

	u->unreadable_timer = 0;
	u->unreadable = true;
	app_changed(ui_app(u->ui));
	return LOOP_DONE;
}

/* A stick came, went, or changed. */
static void on_stick(void *ctx)
{
	struct usb *u = ctx;
	struct app *app = ui_app(u->ui);
	const struct stick_info *i = stick_now(u->ui);
	bool ready = i->state == STICK_READY;

	if (u->unreadable_timer)
		loop_timer_del(app->loop, u->unreadable_timer);
	u->unreadable_timer = 0;
	u->unreadable = false;
	if (i->state == STICK_UNMOUNTED)
		u->unreadable_timer = loop_timer_add(app->loop, UNREADABLE_MS, on_unreadable, u);

	if ((u->mode == COPYING || u->mode == CONFIRM_STOP) && !ready) {
		stop_copy(u);
		failed(u, _("The USB stick was pulled out, or stopped answering, before the copy was finished. Plug it in and copy again."));
		u->pulled = true;
	} else if (ready && !u->was_ready && u->mode != COPYING && u->mode != CONFIRM_STOP) {
		/* Plugged in while this screen waits: that is the wish. */
		start_copy(u);
	} else if (!ready && (u->mode == DONE || (u->mode == FAILED && !u->pulled))) {
		/* Taken out after a copy, or after a failure of its own: ready for
		 * the next. A copy that failed because the stick went keeps saying
		 * so, however the stick's going shows (the copy's write error, the
		 * device, the mount: one after the other). */
		u->mode = WAITING;
	}
	u->was_ready = ready;
}

static void usb_enter(struct ui *ui, void *st)
{
	struct usb *u = st;
	struct app *app = ui_app(ui);

	u->ui = ui;
	app->stick_changed = on_stick;
	app->stick_changed_ctx = u;
	u->was_ready = stick_now(ui)->state == STICK_READY;
	if (u->was_ready)
		start_copy(u);
	else if (stick_now(ui)->state == STICK_UNMOUNTED)
		u->unreadable_timer = loop_timer_add(app->loop, UNREADABLE_MS, on_unreadable, u);
}

static void usb_leave(struct ui *ui, void *st)
{
	struct usb *u = st;
	struct app *app = ui_app(ui);

	if (u->export) {
		stop_copy(u);
		ui_alert(ui, "%s", _("The copy was stopped. Nothing complete is on the stick."));
	}
	if (u->unreadable_timer)
		loop_timer_del(app->loop, u->unreadable_timer);
	app->stick_changed = NULL;
	app->stick_changed_ctx = NULL;
}

static void draw_waiting(struct ui *ui, struct usb *u, int y, int w)
{
	const struct stick_info *i = stick_now(ui);

	if (!ui_app(ui)->stick) {
		widget_wrap(y, 1, w, 4, TONE_ALARM,
			    _("This station cannot see USB sticks: the mount table cannot be read."), true);
	} else if (i->state == STICK_UNMOUNTED && u->unreadable) {
		widget_wrap(y, 1, w, 6, TONE_ALARM,
			    _("This USB stick cannot be read: its format may be unusual. Format it as FAT32 or exFAT on a computer, then plug it in again."),
			    true);
	} else if (i->state == STICK_UNMOUNTED) {
		widget_text(y, 1, w, TONE_NORMAL, _("Reading the USB stick..."));
	} else {
		y += widget_wrap(y, 1, w, 2, TONE_NORMAL, _("Plug a USB stick into the station."), true);
		widget_wrap(y + 1, 1, w, 3, TONE_NORMAL,
			    _("The copy starts by itself when the stick is ready."), true);
	}
}

static void usb_draw(struct ui *ui, void *st)
{
	struct usb *u = st;
	int y = ui_top(ui), w = COLS - 2;
	char line[256];

	switch (u->mode) {
	case WAITING:
		draw_waiting(ui, u, y, w);
		break;
	case COPYING:
		y += widget_wrap(y, 1, w, 2, TONE_DRY,
				 _("Copying to the USB stick. Do not pull it out."), true);
		widget_text(++y, 1, w, TONE_NORMAL, export_doing(u->export));
		widget_progress(++y, 1, w, u->percent);
		widget_text(y + 2, 1, w, TONE_NORMAL, _("0: stop copying"));
		break;
	case CONFIRM_STOP:
		widget_confirm(y, ui_bottom(ui),
			       _("Stop copying? Nothing complete will be on the stick."));
		break;
	case DONE:
		y += widget_wrap(y, 1, w, 2, TONE_NORMAL,
				 _("Copied, and read back from the stick: all correct."), true);
		snprintf(line, sizeof(line), ngettext("Folder %s (%d file)", "Folder %s (%d files)",
						      (unsigned long)u->files),
			 u->folder, u->files);
		y += widget_wrap(y, 1, w, 2, TONE_NORMAL, line, true);
		attron(A_BOLD);
		y += widget_wrap(y + 1, 1, w, 2, TONE_GOOD,
				 _("The USB stick may be pulled out now."), true);
		attroff(A_BOLD);
		/* Folders on the stick it left alone, in the rows that are left. */
		if (u->notice[0])
			y += widget_wrap(y + 1, 1, w, ui_bottom(ui) - y - 1, TONE_DRY, u->notice, true);
		widget_text(y + 2 <= ui_bottom(ui) ? y + 2 : ui_bottom(ui), 1, w, TONE_NORMAL,
			    _("Enter: copy again"));
		break;
	case FAILED:
		y += widget_wrap(y, 1, w, ui_bottom(ui) - y - 1, TONE_ALARM, u->error, true);
		widget_text(y + 1, 1, w, TONE_NORMAL, _("Enter: try again"));
		break;
	}
}

static int usb_key(struct ui *ui, void *st, int key)
{
	struct usb *u = st;
	struct app *app = ui_app(ui);

	switch (u->mode) {
	case COPYING:
		/* The copy waits while the question is asked. */
		if (key == '0' || key == K_BACK) {
			loop_timer_del(app->loop, u->step_timer);
			u->step_timer = 0;
			u->mode = CONFIRM_STOP;
			return ACT_REDRAW;
		}
		return ACT_NONE;
	case CONFIRM_STOP:
		if (key == K_ENTER) {
			stop_copy(u);
			failed(u, _("The copy was stopped. Nothing complete is on the stick."));
		} else if (key == '0' || key == K_BACK) {
			u->mode = COPYING;
			u->step_timer = loop_timer_add(app->loop, 0, on_step, u);
		}
		return ACT_REDRAW;
	case DONE:
	case FAILED:
		if (key != K_ENTER)
			return ACT_PASS;
		if (stick_now(ui)->state == STICK_READY)
			start_copy(u);
		else
			u->mode = WAITING;
		return ACT_REDRAW;
	case WAITING:
	default:
		return ACT_PASS;
	}
}

static const char *const usb_help[] = {
	N_("The copy starts by itself"),
	N_("0 while copying: stop"),
	N_("Enter: copy again"),
	NULL,
};

const struct screen screen_usb = {
	.title = N_("Copy to USB"),
	.state_size = sizeof(struct usb),
	.enter = usb_enter,
	.draw = usb_draw,
	.key = usb_key,
	.leave = usb_leave,
	.help = usb_help,
};
