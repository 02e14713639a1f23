/* A copy written as the pages that differ from an earlier one: what the
 * writer keeps is exactly what differs, the copy reads as SQLite wrote it
 * at every moment (a truncate and a page never written included), the
 * reader rebuilds it byte for byte with both checksums, and a delta that
 * is not one the writer could have made is refused before any page of
 * it is used. */
#include "testlib.h"

#include "sha256.h"
#include "store_delta.h"
#include "text.h"

#include <sys/mman.h>

#define PAGE 512

static int memfd(const char *name)
{
	int fd = memfd_create(name, 0);

	assert_true(fd >= 0);
	return fd;
}

static void fill(uint8_t *page, int c)
{
	memset(page, c, PAGE);
}

/* A base of n pages, page i all 'A' + i. */
static int base_of(int n)
{
	int fd = memfd("base");
	uint8_t page[PAGE];

	for (int i = 0; i < n; i++) {
		fill(page, 'A' + i);
		assert_int_equal(pwrite(fd, page, PAGE, (off_t)i * PAGE), PAGE);
	}
	return fd;
}

static void sha_of(const uint8_t *bytes, size_t n, uint8_t out[SHA256_BYTES])
{
	struct sha256 s;

	sha256_init(&s);
	sha256_update(&s, bytes, n);
	sha256_final(&s, out);
}

/* Rebuilds the copy from base and delta; it must be want, of n pages. */
static void rebuilds_to(int base, int base_pages, int delta, const uint8_t *want, int n)
{
	uint8_t base_sha[SHA256_BYTES], whole_sha[SHA256_BYTES], sha[SHA256_BYTES];
	uint8_t *got = malloc((size_t)n * PAGE), *base_bytes = malloc((size_t)base_pages * PAGE);
	struct store_delta_walk *w;
	char why[256];
	off_t size = lseek(delta, 0, SEEK_END);
	int out = memfd("out"), rc;

	if (store_delta_walk_open(delta, size, base, (int64_t)base_pages * PAGE, (int64_t)n * PAGE,
				  "d", &w, why, sizeof(why)) < 0)
		fail_msg("%s", why);
	while ((rc = store_delta_walk_step(w, 2, out, base_sha, whole_sha)) == 1)
		;
	assert_int_equal(rc, 0);
	assert_int_equal(lseek(out, 0, SEEK_END), (off_t)n * PAGE);
	assert_int_equal(pread(out, got, (size_t)n * PAGE, 0), n * PAGE);
	assert_memory_equal(got, want, (size_t)n * PAGE);
	sha_of(want, (size_t)n * PAGE, sha);
	assert_memory_equal(whole_sha, sha, SHA256_BYTES);
	assert_int_equal(pread(base, base_bytes, (size_t)base_pages * PAGE, 0), base_pages * PAGE);
	sha_of(base_bytes, (size_t)base_pages * PAGE, sha);
	assert_memory_equal(base_sha, sha, SHA256_BYTES);
	store_delta_walk_free(w);
	close(out);
	free(got);
	free(base_bytes);
}

static void only_what_differs_is_kept(void **state)
{
	int base = base_of(6), delta = memfd("delta");
	struct store_delta *d = store_delta_new(delta, base, 6 * PAGE, PAGE);
	uint8_t want[8 * PAGE], page[PAGE];
	long long kept, same;

	(void)state;
	assert_non_null(d);
	/* The copy as SQLite writes it: pages 0-5 again, 2 and 4 changed,
	 * then two pages more. */
	for (int i = 0; i < 8; i++) {
		fill(page, i == 2 || i == 4 ? 'a' + i : 'A' + i);
		memcpy(want + i * PAGE, page, PAGE);
		assert_int_equal(store_delta_write(d, page, PAGE, (int64_t)i * PAGE), 0);
	}
	/* Page 4 written again: still one record. */
	fill(page, 'z');
	memcpy(want + 4 * PAGE, page, PAGE);
	assert_int_equal(store_delta_write(d, page, PAGE, 4 * PAGE), 0);
	assert_int_equal(store_delta_size(d), 8 * PAGE);
	/* It reads as written, across pages too. */
	assert_int_equal(store_delta_read(d, page, PAGE, 3 * PAGE + 100), 0);
	assert_memory_equal(page, want + 3 * PAGE + 100, PAGE);
	assert_int_equal(store_delta_read(d, page, PAGE, 8 * PAGE - 100), 1);
	assert_memory_equal(page, want + 8 * PAGE - 100, 100);
	store_delta_counts(d, &kept, &same);
	assert_int_equal(kept, 4);
	assert_int_equal(same, 4);
	assert_int_equal(store_delta_finish(d), 0);
	store_delta_free(d);
	assert_int_equal(lseek(delta, 0, SEEK_END), STORE_DELTA_HEADER + 4 * (4 + PAGE));
	rebuilds_to(base, 6, delta, want, 8);
	close(delta);
	close(base);
}

/* Cut short, then grown again: what was cut reads as zeros, never as the
 * base's or an earlier write's bytes; and a page SQLite never writes (the
 * one at 1 GiB it keeps for its locks) is zeros too, in a record of its own. */
static void a_truncate_and_a_page_never_written(void **state)
{
	int base = base_of(6), delta = memfd("delta");
	struct store_delta *d = store_delta_new(delta, base, 6 * PAGE, PAGE);
	uint8_t want[9 * PAGE], page[PAGE];

	(void)state;
	assert_non_null(d);
	for (int i = 0; i < 6; i++)
		fill(want + i * PAGE, 'A' + i);
	fill(page, 'q');
	assert_int_equal(store_delta_write(d, page, PAGE, 4 * PAGE), 0);
	assert_int_equal(store_delta_truncate(d, 3 * PAGE), 0);
	assert_int_equal(store_delta_size(d), 3 * PAGE);
	/* Pages 3 to 7 never written again, page 8 is. */
	fill(page, 'r');
	assert_int_equal(store_delta_write(d, page, PAGE, 8 * PAGE), 0);
	memset(want + 3 * PAGE, 0, 5 * PAGE);
	memcpy(want + 8 * PAGE, page, PAGE);
	assert_int_equal(store_delta_read(d, page, PAGE, 4 * PAGE), 0);
	assert_memory_equal(page, want + 4 * PAGE, PAGE);
	assert_int_equal(store_delta_read(d, page, PAGE, 5 * PAGE), 0);
	assert_memory_equal(page, want + 5 * PAGE, PAGE);
	assert_int_equal(store_delta_finish(d), 0);
	store_delta_free(d);
	rebuilds_to(base, 6, delta, want, 9);
	close(delta);
	close(base);
}

/* A delta made by hand. */
static int handmade(uint32_t page, uint64_t whole, uint64_t base, uint32_t count,
		    const uint32_t *pages, int n)
{
	uint8_t head[STORE_DELTA_HEADER] = "FSDELTA1", rec[4 + PAGE];
	int fd = memfd("handmade");

	for (int i = 0; i < 4; i++)
		head[8 + i] = (uint8_t)(page >> (24 - 8 * i));
	for (int i = 0; i < 8; i++) {
		head[12 + i] = (uint8_t)(whole >> (56 - 8 * i));
		head[20 + i] = (uint8_t)(base >> (56 - 8 * i));
	}
	for (int i = 0; i < 4; i++)
		head[28 + i] = (uint8_t)(count >> (24 - 8 * i));
	assert_int_equal(write(fd, head, sizeof(head)), (ssize_t)sizeof(head));
	for (int i = 0; i < n; i++) {
		for (int k = 0; k < 4; k++)
			rec[k] = (uint8_t)(pages[i] >> (24 - 8 * k));
		memset(rec + 4, 'x', PAGE);
		assert_int_equal(write(fd, rec, sizeof(rec)), (ssize_t)sizeof(rec));
	}
	return fd;
}

/* Refused, as a stick's file: 1 when it is, 0 when it is taken. */
static int refused(int delta, int64_t whole, int64_t base_bytes)
{
	struct store_delta_walk *w = NULL;
	char why[256] = "";
	int base = base_of(4);
	off_t size = lseek(delta, 0, SEEK_END);
	int rc = store_delta_walk_open(delta, size, base, base_bytes, whole, "sao-luu.delta", &w, why,
				       sizeof(why));

	store_delta_walk_free(w);
	close(base);
	close(delta);
	if (rc == 0)
		return 0;
	assert_non_null(strstr(why, "sao-luu.delta is not a copy of the changes"));
	return 1;
}

static void a_made_up_delta_is_refused(void **state)
{
	const uint32_t one[] = { 4 }, two[] = { 4, 4 }, past[] = { 9 }, none[] = { 0 };

	(void)state;
	text_init("en");
	/* The one the others are made from is taken. */
	assert_false(refused(handmade(PAGE, 5 * PAGE, 4 * PAGE, 1, one, 1), 5 * PAGE, 4 * PAGE));
	{
		int fd = handmade(PAGE, 5 * PAGE, 4 * PAGE, 1, one, 1);

		assert_int_equal(pwrite(fd, "XSDELTA1", 8, 0), 8);
		assert_true(refused(fd, 5 * PAGE, 4 * PAGE));	/* not its magic */
	}
	assert_true(refused(handmade(500, 5 * 500, 4 * PAGE, 1, one, 0), 5 * 500, 4 * PAGE));
	assert_true(refused(handmade(PAGE, 5 * PAGE, 4 * PAGE, 1, one, 1), 6 * PAGE, 4 * PAGE));
	assert_true(refused(handmade(PAGE, 5 * PAGE, 4 * PAGE, 1, one, 1), 5 * PAGE, 3 * PAGE));
	/* More records said than there are, or fewer. */
	assert_true(refused(handmade(PAGE, 5 * PAGE, 4 * PAGE, 2, one, 1), 5 * PAGE, 4 * PAGE));
	assert_true(refused(handmade(PAGE, 5 * PAGE, 4 * PAGE, 0, one, 1), 5 * PAGE, 4 * PAGE));
	/* A page given twice; a page past the base given by no record. */
	assert_true(refused(handmade(PAGE, 5 * PAGE, 4 * PAGE, 2, two, 2), 5 * PAGE, 4 * PAGE));
	assert_true(refused(handmade(PAGE, 5 * PAGE, 4 * PAGE, 1, none, 1), 5 * PAGE, 4 * PAGE));
	assert_true(refused(handmade(PAGE, 6 * PAGE, 4 * PAGE, 1, one, 1), 6 * PAGE, 4 * PAGE));
	/* A page past the whole copy is one cut off: left out, not used. */
	assert_false(refused(handmade(PAGE, 3 * PAGE, 4 * PAGE, 1, past, 1), 3 * PAGE, 4 * PAGE));
	/* Shorter than its header. */
	{
		int fd = memfd("short");

		assert_int_equal(write(fd, "FSDELTA1", 8), 8);
		assert_true(refused(fd, 5 * PAGE, 4 * PAGE));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(only_what_differs_is_kept),
		cmocka_unit_test(a_truncate_and_a_page_never_written),
		cmocka_unit_test(a_made_up_delta_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
