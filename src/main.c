/* fieldstation: its options, and the table of its subcommands, each in a
 * file of its own (src/cmd_*.c); without one, the console (src/cmd_run.c). */
#include "cmd.h"
#include "text.h"
#include "timezone.h"

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_CONFIG "/etc/fieldstation/fieldstation.ini"

struct command {
	const char *name;	/* msgid: the command's word, then its arguments in
				 * the language of the help (the word is not translated) */
	int (*run)(struct options *o);
	const char *help;	/* msgid */
};

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
