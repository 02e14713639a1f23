/* libFuzzer target: a copy written as the pages that changed since an
 * earlier copy (sao-luu.delta), as a stick may bring it to the office,
 * damaged or made up. Reading it over its base must never crash, hang or
 * write outside the whole copy's size: once its header is taken, the walk
 * ends, the copy it writes has the size the header gave, and the checksum
 * it gives is that copy's. The base is four pages of 512 bytes. */
#include "sha256.h"
#include "store_delta.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PAGE 512
#define BASE_PAGES 4
/* Larger copies are refused before this reader is reached (the office's
 * MERGE_MAX_FOLDER_BYTES); here they would only make the runs slow. */
#define MAX_WHOLE (1 << 20)

/* The whole copy's size the header gives, when it is one to try. */
static int64_t whole_of(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v > 0 && v <= MAX_WHOLE ? (int64_t)v : 512;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t base_sha[SHA256_BYTES], whole_sha[SHA256_BYTES], sha[SHA256_BYTES], page[PAGE];
	struct store_delta_walk *w = NULL;
	int base = memfd_create("base", 0), delta = memfd_create("delta", 0);
	int out = memfd_create("out", 0), rc;
	int64_t whole = size >= 20 ? whole_of(data + 12) : PAGE;
	char why[256];
	struct sha256 s;
	struct stat st;

	if (base < 0 || delta < 0 || out < 0)
		abort();
	for (int i = 0; i < BASE_PAGES; i++) {
		memset(page, 'a' + i, sizeof(page));
		if (write(base, page, sizeof(page)) != (ssize_t)sizeof(page))
			abort();
	}
	if (size && write(delta, data, size) != (ssize_t)size)
		abort();
	if (store_delta_walk_open(delta, (int64_t)size, base, BASE_PAGES * PAGE, whole, "d", &w,
				  why, sizeof(why)) == 0) {
		while ((rc = store_delta_walk_step(w, 3, out, base_sha, whole_sha)) == 1)
			;
		if (rc != 0 || fstat(out, &st) != 0 || st.st_size != whole)
			__builtin_trap();
		/* The checksum is of what was written. */
		sha256_init(&s);
		for (int64_t at = 0; at < whole; at += PAGE) {
			if (pread(out, page, PAGE, at) != PAGE)
				__builtin_trap();
			sha256_update(&s, page, PAGE);
		}
		sha256_final(&s, sha);
		if (memcmp(sha, whole_sha, SHA256_BYTES) != 0)
			__builtin_trap();
		store_delta_walk_free(w);
	} else if (!why[0]) {
		__builtin_trap();
	}
	close(base);
	close(delta);
	close(out);
	return 0;
}
