/* SHA-256: the published FIPS 180-4 examples, and the same digest however
 * the data is cut into pieces (files are hashed as they are written). */
#include "testlib.h"

#include "sha256.h"

static const char *digest_of(const void *data, size_t n)
{
	static char hex[SHA256_HEX];
	uint8_t d[SHA256_BYTES];
	struct sha256 s;

	sha256_init(&s);
	sha256_update(&s, data, n);
	sha256_final(&s, d);
	return sha256_hex(d, hex);
}

static void fips_examples(void **state)
{
	static const char two_blocks[] =
		"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
		"ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

	(void)state;
	assert_string_equal(digest_of("abc", 3),
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_string_equal(digest_of("", 0),
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_string_equal(digest_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56),
			    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	assert_string_equal(digest_of(two_blocks, strlen(two_blocks)),
			    "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void a_million_a(void **state)
{
	char *a = malloc(1000000);

	(void)state;
	assert_non_null(a);
	memset(a, 'a', 1000000);
	assert_string_equal(digest_of(a, 1000000),
			    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(a);
}

/* Lengths around the padding boundary (55, 56, 64 bytes) and pieces of
 * every size give the digest of the whole. */
static void pieces_do_not_matter(void **state)
{
	uint8_t data[300], d[SHA256_BYTES];
	char whole[SHA256_HEX], hex[SHA256_HEX];

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	for (size_t len = 0; len <= sizeof(data); len += (len < 70 ? 1 : 23)) {
		strcpy(whole, digest_of(data, len));
		for (size_t piece = 1; piece <= 130; piece += 3) {
			struct sha256 s;

			sha256_init(&s);
			for (size_t off = 0; off < len; off += piece)
				sha256_update(&s, data + off, len - off < piece ? len - off : piece);
			sha256_final(&s, d);
			assert_string_equal(sha256_hex(d, hex), whole);
		}
	}
	/* And the known digest of 55 and 56 bytes, which pad differently. */
	memset(data, 'x', 64);
	assert_string_equal(digest_of(data, 55),
			    "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072");
}

/* An empty piece, even without a buffer (an empty CSV cell written as
 * nothing), changes nothing, also in the middle of a block. */
static void an_empty_piece_changes_nothing(void **state)
{
	uint8_t d[SHA256_BYTES];
	char hex[SHA256_HEX];
	struct sha256 s;

	(void)state;
	sha256_init(&s);
	sha256_update(&s, NULL, 0);
	sha256_update(&s, "ab", 2);
	sha256_update(&s, NULL, 0);
	sha256_update(&s, "c", 1);
	sha256_final(&s, d);
	assert_string_equal(sha256_hex(d, hex),
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fips_examples),
		cmocka_unit_test(a_million_a),
		cmocka_unit_test(pieces_do_not_matter),
		cmocka_unit_test(an_empty_piece_changes_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
