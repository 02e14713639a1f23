/* Packing raw readings (see readings_pack.h). A probe's value changes a
 * little from one minute to the next, so most readings take two bytes:
 * a minute, and a small difference. */
#include "readings_pack.h"

#include "store.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SCALE 9
#define MAX_COUNT 1000000
/* Beyond this an integer's double is no longer exact. */
#define EXACT_LIMIT 4503599627370496.0	/* 2^52 */

static const double ten[MAX_SCALE + 1] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9 };

/* Writing. */

struct out {
	uint8_t *buf;
	size_t len, cap;
	bool failed;
};

static void put(struct out *o, const void *p, size_t n)
{
	if (o->failed)
		return;
	if (o->len + n > o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 256;
		uint8_t *grown;

		while (cap < o->len + n)
			cap *= 2;
		grown = realloc(o->buf, cap);
		if (!grown) {
			o->failed = true;
			return;
		}
		o->buf = grown;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static void put_varint(struct out *o, uint64_t v)
{
	uint8_t b[10];
	size_t n = 0;

	do {
		b[n] = v & 0x7f;
		v >>= 7;
		if (v)
			b[n] |= 0x80;
		n++;
	} while (v);
	put(o, b, n);
}

static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t u)
{
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

/* Does v come back exactly as an integer over 10^d? */
static bool exact_at(double v, int d, int64_t *scaled)
{
	double x = v * ten[d], back;

	if (!(fabs(x) < EXACT_LIMIT))
		return false;
	*scaled = llround(x);
	back = (double)*scaled / ten[d];
	/* -0.0 too comes back as it was. */
	return back == v && !signbit(back) == !signbit(v);
}

/* The smallest scale at which every value is exact, or PACK_SCALE_DOUBLE. */
static int scale_of(const struct reading_row *r, int n)
{
	int64_t k;
	int d = 0;

	for (int i = 0; i < n; i++) {
		while (d <= MAX_SCALE && !exact_at(r[i].value, d, &k))
			d++;
		if (d > MAX_SCALE)
			return PACK_SCALE_DOUBLE;
	}
	/* A value exact at a smaller scale is exact at a larger one in
	 * arithmetic; checked, since doubles are not arithmetic. */
	for (int i = 0; i < n; i++)
		if (!exact_at(r[i].value, d, &k))
			return PACK_SCALE_DOUBLE;
	return d;
}

struct keyed {
	struct reading_row r;
	int order;
};

static int by_series_time(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	if (x->r.sensor != y->r.sensor)
		return x->r.sensor < y->r.sensor ? -1 : 1;
	if (x->r.quantity != y->r.quantity)
		return x->r.quantity < y->r.quantity ? -1 : 1;
	if (x->r.t != y->r.t)
		return x->r.t < y->r.t ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void pack_series(struct out *o, const struct reading_row *r, int n, int64_t base)
{
	uint8_t scale = (uint8_t)scale_of(r, n);
	int64_t prev_t = base, prev_v = 0, k = 0;

	put_varint(o, (uint64_t)r[0].sensor);
	put_varint(o, (uint64_t)r[0].quantity);
	put_varint(o, (uint64_t)n);
	put(o, &scale, 1);
	for (int i = 0; i < n; i++) {
		put_varint(o, (uint64_t)(r[i].t - prev_t));
		prev_t = r[i].t;
		if (scale == PACK_SCALE_DOUBLE) {
			uint8_t b[8];
			uint64_t bits;

			memcpy(&bits, &r[i].value, 8);
			for (int j = 0; j < 8; j++)
				b[j] = (uint8_t)(bits >> (8 * j));
			put(o, b, 8);
		} else {
			exact_at(r[i].value, scale, &k);
			put_varint(o, zigzag(k - prev_v));
			prev_v = k;
		}
	}
}

uint8_t *readings_pack(const struct reading_row *rows, int n, int64_t base, size_t *size)
{
	struct keyed *k = malloc((size_t)(n > 0 ? n : 1) * sizeof(*k));
	struct reading_row *kept = malloc((size_t)(n > 0 ? n : 1) * sizeof(*kept));
	struct out o = { 0 };
	uint8_t version = PACK_VERSION;
	int n_kept = 0;

	if (!k || !kept) {
		free(k);
		free(kept);
		return NULL;
	}
	for (int i = 0; i < n; i++)
		k[i] = (struct keyed){ rows[i], i };
	qsort(k, (size_t)n, sizeof(*k), by_series_time);
	/* Of readings at the same time, the last given. */
	for (int i = 0; i < n; i++) {
		if (i + 1 < n && k[i + 1].r.sensor == k[i].r.sensor &&
		    k[i + 1].r.quantity == k[i].r.quantity && k[i + 1].r.t == k[i].r.t)
			continue;
		kept[n_kept++] = k[i].r;
	}
	free(k);
	put(&o, &version, 1);
	for (int i = 0, j; i < n_kept; i = j) {
		for (j = i + 1; j < n_kept && kept[j].sensor == kept[i].sensor &&
				kept[j].quantity == kept[i].quantity; j++)
			;
		pack_series(&o, kept + i, j - i, base);
	}
	free(kept);
	if (o.failed) {
		free(o.buf);
		return NULL;
	}
	*size = o.len;
	return o.buf;
}

/* Reading. */

struct in {
	const uint8_t *p, *end;
};

static bool get_varint(struct in *in, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (in->p == in->end)
			return false;
		*v |= (uint64_t)(*in->p & 0x7f) << shift;
		if (!(*in->p++ & 0x80))
			return true;
	}
	return false;
}

int readings_unpack(const uint8_t *data, size_t size, int64_t base, readings_unpack_fn *fn,
		    void *ctx)
{
	struct in in = { data, data + size };
	int total = 0;

	if (size < 1 || data[0] != PACK_VERSION)
		return -1;
	in.p++;
	while (in.p < in.end) {
		uint64_t sensor, quantity, count, dt, u;
		struct reading_row r;
		int64_t scaled = 0;
		uint8_t scale;

		if (!get_varint(&in, &sensor) || !get_varint(&in, &quantity) ||
		    !get_varint(&in, &count) || sensor > INT32_MAX || quantity > INT32_MAX ||
		    count == 0 || count > MAX_COUNT || in.p == in.end)
			return -1;
		scale = *in.p++;
		if (scale > MAX_SCALE && scale != PACK_SCALE_DOUBLE)
			return -1;
		r = (struct reading_row){ (int)sensor, (int)quantity, base, 0 };
		for (uint64_t i = 0; i < count; i++) {
			if (!get_varint(&in, &dt) || dt > (uint64_t)INT32_MAX || (i > 0 && dt == 0))
				return -1;
			r.t += (int64_t)dt;
			if (scale == PACK_SCALE_DOUBLE) {
				uint64_t bits = 0;

				if (in.end - in.p < 8)
					return -1;
				for (int j = 0; j < 8; j++)
					bits |= (uint64_t)in.p[j] << (8 * j);
				in.p += 8;
				memcpy(&r.value, &bits, 8);
			} else {
				if (!get_varint(&in, &u))
					return -1;
				/* Unsigned: a damaged blob wraps, and is refused. */
				scaled = (int64_t)((uint64_t)scaled + (uint64_t)unzigzag(u));
				if (!(fabs((double)scaled) < EXACT_LIMIT))
					return -1;
				r.value = (double)scaled / ten[scale];
			}
			total++;
			if (fn && fn(ctx, &r))
				return total;
		}
	}
	return total;
}
