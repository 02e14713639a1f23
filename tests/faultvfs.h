/* A memory card that fails, for the tests: a SQLite VFS over the
 * system's through which every file of the station's database goes, and
 * which, when told, answers writes, syncs and truncations with an error
 * (SQLITE_FULL for a full card, SQLITE_IOERR_WRITE for a failing one)
 * after a given number of them have gone through. Reads are the system's:
 * a full card still reads. faultvfs_install() makes it SQLite's default,
 * so that the station's own store_open() uses it unchanged. */
#ifndef FS_FAULTVFS_H
#define FS_FAULTVFS_H

#include <sqlite3.h>
#include <stdbool.h>

static struct {
	sqlite3_vfs vfs;	/* first: SQLite hands this back to us */
	sqlite3_vfs *real;
	int rc;			/* what a failing write returns; 0: none fail */
	int pass;		/* writes that still go through before they fail */
	int failed;		/* writes, syncs and truncations refused so far */
} faultvfs;

struct faultvfs_file {
	sqlite3_file base;
	sqlite3_file *real;	/* in the same allocation, just after */
};

static inline sqlite3_file *faultvfs_real(sqlite3_file *f)
{
	return ((struct faultvfs_file *)f)->real;
}

/* True when this write is to fail. */
static inline bool faultvfs_fails(void)
{
	if (!faultvfs.rc)
		return false;
	if (faultvfs.pass > 0) {
		faultvfs.pass--;
		return false;
	}
	faultvfs.failed++;
	return true;
}

static inline int faultvfs_close(sqlite3_file *f)
{
	return faultvfs_real(f)->pMethods->xClose(faultvfs_real(f));
}

static inline int faultvfs_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
	return faultvfs_real(f)->pMethods->xRead(faultvfs_real(f), buf, amt, off);
}

static inline int faultvfs_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
	if (faultvfs_fails())
		return faultvfs.rc;
	return faultvfs_real(f)->pMethods->xWrite(faultvfs_real(f), buf, amt, off);
}

static inline int faultvfs_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	if (faultvfs_fails())
		return faultvfs.rc == SQLITE_FULL ? SQLITE_FULL : SQLITE_IOERR_TRUNCATE;
	return faultvfs_real(f)->pMethods->xTruncate(faultvfs_real(f), size);
}

static inline int faultvfs_sync(sqlite3_file *f, int flags)
{
	if (faultvfs_fails())
		return faultvfs.rc == SQLITE_FULL ? SQLITE_FULL : SQLITE_IOERR_FSYNC;
	return faultvfs_real(f)->pMethods->xSync(faultvfs_real(f), flags);
}

static inline int faultvfs_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return faultvfs_real(f)->pMethods->xFileSize(faultvfs_real(f), size);
}

static inline int faultvfs_lock(sqlite3_file *f, int lock)
{
	return faultvfs_real(f)->pMethods->xLock(faultvfs_real(f), lock);
}

static inline int faultvfs_unlock(sqlite3_file *f, int lock)
{
	return faultvfs_real(f)->pMethods->xUnlock(faultvfs_real(f), lock);
}

static inline int faultvfs_check_reserved(sqlite3_file *f, int *out)
{
	return faultvfs_real(f)->pMethods->xCheckReservedLock(faultvfs_real(f), out);
}

static inline int faultvfs_file_control(sqlite3_file *f, int op, void *arg)
{
	return faultvfs_real(f)->pMethods->xFileControl(faultvfs_real(f), op, arg);
}

static inline int faultvfs_sector_size(sqlite3_file *f)
{
	return faultvfs_real(f)->pMethods->xSectorSize(faultvfs_real(f));
}

static inline int faultvfs_device(sqlite3_file *f)
{
	return faultvfs_real(f)->pMethods->xDeviceCharacteristics(faultvfs_real(f));
}

/* WAL's shared memory, as the system's (the station runs in WAL mode). */
static inline int faultvfs_shm_map(sqlite3_file *f, int pg, int size, int extend,
				   void volatile **out)
{
	return faultvfs_real(f)->pMethods->xShmMap(faultvfs_real(f), pg, size, extend, out);
}

static inline int faultvfs_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return faultvfs_real(f)->pMethods->xShmLock(faultvfs_real(f), off, n, flags);
}

static inline void faultvfs_shm_barrier(sqlite3_file *f)
{
	faultvfs_real(f)->pMethods->xShmBarrier(faultvfs_real(f));
}

static inline int faultvfs_shm_unmap(sqlite3_file *f, int del)
{
	return faultvfs_real(f)->pMethods->xShmUnmap(faultvfs_real(f), del);
}

static inline int faultvfs_fetch(sqlite3_file *f, sqlite3_int64 off, int amt, void **out)
{
	return faultvfs_real(f)->pMethods->xFetch(faultvfs_real(f), off, amt, out);
}

static inline int faultvfs_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return faultvfs_real(f)->pMethods->xUnfetch(faultvfs_real(f), off, p);
}

static const sqlite3_io_methods faultvfs_io = {
	.iVersion = 3,
	.xClose = faultvfs_close,
	.xRead = faultvfs_read,
	.xWrite = faultvfs_write,
	.xTruncate = faultvfs_truncate,
	.xSync = faultvfs_sync,
	.xFileSize = faultvfs_file_size,
	.xLock = faultvfs_lock,
	.xUnlock = faultvfs_unlock,
	.xCheckReservedLock = faultvfs_check_reserved,
	.xFileControl = faultvfs_file_control,
	.xSectorSize = faultvfs_sector_size,
	.xDeviceCharacteristics = faultvfs_device,
	.xShmMap = faultvfs_shm_map,
	.xShmLock = faultvfs_shm_lock,
	.xShmBarrier = faultvfs_shm_barrier,
	.xShmUnmap = faultvfs_shm_unmap,
	.xFetch = faultvfs_fetch,
	.xUnfetch = faultvfs_unfetch,
};

static inline int faultvfs_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
				int *out_flags)
{
	struct faultvfs_file *ff = (struct faultvfs_file *)f;
	int rc;

	(void)vfs;
	ff->real = (sqlite3_file *)(ff + 1);
	rc = faultvfs.real->xOpen(faultvfs.real, name, ff->real, flags, out_flags);
	/* Only a file whose methods can all be passed on is wrapped. */
	if (ff->real->pMethods && ff->real->pMethods->iVersion < 3) {
		ff->real->pMethods->xClose(ff->real);
		ff->base.pMethods = NULL;
		return SQLITE_CANTOPEN;
	}
	ff->base.pMethods = ff->real->pMethods ? &faultvfs_io : NULL;
	return rc;
}

static inline int faultvfs_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	(void)vfs;
	return faultvfs.real->xDelete(faultvfs.real, name, sync_dir);
}

static inline int faultvfs_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return faultvfs.real->xAccess(faultvfs.real, name, flags, out);
}

static inline int faultvfs_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return faultvfs.real->xFullPathname(faultvfs.real, name, n, out);
}

static inline int faultvfs_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return faultvfs.real->xRandomness(faultvfs.real, n, out);
}

static inline int faultvfs_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return faultvfs.real->xSleep(faultvfs.real, us);
}

static inline int faultvfs_current_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return faultvfs.real->xCurrentTime(faultvfs.real, out);
}

static inline int faultvfs_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return faultvfs.real->xGetLastError(faultvfs.real, n, out);
}

static inline int faultvfs_current_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return faultvfs.real->xCurrentTimeInt64(faultvfs.real, out);
}

/* Makes the failing card SQLite's default VFS (once); nothing fails until
 * faultvfs_fail() says so. */
static inline void faultvfs_install(void)
{
	if (faultvfs.real)
		return;
	faultvfs.real = sqlite3_vfs_find(NULL);
	faultvfs.vfs = (sqlite3_vfs){
		.iVersion = 2,
		.szOsFile = (int)sizeof(struct faultvfs_file) + faultvfs.real->szOsFile,
		.mxPathname = faultvfs.real->mxPathname,
		.zName = "fieldstation-test-faults",
		.xOpen = faultvfs_open,
		.xDelete = faultvfs_delete,
		.xAccess = faultvfs_access,
		.xFullPathname = faultvfs_full_pathname,
		.xRandomness = faultvfs_randomness,
		.xSleep = faultvfs_sleep,
		.xCurrentTime = faultvfs_current_time,
		.xGetLastError = faultvfs_last_error,
		.xCurrentTimeInt64 = faultvfs_current_time64,
	};
	sqlite3_vfs_register(&faultvfs.vfs, 1);
}

/* After pass more writes (syncs, truncations) have gone through, each
 * one fails with rc: SQLITE_FULL (a full card) or SQLITE_IOERR_WRITE. */
static inline void faultvfs_fail(int rc, int pass)
{
	faultvfs.rc = rc;
	faultvfs.pass = pass;
	faultvfs.failed = 0;
}

/* The card works again. */
static inline void faultvfs_heal(void)
{
	faultvfs.rc = 0;
}

#endif
