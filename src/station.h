/* The station's core, made and freed in one order by the console, the
 * bench and the test rigs: the loop, the simulated farm, every relay off,
 * the database, the runs a power cut left open. The sensors' poller is
 * the caller's (readings_new() once this is open, readings_free() before
 * it closes; the tests of the pumps fake it), and what only the console
 * has (signals, the stick, the link, the voice, the screen) is made around
 * it in src/cmd_run.c. */
#ifndef FS_STATION_H
#define FS_STATION_H

#include "app.h"

#include <stddef.h>

/* The parts station_open() makes beside the loop, the farm and the
 * database. */
#define STATION_IRRIGATION 0x1	/* the pumps: relays off before the database
				 * is opened, then the runs a cut left open
				 * closed */
#define STATION_RESTORE 0x4	/* the database opened through the restore of
				 * a damaged one (backup_open_store()), its
				 * sentence in app->notice */
#define STATION_DAMAGED 0x8	/* with STATION_RESTORE: the last check found
				 * the database damaged */

/* Needs app->cfg, app->clock and app->db_path. 0, or -1 with err, or
 * STATION_RECORDS_FAULT with err when it is the database that cannot be
 * opened (newer, damaged past its backups, the card refusing it): not
 * something the configuration can put right. Either way station_close()
 * frees what was made. */
#define STATION_RECORDS_FAULT (-2)
int station_open(struct app *app, unsigned parts, char *err, size_t errlen);
/* Water first: every relay off and every run closed; then the database,
 * the farm and the loop. Each part may be missing. */
void station_close(struct app *app);

#endif
