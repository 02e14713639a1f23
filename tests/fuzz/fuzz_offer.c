/* libFuzzer target: the signed description of a new version or of new
 * settings, as a stick may bring it to a station, damaged, edited or made
 * up. Reading it and checking its signature must never crash or hang. A
 * description taken ends with its signature line, which covers exactly the
 * bytes before it, and names a file that may be opened in the stick's
 * folder; one that verifies stops verifying when a byte it covers is
 * changed. */
#include "offer.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parses text as kind: 1 signed by the key it names, 0 not, -1 refused. */
static int taken(enum offer_kind kind, const char *text, size_t size, struct offer *o)
{
	char why[256] = "";

	if (offer_parse(o, kind, text, size, why, sizeof(why)) != 0) {
		if (!why[0])
			__builtin_trap();
		return -1;
	}
	if (o->signed_len == 0 || o->signed_len >= size ||
	    memcmp(text + o->signed_len, "signature: ", 11) != 0 || !offer_name_ok(o->file) ||
	    o->size < 0)
		__builtin_trap();
	return offer_signed_by(o, text, o->key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (int k = OFFER_UPDATE; k <= OFFER_SETTINGS; k++) {
		struct offer o, again;

		if (taken((enum offer_kind)k, text, size, &o) != 1)
			continue;
		/* One covered byte changed, chosen by the input's length. */
		text[size % o.signed_len] ^= 0x01;
		if (taken((enum offer_kind)k, text, size, &again) >= 0 &&
		    offer_signed_by(&again, text, o.key))
			__builtin_trap();
		text[size % o.signed_len] ^= 0x01;
	}
	free(text);
	return 0;
}
