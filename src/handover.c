/* The station's side of handing an offer to the installer, and the
 * installer's result (src/handover.h). */
#include "handover.h"

#include "newsettings.h"
#include "nofollow.h"
#include "text.h"
#include "update.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RESULT_MAX_BYTES 4096

void handover_dir(const char *db_path, char *buf, size_t n)
{
	const char *slash = strrchr(db_path, '/');

	if (!slash)
		snprintf(buf, n, "%s", HANDOVER_DIR);
	else
		snprintf(buf, n, "%.*s/%s", (int)(slash - db_path), db_path, HANDOVER_DIR);
}

/* The handover folder, made when needed, never through a link. */
static int open_dir(const char *db_path)
{
	char dir[4096];

	handover_dir(db_path, dir, sizeof(dir));
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return -errno;
	return nofollow_dir(AT_FDCWD, dir);
}

/* Writes text as name in dir: a temporary file flushed, then renamed. */
static int write_file(int dir, const char *name, const char *text, size_t len, mode_t mode)
{
	char tmp[128];
	int fd, err = 0;

	snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
	unlinkat(dir, tmp, 0);
	fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		err = errno ? errno : ENOSPC;
	else if (fsync(fd) < 0)
		err = errno;
	if (close(fd) < 0 && !err)
		err = errno;
	if (!err && renameat(dir, tmp, dir, name) < 0)
		err = errno;
	if (err) {
		unlinkat(dir, tmp, 0);
		return -err;
	}
	fsync(dir);
	return 0;
}

static void boot_id(char *buf, size_t n)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	buf[0] = '\0';
	if (f) {
		if (!fgets(buf, (int)n, f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
}

/* Copies the file name of the folder from into dir as as, whole. */
static int copy_checked(int from, const struct offer *o, int dir, const char *as, int64_t max,
			char *err, size_t errlen)
{
	char tmp[128];
	int fd, rc;

	snprintf(tmp, sizeof(tmp), ".%s.tmp", as);
	unlinkat(dir, tmp, 0);
	fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	rc = offer_check_file(from, o, max, fd, err, errlen);
	if (close(fd) < 0 && rc == 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		rc = -1;
	}
	if (rc == 0 && renameat(dir, tmp, dir, as) < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		rc = -1;
	}
	if (rc < 0)
		unlinkat(dir, tmp, 0);
	return rc;
}

int handover_request(const char *db_path, const char *root, const char *sub,
		     const char *name, const struct offer *o, char *err, size_t errlen)
{
	bool update = o->kind == OFFER_UPDATE;
	char text[OFFER_MAX_BYTES + 1], detail[512], boot[64], request[256];
	struct offer again;
	int dir, top = -1, from = -1, rc = -1, n;

	dir = open_dir(db_path);
	if (dir < 0) {
		snprintf(err, errlen, _("The station cannot write into its folder (%s): nothing is installed."),
			 strerror(-dir));
		return -1;
	}
	/* An earlier request not taken yet is dropped first. */
	unlinkat(dir, HANDOVER_REQUEST, 0);
	top = nofollow_dir(AT_FDCWD, root);
	from = top < 0 ? top : nofollow_dir(top, sub);
	if (from < 0) {
		snprintf(err, errlen, "%s", _("The USB stick was taken out: nothing is installed."));
		goto out;
	}
	/* What is copied is checked again: the stick may have changed since
	 * it was looked at. */
	if (offer_read(from, name, o->kind, &again, text, detail, sizeof(detail)) < 0 ||
	    memcmp(again.signature, o->signature, SIGN_BYTES) != 0) {
		snprintf(err, errlen, "%s", _("What is on the USB stick changed since it was shown: nothing is installed. Take the stick out and put it in again."));
		goto out;
	}
	if (write_file(dir, update ? HANDOVER_UPDATE : HANDOVER_SETTINGS, text, strlen(text), 0640) <
		    0 ||
	    copy_checked(from, o, dir, update ? HANDOVER_DEB : HANDOVER_INI,
			 update ? UPDATE_MAX_BYTES : SETTINGS_MAX_BYTES, detail,
			 sizeof(detail)) < 0) {
		snprintf(err, errlen, _("What the USB stick offers cannot be copied to the card (%s): nothing is installed."),
			 detail);
		goto out;
	}
	boot_id(boot, sizeof(boot));
	n = snprintf(request, sizeof(request), "what: %s\nboot: %s\n", update ? "update" : "settings",
		     boot);
	if (write_file(dir, HANDOVER_REQUEST, request, (size_t)n, 0640) < 0) {
		snprintf(err, errlen, _("The station cannot write into its folder (%s): nothing is installed."),
			 strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (from >= 0)
		close(from);
	if (top >= 0)
		close(top);
	close(dir);
	return rc;
}

/* When this process started, in clock ticks after boot (/proc's). */
static unsigned long long started(void)
{
	char text[1024], *p;
	unsigned long long t = 0;
	FILE *f = fopen("/proc/self/stat", "re");
	size_t got;

	if (!f)
		return 0;
	got = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[got] = '\0';
	p = strrchr(text, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
			 &t) != 1)
		return 0;
	return t;
}

void handover_home(const char *db_path)
{
	char mark[128], boot[64];
	int dir = open_dir(db_path), n;

	if (dir < 0)
		return;
	/* This process, of this boot: a mark left by another is not taken
	 * for this one's. */
	boot_id(boot, sizeof(boot));
	n = snprintf(mark, sizeof(mark), "%ld %llu %s\n", (long)getpid(), started(), boot);
	write_file(dir, HANDOVER_HOME, mark, (size_t)n, 0640);
	close(dir);
}

/* Values the result holds: printable ASCII and UTF-8, no control bytes. */
static bool plain(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

int handover_result_read(const char *dir, struct handover_result *r)
{
	char path[4096], text[RESULT_MAX_BYTES + 1], *line, *save = NULL;
	struct stat st;
	ssize_t got;
	int fd;

	memset(r, 0, sizeof(*r));
	snprintf(path, sizeof(path), "%s/%s", dir, UPDATER_RESULT);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > RESULT_MAX_BYTES) {
		close(fd);
		return -1;
	}
	got = read(fd, text, RESULT_MAX_BYTES);
	close(fd);
	if (got <= 0)
		return -1;
	text[got] = '\0';
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *v = strstr(line, ": ");

		if (!v || !plain(line))
			return -1;
		*v = '\0';
		v += 2;
		if (strcmp(line, "id") == 0)
			snprintf(r->id, sizeof(r->id), "%s", v);
		else if (strcmp(line, "what") == 0)
			r->what = strcmp(v, "settings") == 0 ? OFFER_SETTINGS : OFFER_UPDATE;
		else if (strcmp(line, "outcome") == 0)
			snprintf(r->outcome, sizeof(r->outcome), "%s", v);
		else if (strcmp(line, "why") == 0)
			snprintf(r->why, sizeof(r->why), "%s", v);
		else if (strcmp(line, "from") == 0)
			snprintf(r->from, sizeof(r->from), "%s", v);
		else if (strcmp(line, "to") == 0)
			snprintf(r->to, sizeof(r->to), "%s", v);
		else if (strcmp(line, "detail") == 0)
			snprintf(r->detail, sizeof(r->detail), "%s", v);
		else if (strcmp(line, "when") == 0)
			r->when = strtoll(v, NULL, 10);
	}
	return r->id[0] && r->outcome[0] ? 0 : -1;
}

int handover_result_write(const char *dir, const struct handover_result *r)
{
	char text[RESULT_MAX_BYTES], detail[sizeof(r->detail)];
	int fd, n, rc;

	/* One line each: a detail (dpkg's words) keeps no line break. */
	snprintf(detail, sizeof(detail), "%s", r->detail);
	for (char *c = detail; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	n = snprintf(text, sizeof(text),
		     "id: %s\nwhat: %s\noutcome: %s\nwhy: %s\nfrom: %s\nto: %s\ndetail: %s\nwhen: %" PRId64 "\n",
		     r->id, r->what == OFFER_SETTINGS ? "settings" : "update", r->outcome, r->why,
		     r->from, r->to, detail, r->when);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = write_file(fd, UPDATER_RESULT, text, (size_t)n, 0644);
	close(fd);
	return rc;
}

int64_t handover_settings_made(const char *dir)
{
	char path[4096], text[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, UPDATER_SETTINGS_MADE);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (!fgets(text, sizeof(text), f))
		text[0] = '\0';
	fclose(f);
	return strtoll(text, NULL, 10);
}
