/* The water a run really gives: pulse meters in the pumps' lines (and in
 * injectors' lines), counted from their file descriptors in the one poll
 * loop, or a flow sensor's readings over the run. A second of pulses a
 * meter cannot give for real is noise: an alarm, never water. A meter
 * whose GPIO line cannot be set up is unavailable, with an alarm, and the
 * station runs on without it. */
#ifndef FS_WATER_H
#define FS_WATER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct app;
struct relay;
struct water;

/* What one run has measured so far. */
struct water_run {
	double litres;		/* NAN: nothing measures this run */
	/* The no-water check: a window of at least WATER_WINDOW_MS after the
	 * grace, its flow below the minimum, twice in a row. */
	int64_t window_ms;	/* steady start of the window; 0: not begun */
	double window_litres;
	bool window_noisy;	/* noise in it: the window says nothing */
	int low_windows;
	double last_flow;	/* litres a minute of the last window */
	bool noise_told;	/* the noise alarm of this run was raised */
	int64_t flow_t;		/* flow sensor: the newest reading counted */
};

#define WATER_WINDOW_MS 30000

/* Builds every meter of the configuration: sim meters measure the relay
 * of their pump or injector (relays[p], injectors[i], as irrigation and
 * dosing made them). NULL only when
 * memory runs out. */
struct water *water_new(struct app *app, struct relay *const *relays,
			struct relay *const *injectors);
void water_free(struct water *w);

/* Why meter m cannot be used, or NULL. */
const char *water_meter_unavailable(const struct water *w, int m);
/* Pulses of meter m judged water since the last call, and noise: for
 * injectors' own meters. final: what it measures is over, judge all of
 * it (see meter_take()). false when the meter cannot be used. */
bool water_meter_take(struct water *w, int m, bool final, double *litres, uint64_t *noise,
		      uint64_t *noisiest);

/* The alarm of a meter sending noise, for the run or dose (owner: the
 * pump's or injector's id) that saw it. */
void water_noise_alarm(struct water *w, int m, const char *owner, uint64_t noisiest);
/* A run of pump begins now (steady ms, started in station seconds):
 * what its meter counted before is let go. */
void water_begin(struct water *w, int pump, struct water_run *wr, int64_t started);
/* Counts what came since the last call into the run (now: station
 * seconds; final: the run has ended). */
void water_measure(struct water *w, int pump, struct water_run *wr, int64_t now, bool final);
/* After the pump's grace: true when two windows in a row gave less than
 * min_flow (the water is not coming); *flow is the last window's. A
 * window with noise in it judges nothing: the soil's rise still watches
 * the run. run_ms:
 * how long the run has gone, steady: the clock's steady time now. */
bool water_too_little(struct water *w, int pump, struct water_run *wr, int64_t run_ms,
		      int64_t steady, double *flow);

#endif
