/* The helpers that more than one subcommand uses: messages put on a
 * terminal, the configuration loaded, the database found, the signals
 * set up (src/cmd.h). */
#include "cmd.h"
#include "clock.h"
#include "config.h"
#include "relay.h"
#include "store.h"
#include "text.h"
#include "timezone.h"

#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>

/* Messages may carry what came from outside: a name from a stick's
 * database, a folder's name, SQLite's words about a hostile schema, the
 * name of a program holding a GPIO line. Printed only cleaned. */
void put_line(FILE *f, const char *s)
{
	char clean[2048], line[2048];
	const char *rest = text_clean(clean, sizeof(clean), s);
	struct winsize ws;

	/* On a terminal, broken between words at its width (the journal
	 * gets the sentence on one line). */
	if (ioctl(fileno(f), TIOCGWINSZ, &ws) < 0 || ws.ws_col < 10) {
		fprintf(f, "%s\n", rest);
		return;
	}
	while (text_wrap(&rest, ws.ws_col, line, sizeof(line)))
		fprintf(f, "%s\n", line);
}

/* The configuration, the station's time zone and its language; or -1
 * with the sentence in err. */
int open_config(struct options *o, struct config **cfg, char *err, size_t errlen)
{
	if (config_load(o->config, cfg, err, errlen) < 0)
		return -1;
	/* Station time before anything reads a date: the --clock given,
	 * the database's roll-ups, the screens. */
	if (timezone_set((*cfg)->station.timezone) < 0) {
		snprintf(err, errlen, _("%s: the time zone %s (timezone in [station]) is not in %s: install the tzdata package"),
			 (*cfg)->path, (*cfg)->station.timezone, timezone_dir());
		config_free(*cfg);
		*cfg = NULL;
		return -1;
	}
	if (!o->lang)
		text_set_language(config_language(*cfg));
	return 0;
}

int load_config(struct options *o, struct config **cfg)
{
	char err[1024];

	if (open_config(o, cfg, err, sizeof(err)) < 0) {
		put_line(stderr, err);
		return -1;
	}
	return 0;
}

const char *db_path(const struct options *o, const struct config *cfg)
{
	if (o->db)
		return o->db;
	return cfg->station.database[0] ? cfg->station.database : DEFAULT_DB;
}

/* A crashing station turns its relays off before it dies. */
static void on_fatal(int sig)
{
	relay_all_off_now();
	signal(sig, SIG_DFL);
	raise(sig);
}

int setup_signals(sigset_t *set)
{
	static const int fatal[] = { SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL };
	struct sigaction sa = { .sa_handler = on_fatal };

	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGWINCH);
	sigprocmask(SIG_BLOCK, set, NULL);
	return signalfd(-1, set, SFD_CLOEXEC | SFD_NONBLOCK);
}

int open_office(const struct options *o, struct store **s, time_t *now)
{
	char err[768], clean[2304];

	*now = time(NULL);
	if (o->clock && clock_parse(o->clock, now) < 0) {
		fprintf(stderr, _("--clock wants a date and time like 2026-06-01T05:30, not \"%s\".\n"),
			o->clock);
		return 1;
	}
	if (store_open(o->into, STORE_EXCLUSIVE, s, err, sizeof(err)) < 0) {
		put_line(stderr, err);
		return 1;
	}
	if (store_office_prepare(*s, err, sizeof(err)) < 0) {
		fprintf(stderr, _("%s: refused: %s.\n"), o->into, text_clean(clean, sizeof(clean), err));
		store_close(*s);
		return 1;
	}
	return 0;
}
