/* The station's time zone: only zones of the system's database are
 * taken, never a path out of it; once set, local time is that zone's
 * whatever TZ the process started with. */
#include "testlib.h"

#include "timezone.h"

#include <sys/stat.h>
#include <time.h>

static int hour_of(time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	return tm.tm_hour;
}

static void zones_of_the_database(void **state)
{
	(void)state;
	assert_true(timezone_known("Asia/Ho_Chi_Minh"));
	assert_true(timezone_known("UTC"));
	assert_true(timezone_known("America/New_York"));
	assert_true(timezone_known("Etc/GMT-7"));
}

static void names_that_are_not_zones(void **state)
{
	(void)state;
	assert_false(timezone_known(""));
	assert_false(timezone_known("Asia/Sai_Gon"));
	assert_false(timezone_known("Asia"));		/* a folder */
	assert_false(timezone_known("Asia/"));
	assert_false(timezone_known("/usr/share/zoneinfo/UTC"));
	assert_false(timezone_known("../zoneinfo/UTC"));
	assert_false(timezone_known("Asia/../UTC"));
	assert_false(timezone_known("Asia//Ho_Chi_Minh"));
	assert_false(timezone_known("UTC "));
	assert_false(timezone_known("<+07>-7"));	/* a POSIX rule, not a zone */
	assert_false(timezone_known("ICT-7"));
}

/* TZDIR moves the database, for this code as for the C library; a file
 * there that is not a zone file is not a zone. */
static void another_database(void **state)
{
	char *dir = test_mkdir();
	char link[600];

	(void)state;
	test_write(dir, "Nowhere", "not a zone\n");
	snprintf(link, sizeof(link), "%s/Saigon", dir);
	assert_int_equal(symlink("/usr/share/zoneinfo/Asia/Ho_Chi_Minh", link), 0);
	setenv("TZDIR", dir, 1);
	assert_string_equal(timezone_dir(), dir);
	assert_false(timezone_known("Nowhere"));
	assert_true(timezone_known("Saigon"));
	assert_false(timezone_known("UTC"));
	unsetenv("TZDIR");
	assert_string_equal(timezone_dir(), "/usr/share/zoneinfo");
	test_rmdir(dir);
}

/* 1 June 2026 11:01 UTC is 18:01 on the farm and 07:01 in New York. */
static void local_time_follows_the_zone_set(void **state)
{
	const time_t t = 1780311660;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	assert_int_equal(hour_of(t), 11);
	assert_int_equal(timezone_set("Asia/Ho_Chi_Minh"), 0);
	assert_int_equal(hour_of(t), 18);
	assert_int_equal(timezone_set("America/New_York"), 0);
	assert_int_equal(hour_of(t), 7);
	/* An unknown zone changes nothing (glibc would fall back to UTC). */
	assert_int_equal(timezone_set("Asia/Sai_Gon"), -1);
	assert_int_equal(hour_of(t), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(zones_of_the_database),
		cmocka_unit_test(names_that_are_not_zones),
		cmocka_unit_test(another_database),
		cmocka_unit_test(local_time_follows_the_zone_set),
	};

	return cmocka_run_group_tests_name("timezone", tests, NULL, NULL);
}
