/* The station's one store: a SQLite database in WAL mode with
 * synchronous=FULL, its schema versioned with PRAGMA user_version and
 * migrated forward at open. Every SQL statement of the station is in
 * src/store*.c. Functions return 0 or a negative STORE_ code. */
#ifndef FS_STORE_H
#define FS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_ERR (-1)		/* anything else; store_error() says what */
#define STORE_FULL (-2)		/* the card is full */
#define STORE_READONLY (-3)	/* the file or its folder cannot be written */
#define STORE_CORRUPT (-4)	/* damaged, or not a station database */
#define STORE_LOCKED (-5)	/* another station process holds it */
#define STORE_NEWER (-6)	/* made by a newer fieldstation */

/* Open flags. */
#define STORE_RDONLY 0x1	/* status and check: never write */
#define STORE_EXCLUSIVE 0x2	/* the running station: one at a time */

struct store;

/* On failure, err holds one sentence in the user's language. */
int store_open(const char *path, unsigned flags, struct store **out, char *err, size_t errlen);
void store_close(struct store *s);
const char *store_error(const struct store *s);
int store_schema_version(struct store *s);
int store_schema_latest(void);
/* PRAGMA quick_check; 0 when the database is sound. */
int store_check(struct store *s, char *err, size_t errlen);

int store_begin(struct store *s);
int store_commit(struct store *s);
void store_rollback(struct store *s);

int store_meta_get(struct store *s, const char *key, char *buf, size_t n);
int store_meta_set(struct store *s, const char *key, const char *value);

/* The event log. An alarm stays on the home screen until acknowledged. */
int store_event(struct store *s, int64_t t, const char *kind, const char *source,
		const char *detail, bool alarm);
int store_alarms_open(struct store *s, int *count);
/* The newest moment anything was written (readings, runs, events). */
int store_last_alive(struct store *s, int64_t *t);

/* Readings. Quantities are the numbers of enum quantity (sensor.h). */
struct reading_row {
	int sensor;		/* from store_sensor_id() */
	int quantity;
	int64_t t;		/* seconds */
	double value;
};
int store_sensor_id(struct store *s, const char *code, int *id);
int store_readings_add(struct store *s, const struct reading_row *rows, int n);
/* Calls fn for the newest stored value of each sensor and quantity. */
typedef void store_latest_fn(void *ctx, const char *sensor, int quantity, int64_t t,
			     double value);
int store_readings_latest(struct store *s, store_latest_fn *fn, void *ctx);

/* Pump runs: written when a run starts, completed when it ends. */
enum run_reason { RUN_MANUAL, RUN_SCHEDULE, RUN_MOISTURE };
struct run_row {
	int64_t id;
	char pump[32];
	char zone[32];
	int reason;		/* enum run_reason */
	char who[96];
	int64_t started, planned_end, ended;	/* ended 0: still running */
	char end_reason[16];
	double moisture_before, moisture_after;	/* NAN: not known */
};
int store_run_begin(struct store *s, struct run_row *r);
int store_run_end(struct store *s, int64_t id, int64_t ended, const char *end_reason,
		  double moisture_after);
/* Runs with no end, oldest first; returns how many (at most max). */
int store_runs_open(struct store *s, struct run_row *out, int max);
const char *store_run_reason_name(int reason);

#endif
