/* fieldstation readings: the raw readings between two times, a line
 * each, for a technician's script. */
#include "clock.h"
#include "cmd.h"
#include "config.h"
#include "sensor.h"
#include "store.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

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
int cmd_readings(struct options *o)
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
