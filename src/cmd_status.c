/* fieldstation status: the newest readings, the pumps, the alarms and
 * the signing key's fingerprint, as plain text. */
#include "clock.h"
#include "cmd.h"
#include "config.h"
#include "irrigation.h"
#include "sensor.h"
#include "signing.h"
#include "store.h"
#include "tariff.h"
#include "text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

int cmd_status(struct options *o)
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
