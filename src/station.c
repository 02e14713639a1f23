/* The station's core, made and freed in one order: see station.h. */
#include "station.h"

#include "backup.h"
#include "clock.h"
#include "clockset.h"
#include "config.h"
#include "error.h"
#include "export.h"
#include "irrigation.h"
#include "loop.h"
#include "offers.h"
#include "relay.h"
#include "sensor.h"
#include "sim_farm.h"
#include "store.h"
#include "text.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int64_t farm_now(void *ctx)
{
	return clock_now_ms(ctx);
}

static bool any_sim(const struct config *cfg)
{
	for (int i = 0; i < cfg->n_pumps; i++)
		if (cfg->pumps[i].driver == RELAY_DRIVER_SIM)
			return true;
	for (int i = 0; i < cfg->n_sensors; i++)
		if (cfg->sensors[i].driver == SENSOR_DRIVER_SIM)
			return true;
	for (int i = 0; i < cfg->n_injectors; i++)
		if (cfg->injectors[i].driver == RELAY_DRIVER_SIM)
			return true;
	return false;
}

static int open_store(struct app *app, unsigned parts, char *err, size_t errlen)
{
	const struct config *cfg = app->cfg;
	time_t known;
	int rc;

	/* A damaged database is set aside for the newest good backup. */
	if (parts & STATION_RESTORE)
		rc = backup_open_store(app->db_path, clock_now(app->clock), parts & STATION_DAMAGED,
				       &app->store, app->notice, sizeof(app->notice), err, errlen);
	else
		rc = store_open(app->db_path, STORE_EXCLUSIVE, &app->store, err, errlen);
	/* Records in a newer version's format, left by an update taken
	 * back: "update this one" would point at the version that failed. */
	if (rc == STORE_NEWER)
		offers_records_left_newer(app->db_path, err, errlen);
	if (rc < 0)
		return -1;
	/* Before anything is written into it, not even the stop. */
	if (store_is_office(app->store)) {
		store_close(app->store);
		app->store = NULL;
		return error_set(err, errlen, -1,
				 _("%s is an office database, merged from stations: a station cannot run on it.\n"),
				 app->db_path);
	}
	/* With a link to the office, every write from here on is queued for
	 * it in its own transaction. */
	if (config_has_uplink(&cfg->uplink) && store_outbox_enable(app->store) < 0)
		return error_set(err, errlen, -1, "%s", store_error(app->store));
	/* A board without a real-time clock may have booted in the past:
	 * the runs wait until the clock is set. */
	app->clock_behind = clockset_behind(app->store, app->clock, &known);
	/* For exports: what this station and its zones and pumps are called. */
	export_remember_station(app->store, cfg);
	return 0;
}

int station_open(struct app *app, unsigned parts, char *err, size_t errlen)
{
	app->loop = loop_new();
	if (!app->loop)
		return error_set(err, errlen, -1, "%s", strerror(ENOMEM));
	if (any_sim(app->cfg)) {
		app->farm = sim_farm_new(app->cfg->station.seed, app->cfg->n_zones, farm_now,
					 app->clock);
		if (!app->farm)
			return error_set(err, errlen, -1, "%s", strerror(ENOMEM));
	}
	/* Relays off first: opening and checking years of data takes
	 * seconds, and may fail. */
	if (parts & STATION_IRRIGATION) {
		app->irrigation = irrigation_new(app, err, errlen);
		if (!app->irrigation)
			return -1;
	}
	if (open_store(app, parts, err, errlen) < 0)
		return STATION_RECORDS_FAULT;
	if (app->irrigation)
		irrigation_resume(app->irrigation);
	return 0;
}

void station_close(struct app *app)
{
	/* Water first: every relay off and every run closed. */
	irrigation_free(app->irrigation);
	app->irrigation = NULL;
	store_close(app->store);
	app->store = NULL;
	sim_farm_free(app->farm);
	app->farm = NULL;
	loop_free(app->loop);
	app->loop = NULL;
}
