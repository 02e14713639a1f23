/* Local backups: made on a schedule, rotated, and used to start again
 * when the database is found damaged at start-up. */
#include "backup.h"

#include "app.h"
#include "clock.h"
#include "config.h"
#include "loop.h"
#include "store.h"
#include "text.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BACKUP_PAGES 64		/* per step on the loop: a few milliseconds */
#define NAME_LEN 160		/* station-2026-06-01-0530.db */

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

/* The backups' names in dir, oldest first (the names sort by time).
 * Returns how many, at most max. */
static int list_backups(const char *dir, const char *prefix, char (*names)[NAME_LEN], int max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < max)
		if (name_time(prefix, e->d_name) >= 0 && strlen(e->d_name) < NAME_LEN)
			memcpy(names[n++], e->d_name, strlen(e->d_name) + 1);
	closedir(d);
	qsort(names, (size_t)n, NAME_LEN, by_name);
	return n;
}

#define MAX_BACKUPS 100

time_t backup_newest(const char *db_path)
{
	char names[MAX_BACKUPS][NAME_LEN], dir[4096], prefix[128];
	int n;

	backup_dir(db_path, dir, sizeof(dir));
	backup_prefix(db_path, prefix, sizeof(prefix));
	n = list_backups(dir, prefix, names, MAX_BACKUPS);
	return n ? name_time(prefix, names[n - 1]) : 0;
}

static void rotate(const char *dir, const char *prefix, int keep)
{
	char names[MAX_BACKUPS][NAME_LEN], path[4400];
	int n = list_backups(dir, prefix, names, MAX_BACKUPS);

	for (int i = 0; i < n - keep; i++) {
		snprintf(path, sizeof(path), "%s/%.159s", dir, names[i]);
		unlink(path);
	}
}

static int sync_path(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* The copy is whole in tmp: on the card, under its name, then rotated. */
static int settle(const char *dir, const char *prefix, const char *tmp, time_t now, int keep)
{
	char name[4400];
	struct tm tm;

	localtime_r(&now, &tm);
	snprintf(name, sizeof(name), "%s/%s-%04d-%02d-%02d-%02d%02d.db", dir, prefix,
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
	if (sync_path(tmp, O_RDONLY) < 0 || rename(tmp, name) < 0 ||
	    sync_path(dir, O_RDONLY | O_DIRECTORY) < 0)
		return -1;
	rotate(dir, prefix, keep);
	return 0;
}

static void tmp_path(const char *dir, const char *prefix, char *buf, size_t n)
{
	snprintf(buf, n, "%s/.%s-unfinished.db", dir, prefix);
}

int backup_now(struct store *s, const char *db_path, time_t now, int keep, char *err,
	       size_t errlen)
{
	struct store_backup *b;
	char dir[4096], prefix[128], tmp[4400];
	int rc;

	backup_dir(db_path, dir, sizeof(dir));
	backup_prefix(db_path, prefix, sizeof(prefix));
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	tmp_path(dir, prefix, tmp, sizeof(tmp));
	unlink(tmp);	/* what a power cut left half-written */
	if (store_backup_begin(s, tmp, &b) < 0) {
		snprintf(err, errlen, "%s: %s", tmp, store_error(s));
		return -1;
	}
	while ((rc = store_backup_step(b, BACKUP_PAGES)) > 0)
		;
	if (rc == 0)
		rc = store_backup_finish(b);
	if (rc < 0)
		snprintf(err, errlen, "%s: %s", tmp, store_error(s));
	store_backup_free(b);
	if (rc == 0 && settle(dir, prefix, tmp, now, keep) < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		rc = -1;
	}
	if (rc < 0)
		unlink(tmp);
	return rc < 0 ? -1 : 0;
}

/* A copy of src at dst, on the card before it takes its name. */
static int copy_file(const char *src, const char *dst)
{
	char tmp[4200], buf[65536];
	int in, out, rc = -1;
	ssize_t n;

	snprintf(tmp, sizeof(tmp), "%s.restoring", dst);
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
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
	if (rc == 0)
		rc = rename(tmp, dst);
	if (rc < 0)
		unlink(tmp);
close_in:
	close(in);
	return rc;
}

/* Renames the damaged database and its -wal aside; the -shm is only an
 * index of the -wal and goes. */
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
	return 0;
}

/* The newest backup that opens and passes the check, copied to path:
 * its station time, or 0 when there is none. */
static time_t restore_newest(const char *path)
{
	char dir[4096], prefix[128], names[MAX_BACKUPS][NAME_LEN], file[4400], why[256];
	int n;

	backup_dir(path, dir, sizeof(dir));
	backup_prefix(path, prefix, sizeof(prefix));
	n = list_backups(dir, prefix, names, MAX_BACKUPS);
	for (int i = n - 1; i >= 0; i--) {
		struct store *s;
		int rc;

		snprintf(file, sizeof(file), "%s/%.159s", dir, names[i]);
		if (store_open(file, STORE_RDONLY, &s, why, sizeof(why)) < 0)
			continue;
		rc = store_check(s, why, sizeof(why));
		store_close(s);
		if (rc == 0 && copy_file(file, path) == 0)
			return name_time(prefix, names[i]);
	}
	return 0;
}

int backup_open_store(const char *db_path, time_t now, struct store **out, char *notice,
		      size_t notice_n, char *err, size_t errlen)
{
	char why[256], aside[4200], a[32];
	int64_t alive = 0, newest = 0;
	time_t from;
	int rc;

	if (notice_n)
		notice[0] = '\0';
	rc = store_open(db_path, STORE_EXCLUSIVE, out, err, errlen);
	if (rc == 0) {
		if (store_check(*out, why, sizeof(why)) == 0)
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
	from = restore_newest(db_path);
	rc = store_open(db_path, STORE_EXCLUSIVE, out, err, errlen);
	if (rc < 0)
		return rc;
	store_last_alive(*out, &alive);
	store_records_newest(*out, &newest);
	if (newest > alive)
		alive = newest;
	/* The alarm names the file kept aside, for whoever repairs it. */
	store_event(*out, now, "database_restored", NULL, aside, true);
	if (!from) {
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
	char tmp[4400];
	struct store_backup *copy;
	time_t newest;		/* station time of the newest backup */
	int timer;
};

static int64_t due_in(const struct backups *b)
{
	const struct app *app = b->app;
	int64_t due = (int64_t)b->newest + (int64_t)app->cfg->station.backup_hours * 3600;

	return clock_real_ms_until(app->clock, due * 1000);
}

static int64_t failed(struct backups *b, const char *why)
{
	struct app *app = b->app;

	store_backup_free(b->copy);
	b->copy = NULL;
	unlink(b->tmp);
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
	int rc;

	if (!b->copy) {
		if (app->clock_behind)
			return 60000;	/* named for a wrong time: not yet */
		if (due_in(b) > 0)
			return due_in(b);
		if (mkdir(b->dir, 0755) < 0 && errno != EEXIST)
			return failed(b, strerror(errno));
		unlink(b->tmp);	/* what a power cut left half-written */
		if (store_backup_begin(app->store, b->tmp, &b->copy) < 0)
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
	store_backup_free(b->copy);
	b->copy = NULL;
	if (settle(b->dir, b->prefix, b->tmp, now, app->cfg->station.backup_keep) < 0)
		return failed(b, strerror(errno));
	b->newest = now;
	store_event(app->store, now, "backup", NULL, NULL, false);
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
	backup_dir(app->db_path, b->dir, sizeof(b->dir));
	backup_prefix(app->db_path, b->prefix, sizeof(b->prefix));
	tmp_path(b->dir, b->prefix, b->tmp, sizeof(b->tmp));
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
	if (b->copy) {
		store_backup_free(b->copy);
		unlink(b->tmp);
	}
	if (b->timer)
		loop_timer_del(b->app->loop, b->timer);
	free(b);
}
