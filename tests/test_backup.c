/* Local backups: named for their time, the newest few kept; a damaged
 * database found at start-up is kept aside and the newest good backup
 * takes its place, with one sentence saying to when the data now run. */
#include "testsql.h"

#include "backup.h"
#include "pin.h"
#include "store.h"
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

static char *dir;
static char db[600], backups[600];

/* fsync() as the test says (the link wraps it: Makefile): the Nth of a
 * folder fails with EIO, as on a failing card; the rest are the system's. */
int __real_fsync(int fd);
int __wrap_fsync(int fd);
static int folder_syncs, failing_folder_sync;

int __wrap_fsync(int fd)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) &&
	    ++folder_syncs == failing_folder_sync) {
		errno = EIO;
		return -1;
	}
	return __real_fsync(fd);
}

/* 1 June 2026, hh:mm in Vietnam. */
static time_t june1(int hh, int mm)
{
	return 1780246800 + hh * 3600 + mm * 60;
}

static int setup(void **state)
{
	(void)state;
	folder_syncs = failing_folder_sync = 0;
	dir = test_mkdir();
	snprintf(db, sizeof(db), "%s/station.db", dir);
	backup_dir(db, backups, sizeof(backups));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_rmdir(dir);
	return 0;
}

static int count_files(const char *folder, const char *prefix)
{
	char cmd[800], line[64] = "0";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls -1A '%s' 2>/dev/null | grep -c '^%s'", folder, prefix);
	p = popen(cmd, "r");
	assert_non_null(p);
	if (!fgets(line, sizeof(line), p))
		line[0] = '0';
	pclose(p);
	return atoi(line);
}

/* A database with events up to `until`, several pages long. */
static void fill(const char *path, time_t from, time_t until)
{
	struct store *s;
	char err[256], detail[200];

	assert_int_equal(store_open(path, 0, &s, err, sizeof(err)), 0);
	memset(detail, 'x', sizeof(detail) - 1);
	detail[sizeof(detail) - 1] = '\0';
	store_begin(s);
	for (time_t t = from; t <= until; t += 60)
		assert_int_equal(store_event(s, t, "test", NULL, detail, false), 0);
	store_commit(s);
	store_close(s);
}

/* What a failing card does: pages in the middle overwritten. */
static void damage(const char *path, off_t at, size_t n)
{
	char junk[16384];
	int fd = open(path, O_WRONLY);

	assert_true(fd >= 0);
	memset(junk, 0xA5, sizeof(junk));
	assert_true(n <= sizeof(junk));
	assert_int_equal(pwrite(fd, junk, n, at), (ssize_t)n);
	close(fd);
}

static void backup(time_t now, int keep)
{
	struct store *s;
	char err[512];

	assert_int_equal(store_open(db, 0, &s, err, sizeof(err)), 0);
	assert_int_equal(backup_now(s, db, now, keep, NULL, 0, err, sizeof(err)), 0);
	store_close(s);
}

static void backups_are_named_for_their_time_and_rotated(void **state)
{
	char path[800];

	(void)state;
	fill(db, june1(5, 0), june1(6, 0));
	assert_int_equal(backup_newest(db), 0);
	backup(june1(6, 0), 2);
	snprintf(path, sizeof(path), "%s/station-2026-06-01-0600.db", backups);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(backup_newest(db), june1(6, 0));
	backup(june1(7, 0), 2);
	backup(june1(8, 30), 2);
	/* The newest two are kept. */
	assert_int_equal(count_files(backups, "station-"), 2);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(backup_newest(db), june1(8, 30));
	/* Nothing unfinished is left beside them. */
	assert_int_equal(count_files(backups, ".unfinished"), 0);
}

static void a_sound_database_opens_without_a_word(void **state)
{
	struct store *s;
	char notice[256], err[512];

	(void)state;
	fill(db, june1(5, 0), june1(6, 0));
	assert_int_equal(backup_open_store(db, june1(9, 0), false, &s, notice, sizeof(notice), err,
					   sizeof(err)), 0);
	assert_string_equal(notice, "");
	store_close(s);
	assert_int_equal(count_files(dir, "station.db.damaged"), 0);
}

static void a_damaged_database_starts_again_from_its_newest_good_backup(void **state)
{
	struct store *s;
	char notice[256], err[512], path[800];
	int64_t alive = 0;
	int alarms = 0;

	(void)state;
	fill(db, june1(5, 0), june1(6, 0));
	backup(june1(6, 0), 3);
	fill(db, june1(6, 1), june1(7, 0));
	backup(june1(7, 0), 3);
	fill(db, june1(7, 1), june1(8, 0));
	/* The newest backup is damaged too: the one before serves. */
	snprintf(path, sizeof(path), "%s/station-2026-06-01-0700.db", backups);
	damage(path, 0, 100);
	damage(db, 8192, 12288);
	assert_int_equal(backup_open_store(db, june1(9, 0), false, &s, notice, sizeof(notice), err,
					   sizeof(err)), 0);
	assert_string_equal(notice, "The database was damaged and is kept aside; restored from a "
			    "backup, the data now run to 01/06/2026 06:00.");
	assert_int_equal(store_check(s, STORE_CHECK_ALL, err, sizeof(err)), 0);
	/* The data are the backup's, and an alarm says what happened. */
	assert_int_equal(store_alarms_open(s, &alarms), 0);
	assert_int_equal(alarms, 1);
	store_close(s);
	assert_int_equal(count_files(dir, "station.db.damaged-20260601-090000"), 1);
	assert_int_equal(store_open(db, STORE_RDONLY, &s, err, sizeof(err)), 0);
	store_last_alive(s, &alive);
	/* 06:00 from the backup, and the alarm written at 09:00. */
	assert_int_equal(alive, june1(9, 0));
	store_close(s);
}

static void what_is_no_database_any_more_is_damaged_too(void **state)
{
	struct store *s;
	char notice[256], err[512];

	(void)state;
	fill(db, june1(5, 0), june1(6, 0));
	backup(june1(6, 0), 2);
	/* The header itself overwritten. */
	damage(db, 0, 4096);
	assert_int_equal(backup_open_store(db, june1(9, 0), false, &s, notice, sizeof(notice), err,
					   sizeof(err)), 0);
	assert_non_null(strstr(notice, "the data now run to 01/06/2026 06:00."));
	store_close(s);
}

/* Without backups, a file that is no station database may be another
 * file given by mistake: refused, and left as it is. */
static void a_stranger_without_backups_is_refused_and_left_alone(void **state)
{
	struct store *s;
	char notice[256], err[512];

	(void)state;
	fill(db, june1(5, 0), june1(6, 0));
	damage(db, 0, 4096);
	assert_int_equal(backup_open_store(db, june1(9, 0), false, &s, notice, sizeof(notice), err,
					   sizeof(err)), STORE_CORRUPT);
	assert_null(s);
	assert_non_null(strstr(err, "is damaged or is not a station database"));
	assert_int_equal(count_files(dir, "station.db.damaged"), 0);
}

/* Readings every minute for days of 16 probes: many pages of them. */
static void fill_readings(const char *path, time_t from, int days)
{
	struct reading_row *rows = calloc(16 * 4 * 1440, sizeof(*rows));
	struct store *s;
	char err[256], code[16];
	int n = 0, ids[16];

	assert_non_null(rows);
	assert_int_equal(store_open(path, 0, &s, err, sizeof(err)), 0);
	for (int i = 0; i < 16; i++) {
		snprintf(code, sizeof(code), "soil%d", i + 1);
		assert_int_equal(store_sensor_id(s, code, &ids[i]), 0);
	}
	for (int d = 0; d < days; d++) {
		n = 0;
		for (int m = 0; m < 1440; m++)
			for (int k = 0; k < 16 * 4; k++)
				rows[n++] = (struct reading_row){ ids[k / 4], k % 4,
								  from + (d * 1440 + m) * 60,
								  20 + (m + k) % 30 };
		assert_int_equal(store_readings_add(s, rows, n, from + (d + 1) * 86400), 0);
	}
	store_close(s);
	free(rows);
}

static void count_reading(void *ctx, const struct reading_row *r)
{
	(void)r;
	(*(int64_t *)ctx)++;
}

/* A page of the raw readings, well inside the table. */
static off_t readings_page(const char *path)
{
	int64_t pg = sql_int(path, "SELECT pageno FROM dbstat WHERE name = 'readings_packed'"
				   " AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET 20");

	assert_true(pg > 1);
	return (off_t)(pg - 1) * 4096;
}

/* Years of readings are not checked before the first screen: damage in
 * them lets the station start, the check of the whole database finds
 * it, and the same restore follows. */
static void damage_in_the_readings_is_found_by_the_whole_check(void **state)
{
	struct store *s;
	char notice[256], err[512];
	int64_t n;

	(void)state;
	fill(db, june1(5, 0), june1(6, 0));
	fill_readings(db, june1(0, 0) - 2 * 86400, 2);
	backup(june1(6, 0), 2);
	/* A pump ran until 08:30 on the database now damaged. */
	assert_int_equal(store_open(db, STORE_EXCLUSIVE, &s, err, sizeof(err)), 0);
	assert_int_equal(store_note_alive(s, june1(8, 30), &(struct alive_run){ 1, 0 }, 1), 0);
	store_close(s);
	damage(db, readings_page(db), 4096);
	assert_int_equal(backup_open_store(db, june1(9, 0), false, &s, notice, sizeof(notice), err,
					   sizeof(err)), 0);
	assert_string_equal(notice, "");
	assert_int_equal(store_check(s, STORE_CHECK_RECORDS, err, sizeof(err)), 0);
	assert_int_equal(store_check(s, STORE_CHECK_ALL, err, sizeof(err)), STORE_CORRUPT);
	store_close(s);
	assert_int_equal(count_files(dir, "station.db.damaged"), 0);

	/* The console, told, opens it again as damaged. */
	assert_int_equal(backup_open_store(db, june1(9, 5), true, &s, notice, sizeof(notice), err,
					   sizeof(err)), 0);
	assert_string_equal(notice, "The database was damaged and is kept aside; restored from a "
			    "backup, the data now run to 01/06/2026 06:00.");
	assert_int_equal(store_check(s, STORE_CHECK_ALL, err, sizeof(err)), 0);
	store_close(s);
	/* The damaged database's own note went aside with it: the restored
	 * data run to the backup's time, not to 08:30. */
	assert_int_equal(count_files(dir, "station.db.damaged-20260601-090500"), 2);
	assert_int_equal(count_files(dir, "station.db.damaged-20260601-090500.pending"), 1);
	/* The backup's readings are all there: two days of 64 a minute. */
	assert_int_equal(store_open(db, STORE_RDONLY, &s, err, sizeof(err)), 0);
	n = 0;
	assert_int_equal(store_readings_each(s, 0, june1(9, 0), count_reading, &n), 0);
	store_close(s);
	assert_int_equal(n, 2 * 1440 * 64);
}

static void without_a_backup_the_station_starts_empty(void **state)
{
	struct store *s;
	char notice[256], err[512];
	int64_t alive = 0;

	(void)state;
	fill(db, june1(5, 0), june1(6, 0));
	damage(db, 8192, 12288);
	assert_int_equal(backup_open_store(db, june1(9, 0), false, &s, notice, sizeof(notice), err,
					   sizeof(err)), 0);
	assert_string_equal(notice, "The database was damaged and is kept aside; there was no "
			    "backup, so the station starts empty.");
	store_last_alive(s, &alive);
	assert_int_equal(alive, june1(9, 0));	/* only the alarm */
	store_close(s);
	assert_int_equal(count_files(dir, "station.db.damaged"), 1);
}

/* The backup put in the damaged database's place is under its name on
 * the card before the station starts on it: a card that cannot flush the
 * folder is said, and the station does not start on what a power cut
 * could take back. The next start finds the restored database with the
 * alarm already in it: the farmer learns that the data went back. */
static void a_restore_the_card_cannot_keep_is_refused(void **state)
{
	struct store *s;
	char notice[256], err[512], want[1600];
	int64_t alive = 0;
	int alarms = 0;

	(void)state;
	fill(db, june1(5, 0), june1(6, 0));
	backup(june1(6, 0), 2);
	fill(db, june1(6, 1), june1(7, 0));
	damage(db, 8192, 12288);
	folder_syncs = 0;
	failing_folder_sync = 1;
	assert_int_equal(backup_open_store(db, june1(9, 0), false, &s, notice, sizeof(notice), err,
					   sizeof(err)), STORE_ERR);
	failing_folder_sync = 0;
	assert_int_equal(folder_syncs, 1);
	assert_null(s);
	snprintf(want, sizeof(want), "%s is damaged and kept aside as %s.damaged-20260601-090000;"
		 " its newest backup could not be written in its place (Input/output error):"
		 " check the memory card.", db, db);
	assert_string_equal(err, want);
	assert_int_equal(backup_open_store(db, june1(9, 1), false, &s, notice, sizeof(notice), err,
					   sizeof(err)), 0);
	assert_string_equal(notice, "");
	assert_int_equal(store_alarms_open(s, &alarms), 0);
	assert_int_equal(alarms, 1);
	/* The backup's events end at 06:00; the alarm was written at 09:00. */
	store_last_alive(s, &alive);
	assert_int_equal(alive, june1(9, 0));
	store_close(s);
	snprintf(want, sizeof(want), "SELECT count(*) FROM events WHERE kind = 'database_restored'"
		 " AND detail = '%s.damaged-20260601-090000'", db);
	assert_int_equal(sql_int(db, want), 1);
	assert_int_equal(sql_int(db, "SELECT max(t) FROM events WHERE kind = 'test'"), june1(6, 0));
}

/* A stop between setting the damaged database aside and its restore
 * (a power cut, a kill) leaves no database, only the one set aside and
 * the backups: the next start restores the newest backup, with the
 * alarm naming the file set aside, instead of starting empty. What an
 * earlier try left half copied is no obstacle. */
static void a_restore_cut_short_is_done_at_the_next_start(void **state)
{
	struct store *s;
	char notice[256], err[512], aside[800], sql[1200];
	int alarms = 0;

	(void)state;
	fill(db, june1(5, 0), june1(6, 0));
	backup(june1(6, 0), 2);
	fill(db, june1(6, 1), june1(7, 0));
	/* What set_aside() did before the stop, and a half-made copy. */
	snprintf(aside, sizeof(aside), "%s.damaged-20260601-080000", db);
	assert_int_equal(rename(db, aside), 0);
	exec_sql(path_in(dir, "station.db.restoring"), "CREATE TABLE half(x)");
	assert_int_equal(backup_open_store(db, june1(9, 0), false, &s, notice, sizeof(notice), err,
					   sizeof(err)), 0);
	assert_string_equal(notice, "The database was missing; restored from a backup, the data "
			    "now run to 01/06/2026 06:00.");
	assert_int_equal(store_alarms_open(s, &alarms), 0);
	assert_int_equal(alarms, 1);
	assert_int_equal(store_check(s, STORE_CHECK_ALL, err, sizeof(err)), 0);
	store_close(s);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM events WHERE kind = 'database_restored'"
		 " AND detail = '%s'", aside);
	assert_int_equal(sql_int(db, sql), 1);
	assert_int_equal(sql_int(db, "SELECT max(t) FROM events WHERE kind = 'test'"), june1(6, 0));
	assert_int_equal(count_files(dir, "station.db.restoring"), 0);
	/* The one set aside stays for whoever repairs it. */
	assert_int_equal(access(aside, F_OK), 0);
}

/* No database, and no backup of it that passes the check: the station
 * starts empty, and says so, with the alarm an auditor looks for. */
static void a_missing_database_without_a_sound_backup_is_said(void **state)
{
	struct store *s;
	char notice[256], err[512], aside[800];
	int alarms = 0;

	(void)state;
	fill(db, june1(5, 0), june1(6, 0));
	backup(june1(6, 0), 2);
	snprintf(aside, sizeof(aside), "%s/station-2026-06-01-0600.db", backups);
	damage(aside, 0, 100);
	snprintf(aside, sizeof(aside), "%s.damaged-20260601-080000", db);
	assert_int_equal(rename(db, aside), 0);
	assert_int_equal(backup_open_store(db, june1(9, 0), false, &s, notice, sizeof(notice), err,
					   sizeof(err)), 0);
	assert_string_equal(notice, "The database was missing and no backup of it is sound; the "
			    "station starts empty.");
	assert_int_equal(store_alarms_open(s, &alarms), 0);
	assert_int_equal(alarms, 1);
	store_close(s);
	assert_int_equal(sql_int(db, "SELECT count(*) FROM events WHERE kind = 'test'"), 0);
}

/* A database taken away long after an earlier restore: the alarm does
 * not name the file that restore set aside, older than the backups. */
static void a_database_taken_away_names_no_old_file(void **state)
{
	struct store *s;
	char notice[256], err[512], old[800], sql[1200];

	(void)state;
	fill(db, june1(5, 0), june1(6, 0));
	snprintf(old, sizeof(old), "%s.damaged-20260501-080000", db);
	exec_sql(old, "CREATE TABLE t(x)");
	backup(june1(6, 0), 2);
	assert_int_equal(unlink(db), 0);
	unlink(path_in(dir, "station.db-wal"));
	assert_int_equal(backup_open_store(db, june1(9, 0), false, &s, notice, sizeof(notice), err,
					   sizeof(err)), 0);
	assert_non_null(strstr(notice, "The database was missing; restored from a backup"));
	store_close(s);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM events WHERE kind = 'database_restored'"
		 " AND detail = '%s'", db);
	assert_int_equal(sql_int(db, sql), 1);
}

/* A first start has no database and no backup: an empty station, and
 * not a word about a restore. */
static void a_first_start_makes_an_empty_station(void **state)
{
	struct store *s;
	char notice[256] = "x", err[512];
	int alarms = -1;

	(void)state;
	assert_int_equal(backup_open_store(db, june1(9, 0), false, &s, notice, sizeof(notice), err,
					   sizeof(err)), 0);
	assert_string_equal(notice, "");
	assert_int_equal(store_alarms_open(s, &alarms), 0);
	assert_int_equal(alarms, 0);
	store_close(s);
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

/* A backup keeps the manager PIN's hash, and is the station's alone: the
 * backup 0600 in a folder 0750, the database and what SQLite keeps beside
 * it 0640, whatever the umask, and one made before under looser modes is
 * brought to them. */
static void backups_keep_the_pin_and_are_the_stations_alone(void **state)
{
	struct store *s;
	char err[512], path[800], hash[256];
	mode_t old = umask(022);

	(void)state;
	fill(db, june1(5, 0), june1(6, 0));
	assert_int_equal(store_open(db, 0, &s, err, sizeof(err)), 0);
	assert_int_equal(pin_set(s, "1357", err, sizeof(err)), PIN_OK);
	assert_int_equal(store_meta_get(s, "manager_pin", hash, sizeof(hash)), 0);
	assert_int_equal(backup_now(s, db, june1(6, 0), 2, NULL, 0, err, sizeof(err)), 0);
	assert_int_equal(mode_of(db), 0640);
	snprintf(path, sizeof(path), "%s-wal", db);
	assert_int_equal(mode_of(path), 0640);
	snprintf(path, sizeof(path), "%s-shm", db);
	assert_int_equal(mode_of(path), 0640);
	store_close(s);
	snprintf(path, sizeof(path), "%s/station-2026-06-01-0600.db", backups);
	assert_int_equal(mode_of(path), 0600);
	assert_int_equal(mode_of(backups), 0750);
	{
		char cmd[1200];

		snprintf(cmd, sizeof(cmd), "grep -c -F '%s' '%s' >/dev/null", hash, path);
		assert_int_equal(system(cmd), 0);
	}
	/* Made before, open to all: brought to the station's modes. */
	assert_int_equal(chmod(db, 0644), 0);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(chmod(backups, 0755), 0);
	backup(june1(7, 0), 2);
	assert_int_equal(mode_of(db), 0640);
	assert_int_equal(mode_of(path), 0600);
	assert_int_equal(mode_of(backups), 0750);
	umask(old);
}

/* Backups never follow a link: a link among them is not a backup (not
 * restored from, not removed, and what it points at untouched), and a
 * backups folder that is a link is not written into. */
static void backups_follow_no_link(void **state)
{
	struct store *s;
	char err[512], path[800], elsewhere[800], link[800], notes[800];

	(void)state;
	fill(db, june1(5, 0), june1(6, 0));
	backup(june1(6, 0), 1);
	snprintf(notes, sizeof(notes), "%s/notes.db", dir);
	test_write(dir, "notes.db", "someone's file");
	snprintf(link, sizeof(link), "%s/station-2026-05-01-0600.db", backups);
	assert_int_equal(symlink(notes, link), 0);
	backup(june1(7, 0), 1);
	/* Rotation removed the older real backup, left the link, and the
	 * file it points at is whole. */
	snprintf(path, sizeof(path), "%s/station-2026-06-01-0600.db", backups);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(count_files(backups, "station-"), 2);
	assert_int_equal(access(notes, F_OK), 0);
	assert_int_equal(backup_newest(db), june1(7, 0));

	/* The folder itself a link: no backup is written through it. */
	snprintf(elsewhere, sizeof(elsewhere), "%s/elsewhere", dir);
	assert_int_equal(mkdir(elsewhere, 0755), 0);
	snprintf(path, sizeof(path), "rm -rf '%s'", backups);
	assert_int_equal(system(path), 0);
	assert_int_equal(symlink(elsewhere, backups), 0);
	assert_int_equal(store_open(db, 0, &s, err, sizeof(err)), 0);
	assert_int_equal(backup_now(s, db, june1(8, 0), 2, NULL, 0, err, sizeof(err)), -1);
	store_close(s);
	assert_non_null(strstr(err, "Too many levels of symbolic links"));
	assert_int_equal(count_files(elsewhere, ""), 0);
	assert_int_equal(backup_newest(db), 0);
}

/* "N of M pages written": N, and M into *of. */
static long long pages_written(const char *said, long long *of)
{
	long long n = -1;

	assert_int_equal(sscanf(said, "%lld of %lld pages written", &n, of), 2);
	return n;
}

static void backup_saying(time_t now, int keep, char *said, size_t n)
{
	struct store *s;
	char err[512];

	assert_int_equal(store_open(db, 0, &s, err, sizeof(err)), 0);
	if (backup_now(s, db, now, keep, said, n, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	store_close(s);
}

/* Years of data are not written again every week: with two backups kept,
 * the next is the older brought up to date, only the pages that changed
 * written; and it is whole, every row there. */
static void a_backup_writes_only_what_changed(void **state)
{
	char said[64], path[800], err[512];
	long long of = 0, n;
	struct store *s;

	(void)state;
	fill(db, june1(0, 0) - 2 * 86400, june1(6, 0));
	backup_saying(june1(6, 0), 2, said, sizeof(said));
	n = pages_written(said, &of);
	assert_true(of > 100);
	assert_int_equal(n, of);	/* the first is whole */
	backup_saying(june1(7, 0), 2, said, sizeof(said));
	n = pages_written(said, &of);
	assert_int_equal(n, of);	/* the second too */
	fill(db, june1(6, 1), june1(6, 10));
	backup_saying(june1(8, 0), 2, said, sizeof(said));
	n = pages_written(said, &of);
	if (n * 10 > of)
		fail_msg("%s", said);
	assert_int_equal(count_files(backups, "station-"), 2);
	snprintf(path, sizeof(path), "%s/station-2026-06-01-0600.db", backups);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/station-2026-06-01-0800.db", backups);
	assert_int_equal(store_open(path, STORE_RDONLY, &s, err, sizeof(err)), 0);
	assert_int_equal(store_check(s, STORE_CHECK_ALL, err, sizeof(err)), 0);
	store_close(s);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM events"),
			 sql_int(db, "SELECT count(*) FROM events"));
	assert_int_equal(count_files(backups, ".station-unfinished"), 0);
}

/* A power cut while a backup is brought up to date leaves it unfinished,
 * half old and half new, never taken for a backup; the next starts from
 * it, and is whole. */
static void a_backup_cut_short_is_finished_next_time(void **state)
{
	char said[64], from[800], to[800], err[512];
	long long of = 0;
	struct store *s;

	(void)state;
	fill(db, june1(0, 0), june1(6, 0));
	backup_saying(june1(6, 0), 2, said, sizeof(said));
	backup_saying(june1(7, 0), 2, said, sizeof(said));
	fill(db, june1(6, 1), june1(6, 30));
	/* The older, renamed as the backup does, then cut mid-way: pages of
	 * it garbled as a half-written file would have them. */
	snprintf(from, sizeof(from), "%s/station-2026-06-01-0600.db", backups);
	snprintf(to, sizeof(to), "%s/.station-unfinished.db", backups);
	assert_int_equal(rename(from, to), 0);
	damage(to, 8192, 8192);
	assert_int_equal(backup_newest(db), june1(7, 0));
	backup_saying(june1(8, 0), 2, said, sizeof(said));
	assert_true(pages_written(said, &of) < of);
	snprintf(to, sizeof(to), "%s/station-2026-06-01-0800.db", backups);
	assert_int_equal(store_open(to, STORE_RDONLY, &s, err, sizeof(err)), 0);
	assert_int_equal(store_check(s, STORE_CHECK_ALL, err, sizeof(err)), 0);
	store_close(s);
	assert_int_equal(sql_int(to, "SELECT count(*) FROM events"),
			 sql_int(db, "SELECT count(*) FROM events"));
	assert_int_equal(count_files(backups, "station-"), 2);
}

/* What a cut leaves may be anything: the unfinished file with its first
 * page garbled (no database header), or with the header of the
 * station's database in write-ahead-log mode (the copy's first page
 * written, its mode not yet set). The next backup is whole either way. */
static void an_unfinished_backup_of_any_shape_is_no_obstacle(void **state)
{
	char said[64], to[800], from[800], err[512];
	long long of = 0;
	struct store *s;

	(void)state;
	fill(db, june1(0, 0), june1(6, 0));
	backup_saying(june1(6, 0), 2, said, sizeof(said));
	backup_saying(june1(7, 0), 2, said, sizeof(said));
	snprintf(from, sizeof(from), "%s/station-2026-06-01-0600.db", backups);
	snprintf(to, sizeof(to), "%s/.station-unfinished.db", backups);
	assert_int_equal(rename(from, to), 0);
	damage(to, 0, 4096);
	fill(db, june1(6, 1), june1(6, 30));
	backup_saying(june1(8, 0), 2, said, sizeof(said));
	if (pages_written(said, &of) != of)
		fail_msg("%s", said);
	snprintf(to, sizeof(to), "%s/station-2026-06-01-0800.db", backups);
	assert_int_equal(store_open(to, STORE_RDONLY, &s, err, sizeof(err)), 0);
	assert_int_equal(store_check(s, STORE_CHECK_ALL, err, sizeof(err)), 0);
	store_close(s);
	assert_int_equal(sql_int(to, "SELECT count(*) FROM events"),
			 sql_int(db, "SELECT count(*) FROM events"));

	/* Its header says write-ahead log, as the station's does. */
	snprintf(from, sizeof(from), "%s/station-2026-06-01-0700.db", backups);
	snprintf(to, sizeof(to), "%s/.station-unfinished.db", backups);
	assert_int_equal(rename(from, to), 0);
	{
		int fd = open(to, O_WRONLY);
		unsigned char two[2] = { 2, 2 };

		assert_true(fd >= 0);
		assert_int_equal(pwrite(fd, two, 2, 18), 2);
		close(fd);
	}
	fill(db, june1(8, 1), june1(8, 30));
	backup_saying(june1(9, 0), 2, said, sizeof(said));
	assert_true(pages_written(said, &of) < of);
	snprintf(to, sizeof(to), "%s/station-2026-06-01-0900.db", backups);
	assert_int_equal(store_open(to, STORE_RDONLY, &s, err, sizeof(err)), 0);
	assert_int_equal(store_check(s, STORE_CHECK_ALL, err, sizeof(err)), 0);
	store_close(s);
	assert_int_equal(sql_int(to, "SELECT count(*) FROM events"),
			 sql_int(db, "SELECT count(*) FROM events"));
	assert_int_equal(count_files(backups, "station-"), 2);
	assert_int_equal(count_files(backups, ".station-unfinished"), 0);
	assert_int_equal(count_files(backups, ".station-unfinished.db-"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(backups_are_named_for_their_time_and_rotated, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_backup_writes_only_what_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(a_backup_cut_short_is_finished_next_time, setup,
						teardown),
		cmocka_unit_test_setup_teardown(an_unfinished_backup_of_any_shape_is_no_obstacle,
						setup, teardown),
		cmocka_unit_test_setup_teardown(a_sound_database_opens_without_a_word, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_damaged_database_starts_again_from_its_newest_good_backup,
						setup, teardown),
		cmocka_unit_test_setup_teardown(what_is_no_database_any_more_is_damaged_too, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_stranger_without_backups_is_refused_and_left_alone,
						setup, teardown),
		cmocka_unit_test_setup_teardown(damage_in_the_readings_is_found_by_the_whole_check,
						setup, teardown),
		cmocka_unit_test_setup_teardown(without_a_backup_the_station_starts_empty, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_restore_cut_short_is_done_at_the_next_start, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_missing_database_without_a_sound_backup_is_said,
						setup, teardown),
		cmocka_unit_test_setup_teardown(a_database_taken_away_names_no_old_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_first_start_makes_an_empty_station, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_restore_the_card_cannot_keep_is_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(backups_keep_the_pin_and_are_the_stations_alone,
						setup, teardown),
		cmocka_unit_test_setup_teardown(backups_follow_no_link, setup, teardown),
	};

	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	tzset();
	text_init("en");
	return cmocka_run_group_tests_name("backup", tests, NULL, NULL);
}
