/* Pumps, their relays and their runs; schedules, watering by moisture,
 * cheap hours and the fault that water does not arrive. One timer of the
 * loop, set for the next thing that has to happen. */
#include "irrigation.h"

#include "app.h"
#include "clock.h"
#include "config.h"
#include "dosing.h"
#include "loop.h"
#include "readings.h"
#include "records.h"
#include "relay.h"
#include "schedule.h"
#include "store.h"
#include "tariff.h"
#include "text.h"
#include "water.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IRR_MAX_SCHEDULES 64
#define IRR_MAX_PENDING 32
/* Schedule times the station slept through (a clock set forward, a power
 * cut) are not made up for, beyond this. */
#define IRR_LATE_LIMIT 1800
/* At start-up, schedule times this far back are looked at again: a run
 * that peak hours had moved, and the station was off meanwhile. */
#define IRR_LOOK_BACK (12 * 3600)
#define IRR_MAX_UNWRITTEN 32
/* Runs that ended while the clock was known to be behind, re-dated in
 * the diary once it is right. */
#define IRR_MAX_HELD 32

struct pump_state {
	struct relay *relay;	/* NULL: the pump cannot be used (unavailable) */
	char unavailable[256];	/* why, for a relay that could not be set up */
	int zone;		/* the first zone this pump waters, -1 none */
	struct run_row run;	/* run.id 0: not running */
	int run_zone;		/* the zone the run is for, -1 none */
	bool rise_checked;	/* the soil was seen to get wetter */
	bool cut_at_peak;	/* an automatic run planned to end as peak begins */
	/* The run's start and end in the clock's steady time: it ends after
	 * its minutes whatever the date does meanwhile. */
	int64_t steady_start, steady_end;
	struct water_run water;	/* the litres it gives, and whether they come */
	struct run_row last;	/* its newest finished run; id 0: none */
};

/* A scheduled run whose time has come, waiting to start. */
struct pending {
	int64_t schedule;
	int zone, minutes;
	time_t asked;		/* what the schedule said */
	time_t due;		/* the next try */
	time_t waiting_since;	/* for a busy pump, 0 none */
	bool moved;		/* by peak hours */
};

struct irrigation {
	struct app *app;
	struct pump_state *pumps;
	int n;
	struct water *water;	/* meters and flow sensors in the lines */
	struct dosing *dosing;	/* injectors and their doses */
	int timer;
	bool failing;		/* switching everything off after a relay failed */
	bool alarms_unread;	/* the last look at a zone's alarms failed */
	bool alarms_unread_logged;	/* and the event log says so */
	struct schedule_row sched[IRR_MAX_SCHEDULES];
	int n_sched;
	time_t scanned;		/* schedule times up to here are queued */
	struct pending pending[IRR_MAX_PENDING];
	int n_pending;
	bool *by_moisture;	/* per zone */
	time_t *auto_ended;	/* per zone: when its last automatic run ended */
	time_t alive;		/* the last heartbeat written */
	/* Runs the full card could not take into the diary yet (id -1: not
	 * even begun there), written as soon as it has room. */
	struct run_row unwritten[IRR_MAX_UNWRITTEN];
	int n_unwritten;
	/* Runs beyond those, which the diary will never hold: added up, for
	 * the alarm that says so once the card takes it. */
	struct runs_total lost;
	int64_t lost_from, lost_to;
	struct run_row held[IRR_MAX_HELD];
	int n_held;
	/* Runs a power cut left open that the diary could not close yet:
	 * tried again each minute, with what was known when the station
	 * came back (the note of the last minute it was alive, before this
	 * station's own runs write theirs). */
	bool orphans_left;
	time_t resumed_at;
	int64_t alive_before;
	struct alive_run cut_runs[STORE_ALIVE_RUNS];
	int n_cut_runs;
	unsigned changes;	/* a pump started or stopped */
};

static void rearm(struct irrigation *irr);
static void write_unwritten(struct irrigation *irr);
static void queue_schedules(struct irrigation *irr, time_t now, bool catching_up);

static time_t now_of(const struct irrigation *irr)
{
	return clock_now(irr->app->clock);
}

static const struct config *cfg_of(const struct irrigation *irr)
{
	return irr->app->cfg;
}

static int64_t steady_of(const struct irrigation *irr)
{
	return clock_steady_ms(irr->app->clock);
}

/* Seconds a running pump has run, whatever the date did meanwhile. */
static int64_t run_seconds(const struct irrigation *irr, int p)
{
	return (steady_of(irr) - irr->pumps[p].steady_start) / 1000;
}

/* When a running pump's run ends, by the station's clock as it is now. */
static time_t run_end_at(const struct irrigation *irr, int p)
{
	int64_t left = irr->pumps[p].steady_end - steady_of(irr);

	return now_of(irr) + (time_t)(left > 0 ? (left + 999) / 1000 : 0);
}

/* A relay that fails to switch cannot be trusted, nor can the board it
 * sits on: every relay goes off and every run ends, and an alarm says
 * which relay failed. */
static void relay_failed(struct irrigation *irr, int pump)
{
	if (irr->failing)
		return;
	irr->failing = true;
	store_event(irr->app->store, now_of(irr), "relay_error", cfg_of(irr)->pumps[pump].item.id,
		    NULL, true);
	irrigation_stop_all(irr, "relay_error");
	irr->failing = false;
}

/* A GPIO relay that cannot be set up (no such chip or line, a line in use,
 * no permission) leaves its pump unavailable, with the reason, and the
 * station runs with the others: one missing relay board must not leave a
 * shed without its screen, its records and its other pumps. */
static struct relay *make_relay(struct irrigation *irr, int p, char *err, size_t errlen)
{
	const struct config *cfg = cfg_of(irr);
	const struct pump_cfg *pc = &cfg->pumps[p];
	int zones[32], n = 0;

	if (pc->driver == RELAY_DRIVER_GPIOD) {
		struct pump_state *ps = &irr->pumps[p];
		struct relay *r = relay_gpiod_new(pc->chip, pc->line, pc->active_low,
						  ps->unavailable, sizeof(ps->unavailable));

		if (r && relay_set(r, false) < 0) {
			relay_free(r);
			r = NULL;
			snprintf(ps->unavailable, sizeof(ps->unavailable),
				 _("Line %s of GPIO chip %s cannot be switched off."), pc->line, pc->chip);
		}
		if (r)
			ps->unavailable[0] = '\0';
		return r;
	}
	if (!irr->app->farm) {
		snprintf(err, errlen, _("Simulated pumps need the simulator."));
		return NULL;
	}
	for (int z = 0; z < cfg->n_zones && n < 32; z++)
		if (cfg->zones[z].pump_index == p)
			zones[n++] = z;
	if (irr->app->sim_relays) {
		char path[4096];
		struct relay *r;

		snprintf(path, sizeof(path), "%s/%s", irr->app->sim_relays, pc->item.id);
		r = relay_sim_new(irr->app->farm, zones, n, path);
		if (!r)
			snprintf(err, errlen, _("Cannot write %s."), path);
		return r;
	}
	return relay_sim_new(irr->app->farm, zones, n, NULL);
}

static double zone_moisture(const struct irrigation *irr, int zone)
{
	if (zone < 0 || !irr->app->readings)
		return NAN;
	return readings_zone_moisture(irr->app->readings, zone, NULL);
}

/* The energy of a run from its start to r->ended, and its cost. */
static void price_run(const struct irrigation *irr, struct run_row *r)
{
	const struct tariff *t = &cfg_of(irr)->tariff;

	tariff_energy_split(t, (time_t)r->started, (time_t)r->ended, r->power_kw, r->kwh);
	r->cost_at_peak = 0;
	for (int b = 0; b < BAND_COUNT; b++) {
		r->cost[b] = r->kwh[b] * t->price[b];
		r->cost_at_peak += r->kwh[b] * t->price[BAND_PEAK];
	}
}

static const char *orphans_text(void)
{
	return _("The irrigation diary cannot be read: the pump runs a power cut left open are closed once the memory card reads again.");
}

/* The water of a run a cut left open, as its last note had it. */
static void cut_run_litres(const struct irrigation *irr, struct run_row *r)
{
	for (int i = 0; i < irr->n_cut_runs; i++)
		if (irr->cut_runs[i].id == r->id)
			r->litres = irr->cut_runs[i].litres;
}

/* A run of this station's own, going on now. */
static bool running_now(const struct irrigation *irr, int64_t id)
{
	for (int p = 0; p < irr->n; p++)
		if (irr->pumps[p].run.id == id)
			return true;
	return false;
}

/* Close in the diary the runs that a power cut or a crash left open: at
 * the last moment the station is known to have been alive before it came
 * back (the run's own heartbeat, written each minute it ran, or anything
 * newer). Each with its alarm, in one transaction. 0, or -1 when the card
 * would not give them or take one: the farmer is told, and the minute
 * tries again, on runs begun before the station came back alone (the
 * relays are off whatever the diary says). */
static int close_orphans(struct irrigation *irr)
{
	struct store *st = irr->app->store;
	struct run_row open[16];
	int n;
	char detail[32];

	if (!irr->resumed_at) {
		irr->resumed_at = now_of(irr);
		irr->n_cut_runs = store_alive_note(st, &irr->alive_before, irr->cut_runs);
		/* Unread, the note alone, and each run's own heartbeat. */
		store_last_alive(st, &irr->alive_before);
	}
	n = store_runs_open(st, open, 16);
	if (n < 0)
		goto later;
	for (int i = 0; i < n; i++) {
		struct run_row *r = &open[i];
		int p = config_pump_index(cfg_of(irr), r->pump);
		int64_t end = irr->alive_before > r->alive ? irr->alive_before : r->alive;

		if (r->started >= irr->resumed_at || running_now(irr, r->id))
			continue;
		if (end > r->planned_end)
			end = r->planned_end;
		if (end > irr->resumed_at)
			end = irr->resumed_at;
		if (end < r->started)
			end = r->started;
		r->ended = end;
		/* The water counted until its last noted minute. */
		cut_run_litres(irr, r);
		snprintf(r->end_reason, sizeof(r->end_reason), "power_cut");
		r->moisture_after = NAN;
		if (r->power_kw <= 0 && p >= 0)
			r->power_kw = cfg_of(irr)->pumps[p].power_kw;
		price_run(irr, r);
		snprintf(detail, sizeof(detail), "%" PRId64, end);
		if (store_begin(st) < 0)
			goto later;
		if (store_run_end(st, r) < 0 ||
		    store_event(st, now_of(irr), "run_cut", r->pump, detail, true) < 0 ||
		    store_commit(st) < 0) {
			store_rollback(st);
			goto later;
		}
	}
	if (irr->orphans_left) {
		irr->orphans_left = false;
		app_trouble_over(irr->app, orphans_text());
		for (int p = 0; p < irr->n; p++)
			if (!irr->pumps[p].run.id &&
			    store_run_last(st, cfg_of(irr)->pumps[p].item.id, &irr->pumps[p].last) != 1)
				memset(&irr->pumps[p].last, 0, sizeof(irr->pumps[p].last));
		app_changed(irr->app);
	}
	return 0;
later:
	irr->orphans_left = true;
	app_trouble(irr->app, orphans_text());
	return -1;
}

static void load_schedules(struct irrigation *irr)
{
	int n = store_schedules_load(irr->app->store, irr->sched, IRR_MAX_SCHEDULES);

	irr->n_sched = n > 0 ? n : 0;
}

static void load_by_moisture(struct irrigation *irr)
{
	const struct config *cfg = cfg_of(irr);
	char key[64], v[8];

	for (int z = 0; z < cfg->n_zones; z++) {
		snprintf(key, sizeof(key), "by_moisture.%s", cfg->zones[z].item.id);
		if (store_meta_get(irr->app->store, key, v, sizeof(v)) == 0 && v[0])
			irr->by_moisture[z] = strcmp(v, "yes") == 0;
		else
			irr->by_moisture[z] = cfg->zones[z].water_by_moisture;
	}
}

struct irrigation *irrigation_new(struct app *app, char *err, size_t errlen)
{
	const struct config *cfg = app->cfg;
	struct irrigation *irr = calloc(1, sizeof(*irr));

	if (!irr)
		return NULL;
	irr->app = app;
	irr->pumps = calloc((size_t)cfg->n_pumps + 1, sizeof(*irr->pumps));
	irr->by_moisture = calloc((size_t)cfg->n_zones + 1, sizeof(*irr->by_moisture));
	irr->auto_ended = calloc((size_t)cfg->n_zones + 1, sizeof(*irr->auto_ended));
	if (!irr->pumps || !irr->by_moisture || !irr->auto_ended)
		goto fail;
	irr->n = cfg->n_pumps;
	for (int p = 0; p < irr->n; p++) {
		irr->pumps[p].zone = config_pump_zone(cfg, p);
		irr->pumps[p].run_zone = -1;
		irr->pumps[p].relay = make_relay(irr, p, err, errlen);
		if (irr->pumps[p].relay && relay_set(irr->pumps[p].relay, false) < 0) {
			snprintf(err, errlen, _("%s: [pump.%s]: the relay cannot be switched off."),
				 cfg->path, cfg->pumps[p].item.id);
			goto fail;
		}
		if (!irr->pumps[p].relay && !irr->pumps[p].unavailable[0])
			goto fail;
	}
	/* Injectors off with the pumps, before the database is opened. */
	irr->dosing = dosing_new(app);
	if (!irr->dosing)
		goto fail;
	return irr;
fail:
	irrigation_free(irr);
	return NULL;
}

void irrigation_resume(struct irrigation *irr)
{
	/* A pump without its relay, as an alarm on the home screen. */
	for (int p = 0; p < irr->n; p++)
		if (!irr->pumps[p].relay)
			store_event(irr->app->store, now_of(irr), "relay_missing",
				    cfg_of(irr)->pumps[p].item.id, irr->pumps[p].unavailable, true);
	{
		struct relay *relays[32] = { 0 }, *injectors[32] = { 0 };

		for (int p = 0; p < irr->n && p < 32; p++)
			relays[p] = irr->pumps[p].relay;
		dosing_relays(irr->dosing, injectors);
		/* Only memory running out leaves it NULL: nothing measured. */
		irr->water = water_new(irr->app, relays, injectors);
		dosing_resume(irr->dosing, irr->water);
	}
	close_orphans(irr);
	for (int p = 0; p < irr->n; p++)
		if (store_run_last(irr->app->store, cfg_of(irr)->pumps[p].item.id, &irr->pumps[p].last) != 1)
			memset(&irr->pumps[p].last, 0, sizeof(irr->pumps[p].last));
	/* Doses a power cut left open: what they gave, into their records. */
	dosing_close_open(irr->dosing, now_of(irr), true);
	load_schedules(irr);
	load_by_moisture(irr);
	irr->scanned = now_of(irr) - IRR_LOOK_BACK;
	/* A clock known to be wrong waits to be set (irrigation_clock_set). */
	if (!irr->app->clock_behind)
		queue_schedules(irr, now_of(irr), true);
	rearm(irr);
}

void irrigation_free(struct irrigation *irr)
{
	if (!irr)
		return;
	if (irr->pumps) {
		irrigation_stop_all(irr, "shutdown");
		water_free(irr->water);
		dosing_free(irr->dosing);
		for (int p = 0; p < irr->n; p++)
			relay_free(irr->pumps[p].relay);
		write_unwritten(irr);	/* a last try */
	}
	if (irr->timer)
		loop_timer_del(irr->app->loop, irr->timer);
	free(irr->pumps);
	free(irr->by_moisture);
	free(irr->auto_ended);
	free(irr);
}

const char *irrigation_injector_unavailable(const struct irrigation *irr, int i)
{
	return dosing_unavailable(irr->dosing, i);
}

struct dosing *irrigation_dosing(const struct irrigation *irr)
{
	return irr->dosing;
}

const char *irrigation_meter_unavailable(const struct irrigation *irr, int m)
{
	return water_meter_unavailable(irr->water, m);
}

const char *irrigation_unavailable(const struct irrigation *irr, int pump)
{
	if (pump < 0 || pump >= irr->n || irr->pumps[pump].relay)
		return NULL;
	return irr->pumps[pump].unavailable;
}

bool irrigation_last_run(const struct irrigation *irr, int pump, struct run_row *out)
{
	if (pump < 0 || pump >= irr->n || !irr->pumps[pump].last.id)
		return false;
	*out = irr->pumps[pump].last;
	return true;
}

unsigned irrigation_changes(const struct irrigation *irr)
{
	return irr->changes;
}

int irrigation_running_count(const struct irrigation *irr)
{
	int n = 0;

	for (int p = 0; p < irr->n; p++)
		n += irr->pumps[p].run.id != 0;
	return n;
}

bool irrigation_running(const struct irrigation *irr, int pump, int64_t *until)
{
	if (pump < 0 || pump >= irr->n || !irr->pumps[pump].run.id)
		return false;
	if (until)
		*until = run_end_at(irr, pump);
	return true;
}

bool irrigation_run(const struct irrigation *irr, int pump, struct run_row *out)
{
	if (!irrigation_running(irr, pump, NULL))
		return false;
	*out = irr->pumps[pump].run;
	return true;
}

int irrigation_check_start(const struct irrigation *irr, int pump, int minutes, char *err,
			   size_t errlen)
{
	const struct config *cfg = cfg_of(irr);
	const struct pump_cfg *pc;

	if (pump < 0 || pump >= irr->n) {
		snprintf(err, errlen, _("There is no such pump."));
		return IRR_REFUSED;
	}
	pc = &cfg->pumps[pump];
	if (!irr->pumps[pump].relay) {
		snprintf(err, errlen, _("%s cannot be used: %s"), pc->name,
			 irr->pumps[pump].unavailable);
		return IRR_REFUSED;
	}
	if (irr->pumps[pump].run.id) {
		snprintf(err, errlen, _("%s is already running."), pc->name);
		return IRR_REFUSED;
	}
	if (minutes < 1 || minutes > pc->max_minutes) {
		snprintf(err, errlen, _("%s may run 1 to %d minutes."), pc->name, pc->max_minutes);
		return IRR_REFUSED;
	}
	if (irrigation_running_count(irr) >= cfg->station.max_pumps_running) {
		snprintf(err, errlen,
			 ngettext("Only %d pump may run at once: the shed's power supply cannot carry more.",
				  "Only %d pumps may run at once: the shed's power supply cannot carry more.",
				  (unsigned long)cfg->station.max_pumps_running),
			 cfg->station.max_pumps_running);
		return IRR_REFUSED;
	}
	return 0;
}

/* The run is in the diary: water on, and its end set. */
static int switch_on(struct irrigation *irr, int pump, int zone, int minutes, struct run_row *row,
		     const struct dose_plan *plan, char *err, size_t errlen)
{
	struct pump_state *ps = &irr->pumps[pump];
	int64_t now = row->started;

	if (relay_set(ps->relay, true) < 0) {
		row->ended = now;
		snprintf(row->end_reason, sizeof(row->end_reason), "relay_error");
		store_run_end(irr->app->store, row);
		if (plan)
			dosing_stop(irr->dosing, pump, "relay_error", steady_of(irr), now);
		relay_failed(irr, pump);
		snprintf(err, errlen, _("The relay of %s does not answer: every pump is switched off."),
			 cfg_of(irr)->pumps[pump].name);
		return IRR_FAILED;
	}
	ps->run = *row;
	ps->steady_start = steady_of(irr);
	ps->steady_end = ps->steady_start + (int64_t)minutes * 60000;
	ps->run_zone = zone;
	ps->rise_checked = false;
	ps->cut_at_peak = false;
	if (plan)
		dosing_arm(irr->dosing, pump, ps->steady_start, plan);
	irr->changes++;
	rearm(irr);
	app_changed(irr->app);
	return 0;
}

/* A dosing run and its doses go into the diary in one transaction, or
 * nothing moves: its records must be kept, a full card or not. */
static int start_dosing_run(struct irrigation *irr, int pump, int zone, int minutes,
			    const struct dose_plan *plan, struct run_row *row, char *err,
			    size_t errlen)
{
	struct store *st = irr->app->store;
	int rc = store_begin(st);

	if (rc == 0)
		rc = store_run_begin(st, row);
	if (rc == 0)
		rc = dosing_begin(irr->dosing, plan, row->id);
	if (rc == 0)
		rc = store_commit(st);
	if (rc < 0) {
		store_rollback(st);
		dosing_disarm(irr->dosing, pump);
		snprintf(err, errlen, _("The dosing run cannot be written, so it does not start: %s"),
			 store_card_full(st) ? _("the memory card is full.") : store_error(st));
		return IRR_FAILED;
	}
	return switch_on(irr, pump, zone, minutes, row, plan, err, errlen);
}

static int start_run(struct irrigation *irr, int pump, int zone, int minutes, int reason,
		     const char *who, time_t asked, const struct dose_plan *plan, char *err,
		     size_t errlen)
{
	const struct config *cfg = cfg_of(irr);
	const struct pump_cfg *pc;
	struct pump_state *ps;
	struct run_row row = { 0 };
	int64_t now = now_of(irr);
	int rc = irrigation_check_start(irr, pump, minutes, err, errlen);

	if (rc < 0)
		return rc;
	pc = &cfg->pumps[pump];
	ps = &irr->pumps[pump];
	snprintf(row.pump, sizeof(row.pump), "%s", pc->item.id);
	if (zone >= 0)
		snprintf(row.zone, sizeof(row.zone), "%s", cfg->zones[zone].item.id);
	row.reason = reason;
	snprintf(row.who, sizeof(row.who), "%s", who ? who : "");
	row.started = now;
	row.planned_end = now + (int64_t)minutes * 60;
	row.moisture_before = zone_moisture(irr, zone);
	row.moisture_after = NAN;
	row.power_kw = pc->power_kw;
	row.scheduled_for = asked;
	/* What its meter counted before is not this run's water. */
	water_begin(irr->water, pump, &ps->water, now);
	row.litres = ps->water.litres;
	if (plan) {
		row.wetting = plan->wetting;
		row.dosing = plan->dosing;
		row.flushing = plan->flushing;
		return start_dosing_run(irr, pump, zone, minutes, plan, &row, err, errlen);
	}
	/* The diary first: a run the station cannot record does not start;
	 * but a card that is full or failing does not keep the crops dry:
	 * the run is kept in memory and written when the card takes it. */
	rc = store_run_begin(irr->app->store, &row);
	if (rc == STORE_FULL || rc == STORE_CARD) {
		row.id = -1;
		rc = 0;
	}
	if (rc < 0) {
		snprintf(err, errlen, rc == STORE_FULL ? _("The memory card is full.")
						       : _("The diary cannot be written: %s"),
			 store_error(irr->app->store));
		return IRR_FAILED;
	}
	return switch_on(irr, pump, zone, minutes, &row, NULL, err, errlen);
}

int irrigation_start(struct irrigation *irr, int pump, int minutes, int reason,
		     const char *who, char *err, size_t errlen)
{
	int zone = pump >= 0 && pump < irr->n ? irr->pumps[pump].zone : -1;

	return start_run(irr, pump, zone, minutes, reason, who, 0, NULL, err, errlen);
}

/* What is checked before a dosing run, whether it starts or not. */
static int check_dosing(struct irrigation *irr, struct dose_plan *plan, char *err, size_t errlen,
			char *warn, size_t warnlen)
{
	struct store *st = irr->app->store;
	int rc;

	if (irr->app->clock_behind) {
		snprintf(err, errlen, "%s",
			 _("The clock is behind: set the date and time first; a dose is written in the records."));
		return IRR_REFUSED;
	}
	if (records_room_check(st, err, errlen) < 0 ||
	    records_clock_check(st, now_of(irr), err, errlen) < 0)
		return IRR_REFUSED;
	if (dosing_plan(irr->dosing, plan, err, errlen, warn, warnlen) < 0)
		return IRR_REFUSED;
	rc = irrigation_check_start(irr, plan->pump, plan->wetting + plan->dosing + plan->flushing,
				    err, errlen);
	return rc;
}

int irrigation_check_dosing(struct irrigation *irr, struct dose_plan *plan, char *err,
			    size_t errlen, char *warn, size_t warnlen)
{
	return check_dosing(irr, plan, err, errlen, warn, warnlen);
}

int irrigation_start_dosing(struct irrigation *irr, struct dose_plan *plan, char *err,
			    size_t errlen)
{
	const struct config *cfg = cfg_of(irr);
	int rc = check_dosing(irr, plan, err, errlen, NULL, 0);

	if (rc < 0)
		return rc;
	return start_run(irr, plan->pump, plan->zone, plan->wetting + plan->dosing + plan->flushing,
			 RUN_MANUAL, cfg->workers[plan->worker].name, 0, plan, err, errlen);
}

/* Fertilizer drawn by the pump's venturi: the record is checked before
 * any water moves and written with the run; if it cannot be kept, the
 * water stops. */
int irrigation_start_fertigation(struct irrigation *irr, int pump, int minutes, const char *who,
				 struct record_row *rec, char *err, size_t errlen)
{
	struct store *st = irr->app->store;
	const struct config *cfg = cfg_of(irr);
	int64_t now = now_of(irr);
	char reason[256];

	if (records_room_check(st, err, errlen) < 0 || records_clock_check(st, now, err, errlen) < 0 ||
	    records_check(cfg, rec, text_day_of((time_t)now), err, errlen) < 0)
		return IRR_REFUSED;
	if (irrigation_start(irr, pump, minutes, RUN_MANUAL, who, err, errlen) < 0)
		return IRR_FAILED;
	if (records_save(st, cfg, now, rec, false, reason, sizeof(reason)) < 0) {
		irrigation_stop(irr, pump, "by_hand");
		snprintf(err, errlen,
			 _("The fertilizing record was not saved, so %s was stopped: %s"),
			 cfg->pumps[pump].name, reason);
		return IRR_FAILED;
	}
	irrigation_link_record(irr, pump, rec->id);
	return 0;
}

enum dose_phase irrigation_phase(const struct irrigation *irr, int pump, int *minutes_left)
{
	int64_t until = -1;
	enum dose_phase ph;

	if (!irrigation_running(irr, pump, NULL))
		return PHASE_NONE;
	ph = dosing_phase(irr->dosing, pump, &until);
	if (ph == PHASE_FLUSHING || until < 0)
		until = irr->pumps[pump].steady_end;
	if (minutes_left) {
		int64_t left = until - steady_of(irr);

		*minutes_left = left > 0 ? (int)((left + 59999) / 60000) : 0;
	}
	return ph;
}

int irrigation_end_dosing(struct irrigation *irr, int pump)
{
	struct pump_state *ps;
	int flushing = 0, rc;

	if (!irrigation_running(irr, pump, NULL))
		return IRR_REFUSED;
	ps = &irr->pumps[pump];
	rc = dosing_end_early(irr->dosing, pump, steady_of(irr), now_of(irr), &flushing);
	if (rc == -1)
		return IRR_REFUSED;
	if (rc == DOSING_RELAY_FAILED) {
		relay_failed(irr, pump);
		return IRR_FAILED;
	}
	if (ps->steady_end > steady_of(irr) + (int64_t)flushing * 60000)
		ps->steady_end = steady_of(irr) + (int64_t)flushing * 60000;
	if (rc == DOSING_RECORD_FAILED) {
		irrigation_stop(irr, pump, "record_error");
		return IRR_FAILED;
	}
	rearm(irr);
	app_changed(irr->app);
	return 0;
}

static const char *unwritten_text(void)
{
	return _("The irrigation diary cannot be written: pump runs wait in memory until the memory card takes them.");
}

static const char *lost_text(void)
{
	return _("Pump runs are being lost: the memory card has not taken the irrigation diary for too long.");
}

/* A run the diary could not take: kept for later, or, when too many
 * wait, added up in the runs that are lost. */
static void keep_unwritten(struct irrigation *irr, const struct run_row *r)
{
	struct runs_total *l = &irr->lost;

	if (irr->n_unwritten < IRR_MAX_UNWRITTEN) {
		irr->unwritten[irr->n_unwritten++] = *r;
		app_trouble(irr->app, unwritten_text());
		return;
	}
	if (l->runs == 0 || r->started < irr->lost_from)
		irr->lost_from = r->started;
	if (l->runs == 0 || r->ended > irr->lost_to)
		irr->lost_to = r->ended;
	l->runs++;
	l->seconds += r->ended - r->started;
	for (int b = 0; b < BAND_COUNT; b++) {
		l->kwh[b] += r->kwh[b];
		l->cost[b] += r->cost[b];
	}
	l->cost_at_peak += r->cost_at_peak;
	app_trouble(irr->app, lost_text());
}

/* The runs a full card refused, into the diary, oldest first; stops at
 * the first that still cannot be written. Then the alarm for those that
 * could not be kept: how many, when, how long and how much energy. */
static void write_unwritten(struct irrigation *irr)
{
	struct store *st = irr->app->store;
	const struct runs_total *l = &irr->lost;
	char detail[128];

	while (irr->n_unwritten > 0) {
		struct run_row *r = &irr->unwritten[0];

		if (r->id < 0) {
			struct run_row begun = *r;

			if (store_run_begin(st, &begun) < 0)
				return;
			r->id = begun.id;
		}
		if (store_run_end(st, r) < 0)
			return;
		memmove(r, r + 1, (size_t)--irr->n_unwritten * sizeof(*r));
	}
	if (l->runs > 0) {
		/* Plain numbers with a point, like the other alarms' details. */
		snprintf(detail, sizeof(detail), "%d;%" PRId64 ";%" PRId64 ";%" PRId64 ";%.3f",
			 l->runs, irr->lost_from, irr->lost_to, l->seconds,
			 l->kwh[BAND_OFFPEAK] + l->kwh[BAND_NORMAL] + l->kwh[BAND_PEAK]);
		if (store_event(st, now_of(irr), "runs_lost", NULL, detail, true) < 0)
			return;
		memset(&irr->lost, 0, sizeof(irr->lost));
		app_trouble_over(irr->app, lost_text());
	}
	app_trouble_over(irr->app, unwritten_text());
}

int irrigation_stop(struct irrigation *irr, int pump, const char *end_reason)
{
	struct pump_state *ps;
	int rc, drc;

	if (pump < 0 || pump >= irr->n)
		return IRR_REFUSED;
	ps = &irr->pumps[pump];
	if (!ps->relay)
		return 0;	/* unavailable: it never ran */
	/* Its injectors first, then the pump: water stops even if the diary
	 * cannot be written; then what the doses gave goes into the records. */
	drc = dosing_halt(irr->dosing, pump, steady_of(irr));
	rc = relay_set(ps->relay, false);
	if (drc < 0)
		rc = drc;
	if (dosing_stop(irr->dosing, pump, rc < 0 ? "relay_error" : end_reason, steady_of(irr),
			now_of(irr)) == DOSING_RELAY_FAILED)
		rc = IRR_FAILED;
	if (ps->run.id) {
		struct run_row *r = &ps->run;

		water_measure(irr->water, pump, &ps->water, now_of(irr), true);
		r->litres = ps->water.litres;

		r->ended = r->started + run_seconds(irr, pump);
		snprintf(r->end_reason, sizeof(r->end_reason), "%s",
			 rc < 0 ? "relay_error" : end_reason);
		r->moisture_after = zone_moisture(irr, ps->run_zone);
		price_run(irr, r);
		if (r->id < 0 || store_run_end(irr->app->store, r) < 0)
			keep_unwritten(irr, r);
		else if (irr->app->clock_behind && irr->n_held < IRR_MAX_HELD)
			irr->held[irr->n_held++] = *r;
		if (r->reason == RUN_MOISTURE && ps->run_zone >= 0)
			irr->auto_ended[ps->run_zone] = (time_t)r->ended;
		ps->last = *r;
		memset(r, 0, sizeof(*r));
		ps->run_zone = -1;
		irr->changes++;
		rearm(irr);
		app_changed(irr->app);
	}
	if (rc < 0)
		relay_failed(irr, pump);
	return rc < 0 ? IRR_FAILED : 0;
}

void irrigation_stop_all(struct irrigation *irr, const char *end_reason)
{
	for (int p = 0; p < irr->n; p++)
		if (irr->pumps[p].relay)
			irrigation_stop(irr, p, end_reason);
}

int irrigation_link_record(struct irrigation *irr, int pump, int64_t record)
{
	if (!irrigation_running(irr, pump, NULL))
		return IRR_REFUSED;
	irr->pumps[pump].run.record = record;
	return store_run_link_record(irr->app->store, irr->pumps[pump].run.id, record);
}

/* Automatic watering of a zone waits while its no-rise alarm does, or
 * an alarm that its pump gave no water; and while the alarms cannot be
 * read, since one of those may be waiting unseen. */
static bool zone_blocked(struct irrigation *irr, int zone)
{
	const struct config *cfg = cfg_of(irr);
	struct store *st = irr->app->store;
	int p = cfg->zones[zone].pump_index;
	const char *held = _("Automatic watering is held: the alarms cannot be read from the memory card.");
	int waiting = store_has_alarm_waiting(st, "no_rise", cfg->zones[zone].item.id);

	if (waiting == 0 && p >= 0)
		waiting = store_has_alarm_waiting(st, "no_flow", cfg->pumps[p].item.id);
	if (waiting == 0 && p >= 0)
		waiting = store_has_alarm_waiting(st, "no_pressure", cfg->pumps[p].item.id);
	if (waiting < 0) {
		if (!irr->alarms_unread_logged)
			irr->alarms_unread_logged =
				store_event(st, now_of(irr), "alarms_unread",
					    cfg->zones[zone].item.id, store_error(st), false) == 0;
		irr->alarms_unread = true;
		app_trouble(irr->app, held);
		return true;
	}
	if (irr->alarms_unread) {
		irr->alarms_unread = irr->alarms_unread_logged = false;
		app_trouble_over(irr->app, held);
	}
	return waiting > 0;
}

/* A pressure or flow sensor in the pump's line below its minimum at two
 * polls in a row, both after the run's grace: the water is not coming
 * (a dry source, a burst pipe, a clogged line). A sensor that does not
 * answer stops nothing: it is logged as lost, and the soil's rise still
 * watches the run. True if the pump was stopped. */
static bool check_line(struct irrigation *irr, int p, int sensor, enum quantity q, double min,
		       const char *kind, time_t now)
{
	const struct pump_state *ps = &irr->pumps[p];
	const struct sensor_state *st;
	int64_t from = ps->run.started + cfg_of(irr)->pumps[p].flow_grace_seconds;
	char a[16], b[16], detail[64];

	if (sensor < 0 || !irr->app->readings ||
	    run_seconds(irr, p) < cfg_of(irr)->pumps[p].flow_grace_seconds)
		return false;
	st = readings_sensor(irr->app->readings, sensor);
	if (st->status != SENSOR_OK || !st->has[q] || !st->prev_has[q] || st->prev_t < from ||
	    st->value[q] >= min || st->prev_value[q] >= min)
		return false;
	/* Plain numbers with a point, like no_rise's detail. */
	snprintf(a, sizeof(a), "%.2f", st->value[q]);
	snprintf(b, sizeof(b), "%g", min);
	snprintf(detail, sizeof(detail), "%s;%s;%s", cfg_of(irr)->sensors[sensor].item.id, a, b);
	store_event(irr->app->store, now, kind, ps->run.pump, detail, true);
	irrigation_stop(irr, p, kind);
	return true;
}

/* A pulse meter in the line: two windows in a row after the grace that
 * gave less than min_flow, like a flow sensor's two readings. */
static bool check_meter(struct irrigation *irr, int p, time_t now)
{
	struct pump_state *ps = &irr->pumps[p];
	const struct pump_cfg *pc = &cfg_of(irr)->pumps[p];
	char a[16], b[16], detail[64];
	double flow;

	if (!water_too_little(irr->water, p, &ps->water, steady_of(irr) - ps->steady_start,
			      steady_of(irr), &flow))
		return false;
	snprintf(a, sizeof(a), "%.2f", flow);
	snprintf(b, sizeof(b), "%g", pc->min_flow);
	snprintf(detail, sizeof(detail), "%s;%s;%s", cfg_of(irr)->meters[pc->meter_index].item.id,
		 a, b);
	store_event(irr->app->store, now, "no_flow", ps->run.pump, detail, true);
	irrigation_stop(irr, p, "no_flow");
	return true;
}

static bool check_water(struct irrigation *irr, int p, time_t now)
{
	const struct pump_cfg *pc = &cfg_of(irr)->pumps[p];

	water_measure(irr->water, p, &irr->pumps[p].water, now, false);
	irr->pumps[p].run.litres = irr->pumps[p].water.litres;
	return check_meter(irr, p, now) ||
	       check_line(irr, p, pc->flow_index, Q_FLOW, pc->min_flow, "no_flow", now) ||
	       check_line(irr, p, pc->pressure_index, Q_PRESSURE, pc->min_pressure, "no_pressure",
			  now);
}

/* Running water must wet the soil: rise_percent within rise_minutes. */
static void check_rise(struct irrigation *irr, int p, time_t now)
{
	struct pump_state *ps = &irr->pumps[p];
	const struct zone_cfg *z;
	double m;
	char detail[128];

	if (ps->rise_checked || ps->run_zone < 0 || isnan(ps->run.moisture_before))
		return;
	z = &cfg_of(irr)->zones[ps->run_zone];
	if (z->rise_percent <= 0)
		return;
	m = zone_moisture(irr, ps->run_zone);
	if (!isnan(m) && m - ps->run.moisture_before >= z->rise_percent) {
		ps->rise_checked = true;
		return;
	}
	if (run_seconds(irr, p) < (int64_t)z->rise_minutes * 60 || isnan(m))
		return;
	snprintf(detail, sizeof(detail), "%s;%.1f;%.1f;%d", ps->run.pump, ps->run.moisture_before,
		 m, z->rise_minutes);
	store_event(irr->app->store, now, "no_rise", z->item.id, detail, true);
	irrigation_stop(irr, p, "no_rise");
}

/* While a pump runs, the station notes each minute that it is alive, with
 * each run's water so far, so that a power cut's run ends in the diary at
 * its last minute with the water counted until then: a page of its own on
 * the card (store_note_alive()), not a commit. */
static void heartbeat(struct irrigation *irr, time_t now)
{
	struct alive_run runs[STORE_ALIVE_RUNS];
	int n = 0;

	if (now - irr->alive < 60)
		return;
	for (int p = 0; p < irr->n && n < STORE_ALIVE_RUNS; p++)
		if (irr->pumps[p].run.id)
			runs[n++] = (struct alive_run){ irr->pumps[p].run.id,
							irr->pumps[p].water.litres };
	if (n)
		store_note_alive(irr->app->store, now, runs, n);
	dosing_heartbeat(irr->dosing, steady_of(irr), now);
	irr->alive = now;
}

static int schedule_zone(const struct irrigation *irr, const struct schedule_row *s)
{
	int z = config_zone_index(cfg_of(irr), s->zone);

	return z >= 0 && cfg_of(irr)->zones[z].pump_index >= 0 ? z : -1;
}

static void event_at(struct irrigation *irr, const char *kind, int zone, time_t t, bool alarm)
{
	char detail[32];

	snprintf(detail, sizeof(detail), "%" PRId64, (int64_t)t);
	store_event(irr->app->store, now_of(irr), kind, cfg_of(irr)->zones[zone].item.id, detail,
		    alarm);
}

/* Queue the schedule times that have come since the last look. At
 * start-up (catching_up) the look goes back IRR_LOOK_BACK, for the runs
 * that are still due and have not run: one that peak hours moved past a
 * power cut, one due a few minutes before the station came back. */
static void queue_schedules(struct irrigation *irr, time_t now, bool catching_up)
{
	for (int i = 0; i < irr->n_sched; i++) {
		const struct schedule_row *s = &irr->sched[i];
		int z = schedule_zone(irr, s);
		time_t t, run_at;
		if (z < 0)
			continue;
		for (t = schedule_next(s, irr->scanned); t >= 0 && t <= now; t = schedule_next(s, t)) {
			if (t < s->changed)
				continue;	/* before the schedule said so */
			run_at = tariff_clear_of_peak(&cfg_of(irr)->tariff, t, s->minutes * 60);
			if (catching_up &&
			    (now - run_at > IRR_LATE_LIMIT ||
			     store_has_run_for_schedule(irr->app->store, s->zone, t) != 0))
				continue;
			if (now - run_at > IRR_LATE_LIMIT || irr->n_pending == IRR_MAX_PENDING) {
				event_at(irr, "schedule_missed", z, t, false);
				continue;
			}
			irr->pending[irr->n_pending++] = (struct pending){
				.schedule = s->id, .zone = z, .minutes = s->minutes, .asked = t, .due = t,
				.moved = catching_up && run_at != t,
			};
		}
	}
	irr->scanned = now;
}

static bool soil_critical(const struct irrigation *irr, int zone)
{
	double m = zone_moisture(irr, zone);

	return !isnan(m) && m < cfg_of(irr)->zones[zone].moisture_critical;
}

/* Try one waiting scheduled run; true when it is done with (started or
 * given up). */
static bool try_pending(struct irrigation *irr, struct pending *pd, time_t now)
{
	const struct config *cfg = cfg_of(irr);
	int pump = cfg->zones[pd->zone].pump_index;
	char why[256];
	time_t clear;

	if (zone_blocked(irr, pd->zone)) {
		event_at(irr, "schedule_blocked", pd->zone, pd->asked, false);
		return true;
	}
	clear = soil_critical(irr, pd->zone)
			? now : tariff_clear_of_peak(&cfg->tariff, now, pd->minutes * 60);
	if (clear > now) {
		if (!pd->moved)
			event_at(irr, "schedule_moved", pd->zone, clear, false);
		pd->moved = true;
		pd->due = clear;
		return false;
	}
	if (irr->pumps[pump].run.id ||
	    irrigation_running_count(irr) >= cfg->station.max_pumps_running) {
		if (!pd->waiting_since)
			pd->waiting_since = now;
		if (now - pd->waiting_since >= IRR_SCHEDULE_WAIT) {
			event_at(irr, "schedule_skipped", pd->zone, pd->asked, true);
			return true;
		}
		pd->due = now + 60;
		return false;
	}
	start_run(irr, pump, pd->zone, pd->minutes, RUN_SCHEDULE, NULL, pd->asked, NULL, why,
		  sizeof(why));
	return true;
}

static void run_pending(struct irrigation *irr, time_t now)
{
	for (int i = 0; i < irr->n_pending;) {
		struct pending *pd = &irr->pending[i];

		if (pd->due > now || !try_pending(irr, pd, now)) {
			i++;
			continue;
		}
		irr->pending[i] = irr->pending[--irr->n_pending];
	}
}

/* Water the zones that ask for it by their soil moisture. */
static void water_by_moisture(struct irrigation *irr, time_t now)
{
	const struct config *cfg = cfg_of(irr);

	for (int z = 0; z < cfg->n_zones; z++) {
		const struct zone_cfg *zc = &cfg->zones[z];
		int p = zc->pump_index, minutes;
		double m = zone_moisture(irr, z);
		char why[256];
		time_t peak;
		bool cut = false;

		if (!irr->by_moisture[z] || p < 0 || !irr->pumps[p].relay || irr->pumps[p].run.id ||
		    isnan(m) ||
		    m >= zc->moisture_low)
			continue;
		if (irr->auto_ended[z] && now - irr->auto_ended[z] < (time_t)zc->rest_minutes * 60)
			continue;
		if (irrigation_running_count(irr) >= cfg->station.max_pumps_running ||
		    zone_blocked(irr, z))
			continue;
		minutes = cfg->pumps[p].max_minutes;
		if (m >= zc->moisture_critical) {
			/* Not in peak hours, and done before they begin. */
			peak = tariff_first_peak(&cfg->tariff, now, now + (time_t)minutes * 60);
			if (peak >= 0) {
				minutes = (int)((peak - now) / 60);
				cut = true;
			}
			if (minutes < IRR_MIN_AUTO_MINUTES)
				continue;
		}
		if (start_run(irr, p, z, minutes, RUN_MOISTURE, NULL, 0, NULL, why, sizeof(why)) == 0)
			irr->pumps[p].cut_at_peak = cut;
	}
}

void irrigation_tick(struct irrigation *irr)
{
	const struct config *cfg = cfg_of(irr);
	time_t now = now_of(irr);

	write_unwritten(irr);
	if (irr->orphans_left)
		close_orphans(irr);
	dosing_retry(irr->dosing, now);
	for (int p = 0; p < irr->n; p++) {
		struct pump_state *ps = &irr->pumps[p];

		if (!ps->run.id)
			continue;
		switch (dosing_tick(irr->dosing, p, steady_of(irr), now)) {
		case DOSING_RELAY_FAILED:
			relay_failed(irr, p);
			continue;
		case DOSING_RECORD_FAILED:
			/* A dose whose record cannot be kept: the water stops. */
			irrigation_stop(irr, p, "record_error");
			continue;
		default:
			break;
		}
		if (steady_of(irr) >= ps->steady_end) {
			irrigation_stop(irr, p, ps->cut_at_peak ? "peak" : "done");
			continue;
		}
		if (ps->run.reason == RUN_MOISTURE && ps->run_zone >= 0 &&
		    zone_moisture(irr, ps->run_zone) >= cfg->zones[ps->run_zone].moisture_high) {
			irrigation_stop(irr, p, "moisture_high");
			continue;
		}
		if (check_water(irr, p, now))
			continue;
		check_rise(irr, p, now);
	}
	heartbeat(irr, now);
	if (irr->app->clock_behind) {
		/* Nothing by the clock until it is set: runs only end. */
		rearm(irr);
		return;
	}
	queue_schedules(irr, now, false);
	run_pending(irr, now);
	water_by_moisture(irr, now);
	rearm(irr);
}

void irrigation_clock_set(struct irrigation *irr, long long delta)
{
	/* A run goes on for the minutes chosen, not for the clock's jump:
	 * its start and end were told by the wrong clock. */
	for (int p = 0; p < irr->n; p++) {
		struct run_row *r = &irr->pumps[p].run;

		if (!r->id)
			continue;
		r->started += delta;
		r->planned_end += delta;
		r->alive = r->alive ? r->alive + delta : 0;
		store_run_redate(irr->app->store, r);
	}
	/* Runs by hand that ended under a clock known to be behind: when
	 * they really ran, and at that hour's prices; followed on until the
	 * clock is right. */
	for (int i = 0; i < irr->n_held; i++) {
		struct run_row *r = &irr->held[i];

		r->started += delta;
		r->planned_end += delta;
		r->ended += delta;
		r->alive = r->alive ? r->alive + delta : 0;
		price_run(irr, r);
		store_run_redate(irr->app->store, r);
	}
	if (!irr->app->clock_behind)
		irr->n_held = 0;
	dosing_clock_set(irr->dosing, delta);
	for (int z = 0; z < cfg_of(irr)->n_zones; z++)
		if (irr->auto_ended[z])
			irr->auto_ended[z] += (time_t)delta;
	irr->alive += (time_t)delta;
	/* What was waiting was timed by the wrong clock; look again as at
	 * start-up, with the right one. */
	irr->n_pending = 0;
	irr->scanned = now_of(irr) - IRR_LOOK_BACK;
	queue_schedules(irr, now_of(irr), true);
	rearm(irr);
}

static int64_t on_timer(void *data)
{
	struct irrigation *irr = data;

	irr->timer = 0;
	irrigation_tick(irr);
	return LOOP_DONE;
}

static bool any_by_moisture(const struct irrigation *irr)
{
	for (int z = 0; z < cfg_of(irr)->n_zones; z++)
		if (irr->by_moisture[z] && cfg_of(irr)->zones[z].pump_index >= 0)
			return true;
	return false;
}

/* One timer, for the next thing that has to happen: a run's end, a
 * schedule's time, a waiting run's next try, and each minute while water
 * runs or the soil decides (aligned with the screen's minute). */
static void rearm(struct irrigation *irr)
{
	time_t now = now_of(irr), next = -1;
	int64_t steady = steady_of(irr), run_ms = -1, delay;

	/* A run's end to the millisecond of its steady time, so that its
	 * minutes are not rounded up to the clock's next second. */
	for (int p = 0; p < irr->n; p++) {
		int64_t left = irr->pumps[p].steady_end - steady;

		if (!irr->pumps[p].run.id)
			continue;
		/* A phase of its dosing may change sooner. */
		if (dosing_next(irr->dosing, p) >= 0 && dosing_next(irr->dosing, p) - steady < left)
			left = dosing_next(irr->dosing, p) - steady;
		left = left > 0 ? (int64_t)((double)left / clock_speed(irr->app->clock) + 0.999) : 0;
		if (run_ms < 0 || left < run_ms)
			run_ms = left;
	}
#define SOONER(t) do { if ((t) >= 0 && (next < 0 || (t) < next)) next = (t); } while (0)
	for (int i = 0; i < irr->n_pending; i++)
		SOONER(irr->pending[i].due);
	for (int i = 0; i < irr->n_sched; i++)
		if (schedule_zone(irr, &irr->sched[i]) >= 0)
			SOONER(schedule_next(&irr->sched[i], irr->scanned));
	if (irrigation_running_count(irr) > 0 || any_by_moisture(irr) || irr->n_unwritten > 0 ||
	    irr->orphans_left)
		SOONER((now / 60 + 1) * 60);
#undef SOONER
	if (!irr->app->loop)
		return;
	if (next < 0 && run_ms < 0) {
		if (irr->timer)
			loop_timer_del(irr->app->loop, irr->timer);
		irr->timer = 0;
		return;
	}
	delay = next < 0 ? run_ms : clock_real_ms_until(irr->app->clock, (int64_t)next * 1000);
	if (run_ms >= 0 && run_ms < delay)
		delay = run_ms;
	if (irr->timer)
		loop_timer_set(irr->app->loop, irr->timer, delay);
	else
		irr->timer = loop_timer_add(irr->app->loop, delay, on_timer, irr);
}

const struct schedule_row *irrigation_schedules(const struct irrigation *irr, int *n)
{
	*n = irr->n_sched;
	return irr->sched;
}

static void schedule_event(struct irrigation *irr, const char *kind, const struct schedule_row *s)
{
	char detail[64];

	snprintf(detail, sizeof(detail), "%d;%02d:%02d;%d", s->days, s->start_min / 60,
		 s->start_min % 60, s->minutes);
	store_event(irr->app->store, now_of(irr), kind, s->zone, detail, false);
}

int irrigation_schedule_save(struct irrigation *irr, struct schedule_row *s, char *err,
			     size_t errlen)
{
	bool is_new = s->id == 0;

	if (!is_new) {
		int i;

		for (i = 0; i < irr->n_sched && irr->sched[i].id != s->id; i++)
			;
		if (i == irr->n_sched) {
			snprintf(err, errlen, _("That schedule no longer exists."));
			return -1;
		}
	} else if (irr->n_sched == IRR_MAX_SCHEDULES) {
		snprintf(err, errlen, _("There are already %d schedules; delete one first."),
			 IRR_MAX_SCHEDULES);
		return -1;
	}
	if (schedule_check(cfg_of(irr), irr->sched, irr->n_sched, s, err, errlen) < 0)
		return -1;
	if (store_schedule_save(irr->app->store, s, now_of(irr)) < 0) {
		snprintf(err, errlen, _("The schedule was not saved: %s"),
			 store_error(irr->app->store));
		if (is_new)
			s->id = 0;
		return -1;
	}
	schedule_event(irr, is_new ? "schedule_added" : "schedule_changed", s);
	load_schedules(irr);
	rearm(irr);
	return 0;
}

int irrigation_schedule_delete(struct irrigation *irr, int64_t id, char *err, size_t errlen)
{
	for (int i = 0; i < irr->n_sched; i++) {
		if (irr->sched[i].id != id)
			continue;
		if (store_schedule_delete(irr->app->store, id) < 0) {
			snprintf(err, errlen, _("The schedule was not deleted: %s"),
				 store_error(irr->app->store));
			return -1;
		}
		schedule_event(irr, "schedule_deleted", &irr->sched[i]);
		/* A run of it already waiting goes too. */
		for (int k = 0; k < irr->n_pending;)
			if (irr->pending[k].schedule == id)
				irr->pending[k] = irr->pending[--irr->n_pending];
			else
				k++;
		load_schedules(irr);
		rearm(irr);
		return 0;
	}
	snprintf(err, errlen, _("That schedule no longer exists."));
	return -1;
}

bool irrigation_next_scheduled(const struct irrigation *irr, struct irr_upcoming *u)
{
	const struct config *cfg = cfg_of(irr);
	bool found = false;

	for (int i = 0; i < irr->n_pending; i++) {
		const struct pending *pd = &irr->pending[i];

		if (!found || pd->due < u->at) {
			*u = (struct irr_upcoming){ pd->zone, pd->minutes, pd->due, pd->asked,
						    pd->moved };
			found = true;
		}
	}
	for (int i = 0; i < irr->n_sched; i++) {
		const struct schedule_row *s = &irr->sched[i];
		int z = schedule_zone(irr, s);
		time_t t = z >= 0 ? schedule_next(s, irr->scanned) : -1, at;

		if (t < 0)
			continue;
		at = tariff_clear_of_peak(&cfg->tariff, t, s->minutes * 60);
		if (!found || at < u->at) {
			*u = (struct irr_upcoming){ z, s->minutes, at, t, at != t };
			found = true;
		}
	}
	return found;
}

bool irrigation_by_moisture(const struct irrigation *irr, int zone)
{
	return zone >= 0 && zone < cfg_of(irr)->n_zones && irr->by_moisture[zone];
}

int irrigation_set_by_moisture(struct irrigation *irr, int zone, bool on)
{
	const struct config *cfg = cfg_of(irr);
	struct schedule_row replaced[SWITCH_SCHED_MAX];
	char key[64];
	int p, n;

	if (zone < 0 || zone >= cfg->n_zones)
		return IRR_REFUSED;
	snprintf(key, sizeof(key), "by_moisture.%s", cfg->zones[zone].item.id);
	/* With the setting, the zone's schedules that moisture replaces: what
	 * they would have used is set against what it uses. A zone whose
	 * schedules were deleted just before: those. */
	n = 0;
	for (int i = 0; i < irr->n_sched && n < SWITCH_SCHED_MAX; i++)
		if (strcmp(irr->sched[i].zone, cfg->zones[zone].item.id) == 0)
			replaced[n++] = irr->sched[i];
	if (on && n == 0) {
		n = store_schedules_deleted(irr->app->store, cfg->zones[zone].item.id,
					    now_of(irr) - IRR_REPLACED_RECENT, now_of(irr), replaced,
					    SWITCH_SCHED_MAX);
		if (n < 0)
			return IRR_FAILED;
	}
	if (store_begin(irr->app->store) < 0)
		return IRR_FAILED;
	if (store_moisture_switch(irr->app->store, cfg->zones[zone].item.id, now_of(irr), on,
				  replaced, n) < 0 ||
	    store_meta_set(irr->app->store, key, on ? "yes" : "no") < 0 ||
	    store_commit(irr->app->store) < 0) {
		store_rollback(irr->app->store);
		return IRR_FAILED;
	}
	irr->by_moisture[zone] = on;
	store_event(irr->app->store, now_of(irr), on ? "by_moisture_on" : "by_moisture_off",
		    cfg->zones[zone].item.id, NULL, false);
	/* Off means off: an automatic run of the zone stops now. */
	p = cfg->zones[zone].pump_index;
	if (!on && p >= 0 && irr->pumps[p].run.id && irr->pumps[p].run.reason == RUN_MOISTURE &&
	    irr->pumps[p].run_zone == zone)
		irrigation_stop(irr, p, "by_hand");
	irrigation_tick(irr);
	return 0;
}

const char *irrigation_reason_label(int reason)
{
	switch (reason) {
	case RUN_SCHEDULE:
		return _("by schedule");
	case RUN_MOISTURE:
		return _("by soil moisture");
	default:
		return _("by hand");
	}
}

const char *irrigation_end_label(const char *end_reason)
{
	/* The same words as the exported diary's (src/store_export.c). */
	static const struct {
		const char *code, *label;
	} ends[] = {
		{ "done", N_("ran its time") },
		{ "by_hand", N_("stopped by hand") },
		{ "moisture_high", N_("the soil was moist enough") },
		{ "peak", N_("peak hours began") },
		{ "no_rise", N_("stopped: the soil did not get wetter") },
		{ "no_flow", N_("stopped: no water flowed") },
		{ "no_pressure", N_("stopped: no water pressure") },
		{ "relay_error", N_("relay fault") },
		{ "shutdown", N_("station stopped") },
		{ "power_cut", N_("power cut") },
		{ "record_error", N_("stopped: a dose's record could not be written") },
		{ "tank_empty", N_("the tank ran dry") },
	};

	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
		if (strcmp(ends[i].code, end_reason) == 0)
			return _(ends[i].label);
	return end_reason;
}
