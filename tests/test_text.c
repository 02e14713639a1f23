/* Numbers, dates and widths as the farmer reads them. */
#include "testlib.h"

#include "text.h"

static void decimal_comma_in_vietnamese(void **state)
{
	char b[32];

	(void)state;
	text_init("vi");
	assert_string_equal(text_number(b, sizeof(b), 38.25, 1), "38,2");
	assert_string_equal(text_number(b, sizeof(b), -0.01, 1), "0,0");
	text_set_language("en");
	assert_string_equal(text_number(b, sizeof(b), 38.26, 1), "38.3");
	assert_string_equal(text_number(b, sizeof(b), 7, 0), "7");
}

/* Every quantity groups its thousands the way money does, so that 1200 kg
 * and 1200 đ read alike: a dot in Vietnamese, a comma in English. */
static void thousands_grouped_on_every_quantity(void **state)
{
	char b[32];

	(void)state;
	text_set_language("vi");
	assert_string_equal(text_number(b, sizeof(b), 1234.5, 2), "1.234,50");
	assert_string_equal(text_number(b, sizeof(b), 999.96, 1), "1.000,0");
	assert_string_equal(text_number(b, sizeof(b), 999, 0), "999");
	assert_string_equal(text_number(b, sizeof(b), 1234567, 0), "1.234.567");
	assert_string_equal(text_number(b, sizeof(b), -1500.25, 1), "-1.500,2");
	assert_string_equal(text_amount(b, sizeof(b), 1200), "1.200");
	assert_string_equal(text_amount(b, sizeof(b), 12000.5), "12.000,5");
	assert_string_equal(text_amount(b, sizeof(b), 1.23), "1,23");
	text_set_language("en");
	assert_string_equal(text_number(b, sizeof(b), 1234.5, 2), "1,234.50");
	assert_string_equal(text_amount(b, sizeof(b), 1200), "1,200");
	assert_string_equal(text_amount(b, sizeof(b), 1200.75), "1,200.75");
	assert_string_equal(text_amount(b, sizeof(b), 3000.1), "3,000.1");
}

/* Durations read as hours:minutes, never as a fraction of an hour. */
static void durations_as_hours_and_minutes(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(text_duration(b, sizeof(b), 36 * 60), "0:36");
	assert_string_equal(text_duration(b, sizeof(b), 12 * 3600 + 5 * 60 + 29), "12:05");
	assert_string_equal(text_duration(b, sizeof(b), 59 * 60 + 45), "1:00");
	assert_string_equal(text_duration(b, sizeof(b), 0), "0:00");
	assert_string_equal(text_duration(b, sizeof(b), 130 * 3600), "130:00");
}

static void dates_day_first_and_24_hours(void **state)
{
	char b[32];
	time_t t;
	struct tm tm = { .tm_year = 126, .tm_mon = 10, .tm_mday = 6, .tm_hour = 17,
			 .tm_min = 5, .tm_isdst = -1 };

	(void)state;
	t = mktime(&tm);
	assert_string_equal(text_date(b, sizeof(b), t), "06/11/2026");
	assert_string_equal(text_time(b, sizeof(b), t), "17:05");
	assert_string_equal(text_date_time(b, sizeof(b), t), "06/11/2026 17:05");
}

static void days_and_amounts(void **state)
{
	char b[32];
	int day, leap;

	(void)state;
	text_init("vi");
	assert_int_equal(text_day_parse_iso("2026-06-01", &day), 0);
	assert_string_equal(text_day(b, sizeof(b), day), "01/06/2026");
	assert_string_equal(text_day(b, sizeof(b), day + 30), "01/07/2026");
	assert_string_equal(text_day_iso(b, sizeof(b), day - 1), "2026-05-31");
	assert_int_equal(text_day_parse_iso("2028-02-28", &leap), 0);
	assert_string_equal(text_day(b, sizeof(b), leap + 1), "29/02/2028");
	assert_int_equal(text_day_parse_iso("2026-02-29", &day), -1);
	assert_int_equal(text_day_parse_iso("1/6/2026", &day), -1);
	assert_int_equal(text_day_parse_iso("2026-06-01", &day), 0);
	assert_int_equal(text_day_of(text_day_start(day) + 23 * 3600), day);
	assert_string_equal(text_amount(b, sizeof(b), 12.5), "12,5");
	assert_string_equal(text_amount(b, sizeof(b), 300), "300");
	assert_string_equal(text_amount(b, sizeof(b), 0.25), "0,25");
}

static void widths_of_vietnamese_text(void **state)
{
	char b[64];

	(void)state;
	text_init("vi");
	/* Precomposed letters take one column each. */
	assert_int_equal(text_width("Độ ẩm đất"), 9);
	assert_int_equal(text_width("Vú sữa Hoàng Kim"), 16);
	/* Cut on whole characters, never inside a multi-byte one. */
	assert_string_equal(text_fit(b, sizeof(b), "Độ ẩm đất", 4), "Độ ẩ");
	assert_string_equal(text_fit(b, sizeof(b), "Mít", 10), "Mít");
	assert_string_equal(text_fit(b, 4, "Mít ruột", 10), "Mí");
}

static void wraps_on_spaces(void **state)
{
	const char *s = "Bơm 1 đang chạy khi mất điện; lần tưới đã được đóng.";
	char line[64];

	(void)state;
	text_init("vi");
	assert_true(text_wrap(&s, 20, line, sizeof(line)));
	assert_string_equal(line, "Bơm 1 đang chạy khi");
	assert_true(text_wrap(&s, 20, line, sizeof(line)));
	assert_string_equal(line, "mất điện; lần tưới");
	assert_true(text_wrap(&s, 20, line, sizeof(line)));
	assert_string_equal(line, "đã được đóng.");
	assert_false(text_wrap(&s, 20, line, sizeof(line)));
	/* A word longer than the line is cut, not lost. */
	s = "Nghẹtbécnghẹtbéc";
	assert_true(text_wrap(&s, 10, line, sizeof(line)));
	assert_string_equal(line, "Nghẹtbécng");
	assert_true(text_wrap(&s, 10, line, sizeof(line)));
	assert_string_equal(line, "hẹtbéc");
}

static void money_in_whole_units(void **state)
{
	char b[32];

	(void)state;
	text_set_language("vi");
	assert_string_equal(text_money(b, sizeof(b), 14199.6, "VND"), "14.200 đ");
	assert_string_equal(text_money(b, sizeof(b), 975, "VND"), "975 đ");
	assert_string_equal(text_money(b, sizeof(b), 1234567, "VND"), "1.234.567 đ");
	assert_string_equal(text_money(b, sizeof(b), 0.2, "VND"), "0 đ");
	assert_string_equal(text_money(b, sizeof(b), 1500, "USD"), "1.500 USD");
	text_set_language("en");
	assert_string_equal(text_money(b, sizeof(b), 14199.6, "VND"), "14,200 VND");
	assert_string_equal(text_money(b, sizeof(b), 100000, "VND"), "100,000 VND");
}

/* Whatever a stick, a configuration file or a sensor hands over, what is
 * printed moves no cursor, sets no colour or title, reverses nothing, and
 * still shows that something was there. */
static void outside_text_is_cleaned(void **state)
{
	char b[128];
	bool shown;

	(void)state;
	/* Vietnamese passes untouched. */
	assert_string_equal(text_clean(b, sizeof(b), "HTX Phước Thiện - trạm 1"),
			    "HTX Phước Thiện - trạm 1");
	/* An OSC title, a colour, a bell: each control byte becomes U+FFFD. */
	assert_string_equal(text_clean(b, sizeof(b), "\x1b]2;x\x07\x1b[41mPT01"),
			    "\xEF\xBF\xBD]2;x\xEF\xBF\xBD\xEF\xBF\xBD[41mPT01");
	/* Line breaks, tab, DEL, and C1 controls (CSI as U+009B). */
	assert_string_equal(text_clean(b, sizeof(b), "a\nb\rc\td\x7f" "e\xC2\x9B" "1m"),
			    "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\xEF\xBF\xBD" "d\xEF\xBF\xBD"
			    "e\xEF\xBF\xBD" "1m");
	/* Right-to-left override and isolates, which reverse what follows
	 * on screen (U+202E, U+2067), and the line separator. */
	assert_string_equal(text_clean(b, sizeof(b), "x\xE2\x80\xAEgpj.exe\xE2\x81\xA7y\xE2\x80\xA8z"),
			    "x\xEF\xBF\xBDgpj.exe\xEF\xBF\xBDy\xEF\xBF\xBDz");
	/* Bytes that are not UTF-8: Latin-1, a lone continuation byte, an
	 * overlong '/', a surrogate, a sequence cut short at the end. */
	assert_string_equal(text_clean(b, sizeof(b), "M\xEDt"), "M\xEF\xBF\xBDt");
	assert_string_equal(text_clean(b, sizeof(b), "\x80\xC0\xAF"),
			    "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
	assert_string_equal(text_clean(b, sizeof(b), "\xED\xA0\x80"),
			    "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
	assert_string_equal(text_clean(b, sizeof(b), "ok\xE1\xBA"), "ok\xEF\xBF\xBD\xEF\xBF\xBD");
	/* Cut to the buffer on whole characters; NULL is empty. */
	assert_string_equal(text_clean(b, 6, "Mít ruột"), "Mít ");
	assert_string_equal(text_clean(b, 4, "\x1b\x1b"), "\xEF\xBF\xBD");
	assert_string_equal(text_clean(b, sizeof(b), NULL), "");
	/* One character at a time, as the CSV writer reads it. */
	assert_int_equal(text_char("\xE1\xBB\x87", &shown), 3);	/* ệ */
	assert_true(shown);
	assert_int_equal(text_char("\x1b[", &shown), 1);
	assert_false(shown);
	assert_int_equal(text_char("\xC2\x85", &shown), 2);	/* NEL */
	assert_false(shown);
	assert_int_equal(text_char("\xF0\x9F\x8C\xB1", &shown), 4);	/* a seedling */
	assert_true(shown);
	assert_int_equal(text_char("", &shown), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decimal_comma_in_vietnamese),
		cmocka_unit_test(money_in_whole_units),
		cmocka_unit_test(thousands_grouped_on_every_quantity),
		cmocka_unit_test(durations_as_hours_and_minutes),
		cmocka_unit_test(dates_day_first_and_24_hours),
		cmocka_unit_test(days_and_amounts),
		cmocka_unit_test(widths_of_vietnamese_text),
		cmocka_unit_test(wraps_on_spaces),
		cmocka_unit_test(outside_text_is_cleaned),
	};

	return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
