/* New settings on a stick: a station takes only its own, signed with the
 * office's key, without a mistake `fieldstation check` would find, newer
 * than those it put in place last; it says what would change in the
 * farmer's words, by names; nothing on the stick is followed through a
 * link. The office's publish-settings refuses a file with a mistake. */
#include "testsql.h"

#include "newsettings.h"
#include "offer.h"
#include "signing.h"
#include "text.h"

#include <sys/stat.h>

static char *dir, *stick;
static struct signkey office;

static const char current[] =
	"[station]\nname = HTX Phước Thiện - trạm 1\ncode = PT01\n\n"
	"[tariff]\nprice_peak = 3640\n\n"
	"[zone.mit]\nname = Mít ruột đỏ\npump = p1\nmoisture_low = 30\n\n"
	"[zone.vu]\nname = Vú sữa\npump = p1\n\n"
	"[sensor.soil1]\ndriver = sim\nzone = mit\nmodel = soil-jxct\n\n"
	"[pump.p1]\nname = Bơm 1\ndriver = sim\npower_kw = 1.5\n\n"
	"[worker.w1]\nname = Lê Văn Tư\n";

static const char next[] =
	"[station]\nname = HTX Phước Thiện - trạm 1\ncode = PT01\n\n"
	"[tariff]\nprice_peak = 3900\n\n"
	"[zone.mit]\nname = Mít ruột đỏ\npump = p2\n\n"
	"[zone.sr]\nname = Sầu riêng\npump = p2\n\n"
	"[pump.p1]\nname = Bơm 1\ndriver = sim\npower_kw = 2.2\n\n"
	"[pump.p2]\nname = Bơm giếng\ndriver = sim\npower_kw = 3\n\n"
	"[worker.w1]\nname = Lê Văn Tư\n";

static int each_setup(void **state)
{
	char why[512];

	(void)state;
	dir = test_mkdir();
	stick = test_mkdir();
	assert_int_equal(releasekey_make(path_in(dir, "office.key"), 1, &office, why, sizeof(why)), 0);
	test_write(dir, "fieldstation.ini", current);
	return 0;
}

static int each_teardown(void **state)
{
	(void)state;
	signkey_wipe(&office);
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

static void publish_text(const char *text, int64_t made)
{
	char done[1024], why[1024];

	test_write(dir, "new.ini", text);
	if (newsettings_publish(path_in(dir, "new.ini"), stick, path_in(dir, "office.key"), made, done,
				sizeof(done), why, sizeof(why)) != 0)
		fail_msg("publish: %s", why);
}

static void find(const char *code, int64_t applied, struct settings_found *f)
{
	struct settings_station st = {
		.office_key = path_in(dir, "office.key.pub"),
		.release_key = "/nonexistent/release-key.pub",
		.code = code,
		.config = path_in(dir, "fieldstation.ini"),
		.applied = applied,
	};

	newsettings_find(stick, &st, f);
}

static void the_changes_are_said_in_the_farmers_words(void **state)
{
	static const char *const want[] = {
		"Electricity prices: price at peak hours 3640 → 3900",
		"Zone Mít ruột đỏ: pump Bơm 1 → Bơm giếng",
		"Zone Mít ruột đỏ: water below (%) 30 → as by default",
		"New zone: Sầu riêng",
		"Bơm 1: power (kW) 1.5 → 2.2",
		"New pump: Bơm giếng",
		"Zone removed: Vú sữa",
		"Sensor removed: probe 1 – Mít ruột đỏ",
	};
	struct settings_found *f = calloc(1, sizeof(*f));

	(void)state;
	publish_text(next, 1780000100);
	find("PT01", 0, f);
	assert_int_equal(f->what, FOUND_OFFER);
	assert_string_equal(f->offer.station, "PT01");
	assert_string_equal(f->offer.file, "PT01.ini");
	assert_int_equal(f->n_changes, sizeof(want) / sizeof(want[0]));
	for (int i = 0; i < f->n_changes; i++)
		assert_string_equal(f->changes[i], want[i]);
	/* What is kept is the file that was checked and shown. */
	assert_int_equal(f->len, strlen(next));
	assert_memory_equal(f->text, next, f->len);
	newsettings_free(f);
	free(f);
}

static void nothing_to_change_and_other_stations_are_nothing_to_say(void **state)
{
	struct settings_found *f = calloc(1, sizeof(*f));

	(void)state;
	/* The same settings, a comment aside. */
	publish_text("; from the office\n[station]\nname = HTX Phước Thiện - trạm 1\ncode = PT01\n\n"
		     "[tariff]\nprice_peak = 3640\n\n[zone.mit]\nname = Mít ruột đỏ\npump = p1\n"
		     "moisture_low = 30\n\n[zone.vu]\nname = Vú sữa\npump = p1\n\n"
		     "[sensor.soil1]\ndriver = sim\nzone = mit\nmodel = soil-jxct\n\n"
		     "[pump.p1]\nname = Bơm 1\ndriver = sim\npower_kw = 1.5\n\n"
		     "[worker.w1]\nname = Lê Văn Tư\n", 1780000100);
	find("PT01", 0, f);
	assert_int_equal(f->what, FOUND_NONE);
	/* Another station's only. */
	run("rm -rf '%s/%s'", stick, OFFER_SETTINGS_DIR);
	publish_text("[station]\ncode = PT02\n", 1780000100);
	find("PT01", 0, f);
	assert_int_equal(f->what, FOUND_NONE);
	find("PT02", 0, f);
	assert_int_equal(f->what, FOUND_OFFER);
	newsettings_free(f);
	free(f);
}

static void another_stations_settings_under_this_ones_name_are_refused(void **state)
{
	struct settings_found *f = calloc(1, sizeof(*f));

	(void)state;
	publish_text("[station]\ncode = PT02\n", 1780000100);
	run("cd '%s/%s' && mv PT02.settings PT01.settings && mv PT02.ini PT01.ini", stick,
	    OFFER_SETTINGS_DIR);
	find("PT01", 0, f);
	assert_int_equal(f->what, FOUND_REFUSED);
	assert_string_equal(f->why, "The settings on the USB stick are for another station: nothing is changed.");
	free(f);
}

static void a_mistake_is_refused_as_check_says_it(void **state)
{
	struct settings_found *f = calloc(1, sizeof(*f));
	char done[512], why[1024];

	(void)state;
	/* The office's tool will not sign it... */
	test_write(dir, "bad.ini", "[station]\ncode = PT01\n\n[pump.p1]\nname = Bơm 1\ndriver = sim\n"
				   "power_kw = 1.5\nmax_minutes = 9x\n");
	assert_int_equal(newsettings_publish(path_in(dir, "bad.ini"), stick, path_in(dir, "office.key"),
					     1, done, sizeof(done), why, sizeof(why)), -1);
	assert_non_null(strstr(why, "line 8"));
	assert_non_null(strstr(why, "max_minutes"));
	/* ... and a station refuses one signed all the same (edited after). */
	publish_text(next, 1780000100);
	run("cd '%s/%s' && sed -i 's/^power_kw = 3$/power_kw = 3\\nmax_minutes = 9x/' PT01.ini && "
	    "sed -i \"s/^size: .*/size: $(stat -c %%s PT01.ini)/; s/^sha256: .*/sha256: $(sha256sum PT01.ini | cut -c1-64)/\" PT01.settings",
	    stick, OFFER_SETTINGS_DIR);
	find("PT01", 0, f);
	assert_int_equal(f->what, FOUND_REFUSED);
	assert_non_null(strstr(f->why, "not signed with the office's key"));
	free(f);
}

static void a_signed_mistake_is_refused_with_its_line(void **state)
{
	struct settings_found *f = calloc(1, sizeof(*f));
	struct offer o = { .kind = OFFER_SETTINGS, .made = 1780000100 };
	static const char bad[] = "[station]\ncode = PT01\n\n[pump.p1]\nname = Bơm 1\ndriver = sim\n"
				  "power_kw = 1.5\nmax_minutes = 9x\n";
	struct sha256 h;
	char *text;
	size_t len;

	(void)state;
	/* Signed by someone with the key, bypassing the office's check. */
	run("mkdir '%s/%s'", stick, OFFER_SETTINGS_DIR);
	test_write(stick, OFFER_SETTINGS_DIR "/PT01.ini", bad);
	snprintf(o.file, sizeof(o.file), "PT01.ini");
	snprintf(o.station, sizeof(o.station), "PT01");
	o.size = (int64_t)strlen(bad);
	sha256_init(&h);
	sha256_update(&h, bad, strlen(bad));
	sha256_final(&h, o.sha);
	text = offer_format(&o, &office, &len);
	test_write(stick, OFFER_SETTINGS_DIR "/PT01.settings", text);
	free(text);
	find("PT01", 0, f);
	assert_int_equal(f->what, FOUND_REFUSED);
	assert_string_equal(f->why, "The settings on the USB stick have a mistake: USB fieldstation-settings/PT01.ini, line 8: max_minutes = \"9x\" is not a whole number. Nothing is changed.");
	free(f);
}

static void only_the_offices_key_counts(void **state)
{
	struct settings_found *f = calloc(1, sizeof(*f));
	struct signkey other;
	char why[512];

	(void)state;
	publish_text(next, 1780000100);
	/* The station has another office key. */
	run("mv '%s/office.key.pub' '%s/real.pub'", dir, dir);
	assert_int_equal(releasekey_make(path_in(dir, "office.key"), 1, &other, why, sizeof(why)), -1);
	run("rm '%s/office.key'", dir);
	assert_int_equal(releasekey_make(path_in(dir, "office.key"), 1, &other, why, sizeof(why)), 0);
	find("PT01", 0, f);
	assert_int_equal(f->what, FOUND_REFUSED);
	assert_non_null(strstr(f->why, "not signed with the office's key"));
	/* A station without any key takes none. */
	run("rm '%s/office.key.pub'", dir);
	find("PT01", 0, f);
	assert_int_equal(f->what, FOUND_REFUSED);
	assert_non_null(strstr(f->why, "has no key of the office's"));
	signkey_wipe(&other);
	free(f);
}

static void older_settings_than_those_in_place_are_refused(void **state)
{
	struct settings_found *f = calloc(1, sizeof(*f));

	(void)state;
	publish_text(next, 1780000100);
	find("PT01", 1780000200, f);
	assert_int_equal(f->what, FOUND_REFUSED);
	assert_string_equal(f->why, "The settings on the USB stick are older than those put in place last: nothing is changed.");
	find("PT01", 1780000100, f);
	assert_int_equal(f->what, FOUND_NONE);
	free(f);
}

static void nothing_on_the_stick_is_followed(void **state)
{
	struct settings_found *f = calloc(1, sizeof(*f));
	char path[700];

	(void)state;
	publish_text(next, 1780000100);
	snprintf(path, sizeof(path), "%s/%s/PT01.ini", stick, OFFER_SETTINGS_DIR);
	run("mv '%s' '%s/elsewhere.ini' && ln -s '%s/elsewhere.ini' '%s'", path, dir, dir, path);
	find("PT01", 0, f);
	assert_int_equal(f->what, FOUND_REFUSED);
	assert_non_null(strstr(f->why, "its file is a symbolic link"));
	run("rm '%s' && mkfifo '%s'", path, path);
	find("PT01", 0, f);
	assert_non_null(strstr(f->why, "its file is not a plain file"));
	run("rm '%s' && truncate -s 4G '%s'", path, path);
	find("PT01", 0, f);
	assert_non_null(strstr(f->why, "its file is not the size that was signed"));
	run("rm -rf '%s/%s' && ln -s '%s' '%s/%s'", stick, OFFER_SETTINGS_DIR, dir, stick,
	    OFFER_SETTINGS_DIR);
	find("PT01", 0, f);
	assert_int_equal(f->what, FOUND_REFUSED);
	assert_string_equal(f->why, "fieldstation-settings on the USB stick is not a folder: no settings are taken from it.");
	free(f);
}

#define T(f) cmocka_unit_test_setup_teardown(f, each_setup, each_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(the_changes_are_said_in_the_farmers_words),
		T(nothing_to_change_and_other_stations_are_nothing_to_say),
		T(another_stations_settings_under_this_ones_name_are_refused),
		T(a_mistake_is_refused_as_check_says_it),
		T(a_signed_mistake_is_refused_with_its_line),
		T(only_the_offices_key_counts),
		T(older_settings_than_those_in_place_are_refused),
		T(nothing_on_the_stick_is_followed),
	};

	text_init("en");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
