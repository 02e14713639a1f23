/* Raw readings in the database's compact form: the readings of a batch
 * within one hour, every sensor and quantity, packed into one blob of a
 * few bytes a reading, so that a batch is one small row appended at the
 * end of its table (a page or two of the card every flush, where a row a
 * reading rewrote ten).
 *
 * A blob is a version byte (1), then for each sensor and quantity, in
 * that order: the sensor, the quantity and the count of readings
 * (unsigned LEB128 varints), a scale byte, and for each reading, oldest
 * first, the seconds since the one before (since the row's base time
 * for the first) and the value. Scale d (0..9): the value is an integer
 * divided by 10^d, written as a zigzag varint of its difference from the
 * one before; scale 255: the value's 8 bytes (IEEE 754, little end
 * first). A value comes back as the very double that was packed. */
#ifndef FS_READINGS_PACK_H
#define FS_READINGS_PACK_H

#include <stddef.h>
#include <stdint.h>

struct reading_row;

#define PACK_VERSION 1
#define PACK_SCALE_DOUBLE 255

/* Packs rows (any order; every t >= base): of two readings with the same
 * sensor, quantity and time, the later in rows is kept. Returns the blob
 * (malloc'd, the caller frees) and its size in *size, or NULL when
 * memory runs out. */
uint8_t *readings_pack(const struct reading_row *rows, int n, int64_t base, size_t *size);

/* Calls fn for each reading in a blob, by sensor and quantity, oldest
 * first. Returns how many, or -1 for a blob that is not one (damaged):
 * readings already given were sound. A nonzero return from fn stops. */
typedef int readings_unpack_fn(void *ctx, const struct reading_row *r);
int readings_unpack(const uint8_t *data, size_t size, int64_t base, readings_unpack_fn *fn,
		    void *ctx);

#endif
