/* A database that fails on demand, for the tests of what the station does
 * when its card cannot be read or written: every statement that reads
 * (or writes) a chosen table fails, as on a damaged card, until the fault
 * is cleared; the rest of the database works on. So can a DETACH of a
 * database, or a PRAGMA set to a value. SQLite's authorizer does it, so
 * nothing in the station's code knows: setting one makes SQLite prepare
 * the store's cached statements again at their next use, and the
 * authorizer refuses those that do what is to fail. */
#ifndef FS_STOREFAULT_H
#define FS_STOREFAULT_H

#include "store_internal.h"

#include <sqlite3.h>
#include <string.h>
#include <strings.h>

#define FAULT_READ 0x1
#define FAULT_WRITE 0x2
#define FAULT_DETACH 0x4	/* name: the database */
#define FAULT_PRAGMA 0x8	/* name: the pragma; value: what it is set to */

struct store_fault {
	const char *name;
	const char *value;
	unsigned what;
	int refused;		/* statements refused so far */
};

static inline int store_fault_auth(void *ctx, int action, const char *a, const char *b,
				   const char *db, const char *trigger)
{
	struct store_fault *f = ctx;
	unsigned what = 0;

	(void)db;
	(void)trigger;
	if (action == SQLITE_READ)
		what = FAULT_READ;
	else if (action == SQLITE_INSERT || action == SQLITE_UPDATE || action == SQLITE_DELETE)
		what = FAULT_WRITE;
	else if (action == SQLITE_DETACH)
		what = FAULT_DETACH;
	else if (action == SQLITE_PRAGMA && b && f->value && strcasecmp(b, f->value) == 0)
		what = FAULT_PRAGMA;
	if (!(what & f->what) || !a || strcasecmp(a, f->name) != 0)
		return SQLITE_OK;
	f->refused++;
	return SQLITE_DENY;
}

/* From now on, what (FAULT_READ, FAULT_WRITE or both) of table fails in
 * s, or (FAULT_DETACH) detaching the database named so; f is the
 * caller's and lives until store_fault_clear(). */
static inline void store_fault_set(struct store *s, struct store_fault *f, const char *table,
				   unsigned what)
{
	*f = (struct store_fault){ .name = table, .what = what };
	sqlite3_set_authorizer(s->db, store_fault_auth, f);
}

/* From now on, setting the pragma name to value fails in s. */
static inline void store_fault_pragma(struct store *s, struct store_fault *f, const char *name,
				      const char *value)
{
	*f = (struct store_fault){ .name = name, .value = value, .what = FAULT_PRAGMA };
	sqlite3_set_authorizer(s->db, store_fault_auth, f);
}

/* The card works again. */
static inline void store_fault_clear(struct store *s)
{
	sqlite3_set_authorizer(s->db, NULL, NULL);
}

#endif
