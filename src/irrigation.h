/* Pump runs: by hand, by schedule and by soil moisture. Every run has an
 * end: the minutes chosen, never beyond the pump's max_minutes, kept by a
 * timer of the station's own loop, so that water never depends on the
 * screen. Relays are off at start and exit, and every relay goes off when
 * one fails. Schedules and automatic watering keep out of peak hours
 * unless the soil is below its critical level; a run during which the
 * soil does not get wetter raises an alarm. */
#ifndef FS_IRRIGATION_H
#define FS_IRRIGATION_H

#include "dosing.h"
#include "store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct app;
struct irrigation;

/* Why irrigation_start() refused (the sentence is in err). */
#define IRR_REFUSED (-1)
#define IRR_FAILED (-2)		/* the relay or the database failed */

/* A scheduled run waits at most this long for a free pump. */
#define IRR_SCHEDULE_WAIT (2 * 3600)
/* An automatic run cut short by peak hours is not started for less. */
#define IRR_MIN_AUTO_MINUTES 5

/* Builds every pump's relay and drives it off, touching nothing of the
 * database (app->store may not be open yet: relays go off first, however
 * long the database takes to open or check). A GPIO relay that cannot be
 * set up leaves its pump unavailable (irrigation_unavailable()), and the
 * others work. NULL with err on failure. */
struct irrigation *irrigation_new(struct app *app, char *err, size_t errlen);
/* Once app->store is open: runs left open by a power cut are closed in
 * the diary and reported, each unavailable pump is an alarm, schedules
 * and the watering by moisture chosen are loaded, and the timer starts. */
void irrigation_resume(struct irrigation *irr);
/* Ends every run, drives every relay off, frees. */
void irrigation_free(struct irrigation *irr);

/* Would a run of pump for minutes be allowed now? 0, or IRR_REFUSED with
 * the sentence in err. Nothing is started. */
int irrigation_check_start(const struct irrigation *irr, int pump, int minutes, char *err,
			   size_t errlen);
/* Starts pump for minutes (for the first zone it waters). who: the
 * worker's name or NULL. 0, IRR_REFUSED or IRR_FAILED with err. */
int irrigation_start(struct irrigation *irr, int pump, int minutes, int reason,
		     const char *who, char *err, size_t errlen);
int irrigation_stop(struct irrigation *irr, int pump, const char *end_reason);
/* Every relay off now, every run ended (a driver error, shutdown). */
void irrigation_stop_all(struct irrigation *irr, const char *end_reason);
/* The fertilizing record written with pump's current run. */
int irrigation_link_record(struct irrigation *irr, int pump, int64_t record);
/* Starts pump for minutes with fertilizer through its venturi: rec (a
 * fertilizing record, method venturi) is checked before water moves and
 * written with the run; if it cannot be, the pump stops again. */
int irrigation_start_fertigation(struct irrigation *irr, int pump, int minutes, const char *who,
				 struct record_row *rec, char *err, size_t errlen);

/* Dosing runs (src/dosing.c): would plan start now? 0, or IRR_REFUSED
 * with err; warn (may be NULL) says what the farmer should know first (a
 * tank that will run dry). Fills plan's estimates. */
int irrigation_check_dosing(struct irrigation *irr, struct dose_plan *plan, char *err,
			    size_t errlen, char *warn, size_t warnlen);
/* Starts a dosing run: wetting, dosing, flushing. 0, IRR_REFUSED or
 * IRR_FAILED with err. */
int irrigation_start_dosing(struct irrigation *irr, struct dose_plan *plan, char *err,
			    size_t errlen);
/* The phase of pump's run and the minutes left in it (PHASE_NONE: plain
 * water, or not running; then minutes_left is not set). */
enum dose_phase irrigation_phase(const struct irrigation *irr, int pump, int *minutes_left);
/* Stops the dosing now (the records say what was given) and flushes the
 * pipes before the pump stops. */
int irrigation_end_dosing(struct irrigation *irr, int pump);

/* Ends runs whose time is up, starts what schedules and soil moisture
 * ask for, checks that running water wets the soil. The loop's timer
 * calls this; tests call it after moving a manual clock. */
void irrigation_tick(struct irrigation *irr);

bool irrigation_running(const struct irrigation *irr, int pump, int64_t *until);
/* The current run of pump (its diary row so far); false if none. */
bool irrigation_run(const struct irrigation *irr, int pump, struct run_row *out);
int irrigation_running_count(const struct irrigation *irr);
/* Why injector i (cfg->injectors) cannot be used, or NULL. */
const char *irrigation_injector_unavailable(const struct irrigation *irr, int i);
/* The injectors and their doses, for the screens that choose a dose. */
struct dosing *irrigation_dosing(const struct irrigation *irr);
/* Why meter m (cfg->meters) cannot be used, or NULL. */
const char *irrigation_meter_unavailable(const struct irrigation *irr, int m);
/* Why pump cannot be used (its relay could not be set up), or NULL. */
const char *irrigation_unavailable(const struct irrigation *irr, int pump);
/* The newest finished run of pump (why and when it stopped); false if it
 * never ran. */
bool irrigation_last_run(const struct irrigation *irr, int pump, struct run_row *out);
/* Counts every start and stop of a pump: what was said before it changed
 * may no longer hold. */
unsigned irrigation_changes(const struct irrigation *irr);
/* The clock was set, moved by delta seconds: a running run keeps its
 * minutes (its times in the diary move with the clock), runs by hand
 * that ended while app->clock_behind move too, and schedules are looked
 * at again as at start-up, with the right time. No schedule or watering
 * by moisture runs while app->clock_behind; pumps run by hand. */
void irrigation_clock_set(struct irrigation *irr, long long delta);

/* Schedules, by start time. */
const struct schedule_row *irrigation_schedules(const struct irrigation *irr, int *n);
/* Saves s (new when s->id is 0) if schedule_check() allows it. 0, or -1
 * with err. */
int irrigation_schedule_save(struct irrigation *irr, struct schedule_row *s, char *err,
			     size_t errlen);
int irrigation_schedule_delete(struct irrigation *irr, int64_t id, char *err, size_t errlen);

/* The next scheduled run: its zone, the time it will start and the time
 * its schedule asked for (later when peak hours move it). */
struct irr_upcoming {
	int zone;
	int minutes;
	time_t at, asked;
	bool moved;		/* by peak hours */
};
bool irrigation_next_scheduled(const struct irrigation *irr, struct irr_upcoming *u);

/* Watering by soil moisture, per zone: start below moisture_low, stop at
 * moisture_high or at the pump's max_minutes. Switched on, the zone's
 * schedules are kept as what moisture replaced (src/savings.c): those it
 * has then, or if none, those deleted in the IRR_REPLACED_RECENT before. */
#define IRR_REPLACED_RECENT (7 * 86400)
bool irrigation_by_moisture(const struct irrigation *irr, int zone);
int irrigation_set_by_moisture(struct irrigation *irr, int zone, bool on);

/* Why a run started and why it ended, in the farmer's words. */
const char *irrigation_reason_label(int reason);
const char *irrigation_end_label(const char *end_reason);

#endif
