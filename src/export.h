/* The export that the leader carries to the office on a USB stick: one
 * folder named for the station and the day, holding a CSV per diary, a
 * traceability sheet per harvest lot, a copy of the whole database and a
 * manifest with every file's checksum. On a stick that holds this
 * station's earlier export the copy is the pages that changed since that
 * export's copy (src/store_delta.h), which the office rebuilds. It is written into a folder marked
 * unfinished, under temporary names, flushed and renamed; the folder takes
 * its real name only when everything is on the stick, and then every file
 * is read back against the manifest. The station's database is only ever
 * read, through a connection of the export's own.
 *
 * The stick is a stranger's: nothing on it is followed through a link,
 * only real folders and regular files are opened, and an unfinished
 * folder of an earlier export is cleared only if it carries this
 * station's mark (written first into each unfinished folder) and holds
 * nothing but files an export writes; any other is left as it is, and
 * export_notice() tells of it.
 *
 * The work is done in steps, so that the station's loop goes on running
 * the pumps while a large export is written. */
#ifndef FS_EXPORT_H
#define FS_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct config;
struct store;

struct export_opts {
	const char *db_path;
	const char *dest;	/* the folder to write into: the stick's */
	const char *code;	/* the station's; NULL: the database's */
	const char *name;	/* NULL: the database's */
	/* The station's configuration, for the traceability sheets; NULL at
	 * the office, where each station's own export has them. */
	const struct config *cfg;
	char sep, dec;		/* CSV separator and decimal mark */
	time_t now;		/* the station's clock: the folder's date */
};

/* What went wrong, for callers that act on it. */
enum export_failure {
	EXPORT_FAILED_NONE,
	EXPORT_FAILED_FULL,
	EXPORT_FAILED_READONLY,
	EXPORT_FAILED_REMOVED,	/* pulled out, or failing: EIO, ENODEV */
	EXPORT_FAILED_TOO_BIG,	/* a file larger than the stick's format allows */
	EXPORT_FAILED_ODD,	/* anything else the stick said */
	EXPORT_FAILED_DATABASE,
	EXPORT_FAILED_CHECK,	/* read back different from what was written */
	EXPORT_FAILED_CANCELLED,
};

#define EXPORT_MORE 1
#define EXPORT_DONE 0

struct export;

/* Checks the destination and the database and starts. On failure returns
 * -1 with one sentence in err and nothing written. */
int export_begin(const struct export_opts *o, struct export **out, char *err, size_t errlen);
/* Works for about budget_ms: EXPORT_MORE, EXPORT_DONE, or -1 when it
 * failed (export_error() says why; what was written is removed). */
int export_step(struct export *e, int budget_ms);
/* After EXPORT_MORE: how many ms the caller may leave the export before
 * its next step, since nothing can be done sooner (the workbook is being
 * closed by its own process); 0 when the next step has work at once. */
int export_idle_ms(const struct export *e);
/* Stops an unfinished export and removes what it wrote. */
void export_cancel(struct export *e);
/* Frees; an unfinished export is cancelled first. */
void export_free(struct export *e);

/* 0-100, never going back. */
int export_percent(const struct export *e);
/* What is being written now, in the reader's words. */
const char *export_doing(const struct export *e);
const char *export_error(const struct export *e);
/* Unfinished folders found on the stick and left as they were, in one
 * sentence; empty when there were none. */
const char *export_notice(const struct export *e);
enum export_failure export_failure(const struct export *e);
/* The folder's name (in dest) and full path; how many files it holds. */
const char *export_folder(const struct export *e);
const char *export_path(const struct export *e);
int export_file_count(const struct export *e);

/* Everything in one go, for `fieldstation export`; progress (0-100) is
 * reported through fn when not NULL. 0 with the folder's path and in err
 * export_notice() (often empty), or -1 with err. */
int export_run(const struct export_opts *o, void (*fn)(void *ctx, int percent), void *ctx,
	       char *path, size_t pathlen, char *err, size_t errlen);

/* Remembers the station's code, name and the names of its zones, pumps,
 * sensors, products and workers in its database, for its exports. */
int export_remember_station(struct store *s, const struct config *cfg);

#endif
