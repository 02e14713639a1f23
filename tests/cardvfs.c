/* A memory card for the tests, as SQLite sees it: a VFS over the
 * system's that can lose power and can fail. Never in the station's
 * binary: the crash and failing-card tests preload it
 * (LD_PRELOAD=build/tests/libcardvfs.so, CARDVFS_CONTROL set), and a test
 * program may link it (cardvfs.h). Either way it becomes SQLite's default
 * VFS, so the station's own code runs over it unchanged.
 *
 * A power cut. Every write to a named file goes through at once, but
 * what it overwrote is kept, 512-byte sector by sector, until the file
 * is synced (by SQLite, or by fsync()/fdatasync() on any descriptor of
 * it, which this library also sees). At the cut each file's unsynced
 * sectors are put back as they were at its last sync, or kept: all lost,
 * all kept (what kill -9 leaves), or torn, each 512-byte or 4096-byte
 * sector kept or lost at random; a file that grew or shrank since its
 * sync ends where its surviving sectors say. Then the process stops with
 * SIGKILL: no atexit handler, no relay driven off, as when the power
 * goes. A cut falls at the Nth write, sync or truncation from the moment
 * it is asked for, of any file or of one whose path matches; a cut at a
 * sync falls before the sync is done.
 *
 * A failing card. From the Nth read, write, sync or truncation on the
 * card (the file system of the first database opened), that kind of call
 * fails as the kernel would fail it: EIO (SQLITE_IOERR_*), ENOSPC on a
 * write (SQLITE_FULL), or EROFS, a read-only remount, after which every
 * write, sync and truncation fails, files open read-only and statvfs()
 * says ST_RDONLY; a full card's statvfs() says no room is left. "once"
 * fails one call only. It lasts until "heal". sqlite3_system_errno()
 * gives the error's errno.
 *
 * Commands, one a line: in $CARDVFS (';' between them) at start, and in
 * the file $CARDVFS_CONTROL, read and removed at the next call on a file
 * by the process that loaded this library first (not the programs it
 * starts, which run over the card but take no commands from the file)
 * (write it under another name and rename it there):
 *   cut N [MATCH]          the cut at the Nth write, sync or truncation
 *   cut-within N [MATCH]   at one of the next N, picked at random
 *                          MATCH: part of the path; a final $ anchors it
 *   uncut                  no cut after all; the log says how many
 *                          calls matched since the cut was asked for
 *   tear all|none|512|4096|random   what the cut does to unsynced sectors
 *                          (random, the default, picks one per cut)
 *   fail read|write|sync|truncate EIO|ENOSPC|EROFS N [once]
 *   heal                   the card works again
 *   seed N                 the random choices (else $CARDVFS_SEED, else
 *                          the time); the log says which
 *   note TEXT              TEXT into the log
 * $CARDVFS_LOG names a file where each command, cut and fault is told,
 * with the count of writes, syncs and truncations at that moment. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "cardvfs.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#define SECTOR 512

enum op { OP_READ = 1, OP_WRITE = 2, OP_SYNC = 4, OP_TRUNCATE = 8 };
enum tear { TEAR_RANDOM, TEAR_ALL, TEAR_NONE, TEAR_512, TEAR_4096 };
static const char *const tear_names[] = { "random", "all", "none", "512", "4096" };

/* What a sector held at its file's last sync. */
struct before {
	sqlite3_int64 sector;
	unsigned char old[SECTOR];
};

/* A file on which writes were made, by inode: SQLite may open one twice,
 * and fsync() comes by descriptor. */
struct track {
	dev_t dev;
	ino_t ino;
	int id;
	char *path;
	int users;		/* its open sqlite3_files */
	int fd;			/* ours, once closed with unsynced writes; -1 */
	bool dirty;		/* written since its last sync */
	sqlite3_int64 synced_size;
	unsigned char *have;	/* a bit per sector: its before is kept */
	size_t have_bytes;
	struct before *before;
	int n_before, cap_before;
	struct track *next;
};

struct card_file {
	sqlite3_file base;
	struct track *track;	/* NULL: not followed (a temporary file) */
	sqlite3_file *real;	/* in the same allocation, just after */
};

static struct {
	sqlite3_vfs vfs;
	sqlite3_vfs *real;
	struct track *tracks;
	int next_id;
	const char *control;
	int log_fd;
	uint64_t rng;
	long long ops;		/* writes, syncs, truncations on named files */
	/* The cut: at the cut_at-th matching op from when it was asked. */
	long long cut_at, cut_seen;
	char match[256];
	enum tear tear;
	/* The card and what fails on it. */
	bool card_known;
	dev_t card;
	int fail_err;		/* 0: the card works */
	int fail_trigger;	/* the kind of call counted */
	long long fail_left;	/* calls of that kind still to go through */
	bool fail_once;
	int failing;		/* kinds failing now */
	long long failed;
	int last_errno;
} cv = { .log_fd = -1 };

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	if (cv.log_fd < 0)
		return;
	n = snprintf(line, sizeof(line), "op %lld: ", cv.ops);
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(cv.log_fd, line, (size_t)n) < 0)
		return;
}

static uint64_t next_random(void)
{
	/* splitmix64 */
	uint64_t z = (cv.rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t mix(uint64_t a, uint64_t b)
{
	uint64_t z = a ^ (b * 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 33)) * 0xff51afd7ed558ccdULL;
	z = (z ^ (z >> 33)) * 0xc4ceb9fe1a85ec53ULL;
	return z ^ (z >> 33);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static bool matches(const struct track *t)
{
	size_t n = strlen(cv.match), len;

	if (!n)
		return true;
	if (cv.match[n - 1] != '$')
		return strstr(t->path, cv.match) != NULL;
	len = strlen(t->path);
	return len >= n - 1 && memcmp(t->path + len - (n - 1), cv.match, n - 1) == 0;
}

static struct track *track_of(dev_t dev, ino_t ino)
{
	for (struct track *t = cv.tracks; t; t = t->next)
		if (t->dev == dev && t->ino == ino)
			return t;
	return NULL;
}

static void forget(struct track *t)
{
	free(t->before);
	free(t->have);
	t->before = NULL;
	t->have = NULL;
	t->n_before = t->cap_before = 0;
	t->have_bytes = 0;
	t->dirty = false;
}

static void track_free(struct track *t)
{
	struct track **p;

	for (p = &cv.tracks; *p && *p != t; p = &(*p)->next)
		;
	if (*p)
		*p = t->next;
	forget(t);
	if (t->fd >= 0)
		close(t->fd);
	free(t->path);
	free(t);
}

/* Files closed with unsynced writes whose name is gone: no cut can
 * matter to them any more. */
static void sweep(void)
{
	struct track *t = cv.tracks, *next;
	struct stat st;

	for (; t; t = next) {
		next = t->next;
		if (!t->users && (!t->dirty || (t->fd >= 0 && fstat(t->fd, &st) == 0 &&
						st.st_nlink == 0)))
			track_free(t);
	}
}

/* The file is on the card: what was written is, whatever comes. */
static void synced(struct track *t)
{
	forget(t);
	if (!t->users)
		track_free(t);
}

static bool on_card(const struct track *t)
{
	return cv.card_known && t->dev == cv.card;
}

/* What the cut leaves of one file. */
static void cut_file(struct track *t, enum tear tear, uint64_t salt, int *kept, int *lost)
{
	int fd = t->fd >= 0 ? t->fd : open(t->path, O_RDWR | O_CLOEXEC);
	sqlite3_int64 size, length;
	struct stat st;

	*kept = *lost = 0;
	if (fd < 0 || fstat(fd, &st) < 0)
		return;
	size = st.st_size;
	length = size < t->synced_size ? size : t->synced_size;
	/* Where the file ends: its last sector left whole, old or new. */
	for (int i = 0; i < t->n_before; i++) {
		struct before *b = &t->before[i];
		sqlite3_int64 at = b->sector * SECTOR, group = b->sector;
		bool keep;

		if (tear == TEAR_4096)
			group = b->sector / (4096 / SECTOR);
		keep = tear == TEAR_NONE ? true
		       : tear == TEAR_ALL ? false
		       : (mix(salt + (uint64_t)t->id, (uint64_t)group) & 1);
		/* The sector's place in the list is its fate: mark it. */
		b->sector = keep ? b->sector : -1 - b->sector;
		if (keep) {
			(*kept)++;
			if (size > at && (size < at + SECTOR ? size : at + SECTOR) > length)
				length = size < at + SECTOR ? size : at + SECTOR;
		} else {
			sqlite3_int64 end = t->synced_size < at + SECTOR ? t->synced_size : at + SECTOR;

			(*lost)++;
			if (end > at && end > length)
				length = end;
		}
	}
	if (ftruncate(fd, length) < 0)
		return;
	for (int i = 0; i < t->n_before; i++) {
		struct before *b = &t->before[i];
		sqlite3_int64 sector = -1 - b->sector, at = sector * SECTOR, end;

		if (b->sector >= 0)
			continue;
		end = t->synced_size < at + SECTOR ? t->synced_size : at + SECTOR;
		if (end > at && pwrite(fd, b->old, (size_t)(end - at), at) < 0)
			return;
	}
}

/* The power goes. */
static void cut(const struct track *at, const char *what)
{
	enum tear tear = cv.tear;
	uint64_t salt = next_random();
	char files[768] = "";
	size_t used = 0;

	if (tear == TEAR_RANDOM)
		tear = (enum tear)(TEAR_ALL + next_random() % 4);
	for (struct track *t = cv.tracks; t; t = t->next) {
		int kept, lost;

		if (!t->dirty)
			continue;
		cut_file(t, tear, salt, &kept, &lost);
		if (used < sizeof(files))
			used += (size_t)snprintf(files + used, sizeof(files) - used,
						 " %s:%d/%d", base_name(t->path), kept,
						 kept + lost);
	}
	say("cut at a %s of %s, tear %s; unsynced sectors kept/all:%s", what,
	    base_name(at->path), tear_names[tear], used ? files : " none");
	raise(SIGKILL);
	_exit(137);
}

/* Counts a write, sync or truncation; the cut, if it is this one. */
static void count(const struct track *t, const char *what)
{
	cv.ops++;
	if (!cv.cut_at || !matches(t))
		return;
	if (++cv.cut_seen == cv.cut_at)
		cut(t, what);
}

static void set_fault(int err, int trigger, long long n, bool once)
{
	cv.fail_err = err;
	cv.fail_trigger = trigger;
	cv.fail_left = n;
	cv.fail_once = once;
	cv.failing = 0;
	cv.failed = 0;
}

/* Is this call on the card to fail? */
static bool fails(const struct track *t, int op)
{
	if (!cv.fail_err || !t || !on_card(t))
		return false;
	if (!cv.failing) {
		if (!(op & cv.fail_trigger) || --cv.fail_left > 0)
			return false;
		cv.failing = cv.fail_trigger;
		if (cv.fail_err == EROFS)
			cv.failing |= OP_WRITE | OP_SYNC | OP_TRUNCATE;
		say("the card fails: %s on %s", strerror(cv.fail_err), base_name(t->path));
	}
	if (!(op & cv.failing))
		return false;
	cv.failed++;
	cv.last_errno = cv.fail_err;
	errno = cv.fail_err;
	if (cv.fail_once) {
		cv.fail_err = 0;
		cv.failing = 0;
	}
	return true;
}

static int fail_rc(int op)
{
	switch (op) {
	case OP_READ:
		return SQLITE_IOERR_READ;
	case OP_WRITE:
		return cv.last_errno == ENOSPC ? SQLITE_FULL : SQLITE_IOERR_WRITE;
	case OP_SYNC:
		return SQLITE_IOERR_FSYNC;
	default:
		return SQLITE_IOERR_TRUNCATE;
	}
}

static int parse_kind(const char *s)
{
	static const struct {
		const char *name;
		int op;
	} kinds[] = { { "read", OP_READ }, { "write", OP_WRITE }, { "sync", OP_SYNC },
		      { "truncate", OP_TRUNCATE } };

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(s, kinds[i].name) == 0)
			return kinds[i].op;
	return 0;
}

static int parse_errno(const char *s)
{
	return strcmp(s, "EIO") == 0 ? EIO : strcmp(s, "ENOSPC") == 0 ? ENOSPC
	       : strcmp(s, "EROFS") == 0 ? EROFS : 0;
}

int cardvfs_command(const char *line)
{
	char word[32] = "", a[256] = "", b[32] = "", c[32] = "", d[32] = "";
	long long n;
	int kind, err;

	if (sscanf(line, "%31s", word) != 1)
		return 0;
	if (strcmp(word, "note") == 0) {
		const char *text = strstr(line, "note") + 4;

		say("note %s", text + strspn(text, " \t"));
		return 0;
	}
	sscanf(line, "%31s %255s %31s %31s %31s", word, a, b, c, d);
	if ((strcmp(word, "cut") == 0 || strcmp(word, "cut-within") == 0) &&
	    sscanf(a, "%lld", &n) == 1 && n > 0) {
		cv.cut_at = word[3] ? 1 + (long long)(next_random() % (uint64_t)n) : n;
		cv.cut_seen = 0;
		snprintf(cv.match, sizeof(cv.match), "%s", b);
		say("cut armed: at the %lld%s write, sync or truncation%s%s", cv.cut_at,
		    word[3] ? " (picked)" : "", b[0] ? " of " : "", b);
		return 0;
	}
	if (strcmp(word, "uncut") == 0) {
		say("no cut (%lld matching calls since armed)", cv.cut_at ? cv.cut_seen : 0);
		cv.cut_at = 0;
		return 0;
	}
	if (strcmp(word, "tear") == 0) {
		for (int i = 0; i < (int)(sizeof(tear_names) / sizeof(tear_names[0])); i++)
			if (strcmp(a, tear_names[i]) == 0) {
				cv.tear = (enum tear)i;
				say("tear %s", a);
				return 0;
			}
		return -1;
	}
	if (strcmp(word, "fail") == 0 && (kind = parse_kind(a)) && (err = parse_errno(b)) &&
	    sscanf(c, "%lld", &n) == 1 && n > 0 && (!d[0] || strcmp(d, "once") == 0)) {
		set_fault(err, kind, n, d[0] != '\0');
		say("fail %s %s at the %lld%s", a, b, n, d[0] ? ", once" : ", until healed");
		return 0;
	}
	if (strcmp(word, "heal") == 0) {
		say("the card works again (%lld calls failed)", cv.failed);
		set_fault(0, 0, 0, false);
		return 0;
	}
	if (strcmp(word, "seed") == 0 && sscanf(a, "%lld", &n) == 1) {
		cv.rng = (uint64_t)n;
		say("seed %lld", n);
		return 0;
	}
	say("not a command: %s", line);
	return -1;
}

/* Commands in a string, ';' or newline between them. */
static void commands(char *text)
{
	for (char *save = NULL, *line = strtok_r(text, ";\n", &save); line;
	     line = strtok_r(NULL, ";\n", &save))
		cardvfs_command(line);
}

static void control(void)
{
	char text[4096];
	ssize_t n;
	int fd;

	if (!cv.control)
		return;
	fd = open(cv.control, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	unlink(cv.control);
	if (n <= 0)
		return;
	text[n] = '\0';
	commands(text);
}

long long cardvfs_ops(void)
{
	return cv.ops;
}

/* Keeps what the sectors of [off, off + amt) held at the last sync. */
static int remember(struct card_file *cf, sqlite3_int64 off, sqlite3_int64 amt)
{
	struct track *t = cf->track;
	sqlite3_int64 first = off / SECTOR, last = (off + amt - 1) / SECTOR;

	if (amt <= 0)
		return SQLITE_OK;
	if (!t->dirty) {
		int rc = cf->real->pMethods->xFileSize(cf->real, &t->synced_size);

		if (rc != SQLITE_OK)
			return rc;
		t->dirty = true;
	}
	for (sqlite3_int64 s = first; s <= last; s++) {
		size_t byte = (size_t)(s / 8);
		struct before *b;
		int rc;

		if (byte >= t->have_bytes) {
			size_t grown = (byte + 1) * 2;
			unsigned char *have = realloc(t->have, grown);

			if (!have)
				return SQLITE_NOMEM;
			memset(have + t->have_bytes, 0, grown - t->have_bytes);
			t->have = have;
			t->have_bytes = grown;
		}
		if (t->have[byte] & (1u << (s % 8)))
			continue;
		if (t->n_before == t->cap_before) {
			int cap = t->cap_before ? t->cap_before * 2 : 64;
			struct before *more = realloc(t->before, (size_t)cap * sizeof(*more));

			if (!more)
				return SQLITE_NOMEM;
			t->before = more;
			t->cap_before = cap;
		}
		b = &t->before[t->n_before];
		b->sector = s;
		rc = cf->real->pMethods->xRead(cf->real, b->old, SECTOR, s * SECTOR);
		if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ)
			return rc;
		t->n_before++;
		t->have[byte] |= (unsigned char)(1u << (s % 8));
	}
	return SQLITE_OK;
}

static sqlite3_file *real_of(sqlite3_file *f)
{
	return ((struct card_file *)f)->real;
}

static int card_close(sqlite3_file *f)
{
	struct card_file *cf = (struct card_file *)f;
	struct track *t = cf->track;
	int rc = cf->real->pMethods->xClose(cf->real);

	if (t && --t->users == 0) {
		/* Unsynced writes outlive the file's closing, as in the
		 * kernel's cache: the cut still reaches them, by our own
		 * descriptor, whatever the file's name becomes. */
		if (t->dirty)
			t->fd = open(t->path, O_RDWR | O_CLOEXEC);
		if (!t->dirty || t->fd < 0)
			track_free(t);
	}
	sweep();
	return rc;
}

static int card_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
	struct card_file *cf = (struct card_file *)f;

	control();
	if (fails(cf->track, OP_READ))
		return fail_rc(OP_READ);
	return cf->real->pMethods->xRead(cf->real, buf, amt, off);
}

static int card_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
	struct card_file *cf = (struct card_file *)f;
	int rc;

	control();
	if (!cf->track)
		return cf->real->pMethods->xWrite(cf->real, buf, amt, off);
	if (fails(cf->track, OP_WRITE))
		return fail_rc(OP_WRITE);
	rc = remember(cf, off, amt);
	if (rc == SQLITE_OK)
		rc = cf->real->pMethods->xWrite(cf->real, buf, amt, off);
	count(cf->track, "write");
	return rc;
}

static int card_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	struct card_file *cf = (struct card_file *)f;
	sqlite3_int64 now = 0;
	int rc;

	control();
	if (!cf->track)
		return cf->real->pMethods->xTruncate(cf->real, size);
	if (fails(cf->track, OP_TRUNCATE))
		return fail_rc(OP_TRUNCATE);
	rc = cf->real->pMethods->xFileSize(cf->real, &now);
	if (rc == SQLITE_OK && now > size)
		rc = remember(cf, size, now - size);
	if (rc == SQLITE_OK)
		rc = cf->real->pMethods->xTruncate(cf->real, size);
	count(cf->track, "truncation");
	return rc;
}

static int card_sync(sqlite3_file *f, int flags)
{
	struct card_file *cf = (struct card_file *)f;
	int rc;

	control();
	if (!cf->track)
		return cf->real->pMethods->xSync(cf->real, flags);
	if (fails(cf->track, OP_SYNC))
		return fail_rc(OP_SYNC);
	count(cf->track, "sync");
	rc = cf->real->pMethods->xSync(cf->real, flags);
	if (rc == SQLITE_OK)
		forget(cf->track);
	return rc;
}

static int card_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return real_of(f)->pMethods->xFileSize(real_of(f), size);
}

static int card_lock(sqlite3_file *f, int lock)
{
	return real_of(f)->pMethods->xLock(real_of(f), lock);
}

static int card_unlock(sqlite3_file *f, int lock)
{
	return real_of(f)->pMethods->xUnlock(real_of(f), lock);
}

static int card_check_reserved(sqlite3_file *f, int *out)
{
	return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}

static int card_file_control(sqlite3_file *f, int op, void *arg)
{
	return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}

static int card_sector_size(sqlite3_file *f)
{
	return real_of(f)->pMethods->xSectorSize(real_of(f));
}

/* The system's: a cut never touches a byte that was not written since
 * the last sync, so SQLite's "power-safe overwrite" holds here too. */
static int card_device(sqlite3_file *f)
{
	return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}

static int card_shm_map(sqlite3_file *f, int pg, int size, int extend, void volatile **out)
{
	return real_of(f)->pMethods->xShmMap(real_of(f), pg, size, extend, out);
}

static int card_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return real_of(f)->pMethods->xShmLock(real_of(f), off, n, flags);
}

static void card_shm_barrier(sqlite3_file *f)
{
	real_of(f)->pMethods->xShmBarrier(real_of(f));
}

static int card_shm_unmap(sqlite3_file *f, int del)
{
	return real_of(f)->pMethods->xShmUnmap(real_of(f), del);
}

static int card_fetch(sqlite3_file *f, sqlite3_int64 off, int amt, void **out)
{
	return real_of(f)->pMethods->xFetch(real_of(f), off, amt, out);
}

static int card_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return real_of(f)->pMethods->xUnfetch(real_of(f), off, p);
}

static const sqlite3_io_methods card_io = {
	.iVersion = 3,
	.xClose = card_close,
	.xRead = card_read,
	.xWrite = card_write,
	.xTruncate = card_truncate,
	.xSync = card_sync,
	.xFileSize = card_file_size,
	.xLock = card_lock,
	.xUnlock = card_unlock,
	.xCheckReservedLock = card_check_reserved,
	.xFileControl = card_file_control,
	.xSectorSize = card_sector_size,
	.xDeviceCharacteristics = card_device,
	.xShmMap = card_shm_map,
	.xShmLock = card_shm_lock,
	.xShmBarrier = card_shm_barrier,
	.xShmUnmap = card_shm_unmap,
	.xFetch = card_fetch,
	.xUnfetch = card_unfetch,
};

/* Is the file (or, for a new one, its folder) on the card? */
static bool path_on_card(const char *name)
{
	char folder[4096];
	struct stat st;
	char *slash;

	if (!cv.card_known)
		return false;
	if (stat(name, &st) == 0)
		return st.st_dev == cv.card;
	snprintf(folder, sizeof(folder), "%s", name);
	slash = strrchr(folder, '/');
	if (slash)
		*slash = '\0';
	return stat(slash ? folder : ".", &st) == 0 && st.st_dev == cv.card;
}

static int card_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
		     int *out_flags)
{
	struct card_file *cf = (struct card_file *)f;
	struct stat st;
	int rc;

	(void)vfs;
	control();
	cf->track = NULL;
	cf->real = (sqlite3_file *)(cf + 1);
	/* A card remounted read-only: what is there opens read-only, as the
	 * system's VFS does when it may not write; nothing new is made. */
	if (name && (cv.failing & OP_WRITE) && cv.fail_err == EROFS &&
	    (flags & SQLITE_OPEN_READWRITE) && path_on_card(name)) {
		if (access(name, F_OK) < 0) {
			cv.last_errno = errno = EROFS;
			f->pMethods = NULL;
			return SQLITE_CANTOPEN;
		}
		flags = (flags & ~(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) |
			SQLITE_OPEN_READONLY;
	}
	rc = cv.real->xOpen(cv.real, name, cf->real, flags, out_flags);
	/* Only a file whose methods can all be passed on is wrapped. */
	if (cf->real->pMethods && cf->real->pMethods->iVersion < 3) {
		cf->real->pMethods->xClose(cf->real);
		f->pMethods = NULL;
		return SQLITE_CANTOPEN;
	}
	f->pMethods = cf->real->pMethods ? &card_io : NULL;
	if (rc != SQLITE_OK || !name || (flags & SQLITE_OPEN_DELETEONCLOSE) ||
	    stat(name, &st) < 0)
		return rc;
	if (!cv.card_known && (flags & SQLITE_OPEN_MAIN_DB)) {
		cv.card = st.st_dev;
		cv.card_known = true;
	}
	cf->track = track_of(st.st_dev, st.st_ino);
	if (!cf->track) {
		struct track *t = calloc(1, sizeof(*t));

		if (!t || !(t->path = strdup(name))) {
			free(t);
			return rc;	/* followed no further: a test's own failure */
		}
		t->dev = st.st_dev;
		t->ino = st.st_ino;
		t->id = ++cv.next_id;
		t->fd = -1;
		t->next = cv.tracks;
		cv.tracks = t;
		cf->track = t;
	} else if (cf->track->fd >= 0) {
		close(cf->track->fd);
		cf->track->fd = -1;
	}
	cf->track->users++;
	return rc;
}

static int card_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	struct track *t = NULL;
	struct stat st;

	(void)vfs;
	control();
	if (stat(name, &st) == 0)
		t = track_of(st.st_dev, st.st_ino);
	if ((cv.failing & OP_WRITE) && cv.fail_err == EROFS && path_on_card(name)) {
		cv.last_errno = errno = EROFS;
		return SQLITE_IOERR_DELETE;
	}
	if (t && !t->users)
		track_free(t);
	return cv.real->xDelete(cv.real, name, sync_dir);
}

static int card_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return cv.real->xAccess(cv.real, name, flags, out);
}

static int card_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return cv.real->xFullPathname(cv.real, name, n, out);
}

static int card_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return cv.real->xRandomness(cv.real, n, out);
}

static int card_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return cv.real->xSleep(cv.real, us);
}

static int card_current_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return cv.real->xCurrentTime(cv.real, out);
}

/* A failure of ours has its errno, as the system's VFS keeps it. */
static int card_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	if (cv.last_errno) {
		int e = cv.last_errno;

		cv.last_errno = 0;
		return e;
	}
	return cv.real->xGetLastError(cv.real, n, out);
}

static int card_current_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return cv.real->xCurrentTimeInt64(cv.real, out);
}

/* fsync() and fdatasync() on any descriptor of a followed file sync it:
 * the backup syncs its copy by itself. On a failing card they fail. */
static void synced_fd(int fd)
{
	struct stat st;
	struct track *t;

	if (fstat(fd, &st) == 0 && (t = track_of(st.st_dev, st.st_ino)))
		synced(t);
}

static bool sync_fails(int fd)
{
	struct stat st;

	if (!cv.fail_err || !(cv.failing & OP_SYNC) || !cv.card_known || fstat(fd, &st) < 0 ||
	    st.st_dev != cv.card)
		return false;
	cv.failed++;
	errno = cv.fail_err;
	return true;
}

int fsync(int fd)
{
	static int (*real)(int);
	int rc;

	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	if (sync_fails(fd))
		return -1;
	rc = real(fd);
	if (rc == 0)
		synced_fd(fd);
	return rc;
}

int fdatasync(int fd)
{
	static int (*real)(int);
	int rc;

	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	if (sync_fails(fd))
		return -1;
	rc = real(fd);
	if (rc == 0)
		synced_fd(fd);
	return rc;
}

#ifdef CARDVFS_PRELOAD
/* A card remounted read-only, or full, says so as the kernel's would (the
 * preload only: built without _FILE_OFFSET_BITS, where statvfs and
 * statvfs64 are two functions). */
#define CARD_SAYS(buf)                                                              \
	do {                                                                        \
		if (cv.failing & OP_WRITE && cv.fail_err == EROFS)                  \
			(buf)->f_flag |= ST_RDONLY;                                 \
		if (cv.failing & OP_WRITE && cv.fail_err == ENOSPC)                 \
			(buf)->f_bavail = (buf)->f_bfree = 0;                       \
	} while (0)

int statvfs(const char *path, struct statvfs *buf)
{
	static int (*real)(const char *, struct statvfs *);
	int rc;

	if (!real)
		real = (int (*)(const char *, struct statvfs *))dlsym(RTLD_NEXT, "statvfs");
	rc = real(path, buf);
	if (rc == 0 && path_on_card(path))
		CARD_SAYS(buf);
	return rc;
}

int statvfs64(const char *path, struct statvfs64 *buf)
{
	static int (*real)(const char *, struct statvfs64 *);
	int rc;

	if (!real)
		real = (int (*)(const char *, struct statvfs64 *))dlsym(RTLD_NEXT, "statvfs64");
	rc = real(path, buf);
	if (rc == 0 && path_on_card(path))
		CARD_SAYS(buf);
	return rc;
}
#endif

long long cardvfs_failed(void)
{
	return cv.failed;
}

int cardvfs_install(void)
{
	const char *log, *seed, *owner;
	char *start, pid[16];

	if (cv.real)
		return 0;
	cv.real = sqlite3_vfs_find(NULL);
	if (!cv.real)
		return -1;
	cv.vfs = (sqlite3_vfs){
		.iVersion = 2,
		.szOsFile = (int)sizeof(struct card_file) + cv.real->szOsFile,
		.mxPathname = cv.real->mxPathname,
		.zName = "fieldstation-test-card",
		.xOpen = card_open,
		.xDelete = card_delete,
		.xAccess = card_access,
		.xFullPathname = card_full_pathname,
		.xRandomness = card_randomness,
		.xSleep = card_sleep,
		.xCurrentTime = card_current_time,
		.xGetLastError = card_last_error,
		.xCurrentTimeInt64 = card_current_time64,
	};
	log = getenv("CARDVFS_LOG");
	if (log)
		cv.log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	seed = getenv("CARDVFS_SEED");
	cv.rng = seed ? strtoull(seed, NULL, 10) : (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	say("card in process %d, seed %llu", (int)getpid(), (unsigned long long)cv.rng);
	/* The control file is the process under test's: a program it
	 * starts (the check of the whole database) runs over the card too,
	 * but must not take the commands meant for it. */
	owner = getenv("CARDVFS_OWNER");
	if (!owner || atoi(owner) == getpid()) {
		snprintf(pid, sizeof(pid), "%d", (int)getpid());
		setenv("CARDVFS_OWNER", pid, 1);
		cv.control = getenv("CARDVFS_CONTROL");
	}
	if (sqlite3_vfs_register(&cv.vfs, 1) != SQLITE_OK)
		return -1;
	if (getenv("CARDVFS") && (start = strdup(getenv("CARDVFS")))) {
		commands(start);
		free(start);
	}
	return 0;
}

/* A cut asked for that never came: how far the process got. */
__attribute__((destructor)) static void ended(void)
{
	if (cv.cut_at)
		say("no cut (%lld matching calls since armed) by the end", cv.cut_seen);
}

/* As a preload: the card is there before main() opens anything. */
__attribute__((constructor)) static void preloaded(void)
{
	if (getenv("CARDVFS_CONTROL") || getenv("CARDVFS"))
		cardvfs_install();
}
