/* SHA-256 (FIPS 180-4): the checksums in an export's manifest, computed
 * as files are written and again when they are read back. */
#ifndef FS_SHA256_H
#define FS_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_BYTES 32
#define SHA256_HEX (SHA256_BYTES * 2 + 1)

struct sha256 {
	uint32_t h[8];
	uint64_t length;	/* bytes hashed so far */
	uint8_t block[64];
	size_t used;		/* bytes waiting in block */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t n);
/* Finishes the hash; s must be initialised again before reuse. */
void sha256_final(struct sha256 *s, uint8_t out[SHA256_BYTES]);
/* Lower-case hex of a digest into hex (SHA256_HEX bytes); returns hex. */
char *sha256_hex(const uint8_t digest[SHA256_BYTES], char hex[SHA256_HEX]);

#endif
