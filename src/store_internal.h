/* What the store's files share: the connection and a cache of prepared
 * statements keyed by their SQL text. Not for use outside src/store*.c. */
#ifndef FS_STORE_INTERNAL_H
#define FS_STORE_INTERNAL_H

#include "store.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_MAX_STMTS 96

struct store {
	sqlite3 *db;
	int lock_fd;
	char error[256];
	char folder[4096];	/* where the database is, for its free space */
	enum store_card card;	/* what the last reads and writes found */
	bool unreadable;	/* a read failed: only a read clears it */
	long long probed_ms;	/* when a failing card was last tried */
	char path[4096];	/* the database, for the files beside it */
	/* Readings on their way (store_pending.c): the file, its generation,
	 * the next batch's number and page; and the newest alive note. */
	int pending_fd;
	uint32_t pending_gen, pending_seq;
	int pending_page;
	int64_t alive_note;
	struct alive_run alive_runs[STORE_ALIVE_RUNS];
	int n_alive_runs;
	void (*on_alarm)(void *ctx);	/* store_on_alarm() */
	void *on_alarm_ctx;
	struct {
		const char *sql;
		sqlite3_stmt *stmt;
	} stmts[STORE_MAX_STMTS];
};

/* The cached statement for sql (a string constant), reset and ready to
 * bind; NULL with store_error() set if it cannot be prepared. */
sqlite3_stmt *store_stmt(struct store *s, const char *sql);
/* Maps a SQLite result to a STORE_ code and records the message. */
int store_fail(struct store *s, int rc);
/* Steps a statement that returns no rows. */
int store_exec_stmt(struct store *s, sqlite3_stmt *st);

/* Binds ?1 to ?5 of st: the span of a wrong clock (after, until) and
 * the newest record, event and run ids when it was declared; INT64_MAX
 * for each when there is none. */
void store_bind_clock_wrong(struct store *s, sqlite3_stmt *st);

/* The file of readings on their way into the database and of the note
 * that pumps run (store_pending.c). pending_append() writes a batch
 * (packed readings, as a row of readings_packed holds them) to the card;
 * -ENOSPC when the file has no room left, until pending_reset() once the
 * database holds what it has. pending_forget() says so on the card too.
 * pending_read() calls fn for each batch of the file's newest generation
 * (fn < 0 stops), keeps the note in s (alive_note 0: none), and returns
 * how many batches, or -errno. */
void pending_path(const char *db_path, char *buf, size_t n);
int pending_append(struct store *s, const uint8_t *data, size_t n, int64_t base);
bool pending_room(const struct store *s, size_t n);
void pending_reset(struct store *s);
int pending_forget(struct store *s);
int pending_note_alive(struct store *s, int64_t t, const struct alive_run *runs, int n);
typedef int pending_fn(void *ctx, int64_t base, const uint8_t *data, size_t n);
int pending_read(struct store *s, pending_fn *fn, void *ctx);
void pending_close(struct store *s);

/* A database's tables and indexes as text, one per line, in order; and
 * the same for a station's schema at a version. malloc'd; NULL on error. */
char *store_schema_text(sqlite3 *db);
char *store_schema_reference(int version);
/* A new database in memory with a station's schema of this version, its
 * pages page_size bytes; the caller closes it. NULL on error. */
sqlite3 *store_schema_memory(int page_size);

/* A VFS (store_blank.c) through which a copy is written with every
 * occurrence of secret blanked (secret NULL or empty: none), and, when
 * changed_only, no page written that the file already holds as it is;
 * with delta, the copy's database file is not the file SQLite opens but
 * the base and the pages that differ from it (src/store_delta.h), the
 * caller's until after the VFS is freed. Registered under
 * store_blank_name() until freed, after the last connection that uses it
 * is closed. NULL when it has nothing to do or memory runs out.
 * store_blank_counts(): the pages written so far, and those found there
 * already. */
struct store_blank;
struct store_delta;
struct store_blank *store_blank_new(const char *secret, bool changed_only,
				    struct store_delta *delta);
void store_blank_counts(const struct store_blank *b, long long *written, long long *same);
const char *store_blank_name(const struct store_blank *b);
void store_blank_free(struct store_blank *b);

#endif
