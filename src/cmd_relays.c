/* fieldstation relays-off and pump-test: the pumps' GPIO relays driven
 * without the console, off after the station ends, or one on for a test. */
#include "cmd.h"
#include "config.h"
#include "relay.h"
#include "text.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

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
int cmd_relays_off(struct options *o)
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
int cmd_pump_test(struct options *o)
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
