/* The privileged installer on a board of the test's making: dpkg, systemd
 * and the station's database are played by a fake whose state survives a
 * "power cut" (the installer's process killed at any call it makes to the
 * system). Whatever the moment of the cut, the next run leaves a station
 * that starts, old or new, on records its version can read; a new version
 * that does not start, or new settings it cannot start with, are taken
 * back; nothing unsigned, older, for another board or another station is
 * installed. */
#include "testsql.h"

#include "handover.h"
#include "newsettings.h"
#include "offer.h"
#include "signing.h"
#include "text.h"
#include "update.h"
#include "updater.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* The board, shared with a child that is cut short. */
struct fake {
	char installed[VERSION_MAX + 1];	/* dpkg's version of the package */
	char crashes[VERSION_MAX + 1];		/* a version that stops at start */
	char hangs[VERSION_MAX + 1];		/* one that never reaches its home screen */
	bool bad_db_stops;	/* the station stops on a database under /nonexistent */
	bool running;		/* started by systemd */
	int start_polls;	/* since it was started */
	unsigned restarts;
	long pid;
	int calls;		/* to the system, counted */
	int cut_at;		/* the power goes at this call (0: never) */
	bool cut_after;		/* after the call took effect, not before */
	int64_t clock;		/* the date */
	int64_t steady;		/* seconds since the board booted */
	int64_t date_set_by;	/* the date is set by this much at the next wait */
	int home_after;		/* polls a started station takes to its home screen */
	char boot[16];
	int dpkg_runs, repacks, db_copies;
	/* What fails on this board: dpkg on this version, the copy of the
	 * records before the install, or the copy back after. */
	char dpkg_fails[VERSION_MAX + 1];
	bool backup_fails, restore_fails;
};

static struct fake *fk;
static char *dir;
static char updater_dir[600], station_dir[600], config_path[600], db_path[700];
static char release_pub[600], release_sec[600];
static struct signkey release;

static void cut_point(bool after)
{
	if (fk->cut_at && fk->calls == fk->cut_at && fk->cut_after == after)
		_exit(99);	/* the power went */
}

#define CALL() do { fk->calls++; cut_point(false); } while (0)
#define DONE() cut_point(true)

/* The installer's own files are written whole by a rename, and removed:
 * the power may go just before or after each (the linker sends the
 * installer's calls here). */
int __real_rename(const char *from, const char *to);
int __wrap_rename(const char *from, const char *to);
int __real_unlink(const char *path);
int __wrap_unlink(const char *path);

int __wrap_rename(const char *from, const char *to)
{
	int rc;

	if (fk)
		CALL();
	rc = __real_rename(from, to);
	if (fk)
		DONE();
	return rc;
}

int __wrap_unlink(const char *path)
{
	int rc;

	if (fk)
		CALL();
	rc = __real_unlink(path);
	if (fk)
		DONE();
	return rc;
}

/* The fake database is a text file: the version whose schema it holds,
 * and the records. */
static void db_write(const char *path, const char *version, int records)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f, "%s %d\n", version, records);
	fclose(f);
}

static int db_read(const char *path, char *version, int *records)
{
	FILE *f = fopen(path, "r");
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "%31s %d", version, records);
	fclose(f);
	return n == 2 ? 0 : -1;
}

/* A station starting: a version reads a database of its own schema or an
 * older one (and brings it to its own), never a newer one. */
static bool station_starts(void)
{
	char version[32];
	int records;

	if (strcmp(fk->installed, fk->crashes) == 0)
		return false;
	if (db_read(db_path, version, &records) == 0) {
		if (version_compare(version, fk->installed) > 0)
			return false;
		db_write(db_path, fk->installed, records);
	}
	if (fk->bad_db_stops) {
		char text[4096];
		FILE *f = fopen(config_path, "r");
		size_t n = fread(text, 1, sizeof(text) - 1, f);

		fclose(f);
		text[n] = '\0';
		if (strstr(text, "/nonexistent"))
			return false;
	}
	return true;
}

static int f_service(void *ctx, const char *verb)
{
	(void)ctx;
	CALL();
	if (strcmp(verb, "stop") == 0) {
		fk->running = false;
	} else if (!fk->running) {
		fk->running = true;
		fk->start_polls = 0;
	}
	DONE();
	return 0;
}

static int f_service_state(void *ctx, struct unit_state *s)
{
	(void)ctx;
	CALL();
	memset(s, 0, sizeof(*s));
	s->restarts = fk->restarts;
	if (!fk->running)
		return 0;
	/* A start takes a poll; a station that stops is started again. */
	if (fk->start_polls++ == 0)
		return 0;
	if (!station_starts()) {
		fk->restarts++;
		fk->start_polls = 0;
		s->restarts = fk->restarts;
		return 0;
	}
	s->active = true;
	s->main_pid = fk->pid;
	DONE();
	return 0;
}

static bool f_reached_home(void *ctx, const char *handover, long pid)
{
	(void)ctx;
	(void)handover;
	CALL();
	return pid == fk->pid && strcmp(fk->installed, fk->hangs) != 0 &&
	       fk->start_polls > fk->home_after;
}

/* A fake package is its control file. */
static int f_deb_control(void *ctx, const char *deb, char *package, char *version, char *arch)
{
	char text[512];
	FILE *f;
	size_t n;

	(void)ctx;
	CALL();
	f = fopen(deb, "r");
	if (!f)
		return -1;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	if (sscanf(text, "Package: %63s Version: %32s Architecture: %31s", package, version, arch) != 3)
		return -1;
	return 0;
}

static int f_dpkg_install(void *ctx, const char *deb, char *err, size_t errlen)
{
	char package[64], version[VERSION_MAX + 1], arch[32];

	CALL();
	if (f_deb_control(ctx, deb, package, version, arch) < 0) {
		snprintf(err, errlen, "not a package");
		return -1;
	}
	fk->dpkg_runs++;
	if (strcmp(version, fk->dpkg_fails) == 0) {
		/* Half installed, the station not started again. */
		snprintf(err, errlen, "dpkg: error processing package fieldstation (--install)");
		fk->running = false;
		return -1;
	}
	/* The package's postinst starts the station again. */
	snprintf(fk->installed, sizeof(fk->installed), "%s", version);
	fk->running = true;
	fk->start_polls = 0;
	fk->pid++;
	DONE();
	return 0;
}

static int f_installed(void *ctx, char *version, size_t n)
{
	(void)ctx;
	CALL();
	snprintf(version, n, "%s", fk->installed);
	return 0;
}

static int f_architecture(void *ctx, char *arch, size_t n)
{
	(void)ctx;
	CALL();
	snprintf(arch, n, "amd64");
	return 0;
}

static void write_deb(const char *path, const char *version, const char *arch)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f, "Package: fieldstation\nVersion: %s\nArchitecture: %s\n", version, arch);
	fclose(f);
}

static int f_repack(void *ctx, const char *out, char *err, size_t errlen)
{
	(void)ctx;
	(void)err;
	(void)errlen;
	CALL();
	fk->repacks++;
	write_deb(out, fk->installed, "amd64");
	DONE();
	return 0;
}

static int f_db_copy(void *ctx, const char *station_db, const char *from, const char *to,
		     char *err, size_t errlen)
{
	char version[32];
	int records;

	(void)ctx;
	CALL();
	if ((fk->backup_fails && strcmp(from, station_db) == 0) ||
	    (fk->restore_fails && strcmp(to, station_db) == 0)) {
		snprintf(err, errlen, "disk I/O error");
		return -1;
	}
	if (db_read(from, version, &records) < 0) {
		snprintf(err, errlen, "cannot read %s", from);
		return -1;
	}
	fk->db_copies++;
	db_write(to, version, records);
	DONE();
	return 0;
}

static int64_t f_now(void *ctx)
{
	(void)ctx;
	return fk->clock;
}

static int64_t f_steady(void *ctx)
{
	(void)ctx;
	return fk->steady;
}

static void f_wait(void *ctx, int ms)
{
	(void)ctx;
	fk->clock += ms / 1000 + 1 + fk->date_set_by;
	fk->steady += ms / 1000 + 1;
	fk->date_set_by = 0;
}

static void f_boot_id(void *ctx, char *buf, size_t n)
{
	(void)ctx;
	snprintf(buf, n, "%s", fk->boot);
}

static const struct updater_sys sys = {
	.service = f_service,
	.service_state = f_service_state,
	.reached_home = f_reached_home,
	.dpkg_install = f_dpkg_install,
	.deb_control = f_deb_control,
	.installed = f_installed,
	.architecture = f_architecture,
	.repack = f_repack,
	.db_copy = f_db_copy,
	.now = f_now,
	.steady = f_steady,
	.wait = f_wait,
	.boot_id = f_boot_id,
};

static const struct updater u = {
	.sys = &sys,
	.dir = updater_dir,
	.config = config_path,
	.default_db = db_path,
	.release_key = release_pub,
	.office_key = "/nonexistent/office-key.pub",
	.trial_seconds = 60,
	.max_restarts = 3,
};

/* The installer's lines go to the journal; here, nowhere (but with
 * UPDATER_VERBOSE set). */
static int run_installer(void)
{
	int saved = -1, rc;

	if (!getenv("UPDATER_VERBOSE")) {
		int null = open("/dev/null", O_WRONLY);

		fflush(stderr);
		saved = dup(STDERR_FILENO);
		dup2(null, STDERR_FILENO);
		close(null);
	}
	rc = updater_run(&u);
	if (saved >= 0) {
		fflush(stderr);
		dup2(saved, STDERR_FILENO);
		close(saved);
	}
	return rc;
}

static const char base_config[] = "[station]\nname = Trạm 1\ncode = PT01\n\n"
				  "[pump.p1]\nname = Bơm 1\ndriver = sim\npower_kw = 1.5\n";

static int each_setup(void **state)
{
	char why[512];

	(void)state;
	dir = test_mkdir();
	fk = mmap(NULL, sizeof(*fk), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(fk != MAP_FAILED);
	memset(fk, 0, sizeof(*fk));
	snprintf(fk->installed, sizeof(fk->installed), "0.2.0");
	snprintf(fk->boot, sizeof(fk->boot), "boot1");
	fk->running = true;
	fk->start_polls = 5;
	fk->pid = 100;
	fk->clock = 1780000000;
	snprintf(updater_dir, sizeof(updater_dir), "%s/updater", dir);
	snprintf(station_dir, sizeof(station_dir), "%s/station", dir);
	snprintf(config_path, sizeof(config_path), "%s/fieldstation.ini", dir);
	snprintf(db_path, sizeof(db_path), "%s/station.db", station_dir);
	snprintf(release_sec, sizeof(release_sec), "%s/release.key", dir);
	snprintf(release_pub, sizeof(release_pub), "%s/release.key.pub", dir);
	assert_int_equal(mkdir(station_dir, 0750), 0);
	test_write(dir, "fieldstation.ini", base_config);
	db_write(db_path, "0.2.0", 42);
	assert_int_equal(releasekey_make(release_sec, 1, &release, why, sizeof(why)), 0);
	return 0;
}

static int each_teardown(void **state)
{
	(void)state;
	signkey_wipe(&release);
	munmap(fk, sizeof(*fk));
	fk = NULL;
	test_rmdir(dir);
	return 0;
}

static void write_text(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

/* What the station hands over after the manager said yes: a package of
 * version for arch, described as described (NULL: the same), signed with
 * k, and the request of this boot. */
static void hand_over_update(const char *version, const char *arch, const char *described,
			     const struct signkey *k)
{
	char handover[700], path[800], text[256];
	struct offer o = { .kind = OFFER_UPDATE, .made = 1780000000 };
	struct sha256 h;
	size_t len;
	char *desc;
	int n;

	snprintf(handover, sizeof(handover), "%s/update", station_dir);
	mkdir(handover, 0750);
	n = snprintf(text, sizeof(text), "Package: fieldstation\nVersion: %s\nArchitecture: %s\n",
		     version, arch);
	snprintf(path, sizeof(path), "%s/%s", handover, HANDOVER_DEB);
	write_text(path, text, (size_t)n);
	snprintf(o.file, sizeof(o.file), "fieldstation_%s_%s.deb", version, arch);
	snprintf(o.package, sizeof(o.package), "fieldstation");
	snprintf(o.version, sizeof(o.version), "%s", described ? described : version);
	snprintf(o.architecture, sizeof(o.architecture), "%s", arch);
	o.size = n;
	sha256_init(&h);
	sha256_update(&h, text, (size_t)n);
	sha256_final(&h, o.sha);
	desc = offer_format(&o, k, &len);
	snprintf(path, sizeof(path), "%s/%s", handover, HANDOVER_UPDATE);
	write_text(path, desc, len);
	free(desc);
	snprintf(path, sizeof(path), "%s/%s", handover, HANDOVER_REQUEST);
	n = snprintf(text, sizeof(text), "what: update\nboot: %s\n", fk->boot);
	write_text(path, text, (size_t)n);
}

static void hand_over_settings(const char *ini, const char *station, int64_t made,
			       const struct signkey *k)
{
	char handover[700], path[800], text[256];
	struct offer o = { .kind = OFFER_SETTINGS, .made = made };
	struct sha256 h;
	size_t len;
	char *desc;
	int n;

	snprintf(handover, sizeof(handover), "%s/update", station_dir);
	mkdir(handover, 0750);
	snprintf(path, sizeof(path), "%s/%s", handover, HANDOVER_INI);
	write_text(path, ini, strlen(ini));
	snprintf(o.file, sizeof(o.file), "%s.ini", station);
	snprintf(o.station, sizeof(o.station), "%s", station);
	o.size = (int64_t)strlen(ini);
	sha256_init(&h);
	sha256_update(&h, ini, strlen(ini));
	sha256_final(&h, o.sha);
	desc = offer_format(&o, k, &len);
	snprintf(path, sizeof(path), "%s/%s", handover, HANDOVER_SETTINGS);
	write_text(path, desc, len);
	free(desc);
	snprintf(path, sizeof(path), "%s/%s", handover, HANDOVER_REQUEST);
	n = snprintf(text, sizeof(text), "what: settings\nboot: %s\n", fk->boot);
	write_text(path, text, (size_t)n);
}

static void result(struct handover_result *r)
{
	assert_int_equal(handover_result_read(updater_dir, r), 0);
}

/* The station runs the version it has, on records of that version, with
 * nothing under way. */
static void station_is_well(int records)
{
	char state[700], version[32];
	struct unit_state s;
	int n;
	bool home = false;

	snprintf(state, sizeof(state), "%s/%s", updater_dir, UPDATER_STATE);
	assert_int_equal(access(state, F_OK), -1);
	for (int i = 0; i < 5 && !home; i++) {
		f_service_state(NULL, &s);
		home = s.active;
	}
	assert_true(fk->running);
	assert_true(home);
	assert_int_equal(db_read(db_path, version, &n), 0);
	assert_string_equal(version, fk->installed);
	assert_int_equal(n, records);
}

static void a_good_update_is_installed(void **state)
{
	struct handover_result r;
	char kept[700];

	(void)state;
	hand_over_update("0.3.0", "amd64", NULL, &release);
	assert_int_equal(run_installer(), 0);
	result(&r);
	assert_string_equal(r.outcome, "installed");
	assert_string_equal(r.from, "0.2.0");
	assert_string_equal(r.to, "0.3.0");
	assert_string_equal(fk->installed, "0.3.0");
	station_is_well(42);
	/* The version running was made a package to come back to; the new
	 * one is kept for next time, so it is not made again. */
	assert_int_equal(fk->repacks, 1);
	snprintf(kept, sizeof(kept), "%s/work/installed.deb", updater_dir);
	assert_int_equal(access(kept, F_OK), 0);
	hand_over_update("0.4.0", "amd64", NULL, &release);
	assert_int_equal(run_installer(), 0);
	result(&r);
	assert_string_equal(r.outcome, "installed");
	assert_int_equal(fk->repacks, 1);
	assert_string_equal(fk->installed, "0.4.0");
	/* Nothing is left behind in the station's folder. */
	{
		char left[700];

		snprintf(left, sizeof(left), "%s/update/%s", station_dir, HANDOVER_DEB);
		assert_int_equal(access(left, F_OK), -1);
		snprintf(left, sizeof(left), "%s/update/before-update.db", station_dir);
		assert_int_equal(access(left, F_OK), -1);
	}
}

static void a_version_that_stops_at_start_is_taken_back(void **state)
{
	struct handover_result r;
	char sentence[512];

	(void)state;
	snprintf(fk->crashes, sizeof(fk->crashes), "0.3.0");
	hand_over_update("0.3.0", "amd64", NULL, &release);
	assert_int_equal(run_installer(), 0);
	result(&r);
	assert_string_equal(r.outcome, "rolled-back");
	assert_string_equal(r.why, "crashed");
	assert_string_equal(fk->installed, "0.2.0");
	station_is_well(42);
	handover_result_sentence(&r, sentence, sizeof(sentence));
	assert_string_equal(sentence, "Version 0.3.0 stopped each time it started: the station went back to version 0.2.0 and to its records as they were before.");
}

static void a_version_that_migrates_then_hangs_is_taken_back_with_the_records(void **state)
{
	struct handover_result r;

	(void)state;
	/* It brings the records to its own schema, then never shows its home
	 * screen: the old version could not read them without the backup. */
	snprintf(fk->hangs, sizeof(fk->hangs), "0.3.0");
	hand_over_update("0.3.0", "amd64", NULL, &release);
	assert_int_equal(run_installer(), 0);
	result(&r);
	assert_string_equal(r.outcome, "rolled-back");
	assert_string_equal(r.why, "no-start");
	assert_string_equal(fk->installed, "0.2.0");
	station_is_well(42);
	/* It waited the time given, and not much more. */
	assert_true(fk->steady >= 60);
	assert_true(fk->steady < 200);
}

/* The records cannot be backed up first: nothing is installed, and the
 * station runs on as it was. */
static void an_update_whose_backup_fails_is_not_installed(void **state)
{
	struct handover_result r;
	char sentence[512];

	(void)state;
	fk->backup_fails = true;
	hand_over_update("0.3.0", "amd64", NULL, &release);
	assert_int_equal(run_installer(), 0);
	result(&r);
	assert_string_equal(r.outcome, "refused");
	assert_string_equal(r.why, "backup");
	assert_int_equal(fk->dpkg_runs, 0);
	assert_string_equal(fk->installed, "0.2.0");
	station_is_well(42);
	handover_result_sentence(&r, sentence, sizeof(sentence));
	assert_string_equal(sentence, "The installer did not install version 0.3.0: the records could not be backed up first. Nothing changed.");
}

/* dpkg fails half-way: the version before comes back, with its records. */
static void an_update_dpkg_fails_on_is_taken_back(void **state)
{
	struct handover_result r;

	(void)state;
	snprintf(fk->dpkg_fails, sizeof(fk->dpkg_fails), "0.3.0");
	hand_over_update("0.3.0", "amd64", NULL, &release);
	assert_int_equal(run_installer(), 0);
	result(&r);
	assert_string_equal(r.outcome, "rolled-back");
	assert_string_equal(r.why, "dpkg");
	assert_string_equal(fk->installed, "0.2.0");
	station_is_well(42);
}

/* A crashing version whose records cannot be put back: the version that
 * ran before comes back all the same (never the crashing one), the
 * backup is kept for the technician, and the screen says to call one. */
static void records_that_cannot_be_put_back_still_bring_the_old_version(void **state)
{
	struct handover_result r;
	char sentence[512], backup[800];

	(void)state;
	snprintf(fk->crashes, sizeof(fk->crashes), "0.3.0");
	fk->restore_fails = true;
	hand_over_update("0.3.0", "amd64", NULL, &release);
	assert_int_equal(run_installer(), 0);
	result(&r);
	assert_string_equal(r.outcome, "failed");
	assert_string_equal(r.why, "restore");
	assert_string_equal(fk->installed, "0.2.0");
	assert_true(fk->running);
	snprintf(backup, sizeof(backup), "%s/update/before-update.db", station_dir);
	assert_int_equal(access(backup, F_OK), 0);
	handover_result_sentence(&r, sentence, sizeof(sentence));
	assert_string_equal(sentence, "The station went back to version 0.2.0, but its records as they were before could not be put back (disk I/O error): call the technician.");
}

/* A board without a real-time clock boots at an old date, and the farmer
 * or the network sets it while the new version starts: the trial's time
 * is the board's, not the date's. */
static void setting_the_date_in_the_trial_neither_cuts_it_short_nor_stretches_it(void **state)
{
	struct handover_result r;

	(void)state;
	/* Forward by three hours, and the new version takes 40 s of its 60
	 * to its home screen: it is kept. */
	fk->home_after = 40;
	fk->date_set_by = 3 * 3600;
	hand_over_update("0.3.0", "amd64", NULL, &release);
	assert_int_equal(run_installer(), 0);
	result(&r);
	assert_string_equal(r.outcome, "installed");
	assert_string_equal(fk->installed, "0.3.0");
	assert_true(fk->clock - 1780000000 >= 3 * 3600);

	/* Back by a year, and the next version never shows its home screen:
	 * taken back after the time given, not a year later. */
	fk->home_after = 0;
	fk->steady = 0;
	fk->date_set_by = -365 * 86400;
	snprintf(fk->hangs, sizeof(fk->hangs), "0.4.0");
	hand_over_update("0.4.0", "amd64", NULL, &release);
	assert_int_equal(run_installer(), 0);
	result(&r);
	assert_string_equal(r.outcome, "rolled-back");
	assert_string_equal(r.why, "no-start");
	assert_string_equal(fk->installed, "0.3.0");
	assert_true(fk->steady >= 60);
	assert_true(fk->steady < 200);
}

static void nothing_unsigned_older_or_for_another_board_is_installed(void **state)
{
	static const struct {
		const char *version, *arch, *described;
		bool other_key;
		const char *why;
	} cases[] = {
		{ "0.3.0", "amd64", NULL, true, "signature" },
		{ "0.1.0", "amd64", NULL, false, "older" },
		{ "0.2.0", "amd64", NULL, false, "older" },
		{ "0.3.0", "arm64", NULL, false, "architecture" },
		/* A description that says another version than the package. */
		{ "0.1.0", "amd64", "0.3.0", false, "package" },
	};
	struct signkey other;
	char why[256];

	(void)state;
	assert_int_equal(releasekey_make(path_in(dir, "other.key"), 1, &other, why, sizeof(why)), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct handover_result r;

		hand_over_update(cases[i].version, cases[i].arch, cases[i].described,
				 cases[i].other_key ? &other : &release);
		fk->calls = 0;
		assert_int_equal(run_installer(), 0);
		result(&r);
		assert_string_equal(r.outcome, "refused");
		if (strcmp(r.why, cases[i].why) != 0)
			fail_msg("case %zu: %s, not %s", i, r.why, cases[i].why);
		assert_string_equal(fk->installed, "0.2.0");
		assert_int_equal(fk->dpkg_runs, 0);
		/* The station was never stopped. */
		assert_true(fk->running);
	}
	signkey_wipe(&other);
}

static void a_request_from_before_a_restart_is_not_done(void **state)
{
	struct handover_result r;
	char sentence[512];

	(void)state;
	hand_over_update("0.3.0", "amd64", NULL, &release);
	snprintf(fk->boot, sizeof(fk->boot), "boot2");
	assert_int_equal(run_installer(), 0);
	result(&r);
	assert_string_equal(r.outcome, "cancelled");
	assert_string_equal(fk->installed, "0.2.0");
	handover_result_sentence(&r, sentence, sizeof(sentence));
	assert_string_equal(sentence, "What was chosen before the station restarted was not done: choose it again if it is still wanted.");
}

/* Runs the installer in a child cut at call n (before or after it took
 * effect), then a new boot's run; true if the cut came before the end. */
static bool cut_then_boot(int n, bool after)
{
	pid_t pid;
	int status;

	fk->calls = 0;
	fk->cut_at = n;
	fk->cut_after = after;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(run_installer() == 0 ? 0 : 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	fk->cut_at = 0;
	if (WEXITSTATUS(status) != 99)
		return false;
	/* The power is back: systemd starts the station, then the installer. */
	snprintf(fk->boot, sizeof(fk->boot), "boot%d%d", n, after);
	fk->running = true;
	fk->start_polls = 0;
	fk->pid += 1000;
	assert_int_equal(run_installer(), 0);
	return true;
}

static void a_power_cut_at_any_moment_leaves_a_station_that_starts(void **state)
{
	int cuts = 0, old = 0, new = 0;

	(void)state;
	for (int n = 1;; n++) {
		bool more = false;

		for (int after = 0; after < 2; after++) {
			struct handover_result r;
			bool was_cut;

			/* The board as it was. */
			snprintf(fk->installed, sizeof(fk->installed), "0.2.0");
			db_write(db_path, "0.2.0", 42);
			{
				char path[700];

				snprintf(path, sizeof(path), "%s/work/installed.deb", updater_dir);
				unlink(path);
			}
			fk->running = true;
			fk->start_polls = 5;
			hand_over_update("0.3.0", "amd64", NULL, &release);
			was_cut = cut_then_boot(n, after);
			more |= was_cut;
			if (!was_cut)
				continue;
			cuts++;
			result(&r);
			if (strcmp(fk->installed, "0.3.0") == 0) {
				assert_string_equal(r.outcome, "installed");
				new++;
			} else {
				assert_string_equal(fk->installed, "0.2.0");
				if (strcmp(r.outcome, "cancelled") != 0 && strcmp(r.outcome, "rolled-back") != 0)
					fail_msg("cut at %d%s: %s", n, after ? " after" : "", r.outcome);
				old++;
			}
			station_is_well(42);
		}
		if (!more)
			break;
	}
	print_message("%d cuts: %d left the old version, %d the new\n", cuts, old, new);
	/* Every call to the system, cut before and after it took effect. */
	assert_true(cuts >= 40);
	assert_true(old > 0 && new > 0);
}

static void a_power_cut_during_a_crashing_update_leaves_the_old_version(void **state)
{
	int cuts = 0;

	(void)state;
	snprintf(fk->crashes, sizeof(fk->crashes), "0.3.0");
	for (int n = 1;; n++) {
		bool more = false;

		for (int after = 0; after < 2; after++) {
			snprintf(fk->installed, sizeof(fk->installed), "0.2.0");
			db_write(db_path, "0.2.0", 42);
			fk->running = true;
			fk->start_polls = 5;
			hand_over_update("0.3.0", "amd64", NULL, &release);
			if (!cut_then_boot(n, after))
				continue;
			more = true;
			cuts++;
			assert_string_equal(fk->installed, "0.2.0");
			station_is_well(42);
		}
		if (!more)
			break;
	}
	assert_true(cuts >= 20);
}

static const char new_settings[] = "[station]\nname = Trạm 1\ncode = PT01\n\n"
				   "[pump.p1]\nname = Bơm 1\ndriver = sim\npower_kw = 2.2\n";

static void new_settings_are_put_in_place_and_the_old_kept(void **state)
{
	struct handover_result r;
	char text[1024], old[1024];
	FILE *f;
	size_t n;

	(void)state;
	hand_over_settings(new_settings, "PT01", 1780000500, &release);
	assert_int_equal(run_installer(), 0);
	result(&r);
	assert_string_equal(r.outcome, "installed");
	f = fopen(config_path, "r");
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	assert_string_equal(text, new_settings);
	/* The old file, kept aside, named in the result. */
	assert_non_null(strstr(r.detail, "fieldstation.ini.old-"));
	f = fopen(r.detail, "r");
	assert_non_null(f);
	n = fread(old, 1, sizeof(old) - 1, f);
	fclose(f);
	old[n] = '\0';
	assert_string_equal(old, base_config);
	assert_int_equal(handover_settings_made(updater_dir), 1780000500);
	/* The same again, or older, is not put in place. */
	hand_over_settings(base_config, "PT01", 1780000400, &release);
	assert_int_equal(run_installer(), 0);
	result(&r);
	assert_string_equal(r.outcome, "refused");
	assert_string_equal(r.why, "older");
}

static void settings_the_station_cannot_start_with_are_taken_back(void **state)
{
	static const char broken[] = "[station]\nname = Trạm 1\ncode = PT01\n"
				     "database = /nonexistent/station.db\n";
	struct handover_result r;
	char text[1024], sentence[512];
	FILE *f;
	size_t n;

	(void)state;
	fk->bad_db_stops = true;
	hand_over_settings(broken, "PT01", 1780000500, &release);
	assert_int_equal(run_installer(), 0);
	result(&r);
	assert_string_equal(r.outcome, "rolled-back");
	f = fopen(config_path, "r");
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	assert_string_equal(text, base_config);
	station_is_well(42);
	handover_result_sentence(&r, sentence, sizeof(sentence));
	assert_string_equal(sentence, "The station did not start with the new settings: it went back to its old settings.");
}

static void settings_with_a_mistake_or_for_another_station_are_refused(void **state)
{
	struct handover_result r;

	(void)state;
	hand_over_settings("[station]\ncode = PT01\nmax_pumps_running = 99\n", "PT01", 1780000500,
			   &release);
	assert_int_equal(run_installer(), 0);
	result(&r);
	assert_string_equal(r.outcome, "refused");
	assert_string_equal(r.why, "check");
	assert_non_null(strstr(r.detail, "max_pumps_running"));
	hand_over_settings("[station]\ncode = PT02\n", "PT02", 1780000600, &release);
	assert_int_equal(run_installer(), 0);
	result(&r);
	assert_string_equal(r.why, "station");
	{
		char text[1024];
		FILE *f = fopen(config_path, "r");
		size_t n = fread(text, 1, sizeof(text) - 1, f);

		fclose(f);
		text[n] = '\0';
		assert_string_equal(text, base_config);
	}
	assert_true(fk->running);
}

static void a_power_cut_while_settings_change_leaves_old_or_new(void **state)
{
	int cuts = 0;

	(void)state;
	for (int n = 1;; n++) {
		bool more = false;

		for (int after = 0; after < 2; after++) {
			char text[1024];
			FILE *f;
			size_t len;

			test_write(dir, "fieldstation.ini", base_config);
			{
				char made[700];

				snprintf(made, sizeof(made), "%s/%s", updater_dir, UPDATER_SETTINGS_MADE);
				unlink(made);
			}
			fk->running = true;
			fk->start_polls = 5;
			hand_over_settings(new_settings, "PT01", 1780000500, &release);
			if (!cut_then_boot(n, after))
				continue;
			more = true;
			cuts++;
			f = fopen(config_path, "r");
			len = fread(text, 1, sizeof(text) - 1, f);
			fclose(f);
			text[len] = '\0';
			if (strcmp(text, base_config) != 0 && strcmp(text, new_settings) != 0)
				fail_msg("cut at %d: the configuration is neither", n);
			station_is_well(42);
		}
		if (!more)
			break;
	}
	print_message("%d cuts\n", cuts);
	assert_true(cuts >= 20);
}

#define T(f) cmocka_unit_test_setup_teardown(f, each_setup, each_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(a_good_update_is_installed),
		T(a_version_that_stops_at_start_is_taken_back),
		T(a_version_that_migrates_then_hangs_is_taken_back_with_the_records),
		T(an_update_whose_backup_fails_is_not_installed),
		T(an_update_dpkg_fails_on_is_taken_back),
		T(records_that_cannot_be_put_back_still_bring_the_old_version),
		T(setting_the_date_in_the_trial_neither_cuts_it_short_nor_stretches_it),
		T(nothing_unsigned_older_or_for_another_board_is_installed),
		T(a_request_from_before_a_restart_is_not_done),
		T(a_power_cut_at_any_moment_leaves_a_station_that_starts),
		T(a_power_cut_during_a_crashing_update_leaves_the_old_version),
		T(new_settings_are_put_in_place_and_the_old_kept),
		T(settings_the_station_cannot_start_with_are_taken_back),
		T(settings_with_a_mistake_or_for_another_station_are_refused),
		T(a_power_cut_while_settings_change_leaves_old_or_new),
	};

	text_init("en");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
