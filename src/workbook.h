/* The export's workbook, for people: one .xlsx (libxlsxwriter) holding a
 * first sheet that says which station, which period and when it was
 * made, a sheet per diary of the export's table (store_export_diaries(),
 * so that a new diary appears here too), and at a station the lots'
 * traceability as two sheets. Cells are typed: numbers as numbers (units
 * in the headers), days and times as date cells shown dd/mm/yyyy, every
 * name, code and lot as text; header rows frozen, columns as wide as
 * what they hold.
 *
 * The library writes to a path: the workbook is made in a private folder
 * of the station's own (mkdtemp() in TMPDIR, or /tmp), never on the
 * stick; the export then copies the finished file through outfile onto
 * the stick. It is rewritten whole at each export.
 *
 * Closing the book, where the library zips every sheet into the file in
 * one call, is done by a child process, so that the caller's loop is
 * never held by it: workbook_step() says WORKBOOK_WAIT meanwhile. The
 * child holds no descriptor of the caller's but the sheets' own files nor
 * the database's wal-index mapped, dies with the caller, and is killed by
 * workbook_free(), or after 5 minutes. */
#ifndef FS_WORKBOOK_H
#define FS_WORKBOOK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct config;
struct export_params;
struct store;

#define WORKBOOK_NAME "so-ghi-chep.xlsx"

#define WORKBOOK_WAIT 2		/* being closed aside: ask again later */
#define WORKBOOK_MORE 1
#define WORKBOOK_DONE 0
#define WORKBOOK_FAILED (-1)		/* workbook_error() says why */
#define WORKBOOK_DB_FAILED (-2)		/* the store failed: store_error() */

/* What the first sheet says. */
struct workbook_facts {
	const char *code;	/* the station's; an office's: "TONG-HOP" */
	const char *name;
	int office;		/* merged from stations */
	time_t made;
	int64_t from, to;	/* the time the records cover; 0 0: none */
};

struct workbook;

/* Starts a workbook from s (read in the export's snapshot): its private
 * folder and its first sheet. cfg is the station's configuration, for
 * the lots' sheets; NULL at an office. 0, or WORKBOOK_FAILED with err,
 * or WORKBOOK_DB_FAILED. */
int workbook_begin(struct store *s, const struct config *cfg, const struct export_params *p,
		   const struct workbook_facts *f, struct workbook **out, char *err, size_t errlen);
/* Writes up to about `rows` rows: WORKBOOK_MORE; WORKBOOK_WAIT while the
 * book is being closed by its child (a few ms later is soon enough to ask
 * again); WORKBOOK_DONE once the file is whole (workbook_file());
 * WORKBOOK_FAILED with workbook_error(), or WORKBOOK_DB_FAILED. */
int workbook_step(struct workbook *w, int rows);
/* The finished file, opened for reading at its start (the workbook keeps
 * it and closes it), and its size. */
int workbook_file(struct workbook *w, int64_t *bytes);
/* How many sheets it has. */
int workbook_sheets(const struct workbook *w);
const char *workbook_error(const struct workbook *w);
/* Stops a child still closing the book, forgets an unfinished book
 * without writing it, closes everything and removes the private folder.
 * NULL is fine. */
void workbook_free(struct workbook *w);

#endif
