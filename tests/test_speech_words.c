/* What the voice says for what the screen shows: each expected sentence
 * is written here by hand as a Vietnamese (or English) speaker says it,
 * never computed by the code under test. */
#include "testlib.h"

#include "speech_words.h"

static char said[2048];

static const char *vi(const char *shown)
{
	return speech_words(said, sizeof(said), shown, "vi");
}

static const char *en(const char *shown)
{
	return speech_words(said, sizeof(said), shown, "en");
}

static const char *vi_n(long long v)
{
	return speech_number(said, sizeof(said), v, "vi");
}

/* Southern usage: mốt, tư, lăm after the tens; lẻ for a missing ten;
 * ngàn for a thousand. */
static void whole_numbers_in_vietnamese(void **state)
{
	(void)state;
	assert_string_equal(vi_n(0), "không");
	assert_string_equal(vi_n(5), "năm");
	assert_string_equal(vi_n(10), "mười");
	assert_string_equal(vi_n(11), "mười một");
	assert_string_equal(vi_n(14), "mười bốn");
	assert_string_equal(vi_n(15), "mười lăm");
	assert_string_equal(vi_n(20), "hai mươi");
	assert_string_equal(vi_n(21), "hai mươi mốt");
	assert_string_equal(vi_n(24), "hai mươi tư");
	assert_string_equal(vi_n(25), "hai mươi lăm");
	assert_string_equal(vi_n(38), "ba mươi tám");
	assert_string_equal(vi_n(100), "một trăm");
	assert_string_equal(vi_n(105), "một trăm lẻ năm");
	assert_string_equal(vi_n(110), "một trăm mười");
	assert_string_equal(vi_n(999), "chín trăm chín mươi chín");
	assert_string_equal(vi_n(1000), "một ngàn");
	assert_string_equal(vi_n(1005), "một ngàn không trăm lẻ năm");
	assert_string_equal(vi_n(1250), "một ngàn hai trăm năm mươi");
	assert_string_equal(vi_n(2026), "hai ngàn không trăm hai mươi sáu");
	assert_string_equal(vi_n(10500), "mười ngàn năm trăm");
	assert_string_equal(vi_n(1000005), "một triệu không trăm lẻ năm");
	assert_string_equal(vi_n(1200000), "một triệu hai trăm ngàn");
	assert_string_equal(vi_n(3000000000LL), "ba tỷ");
	assert_string_equal(vi_n(-7), "âm bảy");
}

/* Numbers as the screens write them: grouped thousands with a dot,
 * the decimal comma; percent and units in words. */
static void quantities_in_vietnamese(void **state)
{
	(void)state;
	assert_string_equal(vi("38,3%"), "ba mươi tám phẩy ba phần trăm");
	assert_string_equal(vi("Mít ruột đỏ: 38,3 %, vừa đủ"),
			    "Mít ruột đỏ: ba mươi tám phẩy ba phần trăm, vừa đủ");
	assert_string_equal(vi("1.250,5 kg"), "một ngàn hai trăm năm mươi phẩy năm ký");
	assert_string_equal(vi("12,05"), "mười hai phẩy không năm");
	assert_string_equal(vi("2,25"), "hai phẩy hai mươi lăm");
	assert_string_equal(vi("0,5 l"), "không phẩy năm lít");
	assert_string_equal(vi("500 ml"), "năm trăm mi-li-lít");
	assert_string_equal(vi("1.234.567"), "một triệu hai trăm ba mươi tư ngàn năm trăm sáu mươi bảy");
	assert_string_equal(vi("Không khí: 25,5 °C, độ ẩm 84%"),
			    "Không khí: hai mươi lăm phẩy năm độ xê, độ ẩm tám mươi tư phần trăm");
	assert_string_equal(vi("Đầu đo 1: 38,0% 24,4 °C 408 µS/cm pH 6,3"),
			    "Đầu đo một: ba mươi tám phẩy không phần trăm hai mươi tư phẩy bốn độ xê "
			    "bốn trăm lẻ tám micrô xi-men trên xen-ti-mét pê hát sáu phẩy ba");
	assert_string_equal(vi("Nước: 400 lít (0,40 m³)"),
			    "Nước: bốn trăm lít, không phẩy bốn mươi mét khối");
	assert_string_equal(vi("lưu lượng 0,0 l/ph"), "lưu lượng không phẩy không lít một phút");
	assert_string_equal(vi("Điện: 11,25 kWh (1,5 kW)"),
			    "Điện: mười một phẩy hai mươi lăm ki-lô-oát giờ, một phẩy năm ki-lô-oát");
	assert_string_equal(vi("-3,5 °C"), "âm ba phẩy năm độ xê");
	/* A number's own mark, not a sentence's: "1.2" is no thousands. */
	assert_string_equal(vi("Bơm 2."), "Bơm hai.");
}

static void money_in_vietnamese(void **state)
{
	(void)state;
	assert_string_equal(vi("3.640 đ"), "ba ngàn sáu trăm bốn mươi đồng");
	assert_string_equal(vi("điện 3.640 đ một kWh thay vì 1.987 đ"),
			    "điện ba ngàn sáu trăm bốn mươi đồng một ki-lô-oát giờ thay vì "
			    "một ngàn chín trăm tám mươi bảy đồng");
	assert_string_equal(vi("14.200 VND"), "mười bốn ngàn hai trăm đồng");
	/* "đ" is money only after a number. */
	assert_string_equal(vi("5 đầu đo"), "năm đầu đo");
}

static void dates_and_times_in_vietnamese(void **state)
{
	(void)state;
	assert_string_equal(vi("10/06/2026"),
			    "ngày mười tháng sáu năm hai ngàn không trăm hai mươi sáu");
	assert_string_equal(vi("01/04/2027"),
			    "ngày một tháng tư năm hai ngàn không trăm hai mươi bảy");
	assert_string_equal(vi("10/06/2026 08:00 Giờ bình thường"),
			    "ngày mười tháng sáu năm hai ngàn không trăm hai mươi sáu, tám giờ, "
			    "Giờ bình thường");
	assert_string_equal(vi("06:30"), "sáu giờ ba mươi phút");
	assert_string_equal(vi("22:05"), "hai mươi hai giờ năm phút");
	assert_string_equal(vi("dừng lúc 06:38"), "dừng lúc sáu giờ ba mươi tám phút");
	assert_string_equal(vi("Lưu lịch: Mít ruột đỏ, T2–T7 05:00, 20 phút?"),
			    "Lưu lịch: Mít ruột đỏ, thứ hai đến thứ bảy năm giờ, hai mươi phút?");
	assert_string_equal(vi("21:00–05:00"), "hai mươi mốt giờ đến năm giờ");
	assert_string_equal(vi("ngày 24/12"), "ngày hai mươi tư tháng mười hai");
	assert_string_equal(vi("2026-06-10"),
			    "ngày mười tháng sáu năm hai ngàn không trăm hai mươi sáu");
	assert_string_equal(vi("10/06 05:00"), "ngày mười tháng sáu, năm giờ");
	assert_string_equal(vi("06/2026"), "tháng sáu năm hai ngàn không trăm hai mươi sáu");
	assert_string_equal(vi("Tháng 06/2026"), "Tháng sáu năm hai ngàn không trăm hai mươi sáu");
	assert_string_equal(vi("11/02/2026 - 10/06/2026"),
			    "ngày mười một tháng hai năm hai ngàn không trăm hai mươi sáu đến "
			    "ngày mười tháng sáu năm hai ngàn không trăm hai mươi sáu");
	/* Pump hours as hours:minutes, with or without their unit. */
	assert_string_equal(vi("12:05"), "mười hai giờ năm phút");
	assert_string_equal(vi("Giờ bơm: 12:05 giờ"), "Giờ bơm: mười hai giờ năm phút");
}

/* A lot code is spelled, letter by letter and digit by digit, its three
 * parts apart: a person writes it on the crates from what is heard. */
static void lot_codes_spelled(void **state)
{
	(void)state;
	assert_string_equal(vi("Đã lưu. Mã lô: PT01-260610-01"),
			    "Đã lưu. Mã lô: pê tê không một, hai sáu không sáu một không, không một");
	assert_string_equal(vi("HX7-261231-12"),
			    "hát ích bảy, hai sáu một hai ba một, một hai");
	assert_string_equal(vi("PT01-260610-03 80 kg Mít ruột đỏ"),
			    "pê tê không một, hai sáu không sáu một không, không ba, tám mươi ký "
			    "Mít ruột đỏ");
	/* A key's fingerprint, group by group, as the office compares it. */
	assert_string_equal(vi("Vân tay khóa: AB0B-5DF1-6CFC-8103"),
			    "Vân tay khóa: a bê không bê, năm dê ép một, sáu xê ép xê, "
			    "tám một không ba");
	assert_string_equal(en("Key fingerprint: 0A9F-1234-BEEF-0007 (another board)"),
			    "Key fingerprint: zero A nine F, one two three four, B E E F, "
			    "zero zero zero seven, another board");
	assert_string_equal(en("Saved. Lot code: PT01-260610-01"),
			    "Saved. Lot code: P T zero one, two six zero six one zero, zero one");
}

static void menus_and_names(void **state)
{
	(void)state;
	assert_string_equal(vi("HTX Phước Thiện - trạm 1"), "hợp tác xã Phước Thiện, trạm một");
	assert_string_equal(vi("1 Độ ẩm đất"), "một Độ ẩm đất");
	assert_string_equal(vi("Chép ra USB"), "Chép ra u ét bê");
	assert_string_equal(vi("Enter: có    0: không"), "en-tơ: có, không: không");
	assert_string_equal(vi("+/-: thêm (trang 1/2)"), "cộng, trừ: thêm, trang một trên hai");
	assert_string_equal(vi("Bơm 1 đã chạy — tự tắt sau 30 phút"),
			    "Bơm một đã chạy, tự tắt sau ba mươi phút");
	assert_string_equal(vi("Lượng: 12,5 kg → 15 kg"),
			    "Lượng: mười hai phẩy năm ký thành mười lăm ký");
	/* A product's ratio is three numbers, not a range; 1-9 is. */
	assert_string_equal(vi("NPK 20-20-15"), "nờ pê ca hai mươi, hai mươi, mười lăm");
	assert_string_equal(vi("1-9: chọn"), "một đến chín: chọn");
	assert_string_equal(vi("Bấm số, dấu . cho số lẻ"), "Bấm số, dấu chấm cho số lẻ");
	assert_string_equal(en(".: decimal point"), "dot: decimal point");
	/* Blocks of big digits and charts are not words. */
	assert_string_equal(vi("▀▀█ ▀▀█ vừa đủ…"), "vừa đủ");
}

static void english_words(void **state)
{
	(void)state;
	assert_string_equal(en("38.3%"), "thirty-eight point three percent");
	assert_string_equal(en("1,250.5 kg"), "one thousand two hundred fifty point five kilograms");
	assert_string_equal(en("14,200 VND"), "fourteen thousand two hundred dong");
	assert_string_equal(en("10/06/2026 08:00"), "June ten, twenty twenty-six, eight o'clock");
	assert_string_equal(en("at 06:05"), "at six oh five");
	assert_string_equal(en("Air: 25.5 °C, humidity 84%"),
			    "Air: twenty-five point five degrees Celsius, humidity eighty-four percent");
	assert_string_equal(en("Pump 1 started: it stops by itself in 30 minutes"),
			    "Pump one started: it stops by itself in thirty minutes");
	assert_string_equal(speech_number(said, sizeof(said), 2026, "en"),
			    "two thousand twenty-six");
}

/* Whatever comes, the words fit and end whole. */
static void long_text_cut_at_a_word(void **state)
{
	char small[40];

	(void)state;
	speech_words(small, sizeof(small), "1.234.567 1.234.567 1.234.567", "vi");
	assert_true(strlen(small) < sizeof(small));
	assert_string_equal(small, "một triệu hai trăm ba mươi tư");
	speech_words(small, sizeof(small), "\x01\xff\xfe", "vi");
	assert_string_equal(small, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(whole_numbers_in_vietnamese),
		cmocka_unit_test(quantities_in_vietnamese),
		cmocka_unit_test(money_in_vietnamese),
		cmocka_unit_test(dates_and_times_in_vietnamese),
		cmocka_unit_test(lot_codes_spelled),
		cmocka_unit_test(menus_and_names),
		cmocka_unit_test(english_words),
		cmocka_unit_test(long_text_cut_at_a_word),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
