/* A copy of the database as the pages that differ from an earlier copy
 * (src/store_delta.h): written page by page as SQLite writes the copy,
 * read back into the whole copy at the office. */
#include "store_delta.h"

#include "text.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char MAGIC[8] = "FSDELTA1";

#define MIN_PAGE 512
#define MAX_PAGE 65536

static void put_be(uint8_t *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* The whole of n bytes at off, or -errno; 1 when the file ends first. */
static int read_at(int fd, void *buf, size_t n, int64_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, (char *)buf + got, n - got, off + (int64_t)got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return 1;
		got += (size_t)r;
	}
	return 0;
}

static int write_at(int fd, const void *buf, size_t n, int64_t off)
{
	size_t put = 0;

	while (put < n) {
		ssize_t r = pwrite(fd, (const char *)buf + put, n - put, off + (int64_t)put);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO;
		put += (size_t)r;
	}
	return 0;
}

/* Writing. */

struct store_delta {
	int fd, base_fd;
	int64_t base_bytes, size, end;	/* the copy's size; the delta file's */
	int64_t live;		/* the base's bytes the copy still holds (a truncate ends them) */
	int page;
	int64_t *at;		/* each page's place in the delta file, 0: the base's */
	int64_t n_at;
	uint32_t kept;
	long long same;
	uint8_t *scratch;	/* a page */
};

struct store_delta *store_delta_new(int delta_fd, int base_fd, int64_t base_bytes, int page_size)
{
	struct store_delta *d;

	if (page_size < MIN_PAGE || page_size > MAX_PAGE || (page_size & (page_size - 1)) ||
	    base_bytes % page_size)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->scratch = malloc((size_t)page_size);
	if (!d->scratch) {
		free(d);
		return NULL;
	}
	d->fd = delta_fd;
	d->base_fd = base_fd;
	d->base_bytes = d->size = d->live = base_bytes;
	d->page = page_size;
	d->end = STORE_DELTA_HEADER;
	return d;
}

/* Page p as the copy holds it now, into buf (a page): 0 or -errno. */
static int page_now(struct store_delta *d, int64_t p, uint8_t *buf)
{
	int64_t off = p * d->page;
	int rc = 0;

	if (p < d->n_at && d->at[p])
		rc = read_at(d->fd, buf, (size_t)d->page, d->at[p] + 4);
	else if (off < d->live)
		rc = read_at(d->base_fd, buf, (size_t)d->page, off);
	else
		memset(buf, 0, (size_t)d->page);
	/* The base ends short of what it was when chosen: changed since. */
	return rc > 0 ? -EIO : rc;
}

int store_delta_read(struct store_delta *d, void *buf, int amt, int64_t off)
{
	int64_t end = off + amt;
	int short_read = 0;

	for (int64_t at = off; at < end;) {
		int64_t p = at / d->page, in = at % d->page;
		int64_t n = d->page - in < end - at ? d->page - in : end - at;
		int rc;

		if (at >= d->size) {
			memset((char *)buf + (at - off), 0, (size_t)(end - at));
			short_read = 1;
			break;
		}
		rc = page_now(d, p, d->scratch);
		if (rc < 0)
			return rc;
		memcpy((char *)buf + (at - off), d->scratch + in, (size_t)n);
		at += n;
	}
	return short_read;
}

/* A record for page p, which has none yet. */
static int append_page(struct store_delta *d, int64_t p, const void *buf)
{
	uint8_t head[4];
	int rc;

	if (p >= d->n_at) {
		int64_t n = d->n_at ? d->n_at : 1024;
		int64_t *grown;

		while (n <= p)
			n *= 2;
		grown = realloc(d->at, (size_t)n * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		memset(grown + d->n_at, 0, (size_t)(n - d->n_at) * sizeof(*grown));
		d->at = grown;
		d->n_at = n;
	}
	put_be(head, (uint64_t)p, 4);
	rc = write_at(d->fd, head, sizeof(head), d->end);
	if (rc == 0)
		rc = write_at(d->fd, buf, (size_t)d->page, d->end + 4);
	if (rc < 0)
		return rc;
	d->at[p] = d->end;
	d->end += 4 + d->page;
	d->kept++;
	return 0;
}

int store_delta_write(struct store_delta *d, const void *buf, int amt, int64_t off)
{
	int64_t p = off / d->page;
	int rc;

	if (amt != d->page || off % d->page || p > UINT32_MAX)
		return -EINVAL;
	if (off + amt > d->size)
		d->size = off + amt;
	if (p < d->n_at && d->at[p])
		return write_at(d->fd, buf, (size_t)amt, d->at[p] + 4);
	if (off < d->live) {
		rc = read_at(d->base_fd, d->scratch, (size_t)amt, off);
		if (rc < 0)
			return rc;
		if (rc == 0 && memcmp(d->scratch, buf, (size_t)amt) == 0) {
			d->same++;
			return 0;
		}
	}
	return append_page(d, p, buf);
}

int store_delta_truncate(struct store_delta *d, int64_t size)
{
	int64_t keep = (size + d->page - 1) / d->page;

	d->size = size;
	if (size < d->live)
		d->live = keep * d->page < d->live ? keep * d->page : d->live;
	/* A page cut off holds zeros if the copy grows again; its record
	 * stays (one per page), and is left out of a copy that ends before. */
	memset(d->scratch, 0, (size_t)d->page);
	for (int64_t p = keep; p < d->n_at; p++)
		if (d->at[p]) {
			int rc = write_at(d->fd, d->scratch, (size_t)d->page, d->at[p] + 4);

			if (rc < 0)
				return rc;
		}
	return 0;
}

int64_t store_delta_size(const struct store_delta *d)
{
	return d->size;
}

int store_delta_finish(struct store_delta *d)
{
	uint8_t head[STORE_DELTA_HEADER] = { 0 };

	/* Every page past what is left of the base has its record, even one
	 * SQLite never wrote (the page at 1 GiB that it keeps for its locks):
	 * the reader takes the base's bytes for any page without one. */
	memset(d->scratch, 0, (size_t)d->page);
	for (int64_t p = d->live / d->page; p < d->size / d->page; p++)
		if (p >= d->n_at || !d->at[p]) {
			int rc = append_page(d, p, d->scratch);

			if (rc < 0)
				return rc;
		}

	memcpy(head, MAGIC, sizeof(MAGIC));
	put_be(head + 8, (uint64_t)d->page, 4);
	put_be(head + 12, (uint64_t)d->size, 8);
	put_be(head + 20, (uint64_t)d->base_bytes, 8);
	put_be(head + 28, d->kept, 4);
	return write_at(d->fd, head, sizeof(head), 0);
}

void store_delta_counts(const struct store_delta *d, long long *kept, long long *same)
{
	*kept = d ? d->kept : 0;
	*same = d ? d->same : 0;
}

void store_delta_free(struct store_delta *d)
{
	if (!d)
		return;
	free(d->at);
	free(d->scratch);
	free(d);
}

/* Reading. */

struct store_delta_walk {
	int delta_fd, base_fd, page;
	int64_t base_pages, whole_pages, next;
	int64_t last;		/* pages to walk: the base's or the whole's, the more */
	uint32_t *at;		/* per page of the whole: its record + 1, 0: the base's */
	struct sha256 base_sha, whole_sha;
	uint8_t *buf;
};

static int walk_refuse(char *err, size_t errlen, const char *name)
{
	snprintf(err, errlen, _("%s is not a copy of the changes this program can read"), name);
	return -1;
}

int store_delta_walk_open(int delta_fd, int64_t delta_bytes, int base_fd, int64_t base_bytes,
			  int64_t whole_bytes, const char *name, struct store_delta_walk **out,
			  char *err, size_t errlen)
{
	uint8_t head[STORE_DELTA_HEADER], num[4];
	struct store_delta_walk *w;
	uint64_t page, n;

	*out = NULL;
	if (delta_bytes < STORE_DELTA_HEADER || read_at(delta_fd, head, sizeof(head), 0) != 0 ||
	    memcmp(head, MAGIC, sizeof(MAGIC)) != 0)
		return walk_refuse(err, errlen, name);
	page = get_be(head + 8, 4);
	n = get_be(head + 28, 4);
	if (page < MIN_PAGE || page > MAX_PAGE || (page & (page - 1)) ||
	    get_be(head + 12, 8) != (uint64_t)whole_bytes ||
	    get_be(head + 20, 8) != (uint64_t)base_bytes || whole_bytes % (int64_t)page ||
	    base_bytes % (int64_t)page || whole_bytes <= 0 ||
	    (uint64_t)(delta_bytes - STORE_DELTA_HEADER) != n * (4 + page))
		return walk_refuse(err, errlen, name);
	w = calloc(1, sizeof(*w));
	if (w) {
		w->page = (int)page;
		w->whole_pages = whole_bytes / w->page;
		w->base_pages = base_bytes / w->page;
		w->last = w->base_pages > w->whole_pages ? w->base_pages : w->whole_pages;
		w->at = calloc((size_t)w->whole_pages, sizeof(*w->at));
		w->buf = malloc(page);
	}
	if (!w || !w->at || !w->buf) {
		store_delta_walk_free(w);
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	w->delta_fd = delta_fd;
	w->base_fd = base_fd;
	/* Each page of the whole once at most; a later one would be a
	 * second answer to what the page holds. */
	for (uint32_t i = 0; i < n; i++) {
		uint64_t p;

		if (read_at(delta_fd, num, sizeof(num),
			    STORE_DELTA_HEADER + (int64_t)i * (int64_t)(4 + page)) != 0) {
			store_delta_walk_free(w);
			return walk_refuse(err, errlen, name);
		}
		/* A page the copy was cut short of before it ended. */
		if ((p = get_be(num, 4)) >= (uint64_t)w->whole_pages)
			continue;
		if (w->at[p]) {
			store_delta_walk_free(w);
			return walk_refuse(err, errlen, name);
		}
		w->at[p] = i + 1;
	}
	/* A page past the base must be in the delta. */
	for (int64_t p = w->base_pages; p < w->whole_pages; p++)
		if (!w->at[p]) {
			store_delta_walk_free(w);
			return walk_refuse(err, errlen, name);
		}
	sha256_init(&w->base_sha);
	sha256_init(&w->whole_sha);
	*out = w;
	return 0;
}

int store_delta_walk_step(struct store_delta_walk *w, int pages, int out_fd,
			  uint8_t base_sha[SHA256_BYTES], uint8_t whole_sha[SHA256_BYTES])
{
	for (; pages > 0 && w->next < w->last; pages--, w->next++) {
		int64_t p = w->next;
		bool from_base = p < w->whole_pages && !w->at[p];
		int rc;

		/* Every page of the base is read, for its checksum. */
		if (p < w->base_pages) {
			rc = read_at(w->base_fd, w->buf, (size_t)w->page, p * w->page);
			if (rc != 0)
				return rc < 0 ? rc : -EIO;
			sha256_update(&w->base_sha, w->buf, (size_t)w->page);
		}
		if (p >= w->whole_pages)
			continue;
		if (!from_base) {
			rc = read_at(w->delta_fd, w->buf, (size_t)w->page,
				     STORE_DELTA_HEADER + (int64_t)(w->at[p] - 1) * (4 + w->page) + 4);
			if (rc != 0)
				return rc < 0 ? rc : -EIO;
		}
		sha256_update(&w->whole_sha, w->buf, (size_t)w->page);
		if (out_fd >= 0 && (rc = write_at(out_fd, w->buf, (size_t)w->page, p * w->page)) < 0)
			return rc;
	}
	if (w->next < w->last)
		return 1;
	if (out_fd >= 0 && ftruncate(out_fd, w->whole_pages * w->page) < 0)
		return -errno;
	sha256_final(&w->base_sha, base_sha);
	sha256_final(&w->whole_sha, whole_sha);
	return 0;
}

int store_delta_walk_permille(const struct store_delta_walk *w)
{
	return w->last ? (int)(w->next * 1000 / w->last) : 1000;
}

void store_delta_walk_free(struct store_delta_walk *w)
{
	if (!w)
		return;
	free(w->at);
	free(w->buf);
	free(w);
}
