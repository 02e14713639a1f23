/* CSV as Excel on a Vietnamese PC reads it: the byte-order mark, CRLF,
 * the configured separator and decimal mark, dates day first, Vietnamese
 * text intact, quoting only where needed, no formulas from text. */
#include "testlib.h"

#include "csv.h"

#include <math.h>

static struct csv c;

static int setup(void **state)
{
	(void)state;
	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	tzset();
	return 0;
}

static const char *row_of(void)
{
	static char out[1024];

	assert_false(c.failed);
	snprintf(out, sizeof(out), "%s", c.buf ? c.buf : "");
	csv_free(&c);
	return out;
}

static void bom_then_crlf_rows(void **state)
{
	(void)state;
	csv_init(&c, ';', ',');
	csv_bom(&c);
	csv_text(&c, "Ngày");
	csv_text(&c, "Khu");
	csv_end_row(&c);
	csv_text(&c, "a");
	csv_end_row(&c);
	assert_memory_equal(c.buf, "\xEF\xBB\xBF", 3);
	assert_string_equal(row_of(), "\xEF\xBB\xBFNgày;Khu\r\na\r\n");
}

static void vietnamese_text_is_kept_whole(void **state)
{
	(void)state;
	csv_init(&c, ';', ',');
	csv_text(&c, "Mít ruột đỏ");
	csv_text(&c, "Vú sữa Hoàng Kim");
	csv_text(&c, "Phun thuốc trừ rầy, sâu");
	csv_end_row(&c);
	/* A comma is not the separator here: no quotes needed. */
	assert_string_equal(row_of(), "Mít ruột đỏ;Vú sữa Hoàng Kim;Phun thuốc trừ rầy, sâu\r\n");
}

static void quotes_when_the_text_holds_the_separator_quotes_or_lines(void **state)
{
	(void)state;
	csv_init(&c, ';', ',');
	csv_text(&c, "bón; tưới");
	csv_text(&c, "thuốc \"Regent\"");
	csv_text(&c, "dòng 1\r\ndòng 2");
	csv_text(&c, "");
	csv_text(&c, NULL);
	csv_end_row(&c);
	assert_string_equal(row_of(),
			    "\"bón; tưới\";\"thuốc \"\"Regent\"\"\";\"dòng 1\r\ndòng 2\";;\r\n");

	csv_init(&c, ',', '.');
	csv_text(&c, "Phun thuốc trừ rầy, sâu");
	csv_text(&c, "bón; tưới");
	csv_end_row(&c);
	assert_string_equal(row_of(), "\"Phun thuốc trừ rầy, sâu\",bón; tưới\r\n");

	csv_init(&c, '\t', ',');
	csv_text(&c, "a b");
	csv_text(&c, "c\td");
	csv_end_row(&c);
	assert_string_equal(row_of(), "a b\t\"c\td\"\r\n");
}

static void numbers_take_the_configured_decimal_mark(void **state)
{
	(void)state;
	csv_init(&c, ';', ',');
	csv_number(&c, 37.84, 1);
	csv_number(&c, 1234.5, 2);
	csv_number(&c, -0.01, 1);
	csv_number(&c, -3.25, 2);
	csv_number(&c, NAN, 1);
	csv_number(&c, 30, 0);
	csv_int(&c, 1767225600);
	csv_end_row(&c);
	/* No thousands separator: Excel would read "1.234" as 1.234. */
	assert_string_equal(row_of(), "37,8;1234,50;0,0;-3,25;;30;1767225600\r\n");

	csv_init(&c, ',', '.');
	csv_number(&c, 37.84, 1);
	csv_number(&c, -3.25, 2);
	csv_end_row(&c);
	assert_string_equal(row_of(), "37.8,-3.25\r\n");

	/* A decimal comma with a comma separator still gives a correct file. */
	csv_init(&c, ',', ',');
	csv_number(&c, 2.5, 1);
	csv_number(&c, 3, 0);
	csv_end_row(&c);
	assert_string_equal(row_of(), "\"2,5\",3\r\n");
}

static void amounts_as_a_person_writes_them(void **state)
{
	(void)state;
	csv_init(&c, ';', ',');
	csv_amount(&c, 50);
	csv_amount(&c, 12.5);
	csv_amount(&c, 0.25);
	csv_amount(&c, 1500);
	csv_amount(&c, 2.125);
	csv_amount(&c, NAN);
	csv_end_row(&c);
	assert_string_equal(row_of(), "50;12,5;0,25;1500;2,125;\r\n");
	csv_init(&c, ',', '.');
	csv_amount(&c, 12.5);
	csv_amount(&c, 7);
	csv_end_row(&c);
	assert_string_equal(row_of(), "12.5,7\r\n");
}

static void dates_day_first_in_local_time(void **state)
{
	/* 2026-06-01 00:30 UTC is 07:30 in Việt Nam. */
	time_t t = 1780273800;

	(void)state;
	csv_init(&c, ';', ',');
	csv_date(&c, t);
	csv_date_time(&c, t);
	csv_day(&c, "2026-11-06");
	csv_day(&c, "not a day");
	csv_day(&c, NULL);
	csv_end_row(&c);
	assert_string_equal(row_of(), "01/06/2026;01/06/2026 07:30;06/11/2026;not a day;\r\n");
}

#define MARK CSV_TEXT_MARK

static void text_never_becomes_a_formula(void **state)
{
	(void)state;
	csv_init(&c, ';', ',');
	csv_text(&c, "=HYPERLINK(\"http://x\")");
	csv_text(&c, "+84 912 345 678");
	csv_text(&c, "-5");
	csv_text(&c, "@SUM(A1)");
	csv_text(&c, "=1+2");
	csv_text(&c, "Bơm 1");
	csv_end_row(&c);
	/* The mark is inside the quotes: the field starts with it. */
	assert_string_equal(row_of(), "\"" MARK "=HYPERLINK(\"\"http://x\"\")\";" MARK "+84 912 345 678;"
			    MARK "-5;" MARK "@SUM(A1);" MARK "=1+2;Bơm 1\r\n");
}

/* Names and codes a configuration allows that a spreadsheet would turn
 * into a number, a date, a time or a truth value. */
static void text_that_looks_like_a_value_stays_text(void **state)
{
	static const char *const misread[] = {
		"0101", "0912345678", "1/6", "01/06/2026", "2026-06-01", "1-2", "12:30",
		"1:30 PM", "1:30 SA", "1,5", "1.000", "1e5", "2E+3", "50%", "(5)", "$5", "5₫",
		"5 €", " 0101", "0101 ", "1\xC2\xA0" "000", "1 Jun", "Jun 1", "June 2026",
		"TRUE", "false", "ĐÚNG", "Sai", "1/2/3",
	};
	static const char *const kept[] = {
		"PT01", "PT01-260601-01", "Loại 1", "A1", "1A", "E101", "Mít ruột đỏ",
		"NPK 20-20-15 Đầu Trâu", "Lô 5", "5 đ", "#5", "0x10", "T6", "tháng 6", "", "Bơm 1",
		"soil1", "Anh Tư", "Vựa trái cây Minh Phát",
	};
	char want[128];

	(void)state;
	for (size_t i = 0; i < sizeof(misread) / sizeof(misread[0]); i++) {
		assert_true(csv_misread(misread[i]));
		csv_init(&c, ';', ',');
		csv_text(&c, misread[i]);
		snprintf(want, sizeof(want), MARK "%s", misread[i]);
		assert_string_equal(row_of(), want);
	}
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		assert_false(csv_misread(kept[i]));
		csv_init(&c, ';', ',');
		csv_text(&c, kept[i]);
		assert_string_equal(row_of(), kept[i]);
	}
	/* Quoted for the separator, marked inside the quotes. */
	csv_init(&c, ',', '.');
	csv_text(&c, "1,5");
	csv_end_row(&c);
	assert_string_equal(row_of(), "\"" MARK "1,5\"\r\n");
	/* Numbers and dates the station writes as such are not marked. */
	csv_init(&c, ';', ',');
	csv_int(&c, 101);
	csv_number(&c, 1250.5, 1);
	csv_day(&c, "2026-06-01");
	csv_end_row(&c);
	assert_string_equal(row_of(), "101;1250,5;01/06/2026\r\n");
}

static void invalid_utf8_and_control_bytes_are_replaced(void **state)
{
	(void)state;
	csv_init(&c, ';', ',');
	csv_text(&c, "M\xEDt");		/* Latin-1 í */
	csv_text(&c, "a\x01" "b");
	csv_text(&c, "\xC3\xA0\xED\xA0\x80");	/* à, then a surrogate */
	csv_end_row(&c);
	assert_string_equal(row_of(), "M\xEF\xBF\xBDt;a\xEF\xBF\xBD" "b;\xC3\xA0\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\r\n");
	/* A name from another station's database, opened with cat in a
	 * terminal: no escape sequence, no DEL, no C1 control, no text
	 * reversed; a line break stays inside its quoted field. */
	csv_init(&c, ';', ',');
	csv_text(&c, "\x1b]2;pwned\x07\x1b[41mTr\xE1\xBA\xA1m\x7f");
	csv_text(&c, "\xC2\x9B" "31m\xE2\x80\xAEtxt.exe");
	csv_text(&c, "d\xC3\xB2ng 1\ndòng 2");
	csv_end_row(&c);
	assert_null(memchr(c.buf, 0x1b, c.len));
	assert_null(memchr(c.buf, 0x07, c.len));
	assert_null(memchr(c.buf, 0x7f, c.len));
	assert_string_equal(row_of(),
			    "\"\xEF\xBF\xBD]2;pwned\xEF\xBF\xBD\xEF\xBF\xBD[41mTr\xE1\xBA\xA1m\xEF\xBF\xBD\";"
			    "\xEF\xBF\xBD" "31m\xEF\xBF\xBDtxt.exe;\"d\xC3\xB2ng 1\ndòng 2\"\r\n");
}

static void empty_fields_keep_their_place(void **state)
{
	(void)state;
	csv_init(&c, ';', ',');
	csv_empty(&c);
	csv_text(&c, "x");
	csv_empty(&c);
	csv_end_row(&c);
	csv_empty(&c);
	csv_end_row(&c);
	assert_string_equal(row_of(), ";x;\r\n\r\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bom_then_crlf_rows),
		cmocka_unit_test(vietnamese_text_is_kept_whole),
		cmocka_unit_test(quotes_when_the_text_holds_the_separator_quotes_or_lines),
		cmocka_unit_test(numbers_take_the_configured_decimal_mark),
		cmocka_unit_test(amounts_as_a_person_writes_them),
		cmocka_unit_test(dates_day_first_in_local_time),
		cmocka_unit_test(text_never_becomes_a_formula),
		cmocka_unit_test(text_that_looks_like_a_value_stays_text),
		cmocka_unit_test(invalid_utf8_and_control_bytes_are_replaced),
		cmocka_unit_test(empty_fields_keep_their_place),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
