/* What the store's files share: the connection and a cache of prepared
 * statements keyed by their SQL text. Not for use outside src/store*.c. */
#ifndef FS_STORE_INTERNAL_H
#define FS_STORE_INTERNAL_H

#include "store.h"

#include <sqlite3.h>
#include <stdbool.h>

#define STORE_MAX_STMTS 96

struct store {
	sqlite3 *db;
	int lock_fd;
	char error[256];
	char folder[4096];	/* where the database is, for its free space */
	enum store_card card;	/* what the last reads and writes found */
	bool unreadable;	/* a read failed: only a read clears it */
	long long probed_ms;	/* when a failing card was last tried */
	long long changes;	/* sqlite3_total_changes() at store_begin() */
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

/* A database's tables and indexes as text, one per line, in order; and
 * the same for a station's schema at a version. malloc'd; NULL on error. */
char *store_schema_text(sqlite3 *db);
char *store_schema_reference(int version);

/* A VFS (store_blank.c) through which a copy is written with every
 * occurrence of secret blanked; registered under store_blank_name() until
 * freed, after the last connection that uses it is closed. NULL when
 * secret is empty or memory runs out. */
struct store_blank;
struct store_blank *store_blank_new(const char *secret);
const char *store_blank_name(const struct store_blank *b);
void store_blank_free(struct store_blank *b);

#endif
