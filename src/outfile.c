/* Temporary name, chunked write-back, fsync, rename; and reading back
 * from the device. */
#include "outfile.h"

#include "nofollow.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* How much written data may wait in memory before it is sent on: small
 * enough that waiting for it on a slow stick is short. */
#define SEND_CHUNK (1 << 20)

int outfile_open(struct outfile *f, int dir, const char *name)
{
	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->dir = dir;
	if (strlen(name) + 4 >= sizeof(f->tmp))
		return -ENAMETOOLONG;
	snprintf(f->name, sizeof(f->name), "%s", name);
	snprintf(f->tmp, sizeof(f->tmp), "%s.tmp", name);
	f->fd = openat(dir, f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (f->fd < 0) {
		f->tmp[0] = '\0';	/* not ours to remove */
		return -errno;
	}
	sha256_init(&f->sha);
	return 0;
}

int outfile_send(int fd, int64_t *sent, int64_t upto)
{
	const unsigned wait = SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
			      SYNC_FILE_RANGE_WAIT_AFTER;

	if (upto - *sent < SEND_CHUNK)
		return 0;
	/* Wait for the chunk sent last time, then start this one. */
	if ((*sent > 0 && sync_file_range(fd, 0, *sent, wait) < 0) ||
	    sync_file_range(fd, *sent, upto - *sent, SYNC_FILE_RANGE_WRITE) < 0) {
		/* File systems without it still get their fsync at the end. */
		if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
			return -errno;
	}
	*sent = upto;
	return 0;
}

int outfile_write(struct outfile *f, const void *data, size_t n)
{
	const char *p = data;

	sha256_update(&f->sha, data, n);
	while (n > 0) {
		ssize_t w = write(f->fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (w == 0)
			return -EIO;
		p += w;
		n -= (size_t)w;
		f->bytes += w;
	}
	return outfile_send(f->fd, &f->sent, f->bytes);
}

int outfile_commit(struct outfile *f, uint8_t digest[SHA256_BYTES])
{
	int rc = 0;

	/* A stick pulled out shows here: close() itself would say nothing. */
	if (fsync(f->fd) < 0)
		rc = -errno;
	if (close(f->fd) < 0 && rc == 0)
		rc = -errno;
	f->fd = -1;
	if (rc == 0 && renameat(f->dir, f->tmp, f->dir, f->name) < 0)
		rc = -errno;
	if (rc < 0) {
		unlinkat(f->dir, f->tmp, 0);
		return rc;
	}
	sha256_final(&f->sha, digest);
	return 0;
}

void outfile_abort(struct outfile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	if (f->tmp[0])
		unlinkat(f->dir, f->tmp, 0);
}

int outfile_probe(int fd)
{
	static const char block[4096];
	struct stat st;
	int err = 0;

	if (fstat(fd, &st) < 0)
		return errno;
	if (pwrite(fd, block, sizeof(block), st.st_size) < 0)
		err = errno;
	else if (ftruncate(fd, st.st_size) < 0 || fsync(fd) < 0)
		err = errno;
	return err;
}

int outfile_sync_dir(int dir)
{
	/* Some file systems cannot sync a folder; their names are written
	 * with the files' own metadata. */
	if (fsync(dir) < 0 && errno != EINVAL && errno != EOPNOTSUPP)
		return -errno;
	return 0;
}

/* Flushing every file and folder is not enough on FAT: a renamed entry's
 * dates and size, and the free-space count, stay in memory for half a
 * minute or more, and a stick pulled out in that time comes back with a
 * damaged folder (seen on the emulated-hardware rig). syncfs() writes
 * them all. */
int outfile_sync_fs(int dir)
{
	return syncfs(dir) < 0 ? -errno : 0;
}

int filecheck_open(struct filecheck *c, int dir, const char *name, bool from_device)
{
	struct stat st;

	memset(c, 0, sizeof(*c));
	c->fd = nofollow_open(dir, name, &st);
	if (c->fd < 0)
		return c->fd;
	/* The pages were flushed, so they are clean and can be dropped. */
	if (from_device)
		posix_fadvise(c->fd, 0, 0, POSIX_FADV_DONTNEED);
	sha256_init(&c->sha);
	return 0;
}

int filecheck_step(struct filecheck *c, size_t max)
{
	char buf[65536];

	while (max > 0) {
		ssize_t n = read(c->fd, buf, max < sizeof(buf) ? max : sizeof(buf));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return 0;
		sha256_update(&c->sha, buf, (size_t)n);
		c->bytes += n;
		max -= (size_t)n;
	}
	return 1;
}

void filecheck_close(struct filecheck *c, uint8_t digest[SHA256_BYTES])
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (digest)
		sha256_final(&c->sha, digest);
}
