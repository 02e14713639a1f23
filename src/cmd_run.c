/* The console: the station started, wired layer to layer, run until it
 * is asked to stop, and shut down; as the board's service, a fault at
 * start-up waits on the screen for a corrected configuration. */
#include "app.h"
#include "backup.h"
#include "clock.h"
#include "clockset.h"
#include "cmd.h"
#include "config.h"
#include "dbcheck.h"
#include "handover.h"
#include "irrigation.h"
#include "loop.h"
#include "offers.h"
#include "readings.h"
#include "relay.h"
#include "service.h"
#include "signing.h"
#include "speech.h"
#include "station.h"
#include "stick.h"
#include "store.h"
#include "text.h"
#include "ui.h"
#include "uplink.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

/* The check of the whole database starts this long after the console:
 * its first screen is drawn and its first poll made. */
#define CHECK_AFTER_MS 2000

/* A fault at start-up, one sentence (the messages that end in a newline
 * for the terminal lose it here). */
static void set_fault(char *fault, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_fault(char *fault, size_t n, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	vsnprintf(fault, n, fmt, ap);
	va_end(ap);
	len = strlen(fault);
	if (len > 0 && fault[len - 1] == '\n')
		fault[len - 1] = '\0';
}

/* The simulator's clock when asked for, or when every driver is simulated;
 * the system clock with real hardware. */
static struct clock *make_clock(const struct options *o, const struct config *cfg, char *fault,
				size_t faultlen)
{
	time_t start = time(NULL);

	if (o->clock && clock_parse(o->clock, &start) < 0) {
		set_fault(fault, faultlen,
			  _("--clock wants a date and time like 2026-06-01T05:30, not \"%s\".\n"),
			  o->clock);
		return NULL;
	}
	if (config_uses_hardware(cfg)) {
		for (int i = 0; i < cfg->n_pumps; i++) {
			if (cfg->pumps[i].driver != RELAY_DRIVER_SIM && (o->clock || o->clock_speed != 1)) {
				set_fault(fault, faultlen, _("--clock and --clock-speed are for the simulator: real pumps keep real time.\n"));
				return NULL;
			}
		}
		if (!o->clock && o->clock_speed == 1)
			return clock_new_system();
	}
	return clock_new_sim(start, o->clock_speed);
}

static void on_signalfd(void *data, int fd, short revents)
{
	struct signalfd_siginfo si;
	struct app *app = data;
	struct ui *ui = app->changed_ctx;

	(void)revents;
	if (read(fd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGWINCH) {
		if (ui)
			ui_resize(ui);
		return;
	}
	loop_quit(app->loop);
}

/* The mount table or a block device changed: a stick may have come or
 * gone. */
static void on_stick(void *data, int fd, short revents)
{
	struct app *app = data;

	(void)fd;
	(void)revents;
	if (!stick_update(app->stick))
		return;
	/* What the office sent, if it is the office's stick. */
	offers_look(app);
	if (app->stick_changed)
		app->stick_changed(app->stick_changed_ctx);
	app_changed(app);
}

static void watch_stick(struct app *app)
{
	struct pollfd fds[4];
	int n;

	app->stick = stick_new(app->cfg->station.usb_mount, NULL, NULL);
	if (!app->stick) {
		store_event(app->store, clock_now(app->clock), "stick_unwatched", NULL,
			    strerror(errno), false);
		return;
	}
	n = stick_fds(app->stick, fds, 4);
	for (int i = 0; i < n; i++)
		loop_watch(app->loop, fds[i].fd, fds[i].events, on_stick, app);
}

/* Adds a sentence to the start-up notice, if there is room for it. */
static void add_notice(struct app *app, const char *sentence)
{
	size_t used = strlen(app->notice);

	if (used + 1 + strlen(sentence) < sizeof(app->notice))
		snprintf(app->notice + used, sizeof(app->notice) - used, "%s%s", used ? " " : "",
			 sentence);
}

/* The station's signing key: made at its first start; a lost or damaged
 * one, or a card started on another board, is told on the screen (the
 * console runs all the same: only the copy to USB needs the key). */
static void open_station_key(struct app *app, struct station_key *key)
{
	int64_t now = clock_now(app->clock);

	app->key = key;
	if (station_key_open(key, app->db_path, app->store, true, true, now) < 0) {
		put_line(stderr, key->problem);
		add_notice(app, _("The signing key cannot be used: nothing can be copied to USB. See Settings, 1 About this station."));
		return;
	}
	if (key->made_now)
		store_event(app->store, now, "signing_key_made", NULL, key->fingerprint, false);
	if (key->restored) {
		store_event(app->store, now, "signing_key_restored", NULL, key->fingerprint, false);
		add_notice(app, _("The signing key was lost or damaged on the card; its copy in the local backups took its place."));
	}
	if (key->changed)
		store_event(app->store, now, "signing_key_changed", key->was, key->fingerprint, false);
	if (key->other_board) {
		put_line(stderr, key->problem);
		store_event(app->store, now, "other_board", key->key.board, key->board, false);
		add_notice(app, _("This card was started on another board: it may be a copy. See Settings, 1 About this station."));
	}
}

/* Pumps whose relay could not be set up, and serial ports that are not
 * there: one sentence each for the journal. The pumps and meters are
 * alarms on the home screen, where 9 reads them whole: not said again over
 * the menu. The station runs on without them: a port plugged in later is
 * opened at the next poll. */
static void say_missing_parts(struct app *app)
{
	const struct config *cfg = app->cfg;
	char line[640];

	for (int p = 0; p < cfg->n_pumps; p++) {
		const char *why = irrigation_unavailable(app->irrigation, p);

		if (!why)
			continue;
		snprintf(line, sizeof(line), _("%s cannot be used: %s"), cfg->pumps[p].name, why);
		put_line(stderr, line);
	}
	for (int i = 0; i < cfg->n_injectors; i++) {
		const char *why = irrigation_injector_unavailable(app->irrigation, i);

		if (!why)
			continue;
		snprintf(line, sizeof(line), _("%s cannot be used: %s"), cfg->injectors[i].name, why);
		put_line(stderr, line);
		add_notice(app, line);
	}
	for (int m = 0; m < cfg->n_meters; m++) {
		const char *why = irrigation_meter_unavailable(app->irrigation, m);

		if (!why)
			continue;
		snprintf(line, sizeof(line), _("%s cannot be used: %s"), cfg->meters[m].name, why);
		put_line(stderr, line);
	}
	for (int k = 0; k < readings_ports(app->readings); k++) {
		const char *path;
		int idx[64], n = 0;
		const char *port = readings_port(app->readings, k, &path, idx, &n);

		if (!port || access(path, F_OK) == 0)
			continue;
		snprintf(line, sizeof(line),
			 ngettext("There is no serial port %s (is the RS485 adapter plugged in?): its sensor shows as lost until it is there.",
				  "There is no serial port %s (is the RS485 adapter plugged in?): its %d sensors show as lost until it is there.",
				  (unsigned long)n),
			 path, n);
		put_line(stderr, line);
		add_notice(app, line);
	}
}

/* The check of the whole database after the first screen: damage found
 * there takes the console down and up again through the restore. */
static void on_checked(void *ctx, int verdict, const char *detail)
{
	struct app *app = ctx;

	if (verdict == STORE_CORRUPT) {
		app->damaged = true;
		loop_quit(app->loop);
		return;
	}
	if (verdict < 0)
		store_event(app->store, clock_now(app->clock), "check_failed", NULL, detail, false);
	app->checked = true;
}

static int64_t start_check(void *data)
{
	struct app *app = data;
	char self[4096];
	/* This program's file as the kernel (or valgrind) names it. */
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *argv[] = { self, "--config", (char *)app->cfg->path, "--db", (char *)app->db_path,
			 "check", NULL };

	self[n > 0 ? n : 0] = '\0';
	app->check = dbcheck_start(app->loop, argv, on_checked, app);
	if (!app->check) {
		store_event(app->store, clock_now(app->clock), "check_failed", NULL,
			    strerror(errno), false);
		app->checked = true;
	}
	return LOOP_DONE;
}

/* The console, until it is asked to stop. A fault before it could start
 * is one sentence in fault (and 1 returned), *kind saying whether the
 * settings or the records stand in the way. damaged: the database was
 * found damaged by the last console's check, and is opened through the
 * restore; *again: this one's check found it so. */
static int run_console(struct options *o, bool damaged, bool *again, char *fault,
		       size_t faultlen, enum service_fault *kind)
{
	struct config *cfg = NULL;
	struct app app = { 0 };
	struct station_key key = { 0 };
	struct ui *ui = NULL;
	char err[1024];
	sigset_t set;
	int cols, lines, sfd = -1, rc = 1, opened;
	struct clock *clk;
	static bool relays_at_exit;

	*again = false;
	*kind = SERVICE_FAULT_SETTINGS;
	app.installer_fd = -1;
	if (open_config(o, &cfg, fault, faultlen) < 0)
		return 1;
	if (o->seed >= 0)
		cfg->station.seed = (unsigned)o->seed;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		set_fault(fault, faultlen, _("The console needs a terminal; for scripts use \"fieldstation status\".\n"));
		goto out;
	}
	if (!ui_terminal_fits(STDOUT_FILENO, &cols, &lines)) {
		set_fault(fault, faultlen, _("The screen is %dx%d; the station needs at least %dx%d.\n"),
			  cols, lines, UI_MIN_COLS, UI_MIN_LINES);
		goto out;
	}
	clk = make_clock(o, cfg, fault, faultlen);
	if (!clk)
		goto out;
	app.cfg = cfg;
	app.db_path = db_path(o, cfg);
	app.clock = clk;
	app.sim_relays = o->sim_relays;
	sfd = setup_signals(&set);
	if (!relays_at_exit)
		atexit(relay_all_off_now);
	relays_at_exit = true;
	/* The loop, every relay off, the database (through the restore of a
	 * damaged one), the runs a cut left open. */
	opened = station_open(&app, STATION_IRRIGATION | STATION_RESTORE |
					    (damaged ? STATION_DAMAGED : 0),
			      err, sizeof(err));
	if (opened < 0) {
		if (opened == STATION_RECORDS_FAULT)
			*kind = SERVICE_FAULT_RECORDS;
		set_fault(fault, faultlen, "%s", err);
		goto out;
	}
	if (app.notice[0] && !damaged)
		put_line(stderr, app.notice);
	open_station_key(&app, &key);
	app.readings = readings_new(&app, err, sizeof(err));
	if (!app.readings) {
		snprintf(fault, faultlen, "%s", err);
		goto out;
	}
	say_missing_parts(&app);
	if (sfd >= 0)
		loop_watch(app.loop, sfd, POLLIN, on_signalfd, &app);
	watch_stick(&app);
	offers_look(&app);
	/* What the installer did last: a new version, new settings. */
	offers_open(&app);
	/* NTP, GPS or an RTC may set the board's clock at any time. */
	clockset_watch(&app);
	store_event(app.store, clock_now(clk), "start", NULL, VERSION, false);
	app.backups = backups_new(&app);
	app.uplink = uplink_start(&app, err, sizeof(err));
	if (!app.uplink && err[0])
		add_notice(&app, err);
	/* Without a voice (no memory for it) the station runs silent. */
	app.speech = speech_new(&app, o->speech_log);
	ui = ui_new(&app, err, sizeof(err));
	if (!ui) {
		snprintf(fault, faultlen, "%s", err);
		goto out;
	}
	/* The home screen is up: the service manager may count the station
	 * started, and from now on the loop pings its watchdog. */
	service_watchdog(app.loop);
	service_ready(cfg->station.name[0] ? cfg->station.name : cfg->station.code);
	/* The rest of the database, checked in the background. */
	loop_timer_add(app.loop, CHECK_AFTER_MS, start_check, &app);
	/* The installer's sign that this station started (src/handover.h). */
	if (o->service)
		handover_home(app.db_path);
	rc = loop_run(app.loop) < 0 ? 1 : 0;
	*again = app.damaged;
out:
	/* Water first: every relay off and every run closed. */
	irrigation_free(app.irrigation);
	app.irrigation = NULL;
	dbcheck_free(app.check);
	backups_free(app.backups);
	uplink_stop(app.uplink);
	ui_free(ui);
	if (app.loop)
		offers_close(&app);
	speech_free(app.speech);
	stick_free(app.stick);
	if (app.loop)
		clockset_unwatch(&app);
	/* The readings waiting in memory reach the card before the stop. */
	readings_free(app.readings);
	app.readings = NULL;
	if (app.store)
		store_event(app.store, app.clock ? clock_now(app.clock) : time(NULL), "stop", NULL,
			    NULL, false);
	station_close(&app);
	clock_free(app.clock);
	config_free(cfg);
	station_key_close(&key);
	if (sfd >= 0)
		close(sfd);
	return rc;
}

/* The console. As the board's service (--service), a fault at start-up
 * stays on the screen and in the journal, and the station waits for its
 * configuration to be corrected, then starts: it never ends into a loop
 * of restarts that leaves the screen blank. */
int cmd_run(struct options *o)
{
	char fault[1536];
	bool damaged = false;
	enum service_fault kind;
	int rc;

	for (;;) {
		fault[0] = '\0';
		rc = run_console(o, damaged, &damaged, fault, sizeof(fault), &kind);
		/* Found damaged while it ran: again, through the restore. */
		if (damaged)
			continue;
		if (!fault[0])
			return rc;
		put_line(stderr, fault);
		if (!o->service)
			return rc;
		if (service_wait(o->config, fault, kind) == 0)
			return 0;
	}
}
