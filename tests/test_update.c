/* A new version on a stick: the station offers exactly a package signed
 * with its release key, for its board, newer than what it runs, whose
 * file is the one that was signed; everything else is refused in one
 * sentence, and nothing on the stick is followed through a link or
 * opened unless it is a plain file. The office's publish-update writes
 * what a station takes. */
#include "testsql.h"

#include "offer.h"
#include "signing.h"
#include "text.h"
#include "update.h"

#include <fcntl.h>
#include <sys/stat.h>

static char *dir;		/* the office's */
static char *stick;
static struct signkey release;

static int each_setup(void **state)
{
	char why[512];

	(void)state;
	dir = test_mkdir();
	stick = test_mkdir();
	assert_int_equal(releasekey_make(path_in(dir, "release.key"), 1780000000, &release, why,
					 sizeof(why)), 0);
	return 0;
}

static int each_teardown(void **state)
{
	(void)state;
	signkey_wipe(&release);
	test_rmdir(dir);
	test_rmdir(stick);
	return 0;
}

static void run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("%s", cmd);
}

/* A Debian package of name, version and arch, built in the office's
 * folder; its path. */
static const char *make_deb(const char *name, const char *version, const char *arch)
{
	static char path[600];

	run("set -e; d='%s/pkg'; rm -rf \"$d\"; mkdir -p \"$d/DEBIAN\" \"$d/usr/bin\"; "
	    "printf 'Package: %s\\nVersion: %s\\nArchitecture: %s\\nMaintainer: t <t@t>\\n"
	    "Description: test\\n' >\"$d/DEBIAN/control\"; echo %s >\"$d/usr/bin/fs-test\"; "
	    "dpkg-deb -Zgzip -z1 --root-owner-group -b \"$d\" '%s/%s_%s_%s.deb' >/dev/null",
	    dir, name, version, arch, version, dir, name, version, arch);
	snprintf(path, sizeof(path), "%s/%s_%s_%s.deb", dir, name, version, arch);
	return path;
}

static void publish(const char *deb)
{
	char done[1024], why[1024];

	if (update_publish(deb, stick, path_in(dir, "release.key"), 1780000100, done, sizeof(done),
			   why, sizeof(why)) != 0)
		fail_msg("publish: %s", why);
}

static void find(const char *running, const char *arch, struct update_found *f)
{
	struct update_station st = {
		.release_key = path_in(dir, "release.key.pub"),
		.architecture = arch,
		.running = running,
	};

	update_find(stick, &st, f);
}

static const char *in_update(const char *name)
{
	static char p[2][700];
	static int i;

	i = !i;
	snprintf(p[i], sizeof(p[i]), "%s/%s/%s", stick, OFFER_UPDATE_DIR, name);
	return p[i];
}

static void has_dpkg(void)
{
	if (system("dpkg-deb --version >/dev/null 2>&1") != 0)
		skip();
}

static void a_newer_signed_package_for_this_board_is_offered(void **state)
{
	struct update_found f;
	struct stat st;

	(void)state;
	has_dpkg();
	publish(make_deb("fieldstation", "0.3.0", "arm64"));
	assert_int_equal(stat(in_update("fieldstation_0.3.0_arm64.update"), &st), 0);
	assert_int_equal(stat(in_update("fieldstation_0.3.0_arm64.deb"), &st), 0);
	find("0.2.0", "arm64", &f);
	assert_int_equal(f.what, FOUND_OFFER);
	assert_string_equal(f.offer.version, "0.3.0");
	assert_string_equal(f.offer.architecture, "arm64");
	assert_string_equal(f.offer.file, "fieldstation_0.3.0_arm64.deb");
	assert_string_equal(f.name, "fieldstation_0.3.0_arm64.update");
	assert_int_equal(f.offer.size, st.st_size);
	/* The newest of several; the other board's is passed over. */
	publish(make_deb("fieldstation", "0.3.1~rc1", "arm64"));
	publish(make_deb("fieldstation", "0.4.0", "armhf"));
	publish(make_deb("fieldstation", "0.2.5", "arm64"));
	find("0.2.0", "arm64", &f);
	assert_int_equal(f.what, FOUND_OFFER);
	assert_string_equal(f.offer.version, "0.3.1~rc1");
}

static void what_it_runs_already_is_nothing_to_say(void **state)
{
	struct update_found f;

	(void)state;
	has_dpkg();
	publish(make_deb("fieldstation", "0.3.0", "arm64"));
	publish(make_deb("fieldstation", "0.3.0", "armhf"));
	find("0.3.0", "arm64", &f);
	assert_int_equal(f.what, FOUND_NONE);
	/* No folder at all: nothing either. */
	run("rm -rf '%s/%s'", stick, OFFER_UPDATE_DIR);
	find("0.3.0", "arm64", &f);
	assert_int_equal(f.what, FOUND_NONE);
}

static void an_older_version_is_refused(void **state)
{
	struct update_found f;

	(void)state;
	has_dpkg();
	publish(make_deb("fieldstation", "0.1.9", "arm64"));
	find("0.2.0", "arm64", &f);
	assert_int_equal(f.what, FOUND_REFUSED);
	assert_string_equal(f.why, "Version 0.1.9 on the USB stick is older than the one running (0.2.0): it is not installed.");
}

static void another_boards_package_is_refused(void **state)
{
	struct update_found f;

	(void)state;
	has_dpkg();
	publish(make_deb("fieldstation", "0.3.0", "armhf"));
	find("0.2.0", "arm64", &f);
	assert_int_equal(f.what, FOUND_REFUSED);
	assert_string_equal(f.why, "Version 0.3.0 on the USB stick is for armhf boards; this station is arm64: it is not installed.");
}

static void another_package_is_refused(void **state)
{
	struct update_found f;
	char done[512], why[512];

	(void)state;
	has_dpkg();
	/* The office's tool refuses to sign it... */
	assert_int_equal(update_publish(make_deb("openssh-server", "9.9", "arm64"), stick,
					path_in(dir, "release.key"), 1, done, sizeof(done), why,
					sizeof(why)), -1);
	assert_non_null(strstr(why, "not the station's"));
	/* ... and a station refuses one signed all the same. */
	publish(make_deb("fieldstation", "0.3.0", "arm64"));
	run("cd '%s/%s' && sed -i 's/^package: fieldstation$/package: openssh-server/' "
	    "fieldstation_0.3.0_arm64.update", stick, OFFER_UPDATE_DIR);
	find("0.2.0", "arm64", &f);
	assert_int_equal(f.what, FOUND_REFUSED);
	assert_non_null(strstr(f.why, "not signed with the cooperative's release key"));
}

static void an_unsigned_package_is_refused(void **state)
{
	struct update_found f;

	(void)state;
	has_dpkg();
	run("mkdir '%s/%s' && cp '%s' '%s/%s/'", stick, OFFER_UPDATE_DIR,
	    make_deb("fieldstation", "0.3.0", "arm64"), stick, OFFER_UPDATE_DIR);
	find("0.2.0", "arm64", &f);
	assert_int_equal(f.what, FOUND_REFUSED);
	assert_string_equal(f.why, "The package on the USB stick has no signed description: it is not installed.");
}

/* Signs text under context with k into a description whose signature
 * line is replaced. */
static void resign(const char *path, const char *context, const struct signkey *k)
{
	char text[OFFER_MAX_BYTES + 200], hex[2 * SIGN_BYTES + 1];
	uint8_t sig[SIGN_BYTES];
	char *at;
	FILE *f = fopen(path, "r+");
	size_t n;

	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	at = strstr(text, "signature: ");
	assert_non_null(at);
	sign_data(k, context, text, (size_t)(at - text), sig);
	for (int i = 0; i < SIGN_BYTES; i++)
		snprintf(hex + 2 * i, 3, "%02x", sig[i]);
	snprintf(at, sizeof(text) - (size_t)(at - text), "signature: %s\n", hex);
	rewind(f);
	assert_int_equal(ftruncate(fileno(f), 0), 0);
	fputs(text, f);
	fclose(f);
}

static void only_the_release_keys_update_signature_counts(void **state)
{
	const char *desc = in_update("fieldstation_0.3.0_arm64.update");
	struct signkey other;
	struct update_found f;
	char why[512];

	(void)state;
	has_dpkg();
	publish(make_deb("fieldstation", "0.3.0", "arm64"));
	/* Signed again by the same key, for another use: an export's
	 * manifest, new settings. */
	resign(desc, SIGN_CONTEXT_MANIFEST, &release);
	find("0.2.0", "arm64", &f);
	assert_int_equal(f.what, FOUND_REFUSED);
	assert_non_null(strstr(f.why, "is not signed with the cooperative's release key"));
	resign(desc, SIGN_CONTEXT_SETTINGS, &release);
	find("0.2.0", "arm64", &f);
	assert_int_equal(f.what, FOUND_REFUSED);
	resign(desc, SIGN_CONTEXT_UPDATE, &release);
	find("0.2.0", "arm64", &f);
	assert_int_equal(f.what, FOUND_OFFER);
	/* Another key, naming itself. */
	assert_int_equal(releasekey_make(path_in(dir, "other.key"), 1, &other, why, sizeof(why)), 0);
	run("cd '%s/%s' && sed -i \"s/^key: .*/key: $(sed -n 's/^public: //p' '%s/other.key.pub')/\" "
	    "fieldstation_0.3.0_arm64.update", stick, OFFER_UPDATE_DIR, dir);
	resign(desc, SIGN_CONTEXT_UPDATE, &other);
	find("0.2.0", "arm64", &f);
	assert_int_equal(f.what, FOUND_REFUSED);
	{
		char fp[SIGN_FINGERPRINT_LEN], want[256];

		sign_fingerprint(other.public_key, fp);
		snprintf(want, sizeof(want), "Version 0.3.0 on the USB stick is not signed with the cooperative's release key (it names the key %s): it is not installed.", fp);
		assert_string_equal(f.why, want);
	}
	signkey_wipe(&other);
}

static void a_changed_package_is_refused(void **state)
{
	struct update_found f;

	(void)state;
	has_dpkg();
	publish(make_deb("fieldstation", "0.3.0", "arm64"));
	/* One byte of the package changed. */
	run("printf X | dd of='%s' bs=1 seek=100 conv=notrunc 2>/dev/null",
	    in_update("fieldstation_0.3.0_arm64.deb"));
	find("0.2.0", "arm64", &f);
	assert_int_equal(f.what, FOUND_REFUSED);
	assert_string_equal(f.why, "Version 0.3.0 on the USB stick cannot be installed: its file is not what was signed: damaged or changed.");
	/* One byte longer. */
	run("echo >>'%s'", in_update("fieldstation_0.3.0_arm64.deb"));
	find("0.2.0", "arm64", &f);
	assert_non_null(strstr(f.why, "its file is not the size that was signed"));
	/* Gone. */
	run("rm '%s'", in_update("fieldstation_0.3.0_arm64.deb"));
	find("0.2.0", "arm64", &f);
	assert_non_null(strstr(f.why, "its file is not there"));
}

static void nothing_on_the_stick_is_followed_or_opened_unless_plain(void **state)
{
	struct update_found f;
	const char *deb = in_update("fieldstation_0.3.0_arm64.deb");
	const char *desc = in_update("fieldstation_0.3.0_arm64.update");

	(void)state;
	has_dpkg();
	publish(make_deb("fieldstation", "0.3.0", "arm64"));
	/* The package a link to a good copy elsewhere. */
	run("mv '%s' '%s/elsewhere.deb' && ln -s '%s/elsewhere.deb' '%s'", deb, dir, dir, deb);
	find("0.2.0", "arm64", &f);
	assert_int_equal(f.what, FOUND_REFUSED);
	if (!strstr(f.why, "its file is a symbolic link"))
		fail_msg("%s", f.why);
	/* A FIFO in its place: refused at once, never opened for reading. */
	run("rm '%s' && mkfifo '%s'", deb, deb);
	find("0.2.0", "arm64", &f);
	assert_non_null(strstr(f.why, "its file is not a plain file"));
	run("rm '%s' && mv '%s/elsewhere.deb' '%s'", deb, dir, deb);
	/* The description a link. */
	run("mv '%s' '%s/d.update' && ln -s '%s/d.update' '%s'", desc, dir, dir, desc);
	find("0.2.0", "arm64", &f);
	assert_int_equal(f.what, FOUND_REFUSED);
	assert_non_null(strstr(f.why, "it is a symbolic link"));
	run("rm '%s' && mv '%s/d.update' '%s'", desc, dir, desc);
	/* A huge description: not read. */
	run("truncate -s 4G '%s/%s/huge.update'", stick, OFFER_UPDATE_DIR);
	find("0.2.0", "arm64", &f);
	assert_int_equal(f.what, FOUND_OFFER);
	run("mv '%s' '%s/x.update' && truncate -s 4G '%s'", desc, dir, desc);
	find("0.2.0", "arm64", &f);
	assert_int_equal(f.what, FOUND_REFUSED);
	assert_non_null(strstr(f.why, "it is far too large"));
	/* The folder itself a link to one that holds a good update. */
	run("rm -rf '%s/%s'; mkdir '%s/real'", stick, OFFER_UPDATE_DIR, dir);
	publish(make_deb("fieldstation", "0.3.0", "arm64"));
	run("mv '%s/%s' '%s/real/' && ln -s '%s/real/%s' '%s/%s'", stick, OFFER_UPDATE_DIR, dir,
	    dir, OFFER_UPDATE_DIR, stick, OFFER_UPDATE_DIR);
	find("0.2.0", "arm64", &f);
	assert_int_equal(f.what, FOUND_REFUSED);
	assert_string_equal(f.why, "fieldstation-update on the USB stick is not a folder: nothing is installed from it.");
}

static void a_station_without_its_release_key_takes_nothing(void **state)
{
	struct update_found f;

	(void)state;
	has_dpkg();
	publish(make_deb("fieldstation", "0.3.0", "arm64"));
	run("rm '%s/release.key.pub'", dir);
	find("0.2.0", "arm64", &f);
	assert_int_equal(f.what, FOUND_REFUSED);
	assert_non_null(strstr(f.why, "This station has no release key"));
	/* A link in its place is not the key. */
	run("ln -s /etc/passwd '%s/release.key.pub'", dir);
	find("0.2.0", "arm64", &f);
	assert_int_equal(f.what, FOUND_REFUSED);
	assert_non_null(strstr(f.why, "release key cannot be used"));
}

/* The description is read strictly. */
static void a_description_is_read_strictly(void **state)
{
	struct offer o = { .kind = OFFER_UPDATE, .size = 10, .made = 5 };
	char why[256], *text, *bad;
	size_t len;

	(void)state;
	snprintf(o.file, sizeof(o.file), "fieldstation_0.3.0_arm64.deb");
	snprintf(o.package, sizeof(o.package), "fieldstation");
	snprintf(o.version, sizeof(o.version), "0.3.0");
	snprintf(o.architecture, sizeof(o.architecture), "arm64");
	text = offer_format(&o, &release, &len);
	assert_non_null(text);
	assert_int_equal(offer_parse(&o, OFFER_UPDATE, text, len, why, sizeof(why)), 0);
	assert_true(offer_signed_by(&o, text, release.public_key));
	/* Not a settings description. */
	assert_int_equal(offer_parse(&o, OFFER_SETTINGS, text, len, why, sizeof(why)), -1);
	assert_string_equal(why, "line 1: it does not start as new settings' description");
	{
		static const struct {
			const char *from, *to, *why;
		} edits[] = {
			{ "version: 0.3.0", "version: 0.3.0\nversion: 0.4.0", "line 8: a line is there twice" },
			{ "version: 0.3.0", "version: a.3", "line 7: the version is not a Debian package's" },
			{ "version: 0.3.0", "version: 0.3.0\033[2J", "line 7: it holds a byte that is not plain text" },
			{ "version: 0.3.0", "station: PT01", "line 7: a line is not what the description holds" },
			{ "version: 0.3.0\n", "", "a part of it is missing" },
			{ "file: fieldstation", "file: ../fieldstation", "line 3: the file's name is not one the office writes" },
			{ "file: fieldstation", "file: /fieldstation", "line 3: the file's name is not one the office writes" },
			{ "size: 10", "size: -10", "line 4: the size is not a number" },
			{ "size: 10", "size: 10 ", "line 4: the size is not a number" },
			{ "format: 1", "format: 2", "line 2: it was made by a newer fieldstation" },
			{ "made: 5\n", "made: 5\nsignature: 00\n", "line 10: the signature is 128 hex digits" },
			{ "architecture: arm64", "architecture: ARM64", "line 8: the architecture is not a Debian one" },
		};

		for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
			char *at = strstr(text, edits[i].from);
			size_t blen;

			assert_non_null(at);
			blen = len - strlen(edits[i].from) + strlen(edits[i].to);
			bad = malloc(blen + 1);
			snprintf(bad, blen + 1, "%.*s%s%s", (int)(at - text), text, edits[i].to,
				 at + strlen(edits[i].from));
			assert_int_equal(offer_parse(&o, OFFER_UPDATE, bad, blen, why, sizeof(why)), -1);
			if (strcmp(why, edits[i].why) != 0)
				fail_msg("edit %zu: \"%s\", not \"%s\"", i, why, edits[i].why);
			free(bad);
		}
	}
	/* A line after the signature; no signature; no end of line. */
	bad = malloc(len + 20);
	snprintf(bad, len + 20, "%sx: y\n", text);
	assert_int_equal(offer_parse(&o, OFFER_UPDATE, bad, strlen(bad), why, sizeof(why)), -1);
	assert_string_equal(why, "line 12: the signature is not the last line");
	snprintf(bad, len + 20, "%.*s", (int)(strstr(text, "signature: ") - text), text);
	assert_int_equal(offer_parse(&o, OFFER_UPDATE, bad, strlen(bad), why, sizeof(why)), -1);
	assert_string_equal(why, "it is not signed");
	assert_int_equal(offer_parse(&o, OFFER_UPDATE, text, len - 1, why, sizeof(why)), -1);
	free(bad);
	free(text);
}

#define T(f) cmocka_unit_test_setup_teardown(f, each_setup, each_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(a_newer_signed_package_for_this_board_is_offered),
		T(what_it_runs_already_is_nothing_to_say),
		T(an_older_version_is_refused),
		T(another_boards_package_is_refused),
		T(another_package_is_refused),
		T(an_unsigned_package_is_refused),
		T(only_the_release_keys_update_signature_counts),
		T(a_changed_package_is_refused),
		T(nothing_on_the_stick_is_followed_or_opened_unless_plain),
		T(a_station_without_its_release_key_takes_nothing),
		T(a_description_is_read_strictly),
	};

	text_init("en");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
