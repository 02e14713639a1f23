/* A copy of the database written as the pages that differ from an earlier
 * copy (its base): what an export writes to a stick that already holds
 * this station's earlier whole copy, so that a second export writes what
 * changed since, not the whole database again. The base and the delta
 * together make the whole copy again, page for page, at the office.
 *
 * The file: a header of STORE_DELTA_HEADER bytes ("FSDELTA1", then, each
 * big-endian, the page size (4 bytes), the whole copy's size (8), the
 * base's size (8) and the number of pages that follow (4), the rest
 * zero), then each page that differs from the base: its number (4 bytes,
 * big-endian, from 0) and its bytes; every page of the whole copy past
 * the base has one, and a page has one at most (one past the whole copy's
 * end, cut off after it was written, is left out). Nothing in it is
 * trusted when it is read: every number is checked against the file's
 * size and the copy's. */
#ifndef FS_STORE_DELTA_H
#define FS_STORE_DELTA_H

#include "sha256.h"

#include <stddef.h>
#include <stdint.h>

#define STORE_DELTA_HEADER 64

/* Writing: the pages SQLite writes into a copy made over the base, kept
 * in the delta file when they differ from it (src/store_blank.c calls
 * these for the copy's database file). */
struct store_delta;

/* delta_fd: the new file, empty, written at its own offsets (the caller
 * keeps it open); base_fd: the base, read only. NULL when out of memory. */
struct store_delta *store_delta_new(int delta_fd, int base_fd, int64_t base_bytes, int page_size);
/* The copy as it stands: 0, 1 when short of amt (the rest zeroed), or
 * -errno. */
int store_delta_read(struct store_delta *d, void *buf, int amt, int64_t off);
/* 0 or -errno; writes only whole pages. */
int store_delta_write(struct store_delta *d, const void *buf, int amt, int64_t off);
/* 0 or -errno. */
int store_delta_truncate(struct store_delta *d, int64_t size);
int64_t store_delta_size(const struct store_delta *d);
/* The header, once SQLite is done: 0 or -errno. */
int store_delta_finish(struct store_delta *d);
/* Pages kept in the delta, and pages left out for being in the base. */
void store_delta_counts(const struct store_delta *d, long long *kept, long long *same);
void store_delta_free(struct store_delta *d);

/* Reading: the whole copy again, from the base and the delta, a few pages
 * at a time, with the checksums of the base and of the whole. */
struct store_delta_walk;

/* Checks the delta's header against its size and against whole_bytes and
 * base_bytes (what the manifest says), and reads its page numbers. 0, or
 * -1 with one sentence in err (naming the file as name). */
int store_delta_walk_open(int delta_fd, int64_t delta_bytes, int base_fd, int64_t base_bytes,
			  int64_t whole_bytes, const char *name, struct store_delta_walk **out,
			  char *err, size_t errlen);
/* Up to pages pages of the whole copy: read, hashed, and written to out_fd
 * at their offsets when out_fd >= 0. 1 more to come, 0 done (the
 * checksums in base_sha and whole_sha), -errno. */
int store_delta_walk_step(struct store_delta_walk *w, int pages, int out_fd,
			  uint8_t base_sha[SHA256_BYTES], uint8_t whole_sha[SHA256_BYTES]);
/* 0-1000: how far the walk is. */
int store_delta_walk_permille(const struct store_delta_walk *w);
void store_delta_walk_free(struct store_delta_walk *w);

#endif
