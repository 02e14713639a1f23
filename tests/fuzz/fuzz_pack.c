/* libFuzzer target: a packed row of raw readings as a damaged card may
 * hand it back. readings_unpack() reads it to its end or refuses it,
 * never beyond it; what it reads, packed again and read back, is the
 * same readings. */
#include "readings_pack.h"
#include "store.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct got {
	struct reading_row *r;
	int n, cap;
};

static int keep(void *ctx, const struct reading_row *r)
{
	struct got *g = ctx;

	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 64;
		g->r = realloc(g->r, (size_t)g->cap * sizeof(*g->r));
		if (!g->r)
			abort();
	}
	g->r[g->n++] = *r;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct got g = { 0 }, again = { 0 };
	int n = readings_unpack(data, size, 1780246800, keep, &g);

	if (n >= 0) {
		size_t packed_size;
		uint8_t *packed;

		if (n != g.n)
			__builtin_trap();
		packed = readings_pack(g.r, g.n, 1780246800, &packed_size);
		if (!packed)
			abort();
		if (readings_unpack(packed, packed_size, 1780246800, keep, &again) < 0)
			__builtin_trap();
		free(packed);
	}
	free(g.r);
	free(again.r);
	return 0;
}
