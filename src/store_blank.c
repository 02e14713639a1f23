/* A thin SQLite VFS over the system's, for the copies of the database.
 * For a copy that goes on a stick, every page written through it has the
 * station's secret (the manager PIN's hash) blanked on its way to the
 * file: deleting the rows from the copy afterwards is not enough, the
 * pages were on the stick before, and a stick's flash keeps blocks that
 * were written over. For a copy made over an older one (a local backup
 * brought up to date), a page that is already in the file as it would be
 * written is not written again: the card gets only the pages that
 * changed. For a copy made over an earlier one on a stick (a delta), the
 * database file is read and written as the earlier copy and the pages
 * that differ from it (src/store_delta.c). Only what the file holds is
 * changed; everything else goes to the system's VFS as is. */
#include "store_delta.h"
#include "store_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct store_blank {
	sqlite3_vfs vfs;	/* first: SQLite hands this back to us */
	sqlite3_vfs *real;
	char name[48];
	char *secret;		/* NULL: nothing to blank */
	size_t len;
	bool changed_only;
	struct store_delta *delta;	/* NULL: the file is the copy */
	long long written, same;	/* pages written, and not, for being there */
};

struct blank_file {
	sqlite3_file base;
	struct store_blank *blank;
	bool delta;		/* the database file of a delta */
	sqlite3_file *real;	/* in the same allocation, just after */
};

static sqlite3_file *real_of(sqlite3_file *f)
{
	return ((struct blank_file *)f)->real;
}

static int blank_close(sqlite3_file *f)
{
	return real_of(f)->pMethods->xClose(real_of(f));
}

static struct store_delta *delta_of(sqlite3_file *f)
{
	const struct blank_file *bf = (struct blank_file *)f;

	return bf->delta ? bf->blank->delta : NULL;
}

static int blank_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
	struct store_delta *d = delta_of(f);
	int rc;

	if (!d)
		return real_of(f)->pMethods->xRead(real_of(f), buf, amt, off);
	rc = store_delta_read(d, buf, amt, off);
	return rc == 0 ? SQLITE_OK : rc == 1 ? SQLITE_IOERR_SHORT_READ : SQLITE_IOERR_READ;
}

/* Is buf already in the file at off? A read short of it is not. */
static bool already_there(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
	char *there = malloc((size_t)amt);
	bool same = there && real_of(f)->pMethods->xRead(real_of(f), there, amt, off) == SQLITE_OK &&
		    memcmp(there, buf, (size_t)amt) == 0;

	free(there);
	return same;
}

static int write_changed(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
	struct store_blank *b = ((struct blank_file *)f)->blank;
	struct store_delta *d = delta_of(f);

	if (d) {
		int rc = store_delta_write(d, buf, amt, off);

		return rc == 0 ? SQLITE_OK : rc == -ENOSPC ? SQLITE_FULL : SQLITE_IOERR_WRITE;
	}
	if (b->changed_only && already_there(f, buf, amt, off)) {
		b->same++;
		return SQLITE_OK;
	}
	b->written++;
	return real_of(f)->pMethods->xWrite(real_of(f), buf, amt, off);
}

static int blank_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
	const struct store_blank *b = ((struct blank_file *)f)->blank;
	char *copy, *at;
	int rc;

	if (!b->secret || !memmem(buf, (size_t)amt, b->secret, b->len))
		return write_changed(f, buf, amt, off);
	copy = malloc((size_t)amt);
	if (!copy)
		return SQLITE_NOMEM;
	memcpy(copy, buf, (size_t)amt);
	for (at = copy; (at = memmem(at, (size_t)(copy + amt - at), b->secret, b->len));
	     at += b->len)
		memset(at, 0, b->len);
	rc = write_changed(f, copy, amt, off);
	free(copy);
	return rc;
}

static int blank_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	if (delta_of(f))
		return store_delta_truncate(delta_of(f), size) == 0 ? SQLITE_OK : SQLITE_IOERR_TRUNCATE;
	return real_of(f)->pMethods->xTruncate(real_of(f), size);
}

/* A delta is synced by its writer, once whole. */
static int blank_sync(sqlite3_file *f, int flags)
{
	return delta_of(f) ? SQLITE_OK : real_of(f)->pMethods->xSync(real_of(f), flags);
}

static int blank_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	if (delta_of(f)) {
		*size = store_delta_size(delta_of(f));
		return SQLITE_OK;
	}
	return real_of(f)->pMethods->xFileSize(real_of(f), size);
}

static int blank_lock(sqlite3_file *f, int lock)
{
	return real_of(f)->pMethods->xLock(real_of(f), lock);
}

static int blank_unlock(sqlite3_file *f, int lock)
{
	return real_of(f)->pMethods->xUnlock(real_of(f), lock);
}

static int blank_check_reserved(sqlite3_file *f, int *out)
{
	return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}

static int blank_file_control(sqlite3_file *f, int op, void *arg)
{
	/* A delta's file grows by its records, never to the copy's size. */
	if (delta_of(f) && (op == SQLITE_FCNTL_SIZE_HINT || op == SQLITE_FCNTL_CHUNK_SIZE))
		return SQLITE_OK;
	return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}

static int blank_sector_size(sqlite3_file *f)
{
	return real_of(f)->pMethods->xSectorSize(real_of(f));
}

static int blank_device(sqlite3_file *f)
{
	return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}

/* Version 1: no shared memory and no memory mapping, so the copy is
 * written only through xWrite (it is in rollback-journal mode). */
static const sqlite3_io_methods blank_io = {
	.iVersion = 1,
	.xClose = blank_close,
	.xRead = blank_read,
	.xWrite = blank_write,
	.xTruncate = blank_truncate,
	.xSync = blank_sync,
	.xFileSize = blank_file_size,
	.xLock = blank_lock,
	.xUnlock = blank_unlock,
	.xCheckReservedLock = blank_check_reserved,
	.xFileControl = blank_file_control,
	.xSectorSize = blank_sector_size,
	.xDeviceCharacteristics = blank_device,
};

static int blank_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
		      int *out_flags)
{
	struct store_blank *b = (struct store_blank *)vfs;
	struct blank_file *bf = (struct blank_file *)f;
	int rc;

	bf->blank = b;
	bf->delta = b->delta && (flags & SQLITE_OPEN_MAIN_DB);
	bf->real = (sqlite3_file *)(bf + 1);
	rc = b->real->xOpen(b->real, name, bf->real, flags, out_flags);
	bf->base.pMethods = bf->real->pMethods ? &blank_io : NULL;
	return rc;
}

/* The rest is the system's, called as the system's VFS. */

static int blank_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	sqlite3_vfs *real = ((struct store_blank *)vfs)->real;

	return real->xDelete(real, name, sync_dir);
}

static int blank_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	sqlite3_vfs *real = ((struct store_blank *)vfs)->real;

	return real->xAccess(real, name, flags, out);
}

static int blank_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	sqlite3_vfs *real = ((struct store_blank *)vfs)->real;

	return real->xFullPathname(real, name, n, out);
}

static int blank_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	sqlite3_vfs *real = ((struct store_blank *)vfs)->real;

	return real->xRandomness(real, n, out);
}

static int blank_sleep(sqlite3_vfs *vfs, int us)
{
	sqlite3_vfs *real = ((struct store_blank *)vfs)->real;

	return real->xSleep(real, us);
}

static int blank_current_time(sqlite3_vfs *vfs, double *out)
{
	sqlite3_vfs *real = ((struct store_blank *)vfs)->real;

	return real->xCurrentTime(real, out);
}

static int blank_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	sqlite3_vfs *real = ((struct store_blank *)vfs)->real;

	return real->xGetLastError(real, n, out);
}

static int blank_current_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	sqlite3_vfs *real = ((struct store_blank *)vfs)->real;

	return real->xCurrentTimeInt64(real, out);
}

struct store_blank *store_blank_new(const char *secret, bool changed_only,
				    struct store_delta *delta)
{
	sqlite3_vfs *real = sqlite3_vfs_find(NULL);
	struct store_blank *b;

	if (!real || ((!secret || !secret[0]) && !changed_only && !delta) || real->iVersion < 2 ||
	    !(b = calloc(1, sizeof(*b))))
		return NULL;
	b->real = real;
	b->changed_only = changed_only;
	b->delta = delta;
	if (secret && secret[0]) {
		b->secret = strdup(secret);
		b->len = strlen(secret);
		if (!b->secret) {
			free(b);
			return NULL;
		}
	}
	/* Named for this copy: each has its own secret. */
	snprintf(b->name, sizeof(b->name), "fieldstation-blank-%p", (void *)b);
	b->vfs = (sqlite3_vfs){
		.iVersion = 2,
		.szOsFile = (int)sizeof(struct blank_file) + real->szOsFile,
		.mxPathname = real->mxPathname,
		.zName = b->name,
		.xOpen = blank_open,
		.xDelete = blank_delete,
		.xAccess = blank_access,
		.xFullPathname = blank_full_pathname,
		.xRandomness = blank_randomness,
		.xSleep = blank_sleep,
		.xCurrentTime = blank_current_time,
		.xGetLastError = blank_last_error,
		.xCurrentTimeInt64 = blank_current_time64,
	};
	if (sqlite3_vfs_register(&b->vfs, 0) != SQLITE_OK) {
		free(b->secret);
		free(b);
		return NULL;
	}
	return b;
}

void store_blank_counts(const struct store_blank *b, long long *written, long long *same)
{
	if (b && b->delta) {
		store_delta_counts(b->delta, written, same);
		return;
	}
	*written = b ? b->written : 0;
	*same = b ? b->same : 0;
}

const char *store_blank_name(const struct store_blank *b)
{
	return b->name;
}

void store_blank_free(struct store_blank *b)
{
	if (!b)
		return;
	sqlite3_vfs_unregister(&b->vfs);
	if (b->secret)
		explicit_bzero(b->secret, b->len);
	free(b->secret);
	free(b);
}
