/* libFuzzer target: a station's signed manifest.txt as a stick may bring
 * it to the office, damaged, edited or made up, with its signature line.
 * Reading it and checking its signature must never crash or hang. A
 * manifest taken as signed ends with its signature line, which covers
 * exactly the bytes before it; an unsigned one never verifies; and one
 * that verifies stops verifying when a byte it covers is changed. */
#include "manifest.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parses and verifies text: 1 verified, 0 not, -1 not a manifest. */
static int verified(char *text, size_t size)
{
	struct manifest m;
	char why[256] = "";
	int rc = -1;

	if (manifest_parse(&m, text, size, why, sizeof(why)) == 0) {
		if (m.has_signature &&
		    (!m.has_key || m.signed_len >= size ||
		     memcmp(text + m.signed_len, "# signature: ", 13) != 0))
			__builtin_trap();
		why[0] = '\0';
		rc = manifest_verify(&m, text, why, sizeof(why)) == 0;
		if ((rc == 1 && !m.has_signature) || (rc == 0 && !why[0]))
			__builtin_trap();
	} else if (!why[0]) {
		__builtin_trap();
	}
	manifest_free(&m);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest m;
	char why[256];
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (verified(text, size) == 1) {
		size_t covered;

		if (manifest_parse(&m, text, size, why, sizeof(why)) != 0)
			__builtin_trap();
		covered = m.signed_len;
		manifest_free(&m);
		/* One covered byte changed, chosen by the input's length. */
		if (covered > 0) {
			text[size % covered] ^= 0x20;
			if (verified(text, size) == 1)
				__builtin_trap();
		}
	}
	free(text);
	return 0;
}
