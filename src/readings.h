/* Polling the sensors: every poll_seconds of station time each bus is
 * asked for its sensors' values. The newest values are kept in memory for
 * the screens; readings reach the database in batches, to spare the card. */
#ifndef FS_READINGS_H
#define FS_READINGS_H

#include "sensor.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct app;
struct readings;

struct sensor_state {
	enum sensor_status status;
	int64_t t;			/* station seconds of the last good answer */
	double value[Q_COUNT];
	bool has[Q_COUNT];
	int failures;			/* polls in a row without a good answer */
	/* The good answer of the poll before, or prev_t 0 if that poll
	 * failed (or there was none): two readings in a row. */
	int64_t prev_t;
	double prev_value[Q_COUNT];
	bool prev_has[Q_COUNT];
	char detail[160];		/* what went wrong, in words and numbers */
};

/* Builds the sensor buses named in the configuration and starts polling.
 * NULL with one sentence in err on failure. */
struct readings *readings_new(struct app *app, char *err, size_t errlen);
/* Writes what is pending, then frees. */
void readings_free(struct readings *r);

/* Index as in cfg->sensors. */
const struct sensor_state *readings_sensor(const struct readings *r, int sensor);
/* Mean moisture of the zone's answering soil sensors, NAN if none;
 * *t is the time of the newest of them. */
double readings_zone_moisture(const struct readings *r, int zone, int64_t *t);
/* The first answering air sensor's values; false if none. */
bool readings_air(const struct readings *r, double *temp, double *humidity, int64_t *t);
/* A sensor's state in the farmer's words: "Mất kết nối cảm biến". */
const char *readings_status_text(enum sensor_status s);
/* Write pending readings to the database now (not while the clock is
 * known to be behind: app->clock_behind). */
int readings_flush(struct readings *r);
/* Pending readings written, and the roll-ups of the hour and the day
 * going on with them (store_readings_settle()): before an export, so
 * that it carries everything read until then. */
int readings_settle(struct readings *r);
/* The clock was set delta seconds forward (or back): what was read and
 * not yet written is re-dated. */
void readings_clock_set(struct readings *r, long long delta);

/* Poll every two seconds while on (a screen that watches a probe live,
 * such as calibration); calls nest. */
void readings_fast(struct readings *r, bool on);

/* Raw analog probes: the calibration in use (set is false if none), and
 * a new one, saved with the date and used from the next reading. -1 with
 * one sentence in err if the points are refused or cannot be saved. */
struct calibration;
const struct calibration *readings_calibration(const struct readings *r, int sensor);
int readings_calibrate(struct readings *r, int sensor, double dry, double wet, char *err,
		       size_t errlen);

/* The serial ports of the configuration, each a bus: how many; the k-th
 * as configured, what is opened for it (path), and its sensors (indexes
 * into cfg->sensors; room for cfg->n_sensors). */
int readings_ports(const struct readings *r);
const char *readings_port(const struct readings *r, int k, const char **path, int *sensors,
			  int *n);
/* Read port k through another adapter from now on, remembered in the
 * database; chosen NULL, or the configured port, goes back to that. */
int readings_choose_port(struct readings *r, int k, const char *chosen, char *err, size_t errlen);

#endif
