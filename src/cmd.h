/* The subcommands' shared options and helpers: the options main.c parses
 * for them, the subcommands (src/cmd_*.c, one file each), and the few
 * helpers more than one of them uses (src/cmd.c). */
#ifndef FS_CMD_H
#define FS_CMD_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

struct config;
struct store;

#define DEFAULT_DB "/var/lib/fieldstation/station.db"

/* The command line: main.c fills it, each subcommand reads its part. */
struct options {
	const char *config;
	bool config_given;
	bool service;		/* the board's service on the screen's console */
	const char *db;
	const char *lang;
	const char *clock;
	double clock_speed;
	long seed;		/* -1: the config's */
	const char *sim_relays;	/* show simulated relays in this folder */
	const char *speech_log;	/* each utterance's words appended here */
	const char *to;		/* export: the folder to write into */
	const char *into;	/* merge, trust: the office database */
	bool yes;		/* trust, new-key: confirmed beforehand (scripts) */
	bool new_key;		/* trust: a trusted station's new key */
	const char *by;		/* trust: who trusts; the login name if NULL */
	const char *key;	/* publish-update, publish-settings: the release key;
				 * office: its client key */
	const char *broker;	/* office: HOST[:PORT] */
	const char *topic;	/* office: what the stations' topics begin with */
	const char *ca, *cert, *user, *password_file;	/* office */
	char **args;		/* after the subcommand */
	int n_args;
};

/* Each returns the program's exit status. Each is in src/cmd_NAME.c, a
 * family in one: cmd_relays.c, cmd_keys.c, cmd_publish.c. */
int cmd_run(struct options *o);
int cmd_status(struct options *o);
int cmd_check(struct options *o);
int cmd_readings(struct options *o);
int cmd_trace(struct options *o);
int cmd_reset_pin(struct options *o);
int cmd_relays_off(struct options *o);
int cmd_pump_test(struct options *o);
int cmd_export(struct options *o);
int cmd_merge(struct options *o);
int cmd_office(struct options *o);
int cmd_trust(struct options *o);
int cmd_new_key(struct options *o);
int cmd_release_key(struct options *o);
int cmd_publish_update(struct options *o);
int cmd_publish_settings(struct options *o);

/* s as a line on f, cleaned of what a terminal would obey (it may carry
 * outside text), and on a terminal broken between words at its width. */
void put_line(FILE *f, const char *s);

/* The configuration (config_free() frees it), with the station's time zone
 * and language set; or -1 with the sentence in err. */
int open_config(struct options *o, struct config **cfg, char *err, size_t errlen);
/* The same, the sentence put on standard error. */
int load_config(struct options *o, struct config **cfg);
/* --db, else the configuration's database, else DEFAULT_DB. */
const char *db_path(const struct options *o, const struct config *cfg);
/* merge and trust: the office's database (--into), ready for stations'
 * folders, and the time (--clock, else now). 0, or the exit status after
 * the sentence on standard error. */
int open_office(const struct options *o, struct store **s, time_t *now);

/* A fatal signal turns the relays off; the signals that end the station
 * or resize its screen are blocked and read from the descriptor
 * returned (-1 if there is none). */
int setup_signals(sigset_t *set);

#endif
