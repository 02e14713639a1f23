/* fieldstation reset-pin: the manager's PIN forgotten, the station
 * stopped and its code typed. */
#include "clock.h"
#include "cmd.h"
#include "config.h"
#include "pin.h"
#include "store.h"
#include "text.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

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
int cmd_reset_pin(struct options *o)
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
