/* fieldstation check: the configuration, the whole database and the
 * signing key; the console runs it in the background (src/dbcheck.h). */
#include "cmd.h"
#include "config.h"
#include "dbcheck.h"
#include "signing.h"
#include "store.h"
#include "text.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

/* The signing key, for check: good, not made yet, or a fault (lost,
 * damaged, readable by others, or made on another board). */
static int check_station_key(const char *db, struct store *st)
{
	struct station_key key;
	char clean[2304];
	int rc = 0;

	station_key_open(&key, db, st, false, false, time(NULL));
	if (key.ok && !key.other_board) {
		printf(_("Signing key %s: good (fingerprint %s, made on this board)\n"), key.path,
		       key.fingerprint);
	} else if (key.none_yet) {
		printf(_("Signing key %s: not made yet; the station makes it when it starts.\n"),
		       key.path);
	} else {
		printf(_("Signing key %s: FAULT: %s\n"), key.path,
		       text_clean(clean, sizeof(clean), key.problem));
		rc = -1;
	}
	station_key_close(&key);
	return rc;
}

int cmd_check(struct options *o)
{
	struct config *cfg;
	struct store *st;
	char err[512], clean[1536];
	const char *path;
	int rc = 0;

	if (load_config(o, &cfg) < 0) {
		printf(_("Configuration: FAULT\n"));
		return 1;
	}
	printf(_("Configuration %s: good (%d zones, %d sensors, %d pumps)\n"), cfg->path,
	       cfg->n_zones, cfg->n_sensors, cfg->n_pumps);
	{
		char when[32];
		time_t now = time(NULL);

		/* What a technician compares with a watch after setting up a board. */
		printf(_("Station time: %s, time zone %s\n"), text_date_time(when, sizeof(when), now),
		       cfg->station.timezone);
	}
	path = db_path(o, cfg);
	if (access(path, F_OK) != 0) {
		printf(_("Database %s: not created yet; the station makes it when it starts.\n"), path);
		config_free(cfg);
		return 0;
	}
	rc = store_open(path, STORE_RDONLY, &st, err, sizeof(err));
	if (rc < 0) {
		printf(_("Database: FAULT: %s\n"), text_clean(clean, sizeof(clean), err));
		config_free(cfg);
		return rc == STORE_CORRUPT ? DBCHECK_DAMAGED : 1;
	}
	rc = store_check(st, STORE_CHECK_ALL, err, sizeof(err));
	if (rc < 0) {
		printf(_("Database %s: FAULT: %s\n"), path, text_clean(clean, sizeof(clean), err));
		rc = rc == STORE_CORRUPT ? DBCHECK_DAMAGED : 1;
	} else {
		printf(_("Database %s: good (schema %d of %d)\n"), path, store_schema_version(st),
		       store_schema_latest());
	}
	if (!store_is_office(st) && check_station_key(path, st) < 0)
		rc = 1;
	store_close(st);
	config_free(cfg);
	return rc;
}
