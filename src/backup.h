/* Local backups of the station's database, and the start from the newest
 * good one when the database is damaged. A backup is SQLite's online
 * backup of the running database (store_backup_*, as the export's copy),
 * made a few pages at a time on the loop every backup_hours of station
 * time, into a folder `backups` beside the database, named for the
 * database and the time (station-2026-06-01-0530.db for station.db); the
 * newest backup_keep are kept. */
#ifndef FS_BACKUP_H
#define FS_BACKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct app;
struct store;
struct backups;

/* The folder of the backups of the database at db_path. */
void backup_dir(const char *db_path, char *buf, size_t n);

/* Opens the running station's database (as store_open() with
 * STORE_EXCLUSIVE) and checks its records (store_check(),
 * STORE_CHECK_RECORDS); the rest of it, years of readings, is checked
 * after the first screen (src/dbcheck.h), and a database found damaged
 * there is opened again with damaged true. A damaged one (a station
 * database that fails the check, one found damaged, or a file that no
 * longer opens as one but has backups beside it) is renamed aside
 * (db_path.damaged-YYYYMMDD-HHMMSS, with its -wal) and the newest backup
 * that passes the check of the whole database takes its place; without
 * one, the station starts on a new database. Then notice holds the one
 * sentence for the farmer (empty when the database was sound). 0, or a
 * STORE_ code with err. */
int backup_open_store(const char *db_path, time_t now, bool damaged, struct store **out,
		      char *notice, size_t notice_n, char *err, size_t errlen);

/* A backup now of s, the database at db_path, then the oldest beyond
 * keep removed: with keep of 2 or more and as many backups there, the
 * oldest brought up to date (only the pages that changed written). 0,
 * or -1 with err; written (if not NULL) says how many pages were
 * written, "N of M pages written". */
int backup_now(struct store *s, const char *db_path, time_t now, int keep, char *written,
	       size_t written_n, char *err, size_t errlen);
/* The station time of the newest backup of the database at db_path, 0 if
 * none. */
time_t backup_newest(const char *db_path);

/* Makes backups on the loop as the configuration says; NULL when it says
 * never (backup_hours = 0) or memory runs out. */
struct backups *backups_new(struct app *app);
void backups_free(struct backups *b);

#endif
