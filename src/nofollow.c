/* Opening and removing what a stranger may have put in a folder without
 * following a link out of it. Each entry is looked at first without
 * following it (fstatat with AT_SYMLINK_NOFOLLOW), then opened with
 * O_NOFOLLOW and looked at again through the descriptor: what is used is
 * the entry that was checked, even if the folder changed in between. */
#include "nofollow.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

/* What name is, without following it, and on which file system its
 * folder is (0 for a path). */
static int look(int at, const char *name, struct stat *st, dev_t *folder_dev)
{
	struct stat dir;

	*folder_dev = 0;
	if (at != AT_FDCWD) {
		if (fstat(at, &dir) < 0)
			return -errno;
		*folder_dev = dir.st_dev;
	}
	if (fstatat(at, name, st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (S_ISLNK(st->st_mode))
		return -ELOOP;
	if (*folder_dev && st->st_dev != *folder_dev)
		return -EXDEV;
	return 0;
}

/* The descriptor is the entry that was looked at. */
static int same(int fd, const struct stat *was, struct stat *st)
{
	if (fstat(fd, st) < 0)
		return -errno;
	return st->st_dev == was->st_dev && st->st_ino == was->st_ino &&
			       (st->st_mode & S_IFMT) == (was->st_mode & S_IFMT)
		       ? 0 : -EAGAIN;
}

int nofollow_dir(int at, const char *name)
{
	struct stat was, st;
	dev_t dev;
	int fd, rc = look(at, name, &was, &dev);

	if (rc < 0)
		return rc;
	if (!S_ISDIR(was.st_mode))
		return -EINVAL;
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = same(fd, &was, &st);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}

int nofollow_open(int at, const char *name, struct stat *st)
{
	struct stat was;
	dev_t dev;
	int fd, rc = look(at, name, &was, &dev);

	if (rc < 0)
		return rc;
	if (!S_ISREG(was.st_mode))
		return -EINVAL;
	/* O_NONBLOCK: should a FIFO take the file's place after all, the
	 * open returns at once, and the check below refuses it. */
	fd = openat(at, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = same(fd, &was, st);
	if (rc == 0 && !S_ISREG(st->st_mode))
		rc = -EINVAL;
	if (rc == 0 && fcntl(fd, F_SETFL, 0) < 0)
		rc = -errno;
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}

int nofollow_unlink(int at, const char *name)
{
	struct stat st;
	dev_t dev;
	int rc = look(at, name, &st, &dev);

	if (rc < 0)
		return rc;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	return unlinkat(at, name, 0) < 0 ? -errno : 0;
}
