/* Signing: a signature holds for exactly what was signed, under its own
 * context and key; a station's key file is made once, readable by the
 * station only, never followed through a link, never replaced in silence
 * when it is lost or damaged; the database remembers which key it had and
 * never holds the secret; a card started on another board says so. */
#include "testsql.h"

#include "signing.h"
#include "store.h"
#include "text.h"

#include <sys/stat.h>

static char *dir;

static int each_setup(void **state)
{
	(void)state;
	dir = test_mkdir();
	unsetenv("FIELDSTATION_BOARD");
	return 0;
}

static int each_teardown(void **state)
{
	(void)state;
	test_rmdir(dir);
	unsetenv("FIELDSTATION_BOARD");
	return 0;
}

static void make_key(const char *name, struct signkey *k)
{
	char why[512];

	if (signkey_make(path_in(dir, name), "0123456789abcdef", 1780265400, k, why,
			 sizeof(why)) != 0)
		fail_msg("make: %s", why);
}

static void a_signature_holds_for_what_was_signed_only(void **state)
{
	static const char text[] = "# fieldstation export\n# station: PT01\n";
	struct signkey k, other;
	uint8_t sig[SIGN_BYTES], bad[SIGN_BYTES];
	char copy[sizeof(text)];

	(void)state;
	make_key("a.key", &k);
	make_key("b.key", &other);
	sign_data(&k, SIGN_CONTEXT_MANIFEST, text, strlen(text), sig);
	assert_true(sign_verify(k.public_key, SIGN_CONTEXT_MANIFEST, text, strlen(text), sig));
	/* Any byte of the text changed, by one bit. */
	for (size_t i = 0; i < strlen(text); i++) {
		memcpy(copy, text, sizeof(text));
		copy[i] ^= 1;
		assert_false(sign_verify(k.public_key, SIGN_CONTEXT_MANIFEST, copy, strlen(text), sig));
	}
	/* Shorter, or longer. */
	assert_false(sign_verify(k.public_key, SIGN_CONTEXT_MANIFEST, text, strlen(text) - 1, sig));
	assert_false(sign_verify(k.public_key, SIGN_CONTEXT_MANIFEST, text, strlen(text) + 1, sig));
	/* Any byte of the signature. */
	for (int i = 0; i < SIGN_BYTES; i++) {
		memcpy(bad, sig, sizeof(bad));
		bad[i] ^= 0x80;
		assert_false(sign_verify(k.public_key, SIGN_CONTEXT_MANIFEST, text, strlen(text), bad));
	}
	/* Another use, another key. */
	assert_false(sign_verify(k.public_key, "fieldstation update", text, strlen(text), sig));
	assert_false(sign_verify(other.public_key, SIGN_CONTEXT_MANIFEST, text, strlen(text), sig));
	signkey_wipe(&k);
	signkey_wipe(&other);
}

static void a_fingerprint_is_short_and_fixed(void **state)
{
	uint8_t zero[SIGN_PUBLIC_BYTES] = { 0 };
	char fp[SIGN_FINGERPRINT_LEN];

	(void)state;
	/* SHA-256 of 32 zero bytes begins 66687aadf862bd77. */
	sign_fingerprint(zero, fp);
	assert_string_equal(fp, "6668-7AAD-F862-BD77");
	zero[31] = 1;
	sign_fingerprint(zero, fp);
	assert_string_not_equal(fp, "6668-7AAD-F862-BD77");
	assert_int_equal(strlen(fp), 19);
}

static void a_key_file_is_the_stations_alone(void **state)
{
	struct signkey k, back, again;
	struct stat st;
	char why[512], before[4096];
	FILE *f;
	size_t n;

	(void)state;
	make_key("station.key", &k);
	assert_int_equal(stat(path_in(dir, "station.key"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(signkey_load(path_in(dir, "station.key"), &back, why, sizeof(why)), 0);
	assert_memory_equal(back.public_key, k.public_key, SIGN_PUBLIC_BYTES);
	assert_memory_equal(back.secret, k.secret, sizeof(k.secret));
	assert_string_equal(back.board, "0123456789abcdef");
	assert_int_equal(back.made, 1780265400);
	/* Never made over an existing one. */
	f = fopen(path_in(dir, "station.key"), "r");
	n = fread(before, 1, sizeof(before), f);
	fclose(f);
	assert_int_equal(signkey_make(path_in(dir, "station.key"), "", 1, &again, why, sizeof(why)),
			 -1);
	assert_non_null(strstr(why, "already exists"));
	f = fopen(path_in(dir, "station.key"), "r");
	assert_int_equal(fread(why, 1, sizeof(why), f), n);
	fclose(f);
	assert_memory_equal(why, before, n);
	assert_int_equal(signkey_load(path_in(dir, "none.key"), &back, why, sizeof(why)),
			 SIGNKEY_MISSING);
	signkey_wipe(&k);
	signkey_wipe(&back);
}

/* Loads dir/name, refused with rc; returns the refusal. */
static const char *refusal_of(const char *name, int rc)
{
	static char why[512];
	struct signkey k;

	why[0] = '\0';
	assert_int_equal(signkey_load(path_in(dir, name), &k, why, sizeof(why)), rc);
	assert_true(strlen(why) > 0);
	return why;
}

/* Changes one hex digit of the secret in a key file. */
static void change_seed(const char *name)
{
	char text[1024], *at;
	FILE *f = fopen(path_in(dir, name), "r+");
	size_t n;

	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	at = strstr(text, "\nseed: ");
	assert_non_null(at);
	at += 7;
	*at = *at == '0' ? '1' : '0';
	rewind(f);
	fwrite(text, 1, n, f);
	fclose(f);
}

static void a_bad_key_file_is_a_sentence(void **state)
{
	struct signkey k;
	char cmd[1200];

	(void)state;
	text_init("en");
	make_key("good.key", &k);
	signkey_wipe(&k);
	/* A link, to a good key even. */
	assert_int_equal(symlink(path_in(dir, "good.key"), path_in(dir, "link.key")), 0);
	assert_non_null(strstr(refusal_of("link.key", -1), "symbolic link"));
	/* Readable by others. */
	snprintf(cmd, sizeof(cmd), "cp -p '%s' '%s' && chmod 644 '%s'", path_in(dir, "good.key"),
		 path_in(dir, "open.key"), path_in(dir, "open.key"));
	assert_int_equal(system(cmd), 0);
	assert_non_null(strstr(refusal_of("open.key", -1), "can be read by others (mode 0644)"));
	/* Not a file: a folder, a FIFO (which must not hang). */
	mkdir(path_in(dir, "dir.key"), 0700);
	assert_non_null(strstr(refusal_of("dir.key", -1), "not a plain file"));
	assert_int_equal(mkfifo(path_in(dir, "fifo.key"), 0600), 0);
	assert_non_null(strstr(refusal_of("fifo.key", -1), "not a plain file"));
	/* Damaged: a digit of the secret changed, a line lost, garbage. */
	snprintf(cmd, sizeof(cmd), "cp -p '%s' '%s'", path_in(dir, "good.key"), path_in(dir, "bit.key"));
	assert_int_equal(system(cmd), 0);
	change_seed("bit.key");
	assert_non_null(strstr(refusal_of("bit.key", SIGNKEY_DAMAGED), "damaged"));
	snprintf(cmd, sizeof(cmd), "grep -v '^public' '%s' >'%s' && chmod 600 '%s'",
		 path_in(dir, "good.key"), path_in(dir, "short.key"), path_in(dir, "short.key"));
	assert_int_equal(system(cmd), 0);
	assert_non_null(strstr(refusal_of("short.key", SIGNKEY_DAMAGED), "missing"));
	test_write(dir, "junk.key", "\x7f" "ELF\1\1\1");
	chmod(path_in(dir, "junk.key"), 0600);
	assert_non_null(strstr(refusal_of("junk.key", SIGNKEY_DAMAGED), "damaged"));
	snprintf(cmd, sizeof(cmd), "sed 's/^format: 1/format: 2/' '%s' >'%s' && chmod 600 '%s'",
		 path_in(dir, "good.key"), path_in(dir, "newer.key"), path_in(dir, "newer.key"));
	assert_int_equal(system(cmd), 0);
	assert_non_null(strstr(refusal_of("newer.key", -1), "newer fieldstation"));
}

static void the_board_is_told_apart(void **state)
{
	char a[SIGN_BOARD_LEN], b[SIGN_BOARD_LEN], a2[SIGN_BOARD_LEN], here[SIGN_BOARD_LEN];

	(void)state;
	setenv("FIELDSTATION_BOARD", "10000000abcdef01", 1);
	sign_board_id(a);
	sign_board_id(a2);
	setenv("FIELDSTATION_BOARD", "10000000abcdef02", 1);
	sign_board_id(b);
	assert_int_equal(strlen(a), 16);
	assert_string_equal(a, a2);
	assert_string_not_equal(a, b);
	/* The serial itself is not shown: a digest of it. */
	assert_null(strstr(a, "abcdef01"));
	unsetenv("FIELDSTATION_BOARD");
	sign_board_id(here);
	assert_true(strlen(here) == 0 || strlen(here) == 16);
}

static struct store *open_db(const char *name)
{
	struct store *s;
	char err[512];

	assert_int_equal(store_open(path_in(dir, name), 0, &s, err, sizeof(err)), 0);
	return s;
}

/* Does the file hold these bytes anywhere? */
static bool file_holds(const char *path, const void *bytes, size_t n)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t len;
	bool found = false;

	if (!f)
		return false;
	buf = malloc(1 << 22);
	len = fread(buf, 1, 1 << 22, f);
	fclose(f);
	for (size_t i = 0; i + n <= len && !found; i++)
		found = memcmp(buf + i, bytes, n) == 0;
	free(buf);
	return found;
}

static void the_station_makes_its_key_once(void **state)
{
	struct station_key sk, again, renewed;
	struct store *s = open_db("station.db");
	char recorded[128], hex[65], cmd[9000];
	struct stat st;

	(void)state;
	text_init("en");
	setenv("FIELDSTATION_BOARD", "board-one", 1);
	/* status and check make nothing. */
	assert_int_equal(station_key_open(&sk, path_in(dir, "station.db"), s, false, false, 1), -1);
	assert_non_null(strstr(sk.problem, "no signing key yet"));
	assert_int_not_equal(stat(path_in(dir, "station.key"), &st), 0);
	/* The first start makes it, beside the database. */
	assert_int_equal(station_key_open(&sk, path_in(dir, "station.db"), s, true, true, 1780265400),
			 0);
	assert_true(sk.ok && sk.made_now && !sk.other_board);
	assert_string_equal(sk.path, path_in(dir, "station.key"));
	assert_int_equal(stat(sk.path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(strlen(sk.fingerprint), 19);
	/* The database remembers the public key, and never holds the secret. */
	assert_int_equal(store_meta_get(s, "signing_key", recorded, sizeof(recorded)), 0);
	for (int i = 0; i < SIGN_PUBLIC_BYTES; i++)
		sprintf(hex + 2 * i, "%02x", sk.key.public_key[i]);
	assert_string_equal(recorded, hex);
	store_close(s);
	assert_false(file_holds(path_in(dir, "station.db"), sk.key.secret, 32));
	assert_false(file_holds(path_in(dir, "station.db-wal"), sk.key.secret, 32));
	for (int i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", sk.key.secret[i]);
	assert_false(file_holds(path_in(dir, "station.db"), hex, 64));
	assert_false(file_holds(path_in(dir, "station.db-wal"), hex, 64));
	/* The next start takes the same key. */
	s = open_db("station.db");
	assert_int_equal(station_key_open(&again, path_in(dir, "station.db"), s, true, true, 2), 0);
	assert_false(again.made_now);
	assert_string_equal(again.fingerprint, sk.fingerprint);
	station_key_close(&again);

	/* The local backups keep a copy, the station's alone. */
	assert_int_equal(stat(path_in(dir, "backups/station.key"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* Lost: the copy takes its place. */
	snprintf(cmd, sizeof(cmd), "cp -p '%s' '%s'", sk.path, path_in(dir, "orig.key"));
	assert_int_equal(system(cmd), 0);
	assert_int_equal(unlink(sk.path), 0);
	assert_int_equal(station_key_open(&again, path_in(dir, "station.db"), s, true, true, 3), 0);
	assert_true(again.ok && again.restored && !again.made_now && !again.changed);
	assert_string_equal(again.fingerprint, sk.fingerprint);
	assert_int_equal(stat(sk.path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	station_key_close(&again);
	/* Damaged: likewise, and the damaged file is kept aside. */
	snprintf(cmd, sizeof(cmd), "echo broken >'%s'; chmod 600 '%s'; ls '%s' | grep -c damaged- | grep -qx 0",
		 sk.path, sk.path, dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(station_key_open(&again, path_in(dir, "station.db"), s, true, true, 1780300000), 0);
	assert_true(again.ok && again.restored);
	assert_string_equal(again.fingerprint, sk.fingerprint);
	station_key_close(&again);
	snprintf(cmd, sizeof(cmd), "grep -qx broken '%s'/station.key.damaged-*", dir);
	assert_int_equal(system(cmd), 0);
	/* A copy that is not the key the database remembers is not taken. */
	{
		struct signkey other;
		char why[640];

		assert_int_equal(unlink(path_in(dir, "backups/station.key")), 0);
		assert_int_equal(signkey_make(path_in(dir, "backups/station.key"), "", 1, &other, why,
					      sizeof(why)), 0);
		signkey_wipe(&other);
	}
	assert_int_equal(unlink(sk.path), 0);
	assert_int_equal(station_key_open(&again, path_in(dir, "station.db"), s, true, true, 3), -1);
	assert_false(again.restored);
	assert_int_not_equal(stat(sk.path, &st), 0);
	assert_int_equal(unlink(path_in(dir, "backups/station.key")), 0);
	assert_int_equal(rename(path_in(dir, "orig.key"), sk.path), 0);

	/* Lost with no copy to come back from: told, and no new key made in
	 * silence. */
	snprintf(cmd, sizeof(cmd), "mv '%s' '%s'", sk.path, path_in(dir, "kept.key"));
	assert_int_equal(system(cmd), 0);
	assert_int_equal(station_key_open(&again, path_in(dir, "station.db"), s, true, true, 3), -1);
	assert_non_null(strstr(again.problem, "is missing, though this station had one"));
	assert_non_null(strstr(again.problem, sk.fingerprint));
	assert_int_not_equal(stat(sk.path, &st), 0);
	/* Another key in its place (the database restored from a backup
	 * older than a new key, say): it signs, the change is remembered. */
	{
		struct signkey other;

		make_key("station.key", &other);
		signkey_wipe(&other);
	}
	assert_int_equal(station_key_open(&again, path_in(dir, "station.db"), s, true, true, 3), 0);
	assert_true(again.ok && again.changed);
	assert_string_equal(again.was, sk.fingerprint);
	station_key_close(&again);
	assert_int_equal(station_key_open(&again, path_in(dir, "station.db"), s, true, true, 3), 0);
	assert_false(again.changed);
	station_key_close(&again);
	/* A key file left half-made by a power cut goes at the next start. */
	test_write(dir, "station.key.tmp", "half");
	assert_int_equal(station_key_open(&again, path_in(dir, "station.db"), s, false, false, 3), 0);
	assert_int_equal(stat(path_in(dir, "station.key.tmp"), &st), 0);
	assert_int_equal(station_key_open(&again, path_in(dir, "station.db"), s, true, true, 3), 0);
	assert_int_not_equal(stat(path_in(dir, "station.key.tmp"), &st), 0);
	station_key_close(&again);
	/* A new key by hand: the old file kept aside, the database told. */
	assert_int_equal(station_key_renew(&renewed, path_in(dir, "station.db"), s, 1780300000), 0);
	assert_string_not_equal(renewed.fingerprint, sk.fingerprint);
	snprintf(cmd, sizeof(cmd), "ls '%s' | grep -c '^station.key.old-'", dir);
	{
		FILE *p = popen(cmd, "r");
		char count[16] = "";

		assert_non_null(fgets(count, sizeof(count), p));
		pclose(p);
		assert_string_equal(count, "1\n");
	}
	assert_int_equal(station_key_open(&again, path_in(dir, "station.db"), s, true, true, 4), 0);
	assert_string_equal(again.fingerprint, renewed.fingerprint);
	station_key_close(&again);
	station_key_close(&renewed);
	station_key_close(&sk);
	store_close(s);
}

static void a_card_on_another_board_says_so(void **state)
{
	struct station_key sk;
	struct store *s = open_db("station.db");

	(void)state;
	text_init("en");
	setenv("FIELDSTATION_BOARD", "board-one", 1);
	assert_int_equal(station_key_open(&sk, path_in(dir, "station.db"), s, true, true, 1), 0);
	assert_false(sk.other_board);
	assert_string_equal(sk.problem, "");
	station_key_close(&sk);
	/* The same card in another board: it still signs, and says so. */
	setenv("FIELDSTATION_BOARD", "board-two", 1);
	assert_int_equal(station_key_open(&sk, path_in(dir, "station.db"), s, true, true, 2), 0);
	assert_true(sk.ok && sk.other_board);
	assert_non_null(strstr(sk.problem, "made on another board"));
	assert_non_null(strstr(sk.problem, sk.key.board));
	assert_non_null(strstr(sk.problem, sk.board));
	station_key_close(&sk);
	store_close(s);
}

/* The cooperative's release key: a secret file for the office, a public
 * one for the stations; a station's key file is not a release key, and a
 * release key's public half is all a station needs to check it. */
static void a_release_key_is_a_pair_of_files(void **state)
{
	static const char text[] = "# fieldstation update\nversion: 0.3.0\n";
	struct signkey k, back;
	uint8_t pk[SIGN_PUBLIC_BYTES], sig[SIGN_BYTES];
	struct stat st;
	char why[512];

	(void)state;
	assert_int_equal(releasekey_make(path_in(dir, "release.key"), 1780000000, &k, why,
					 sizeof(why)), 0);
	assert_int_equal(stat(path_in(dir, "release.key"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(path_in(dir, "release.key.pub"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(releasekey_load(path_in(dir, "release.key"), &back, why, sizeof(why)), 0);
	assert_memory_equal(back.public_key, k.public_key, SIGN_PUBLIC_BYTES);
	assert_int_equal(releasekey_load_public(path_in(dir, "release.key.pub"), pk, why,
						sizeof(why)), 0);
	assert_memory_equal(pk, k.public_key, SIGN_PUBLIC_BYTES);
	sign_data(&back, SIGN_CONTEXT_UPDATE, text, strlen(text), sig);
	assert_true(sign_verify(pk, SIGN_CONTEXT_UPDATE, text, strlen(text), sig));
	/* Never made over what is there. */
	assert_int_equal(releasekey_make(path_in(dir, "release.key"), 1, &back, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "already exists"));
	assert_int_equal(releasekey_load_public(path_in(dir, "release.key.pub"), pk, why,
						sizeof(why)), 0);
	assert_memory_equal(pk, k.public_key, SIGN_PUBLIC_BYTES);
	/* The secret file is not a station's key, nor the other way round. */
	assert_int_equal(signkey_load(path_in(dir, "release.key"), &back, why, sizeof(why)),
			 SIGNKEY_DAMAGED);
	make_key("station.key", &back);
	assert_int_equal(releasekey_load(path_in(dir, "station.key"), &back, why, sizeof(why)),
			 SIGNKEY_DAMAGED);
	/* Readable by others, the secret is refused, saying why. */
	chmod(path_in(dir, "release.key"), 0640);
	assert_int_equal(releasekey_load(path_in(dir, "release.key"), &back, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "can be read by others"));
	signkey_wipe(&k);
	signkey_wipe(&back);
}

static void a_public_key_file_is_read_strictly(void **state)
{
	static const struct {
		const char *text;
		int rc;
	} cases[] = {
		{ "# a comment\n\npublic: " "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n", 0 },
		{ "public: 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\r\n", 0 },
		{ "public: 00112233\n", SIGNKEY_DAMAGED },
		{ "public: 00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff\n", SIGNKEY_DAMAGED },
		{ "# nothing\n", SIGNKEY_DAMAGED },
		{ "public: 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n"
		  "public: 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n", SIGNKEY_DAMAGED },
		{ "seed: 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n", SIGNKEY_DAMAGED },
	};
	uint8_t pk[SIGN_PUBLIC_BYTES];
	char why[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		test_write(dir, "k.pub", cases[i].text);
		if (releasekey_load_public(path_in(dir, "k.pub"), pk, why, sizeof(why)) != cases[i].rc)
			fail_msg("case %zu: %s", i, why);
	}
	assert_int_equal(releasekey_load_public(path_in(dir, "none.pub"), pk, why, sizeof(why)),
			 SIGNKEY_MISSING);
	/* A link is not followed, a FIFO not opened for reading. */
	assert_int_equal(symlink(path_in(dir, "k.pub"), path_in(dir, "link.pub")), 0);
	assert_int_equal(releasekey_load_public(path_in(dir, "link.pub"), pk, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "symbolic link"));
	assert_int_equal(mkfifo(path_in(dir, "fifo.pub"), 0644), 0);
	assert_int_equal(releasekey_load_public(path_in(dir, "fifo.pub"), pk, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not a plain file"));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, each_setup, each_teardown)
	const struct CMUnitTest tests[] = {
		T(a_signature_holds_for_what_was_signed_only),
		T(a_fingerprint_is_short_and_fixed),
		T(a_key_file_is_the_stations_alone),
		T(a_bad_key_file_is_a_sentence),
		T(the_board_is_told_apart),
		T(the_station_makes_its_key_once),
		T(a_card_on_another_board_says_so),
		T(a_release_key_is_a_pair_of_files),
		T(a_public_key_file_is_read_strictly),
	};

	text_init("en");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
