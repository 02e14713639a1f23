/* The test card itself (tests/cardvfs.c): a cut keeps what was synced and
 * nothing else, torn where asked, also of a file closed unsynced; a
 * transaction SQLite confirmed in FULL mode survives every cut, one it
 * confirmed unsynced does not; a failing card fails the call asked with
 * the error asked, and works again when healed. The crash and
 * failing-card tests of the station are only as good as this. */
#include "testlib.h"

#include "cardvfs.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define SECTOR 512

static void command(const char *line)
{
	assert_int_equal(cardvfs_command(line), 0);
}

/* A file through the card, as SQLite's pager would use it. */
static sqlite3_file *card_open(const char *path)
{
	sqlite3_vfs *vfs = sqlite3_vfs_find(NULL);
	sqlite3_file *f = calloc(1, (size_t)vfs->szOsFile);
	int out = 0;

	assert_non_null(f);
	assert_string_equal(vfs->zName, "fieldstation-test-card");
	assert_int_equal(vfs->xOpen(vfs, path, f,
				    SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
				    &out),
			 SQLITE_OK);
	return f;
}

static void card_fill(sqlite3_file *f, char c, sqlite3_int64 from, int sectors)
{
	char buf[SECTOR];

	memset(buf, c, sizeof(buf));
	for (int i = 0; i < sectors; i++)
		assert_int_equal(f->pMethods->xWrite(f, buf, SECTOR, from + i * SECTOR), SQLITE_OK);
}

/* Runs fn in a child that must end by the card's cut. */
static void in_child_cut(void (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		if (cardvfs_install() < 0)
			_exit(3);
		fn(arg);
		_exit(4);	/* no cut came */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
}

/* What each sector of the file holds: 'A', 'B', 0, or '?' when mixed. */
static int sectors_of(const char *path, char *out, int max)
{
	char buf[SECTOR];
	int fd = open(path, O_RDONLY), n = 0;

	assert_true(fd >= 0);
	while (n < max && read(fd, buf, SECTOR) == SECTOR) {
		out[n] = buf[0];
		for (int i = 1; i < SECTOR; i++)
			if (buf[i] != buf[0])
				out[n] = '?';
		n++;
	}
	close(fd);
	out[n] = '\0';
	return n;
}

struct over {
	const char *path;
	const char *tear;
	int seed;
};

/* 16 sectors of A synced, then B written over them; the cut at the 16th
 * write. */
static void write_over(void *arg)
{
	const struct over *o = arg;
	sqlite3_file *f = card_open(o->path);
	char line[64];

	card_fill(f, 'A', 0, 16);
	assert_int_equal(f->pMethods->xSync(f, SQLITE_SYNC_NORMAL), SQLITE_OK);
	snprintf(line, sizeof(line), "seed %d", o->seed);
	command(line);
	snprintf(line, sizeof(line), "tear %s", o->tear);
	command(line);
	command("cut 16");
	card_fill(f, 'B', 0, 16);
}

static void a_cut_keeps_only_what_was_synced(void **state)
{
	char *dir = test_mkdir(), path[512], got[64];
	struct over o = { path, "all", 1 };
	bool torn512 = false, torn4096 = false;

	(void)state;
	snprintf(path, sizeof(path), "%s/card.db", dir);
	in_child_cut(write_over, &o);
	assert_int_equal(sectors_of(path, got, 63), 16);
	assert_string_equal(got, "AAAAAAAAAAAAAAAA");

	o.tear = "none";	/* what kill -9 leaves: the kernel had it all */
	in_child_cut(write_over, &o);
	assert_int_equal(sectors_of(path, got, 63), 16);
	assert_string_equal(got, "BBBBBBBBBBBBBBBB");

	for (o.seed = 1; o.seed <= 8; o.seed++) {
		o.tear = "512";
		in_child_cut(write_over, &o);
		assert_int_equal(sectors_of(path, got, 63), 16);
		/* Each sector whole, old or new. */
		assert_int_equal(strspn(got, "AB"), 16);
		torn512 |= strchr(got, 'A') && strchr(got, 'B');
		o.tear = "4096";
		in_child_cut(write_over, &o);
		assert_int_equal(sectors_of(path, got, 63), 16);
		assert_int_equal(strspn(got, "AB"), 16);
		/* Each 4 KiB whole: eight sectors alike. */
		for (int i = 0; i < 16; i += 8)
			for (int j = 1; j < 8; j++)
				assert_int_equal(got[i + j], got[i]);
		torn4096 |= got[0] != got[8];
	}
	assert_true(torn512);
	assert_true(torn4096);
	test_rmdir(dir);
}

/* 8 sectors of A synced; then B appended, and the file cut to 4. */
static void grow_and_shrink(void *arg)
{
	const struct over *o = arg;
	sqlite3_file *f = card_open(o->path);
	char line[64];

	card_fill(f, 'A', 0, 8);
	assert_int_equal(f->pMethods->xSync(f, SQLITE_SYNC_NORMAL), SQLITE_OK);
	card_fill(f, 'B', 8 * SECTOR, 8);
	snprintf(line, sizeof(line), "tear %s", o->tear);
	command(line);
	command("cut 1");
	f->pMethods->xTruncate(f, 4 * SECTOR);
}

static void a_cut_undoes_growing_and_truncating(void **state)
{
	char *dir = test_mkdir(), path[512], got[64];
	struct over o = { path, "all", 1 };

	(void)state;
	snprintf(path, sizeof(path), "%s/card.db", dir);
	in_child_cut(grow_and_shrink, &o);
	assert_int_equal(sectors_of(path, got, 63), 8);
	assert_string_equal(got, "AAAAAAAA");
	o.tear = "none";
	in_child_cut(grow_and_shrink, &o);
	assert_int_equal(sectors_of(path, got, 63), 4);
	assert_string_equal(got, "AAAA");
	test_rmdir(dir);
}

/* A backup's copy: written, closed, then synced by fsync() or not. */
static void closed_unsynced(void *arg)
{
	const struct over *o = arg;
	char other[600];
	sqlite3_file *f = card_open(o->path), *g;

	card_fill(f, 'A', 0, 4);
	assert_int_equal(f->pMethods->xSync(f, SQLITE_SYNC_NORMAL), SQLITE_OK);
	card_fill(f, 'B', 0, 4);
	assert_int_equal(f->pMethods->xClose(f), SQLITE_OK);
	free(f);
	if (o->seed) {
		int fd = open(o->path, O_RDONLY);

		assert_int_equal(fsync(fd), 0);
		close(fd);
	}
	command("tear all");
	command("cut 1");
	snprintf(other, sizeof(other), "%s.other", o->path);
	g = card_open(other);
	card_fill(g, 'C', 0, 1);
}

static void a_closed_file_keeps_what_fsync_synced(void **state)
{
	char *dir = test_mkdir(), path[512], got[64];
	struct over o = { path, "all", 0 };

	(void)state;
	snprintf(path, sizeof(path), "%s/copy.db", dir);
	in_child_cut(closed_unsynced, &o);
	sectors_of(path, got, 63);
	assert_string_equal(got, "AAAA");
	o.seed = 1;
	in_child_cut(closed_unsynced, &o);
	sectors_of(path, got, 63);
	assert_string_equal(got, "BBBB");
	test_rmdir(dir);
}

struct confirm {
	const char *path;
	const char *synchronous;
	int seed;
	int pipe;
};

/* Rows committed one by one; each one SQLite confirmed is told to the
 * parent, as the screen says "saved". */
static void commit_rows(void *arg)
{
	const struct confirm *c = arg;
	sqlite3 *db;
	char sql[128];

	assert_int_equal(sqlite3_open(c->path, &db), SQLITE_OK);
	snprintf(sql, sizeof(sql),
		 "PRAGMA journal_mode = WAL; PRAGMA synchronous = %s;"
		 " CREATE TABLE IF NOT EXISTS r(id INTEGER PRIMARY KEY, pad BLOB)",
		 c->synchronous);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	snprintf(sql, sizeof(sql), "seed %d", c->seed);
	command(sql);
	command("cut-within 60");
	for (int i = 1;; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO r VALUES (%d, randomblob(%d))",
			 c->seed * 1000 + i, 100 + (i * 997) % 3000);
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
		assert_int_equal(write(c->pipe, &i, sizeof(i)), (ssize_t)sizeof(i));
	}
}

/* After the cut: is the database whole, and which confirmed rows are
 * missing? */
static int missing_after(struct confirm *c)
{
	int fds[2], i, n = 0, missing = 0;
	sqlite3 *db;
	sqlite3_stmt *st;

	for (const char *const *tail = (const char *const[]){ "", "-wal", "-shm", NULL }; *tail;
	     tail++) {
		char p[600];

		snprintf(p, sizeof(p), "%s%s", c->path, *tail);
		unlink(p);
	}
	assert_int_equal(pipe(fds), 0);
	c->pipe = fds[1];
	in_child_cut(commit_rows, c);
	close(fds[1]);
	assert_int_equal(sqlite3_open_v2(c->path, &db, SQLITE_OPEN_READWRITE, "unix"), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM r WHERE id = ?", -1, &st,
					    NULL),
			 SQLITE_OK);
	while (read(fds[0], &i, sizeof(i)) == (ssize_t)sizeof(i)) {
		n++;
		sqlite3_bind_int(st, 1, c->seed * 1000 + i);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		missing += sqlite3_column_int(st, 0) == 0;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	close(fds[0]);
	return missing;
}

static void sqlite_full_keeps_every_confirmed_row(void **state)
{
	char *dir = test_mkdir(), path[512];
	struct confirm c = { path, "FULL", 0, -1 };
	int lost_unsynced = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/rows.db", dir);
	for (c.seed = 1; c.seed <= 12; c.seed++) {
		c.synchronous = "FULL";
		assert_int_equal(missing_after(&c), 0);
		/* The same cuts where SQLite does not sync: the card does lose
		 * what it was not made to keep, so the cuts above were real. */
		c.synchronous = "OFF";
		lost_unsynced += missing_after(&c);
	}
	assert_true(lost_unsynced > 0);
	test_rmdir(dir);
}

static sqlite3 *open_db(const char *path)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_extended_result_codes(db, 1);
	assert_int_equal(sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
					  " CREATE TABLE IF NOT EXISTS r(v)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	return db;
}

static int rows(sqlite3 *db)
{
	sqlite3_stmt *st;
	int n;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM r", -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void a_full_card_refuses_until_room_comes(void **state)
{
	char *dir = test_mkdir(), path[512];
	sqlite3 *db;

	(void)state;
	assert_int_equal(cardvfs_install(), 0);
	snprintf(path, sizeof(path), "%s/full.db", dir);
	db = open_db(path);
	command("fail write ENOSPC 2");
	/* The first write goes through; the commit's second does not. */
	assert_int_equal(sqlite3_exec(db, "INSERT INTO r VALUES (1)", NULL, NULL, NULL),
			 SQLITE_FULL);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO r VALUES (2)", NULL, NULL, NULL),
			 SQLITE_FULL);
	command("heal");
	assert_int_equal(sqlite3_exec(db, "INSERT INTO r VALUES (3)", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(rows(db), 1);
	sqlite3_close(db);
	test_rmdir(dir);
}

static void a_failing_card_fails_reads_and_syncs(void **state)
{
	char *dir = test_mkdir(), path[512];
	sqlite3 *db, *again;

	(void)state;
	assert_int_equal(cardvfs_install(), 0);
	snprintf(path, sizeof(path), "%s/eio.db", dir);
	db = open_db(path);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO r VALUES (1)", NULL, NULL, NULL), SQLITE_OK);
	/* A sync that fails once: that commit is refused, the next one
	 * goes. */
	command("fail sync EIO 1 once");
	assert_int_equal(sqlite3_exec(db, "INSERT INTO r VALUES (2)", NULL, NULL, NULL),
			 SQLITE_IOERR_FSYNC);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO r VALUES (3)", NULL, NULL, NULL), SQLITE_OK);
	/* Reads that fail until healed: a new connection reads nothing. */
	assert_int_equal(sqlite3_open(path, &again), SQLITE_OK);
	sqlite3_extended_result_codes(again, 1);
	command("fail read EIO 1");
	assert_int_equal(sqlite3_exec(again, "SELECT count(*) FROM r", NULL, NULL, NULL),
			 SQLITE_IOERR_READ);
	assert_int_equal(sqlite3_system_errno(again), EIO);
	command("heal");
	assert_int_equal(rows(again), 2);
	sqlite3_close(again);
	sqlite3_close(db);
	test_rmdir(dir);
}

static void a_read_only_card_writes_nothing_and_makes_nothing(void **state)
{
	char *dir = test_mkdir(), path[512], other[512];
	sqlite3 *db, *fresh;
	struct stat st;

	(void)state;
	assert_int_equal(cardvfs_install(), 0);
	snprintf(path, sizeof(path), "%s/ro.db", dir);
	snprintf(other, sizeof(other), "%s/new.db", dir);
	db = open_db(path);
	command("fail write EROFS 1");
	assert_int_equal(sqlite3_exec(db, "INSERT INTO r VALUES (1)", NULL, NULL, NULL),
			 SQLITE_IOERR_WRITE);
	/* Syncs fail too, whatever the first call was. */
	assert_int_equal(sqlite3_exec(db, "PRAGMA wal_checkpoint(FULL)", NULL, NULL, NULL) & 0xff,
			 SQLITE_IOERR);
	/* Nothing new is made on it; reading still works. */
	assert_int_equal(sqlite3_open(other, &fresh), SQLITE_CANTOPEN);
	sqlite3_close(fresh);
	assert_int_equal(stat(other, &st), -1);
	assert_int_equal(rows(db), 0);
	command("heal");
	assert_int_equal(sqlite3_exec(db, "INSERT INTO r VALUES (1)", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(rows(db), 1);
	sqlite3_close(db);
	test_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_cut_keeps_only_what_was_synced),
		cmocka_unit_test(a_cut_undoes_growing_and_truncating),
		cmocka_unit_test(a_closed_file_keeps_what_fsync_synced),
		cmocka_unit_test(sqlite_full_keeps_every_confirmed_row),
		cmocka_unit_test(a_full_card_refuses_until_room_comes),
		cmocka_unit_test(a_failing_card_fails_reads_and_syncs),
		cmocka_unit_test(a_read_only_card_writes_nothing_and_makes_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
