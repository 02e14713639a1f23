/* The manifest: what an export writes reads back the same, `sha256sum -c`
 * can check it, and a manifest from a stick that is damaged or made up is
 * refused with its reason, never trusted in part. A station's manifest is
 * signed: one byte changed anywhere in it, or a signature from another
 * key, or none, and it is not taken. */
#include "testlib.h"

#include "manifest.h"
#include "text.h"

static const uint8_t sha_a[SHA256_BYTES] = { 0xba, 0x78, 0x16, 0xbf, 1, 2, 3 };
static const uint8_t sha_b[SHA256_BYTES] = { 0xff, 0, 0xee };

static struct signkey station_key(void);

static void sample(struct manifest *m)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->code, sizeof(m->code), "PT01");
	snprintf(m->name, sizeof(m->name), "HTX Phước Thiện - trạm 1: khu A");
	snprintf(m->uid, sizeof(m->uid), "0123456789abcdef0123456789abcdef");
	snprintf(m->program, sizeof(m->program), "fieldstation 0.1.0");
	snprintf(m->backup, sizeof(m->backup), "sao-luu.db");
	m->schema = 2;
	m->made = 1780273800;	/* 01/06/2026 07:30 in Việt Nam */
	m->from = 1767225600;
	m->to = 1780273000;
	assert_int_equal(manifest_add(m, "nhat-ky-tuoi.csv", 1234, 12, sha_a), 0);
	assert_int_equal(manifest_add(m, "sao-luu.db", 94208, -1, sha_b), 0);
}

static void round_trip(void **state)
{
	struct manifest m, back;
	char why[256], *text;
	size_t len;

	(void)state;
	sample(&m);
	text = manifest_format(&m, 7 * 3600, &len);
	assert_non_null(text);
	assert_non_null(strstr(text, "# made: 2026-06-01T07:30:00+0700\n"));
	assert_non_null(strstr(text, "# file: nhat-ky-tuoi.csv 1234 12\n"));
	assert_non_null(strstr(text, "\nba7816bf01020300"));
	assert_int_equal(manifest_parse(&back, text, len, why, sizeof(why)), 0);
	assert_string_equal(back.code, "PT01");
	assert_string_equal(back.name, m.name);
	assert_string_equal(back.uid, m.uid);
	assert_int_equal(back.schema, 2);
	assert_int_equal(back.made, m.made);
	assert_int_equal(back.from, m.from);
	assert_int_equal(back.to, m.to);
	assert_int_equal(back.n_files, 2);
	assert_int_equal(back.files[0].bytes, 1234);
	assert_int_equal(back.files[0].rows, 12);
	assert_memory_equal(back.files[0].sha, sha_a, SHA256_BYTES);
	assert_int_equal(back.files[1].rows, -1);
	assert_memory_equal(manifest_find(&back, "sao-luu.db")->sha, sha_b, SHA256_BYTES);
	free(text);
	manifest_free(&m);
	manifest_free(&back);
}

/* A copy written as what changed since an earlier export: the folder and
 * file it builds on, with their size and checksum, and the whole copy's;
 * nothing else is taken for them. */
static void a_delta_names_its_base(void **state)
{
	struct manifest m, back;
	char why[256], *text, *edited, *at;
	size_t len;

	(void)state;
	text_init("en");
	sample(&m);
	snprintf(m.backup, sizeof(m.backup), "sao-luu.delta");
	snprintf(m.files[1].name, sizeof(m.files[1].name), "sao-luu.delta");
	m.has_base = true;
	snprintf(m.base_folder, sizeof(m.base_folder), "PT01_2026-05-01");
	snprintf(m.base_file, sizeof(m.base_file), "sao-luu.db");
	m.base_bytes = 1 << 20;
	memcpy(m.base_sha, sha_a, SHA256_BYTES);
	m.whole_bytes = 1056768;
	memcpy(m.whole_sha, sha_b, SHA256_BYTES);
	text = manifest_format(&m, 7 * 3600, &len);
	assert_non_null(strstr(text, "# format: 3\n"));
	assert_non_null(strstr(text, "# base: PT01_2026-05-01 sao-luu.db 1048576 ba7816bf0102"));
	assert_non_null(strstr(text, "# whole: 1056768 ff00ee00"));
	assert_int_equal(manifest_parse(&back, text, len, why, sizeof(why)), 0);
	assert_true(back.has_base);
	assert_string_equal(back.backup, "sao-luu.delta");
	assert_string_equal(back.base_folder, "PT01_2026-05-01");
	assert_string_equal(back.base_file, "sao-luu.db");
	assert_int_equal(back.base_bytes, 1 << 20);
	assert_memory_equal(back.base_sha, sha_a, SHA256_BYTES);
	assert_int_equal(back.whole_bytes, 1056768);
	assert_memory_equal(back.whole_sha, sha_b, SHA256_BYTES);
	manifest_free(&back);
	/* A base outside the stick's folder, or half a fact: refused. */
	edited = strdup(text);
	at = strstr(text, "PT01_2026-05-01");
	memcpy(at, "../../etc/x_01", 14);
	assert_int_equal(manifest_parse(&back, text, len, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "file name"));
	manifest_free(&back);
	at = strstr(edited, "# whole: ");
	memcpy(at, "# wxole: ", 9);
	assert_int_equal(manifest_parse(&back, edited, len, why, sizeof(why)), -1);
	if (!strstr(why, "base and whole go together"))
		fail_msg("%s", why);
	manifest_free(&back);
	free(edited);
	free(text);
	manifest_free(&m);
}

static void sha256sum_checks_the_folder(void **state)
{
	char *dir = test_mkdir(), cmd[512], *text;
	struct manifest m = { 0 };
	uint8_t d[SHA256_BYTES];
	struct sha256 s;
	size_t len;

	(void)state;
	snprintf(m.code, sizeof(m.code), "PT01");
	snprintf(m.backup, sizeof(m.backup), "a.db");
	sha256_init(&s);
	sha256_update(&s, "Mít ruột đỏ\r\n", strlen("Mít ruột đỏ\r\n"));
	sha256_final(&s, d);
	test_write(dir, "a.db", "Mít ruột đỏ\r\n");
	assert_int_equal(manifest_add(&m, "a.db", (int64_t)strlen("Mít ruột đỏ\r\n"), -1, d), 0);
	/* Signed, as a station writes it: the signature is a comment too. */
	{
		struct signkey k = station_key();

		memcpy(m.key, k.public_key, SIGN_PUBLIC_BYTES);
		m.has_key = true;
		text = manifest_format(&m, 0, &len);
		assert_int_equal(manifest_sign(&text, &len, &k), 0);
		signkey_wipe(&k);
	}
	assert_non_null(strstr(text, "\n# signature: "));
	test_write(dir, "manifest.txt", text);
	snprintf(cmd, sizeof(cmd), "cd '%s' && sha256sum --quiet -c manifest.txt", dir);
	assert_int_equal(system(cmd), 0);
	test_write(dir, "a.db", "Mít ruột đỏ!\r\n");
	snprintf(cmd, sizeof(cmd), "cd '%s' && sha256sum --quiet -c manifest.txt >/dev/null 2>&1", dir);
	assert_int_not_equal(system(cmd), 0);
	free(text);
	manifest_free(&m);
	test_rmdir(dir);
}

/* Parses the sample with one line replaced; returns the refusal. */
static const char *refusal(const char *from, const char *to)
{
	static char why[256];
	struct manifest m, back;
	char *text, edited[4096], *at;
	size_t len;
	int rc;

	sample(&m);
	text = manifest_format(&m, 7 * 3600, &len);
	at = strstr(text, from);
	assert_non_null(at);
	snprintf(edited, sizeof(edited), "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	rc = manifest_parse(&back, edited, strlen(edited), why, sizeof(why));
	free(text);
	manifest_free(&m);
	manifest_free(&back);
	if (rc == 0)
		return "";
	assert_true(strlen(why) > 0);
	return why;
}

static void refuses_what_it_cannot_trust(void **state)
{
	(void)state;
	text_init("en");
	/* A name that would leave the folder. */
	assert_non_null(strstr(refusal("# file: nhat-ky-tuoi.csv", "# file: ../../etc/passwd"),
			       "file name"));
	assert_non_null(strstr(refusal("  nhat-ky-tuoi.csv", "  ../x.csv"), "not listed"));
	assert_non_null(strstr(refusal("# format: 2", "# format: 4"), "newer"));
	/* Format 3 is a delta's, and a delta is only format 3. */
	assert_non_null(strstr(refusal("# format: 2", "# format: 3"), "format 3"));
	assert_non_null(strstr(refusal("# backup: sao-luu.db\n",
				       "# backup: sao-luu.db\n# base: PT01_2026-05-01 sao-luu.db 8192 "
				       "ba7816bf01020300000000000000000000000000000000000000000000000000\n"
				       "# whole: 8192 ff00ee0000000000000000000000000000000000000000000000000000000000\n"),
			       "format 3"));
	assert_non_null(strstr(refusal("# schema: 2\n", "# schema: 2\n# uid: 0123456789abcdef0123456789abcdef\n"),
			       "twice"));
	assert_non_null(strstr(refusal("# fieldstation export", "# something else"), "start"));
	assert_non_null(strstr(refusal("# uid: 0123456789abcdef0123456789abcdef", "# uid: xyz"),
			       "hex"));
	assert_non_null(strstr(refusal("# backup: sao-luu.db", "# backup: other.db"),
			       "backup is not among"));
	assert_non_null(strstr(refusal("# backup: sao-luu.db\n", ""), "missing"));
	assert_non_null(strstr(refusal("# file: nhat-ky-tuoi.csv 1234 12",
				       "# file: nhat-ky-tuoi.csv lots 12"), "whole numbers"));
	assert_non_null(strstr(refusal("# file: sao-luu.db 94208 -1\n",
				       "# file: sao-luu.db 94208 -1\n# file: sao-luu.db 1 -1\n"),
			       "twice"));
	assert_non_null(strstr(refusal("ba7816bf", "BA7816BF"), "hex"));
	assert_non_null(strstr(refusal("# made: 2026-06-01T07:30:00+0700", "# made: 01/06/2026"),
			       "time"));
	assert_non_null(strstr(refusal("# schema: 2\n", "# schema: 2\r\n"), "plain text"));
	assert_non_null(strstr(refusal("# station: PT01", "#station: PT01"), "key: value"));
	/* A checksum line lost: that file cannot be checked. */
	const char *why = refusal("ba7816bf", "xx");
	assert_true(strstr(why, "checksum") != NULL);
	/* Facts for people from a newer program are let through. */
	assert_string_equal(refusal("# schema: 2\n", "# schema: 2\n# weather: fine\n"), "");
}

static void refuses_garbage(void **state)
{
	struct manifest m;
	char why[256], bin[64] = "# fieldstation export\n# format: 1\0\n";

	(void)state;
	assert_int_equal(manifest_parse(&m, "", 0, why, sizeof(why)), -1);
	manifest_free(&m);
	assert_int_equal(manifest_parse(&m, bin, 40, why, sizeof(why)), -1);
	manifest_free(&m);
	assert_int_equal(manifest_parse(&m, "\x89PNG\r\n", 6, why, sizeof(why)), -1);
	manifest_free(&m);
}

/* A station name from another station's database (an office's export)
 * can neither add a line to the manifest nor put ESC in it. */
static void names_cannot_forge_a_line(void **state)
{
	struct manifest m, back;
	char why[256], *text;
	size_t len;

	(void)state;
	sample(&m);
	snprintf(m.name, sizeof(m.name), "Tr\xE1\xBA\xA1m\n# uid: ffffffffffffffffffffffffffffffff\x1b[41m");
	text = manifest_format(&m, 7 * 3600, &len);
	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	assert_null(memchr(text, 0x1b, len));
	assert_non_null(strstr(text, "# name: Tr\xE1\xBA\xA1m\xEF\xBF\xBD# uid: ffff"));
	assert_int_equal(manifest_parse(&back, text, len, why, sizeof(why)), 0);
	assert_string_equal(back.uid, "0123456789abcdef0123456789abcdef");
	free(text);
	manifest_free(&m);
	manifest_free(&back);
}

static struct signkey station_key(void)
{
	struct signkey k;
	char *dir = test_mkdir(), why[512], path[600];

	snprintf(path, sizeof(path), "%s/station.key", dir);
	if (signkey_make(path, "00112233aabbccdd", 1780265400, &k, why, sizeof(why)) != 0)
		fail_msg("%s", why);
	test_rmdir(dir);
	return k;
}

/* The sample, signed by k: the text (the caller frees). */
static char *signed_sample(const struct signkey *k, size_t *len)
{
	struct manifest m;
	char *text;

	sample(&m);
	memcpy(m.key, k->public_key, SIGN_PUBLIC_BYTES);
	m.has_key = true;
	snprintf(m.board, sizeof(m.board), "8899aabbccddeeff");
	snprintf(m.key_board, sizeof(m.key_board), "%s", k->board);
	text = manifest_format(&m, 7 * 3600, len);
	assert_non_null(text);
	assert_int_equal(manifest_sign(&text, len, k), 0);
	manifest_free(&m);
	return text;
}

static void a_station_signs_its_manifest(void **state)
{
	struct signkey k = station_key();
	struct manifest back;
	char why[256], *text, *sig;
	size_t len;

	(void)state;
	text_init("en");
	text = signed_sample(&k, &len);
	assert_int_equal(strlen(text), len);
	/* The signature is the last line; the key and the boards are facts. */
	sig = strstr(text, "\n# signature: ");
	assert_non_null(sig);
	assert_int_equal(strlen(sig), strlen("\n# signature: \n") + 128);
	assert_non_null(strstr(text, "\n# board: 8899aabbccddeeff\n# key-board: 00112233aabbccdd\n"));
	assert_int_equal(manifest_parse(&back, text, len, why, sizeof(why)), 0);
	assert_true(back.has_key && back.has_signature);
	assert_memory_equal(back.key, k.public_key, SIGN_PUBLIC_BYTES);
	assert_string_equal(back.board, "8899aabbccddeeff");
	assert_string_equal(back.key_board, "00112233aabbccdd");
	assert_int_equal(back.signed_len, (size_t)(sig + 1 - text));
	assert_int_equal(manifest_verify(&back, text, why, sizeof(why)), 0);
	manifest_free(&back);
	free(text);
	signkey_wipe(&k);
}

static void one_byte_changed_anywhere_is_refused(void **state)
{
	struct signkey k = station_key();
	struct manifest back;
	char why[256], *text;
	size_t len;
	int parse_refused = 0, verify_refused = 0;

	(void)state;
	text_init("en");
	text = signed_sample(&k, &len);
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit += 5) {
			text[i] ^= (char)(1 << bit);
			if (manifest_parse(&back, text, len, why, sizeof(why)) < 0) {
				parse_refused++;
			} else if (manifest_verify(&back, text, why, sizeof(why)) < 0) {
				verify_refused++;
			} else {
				fail_msg("byte %zu (bit %d) changed and still taken", i, bit);
			}
			manifest_free(&back);
			text[i] ^= (char)(1 << bit);
		}
	}
	/* Many changes still read as a manifest: the signature refuses them. */
	print_message("%d changes refused by the parser, %d by the signature\n", parse_refused,
		      verify_refused);
	assert_true(verify_refused > (int)len / 4);
	/* Cut short, or with a line added after the signature. */
	assert_int_equal(manifest_parse(&back, text, len - 2, why, sizeof(why)), -1);
	manifest_free(&back);
	text = realloc(text, len + 32);
	memcpy(text + len, "# extra: x\n", 12);
	assert_int_equal(manifest_parse(&back, text, len + 11, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "signature is not the last line"));
	manifest_free(&back);
	free(text);
	signkey_wipe(&k);
}

static void another_key_or_none_is_refused(void **state)
{
	struct signkey k = station_key(), thief = station_key();
	struct manifest back;
	char why[256], *text, *at, hex[65];
	size_t len;

	(void)state;
	text_init("en");
	/* Resigned by someone else, who names the station's key: refused. */
	text = signed_sample(&thief, &len);
	for (int i = 0; i < SIGN_PUBLIC_BYTES; i++) {
		sprintf(hex + 2 * i, "%02x", thief.public_key[i]);
		sprintf(why + 2 * i, "%02x", k.public_key[i]);
	}
	at = strstr(text, hex);
	assert_non_null(at);
	memcpy(at, why, 64);
	assert_int_equal(manifest_parse(&back, text, len, why, sizeof(why)), 0);
	assert_int_equal(manifest_verify(&back, text, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "signature does not match"));
	manifest_free(&back);
	free(text);
	/* The signature line taken away: read, but not signed. */
	text = signed_sample(&k, &len);
	at = strstr(text, "# signature: ");
	*at = '\0';
	assert_int_equal(manifest_parse(&back, text, strlen(text), why, sizeof(why)), 0);
	assert_int_equal(manifest_verify(&back, text, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not signed"));
	manifest_free(&back);
	free(text);
	/* A signature and no key; a key twice. */
	assert_non_null(strstr(refusal("  sao-luu.db\n",
				       "  sao-luu.db\n# signature: "
				       "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\n"),
			       "names no key"));
	signkey_wipe(&k);
	signkey_wipe(&thief);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(a_delta_names_its_base),
		cmocka_unit_test(names_cannot_forge_a_line),
		cmocka_unit_test(sha256sum_checks_the_folder),
		cmocka_unit_test(refuses_what_it_cannot_trust),
		cmocka_unit_test(refuses_garbage),
		cmocka_unit_test(a_station_signs_its_manifest),
		cmocka_unit_test(one_byte_changed_anywhere_is_refused),
		cmocka_unit_test(another_key_or_none_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
