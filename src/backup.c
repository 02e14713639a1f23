/* Local backups: made on a schedule, rotated, and used to start again
 * when the database is found damaged at start-up. */
#include "backup.h"

#include "app.h"
#include "clock.h"
#include "config.h"
#include "loop.h"
#include "nofollow.h"
#include "readings.h"
#include "store.h"
#include "text.h"

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BACKUP_PAGES 64		/* per step on the loop: a few milliseconds */
#define NAME_LEN 160		/* station-2026-06-01-0530.db */
/* A backup holds the manager PIN's hash: the station's alone. */
#define BACKUP_MODE 0600
#define FOLDER_MODE 0750

void backup_dir(const char *db_path, char *buf, size_t n)
{
	const char *slash = strrchr(db_path, '/');

	if (!slash)
		snprintf(buf, n, "backups");
	else
		snprintf(buf, n, "%.*s/backups", (int)(slash - db_path), db_path);
}

/* What a database's backups are called: its file name without ".db". */
static void backup_prefix(const char *db_path, char *buf, size_t n)
{
	const char *base = strrchr(db_path, '/') ? strrchr(db_path, '/') + 1 : db_path;
	size_t len = strlen(base);

	if (len > 3 && strcmp(base + len - 3, ".db") == 0)
		len -= 3;
	snprintf(buf, n, "%.*s", (int)(len < 100 ? len : 100), base);
}

/* PREFIX-YYYY-MM-DD-HHMM.db -> station time; -1 if not a backup's name. */
static time_t name_time(const char *prefix, const char *name)
{
	struct tm tm = { 0 };
	size_t plen = strlen(prefix);
	int n = 0;

	if (strncmp(name, prefix, plen) != 0 || name[plen] != '-')
		return -1;
	name += plen + 1;
	if (sscanf(name, "%4d-%2d-%2d-%2d%2d.db%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &n) != 5 || name[n] != '\0' || strlen(name) != 18)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The folder of backups, opened (never through a link), made if need be
 * and readable by the station only; -errno. */
static int open_dir(const char *dir, bool make)
{
	int fd;
	struct stat st;

	if (make && mkdir(dir, FOLDER_MODE) < 0 && errno != EEXIST)
		return -errno;
	fd = nofollow_dir(AT_FDCWD, dir);
	/* Made before this rule, under a looser mode. */
	if (fd >= 0 && fstat(fd, &st) == 0 && (st.st_mode & 07777 & ~FOLDER_MODE))
		fchmod(fd, st.st_mode & FOLDER_MODE);
	return fd;
}

/* The backups' names in the folder dir, oldest first (the names sort by
 * time): regular files only, each made the station's alone. Returns how
 * many, at most max. */
static int list_backups(int dir, const char *prefix, char (*names)[NAME_LEN], int max)
{
	int fd = dir >= 0 ? openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1, n = 0;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	struct stat st;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((e = readdir(d)) && n < max) {
		if (name_time(prefix, e->d_name) < 0 || strlen(e->d_name) >= NAME_LEN ||
		    fstatat(dir, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (st.st_mode & 07777 & ~BACKUP_MODE)
			fchmodat(dir, e->d_name, st.st_mode & BACKUP_MODE, 0);
		memcpy(names[n++], e->d_name, strlen(e->d_name) + 1);
	}
	closedir(d);
	qsort(names, (size_t)n, NAME_LEN, by_name);
	return n;
}

#define MAX_BACKUPS 100

time_t backup_newest(const char *db_path)
{
	char names[MAX_BACKUPS][NAME_LEN], dir[4096], prefix[128];
	int n, fd;

	backup_dir(db_path, dir, sizeof(dir));
	backup_prefix(db_path, prefix, sizeof(prefix));
	fd = open_dir(dir, false);
	n = list_backups(fd, prefix, names, MAX_BACKUPS);
	if (fd >= 0)
		close(fd);
	return n ? name_time(prefix, names[n - 1]) : 0;
}

static void rotate(int dir, const char *prefix, int keep)
{
	char names[MAX_BACKUPS][NAME_LEN];
	int n = list_backups(dir, prefix, names, MAX_BACKUPS);

	for (int i = 0; i < n - keep; i++)
		nofollow_unlink(dir, names[i]);
}

/* Where a backup is written before it is whole, in the backups' folder. */
static void tmp_name(const char *prefix, char *buf, size_t n)
{
	snprintf(buf, n, ".%s-unfinished.db", prefix);
}

/* The unfinished file a backup is written into, the station's alone,
 * and its path for SQLite: the folder's, without links. A backup is
 * brought up to date rather than written whole (only the pages that
 * changed since are written): into the unfinished file a power cut left,
 * or else the oldest backup when there are keep of them already and one
 * more stays whole meanwhile (keep of 2 or more), renamed to the
 * unfinished name so that it is not taken for a whole backup while it is
 * written; else a file made anew. *over: it holds an older copy. -1 with
 * errno. */
static int start_tmp(int dir, const char *dir_path, const char *prefix, int keep, bool *over,
		     char *path, size_t n)
{
	char name[NAME_LEN], real[PATH_MAX], names[MAX_BACKUPS][NAME_LEN];
	struct stat st;
	int fd, count;

	tmp_name(prefix, name, sizeof(name));
	*over = true;
	fd = nofollow_open(dir, name, &st);
	if (fd >= 0) {
		close(fd);
	} else {
		count = list_backups(dir, prefix, names, MAX_BACKUPS);
		if (keep >= 2 && count >= keep && renameat(dir, names[0], dir, name) == 0) {
			/* The new name on the card before a page of it
			 * changes: a cut must not leave it half written
			 * under its old name. */
			if (fsync(dir) < 0)
				return -1;
		} else {
			*over = false;
			nofollow_unlink(dir, name);
			fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				    BACKUP_MODE);
			if (fd < 0)
				return -1;
			close(fd);
		}
	}
	if (!realpath(dir_path, real))
		return -1;
	if ((size_t)snprintf(path, n, "%s/%s", real, name) >= n) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* What a backup wrote: "N of M pages written", for the event log. */
static void say_written(const struct store_backup *b, char *buf, size_t n)
{
	long long written, same;

	store_backup_writes(b, &written, &same);
	snprintf(buf, n, "%lld of %lld pages written", written, written + same);
}

/* The copy is whole: on the card, under its name, then rotated. */
static int settle(int dir, const char *prefix, time_t now, int keep)
{
	char name[NAME_LEN], tmp[NAME_LEN];
	struct stat st;
	struct tm tm;
	int fd, rc;

	localtime_r(&now, &tm);
	snprintf(name, sizeof(name), "%s-%04d-%02d-%02d-%02d%02d.db", prefix, tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
	tmp_name(prefix, tmp, sizeof(tmp));
	fd = nofollow_open(dir, tmp, &st);
	if (fd < 0) {
		errno = -fd;
		return -1;
	}
	rc = fsync(fd);
	close(fd);
	if (rc < 0 || renameat(dir, tmp, dir, name) < 0 || fsync(dir) < 0)
		return -1;
	rotate(dir, prefix, keep);
	return 0;
}

/* One try of backup_now() in the open folder fd. *over: it was written
 * over an older copy; its unfinished file is left then (a power cut would
 * leave it too), else removed. */
static int backup_try(struct store *s, int fd, const char *dir, const char *prefix, time_t now,
		      int keep, bool *over, char *written, size_t written_n, char *err,
		      size_t errlen)
{
	struct store_backup *b;
	char tmp[PATH_MAX + NAME_LEN];
	int rc;

	*over = false;
	if (start_tmp(fd, dir, prefix, keep, over, tmp, sizeof(tmp)) < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (store_backup_begin(s, tmp, STORE_BACKUP_ON_CARD | STORE_BACKUP_OVER_OLD, &b) < 0) {
		snprintf(err, errlen, "%s: %s", tmp, store_error(s));
		rc = -1;
		goto out;
	}
	while ((rc = store_backup_step(b, BACKUP_PAGES)) > 0)
		;
	if (rc == 0)
		rc = store_backup_finish(b);
	if (rc < 0)
		snprintf(err, errlen, "%s: %s", tmp, store_error(s));
	if (rc == 0 && written)
		say_written(b, written, written_n);
	store_backup_free(b);
	if (rc == 0 && settle(fd, prefix, now, keep) < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		rc = -1;
	}
out:
	if (rc < 0 && !*over) {
		tmp_name(prefix, tmp, sizeof(tmp));
		nofollow_unlink(fd, tmp);
	}
	return rc < 0 ? -1 : 0;
}

int backup_now(struct store *s, const char *db_path, time_t now, int keep, char *written,
	       size_t written_n, char *err, size_t errlen)
{
	char dir[4096], prefix[128], tmp[NAME_LEN];
	bool over;
	int rc, fd;

	backup_dir(db_path, dir, sizeof(dir));
	backup_prefix(db_path, prefix, sizeof(prefix));
	fd = open_dir(dir, true);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(-fd));
		return -1;
	}
	rc = backup_try(s, fd, dir, prefix, now, keep, &over, written, written_n, err, errlen);
	/* What was there could not be brought up to date (what a cut left
	 * may be anything): it goes, and the backup is written whole. */
	if (rc < 0 && over) {
		tmp_name(prefix, tmp, sizeof(tmp));
		nofollow_unlink(fd, tmp);
		rc = backup_try(s, fd, dir, prefix, now, keep, &over, written, written_n, err,
				errlen);
	}
	close(fd);
	return rc;
}

/* The folder path is in. */
static void folder_of(const char *path, char *buf, size_t n)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(buf, n, ".");
	else
		snprintf(buf, n, "%.*s", slash == path ? 1 : (int)(slash - path), path);
}

/* A name given in a folder is on the card once the folder is: fsync()
 * of the folder of path. */
static int sync_folder_of(const char *path)
{
	char folder[4200];
	int fd, rc;

	folder_of(path, folder, sizeof(folder));
	fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* A copy at tmp of the backup name in the folder dir, on the card. */
static int copy_to(int dir, const char *name, const char *tmp)
{
	char buf[65536];
	struct stat st;
	int in, out, rc = -1;
	ssize_t n;

	in = nofollow_open(dir, name, &st);
	if (in < 0)
		return -1;
	out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (out < 0)
		goto close_in;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			goto close_out;
	if (n == 0 && fsync(out) == 0)
		rc = 0;
close_out:
	if (close(out) < 0)
		rc = -1;
close_in:
	close(in);
	return rc;
}

/* What a copy of a database left beside it: its -wal and -shm. */
static void unlink_copy(const char *tmp)
{
	char tail[4300];

	unlink(tmp);
	snprintf(tail, sizeof(tail), "%s-wal", tmp);
	unlink(tail);
	snprintf(tail, sizeof(tail), "%s-shm", tmp);
	unlink(tail);
}

/* Renames the damaged database, its -wal and its pending readings
 * aside; the -shm is only an index of the -wal and goes. */
static int set_aside(const char *path, time_t now, char *aside, size_t n)
{
	char from[4200], to[4400];
	struct tm tm;

	localtime_r(&now, &tm);
	snprintf(aside, n, "%s.damaged-%04d%02d%02d-%02d%02d%02d", path, tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (rename(path, aside) < 0)
		return -1;
	snprintf(from, sizeof(from), "%s-wal", path);
	snprintf(to, sizeof(to), "%s-wal", aside);
	if (rename(from, to) < 0 && errno != ENOENT)
		return -1;
	snprintf(from, sizeof(from), "%s-shm", path);
	unlink(from);
	/* Readings on their way into it, and its alive note, are its own. */
	snprintf(from, sizeof(from), "%s.pending", path);
	snprintf(to, sizeof(to), "%s.pending", aside);
	if (rename(from, to) < 0 && errno != ENOENT)
		return -1;
	/* Not flushed here: the backup put in its place flushes this folder
	 * (restore_newest()); with none, a power cut that undoes the renames
	 * leaves the damaged database where it is found again. */
	return 0;
}

/* The alarm that says a backup took the damaged database's place,
 * written into the copy at tmp before the copy takes that place: any
 * start that finds it there finds the alarm too, a folder the card could
 * not flush included. *alive: where the backup's data run to. */
static int mark_restored(const char *tmp, time_t now, const char *aside, int64_t *alive)
{
	char why[256], wal[4300];
	struct store *s;
	int64_t newest = 0;
	int fd, rc;

	*alive = 0;
	if (store_open(tmp, 0, &s, why, sizeof(why)) < 0) {
		errno = EIO;
		return -1;
	}
	store_last_alive(s, alive);
	store_records_newest(s, &newest);
	if (newest > *alive)
		*alive = newest;
	rc = store_event(s, now, "database_restored", NULL, aside, true);
	store_close(s);
	/* Closed, the copy holds it all: no -wal is left to lose. */
	snprintf(wal, sizeof(wal), "%s-wal", tmp);
	if (rc < 0 || access(wal, F_OK) == 0) {
		errno = EIO;
		return -1;
	}
	fd = open(tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* The newest backup that opens and passes the check, copied to path
 * with the alarm in it: its station time, and in *alive where its data
 * run to; 0 when there is none, or -1 (errno) when the copy could not be
 * written to the card. */
static time_t restore_newest(const char *path, time_t now, const char *aside, int64_t *alive)
{
	char dir[4096], prefix[128], names[MAX_BACKUPS][NAME_LEN], file[4400], tmp[4200], why[256];
	time_t from = 0;
	int n, fd, err = 0;

	backup_dir(path, dir, sizeof(dir));
	backup_prefix(path, prefix, sizeof(prefix));
	snprintf(tmp, sizeof(tmp), "%s.restoring", path);
	fd = open_dir(dir, false);
	n = list_backups(fd, prefix, names, MAX_BACKUPS);
	for (int i = n - 1; i >= 0 && !from; i--) {
		struct store *s;
		int rc;

		snprintf(file, sizeof(file), "%s/%.159s", dir, names[i]);
		if (store_open(file, STORE_RDONLY, &s, why, sizeof(why)) < 0)
			continue;
		rc = store_check(s, STORE_CHECK_ALL, why, sizeof(why));
		store_close(s);
		if (rc < 0)
			continue;
		/* A card that fails now would fail the older ones too. */
		unlink_copy(tmp);
		if (copy_to(fd, names[i], tmp) < 0 || mark_restored(tmp, now, aside, alive) < 0 ||
		    rename(tmp, path) < 0) {
			err = errno;
			unlink_copy(tmp);
			from = -1;
			break;
		}
		if (sync_folder_of(path) < 0) {
			err = errno;
			from = -1;
			break;
		}
		from = name_time(prefix, names[i]);
	}
	if (fd >= 0)
		close(fd);
	errno = err;
	return from;
}

/* The station time in a set-aside name's YYYYMMDD-HHMMSS; 0 if none. */
static time_t aside_time(const char *stamp)
{
	struct tm tm = { 0 };

	if (sscanf(stamp, "%4d%2d%2d-%2d%2d%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
		   &tm.tm_min, &tm.tm_sec) != 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

/* The database set aside beside path after its newest backup was made,
 * for the alarm of a restore that a stop cut short after the setting
 * aside: its path in buf, or path itself when there is none (the
 * database was taken away; one set aside before the backup belongs to an
 * earlier restore). */
static void newest_aside(const char *path, char *buf, size_t n)
{
	char folder[4096], base[256], best[256] = "";
	const char *slash = strrchr(path, '/');
	struct dirent *e;
	size_t len;
	DIR *d;

	snprintf(buf, n, "%s", path);
	folder_of(path, folder, sizeof(folder));
	len = (size_t)snprintf(base, sizeof(base), "%s.damaged-", slash ? slash + 1 : path);
	d = opendir(folder);
	if (!d)
		return;
	while ((e = readdir(d))) {
		const char *tail = e->d_name + len;

		/* Only the database itself: station.db.damaged-YYYYMMDD-HHMMSS */
		if (strncmp(e->d_name, base, len) == 0 && strlen(tail) == 15 &&
		    strspn(tail, "0123456789-") == 15 && strcmp(e->d_name, best) > 0)
			snprintf(best, sizeof(best), "%s", e->d_name);
	}
	closedir(d);
	if (best[0] && aside_time(best + len) > backup_newest(path))
		snprintf(buf, n, "%s/%s", folder, best);
}

int backup_open_store(const char *db_path, time_t now, bool damaged, struct store **out,
		      char *notice, size_t notice_n, char *err, size_t errlen)
{
	char why[256], aside[4200], a[32];
	int64_t alive = 0;
	struct stat st;
	time_t from;
	int rc;

	if (notice_n)
		notice[0] = '\0';
	*out = NULL;
	if (!damaged && lstat(db_path, &st) < 0 && errno == ENOENT && backup_newest(db_path) > 0) {
		/* No database where one was kept, yet backups of it: a stop
		 * between setting a damaged one aside and the restore, or a
		 * database taken away. Its backup comes back, not an empty
		 * station. */
		newest_aside(db_path, aside, sizeof(aside));
		from = restore_newest(db_path, now, aside, &alive);
		if (from < 0) {
			snprintf(err, errlen, _("%s is missing; its newest backup could not be written in its place (%s): check the memory card."),
				 db_path, strerror(errno));
			return STORE_ERR;
		}
		rc = store_open(db_path, STORE_EXCLUSIVE, out, err, errlen);
		if (rc < 0)
			return rc;
		if (from > 0) {
			snprintf(notice, notice_n,
				 _("The database was missing; restored from a backup, the data now run to %s."),
				 text_date_time(a, sizeof(a), (time_t)(alive ? alive : from)));
			return 0;
		}
		/* No backup passes the check: an empty station, said, with
		 * the alarm that tells an auditor why the records start again. */
		store_event(*out, now, "database_restored", NULL, aside, true);
		snprintf(notice, notice_n,
			 _("The database was missing and no backup of it is sound; the station starts empty."));
		return 0;
	}
	rc = store_open(db_path, STORE_EXCLUSIVE, out, err, errlen);
	if (rc == 0) {
		if (!damaged && store_check(*out, STORE_CHECK_RECORDS, why, sizeof(why)) != STORE_CORRUPT)
			return 0;
		store_close(*out);
		*out = NULL;
	} else {
		/* A file that does not open as a station database may be ours
		 * damaged, or another file given by mistake: only one that has
		 * backups is taken for ours. */
		if (rc != STORE_CORRUPT || backup_newest(db_path) == 0)
			return rc;
	}
	if (set_aside(db_path, now, aside, sizeof(aside)) < 0) {
		snprintf(err, errlen, _("%s is damaged and cannot be moved aside: %s"), db_path,
			 strerror(errno));
		return STORE_CORRUPT;
	}
	from = restore_newest(db_path, now, aside, &alive);
	if (from < 0) {
		snprintf(err, errlen, _("%s is damaged and kept aside as %s; its newest backup could not be written in its place (%s): check the memory card."),
			 db_path, aside, strerror(errno));
		return STORE_ERR;
	}
	rc = store_open(db_path, STORE_EXCLUSIVE, out, err, errlen);
	if (rc < 0)
		return rc;
	if (!from) {
		/* The alarm names the file kept aside, for whoever repairs it. */
		store_event(*out, now, "database_restored", NULL, aside, true);
		snprintf(notice, notice_n,
			 _("The database was damaged and is kept aside; there was no backup, so the station starts empty."));
		return 0;
	}
	snprintf(notice, notice_n,
		 _("The database was damaged and is kept aside; restored from a backup, the data now run to %s."),
		 text_date_time(a, sizeof(a), (time_t)(alive ? alive : from)));
	return 0;
}

struct backups {
	struct app *app;
	char dir[4096];
	char prefix[128];
	int dir_fd;		/* the folder, while a backup is made */
	struct store_backup *copy;
	bool over;		/* copy is written over an older backup */
	time_t newest;		/* station time of the newest backup */
	int timer;
	int waits;		/* seconds waited for the check at start */
};

/* How long a backup waits for the check of the whole database: six
 * hours of one-second waits. */
#define CHECK_WAITS (6 * 3600)

static int64_t due_in(const struct backups *b)
{
	const struct app *app = b->app;
	int64_t due = (int64_t)b->newest + (int64_t)app->cfg->station.backup_hours * 3600;

	return clock_real_ms_until(app->clock, due * 1000);
}

/* Ends the backup being made, its unfinished file removed unless
 * keep_older: an older backup brought half way up to date (when the
 * station stops) is no backup any more, but the next starts from it. */
static void drop(struct backups *b, bool keep_older)
{
	char tmp[NAME_LEN];

	store_backup_free(b->copy);
	b->copy = NULL;
	if (b->dir_fd >= 0) {
		tmp_name(b->prefix, tmp, sizeof(tmp));
		if (!b->over || !keep_older)
			nofollow_unlink(b->dir_fd, tmp);
		close(b->dir_fd);
	}
	b->dir_fd = -1;
}

static int64_t failed(struct backups *b, const char *why)
{
	struct app *app = b->app;
	bool over = b->over;

	drop(b, false);
	b->over = false;
	/* What was there could not be brought up to date (what a cut left
	 * may be anything): it is gone, and the backup is written whole. */
	if (over)
		return 0;
	store_event(app->store, clock_now(app->clock), "backup_failed", NULL, why, false);
	/* Again in an hour of station time (a full card may have room). */
	return clock_real_ms_until(app->clock, (clock_now(app->clock) + 3600) * 1000LL);
}

/* One step of a backup on the loop: started when due, then a few pages
 * at a time, so that keys and pumps are served in between. */
static int64_t on_timer(void *data)
{
	struct backups *b = data;
	struct app *app = b->app;
	time_t now = clock_now(app->clock);
	char tmp[PATH_MAX + NAME_LEN], detail[64];
	int rc;

	if (!b->copy) {
		if (app->clock_behind)
			return 60000;	/* named for a wrong time: not yet */
		/* Damage the check is still looking for would be copied
		 * over the oldest good backup; a check that never ends (a
		 * card that hangs) must not stop the backups for good. */
		if (!app->checked && b->waits < CHECK_WAITS) {
			if (++b->waits == CHECK_WAITS)
				store_event(app->store, now, "check_failed", NULL,
					    "no end after six hours: backups go on", false);
			return 1000;
		}
		if (due_in(b) > 0)
			return due_in(b);
		/* Everything read until now in it, not in the pending file. */
		readings_settle(app->readings);
		b->dir_fd = open_dir(b->dir, true);
		if (b->dir_fd < 0)
			return failed(b, strerror(-b->dir_fd));
		if (start_tmp(b->dir_fd, b->dir, b->prefix, app->cfg->station.backup_keep, &b->over,
			      tmp, sizeof(tmp)) < 0)
			return failed(b, strerror(errno));
		if (store_backup_begin(app->store, tmp, STORE_BACKUP_ON_CARD | STORE_BACKUP_OVER_OLD,
				       &b->copy) < 0)
			return failed(b, store_error(app->store));
		return 0;
	}
	rc = store_backup_step(b->copy, BACKUP_PAGES);
	if (rc > 0)
		return 0;
	if (rc == 0)
		rc = store_backup_finish(b->copy);
	if (rc < 0)
		return failed(b, store_error(app->store));
	say_written(b->copy, detail, sizeof(detail));
	store_backup_free(b->copy);
	b->copy = NULL;
	if (settle(b->dir_fd, b->prefix, now, app->cfg->station.backup_keep) < 0)
		return failed(b, strerror(errno));
	close(b->dir_fd);
	b->dir_fd = -1;
	b->newest = now;
	store_event(app->store, now, "backup", NULL, detail, false);
	return due_in(b);
}

struct backups *backups_new(struct app *app)
{
	struct backups *b;

	if (app->cfg->station.backup_hours == 0)
		return NULL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->app = app;
	b->dir_fd = -1;
	backup_dir(app->db_path, b->dir, sizeof(b->dir));
	backup_prefix(app->db_path, b->prefix, sizeof(b->prefix));
	b->newest = backup_newest(app->db_path);
	/* A backup from the future (a clock set back) does not hold the
	 * next one off for months. */
	if (b->newest > clock_now(app->clock))
		b->newest = 0;
	b->timer = loop_timer_add(app->loop, due_in(b), on_timer, b);
	return b;
}

void backups_free(struct backups *b)
{
	if (!b)
		return;
	drop(b, true);
	if (b->timer)
		loop_timer_del(b->app->loop, b->timer);
	free(b);
}
