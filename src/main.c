/* fieldstation: arguments and the subcommands; without a subcommand, the
 * console (src/cmd_run.c). */
#include "app.h"
#include "backup.h"
#include "clockset.h"
#include "clock.h"
#include "cmd.h"
#include "config.h"
#include "dbcheck.h"
#include "export.h"
#include "irrigation.h"
#include "loop.h"
#include "handover.h"
#include "merge.h"
#include "newsettings.h"
#include "offers.h"
#include "pin.h"
#include "records.h"
#include "readings.h"
#include "relay.h"
#include "sensor.h"
#include "signing.h"
#include "speech.h"
#include "service.h"
#include "sim_farm.h"
#include "stick.h"
#include "store.h"
#include "tariff.h"
#include "text.h"
#include "timezone.h"
#include "office.h"
#include "trust.h"
#include "uplink.h"
#include "ui.h"
#include "update.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <math.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_CONFIG "/etc/fieldstation/fieldstation.ini"

struct command {
	const char *name;	/* msgid: the command's word, then its arguments in
				 * the language of the help (the word is not translated) */
	int (*run)(struct options *o);
	const char *help;	/* msgid */
};

static int cmd_status(struct options *o);
static int cmd_check(struct options *o);
static int cmd_readings(struct options *o);
static int cmd_trace(struct options *o);
static int cmd_reset_pin(struct options *o);
static int cmd_relays_off(struct options *o);
static int cmd_pump_test(struct options *o);
static int cmd_export(struct options *o);
static int cmd_merge(struct options *o);
static int cmd_office(struct options *o);
static int cmd_trust(struct options *o);
static int cmd_new_key(struct options *o);
static int cmd_release_key(struct options *o);
static int cmd_publish_update(struct options *o);
static int cmd_publish_settings(struct options *o);

static const struct command commands[] = {
	{ N_("status"), cmd_status, N_("readings and pump states, as plain text") },
	{ N_("check"), cmd_check, N_("check the configuration and the database") },
	{ N_("readings [FROM [TO]]"), cmd_readings,
	  N_("raw readings, a line each: time, sensor, quantity, value (for scripts)") },
	{ N_("relays-off"), cmd_relays_off, N_("drive every pump's GPIO relay off (for the service manager)") },
	{ N_("pump-test PUMP [SECONDS]"), cmd_pump_test, N_("switch one pump on for a few seconds (10), then off") },
	{ N_("trace LOT [FILE]"), cmd_trace, N_("a lot's traceability sheet (CSV), to FILE or the screen") },
	{ N_("reset-pin [CODE]"), cmd_reset_pin,
	  N_("forget the manager's PIN (the station stopped; asks for its code)") },
	{ N_("export --to FOLDER"), cmd_export, N_("write into FOLDER what the USB export writes") },
	{ N_("merge --into DB FOLDER..."), cmd_merge,
	  N_("merge stations' export folders (or sticks holding them) into an office database") },
	{ N_("office --broker HOST[:PORT] --into DB"), cmd_office,
	  N_("merge what the stations send over the link into an office database (--ca, --cert, --key, --user, --password-file, --topic)") },
	{ N_("trust --into DB FOLDER..."), cmd_trust,
	  N_("trust the station that signed an export folder, once its key's fingerprint is compared") },
	{ N_("new-key"), cmd_new_key,
	  N_("a new signing key for this station (the old one lost or damaged, or the card moved)") },
	{ N_("release-key new FILE"), cmd_release_key,
	  N_("at the office: the cooperative's release key, FILE (secret) and FILE.pub (for the stations)") },
	{ N_("publish-update PACKAGE"), cmd_publish_update,
	  N_("at the office: a new version onto a stick, --to DIR, signed with --key FILE (the release key)") },
	{ N_("publish-settings INI"), cmd_publish_settings,
	  N_("at the office: a station's new configuration onto a stick, --to DIR, checked and signed with --key FILE") },
};

static void usage(FILE *f)
{
	fprintf(f, _("Usage: fieldstation [OPTION]... [COMMAND]\n"
		     "The field station console for the pump shed.\n\n"
		     "  --config FILE        configuration (default %s)\n"
		     "  --db FILE            database (default: the config's, or %s)\n"
		     "  --lang vi|en         language of the screens\n"
		     "  --clock YYYY-MM-DDTHH:MM  simulator: start the clock there\n"
		     "  --clock-speed N      simulator: run the clock N times faster\n"
		     "  --seed N             simulator: its random seed\n"
		     "  --sim-relays FOLDER  simulator: each pump's relay as a file, 1 on, 0 off\n"
		     "  --speech-log FILE    each thing the voice says, in words, a line in FILE\n"
		     "  --service            as the board's service: tell systemd when ready, ping\n"
		     "                       its watchdog, and on a fault say why and wait\n"
		     "  --help, --version\n\nCommands:\n"),
		DEFAULT_CONFIG, DEFAULT_DB);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const char *use = _(commands[i].name);
		int pad = 26 - text_width(use);

		fprintf(f, "  %s%*s %s\n", use, pad > 0 ? pad : 0, "", _(commands[i].help));
	}
	fprintf(f, _("Without a command, the console runs.\n"));
}

struct latest {
	const struct config *cfg;
	double value[64][Q_COUNT];
	int64_t t[64];
	bool has[64][Q_COUNT];
};

static void on_latest(void *ctx, const char *sensor, int q, int64_t t, double v)
{
	struct latest *l = ctx;

	for (int i = 0; i < l->cfg->n_sensors && i < 64; i++) {
		if (strcmp(l->cfg->sensors[i].item.id, sensor) != 0 || q < 0 || q >= Q_COUNT)
			continue;
		l->value[i][q] = v;
		l->has[i][q] = true;
		if (t > l->t[i])
			l->t[i] = t;
	}
}

static int cmd_status(struct options *o)
{
	struct config *cfg;
	struct store *st;
	struct latest *l;
	struct run_row runs[16];
	char err[512], a[32], b[32], name[3 * CFG_NAME_LEN], code[64];
	time_t now = time(NULL);
	int n_runs, alarms = 0, rc = 0;
	bool unread;

	if (load_config(o, &cfg) < 0)
		return 1;
	if (o->clock && clock_parse(o->clock, &now) < 0) {
		fprintf(stderr, _("--clock wants a date and time like 2026-06-01T05:30, not \"%s\".\n"),
			o->clock);
		config_free(cfg);
		return 1;
	}
	if (store_open(db_path(o, cfg), STORE_RDONLY, &st, err, sizeof(err)) < 0) {
		put_line(stderr, err);
		config_free(cfg);
		return 1;
	}
	l = calloc(1, sizeof(*l));
	if (!l)
		abort();
	l->cfg = cfg;
	/* What cannot be read is said, never shown as "no reading" or "off". */
	unread = store_readings_latest(st, on_latest, l) < 0;
	if (unread) {
		fprintf(stderr, _("The readings cannot be read from the database: %s\n"), store_error(st));
		rc = 1;
	}
	printf("%s (%s)  %s  %s\n", text_clean(name, sizeof(name), cfg->station.name),
	       text_clean(code, sizeof(code), cfg->station.code),
	       text_date_time(a, sizeof(a), now), tariff_band_name(tariff_band_at(&cfg->tariff, now)));
	printf("%s\n", _("Sensors (newest stored reading):"));
	for (int i = 0; i < cfg->n_sensors && i < 64; i++) {
		char sensor[CFG_NAME_LEN + 64];

		config_sensor_name(cfg, i, sensor, sizeof(sensor));
		printf("  %s:", text_clean(name, sizeof(name), sensor));
		if (!l->t[i]) {
			printf(" %s\n", unread ? _("not known: the database cannot be read") : _("no reading stored"));
			continue;
		}
		for (int q = 0; q < Q_COUNT; q++) {
			if (!l->has[i][q])
				continue;
			printf(" %s%s", text_number(b, sizeof(b), l->value[i][q], q == Q_EC ? 0 : 1),
			       q == Q_FLOW ? _(" l/min") : sensor_quantity_unit((enum quantity)q));
		}
		printf("  (%s)\n", text_date_time(a, sizeof(a), (time_t)l->t[i]));
	}
	n_runs = store_runs_open(st, runs, 16);
	if (n_runs < 0) {
		fprintf(stderr, _("The pumps' runs cannot be read from the database: %s\n"), store_error(st));
		rc = 1;
	}
	printf("%s\n", _("Pumps:"));
	for (int p = 0; p < cfg->n_pumps; p++) {
		int r;

		if (n_runs < 0) {
			printf(_("  %s: not known: the database cannot be read\n"),
			       text_clean(name, sizeof(name), cfg->pumps[p].name));
			continue;
		}
		for (r = 0; r < n_runs; r++)
			if (strcmp(runs[r].pump, cfg->pumps[p].item.id) == 0)
				break;
		if (r < n_runs)
			printf(_("  %s: on until %s (%s)\n"),
			       text_clean(name, sizeof(name), cfg->pumps[p].name),
			       text_time(a, sizeof(a), (time_t)runs[r].planned_end),
			       irrigation_reason_label(runs[r].reason));
		else
			printf(_("  %s: off\n"), text_clean(name, sizeof(name), cfg->pumps[p].name));
	}
	if (store_alarms_open(st, &alarms) < 0) {
		fprintf(stderr, _("The alarms cannot be read from the database: %s\n"), store_error(st));
		printf(_("Alarms not acknowledged: not known\n"));
		rc = 1;
	} else {
		printf(_("Alarms not acknowledged: %d\n"), alarms);
	}
	/* What the office compares before it trusts this station. */
	if (!store_is_office(st)) {
		struct station_key key;
		char clean[2304];

		if (station_key_open(&key, db_path(o, cfg), st, false, false, now) == 0)
			printf(_("Signing key fingerprint: %s\n"), key.fingerprint);
		if (key.problem[0])
			printf(_("Signing key: %s\n"), text_clean(clean, sizeof(clean), key.problem));
		station_key_close(&key);
	}
	free(l);
	store_close(st);
	config_free(cfg);
	return rc;
}

/* The signing key, for check: good, not made yet, or a fault (lost,
 * damaged, readable by others, or made on another board). */
static int check_station_key(const char *db, struct store *st)
{
	struct station_key key;
	char clean[2304];
	int rc = 0;

	station_key_open(&key, db, st, false, false, time(NULL));
	if (key.ok && !key.other_board) {
		printf(_("Signing key %s: good (fingerprint %s, made on this board)\n"), key.path,
		       key.fingerprint);
	} else if (key.none_yet) {
		printf(_("Signing key %s: not made yet; the station makes it when it starts.\n"),
		       key.path);
	} else {
		printf(_("Signing key %s: FAULT: %s\n"), key.path,
		       text_clean(clean, sizeof(clean), key.problem));
		rc = -1;
	}
	station_key_close(&key);
	return rc;
}

static int cmd_check(struct options *o)
{
	struct config *cfg;
	struct store *st;
	char err[512], clean[1536];
	const char *path;
	int rc = 0;

	if (load_config(o, &cfg) < 0) {
		printf(_("Configuration: FAULT\n"));
		return 1;
	}
	printf(_("Configuration %s: good (%d zones, %d sensors, %d pumps)\n"), cfg->path,
	       cfg->n_zones, cfg->n_sensors, cfg->n_pumps);
	{
		char when[32];
		time_t now = time(NULL);

		/* What a technician compares with a watch after setting up a board. */
		printf(_("Station time: %s, time zone %s\n"), text_date_time(when, sizeof(when), now),
		       cfg->station.timezone);
	}
	path = db_path(o, cfg);
	if (access(path, F_OK) != 0) {
		printf(_("Database %s: not created yet; the station makes it when it starts.\n"), path);
		config_free(cfg);
		return 0;
	}
	rc = store_open(path, STORE_RDONLY, &st, err, sizeof(err));
	if (rc < 0) {
		printf(_("Database: FAULT: %s\n"), text_clean(clean, sizeof(clean), err));
		config_free(cfg);
		return rc == STORE_CORRUPT ? DBCHECK_DAMAGED : 1;
	}
	rc = store_check(st, STORE_CHECK_ALL, err, sizeof(err));
	if (rc < 0) {
		printf(_("Database %s: FAULT: %s\n"), path, text_clean(clean, sizeof(clean), err));
		rc = rc == STORE_CORRUPT ? DBCHECK_DAMAGED : 1;
	} else {
		printf(_("Database %s: good (schema %d of %d)\n"), path, store_schema_version(st),
		       store_schema_latest());
	}
	if (!store_is_office(st) && check_station_key(path, st) < 0)
		rc = 1;
	store_close(st);
	config_free(cfg);
	return rc;
}

struct reading_lines {
	struct sensor_code sensors[256];
	int n;
};

static void print_reading(void *ctx, const struct reading_row *r)
{
	struct reading_lines *l = ctx;
	const char *code = "?";
	char when[32], value[32], clean[64];
	struct tm tm;
	time_t t = (time_t)r->t;

	for (int i = 0; i < l->n; i++)
		if (l->sensors[i].id == r->sensor)
			code = l->sensors[i].code;
	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	/* The shortest text that reads back as the very value stored. */
	snprintf(value, sizeof(value), "%.15g", r->value);
	if (strtod(value, NULL) != r->value)
		snprintf(value, sizeof(value), "%.17g", r->value);
	printf("%lld\t%s\t%s\t%s\t%s\n", (long long)r->t, when, text_clean(clean, sizeof(clean), code),
	       r->quantity >= 0 && r->quantity < Q_COUNT ? sensor_quantity_name((enum quantity)r->quantity)
							  : "?",
	       value);
}

/* Raw readings as lines of text, tab between fields, for a technician's
 * script: the station keeps them packed (src/readings_pack.h). */
static int cmd_readings(struct options *o)
{
	struct config *cfg = NULL;
	struct reading_lines *l;
	struct store *st;
	time_t from = 0, to = (time_t)1 << 40;
	const char *path;
	char err[512];
	int rc;

	if (o->n_args > 2 || (o->n_args > 0 && clock_parse(o->args[0], &from) < 0) ||
	    (o->n_args > 1 && clock_parse(o->args[1], &to) < 0)) {
		fprintf(stderr, _("readings takes a time to start from and one to end before, like 2026-06-01T05:30.\n"));
		return 2;
	}
	if (o->config_given || access(o->config, F_OK) == 0) {
		if (load_config(o, &cfg) < 0)
			return 1;
		path = db_path(o, cfg);
	} else if (o->db) {
		path = o->db;
	} else {
		fprintf(stderr, _("There is no configuration %s: give the database with --db FILE.\n"),
			o->config);
		return 2;
	}
	if (store_open(path, STORE_RDONLY, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		config_free(cfg);
		return 1;
	}
	l = calloc(1, sizeof(*l));
	if (!l)
		abort();
	l->n = store_sensors(st, l->sensors, 256);
	rc = l->n < 0 ? l->n : store_readings_each(st, from, to, print_reading, l);
	if (rc < 0)
		fprintf(stderr, _("The records could not be read: %s"), store_error(st));
	if (rc < 0)
		fputc('\n', stderr);
	free(l);
	store_close(st);
	config_free(cfg);
	return rc < 0 || fflush(stdout) != 0 ? 1 : 0;
}

/* How a pump's relay is wired, for a technician: "gpiochip0 line 17,
 * active low". */
static void describe_wiring(const char *chip, const char *line, bool active_low, char *buf,
			    size_t n)
{
	snprintf(buf, n, active_low ? _("%s line %s, active low") : _("%s line %s, active high"),
		 chip, line);
}

/* One relay line requested driven off, then released: said in a line. */
static bool relay_line_off(const char *name, const char *chip, const char *line, bool active_low)
{
	char err[512], clean[1536], wiring[256];
	struct relay *r;

	describe_wiring(chip, line, active_low, wiring, sizeof(wiring));
	r = relay_gpiod_new(chip, line, active_low, err, sizeof(err));
	if (!r) {
		/* The kernel names the program holding the line as that
		 * program asked: outside text. */
		printf(_("%s (%s): NOT switched off: %s\n"), name, wiring,
		       text_clean(clean, sizeof(clean), err));
		return false;
	}
	relay_free(r);
	printf(_("%s (%s): off\n"), name, wiring);
	return true;
}

/* After the station's process has ended, however it ended: every GPIO
 * line of every injector, then of every pump, is requested driven off,
 * then released. The service manager calls this (ExecStopPost=), because
 * a killed process cannot. */
static int cmd_relays_off(struct options *o)
{
	struct config *cfg;
	int n = 0, failed = 0;

	if (load_config(o, &cfg) < 0)
		return 1;
	/* No product goes into a line whose water stops. */
	for (int i = 0; i < cfg->n_injectors; i++) {
		const struct injector_cfg *ic = &cfg->injectors[i];

		if (ic->driver != RELAY_DRIVER_GPIOD)
			continue;
		n++;
		failed += !relay_line_off(ic->name, ic->chip, ic->line, ic->active_low);
	}
	for (int p = 0; p < cfg->n_pumps; p++) {
		const struct pump_cfg *pc = &cfg->pumps[p];

		if (pc->driver != RELAY_DRIVER_GPIOD)
			continue;
		n++;
		failed += !relay_line_off(pc->name, pc->chip, pc->line, pc->active_low);
	}
	if (n == 0)
		printf(_("No pump has a GPIO relay: nothing to switch off.\n"));
	config_free(cfg);
	return failed ? 1 : 0;
}

/* A technician checks one pump's wiring without the console: the relay
 * on for a few seconds, then off; Ctrl-C or SIGTERM ends it early. */
static int cmd_pump_test(struct options *o)
{
	struct config *cfg;
	const struct pump_cfg *pc;
	struct relay *r;
	struct timespec wait = { 10, 0 };
	char err[512], clean[1536], wiring[256], *end;
	sigset_t set;
	int p, rc = 1;

	if (o->n_args < 1 || o->n_args > 2) {
		fprintf(stderr, _("pump-test wants a pump, and may take seconds: pump-test p1 10\n"));
		return 2;
	}
	if (load_config(o, &cfg) < 0)
		return 1;
	p = config_pump_index(cfg, o->args[0]);
	if (p < 0) {
		fprintf(stderr, _("There is no [pump.%s] in %s.\n"), o->args[0], cfg->path);
		goto out;
	}
	pc = &cfg->pumps[p];
	if (o->n_args == 2) {
		long s;

		errno = 0;
		s = strtol(o->args[1], &end, 10);
		if (*end || errno || s < 1 || s > 300 || s > pc->max_minutes * 60L) {
			fprintf(stderr, _("The test lasts 1 to %ld seconds, not \"%s\".\n"),
				pc->max_minutes * 60L < 300 ? pc->max_minutes * 60L : 300, o->args[1]);
			goto out;
		}
		wait.tv_sec = s;
	}
	if (pc->driver != RELAY_DRIVER_GPIOD) {
		fprintf(stderr, _("%s is simulated: there is no relay to test.\n"), pc->name);
		goto out;
	}
	setup_signals(&set);
	atexit(relay_all_off_now);
	describe_wiring(pc->chip, pc->line, pc->active_low, wiring, sizeof(wiring));
	r = relay_gpiod_new(pc->chip, pc->line, pc->active_low, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "%s (%s): %s\n", pc->name, wiring,
			text_clean(clean, sizeof(clean), err));
		goto out;
	}
	if (relay_set(r, true) < 0) {
		fprintf(stderr, _("%s (%s): the relay did not switch on; it is off.\n"), pc->name,
			wiring);
	} else {
		printf(ngettext("%s (%s): on for %ld second...\n", "%s (%s): on for %ld seconds...\n",
				(unsigned long)wait.tv_sec), pc->name, wiring, (long)wait.tv_sec);
		fflush(stdout);
		if (sigtimedwait(&set, NULL, &wait) > 0)
			printf(_("Stopped early.\n"));
		rc = 0;
	}
	relay_free(r);
	printf(_("%s (%s): off\n"), pc->name, wiring);
out:
	config_free(cfg);
	return rc;
}

/* A lot's traceability sheet, to standard output or to FILE. */
static int cmd_trace(struct options *o)
{
	struct config *cfg;
	struct store *st;
	struct trace t;
	char err[512];
	int rc;

	if (o->n_args < 1 || o->n_args > 2) {
		fprintf(stderr, _("Usage: fieldstation trace LOT [FILE]\n"));
		return 2;
	}
	if (load_config(o, &cfg) < 0)
		return 1;
	if (store_open(db_path(o, cfg), STORE_RDONLY, &st, err, sizeof(err)) < 0) {
		put_line(stderr, err);
		config_free(cfg);
		return 1;
	}
	if (o->n_args == 2) {
		rc = records_trace_write_path(st, cfg, o->args[0], o->args[1], err, sizeof(err));
		if (rc != 0)
			put_line(stderr, err);
	} else {
		rc = records_trace(st, cfg, o->args[0], &t);
		if (rc == 0) {
			rc = records_trace_write(&t, cfg, stdout) < 0 || fflush(stdout) != 0;
			records_trace_free(&t);
		} else if (rc == 1) {
			fprintf(stderr, _("There is no lot %s."), o->args[0]);
			fputc('\n', stderr);
		} else {
			fprintf(stderr, _("The records could not be read: %s"), store_error(st));
			fputc('\n', stderr);
		}
	}
	store_close(st);
	config_free(cfg);
	return rc == 0 ? 0 : 1;
}

/* The code the technician typed: one line from the terminal, trimmed.
 * False at the end of input. */
static bool ask_code(char *buf, size_t n)
{
	size_t len;

	if (!fgets(buf, (int)n, stdin))
		return false;
	len = strlen(buf);
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	return true;
}

/* For a forgotten PIN: whoever has the board's shell may reset it, once
 * the station is stopped (it holds the database's lock while it runs),
 * after typing the station's code: a mistyped --db, or the shell of
 * another board, is refused before anything changes. A script gives the
 * code as an argument instead, since it has no one to ask. The next
 * person to open Settings chooses a new PIN. */
static int cmd_reset_pin(struct options *o)
{
	struct config *cfg;
	struct store *st;
	char err[512], clean[1536], uid[40], code[16], name[128], typed[64];
	const char *path;
	time_t now = time(NULL);
	int rc;

	if (o->n_args > 1) {
		fprintf(stderr, _("Usage: fieldstation reset-pin [CODE]\n"));
		return 2;
	}
	if (o->n_args == 0 && !isatty(STDIN_FILENO)) {
		fprintf(stderr, _("reset-pin asks for the station's code on a terminal; a script gives it: fieldstation reset-pin CODE\n"));
		return 2;
	}
	if (o->clock && clock_parse(o->clock, &now) < 0) {
		fprintf(stderr, _("--clock wants a date and time like 2026-06-01T05:30, not \"%s\".\n"),
			o->clock);
		return 2;
	}
	if (load_config(o, &cfg) < 0)
		return 1;
	path = db_path(o, cfg);
	rc = store_open(path, STORE_EXCLUSIVE | STORE_EXISTING, &st, err, sizeof(err));
	if (rc == STORE_LOCKED) {
		fprintf(stderr, _("The station is running on %s: stop it first (systemctl stop fieldstation), then reset the PIN.\n"),
			path);
		config_free(cfg);
		return 1;
	}
	if (rc < 0) {
		put_line(stderr, err);
		config_free(cfg);
		return 1;
	}
	/* The database's own code: it is the database that changes. */
	if (store_station_identity(st, uid, sizeof(uid), code, sizeof(code), name,
				   sizeof(name)) < 0 || !code[0]) {
		snprintf(code, sizeof(code), "%s", cfg->station.code);
		snprintf(name, sizeof(name), "%s", cfg->station.name);
	}
	if (o->n_args == 1) {
		snprintf(typed, sizeof(typed), "%s", o->args[0]);
	} else {
		printf(_("Station %s, database %s.\n"), text_clean(clean, sizeof(clean), name), path);
		printf("%s", _("To forget its manager's PIN, type the station's code (the first letters of its lot codes) and press Enter: "));
		fflush(stdout);
		if (!ask_code(typed, sizeof(typed)))
			typed[0] = '\0';
	}
	rc = 1;
	if (strcasecmp(typed, code) != 0) {
		fprintf(stderr, "%s\n", _("That is not this station's code: the PIN is kept. The code is in the configuration (code =) and in Settings, About this station."));
		goto out;
	}
	if (pin_forget(st) < 0) {
		put_line(stderr, store_error(st));
		goto out;
	}
	store_event(st, now, "pin_reset", NULL, "fieldstation reset-pin", false);
	printf("%s\n", _("The manager's PIN is forgotten: choose a new one in Settings."));
	rc = 0;
out:
	store_close(st);
	config_free(cfg);
	return rc;
}

static void show_percent(void *ctx, int percent)
{
	(void)ctx;
	fprintf(stderr, "\r%3d %%", percent);
}

static int cmd_export(struct options *o)
{
	struct export_opts eo = { .sep = ';', .dec = ',', .now = time(NULL), .dest = o->to };
	struct config *cfg = NULL;
	char err[768], path[4608], clean[4608];
	int rc;

	if (!o->to || o->n_args > 0) {
		fprintf(stderr, _("Use: fieldstation export --to FOLDER (a USB stick's folder, for instance).\n"));
		return 2;
	}
	/* At the office there is no station configuration: the database says
	 * what it is, and the CSVs take Excel's Vietnamese defaults. */
	if (o->config_given || access(o->config, F_OK) == 0) {
		if (load_config(o, &cfg) < 0)
			return 1;
		eo.code = cfg->station.code;
		eo.name = cfg->station.name;
		eo.cfg = cfg;
		eo.sep = config_csv_separator(cfg);
		eo.dec = config_csv_decimal(cfg);
		eo.db_path = db_path(o, cfg);
	} else if (o->db) {
		eo.db_path = o->db;
	} else {
		fprintf(stderr, _("There is no configuration %s: give the database with --db FILE.\n"),
			o->config);
		return 2;
	}
	if (o->clock && clock_parse(o->clock, &eo.now) < 0) {
		fprintf(stderr, _("--clock wants a date and time like 2026-06-01T05:30, not \"%s\".\n"),
			o->clock);
		config_free(cfg);
		return 1;
	}
	rc = export_run(&eo, isatty(STDERR_FILENO) ? show_percent : NULL, NULL, path, sizeof(path),
			err, sizeof(err));
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\r");
	if (rc < 0)
		put_line(stderr, err);
	else
		printf(_("Written and read back: %s\n"), text_clean(clean, sizeof(clean), path));
	/* Unfinished folders on the stick that were not this station's:
	 * their names are the stick's. */
	if (rc == 0 && err[0])
		put_line(stderr, err);
	config_free(cfg);
	return rc < 0 ? 1 : 0;
}

/* What a merge did, folder by folder, for its exit code. */
struct tally {
	const char *office;
	int merged, held, refused;
};

/* The folder's name, the station's code and name (from the copy's meta
 * table) and the reasons are all a stick's words: printed cleaned. */
static void on_merged(void *ctx, const struct merge_report *m)
{
	const struct merge_result *r = m->result;
	const struct backup_facts *f = m->facts;
	struct tally *t = ctx;
	char where[4096], why[2048], code[64], name[512], office[4096];
	int64_t added = 0, filled = 0;

	text_clean(where, sizeof(where), m->folder);
	if (m->outcome == MERGE_HELD) {
		t->held++;
		fprintf(stderr, _("%s: held: %s.\n"), where, text_clean(why, sizeof(why), m->why));
		fprintf(stderr, _("  Compare the fingerprint with the station's screen (Settings, 1 About this station) or its \"fieldstation status\"; if they are the same: fieldstation trust --into %s %s\n"),
			text_clean(office, sizeof(office), t->office), where);
		return;
	}
	if (m->outcome == MERGE_REFUSED) {
		t->refused++;
		fprintf(stderr, _("%s: refused: %s.\n"), where, text_clean(why, sizeof(why), m->why));
		return;
	}
	t->merged++;
	text_clean(code, sizeof(code), f->code);
	text_clean(name, sizeof(name), f->name);
	printf(_("%s: station %s (%s)\n"), where, code, name);
	for (int i = 0; i < store_merge_table_count(); i++) {
		const char *label = merge_table_label(store_merge_table(i));

		if (!label || (!r->added[i] && !r->filled[i]))
			continue;
		added += r->added[i];
		filled += r->filled[i];
		if (r->filled[i])
			printf(_("  %s: %lld new, %lld completed\n"), label, (long long)r->added[i],
			       (long long)r->filled[i]);
		else
			printf(_("  %s: %lld new\n"), label, (long long)r->added[i]);
	}
	if (!added && !filled)
		printf("  %s\n", _("nothing new: it was merged before"));
	if (r->same_code)
		printf(_("  Note: another station merged here also has the code %s (another database); their rows are kept apart, but the CSVs show both as %s.\n"),
		       code, code);
}

/* Exit codes of merge: every folder merged; one refused (or the office
 * database failed); some held for trust, none refused. */
#define MERGE_EXIT_OK 0
#define MERGE_EXIT_REFUSED 1
#define MERGE_EXIT_HELD 3

/* The office: stations' export folders into one database. */
static int cmd_merge(struct options *o)
{
	struct store *s;
	struct tally t = { .office = o->into };
	char err[768], clean[2304];
	time_t now = time(NULL);
	int failed = 0;

	if (!o->into || o->n_args == 0) {
		fprintf(stderr, _("Use: fieldstation merge --into OFFICE.db FOLDER... (export folders, or sticks holding them).\n"));
		return 2;
	}
	if (o->clock && clock_parse(o->clock, &now) < 0) {
		fprintf(stderr, _("--clock wants a date and time like 2026-06-01T05:30, not \"%s\".\n"),
			o->clock);
		return 1;
	}
	if (store_open(o->into, STORE_EXCLUSIVE, &s, err, sizeof(err)) < 0) {
		put_line(stderr, err);
		return 1;
	}
	if (store_office_prepare(s, err, sizeof(err)) < 0) {
		fprintf(stderr, _("%s: refused: %s.\n"), o->into, text_clean(clean, sizeof(clean), err));
		store_close(s);
		return 1;
	}
	for (int i = 0; i < o->n_args; i++) {
		if (merge_path(s, o->into, o->args[i], (int64_t)now, on_merged, &t, err,
			       sizeof(err)) < 0) {
			put_line(stderr, err);
			failed++;
		}
	}
	store_close(s);
	if (failed || t.refused)
		return MERGE_EXIT_REFUSED;
	return t.held ? MERGE_EXIT_HELD : MERGE_EXIT_OK;
}

/* The office's end of the link: runs until stopped. */
static int cmd_office(struct options *o)
{
	struct office_opts oo = { .into = o->into, .topic = o->topic ? o->topic : "fieldstation",
				  .ca_file = o->ca, .cert_file = o->cert, .key_file = o->key,
				  .username = o->user, .client_id = "fieldstation-office" };
	char host[256], password[256] = "", why[1024], *colon, *end;
	FILE *f;

	if (!o->into || !o->broker || o->n_args > 0) {
		fprintf(stderr, _("Use: fieldstation office --broker HOST[:PORT] --into OFFICE.db [--ca FILE --cert FILE --key FILE] [--user NAME --password-file FILE] [--topic fieldstation].\n"));
		return 2;
	}
	snprintf(host, sizeof(host), "%s", o->broker);
	colon = strrchr(host, ':');
	if (colon && !strchr(colon + 1, ']') && strchr(host, ':') == colon) {
		long port = strtol(colon + 1, &end, 10);

		if (*end || port < 1 || port > 65535) {
			fprintf(stderr, _("--broker wants HOST or HOST:PORT, not \"%s\".\n"), o->broker);
			return 2;
		}
		*colon = '\0';
		oo.port = (int)port;
	}
	oo.host = host;
	if (!o->cert != !o->key) {
		fprintf(stderr, "%s\n", _("--cert and --key go together: the office's certificate and its key."));
		return 2;
	}
	if (!o->user != !o->password_file) {
		fprintf(stderr, "%s\n", _("--user and --password-file go together."));
		return 2;
	}
	if (o->password_file) {
		f = fopen(o->password_file, "r");
		if (!f || !fgets(password, sizeof(password), f)) {
			fprintf(stderr, _("%s cannot be read (%s).\n"), o->password_file,
				strerror(f ? EINVAL : errno));
			if (f)
				fclose(f);
			return 1;
		}
		fclose(f);
		password[strcspn(password, "\r\n")] = '\0';
		oo.password = password;
	}
	if (office_run(&oo, why, sizeof(why)) != 0) {
		put_line(stderr, why);
		return 1;
	}
	return 0;
}

/* A yes typed on the terminal: "c" or "có" in Vietnamese, "y" or "yes". */
static bool said_yes(const char *answer)
{
	char a[16];
	size_t n = 0;

	while (*answer == ' ' || *answer == '\t')
		answer++;
	for (; *answer && *answer != '\n' && *answer != '\r' && n + 1 < sizeof(a); answer++)
		a[n++] = (char)tolower((unsigned char)*answer);
	while (n && a[n - 1] == ' ')
		n--;
	a[n] = '\0';
	return strcmp(a, "c") == 0 || strcmp(a, "có") == 0 || strcmp(a, "co") == 0 ||
	       strcmp(a, "y") == 0 || strcmp(a, "yes") == 0;
}

static bool ask(const char *question)
{
	char answer[64];

	printf("%s ", question);
	fflush(stdout);
	return fgets(answer, sizeof(answer), stdin) && said_yes(answer);
}

/* Who trusts: --by, else the login name. */
static const char *trusted_by(const struct options *o)
{
	const struct passwd *pw;

	if (o->by && *o->by)
		return o->by;
	pw = getpwuid(geteuid());
	return pw ? pw->pw_name : "?";
}

/* One folder: 0 trusted (now or before), 1 not. The folder's path, the
 * station's name and the reasons are a stick's words: printed cleaned. */
static int trust_folder(struct options *o, struct store *s, const char *folder, int64_t now)
{
	struct manifest m;
	char why[768], fp[SIGN_FINGERPRINT_LEN], where[4096], clean[2304], name[512];
	enum trust_verdict v;
	int rc = 1;

	text_clean(where, sizeof(where), folder);
	if (merge_read_manifest(folder, &m, why, sizeof(why)) < 0) {
		fprintf(stderr, _("%s: refused: %s.\n"), where, text_clean(clean, sizeof(clean), why));
		goto out;
	}
	sign_fingerprint(m.key, fp);
	text_clean(name, sizeof(name), m.name);
	v = trust_judge(s, &m, why, sizeof(why));
	text_clean(clean, sizeof(clean), why);
	if (v == TRUST_OK) {
		printf(_("%s: station %s is trusted already (fingerprint %s): merge takes it.\n"),
		       where, m.code, fp);
		rc = 0;
		goto out;
	}
	if (v == TRUST_FAILED || (v == TRUST_FORGED && !o->new_key)) {
		fprintf(stderr, _("%s: refused: %s.\n"), where, clean);
		if (v == TRUST_FORGED)
			fprintf(stderr, "  %s\n",
				_("If the station really made a new key (fieldstation new-key), and its screen shows this fingerprint, trust it with --new-key."));
		goto out;
	}
	printf(_("Folder: %s\n"), where);
	printf(_("Station: %s (%s)\n"), m.code, name);
	printf(_("Key fingerprint: %s\n"), fp);
	printf("%s.\n", clean);
	if (!o->yes && !isatty(STDIN_FILENO)) {
		fprintf(stderr, _("%s: not trusted: confirm on a terminal, or give --yes.\n"), where);
		goto out;
	}
	if (!o->yes) {
		printf("%s\n", _("Compare the code and the fingerprint with the station's screen (Settings, 1 About this station) or its \"fieldstation status\"."));
		if (!ask(_("Are they the same, and do you trust this station? Type c and Enter to trust it, anything else not to:"))) {
			printf(_("%s: not trusted.\n"), where);
			goto out;
		}
	}
	if (trust_accept(s, &m, now, trusted_by(o), why, sizeof(why)) < 0) {
		fprintf(stderr, _("%s: not trusted: %s\n"), where, text_clean(clean, sizeof(clean), why));
		goto out;
	}
	text_clean(clean, sizeof(clean), o->into);
	printf(_("Station %s is trusted (fingerprint %s). Merge its folders again: fieldstation merge --into %s %s\n"),
	       m.code, fp, clean, where);
	rc = 0;
out:
	manifest_free(&m);
	return rc;
}

/* The office: trusts the stations that signed export folders. */
static int cmd_trust(struct options *o)
{
	struct store *s;
	char err[768], clean[2304];
	time_t now = time(NULL);
	int rc = 0;

	if (!o->into || o->n_args == 0) {
		fprintf(stderr, _("Use: fieldstation trust --into OFFICE.db [--yes] [--new-key] [--by NAME] FOLDER... (export folders that merge held).\n"));
		return 2;
	}
	if (o->clock && clock_parse(o->clock, &now) < 0) {
		fprintf(stderr, _("--clock wants a date and time like 2026-06-01T05:30, not \"%s\".\n"),
			o->clock);
		return 1;
	}
	if (store_open(o->into, STORE_EXCLUSIVE, &s, err, sizeof(err)) < 0) {
		put_line(stderr, err);
		return 1;
	}
	if (store_office_prepare(s, err, sizeof(err)) < 0) {
		fprintf(stderr, _("%s: refused: %s.\n"), o->into, text_clean(clean, sizeof(clean), err));
		store_close(s);
		return 1;
	}
	for (int i = 0; i < o->n_args; i++)
		rc |= trust_folder(o, s, o->args[i], (int64_t)now);
	store_close(s);
	return rc;
}

/* The station: a new signing key, when the old one is lost or damaged or
 * the card has moved to another board. The console must not be running. */
static int cmd_new_key(struct options *o)
{
	struct config *cfg;
	struct store *st;
	struct station_key key;
	char err[512], answer[64];
	const char *path;
	int rc = 1;

	if (o->n_args > 0) {
		fprintf(stderr, _("Use: fieldstation new-key [--yes]\n"));
		return 2;
	}
	if (load_config(o, &cfg) < 0)
		return 1;
	path = db_path(o, cfg);
	if (access(path, F_OK) != 0) {
		fprintf(stderr, _("There is no database %s: the station makes it, and its key, when it first starts.\n"),
			path);
		goto out_cfg;
	}
	if (store_open(path, STORE_EXCLUSIVE, &st, err, sizeof(err)) < 0) {
		put_line(stderr, err);
		goto out_cfg;
	}
	if (store_is_office(st)) {
		fprintf(stderr, _("%s is an office database: it has no signing key.\n"), path);
		goto out;
	}
	station_key_open(&key, path, st, false, false, time(NULL));
	if (key.ok)
		printf(_("The signing key now: fingerprint %s.\n"), key.fingerprint);
	if (key.problem[0])
		put_line(stdout, key.problem);
	station_key_close(&key);
	if (!o->yes) {
		printf(_("A new key means the office must trust this station again (fieldstation trust --new-key). Type the station's code (%s) to make it:"),
		       cfg->station.code);
		printf(" ");
		fflush(stdout);
		if (!fgets(answer, sizeof(answer), stdin) ||
		    strncmp(answer, cfg->station.code, strlen(cfg->station.code)) != 0 ||
		    (answer[strlen(cfg->station.code)] != '\n' && answer[strlen(cfg->station.code)])) {
			printf("%s\n", _("Nothing was changed."));
			goto out;
		}
	}
	if (station_key_renew(&key, path, st, time(NULL)) < 0) {
		put_line(stderr, key.problem);
		station_key_close(&key);
		goto out;
	}
	store_event(st, time(NULL), "signing_key_made", NULL, key.fingerprint, false);
	printf(_("A new signing key is made: fingerprint %s. The old file, if there was one, is kept beside it. At the office, after comparing the fingerprint: fieldstation trust --into OFFICE.db --new-key FOLDER\n"),
	       key.fingerprint);
	station_key_close(&key);
	rc = 0;
out:
	store_close(st);
out_cfg:
	config_free(cfg);
	return rc;
}

static int cmd_release_key(struct options *o)
{
	char why[1024], fp[SIGN_FINGERPRINT_LEN];
	struct signkey k;

	if (o->n_args != 2 || strcmp(o->args[0], "new") != 0) {
		fprintf(stderr, _("Use: fieldstation release-key new FILE\n"));
		return 2;
	}
	if (releasekey_make(o->args[1], time(NULL), &k, why, sizeof(why)) < 0) {
		put_line(stderr, why);
		return 1;
	}
	sign_fingerprint(k.public_key, fp);
	signkey_wipe(&k);
	printf(_("The release key is made: %s (secret: keep it at the office, never on a stick or a station) and %s.pub (for the stations: make deb RELEASE_KEY=%s.pub). Fingerprint %s.\n"),
	       o->args[1], o->args[1], o->args[1], fp);
	return 0;
}

/* publish-update and publish-settings: FILE --to DIR --key KEY. */
static int publish(struct options *o, bool update)
{
	char done[1536], why[1536];
	int rc;

	if (o->n_args != 1 || !o->to || !o->key) {
		fprintf(stderr, update ? _("Use: fieldstation publish-update PACKAGE --to DIR --key FILE\n")
				       : _("Use: fieldstation publish-settings INI --to DIR --key FILE\n"));
		return 2;
	}
	rc = update ? update_publish(o->args[0], o->to, o->key, time(NULL), done, sizeof(done), why,
				     sizeof(why))
		    : newsettings_publish(o->args[0], o->to, o->key, time(NULL), done, sizeof(done),
					  why, sizeof(why));
	if (rc < 0) {
		put_line(stderr, why);
		return 1;
	}
	put_line(stdout, done);
	return 0;
}

static int cmd_publish_update(struct options *o)
{
	return publish(o, true);
}

static int cmd_publish_settings(struct options *o)
{
	return publish(o, false);
}

static int parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_CONFIG = 256, OPT_DB, OPT_LANG, OPT_CLOCK, OPT_SPEED, OPT_SEED, OPT_HELP,
	       OPT_VERSION, OPT_TO, OPT_SIM_RELAYS, OPT_INTO, OPT_YES, OPT_NEW_KEY, OPT_BY, OPT_SERVICE,
	       OPT_KEY, OPT_SPEECH_LOG, OPT_BROKER, OPT_TOPIC, OPT_CA, OPT_CERT, OPT_USER,
	       OPT_PASSWORD_FILE };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "db", required_argument, NULL, OPT_DB },
		{ "lang", required_argument, NULL, OPT_LANG },
		{ "clock", required_argument, NULL, OPT_CLOCK },
		{ "clock-speed", required_argument, NULL, OPT_SPEED },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "help", no_argument, NULL, OPT_HELP },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "to", required_argument, NULL, OPT_TO },
		{ "sim-relays", required_argument, NULL, OPT_SIM_RELAYS },
		{ "into", required_argument, NULL, OPT_INTO },
		{ "yes", no_argument, NULL, OPT_YES },
		{ "new-key", no_argument, NULL, OPT_NEW_KEY },
		{ "by", required_argument, NULL, OPT_BY },
		{ "service", no_argument, NULL, OPT_SERVICE },
		{ "key", required_argument, NULL, OPT_KEY },
		{ "speech-log", required_argument, NULL, OPT_SPEECH_LOG },
		{ "broker", required_argument, NULL, OPT_BROKER },
		{ "topic", required_argument, NULL, OPT_TOPIC },
		{ "ca", required_argument, NULL, OPT_CA },
		{ "cert", required_argument, NULL, OPT_CERT },
		{ "user", required_argument, NULL, OPT_USER },
		{ "password-file", required_argument, NULL, OPT_PASSWORD_FILE },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_CONFIG:
			o->config = optarg;
			o->config_given = true;
			break;
		case OPT_TO:
			o->to = optarg;
			break;
		case OPT_SERVICE:
			o->service = true;
			break;
		case OPT_SIM_RELAYS:
			o->sim_relays = optarg;
			break;
		case OPT_SPEECH_LOG:
			o->speech_log = optarg;
			break;
		case OPT_INTO:
			o->into = optarg;
			break;
		case OPT_YES:
			o->yes = true;
			break;
		case OPT_NEW_KEY:
			o->new_key = true;
			break;
		case OPT_BY:
			o->by = optarg;
			break;
		case OPT_KEY:
			o->key = optarg;
			break;
		case OPT_BROKER:
			o->broker = optarg;
			break;
		case OPT_TOPIC:
			o->topic = optarg;
			break;
		case OPT_CA:
			o->ca = optarg;
			break;
		case OPT_CERT:
			o->cert = optarg;
			break;
		case OPT_USER:
			o->user = optarg;
			break;
		case OPT_PASSWORD_FILE:
			o->password_file = optarg;
			break;
		case OPT_DB:
			o->db = optarg;
			break;
		case OPT_LANG:
			if (strcmp(optarg, "vi") != 0 && strcmp(optarg, "en") != 0) {
				fprintf(stderr, _("--lang is vi or en, not \"%s\".\n"), optarg);
				return 2;
			}
			o->lang = optarg;
			text_set_language(optarg);
			break;
		case OPT_CLOCK:
			o->clock = optarg;
			break;
		case OPT_SPEED:
			errno = 0;
			o->clock_speed = strtod(optarg, &end);
			if (*end || errno || !(o->clock_speed >= 1 && o->clock_speed <= 1e6)) {
				fprintf(stderr, _("--clock-speed is a number from 1 to 1000000, not \"%s\".\n"),
					optarg);
				return 2;
			}
			break;
		case OPT_SEED:
			errno = 0;
			o->seed = strtol(optarg, &end, 10);
			if (*end || errno || o->seed < 0 || o->seed > 2147483647) {
				fprintf(stderr, _("--seed is a whole number from 0, not \"%s\".\n"), optarg);
				return 2;
			}
			break;
		case OPT_HELP:
			usage(stdout);
			return 0;
		case OPT_VERSION:
			printf("fieldstation %s\n", VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	o->args = argv + optind;
	o->n_args = argc - optind;
	return -1;
}

int main(int argc, char **argv)
{
	struct options o = { .config = DEFAULT_CONFIG, .clock_speed = 1, .seed = -1 };
	const char *env_lang = getenv("FIELDSTATION_LANG");
	int rc;

	/* What the station makes is its own (the database holds the manager
	 * PIN's hash): nothing for other users, whatever made a file. */
	umask(027);
	/* Big pieces of memory (a copy's 1 MB reads, the workbook library's
	 * buffers) go back to the system when they are freed. Left to
	 * itself, glibc raises this threshold when the first one is freed
	 * and keeps the later ones in its heap: the first copy to a stick
	 * would leave the station 1.5 MB bigger for good. */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	/* Station time is Vietnam's until the configuration says; the
	 * office's export and merge, which have none, keep it. */
	timezone_set(TIMEZONE_DEFAULT);
	/* Vietnamese first, until the options or the configuration say. */
	if (text_init(env_lang ? env_lang : "vi") < 0)
		fprintf(stderr, "fieldstation: no UTF-8 locale (C.UTF-8) on this system\n");
	rc = parse_options(argc, argv, &o);
	if (rc >= 0)
		return rc;
	if (o.n_args == 0)
		return cmd_run(&o);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		size_t n = strcspn(commands[i].name, " ");

		if (strncmp(o.args[0], commands[i].name, n) == 0 && o.args[0][n] == '\0') {
			o.args++;
			o.n_args--;
			return commands[i].run(&o);
		}
	}
	fprintf(stderr, _("Unknown command \"%s\".\n"), o.args[0]);
	usage(stderr);
	return 2;
}
