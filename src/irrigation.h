/* Pump runs. Every run has an end: the minutes chosen, never beyond the
 * pump's max_minutes, kept by a timer of the station's own loop, so that
 * water never depends on the screen. Relays are off at start and exit. */
#ifndef FS_IRRIGATION_H
#define FS_IRRIGATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct app;
struct irrigation;

/* Why irrigation_start() refused (the sentence is in why). */
#define IRR_REFUSED (-1)
#define IRR_FAILED (-2)		/* the relay or the database failed */

/* Builds every pump's relay and drives it off. Runs left open by a power
 * cut are closed in the diary and reported. NULL with err on failure. */
struct irrigation *irrigation_new(struct app *app, char *err, size_t errlen);
/* Ends every run, drives every relay off, frees. */
void irrigation_free(struct irrigation *irr);

int irrigation_start(struct irrigation *irr, int pump, int minutes, int reason,
		     const char *who, char *why, size_t whylen);
int irrigation_stop(struct irrigation *irr, int pump, const char *end_reason);
/* Every relay off now, every run ended (a driver error, shutdown). */
void irrigation_stop_all(struct irrigation *irr, const char *end_reason);

/* End the runs whose time is up; the loop's timer calls this. */
void irrigation_tick(struct irrigation *irr);

bool irrigation_running(const struct irrigation *irr, int pump, int64_t *until);
int irrigation_running_count(const struct irrigation *irr);
/* Runs the last power cut left open, closed at start-up: how many, and a
 * sentence saying so (empty when none). */
int irrigation_power_cut_report(const struct irrigation *irr, char *buf, size_t n);

/* Why a run started, in the farmer's words. */
const char *irrigation_reason_label(int reason);

#endif
