/* The privileged installer's steps, each written down before it is taken
 * (src/updater.h). Everything here reaches the system through the
 * updater_sys operations, so that tests can cut it short at any step. */
#include "updater.h"

#include "config.h"
#include "handover.h"
#include "newsettings.h"
#include "nofollow.h"
#include "offer.h"
#include "timezone.h"
#include "update.h"
#include "version.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define WORK "work"
#define NEW_DEB WORK "/new.deb"
#define NEW_UPDATE WORK "/new.update"
#define PREVIOUS_DEB WORK "/previous.deb"
#define INSTALLED_DEB WORK "/installed.deb"
#define NEW_INI WORK "/settings.ini"
#define NEW_SETTINGS WORK "/settings.settings"
#define POLL_MS 500

/* What the state file holds. */
struct step {
	char state[24];		/* "" when nothing is under way */
	char what[16];		/* update, settings */
	char from[VERSION_MAX + 1];
	char to[VERSION_MAX + 1];
	char reason[24];	/* rollback: why */
	char detail[256];
	char old_ini[PATH_MAX];	/* settings: the configuration set aside */
	int64_t made;		/* settings: the office's time of them */
};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The journal: systemd takes what the installer prints. */
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void in_dir(const struct updater *u, const char *name, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", u->dir, name);
}

void updater_db_path(const struct updater *u, char *buf, size_t n)
{
	struct config *cfg;
	char err[1024];

	if (config_load(u->config, &cfg, err, sizeof(err)) == 0) {
		snprintf(buf, n, "%s", cfg->station.database[0] ? cfg->station.database : u->default_db);
		config_free(cfg);
	} else {
		snprintf(buf, n, "%s", u->default_db);
	}
}

/* The handover folder of the station, and a file in it. */
static void handover_path(const struct updater *u, const char *name, char *buf, size_t n)
{
	char db[PATH_MAX], dir[PATH_MAX / 2];

	updater_db_path(u, db, sizeof(db));
	handover_dir(db, dir, sizeof(dir));
	if (name)
		snprintf(buf, n, "%s/%s", dir, name);
	else
		snprintf(buf, n, "%s", dir);
}

/* Writes text as path: a temporary file beside it flushed, renamed over
 * it, the folder flushed. */
static int write_whole(const char *path, const char *text, size_t len, mode_t mode)
{
	char tmp[PATH_MAX + 8], dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, err = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		err = errno ? errno : ENOSPC;
	else if (fchmod(fd, mode) < 0 || fsync(fd) < 0)
		err = errno;
	if (close(fd) < 0 && !err)
		err = errno;
	if (!err && rename(tmp, path) < 0)
		err = errno;
	if (err) {
		unlink(tmp);
		return -err;
	}
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	return 0;
}

/* Copies the file from into path, whole (mode). */
static int copy_whole(const char *from, const char *path, mode_t mode, int64_t max)
{
	struct stat st;
	char *buf;
	ssize_t got = 0;
	int fd = nofollow_open(AT_FDCWD, from, &st), rc;

	if (fd < 0)
		return fd;
	if (st.st_size > max || !(buf = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return -EFBIG;
	}
	while (got < st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)(st.st_size - got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += r;
	}
	close(fd);
	rc = got == st.st_size ? write_whole(path, buf, (size_t)got, mode) : -EIO;
	free(buf);
	return rc;
}

/* The state. */

static int step_write(const struct updater *u, const struct step *s)
{
	char path[PATH_MAX], text[2048];
	int n, rc;

	in_dir(u, UPDATER_STATE, path, sizeof(path));
	if (!s->state[0]) {
		rc = unlink(path) < 0 && errno != ENOENT ? -errno : 0;
		return rc;
	}
	n = snprintf(text, sizeof(text),
		     "state: %s\nwhat: %s\nfrom: %s\nto: %s\nreason: %s\ndetail: %s\nold-ini: %s\nmade: %" PRId64 "\n",
		     s->state, s->what, s->from, s->to, s->reason, s->detail, s->old_ini, s->made);
	rc = write_whole(path, text, (size_t)n, 0644);
	if (rc < 0)
		say("fieldstation-update: cannot write %s: %s", path, strerror(-rc));
	return rc;
}

static void set_state(const struct updater *u, struct step *s, const char *state)
{
	snprintf(s->state, sizeof(s->state), "%s", state);
	say("fieldstation-update: %s: %s %s -> %s%s%s", state, s->what, s->from, s->to,
	    s->reason[0] ? ", because: " : "", s->reason);
	step_write(u, s);
}

static void step_read(const struct updater *u, struct step *s)
{
	char path[PATH_MAX], line[PATH_MAX + 32];
	FILE *f;

	memset(s, 0, sizeof(*s));
	in_dir(u, UPDATER_STATE, path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *v = strstr(line, ": ");

		line[strcspn(line, "\n")] = '\0';
		if (!v)
			continue;
		*v = '\0';
		v += 2;
		if (strcmp(line, "state") == 0)
			snprintf(s->state, sizeof(s->state), "%s", v);
		else if (strcmp(line, "what") == 0)
			snprintf(s->what, sizeof(s->what), "%s", v);
		else if (strcmp(line, "from") == 0)
			snprintf(s->from, sizeof(s->from), "%s", v);
		else if (strcmp(line, "to") == 0)
			snprintf(s->to, sizeof(s->to), "%s", v);
		else if (strcmp(line, "reason") == 0)
			snprintf(s->reason, sizeof(s->reason), "%s", v);
		else if (strcmp(line, "detail") == 0)
			snprintf(s->detail, sizeof(s->detail), "%s", v);
		else if (strcmp(line, "old-ini") == 0)
			snprintf(s->old_ini, sizeof(s->old_ini), "%s", v);
		else if (strcmp(line, "made") == 0)
			s->made = strtoll(v, NULL, 10);
	}
	fclose(f);
}

/* The result the station shows, and the end of the step. */
static void finish(const struct updater *u, struct step *s, const char *outcome, const char *why,
		   const char *detail)
{
	struct handover_result r = { 0 };
	int64_t now = u->sys->now(u->sys->ctx);

	snprintf(r.id, sizeof(r.id), "%" PRId64 "-%ld", now, (long)getpid());
	r.what = strcmp(s->what, "settings") == 0 ? OFFER_SETTINGS : OFFER_UPDATE;
	snprintf(r.outcome, sizeof(r.outcome), "%s", outcome);
	snprintf(r.why, sizeof(r.why), "%s", why ? why : "");
	snprintf(r.from, sizeof(r.from), "%s", s->from);
	snprintf(r.to, sizeof(r.to), "%s", s->to);
	snprintf(r.detail, sizeof(r.detail), "%s", detail ? detail : "");
	r.when = now;
	say("fieldstation-update: %s %s: %s %s %s", s->what, outcome, r.why, r.to, r.detail);
	if (handover_result_write(u->dir, &r) < 0)
		say("fieldstation-update: cannot write the result in %s", u->dir);
	memset(s->state, 0, sizeof(s->state));
	s->reason[0] = '\0';
	step_write(u, s);
}

static void remove_work(const struct updater *u, const char *name)
{
	char path[PATH_MAX];

	in_dir(u, name, path, sizeof(path));
	unlink(path);
}

/* The trial: the station started by the service must reach its home
 * screen. NULL when it did, else why not ("crashed", "no-start"). */
static const char *trial(const struct updater *u)
{
	const struct updater_sys *sys = u->sys;
	struct unit_state first = { 0 }, now;
	char handover[PATH_MAX];
	int64_t deadline = sys->steady(sys->ctx) + u->trial_seconds;

	handover_path(u, NULL, handover, sizeof(handover));
	if (sys->service_state(sys->ctx, &first) < 0)
		first.restarts = 0;
	sys->service(sys->ctx, "start");
	for (;;) {
		if (sys->service_state(sys->ctx, &now) == 0) {
			/* systemd counts restarts again from 0 after a start
			 * it did not make itself. */
			if (now.restarts < first.restarts)
				first.restarts = now.restarts;
			if (now.active && now.main_pid > 0 &&
			    sys->reached_home(sys->ctx, handover, now.main_pid))
				return NULL;
			if (now.restarts >= first.restarts + u->max_restarts)
				return "crashed";
		}
		if (sys->steady(sys->ctx) >= deadline)
			return "no-start";
		sys->wait(sys->ctx, POLL_MS);
	}
}

/* Update. */

static void rollback(const struct updater *u, struct step *s, const char *why, const char *detail)
{
	const struct updater_sys *sys = u->sys;
	char db[PATH_MAX], backup[PATH_MAX], previous[PATH_MAX], err[512] = "", lost[512] = "";
	const char *again;

	snprintf(s->reason, sizeof(s->reason), "%s", why);
	snprintf(s->detail, sizeof(s->detail), "%s", detail ? detail : "");
	set_state(u, s, "rollback");
	sys->service(sys->ctx, "stop");
	updater_db_path(u, db, sizeof(db));
	handover_path(u, HANDOVER_DB_BACKUP, backup, sizeof(backup));
	/* The records as they were before, then the version that kept them.
	 * Records that cannot be put back do not keep the station on the
	 * version being taken back: the one that ran before comes back all
	 * the same, and says what it can of the records it finds. */
	if (access(backup, F_OK) == 0 && sys->db_copy(sys->ctx, db, backup, db, lost, sizeof(lost)) < 0 &&
	    !lost[0])
		snprintf(lost, sizeof(lost), "%s", HANDOVER_DB_BACKUP);
	in_dir(u, PREVIOUS_DEB, previous, sizeof(previous));
	if (sys->dpkg_install(sys->ctx, previous, err, sizeof(err)) < 0) {
		finish(u, s, "failed", "dpkg", err);
		sys->service(sys->ctx, "start");
		return;
	}
	if (lost[0]) {
		/* The backup stays, for the technician to put back. */
		finish(u, s, "failed", "restore", lost);
	} else {
		again = trial(u);
		if (again) {
			finish(u, s, "failed", again, "the version it went back to did not start either");
			return;
		}
		finish(u, s, "rolled-back", s->reason, s->detail);
	}
	/* Once the step is over: the package kept is the one running. */
	{
		char installed[PATH_MAX];

		in_dir(u, INSTALLED_DEB, installed, sizeof(installed));
		rename(previous, installed);
	}
	remove_work(u, NEW_DEB);
	remove_work(u, NEW_UPDATE);
}

static void end_trial(const struct updater *u, struct step *s)
{
	char from[PATH_MAX], to[PATH_MAX], backup[PATH_MAX];
	const char *why = trial(u);

	if (why) {
		rollback(u, s, why, NULL);
		return;
	}
	finish(u, s, "installed", NULL, NULL);
	/* Once the step is over: what now runs is kept as a package to come
	 * back to next time. */
	in_dir(u, NEW_DEB, from, sizeof(from));
	in_dir(u, INSTALLED_DEB, to, sizeof(to));
	rename(from, to);
	remove_work(u, PREVIOUS_DEB);
	remove_work(u, NEW_UPDATE);
	handover_path(u, HANDOVER_DB_BACKUP, backup, sizeof(backup));
	unlink(backup);
}

/* Takes the staged file name of the handover folder into the installer's
 * own as path: a regular file, never through a link, at most max bytes. */
static int take_staged(const struct updater *u, const char *name, const char *as, int64_t max)
{
	char from[PATH_MAX], to[PATH_MAX];
	int rc;

	handover_path(u, name, from, sizeof(from));
	in_dir(u, as, to, sizeof(to));
	rc = copy_whole(from, to, 0600, max);
	unlink(from);
	return rc;
}

static int read_small(const char *path, char *text, size_t max)
{
	struct stat st;
	ssize_t got;
	int fd = nofollow_open(AT_FDCWD, path, &st);

	if (fd < 0)
		return -1;
	if (st.st_size >= (off_t)max) {
		close(fd);
		return -1;
	}
	got = read(fd, text, (size_t)st.st_size);
	close(fd);
	if (got != st.st_size)
		return -1;
	text[got] = '\0';
	return (int)got;
}

/* The offer in the installer's folder (desc and its file, named file),
 * read and checked against key; the result's why when it is not good. */
static const char *check_offer(const struct updater *u, const char *desc, const char *file,
			       enum offer_kind kind, const uint8_t key[SIGN_PUBLIC_BYTES],
			       struct offer *o, char *detail, size_t n)
{
	char path[PATH_MAX], text[OFFER_MAX_BYTES + 1];
	int dir, len;

	in_dir(u, desc, path, sizeof(path));
	len = read_small(path, text, sizeof(text));
	if (len < 0 || offer_parse(o, kind, text, (size_t)len, detail, n) < 0)
		return "staged";
	if (!offer_signed_by(o, text, key))
		return "signature";
	/* The file has the installer's own name. */
	snprintf(o->file, sizeof(o->file), "%s", strrchr(file, '/') + 1);
	in_dir(u, WORK, path, sizeof(path));
	dir = nofollow_dir(AT_FDCWD, path);
	if (dir < 0)
		return "staged";
	if (offer_check_file(dir, o, kind == OFFER_UPDATE ? UPDATE_MAX_BYTES : SETTINGS_MAX_BYTES,
			     -1, detail, n) < 0) {
		close(dir);
		return "file";
	}
	close(dir);
	return NULL;
}

static void do_update(const struct updater *u, struct step *s)
{
	const struct updater_sys *sys = u->sys;
	char detail[512] = "", package[64], version[VERSION_MAX + 1], arch[32], board[32];
	char path[PATH_MAX], db[PATH_MAX], backup[PATH_MAX], installed[PATH_MAX];
	uint8_t key[SIGN_PUBLIC_BYTES];
	const char *why = NULL;
	struct offer o;

	snprintf(s->what, sizeof(s->what), "update");
	set_state(u, s, "check");
	if (take_staged(u, HANDOVER_UPDATE, NEW_UPDATE, OFFER_MAX_BYTES) < 0 ||
	    take_staged(u, HANDOVER_DEB, NEW_DEB, UPDATE_MAX_BYTES) < 0) {
		finish(u, s, "refused", "staged", "what the station handed over is not there whole");
		return;
	}
	if (sys->installed(sys->ctx, s->from, sizeof(s->from)) < 0)
		why = "not-installed";
	if (!why && releasekey_load_public(u->release_key, key, detail, sizeof(detail)) != 0)
		why = "key";
	if (!why)
		why = check_offer(u, NEW_UPDATE, NEW_DEB, OFFER_UPDATE, key, &o, detail, sizeof(detail));
	if (!why) {
		snprintf(s->to, sizeof(s->to), "%s", o.version);
		in_dir(u, NEW_DEB, path, sizeof(path));
		/* What dpkg will install is what was signed, and for this board. */
		if (sys->deb_control(sys->ctx, path, package, version, arch) < 0 ||
		    strcmp(package, UPDATE_PACKAGE) != 0 || strcmp(package, o.package) != 0 ||
		    strcmp(version, o.version) != 0 || strcmp(arch, o.architecture) != 0)
			why = "package";
		else if (sys->architecture(sys->ctx, board, sizeof(board)) < 0 ||
			 strcmp(arch, board) != 0)
			why = "architecture";
		else if (version_compare(version, s->from) <= 0)
			why = "older";
	}
	if (why) {
		remove_work(u, NEW_DEB);
		remove_work(u, NEW_UPDATE);
		finish(u, s, "refused", why, detail);
		return;
	}
	set_state(u, s, "prepare");
	sys->service(sys->ctx, "stop");
	updater_db_path(u, db, sizeof(db));
	handover_path(u, HANDOVER_DB_BACKUP, backup, sizeof(backup));
	unlink(backup);
	if (access(db, F_OK) == 0 && sys->db_copy(sys->ctx, db, db, backup, detail, sizeof(detail)) < 0) {
		why = "backup";
	} else {
		/* The version running, as a package: the one installed last
		 * from a stick, or made again from what dpkg installed. */
		in_dir(u, INSTALLED_DEB, installed, sizeof(installed));
		in_dir(u, PREVIOUS_DEB, path, sizeof(path));
		if (!(sys->deb_control(sys->ctx, installed, package, version, arch) == 0 &&
		      strcmp(version, s->from) == 0 && rename(installed, path) == 0) &&
		    sys->repack(sys->ctx, path, detail, sizeof(detail)) < 0)
			why = "previous";
	}
	if (why) {
		unlink(backup);
		remove_work(u, NEW_DEB);
		remove_work(u, NEW_UPDATE);
		sys->service(sys->ctx, "start");
		finish(u, s, "refused", why, detail);
		return;
	}
	set_state(u, s, "install");
	in_dir(u, NEW_DEB, path, sizeof(path));
	if (sys->dpkg_install(sys->ctx, path, detail, sizeof(detail)) < 0) {
		rollback(u, s, "dpkg", detail);
		return;
	}
	set_state(u, s, "trial");
	end_trial(u, s);
}

/* Settings. */

static void settings_rollback(const struct updater *u, struct step *s, const char *why)
{
	const struct updater_sys *sys = u->sys;
	const char *again;

	snprintf(s->reason, sizeof(s->reason), "%s", why);
	set_state(u, s, "settings-rollback");
	sys->service(sys->ctx, "stop");
	if (copy_whole(s->old_ini, u->config, 0644, SETTINGS_MAX_BYTES) < 0) {
		finish(u, s, "failed", "restore", s->old_ini);
		sys->service(sys->ctx, "start");
		return;
	}
	again = trial(u);
	if (again)
		finish(u, s, "failed", again, "the old settings did not start either");
	else
		finish(u, s, "rolled-back", s->reason, s->old_ini);
}

static void end_settings_trial(const struct updater *u, struct step *s)
{
	const char *why = trial(u);
	char path[PATH_MAX], text[32];
	int n;

	if (why) {
		settings_rollback(u, s, why);
		return;
	}
	in_dir(u, UPDATER_SETTINGS_MADE, path, sizeof(path));
	n = snprintf(text, sizeof(text), "%" PRId64 "\n", s->made);
	write_whole(path, text, (size_t)n, 0644);
	remove_work(u, NEW_INI);
	remove_work(u, NEW_SETTINGS);
	finish(u, s, "installed", NULL, s->old_ini);
}

static void do_settings(const struct updater *u, struct step *s)
{
	const struct updater_sys *sys = u->sys;
	char detail[1024] = "", path[PATH_MAX], stamp[32], text[SETTINGS_MAX_BYTES + 1];
	uint8_t key[SIGN_PUBLIC_BYTES];
	struct config *now = NULL, *next = NULL;
	const char *why = NULL;
	struct offer o;
	time_t t;
	struct tm tm;
	int len = -1;

	snprintf(s->what, sizeof(s->what), "settings");
	set_state(u, s, "check");
	if (take_staged(u, HANDOVER_SETTINGS, NEW_SETTINGS, OFFER_MAX_BYTES) < 0 ||
	    take_staged(u, HANDOVER_INI, NEW_INI, SETTINGS_MAX_BYTES) < 0) {
		finish(u, s, "refused", "staged", "what the station handed over is not there whole");
		return;
	}
	if (releasekey_load_public(u->office_key, key, detail, sizeof(detail)) != 0 &&
	    releasekey_load_public(u->release_key, key, detail, sizeof(detail)) != 0)
		why = "key";
	if (!why)
		why = check_offer(u, NEW_SETTINGS, NEW_INI, OFFER_SETTINGS, key, &o, detail,
				  sizeof(detail));
	if (!why) {
		char made[32];

		s->made = o.made;
		snprintf(made, sizeof(made), "%" PRId64, o.made);
		snprintf(s->to, sizeof(s->to), "%.*s", (int)sizeof(s->to) - 1, made);
		in_dir(u, NEW_INI, path, sizeof(path));
		len = read_small(path, text, sizeof(text));
		if (config_load(u->config, &now, detail, sizeof(detail)) < 0 ||
		    strcmp(now->station.code, o.station) != 0)
			why = "station";
		else if (o.made <= handover_settings_made(u->dir))
			why = "older";
		else if (len < 0 ||
			 config_load_text(o.file, text, (size_t)len, &next, detail, sizeof(detail)) < 0)
			why = "check";
		else if (strcmp(next->station.code, o.station) != 0)
			why = "station";
		else if (!timezone_known(next->station.timezone)) {
			why = "check";
			snprintf(detail, sizeof(detail), "timezone %s", next->station.timezone);
		}
	}
	config_free(now);
	config_free(next);
	if (why) {
		remove_work(u, NEW_INI);
		remove_work(u, NEW_SETTINGS);
		finish(u, s, "refused", why, detail);
		return;
	}
	set_state(u, s, "settings-prepare");
	sys->service(sys->ctx, "stop");
	/* The configuration in use, kept aside under the time it was
	 * replaced. */
	t = (time_t)sys->now(sys->ctx);
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	snprintf(s->old_ini, sizeof(s->old_ini), "%s.old-%s", u->config, stamp);
	if (copy_whole(u->config, s->old_ini, 0644, SETTINGS_MAX_BYTES) < 0) {
		sys->service(sys->ctx, "start");
		finish(u, s, "refused", "keep-old", u->config);
		return;
	}
	set_state(u, s, "settings-install");
	if (write_whole(u->config, text, (size_t)len, 0644) < 0) {
		settings_rollback(u, s, "write");
		return;
	}
	set_state(u, s, "settings-trial");
	end_settings_trial(u, s);
}

/* The request. */

static int take_request(const struct updater *u, char *what, size_t n, bool *stale)
{
	char path[PATH_MAX], text[512], boot[64], *line, *save = NULL;
	bool same_boot = false;
	int len;

	handover_path(u, HANDOVER_REQUEST, path, sizeof(path));
	len = read_small(path, text, sizeof(text));
	/* Taken, or not a request (a link, a folder, too long): gone, so that
	 * systemd does not start the installer again for it. */
	unlink(path);
	if (len < 0)
		return -1;
	what[0] = '\0';
	u->sys->boot_id(u->sys->ctx, boot, sizeof(boot));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strcmp(line, "what: update") == 0 || strcmp(line, "what: settings") == 0)
			snprintf(what, n, "%s", line + 6);
		else if (strncmp(line, "boot: ", 6) == 0)
			same_boot = boot[0] && strcmp(line + 6, boot) == 0;
	}
	*stale = !same_boot;
	return what[0] ? 0 : -1;
}

/* What a power cut (or a crash of the installer) left. */
static void recover(const struct updater *u, struct step *s)
{
	const char *st = s->state;

	if (!st[0])
		return;
	say("fieldstation-update: found %s of %s %s -> %s left unfinished", st, s->what, s->from,
	    s->to);
	if (strcmp(st, "check") == 0 || strcmp(st, "prepare") == 0 ||
	    strcmp(st, "settings-prepare") == 0) {
		char backup[PATH_MAX];

		handover_path(u, HANDOVER_DB_BACKUP, backup, sizeof(backup));
		unlink(backup);
		/* The package kept to come back to is still the one running. */
		{
			char from[PATH_MAX], to[PATH_MAX];

			in_dir(u, PREVIOUS_DEB, from, sizeof(from));
			in_dir(u, INSTALLED_DEB, to, sizeof(to));
			rename(from, to);
		}
		remove_work(u, NEW_DEB);
		remove_work(u, NEW_UPDATE);
		remove_work(u, NEW_INI);
		remove_work(u, NEW_SETTINGS);
		u->sys->service(u->sys->ctx, "start");
		finish(u, s, "cancelled", "power-cut", NULL);
	} else if (strcmp(st, "install") == 0) {
		rollback(u, s, "power-cut", NULL);
	} else if (strcmp(st, "rollback") == 0) {
		rollback(u, s, s->reason[0] ? s->reason : "power-cut", s->detail);
	} else if (strcmp(st, "trial") == 0) {
		end_trial(u, s);
	} else if (strcmp(st, "settings-install") == 0) {
		settings_rollback(u, s, "power-cut");
	} else if (strcmp(st, "settings-rollback") == 0) {
		settings_rollback(u, s, s->reason[0] ? s->reason : "power-cut");
	} else if (strcmp(st, "settings-trial") == 0) {
		end_settings_trial(u, s);
	} else {
		finish(u, s, "failed", "state", st);
	}
}

int updater_run(const struct updater *u)
{
	char path[PATH_MAX], what[16];
	struct step s;
	bool stale;
	int lock;

	if (mkdir(u->dir, 0755) < 0 && errno != EEXIST)
		return -1;
	in_dir(u, WORK, path, sizeof(path));
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -1;
	in_dir(u, "lock", path, sizeof(path));
	lock = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX) < 0) {
		if (lock >= 0)
			close(lock);
		return -1;
	}
	step_read(u, &s);
	recover(u, &s);
	memset(&s, 0, sizeof(s));
	if (take_request(u, what, sizeof(what), &stale) == 0) {
		if (stale) {
			/* Asked for before a power cut or a restart: the farmer
			 * is told, and asks again if it is still wanted. */
			char name[PATH_MAX];

			snprintf(s.what, sizeof(s.what), "%s", what);
			handover_path(u, strcmp(what, "update") == 0 ? HANDOVER_DEB : HANDOVER_INI,
				      name, sizeof(name));
			unlink(name);
			handover_path(u, strcmp(what, "update") == 0 ? HANDOVER_UPDATE
								     : HANDOVER_SETTINGS,
				      name, sizeof(name));
			unlink(name);
			finish(u, &s, "cancelled", "stale", NULL);
		} else if (strcmp(what, "update") == 0) {
			do_update(u, &s);
		} else {
			do_settings(u, &s);
		}
	}
	close(lock);
	return 0;
}
