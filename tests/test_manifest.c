/* The manifest: what an export writes reads back the same, `sha256sum -c`
 * can check it, and a manifest from a stick that is damaged or made up is
 * refused with its reason, never trusted in part. */
#include "testlib.h"

#include "manifest.h"
#include "text.h"

static const uint8_t sha_a[SHA256_BYTES] = { 0xba, 0x78, 0x16, 0xbf, 1, 2, 3 };
static const uint8_t sha_b[SHA256_BYTES] = { 0xff, 0, 0xee };

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
	text = manifest_format(&m, 0, &len);
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
	assert_non_null(strstr(refusal("# format: 1", "# format: 2"), "newer"));
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(names_cannot_forge_a_line),
		cmocka_unit_test(sha256sum_checks_the_folder),
		cmocka_unit_test(refuses_what_it_cannot_trust),
		cmocka_unit_test(refuses_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
