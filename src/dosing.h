/* Dosing through the line: injectors (a dosing pump or a solenoid on a
 * relay) that feed a product from a tank into a running pump's water. A
 * dosing run has three phases: wetting (plain water), dosing, flushing
 * (plain water, so that no product stays in the pipes). An injector runs
 * only while its pump runs and goes off before it on every path. What a
 * dose gave is written when it ends, in one transaction: the fertilizing
 * or spraying record (through src/records.c, as one entered by hand),
 * the tank's book, and the dose's row tied to the run. */
#ifndef FS_DOSING_H
#define FS_DOSING_H

#include "store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct app;
struct dosing;
struct relay;

#define DOSE_MAX 4		/* products in one run */

enum dose_phase { PHASE_NONE, PHASE_WETTING, PHASE_DOSING, PHASE_FLUSHING };

/* What the farmer chose: for each injector, its product (from its tank)
 * and, for a plant-protection product, the pest; the phases' minutes. */
struct dose_pick {
	int injector;		/* index in cfg->injectors */
	int pest;		/* a spray: index in cfg->pests; -1 */
};
struct dose_plan {
	int pump, zone, worker;
	struct dose_pick picks[DOSE_MAX];
	int n;
	int wetting, dosing, flushing;	/* minutes */
	/* Filled by dosing_plan(): per pick, the product in its tank, how
	 * much stock and product the dose will give, what the tank holds. */
	struct {
		int product;
		double stock_litres;	/* what the dose draws */
		double amount;		/* of product, in its unit */
		double tank_litres;	/* in the tank now */
	} est[DOSE_MAX];
};

#define DOSING_RELAY_FAILED (-1)	/* an injector's relay: all goes off */
#define DOSING_RECORD_FAILED (-2)	/* a dose's record cannot be kept */

/* Builds every injector's relay and drives it off, before the database
 * is opened; one that cannot be set up is unavailable. NULL when memory
 * runs out. */
struct dosing *dosing_new(struct app *app);
/* Every injector off, then freed. */
void dosing_free(struct dosing *d);
/* The injectors' relays, as cfg->injectors (NULL: unavailable), for the
 * simulated meters in their lines. */
void dosing_relays(const struct dosing *d, struct relay **out);
/* Once the database is open: an alarm for each injector that cannot be
 * used; their own meters are read through w. */
struct water;
void dosing_resume(struct dosing *d, struct water *w);
/* Why injector cannot be used, or NULL. */
const char *dosing_unavailable(const struct dosing *d, int injector);
/* The injectors that feed pump; returns how many (at most max). */
int dosing_injectors(const struct dosing *d, int pump, int *out, int max);
/* What injector's tank holds: the product's index (-1: empty; -2: the
 * book cannot be read; -3: a product the configuration no longer has). */
struct tank_stock;
int dosing_tank_product(struct dosing *d, int injector, struct tank_stock *stock);

/* The phases' minutes for plan's picks: the zone's, or the largest a
 * product asks for. */
void dosing_plan_defaults(struct dosing *d, struct dose_plan *p);
/* Checks plan as its records will be checked (organic zone, product,
 * pest, amount, who), the tanks (not empty), the pump's longest run;
 * fills the estimates. 0, or -1 with err; warn (may be NULL): a tank
 * that will run dry before the dose's end. */
int dosing_plan(struct dosing *d, struct dose_plan *p, char *err, size_t errlen, char *warn,
		size_t wn);
/* Inside the run's transaction: the doses' rows. Then dosing_arm() once
 * the pump runs (steady: its start), or dosing_disarm() if it does not. */
int dosing_begin(struct dosing *d, const struct dose_plan *p, int64_t run);
void dosing_arm(struct dosing *d, int pump, int64_t steady, const struct dose_plan *p);
void dosing_disarm(struct dosing *d, int pump);
/* For a running pump: phase changes, injectors on and off, tanks that run
 * dry. 0, DOSING_RELAY_FAILED or DOSING_RECORD_FAILED. */
int dosing_tick(struct dosing *d, int pump, int64_t steady, int64_t now);
/* Every injector of pump off, before the pump: 0, or -1 if a relay did
 * not answer. */
int dosing_halt(struct dosing *d, int pump, int64_t steady);
/* After the pump is off: each dose ended with what it gave, its record
 * written. 0, DOSING_RELAY_FAILED or DOSING_RECORD_FAILED. */
int dosing_stop(struct dosing *d, int pump, const char *reason, int64_t steady, int64_t now);
/* Dosing stops now and flushing begins: *flushing its minutes. -1 when
 * the run is not dosing (or is flushing already). */
int dosing_end_early(struct dosing *d, int pump, int64_t steady, int64_t now, int *flushing);
/* The steady ms of pump's next phase change, -1 none. */
int64_t dosing_next(const struct dosing *d, int pump);
/* pump's phase, and the steady ms it ends (-1: with the run). */
enum dose_phase dosing_phase(const struct dosing *d, int pump, int64_t *until);
/* True when pump's run is dosing and every dose in it has ended (its
 * tank ran dry): plain water until the flushing. */
bool dosing_dry(const struct dosing *d, int pump);
/* Each minute: what the running doses have given so far. */
void dosing_heartbeat(struct dosing *d, int64_t steady, int64_t now);
void dosing_clock_set(struct dosing *d, long long delta);
/* Doses left open (a power cut; a record the card would not take): ended
 * at their last heartbeat with what they gave, their records written, a
 * power cut said in an alarm. at_start: no run is going. */
void dosing_close_open(struct dosing *d, int64_t now, bool at_start);
/* The records the card would not take yet: tried again (each minute). */
void dosing_retry(struct dosing *d, int64_t now);

#endif
