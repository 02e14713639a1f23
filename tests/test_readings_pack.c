/* Raw readings packed: every value comes back as the very double packed,
 * with its sensor, quantity and second; a reading given twice for the
 * same second keeps the later; probes' minute readings take about two
 * bytes; and a damaged blob is refused, never read past its end. */
#include "testlib.h"

#include "readings_pack.h"
#include "store.h"

#include <math.h>

#define BASE 1780246800

struct got {
	struct reading_row r[4096];
	int n;
};

static int keep(void *ctx, const struct reading_row *r)
{
	struct got *g = ctx;

	assert_true(g->n < 4096);
	g->r[g->n++] = *r;
	return 0;
}

static struct got *unpack(const uint8_t *blob, size_t size, int64_t base)
{
	static struct got g;
	int n;

	g.n = 0;
	n = readings_unpack(blob, size, base, keep, &g);
	assert_int_equal(n, g.n);
	return &g;
}

static const struct reading_row *find(const struct got *g, int sensor, int q, int64_t t)
{
	for (int i = 0; i < g->n; i++)
		if (g->r[i].sensor == sensor && g->r[i].quantity == q && g->r[i].t == t)
			return &g->r[i];
	return NULL;
}

/* Values of every kind a station stores: a tenth of a percent, whole
 * µS/cm, a hundredth of pH, a negative temperature, a calibrated
 * moisture with all its digits, a huge count, zero. */
static void every_value_comes_back_exactly(void **state)
{
	static const double values[] = { 31.2, 447, 6.53, -3.7, 42.123456789012345, 1e15 + 1,
					  0, 0.1 + 0.2, 1e-7, 99.9 };
	struct reading_row rows[40], copy[40];
	size_t size;
	uint8_t *blob;
	int n = 0;

	(void)state;
	for (int s = 1; s <= 2; s++)
		for (int i = 0; i < 10; i++)
			for (int k = 0; k < 2; k++)
				rows[n++] = (struct reading_row){ s, i, BASE + k * 60 + s,
								  values[i] * (k ? 1 : -1) };
	memcpy(copy, rows, sizeof(rows));
	blob = readings_pack(rows, n, BASE, &size);
	assert_non_null(blob);
	struct got *g = unpack(blob, size, BASE);
	assert_int_equal(g->n, n);
	for (int i = 0; i < n; i++) {
		const struct reading_row *r = find(g, copy[i].sensor, copy[i].quantity, copy[i].t);

		assert_non_null(r);
		/* Bit for bit, not nearly. */
		assert_memory_equal(&r->value, &copy[i].value, sizeof(double));
	}
	free(blob);
}

/* Twice the same second of the same sensor and quantity: the later kept;
 * other quantities of that second stay. Readings given in any order come
 * back oldest first. */
static void the_later_of_two_readings_is_kept(void **state)
{
	struct reading_row rows[] = {
		{ 3, 0, BASE + 120, 30.0 }, { 3, 0, BASE + 60, 29.0 }, { 3, 0, BASE + 120, 35.5 },
		{ 3, 1, BASE + 120, 27.1 },
	};
	size_t size;
	uint8_t *blob = readings_pack(rows, 4, BASE, &size);
	struct got *g;

	(void)state;
	assert_non_null(blob);
	g = unpack(blob, size, BASE);
	assert_int_equal(g->n, 3);
	assert_true(g->r[0].t == BASE + 60 && g->r[0].value == 29.0);
	assert_true(g->r[1].t == BASE + 120 && g->r[1].value == 35.5);
	assert_true(g->r[2].quantity == 1 && g->r[2].value == 27.1);
	free(blob);
}

/* Sixteen probes, four values each, ten minutes as a flush writes them:
 * a few bytes a reading where a row a reading took about seventeen. */
static void a_flush_of_probes_is_small(void **state)
{
	struct reading_row rows[640];
	size_t size;
	uint8_t *blob;
	int n = 0;

	(void)state;
	for (int m = 0; m < 10; m++)
		for (int s = 1; s <= 16; s++) {
			rows[n++] = (struct reading_row){ s, 0, BASE + m * 60, 30 + (s + m % 3) / 10.0 };
			rows[n++] = (struct reading_row){ s, 1, BASE + m * 60, 27.5 + m / 10.0 };
			rows[n++] = (struct reading_row){ s, 2, BASE + m * 60, 400 + (m * s) % 5 };
			rows[n++] = (struct reading_row){ s, 3, BASE + m * 60, 6.5 };
		}
	blob = readings_pack(rows, n, BASE, &size);
	assert_non_null(blob);
	if (size > 3 * 640)
		fail_msg("%zu bytes for 640 readings", size);
	assert_int_equal(unpack(blob, size, BASE)->n, 640);
	free(blob);
}

/* Every cut of a blob, and every byte of it changed: refused or read as
 * far as it is whole, never beyond it (ASan and valgrind watch). */
static void a_damaged_blob_is_refused(void **state)
{
	struct reading_row rows[64];
	size_t size;
	uint8_t *blob;
	int n = 0;

	(void)state;
	for (int i = 0; i < 64; i++)
		rows[n++] = (struct reading_row){ 1 + i % 4, i % 2, BASE + i * 60, i * 1.5 };
	blob = readings_pack(rows, n, BASE, &size);
	assert_non_null(blob);
	for (size_t cut = 0; cut < size; cut++) {
		uint8_t *part = malloc(cut ? cut : 1);

		memcpy(part, blob, cut);
		assert_true(readings_unpack(part, cut, BASE, NULL, NULL) < 64);
		free(part);
	}
	for (size_t i = 0; i < size; i++) {
		uint8_t *bad = malloc(size);

		memcpy(bad, blob, size);
		bad[i] ^= 0xff;
		readings_unpack(bad, size, BASE, NULL, NULL);
		free(bad);
	}
	/* Another version of the format is not read as this one. */
	blob[0] = PACK_VERSION + 1;
	assert_int_equal(readings_unpack(blob, size, BASE, NULL, NULL), -1);
	free(blob);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_value_comes_back_exactly),
		cmocka_unit_test(the_later_of_two_readings_is_kept),
		cmocka_unit_test(a_flush_of_probes_is_small),
		cmocka_unit_test(a_damaged_blob_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
