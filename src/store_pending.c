/* Readings on their way into the database, and the note that pumps are
 * running: a small file of its own beside the database (station.db.pending
 * for station.db), written a page at a time.
 *
 * A commit to the database in WAL mode writes at least 16 KB to the card
 * however little it changes (its WAL frame across two pages, and the
 * header and hash table of the WAL's index, -shm); a batch of readings
 * every ten minutes, and a note each minute a pump runs, cost more than
 * the data themselves. Here a batch is one page, and the note another,
 * rewritten in place; the database takes the readings in one commit
 * every three hours (store_readings.c).
 *
 * The file is made once, at its full size, so that writing it never
 * changes its size. Page 0 holds the note: the last moment the station
 * was known alive while a pump ran, and each running run's water so far
 * (its id and litres). From page 1 on, batches: each starts
 * a page with a header (a magic number, the file's generation, its number
 * in the generation, the base time and the length of the packed readings
 * that follow, and a checksum over all of it). When the database has
 * taken them, a new generation begins at page 1 again; what is beyond is
 * of an older generation and is never read as this one's. A batch cut
 * short by a power cut fails its checksum, and it and what follows are
 * not read. */
#include "store_internal.h"

#include "sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096
#define PAGES 64
#define HEADER 32
#define BATCH_MAGIC 0x42525346u	/* "FSRB" */
#define NOTE_MAGIC 0x4c415346u	/* "FSAL" */

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* The first eight bytes of the SHA-256 of a header's first 24 bytes and
 * what follows it. */
static void checksum(const uint8_t *header, const uint8_t *data, size_t n, uint8_t out[8])
{
	struct sha256 h;
	uint8_t digest[SHA256_BYTES];

	sha256_init(&h);
	sha256_update(&h, header, 24);
	sha256_update(&h, data, n);
	sha256_final(&h, digest);
	memcpy(out, digest, 8);
}

void pending_path(const char *db_path, char *buf, size_t n)
{
	snprintf(buf, n, "%s.pending", db_path);
}

/* The file, made at its full size the first time. */
static int pending_fd(struct store *s)
{
	char path[4200];
	struct stat st;
	int fd, rc;

	if (s->pending_fd >= 0)
		return s->pending_fd;
	pending_path(s->path, path, sizeof(path));
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if (st.st_size < PAGE * PAGES) {
		rc = posix_fallocate(fd, 0, PAGE * PAGES);
		if (rc == 0 && fsync(fd) < 0)
			rc = errno;
		if (rc) {
			close(fd);
			return -rc;
		}
	}
	s->pending_fd = fd;
	if (!s->pending_gen)
		pending_reset(s);
	return fd;
}

void pending_reset(struct store *s)
{
	uint32_t gen = 0;

	while (!gen)
		if (getrandom(&gen, sizeof(gen), 0) != sizeof(gen))
			gen = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16);
	s->pending_gen = gen;
	s->pending_seq = 0;
	s->pending_page = 1;
}

bool pending_room(const struct store *s, size_t n)
{
	return s->pending_page + (int)((HEADER + n + PAGE - 1) / PAGE) <= PAGES;
}

int pending_append(struct store *s, const uint8_t *data, size_t n, int64_t base)
{
	size_t pages = (HEADER + n + PAGE - 1) / PAGE;
	uint8_t *buf;
	int fd = pending_fd(s), rc = 0;

	if (fd < 0)
		return fd;
	if (!pending_room(s, n))
		return -ENOSPC;
	buf = calloc(pages, PAGE);
	if (!buf)
		return -ENOMEM;
	put32(buf, BATCH_MAGIC);
	put32(buf + 4, s->pending_gen);
	put32(buf + 8, s->pending_seq);
	put32(buf + 12, (uint32_t)n);
	put64(buf + 16, (uint64_t)base);
	memcpy(buf + HEADER, data, n);
	checksum(buf, data, n, buf + 24);
	if (pwrite(fd, buf, pages * PAGE, (off_t)s->pending_page * PAGE) != (ssize_t)(pages * PAGE) ||
	    fdatasync(fd) < 0)
		rc = -(errno ? errno : EIO);
	free(buf);
	if (rc == 0) {
		s->pending_page += (int)pages;
		s->pending_seq++;
	}
	return rc;
}

int pending_note_alive(struct store *s, int64_t t, const struct alive_run *runs, int n)
{
	uint8_t page[PAGE] = { 0 };
	int fd = pending_fd(s);

	if (fd < 0)
		return fd;
	if (n > STORE_ALIVE_RUNS)
		n = STORE_ALIVE_RUNS;
	put32(page, NOTE_MAGIC);
	put32(page + 12, (uint32_t)n);
	put64(page + 16, (uint64_t)t);
	for (int i = 0; i < n; i++) {
		uint64_t bits;

		memcpy(&bits, &runs[i].litres, 8);
		put64(page + HEADER + 16 * i, (uint64_t)runs[i].id);
		put64(page + HEADER + 16 * i + 8, bits);
	}
	checksum(page, page + HEADER, (size_t)n * 16, page + 24);
	if (pwrite(fd, page, PAGE, 0) != PAGE || fdatasync(fd) < 0)
		return -(errno ? errno : EIO);
	s->alive_note = t;
	memcpy(s->alive_runs, runs, (size_t)n * sizeof(*runs));
	s->n_alive_runs = n;
	return 0;
}

/* The note on page 0, if whole. */
static void read_note(struct store *s, const uint8_t *page)
{
	uint32_t n = get32(page + 12);
	uint8_t sum[8];

	if (get32(page) != NOTE_MAGIC || n > STORE_ALIVE_RUNS)
		return;
	checksum(page, page + HEADER, (size_t)n * 16, sum);
	if (memcmp(sum, page + 24, 8) != 0)
		return;
	s->alive_note = (int64_t)get64(page + 16);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t bits = get64(page + HEADER + 16 * i + 8);

		s->alive_runs[i].id = (int64_t)get64(page + HEADER + 16 * i);
		memcpy(&s->alive_runs[i].litres, &bits, 8);
	}
	s->n_alive_runs = (int)n;
}

int pending_forget(struct store *s)
{
	uint8_t page[PAGE] = { 0 };

	if (s->pending_fd < 0)
		return 0;
	pending_reset(s);
	if (pwrite(s->pending_fd, page, PAGE, PAGE) != PAGE || fdatasync(s->pending_fd) < 0)
		return -(errno ? errno : EIO);
	return 0;
}

int pending_read(struct store *s, pending_fn *fn, void *ctx)
{
	char path[4200];
	uint8_t *file = malloc(PAGE * PAGES), sum[8];
	int fd, n = 0, page;
	ssize_t got;
	uint32_t gen = 0;

	if (!file)
		return -ENOMEM;
	pending_path(s->path, path, sizeof(path));
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		free(file);
		return errno == ENOENT ? 0 : -errno;
	}
	got = pread(fd, file, PAGE * PAGES, 0);
	close(fd);
	if (got < PAGE) {
		free(file);
		return 0;
	}
	read_note(s, file);
	for (page = 1; (page + 1) * PAGE <= got;) {
		const uint8_t *h = file + (size_t)page * PAGE;
		uint32_t len = get32(h + 12);
		size_t pages = (HEADER + (size_t)len + PAGE - 1) / PAGE;

		if (get32(h) != BATCH_MAGIC || (n > 0 && get32(h + 4) != gen) ||
		    get32(h + 8) != (uint32_t)n || (size_t)page + pages > (size_t)got / PAGE)
			break;
		checksum(h, h + HEADER, len, sum);
		if (memcmp(sum, h + 24, 8) != 0)
			break;
		gen = get32(h + 4);
		if (fn(ctx, (int64_t)get64(h + 16), h + HEADER, len) < 0)
			break;
		n++;
		page += (int)pages;
	}
	free(file);
	return n;
}

void pending_close(struct store *s)
{
	if (s->pending_fd >= 0)
		close(s->pending_fd);
	s->pending_fd = -1;
}
