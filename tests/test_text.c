/* Numbers, dates and widths as the farmer reads them. */
#include "testlib.h"

#include "text.h"

static void decimal_comma_in_vietnamese(void **state)
{
	char b[32];

	(void)state;
	text_init("vi");
	assert_string_equal(text_number(b, sizeof(b), 38.25, 1), "38,2");
	assert_string_equal(text_number(b, sizeof(b), 1234.5, 2), "1234,50");
	assert_string_equal(text_number(b, sizeof(b), -0.01, 1), "0,0");
	text_set_language("en");
	assert_string_equal(text_number(b, sizeof(b), 38.26, 1), "38.3");
	assert_string_equal(text_number(b, sizeof(b), 7, 0), "7");
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
	text_set_language("en");
	assert_string_equal(text_amount(b, sizeof(b), 1200.75), "1200.75");
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decimal_comma_in_vietnamese),
		cmocka_unit_test(money_in_whole_units),
		cmocka_unit_test(dates_day_first_and_24_hours),
		cmocka_unit_test(days_and_amounts),
		cmocka_unit_test(widths_of_vietnamese_text),
		cmocka_unit_test(wraps_on_spaces),
	};

	return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
