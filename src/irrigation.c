/* Pumps, their relays and their runs. */
#include "irrigation.h"

#include "app.h"
#include "clock.h"
#include "config.h"
#include "loop.h"
#include "readings.h"
#include "relay.h"
#include "store.h"
#include "text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pump_state {
	struct relay *relay;
	int zone;		/* the first zone this pump waters, -1 none */
	int64_t run_id;		/* 0: not running */
	int64_t until;		/* station seconds */
};

struct irrigation {
	struct app *app;
	struct pump_state *pumps;
	int n;
	int timer;
	char power_cut[256];
	int n_power_cut;
	bool failing;		/* switching everything off after a relay failed */
};

static void rearm(struct irrigation *irr);

/* A relay that fails to switch cannot be trusted, nor can the board it
 * sits on: every relay goes off and every run ends, and an alarm says
 * which relay failed. */
static void relay_failed(struct irrigation *irr, int pump)
{
	if (irr->failing)
		return;
	irr->failing = true;
	store_event(irr->app->store, clock_now(irr->app->clock), "relay_error",
		    irr->app->cfg->pumps[pump].item.id, NULL, true);
	irrigation_stop_all(irr, "relay_error");
	irr->failing = false;
}

static struct relay *make_relay(struct irrigation *irr, int p, char *err, size_t errlen)
{
	const struct config *cfg = irr->app->cfg;
	const struct pump_cfg *pc = &cfg->pumps[p];
	int zones[32], n = 0;

	if (pc->driver == RELAY_DRIVER_GPIOD) {
		char why[256];
		struct relay *r = relay_gpiod_new(pc->chip, pc->line, pc->active_low, why,
						  sizeof(why));

		if (!r)
			snprintf(err, errlen, "%s: [pump.%s]: %s", cfg->path, pc->item.id, why);
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

static double zone_moisture(struct irrigation *irr, int zone)
{
	if (zone < 0 || !irr->app->readings)
		return NAN;
	return readings_zone_moisture(irr->app->readings, zone, NULL);
}

/* Close in the diary the runs that a power cut or a crash left open: at
 * the last moment the station is known to have been alive. */
static void close_orphans(struct irrigation *irr)
{
	struct store *st = irr->app->store;
	struct run_row open[16];
	int64_t alive = 0;
	int n = store_runs_open(st, open, 16);
	char when[32];

	if (n <= 0)
		return;
	store_last_alive(st, &alive);
	for (int i = 0; i < n; i++) {
		int64_t end = alive < open[i].planned_end ? alive : open[i].planned_end;

		if (end <= open[i].started)
			end = open[i].started;
		store_run_end(st, open[i].id, end, "power_cut", NAN);
		store_event(st, clock_now(irr->app->clock), "run_cut", open[i].pump, NULL, true);
		if (i == 0) {
			int p = config_pump_index(irr->app->cfg, open[i].pump);

			snprintf(irr->power_cut, sizeof(irr->power_cut),
				 _("%s was running when the power failed (%s); its run is closed in the diary."),
				 p >= 0 ? irr->app->cfg->pumps[p].name : open[i].pump,
				 text_date_time(when, sizeof(when), (time_t)end));
		}
	}
	irr->n_power_cut = n;
}

struct irrigation *irrigation_new(struct app *app, char *err, size_t errlen)
{
	const struct config *cfg = app->cfg;
	struct irrigation *irr = calloc(1, sizeof(*irr));

	if (!irr)
		return NULL;
	irr->app = app;
	irr->pumps = calloc((size_t)cfg->n_pumps + 1, sizeof(*irr->pumps));
	if (!irr->pumps)
		goto fail;
	irr->n = cfg->n_pumps;
	for (int p = 0; p < irr->n; p++) {
		irr->pumps[p].zone = -1;
		for (int z = cfg->n_zones - 1; z >= 0; z--)
			if (cfg->zones[z].pump_index == p)
				irr->pumps[p].zone = z;
		irr->pumps[p].relay = make_relay(irr, p, err, errlen);
		if (!irr->pumps[p].relay)
			goto fail;
		if (relay_set(irr->pumps[p].relay, false) < 0) {
			snprintf(err, errlen, _("%s: [pump.%s]: the relay cannot be switched off."),
				 cfg->path, cfg->pumps[p].item.id);
			goto fail;
		}
	}
	close_orphans(irr);
	return irr;
fail:
	irrigation_free(irr);
	return NULL;
}

void irrigation_free(struct irrigation *irr)
{
	if (!irr)
		return;
	if (irr->pumps) {
		irrigation_stop_all(irr, "shutdown");
		for (int p = 0; p < irr->n; p++)
			relay_free(irr->pumps[p].relay);
	}
	if (irr->timer)
		loop_timer_del(irr->app->loop, irr->timer);
	free(irr->pumps);
	free(irr);
}

int irrigation_running_count(const struct irrigation *irr)
{
	int n = 0;

	for (int p = 0; p < irr->n; p++)
		n += irr->pumps[p].run_id != 0;
	return n;
}

bool irrigation_running(const struct irrigation *irr, int pump, int64_t *until)
{
	if (pump < 0 || pump >= irr->n || !irr->pumps[pump].run_id)
		return false;
	if (until)
		*until = irr->pumps[pump].until;
	return true;
}

int irrigation_start(struct irrigation *irr, int pump, int minutes, int reason,
		     const char *who, char *why, size_t whylen)
{
	const struct config *cfg = irr->app->cfg;
	const struct pump_cfg *pc;
	struct pump_state *ps;
	struct run_row row = { 0 };
	int64_t now = clock_now(irr->app->clock);
	int rc;

	if (pump < 0 || pump >= irr->n) {
		snprintf(why, whylen, _("There is no such pump."));
		return IRR_REFUSED;
	}
	pc = &cfg->pumps[pump];
	ps = &irr->pumps[pump];
	if (ps->run_id) {
		snprintf(why, whylen, _("%s is already running."), pc->name);
		return IRR_REFUSED;
	}
	if (minutes < 1 || minutes > pc->max_minutes) {
		snprintf(why, whylen, _("%s may run 1 to %d minutes."), pc->name, pc->max_minutes);
		return IRR_REFUSED;
	}
	if (irrigation_running_count(irr) >= cfg->station.max_pumps_running) {
		snprintf(why, whylen,
			 ngettext("Only %d pump may run at once: the shed's power supply cannot carry more.",
				  "Only %d pumps may run at once: the shed's power supply cannot carry more.",
				  (unsigned long)cfg->station.max_pumps_running),
			 cfg->station.max_pumps_running);
		return IRR_REFUSED;
	}
	snprintf(row.pump, sizeof(row.pump), "%s", pc->item.id);
	if (ps->zone >= 0)
		snprintf(row.zone, sizeof(row.zone), "%s", cfg->zones[ps->zone].item.id);
	row.reason = reason;
	snprintf(row.who, sizeof(row.who), "%s", who ? who : "");
	row.started = now;
	row.planned_end = now + (int64_t)minutes * 60;
	row.moisture_before = zone_moisture(irr, ps->zone);
	/* The diary first: a run the station cannot record does not start. */
	rc = store_run_begin(irr->app->store, &row);
	if (rc < 0) {
		snprintf(why, whylen, rc == STORE_FULL ? _("The memory card is full.")
						       : _("The diary cannot be written: %s"),
			 store_error(irr->app->store));
		return IRR_FAILED;
	}
	if (relay_set(ps->relay, true) < 0) {
		store_run_end(irr->app->store, row.id, now, "relay_error", NAN);
		relay_failed(irr, pump);
		snprintf(why, whylen, _("The relay of %s does not answer: every pump is switched off."),
			 pc->name);
		return IRR_FAILED;
	}
	ps->run_id = row.id;
	ps->until = row.planned_end;
	rearm(irr);
	app_changed(irr->app);
	return 0;
}

int irrigation_stop(struct irrigation *irr, int pump, const char *end_reason)
{
	struct pump_state *ps;
	int64_t now = clock_now(irr->app->clock);
	int rc;

	if (pump < 0 || pump >= irr->n)
		return IRR_REFUSED;
	ps = &irr->pumps[pump];
	/* Off first: water stops even if the diary cannot be written. */
	rc = relay_set(ps->relay, false);
	if (ps->run_id) {
		store_run_end(irr->app->store, ps->run_id, now, rc < 0 ? "relay_error" : end_reason,
			      zone_moisture(irr, ps->zone));
		ps->run_id = 0;
		ps->until = 0;
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

void irrigation_tick(struct irrigation *irr)
{
	int64_t now = clock_now(irr->app->clock);

	for (int p = 0; p < irr->n; p++)
		if (irr->pumps[p].run_id && irr->pumps[p].until <= now)
			irrigation_stop(irr, p, "done");
	rearm(irr);
}

static int64_t on_deadline(void *data)
{
	struct irrigation *irr = data;

	irr->timer = 0;
	irrigation_tick(irr);
	return LOOP_DONE;
}

/* One timer, set for the nearest end of a run. */
static void rearm(struct irrigation *irr)
{
	int64_t next = 0;

	for (int p = 0; p < irr->n; p++)
		if (irr->pumps[p].run_id && (!next || irr->pumps[p].until < next))
			next = irr->pumps[p].until;
	if (!next) {
		if (irr->timer)
			loop_timer_del(irr->app->loop, irr->timer);
		irr->timer = 0;
		return;
	}
	int64_t delay = clock_real_ms_until(irr->app->clock, next * 1000);
	if (irr->timer)
		loop_timer_set(irr->app->loop, irr->timer, delay);
	else
		irr->timer = loop_timer_add(irr->app->loop, delay, on_deadline, irr);
}

int irrigation_power_cut_report(const struct irrigation *irr, char *buf, size_t n)
{
	snprintf(buf, n, "%s", irr->power_cut);
	return irr->n_power_cut;
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
