/* Files written to a USB stick, which may be pulled out at any moment:
 * each is written under a temporary name with its checksum taken as it
 * goes, sent to the device chunk by chunk (so that no flush is long),
 * then flushed, closed and renamed. Reading back drops the cached copy
 * first, so that what is checked is what the device holds. Files are
 * named in a folder the caller opened (nofollow_dir()): a new file is
 * made, never one that was there, and nothing is reached through a
 * link. Every function returns 0 or -errno. */
#ifndef FS_OUTFILE_H
#define FS_OUTFILE_H

#include "sha256.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct outfile {
	int fd;
	int dir;		/* the folder's descriptor, not owned */
	char tmp[NAME_MAX + 1];
	char name[NAME_MAX + 1];
	struct sha256 sha;
	int64_t bytes;		/* written so far */
	int64_t sent;		/* handed to the device so far */
};

/* Creates name.tmp in the folder dir; -EEXIST if something has that name. */
int outfile_open(struct outfile *f, int dir, const char *name);
int outfile_write(struct outfile *f, const void *data, size_t n);
/* Flushes, closes and renames to name; the digest of what was written. */
int outfile_commit(struct outfile *f, uint8_t digest[SHA256_BYTES]);
/* Closes and removes the temporary file. */
void outfile_abort(struct outfile *f);

/* Sends what fd has written since *sent towards the device, waiting for
 * what was sent before; used for files that others write (the backup). */
int outfile_send(int fd, int64_t *sent, int64_t upto);
/* Why writing to fd fails now, for files that others write and whose
 * errors arrive without errno (SQLite's backup): tries one block at its
 * end, then takes it back. The errno, or 0 if the write went through. */
int outfile_probe(int fd);
/* fsync() of a folder, so that the names in it survive. */
int outfile_sync_dir(int dir);
/* Everything the file system of the folder dir still holds back, written
 * to its device: after this a stick may be pulled out. */
int outfile_sync_fs(int dir);

/* Reading a whole file for its checksum, a piece at a time. */
struct filecheck {
	int fd;
	struct sha256 sha;
	int64_t bytes;
};
/* The regular file name in the folder dir (never through a link);
 * from_device: drop the cached pages first, so the device is read. */
int filecheck_open(struct filecheck *c, int dir, const char *name, bool from_device);
/* Reads up to max bytes: 1 more to read, 0 at the end, or -errno. */
int filecheck_step(struct filecheck *c, size_t max);
void filecheck_close(struct filecheck *c, uint8_t digest[SHA256_BYTES]);

#endif
