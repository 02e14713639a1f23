/* Schedules: overlaps on one pump and beyond the shed's supply, across
 * midnight and the end of the week; the next start; their words. */
#include "testlib.h"

#include "config.h"
#include "schedule.h"
#include "text.h"

static struct config *cfg;
static char *dir;

static const char farm_ini[] =
	"[station]\ncode = PT01\nmax_pumps_running = 2\n"
	"[zone.a]\nname = Khu A\npump = p1\n"
	"[zone.b]\nname = Khu B\npump = p1\n"
	"[zone.c]\nname = Khu C\npump = p2\n"
	"[zone.d]\nname = Khu D\npump = p3\n"
	"[pump.p1]\ndriver = sim\npower_kw = 1\nmax_minutes = 120\n"
	"[pump.p2]\ndriver = sim\npower_kw = 1\nmax_minutes = 120\n"
	"[pump.p3]\ndriver = sim\npower_kw = 1\nmax_minutes = 120\n";

#define SUN (1 << 0)
#define MON (1 << 1)
#define TUE (1 << 2)
#define SAT (1 << 6)

static struct schedule_row sched(int64_t id, const char *zone, int days, int h, int m, int minutes)
{
	struct schedule_row s = { .id = id, .days = days, .start_min = h * 60 + m, .minutes = minutes };

	snprintf(s.zone, sizeof(s.zone), "%s", zone);
	return s;
}

static int setup(void **state)
{
	char err[256];

	(void)state;
	text_init("en");
	dir = test_mkdir();
	assert_int_equal(config_load(test_write(dir, "f.ini", farm_ini), &cfg, err, sizeof(err)), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	config_free(cfg);
	test_rmdir(dir);
	return 0;
}

static time_t at(int y, int mo, int d, int h, int mi)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
			 .tm_min = mi, .tm_isdst = -1 };

	return mktime(&tm);
}

static void two_zones_of_one_pump_may_not_overlap(void **state)
{
	struct schedule_row list[] = { sched(1, "a", MON, 5, 0, 30) };
	struct schedule_row c;
	char why[256] = "";

	(void)state;
	c = sched(0, "b", MON, 5, 29, 10);
	assert_int_equal(schedule_check(cfg, list, 1, &c, why, sizeof(why)), -1);
	assert_string_equal(why, "It overlaps the schedule of Khu A (Mon 05:00, 30 minutes) on the same pump.");
	/* Right after it is fine, and so is another day. */
	c = sched(0, "b", MON, 5, 30, 10);
	assert_int_equal(schedule_check(cfg, list, 1, &c, why, sizeof(why)), 0);
	c = sched(0, "b", TUE, 5, 0, 30);
	assert_int_equal(schedule_check(cfg, list, 1, &c, why, sizeof(why)), 0);
}

static void overlaps_across_midnight_and_the_week_end(void **state)
{
	/* Saturday 23:30 for an hour runs into Sunday 00:30. */
	struct schedule_row list[] = { sched(1, "a", SAT, 23, 30, 60) };
	struct schedule_row c;
	char why[256];

	(void)state;
	c = sched(0, "a", SUN, 0, 15, 10);
	assert_int_equal(schedule_check(cfg, list, 1, &c, why, sizeof(why)), -1);
	c = sched(0, "a", SUN, 0, 30, 10);
	assert_int_equal(schedule_check(cfg, list, 1, &c, why, sizeof(why)), 0);
	/* A Sunday 23:50 run reaching Monday does not touch Saturday's. */
	c = sched(0, "a", SUN, 23, 50, 30);
	assert_int_equal(schedule_check(cfg, list, 1, &c, why, sizeof(why)), 0);
}

static void the_shed_carries_two_pumps_here(void **state)
{
	struct schedule_row list[] = {
		sched(1, "a", MON, 5, 0, 60),
		sched(2, "c", MON, 5, 30, 60),
	};
	struct schedule_row c;
	char why[256];

	(void)state;
	/* A third pump at 05:40 would make three at once. */
	c = sched(0, "d", MON, 5, 40, 10);
	assert_int_equal(schedule_check(cfg, list, 2, &c, why, sizeof(why)), -1);
	assert_string_equal(why, "It overlaps the schedule of Khu C (Mon 05:30, 60 minutes): only 2 pumps may run at once.");
	/* At 06:00 pump 1 is done: two at once is allowed. */
	c = sched(0, "d", MON, 6, 0, 10);
	assert_int_equal(schedule_check(cfg, list, 2, &c, why, sizeof(why)), 0);
}

static void an_edit_does_not_overlap_itself(void **state)
{
	struct schedule_row list[] = { sched(7, "a", MON, 5, 0, 30) };
	struct schedule_row c = sched(7, "a", MON, 5, 10, 30);
	char why[256];

	(void)state;
	assert_int_equal(schedule_check(cfg, list, 1, &c, why, sizeof(why)), 0);
}

static void bad_schedules_are_refused_in_words(void **state)
{
	struct schedule_row c;
	char why[256];

	(void)state;
	c = sched(0, "zz", MON, 5, 0, 30);
	assert_int_equal(schedule_check(cfg, NULL, 0, &c, why, sizeof(why)), -1);
	assert_string_equal(why, "There is no zone \"zz\" in the configuration.");
	c = sched(0, "a", MON, 5, 0, 121);
	assert_int_equal(schedule_check(cfg, NULL, 0, &c, why, sizeof(why)), -1);
	assert_string_equal(why, "p1 may run 1 to 120 minutes.");
	c = sched(0, "a", MON, 24, 0, 10);
	assert_int_equal(schedule_check(cfg, NULL, 0, &c, why, sizeof(why)), -1);
	assert_string_equal(why, "The start time is from 00:00 to 23:59.");
}

static void the_next_start(void **state)
{
	struct schedule_row s = sched(1, "a", MON | SAT, 5, 30, 30);

	(void)state;
	/* Monday 1 June 2026. */
	assert_int_equal(schedule_next(&s, at(2026, 6, 1, 5, 0)), at(2026, 6, 1, 5, 30));
	assert_int_equal(schedule_next(&s, at(2026, 6, 1, 5, 30)), at(2026, 6, 6, 5, 30));
	assert_int_equal(schedule_next(&s, at(2026, 6, 6, 6, 0)), at(2026, 6, 8, 5, 30));
	/* Across the end of a month and a year. */
	s.days = SCHEDULE_ALL_DAYS;
	assert_int_equal(schedule_next(&s, at(2026, 12, 31, 6, 0)), at(2027, 1, 1, 5, 30));
	s.days = 0;
	assert_int_equal(schedule_next(&s, at(2026, 6, 1, 5, 0)), -1);
}

static void days_in_words(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(schedule_days_text(buf, sizeof(buf), SCHEDULE_ALL_DAYS), "every day");
	assert_string_equal(schedule_days_text(buf, sizeof(buf), 0x7e), "Mon–Sat");
	assert_string_equal(schedule_days_text(buf, sizeof(buf), MON | (1 << 3) | (1 << 5)), "Mon, Wed, Fri");
	assert_string_equal(schedule_days_text(buf, sizeof(buf), SAT | SUN), "Sat, Sun");
	assert_string_equal(schedule_days_text(buf, sizeof(buf), SUN), "Sun");
	text_set_language("vi");
	assert_string_equal(schedule_days_text(buf, sizeof(buf), 0x7e), "T2–T7");
	assert_string_equal(schedule_days_text(buf, sizeof(buf), SUN | MON), "T2, CN");
	assert_string_equal(schedule_days_text(buf, sizeof(buf), SCHEDULE_ALL_DAYS), "mỗi ngày");
	struct schedule_row s = sched(0, "a", 0x7e, 5, 0, 30);
	assert_string_equal(schedule_text(buf, sizeof(buf), &s), "T2–T7 05:00, 30 phút");
	text_set_language("en");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(two_zones_of_one_pump_may_not_overlap),
		cmocka_unit_test(overlaps_across_midnight_and_the_week_end),
		cmocka_unit_test(the_shed_carries_two_pumps_here),
		cmocka_unit_test(an_edit_does_not_overlap_itself),
		cmocka_unit_test(bad_schedules_are_refused_in_words),
		cmocka_unit_test(the_next_start),
		cmocka_unit_test(days_in_words),
	};

	return cmocka_run_group_tests_name("schedule", tests, setup, teardown);
}
