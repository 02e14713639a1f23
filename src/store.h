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
#define STORE_MISSING (-7)	/* no database there (STORE_RDONLY, STORE_EXISTING) */
#define STORE_CARD (-8)		/* the card refused a read or a write, or became
				 * read-only: store_card() says which */

/* Open flags. */
#define STORE_RDONLY 0x1	/* status and check: never write */
#define STORE_EXCLUSIVE 0x2	/* the running station: one at a time */
#define STORE_EXISTING 0x4	/* a station's database that is there: never
				 * made new, so a mistyped --db is said */

struct store;

/* On failure, err holds one sentence in the user's language. */
int store_open(const char *path, unsigned flags, struct store **out, char *err, size_t errlen);
void store_close(struct store *s);
const char *store_error(const struct store *s);
int store_schema_version(struct store *s);
int store_schema_latest(void);
/* The memory card holding the database, as the station's reads and
 * writes find it. A fault lasts until a write goes through again (after a
 * read failed, a read too), or, for a full card, room clearly comes back;
 * while the card fails, asking tries a read of it and a small write now
 * and then (at most every 2 seconds) to see whether it works again, so
 * that the station recovers by itself. store_card_try() tries at once:
 * before a record is begun. */
enum store_card {
	CARD_OK,
	CARD_FULL,	/* a write met a full card, or too little room is left
			 * to begin a record */
	CARD_FAILING,	/* a read or a write failed (EIO) */
	CARD_READONLY,	/* the system made it read-only, as it does when a
			 * card fails */
};
enum store_card store_card(struct store *s);
enum store_card store_card_try(struct store *s);
/* store_card() == CARD_FULL. */
bool store_card_full(struct store *s);
/* SQLite's quick check (PRAGMA quick_check) of the whole database, or of
 * its records only: every table but the readings and their roll-ups,
 * milliseconds whatever the years of readings. 0 when sound;
 * STORE_CORRUPT with what was found in err; another STORE_ code when the
 * check could not be made (busy, out of memory): nothing was found. */
enum store_check { STORE_CHECK_ALL, STORE_CHECK_RECORDS };
int store_check(struct store *s, enum store_check scope, char *err, size_t errlen);

int store_begin(struct store *s);
int store_commit(struct store *s);
void store_rollback(struct store *s);

int store_meta_get(struct store *s, const char *key, char *buf, size_t n);
int store_meta_set(struct store *s, const char *key, const char *value);

/* The event log. An alarm stays on the home screen until acknowledged. */
int store_event(struct store *s, int64_t t, const char *kind, const char *source,
		const char *detail, bool alarm);
/* fn is told after each alarm is written to the event log (the voice says
 * it); NULL: no one. One at a time. */
void store_on_alarm(struct store *s, void (*fn)(void *ctx), void *ctx);
int store_alarms_open(struct store *s, int *count);
/* The newest moment anything was written (readings, runs, events), or
 * the station noted it was alive. */
int store_last_alive(struct store *s, int64_t *t);
/* The newest moment the station's clock must not be before: of
 * readings, runs, events and records, leaving out the span a manager's
 * setting back of the clock declared wrong (store_clock_wrong_set). */
int store_newest_moment(struct store *s, int64_t *t);
/* The manager set the clock back to after: what was written so far dated
 * after it, up to until, was dated by a wrong clock. It stays as it is,
 * and no longer holds the clock back; what is written from now on does. */
int store_clock_wrong_set(struct store *s, int64_t after, int64_t until);
/* That span: (*after, *until]; both INT64_MAX when there is none. */
void store_clock_wrong_span(struct store *s, int64_t *after, int64_t *until);
/* The running station notes it is alive at t, while a pump runs, with
 * each running run's water so far (NAN: not measured): a page of the
 * file beside the database, rewritten in place each minute, where a
 * commit to the database would write four (store_pending.c). */
#define STORE_ALIVE_RUNS 16
struct alive_run {
	int64_t id;
	double litres;
};
int store_note_alive(struct store *s, int64_t t, const struct alive_run *runs, int n);
/* The newest note as it is now: its time (0: none) and its runs, at most
 * STORE_ALIVE_RUNS; how many. */
int store_alive_note(struct store *s, int64_t *t, struct alive_run *runs);

/* Readings. Quantities are the numbers of enum quantity (sensor.h). */
struct reading_row {
	int sensor;		/* from store_sensor_id() */
	int quantity;
	int64_t t;		/* seconds */
	double value;
};
int store_sensor_id(struct store *s, const char *code, int *id);
/* Adds a batch and brings up to date the hourly and daily roll-ups it
 * touches: for good those that have ended by now (station time), in
 * memory those going on. Of two readings of a sensor's quantity at the
 * same second, the one added last is kept. */
int store_readings_add(struct store *s, const struct reading_row *rows, int n, int64_t now);
/* At start: the roll-ups of the hours and days that have ended since the
 * last batch, and in memory those going on, from the raw readings. */
int store_readings_resume(struct store *s, int64_t now);
/* The readings kept fresh (see store_readings.c), and the roll-ups of
 * the hour and the day going on as far as they have gone, into the
 * database (before an export, and when the station stops). */
int store_readings_settle(struct store *s);
/* What a power cut left in the pending file, into the database (at the
 * running station's store_open()); and for another program, the
 * station's fresh batches, to read with the rest. */
int store_readings_recover(struct store *s);
int store_readings_look_ahead(struct store *s);
/* Deletes raw readings older than before, at most max_span seconds of
 * them from the oldest (a little at a time); returns how many rows. The
 * roll-ups stay. */
int store_readings_prune(struct store *s, int64_t before, int64_t max_span);
/* The sensors the database knows, by code: ids and codes into out (at
 * most max); returns how many, or a STORE_ code. */
struct sensor_code {
	int id;
	char code[32];
};
int store_sensors(struct store *s, struct sensor_code *out, int max);
/* Calls fn for each raw reading in [from, to), in order of time. */
typedef void store_reading_fn(void *ctx, const struct reading_row *r);
int store_readings_each(struct store *s, int64_t from, int64_t to, store_reading_fn *fn,
			void *ctx);

/* Roll-ups of readings: per hour (t is the hour's first second) or per
 * day (t is the day, days since 1970-01-01 on the station's calendar, as
 * text_day_of() counts them). For the sensors named by code, taken
 * together: the lowest any read, the mean of their means, the highest,
 * and how many readings. Points come in order of t, from <= t < to. */
enum store_rollup { ROLLUP_HOURLY, ROLLUP_DAILY };
typedef void store_point_fn(void *ctx, int64_t t, double lo, double mean, double hi,
			    int64_t n);
int store_rollup_series(struct store *s, enum store_rollup which, const char *const *codes,
			int n_codes, int quantity, int64_t from, int64_t to, store_point_fn *fn,
			void *ctx);
/* Calibrations of raw analog probes (the sensor by store_sensor_id()).
 * A new one supersedes; the newest applies; none is ever changed. */
int store_calibration_add(struct store *s, int sensor, double dry, double wet, int64_t t);
/* 1 and the newest, 0 if the sensor has none. */
int store_calibration_get(struct store *s, int sensor, double *dry, double *wet, int64_t *t);

/* The adapter picked on the keypad for a port of the configuration;
 * chosen NULL forgets the choice. get: 1 if there is one, else 0. */
int store_port_choice_set(struct store *s, const char *port, const char *chosen, int64_t t);
int store_port_choice_get(struct store *s, const char *port, char *chosen, size_t n,
			  int64_t *t);

/* A zone's soil moisture per day, from_day to to_day inclusive, for the
 * export: codes are the zone's soil sensors (config_zone_soil_sensors()). */
int store_moisture_daily(struct store *s, const char *const *codes, int n_codes, int from_day,
			 int to_day, store_point_fn *fn, void *ctx);
/* Calls fn for the newest stored value of each sensor and quantity. */
typedef void store_latest_fn(void *ctx, const char *sensor, int quantity, int64_t t,
			     double value);
int store_readings_latest(struct store *s, store_latest_fn *fn, void *ctx);

/* Pump runs, the irrigation diary: written when a run starts, completed
 * when it ends. */
enum run_reason { RUN_MANUAL, RUN_SCHEDULE, RUN_MOISTURE };
struct run_row {
	int64_t id;
	char pump[32];
	char zone[32];
	int reason;		/* enum run_reason */
	char who[96];		/* the worker's name, "" for the station itself */
	int64_t started, planned_end, ended;	/* ended 0: still running */
	char end_reason[16];
	double moisture_before, moisture_after;	/* NAN: not known */
	int64_t alive;		/* the last minute the run was known to go on */
	double power_kw;	/* the pump's, when it ran */
	/* kWh by tariff band (enum tariff_band: off-peak, normal, peak) and
	 * their cost at the prices of the day; what the same energy would
	 * have cost at the peak price. */
	double kwh[3];
	double cost[3];
	double cost_at_peak;
	int64_t scheduled_for;	/* a schedule's run: the time it asked for */
	int64_t record;		/* fertigation: the fertilizing record, or 0 */
	double litres;		/* water given, measured; NAN: not measured */
	/* A dosing run: its phases' minutes; all 0 for plain water. */
	int wetting, dosing, flushing;
};
int store_run_begin(struct store *s, struct run_row *r);
/* Completes the run r->id: ended, end_reason, moisture_after, energy. */
int store_run_end(struct store *s, const struct run_row *r);
/* The run goes on at t, having given litres so far (NAN: not measured):
 * a heartbeat while pumps run. */
int store_run_alive(struct store *s, int64_t id, int64_t t, double litres);
int store_run_link_record(struct store *s, int64_t id, int64_t record);
/* A run's start, planned end and heartbeat told again after the clock
 * was set; of a finished run (r->ended), its end and energy too. */
int store_run_redate(struct store *s, const struct run_row *r);
/* Runs with no end, oldest first; returns how many (at most max). */
int store_runs_open(struct store *s, struct run_row *out, int max);
/* Runs newest first from offset; returns how many it wrote (at most
 * max); *total: how many there are. */
int store_runs_page(struct store *s, int offset, struct run_row *out, int max, int *total);
/* The newest finished run of pump: 1 and *out, 0 when it never ran, < 0
 * on error. */
int store_run_last(struct store *s, const char *pump, struct run_row *out);
/* Finished runs that started in [from, to), added up. */
struct runs_total {
	int runs;
	int64_t seconds;
	double litres;		/* of the runs that measured theirs */
	int metered;		/* how many runs measured their water */
	double kwh[3];
	double cost[3];
	double cost_at_peak;
	int automatic;		/* runs nobody had to start: a schedule's, the soil's */
};
int store_runs_total(struct store *s, int64_t from, int64_t to, struct runs_total *out);
/* The same by zone: fn once per zone ("" for runs of no zone) with its
 * finished runs that started in [from, to). */
struct zone_total {
	int runs;
	int64_t seconds;
	double kwh;
	double litres;		/* of the runs that measured theirs */
	int metered;
	int64_t metered_seconds;	/* the time those ran */
};
typedef void store_zone_total_fn(void *ctx, const char *zone, const struct zone_total *t);
int store_runs_by_zone(struct store *s, int64_t from, int64_t to, store_zone_total_fn *fn,
		       void *ctx);
/* Has the zone had a run for the schedule time t (run or cut short)? 1
 * yes, 0 no, negative when the card could not tell. */
int store_has_run_for_schedule(struct store *s, const char *zone, int64_t t);
const char *store_run_reason_name(int reason);

/* Watering schedules (src/store_schedules.c). */
struct schedule_row {
	int64_t id;		/* 0: not saved yet */
	char zone[32];
	int days;		/* bit 0 = Sunday ... bit 6 = Saturday */
	int start_min;		/* minutes after local midnight */
	int minutes;
	int64_t changed;	/* when it was saved as it is */
};
/* Every schedule, by start time; returns how many (at most max). */
int store_schedules_load(struct store *s, struct schedule_row *out, int max);
/* Inserts (id 0, then set) or replaces r. */
int store_schedule_save(struct store *s, struct schedule_row *r, int64_t now);
int store_schedule_delete(struct store *s, int64_t id);
/* Watering by soil moisture switched on for zone at t, replacing the
 * zone's schedules among sched[0..n) (kept, whatever becomes of them),
 * or switched off; either way the zone's switch before ends at t. Call
 * it inside store_begin() with the setting it goes with. */
int store_moisture_switch(struct store *s, const char *zone, int64_t t, bool on,
			  const struct schedule_row *sched, int n);
/* zone's schedules deleted in [from, to], as the event log keeps them,
 * the newest first; returns how many (at most max). */
int store_schedules_deleted(struct store *s, const char *zone, int64_t from, int64_t to,
			    struct schedule_row *out, int max);
#define SWITCH_SCHED_MAX 8
#define MOISTURE_SWITCHES_MAX 16
struct moisture_switch {
	int64_t since, until;	/* until 0: still on */
	int n_sched;		/* the schedules it replaced; 0: none known */
	struct schedule_row sched[SWITCH_SCHED_MAX];
};
/* zone's switches to moisture that were on during [from, to), oldest
 * first; returns how many (at most max and MOISTURE_SWITCHES_MAX). */
int store_moisture_switches(struct store *s, const char *zone, int64_t from, int64_t to,
			    struct moisture_switch *out, int max);

/* The event log's alarms (src/store_events.c). */
struct event_row {
	int64_t id, t;
	char kind[32], source[32], detail[128];
};
/* Alarms not yet acknowledged, newest first; returns how many. */
int store_alarms_list(struct store *s, struct event_row *out, int max);
int store_alarm_ack(struct store *s, int64_t id, int64_t t);
/* Is an alarm of this kind and source waiting to be acknowledged? 1 yes,
 * 0 no, negative when the card could not tell. */
int store_has_alarm_waiting(struct store *s, const char *kind, const char *source);
/* Irrigation of a zone between two moments: calls fn once per pump with
 * the finished runs that started in [from, to), their total seconds, and
 * their kWh and cost as stored with each run when it ran (what the
 * exported diary shows). */
typedef void store_zone_runs_fn(void *ctx, const char *pump, int runs, int64_t seconds,
				double kwh, double cost);
int store_runs_zone(struct store *s, const char *zone, int64_t from, int64_t to,
		    store_zone_runs_fn *fn, void *ctx);

/* Farm records (src/store_records.c): fertilizing, spraying, harvests.
 * Never changed in place: a correction is a new row whose `corrects`
 * names the old one. Names are kept as they were when entered. Days are
 * whole days since 1970-01-01 (text_day_of()), stored as YYYY-MM-DD. */
enum record_kind { REC_FERTILIZE, REC_SPRAY, REC_HARVEST, REC_KINDS };
enum record_method { METHOD_NONE, METHOD_VENTURI, METHOD_HAND, METHOD_INJECTOR };
/* Why a product that is not organic was used on an organic zone. */
enum organic_reason { ORGANIC_NONE, ORGANIC_OUTBREAK, ORGANIC_MISTAKE, ORGANIC_UNAVAILABLE,
		      ORGANIC_OTHER, ORGANIC_REASONS };

#define REC_ID_LEN 32
#define REC_NAME_LEN 96
#define LOT_CODE_LEN 24

struct record_row {
	int64_t id;
	int kind;			/* enum record_kind */
	int day;			/* the day the work was done */
	char zone[REC_ID_LEN], zone_name[REC_NAME_LEN];
	/* Fertilizing and spraying. */
	char product[REC_ID_LEN], product_name[REC_NAME_LEN];
	bool organic;			/* the product, as the config said */
	double amount;
	char unit[16];
	int method;			/* fertilizing: enum record_method */
	char target[REC_NAME_LEN];	/* spraying: the pest */
	int phi_days;			/* spraying: pre-harvest interval */
	int harvest_from;		/* spraying: day + phi_days */
	/* Harvests. */
	char crop[REC_NAME_LEN];
	double kg;
	char grade[REC_NAME_LEN], buyer[REC_NAME_LEN];	/* "" when not given */
	char lot[LOT_CODE_LEN];
	int64_t phi_override;		/* the spray a manager overrode, or 0 */
	/* A product that is not organic on an organic zone, allowed by the
	 * manager: why (enum organic_reason), or 0. */
	int organic_override;
	/* Every record. */
	char who[REC_ID_LEN], who_name[REC_NAME_LEN];
	int64_t entered_at;		/* seconds */
	int64_t corrects;		/* 0, or the record this one replaces */
	bool voided;			/* says the corrected record was a mistake */
	int64_t corrected_by;		/* read only: 0, or the correcting record */
};

int store_record_add(struct store *s, struct record_row *r);
/* 1 and *r; 0 when there is no such record. */
int store_record_get(struct store *s, int64_t id, struct record_row *r);
/* The record that a chain of corrections ending in id started from (id's
 * own when it corrects nothing): 1 and *r; 0 when there is no record id. */
int store_record_first(struct store *s, int64_t id, struct record_row *r);
/* The current record of a lot, the last of its corrections: 1 and *r; 0
 * when there is no such lot. */
int store_record_by_lot(struct store *s, const char *lot, struct record_row *r);
/* Records of one kind, newest day first, from offset; returns how many
 * it wrote (at most max). *total: how many there are. */
int store_records_page(struct store *s, int kind, int offset, struct record_row *out, int max,
		       int *total);
/* Current (not corrected, not voided) records of a zone from day `from`
 * to day `to` inclusive, oldest first. */
typedef void store_record_fn(void *ctx, const struct record_row *r);
int store_records_zone(struct store *s, const char *zone, int from, int to,
		       store_record_fn *fn, void *ctx);
/* Every record, corrections too, in the order entered. */
int store_records_each(struct store *s, store_record_fn *fn, void *ctx);
/* The first current record of zone, on day `to` or before, that used a
 * product that is not organic: 1 and *r; 0 when there is none. */
int store_organic_lost(struct store *s, const char *zone, int to, struct record_row *r);
/* Is there a current spray of zone on or before day whose interval ends
 * after day? 1 and *r (the one that ends last); 0 when none. */
int store_has_spray_blocking(struct store *s, const char *zone, int day, struct record_row *r);
/* The next free sequence number of the lots of a day (1 for the first). */
int store_lot_next(struct store *s, int day, int *seq);
int store_lot_add(struct store *s, const char *code, int day, int seq);
/* The newest moment a record was entered, 0 if none, leaving out the
 * span of a wrong clock (store_clock_wrong_set). */
int store_records_newest(struct store *s, int64_t *t);
const char *store_record_kind_name(int kind);

/* Doses through the line (src/store_dosing.c): each injector's part of
 * a dosing run, written when the run starts, its progress each minute
 * (started, alive, litres of stock given), and its end with the record
 * it wrote. A tank's book: refills (+), doses (-) and drains (-), the
 * stock being their sum. */
struct dose_row {
	int64_t id, run;
	char injector[REC_ID_LEN], injector_name[REC_NAME_LEN];
	char tank[REC_ID_LEN], tank_name[REC_NAME_LEN];
	char product[REC_ID_LEN], product_name[REC_NAME_LEN];
	char unit[16];
	int kind;			/* REC_FERTILIZE or REC_SPRAY */
	char target[REC_NAME_LEN];	/* a spray: the pest */
	char zone[REC_ID_LEN];
	char who[REC_ID_LEN], who_name[REC_NAME_LEN];
	double concentration;		/* product a litre of stock, at the start */
	double planned_litres;
	int64_t started, alive, ended;	/* 0: not yet */
	double litres;			/* stock given */
	char end_reason[16];
	int64_t record;			/* the record it wrote, 0 none */
};
int store_dose_add(struct store *s, struct dose_row *d);
int store_dose_progress(struct store *s, const struct dose_row *d);
int store_dose_end(struct store *s, const struct dose_row *d);
/* Doses with no end (a power cut, a record not written), oldest first. */
int store_doses_open(struct store *s, struct dose_row *out, int max);
int store_doses_of_run(struct store *s, int64_t run, struct dose_row *out, int max);

enum tank_kind { TANK_REFILL, TANK_DOSE, TANK_DRAIN };
struct tank_row {
	int64_t id;
	char tank[REC_ID_LEN], tank_name[REC_NAME_LEN];
	int kind;			/* enum tank_kind */
	int day;
	char product[REC_ID_LEN], product_name[REC_NAME_LEN];
	char unit[16];
	double amount;			/* of product, in unit: + in, - out */
	double litres;			/* of stock solution: + in, - out */
	char lot[32];			/* a refill: the supplier's lot number */
	char who[REC_ID_LEN], who_name[REC_NAME_LEN];
	int64_t entered_at;
	int64_t dose;			/* a dose's row, 0 none */
};
struct tank_stock {
	double litres, amount;
	char product[REC_ID_LEN], product_name[REC_NAME_LEN];	/* of the newest refill */
	char unit[16];
};
int store_tank_add(struct store *s, struct tank_row *t);
int store_tank_stock(struct store *s, const char *tank, struct tank_stock *out);
/* A tank's book, newest first, from offset; *total: how many rows. */
int store_tank_page(struct store *s, const char *tank, int offset, struct tank_row *out, int max,
		    int *total);
const char *store_tank_kind_name(int kind);

/* This database's own station (store_export.c). The uid is made once,
 * with the database; code, name and the names of zones, pumps and sensors
 * are remembered from the configuration each time the console starts, so
 * that an export or an office far from the configuration can show them. */
struct store_name {
	const char *kind;	/* "zone", "pump", "sensor", "product", "worker" */
	const char *id;
	const char *name;
	const char *zone;	/* sensors: their zone; else NULL */
};
int store_station_remember(struct store *s, const char *code, const char *name,
			   const struct store_name *names, int n);
/* Is this an office's database, holding stations merged into it? */
bool store_is_office(struct store *s);
/* Empty strings for what was never remembered. */
int store_station_identity(struct store *s, char *uid, size_t uid_n, char *code,
			   size_t code_n, char *name, size_t name_n);

/* Exports (store_export.c): each CSV is a diary, a table of columns with
 * their header, their kind and the SQL that gives them, so that a new
 * field is one more row. In the SQL, ?1 is the own station's code and ?2
 * the local time's offset from UTC in seconds. */
enum export_kind {
	EXP_TEXT,
	EXP_INT,
	EXP_REAL,	/* with `decimals` */
	EXP_DAY,	/* text YYYY-MM-DD */
	EXP_TIME,	/* Unix seconds, shown as local date and time */
	EXP_WORD,	/* a stored code, shown in the reader's words */
};
struct export_word {
	const char *code;
	const char *label;	/* msgid */
};
struct export_col {
	const char *header;	/* msgid */
	int kind;		/* enum export_kind */
	const char *sql;
	int decimals;
	const struct export_word *words;	/* EXP_WORD: NULL-ended */
};
struct export_diary {
	const char *file;	/* its name in the export folder */
	const char *title;	/* msgid: what is being written */
	const char *from;	/* FROM ... WHERE ... */
	const char *order;	/* ORDER BY ... */
	const struct export_col *cols;
	int n_cols;
	const char *count;	/* SQL estimating the rows; NULL: count them */
};
struct export_params {
	const char *code;	/* own station */
	long utc_offset;	/* seconds east of UTC */
};

/* The diaries every export writes, in order. */
const struct export_diary *store_export_diaries(int *n);
/* The harvest lots' codes, oldest first. */
const struct export_diary *store_export_lots(void);
/* The stations merged into an office's database: code, name, merged. */
const struct export_diary *store_export_stations(void);
/* The label of a stored code in col's words, or NULL. */
const char *store_export_word(const struct export_col *col, const char *code);

/* Rows of a diary, one at a time. */
struct store_cursor;
int store_cursor_open(struct store *s, const struct export_diary *d,
		      const struct export_params *p, struct store_cursor **out);
/* 1: a row is ready; 0: no more rows; negative: failed. */
int store_cursor_next(struct store_cursor *c);
bool store_cursor_null(struct store_cursor *c, int col);
int64_t store_cursor_int(struct store_cursor *c, int col);
double store_cursor_real(struct store_cursor *c, int col);
const char *store_cursor_text(struct store_cursor *c, int col);	/* never NULL */
void store_cursor_close(struct store_cursor *c);
/* How many rows a diary has, or about how many. */
int store_export_count(struct store *s, const struct export_diary *d,
		       const struct export_params *p, int64_t *n);

/* A read transaction over the whole export: every file shows one moment. */
int store_snapshot_begin(struct store *s);
void store_snapshot_end(struct store *s);
/* The oldest and newest time of anything recorded (0 when empty). */
int store_export_span(struct store *s, int64_t *from, int64_t *to);
/* The database's size in bytes. */
int store_size(struct store *s, int64_t *bytes);

/* The office (store_merge.c): copies of stations' databases merged into
 * one, a station's rows told apart by its uid. */
struct backup_facts {
	char uid[40], code[16], name[128];
	int schema;
	int64_t data_until;	/* the newest moment it holds (the caller's) */
};
/* The longest text or blob an office takes in a station's copy: a
 * station writes none longer than a few hundred bytes. */
#define STORE_COPY_MAX_VALUE (64 * 1024)
/* Checks an untrusted copy of a station's database (path: absolute, a
 * file of the caller's that nothing else writes), opened read-only and
 * immutable, with SQLite's defences on (nothing in it runs, limits on
 * what a statement may take): a station database (application_id, schema
 * version, exactly a station's tables, indexes and SQLite's own objects,
 * and nothing else whatever its name), whole (integrity and references),
 * no value longer than STORE_COPY_MAX_VALUE, a station's and not an
 * office's, with its uid. 0 with the facts, or -1 with the reason in err. */
int store_backup_inspect(const char *path, struct backup_facts *f, char *err, size_t errlen);
/* Makes s an office database, or checks that it is one: a station's own
 * database is refused. 0, or -1 with err. */
int store_office_prepare(struct store *s, char *err, size_t errlen);

#define MERGE_MAX_TABLES 16
struct merge_result {
	int station;			/* its number in the office */
	int64_t new_station;		/* 1: merged for the first time */
	int same_code;			/* other stations here with its code */
	int64_t added[MERGE_MAX_TABLES];	/* by store_merge_table(i) */
	int64_t filled[MERGE_MAX_TABLES];	/* rows that learnt something */
};
/* Merges the checked, up-to-date copy at path (absolute) into s, in one
 * transaction, the copy attached read-only and immutable, and no value
 * far longer than STORE_COPY_MAX_VALUE read from it (a copy that was not
 * inspected may come this far). 0, or < 0 with err (nothing merged). */
int store_merge(struct store *s, const char *copy, const struct backup_facts *f, int64_t now,
		struct merge_result *r, char *err, size_t errlen);
int store_merge_table_count(void);
const char *store_merge_table(int i);
/* Is table merged, or named as not merged? (Every table must be one.) */
bool store_merge_decided(const char *table);

/* The office link's outbox (store_outbox.c). With the outbox on, every
 * record, run, event, calibration, dose, tank entry and day of sensor
 * roll-ups the station writes or changes is queued in the same
 * transaction, in order (seq); once is enough for a row that waits
 * already. Off (no [uplink]), nothing is queued. */
int store_outbox_enable(struct store *s);
struct outbox_state {
	int64_t waiting;		/* rows the office has not confirmed */
	int64_t unsent;			/* of which the broker has not taken */
	int64_t confirmed_at;		/* when the office last confirmed; 0 never */
	int64_t dropped_days;		/* days of roll-ups given up for room */
	int64_t dropped_events;		/* events (not alarms) given up for room */
	int64_t last_sent;		/* the newest seq the broker took; 0 none */
	int64_t confirmed;		/* the newest seq the office confirmed; 0 none */
};
int store_outbox_state(struct store *s, struct outbox_state *o);
/* The next batch to send: at most max rows not yet sent, in seq order,
 * as a station database image holding those rows and every row they
 * refer to, the station's names and identity (what the office's merge
 * takes from a stick's copy). 1 with *image (malloc'd), *len and the
 * seq range; 0 when nothing waits; < 0 on error. */
int store_outbox_image(struct store *s, int max, uint8_t **image, size_t *len, int64_t *first,
		       int64_t *last);
/* The broker took first..last at now. */
int store_outbox_sent(struct store *s, int64_t first, int64_t last, int64_t now);
/* The office confirmed everything up to seq, at now: those rows go. */
int store_outbox_confirmed(struct store *s, int64_t seq, int64_t now);
/* What was sent after seq is sent again (the office did not get it). */
int store_outbox_resend(struct store *s, int64_t seq);
/* Keeps the outbox at most max rows (a full card: none of the days of
 * roll-ups): roll-ups give way first, then events that are not alarms;
 * records, runs, alarms, calibrations, doses and tank entries never. The
 * rows given up are counted in *dropped, and the days and events they
 * were in the outbox's state (the card still holds them; the stick
 * carries them). */
int store_outbox_bound(struct store *s, int64_t max, bool card_full, int64_t *dropped);

/* The office's trust in stations' signing keys (store_trust.c). */
struct trusted_station {
	char uid[40], code[16], name[128];
	uint8_t key[32];		/* the station's Ed25519 public key */
	char fingerprint[24];
	int64_t trusted_at;
	char trusted_by[64];
};
/* 1 and *t when the office trusts the station uid; 0 when it does not. */
int store_trusted_get(struct store *s, const char *uid, struct trusted_station *t);
/* 1 when the station uid's key was trusted from board; 0 when not. */
int store_trusted_board(struct store *s, const char *uid, const char *board);
/* Trusts t's station with its key, from board, in one transaction: a new
 * station, a known key from a new board, or a new key of a station
 * trusted before (the old key's boards are forgotten with it). */
int store_trust(struct store *s, const struct trusted_station *t, const char *board);

/* A copy of the whole database by SQLite's online backup, made a few
 * pages at a time, into the file dest (made by the caller, or made here;
 * dest's path must hold no symbolic link). The copy is left in
 * rollback-journal mode, so that it opens read-only anywhere.
 * STORE_BACKUP_NO_SECRETS: a copy for a stick, without the manager PIN's
 * hash and its lock-out (the rows are not in it, and the hash never
 * reaches dest, not even for a moment); local backups keep them.
 * STORE_BACKUP_ON_CARD: dest is on the station's own card (a local
 * backup): a copy the card refuses says the card fails (store_card()).
 * STORE_BACKUP_OVER_OLD: dest holds an older copy of the database; a page
 * it already holds as it is is not written again, so that bringing a
 * backup of years up to date writes the week's pages, not the years'. */
#define STORE_BACKUP_NO_SECRETS 0x1
#define STORE_BACKUP_ON_CARD 0x2
#define STORE_BACKUP_OVER_OLD 0x4
struct store_backup;
int store_backup_begin(struct store *s, const char *dest, unsigned flags,
		       struct store_backup **out);
/* The same copy for a stick (without secrets) made over base_fd, an
 * earlier copy of base_bytes on the stick, read only: only the pages that
 * differ from it are written, into delta_fd (src/store_delta.h), the new
 * empty file at dest, which SQLite opens but does not write. The base
 * must have the database's page size (STORE_ERR otherwise). Both
 * descriptors stay the caller's. */
int store_backup_begin_delta(struct store *s, const char *dest, int delta_fd, int base_fd,
			     int64_t base_bytes, struct store_backup **out);
/* 1: more to copy; 0: copied; negative: failed (see store_backup_errno). */
int store_backup_step(struct store_backup *b, int pages);
/* Pages copied so far and in all. */
void store_backup_progress(const struct store_backup *b, int *done, int *total);
/* Of what was copied, the pages written to dest and those it held as
 * they are (STORE_BACKUP_OVER_OLD; counted as the copy is written). */
void store_backup_writes(const struct store_backup *b, long long *written, long long *same);
/* Finishes the copy and closes the file; 0 or negative. */
int store_backup_finish(struct store_backup *b);
/* The system error behind a failure (ENOSPC, EIO...), or 0. */
int store_backup_errno(const struct store_backup *b);
/* Frees; a copy not finished is left as it is, for the caller to remove. */
void store_backup_free(struct store_backup *b);

#endif
