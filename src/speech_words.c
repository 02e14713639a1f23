/* Text as the screen shows it, in words a voice can say: the station's
 * numbers (decimal comma and grouped thousands in Vietnamese), dates,
 * times, units, money and lot codes. Vietnamese follows southern usage
 * (ngàn, lẻ, hai mươi tư), as the screens do. The words of numbers and
 * units are grammar, not messages: they are tables here, per language,
 * while the sentences around them come from the catalogue. */
#include "speech_words.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct lang {
	bool vi;
	char thousands, decimal;
};

struct out {
	char *p;
	size_t n, len;
	bool full;
	bool after_number;	/* the last thing said was a number */
};

static void put(struct out *o, const char *s)
{
	size_t len = strlen(s);

	if (o->full || o->len + len + 1 > o->n) {
		o->full = true;
		return;
	}
	memcpy(o->p + o->len, s, len + 1);
	o->len += len;
}

/* A word, after a space. */
static void word(struct out *o, const char *s)
{
	if (!*s)
		return;
	put(o, " ");
	put(o, s);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_ascii_letter(char c)
{
	return (c >= 'a' && c <= 'z') || is_upper(c);
}

/* The code point at s and its length in bytes (1 for a stray byte). */
static size_t decode(const char *s, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;

	if (u[0] < 0x80) {
		*cp = u[0];
		return u[0] ? 1 : 0;
	}
	if ((u[0] & 0xE0) == 0xC0 && (u[1] & 0xC0) == 0x80) {
		*cp = (uint32_t)(u[0] & 0x1F) << 6 | (u[1] & 0x3F);
		return 2;
	}
	if ((u[0] & 0xF0) == 0xE0 && (u[1] & 0xC0) == 0x80 && (u[2] & 0xC0) == 0x80) {
		*cp = (uint32_t)(u[0] & 0x0F) << 12 | (uint32_t)(u[1] & 0x3F) << 6 | (u[2] & 0x3F);
		return 3;
	}
	if ((u[0] & 0xF8) == 0xF0 && (u[1] & 0xC0) == 0x80 && (u[2] & 0xC0) == 0x80 &&
	    (u[3] & 0xC0) == 0x80) {
		*cp = (uint32_t)(u[0] & 0x07) << 18 | (uint32_t)(u[1] & 0x3F) << 12 |
		      (uint32_t)(u[2] & 0x3F) << 6 | (u[3] & 0x3F);
		return 4;
	}
	*cp = 0xFFFD;
	return 1;
}

/* Letters of words: ASCII ones, Latin letters with their marks (all of
 * Vietnamese), not the symbols the screens draw (° µ · – … → ▀). */
static bool is_letter_cp(uint32_t cp)
{
	if (cp < 0x80)
		return is_ascii_letter((char)cp);
	if (cp == 0xD7 || cp == 0xF7)
		return false;
	return (cp >= 0xC0 && cp < 0x2000) || (cp >= 0x1E00 && cp <= 0x1EFF);
}

static bool letter_at(const char *s)
{
	uint32_t cp;

	return decode(s, &cp) > 0 && is_letter_cp(cp);
}

/* Is s[i] the end of a token: not a letter or digit? */
static bool boundary(const char *s)
{
	return !*s || (!is_digit(*s) && !letter_at(s));
}

/* Numbers. */

static const char *const vi_units[] = { "không", "một", "hai", "ba", "bốn",
					"năm", "sáu", "bảy", "tám", "chín" };
static const char *const en_units[] = { "zero", "one", "two", "three", "four", "five", "six",
					"seven", "eight", "nine", "ten", "eleven", "twelve",
					"thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
					"eighteen", "nineteen" };
static const char *const en_tens[] = { "", "", "twenty", "thirty", "forty", "fifty",
				       "sixty", "seventy", "eighty", "ninety" };

/* Three digits of a Vietnamese number; full: a larger group comes before,
 * so that 1.005 is "một ngàn không trăm lẻ năm". */
static void vi_hundreds(struct out *o, int v, bool full)
{
	int h = v / 100, t = v / 10 % 10, u = v % 10;

	if (h > 0 || full) {
		word(o, vi_units[h]);
		word(o, "trăm");
	}
	if (t == 0) {
		if (u == 0)
			return;
		if (h > 0 || full)
			word(o, "lẻ");
		word(o, vi_units[u]);
	} else if (t == 1) {
		word(o, "mười");
		if (u > 0)
			word(o, u == 5 ? "lăm" : vi_units[u]);
	} else {
		word(o, vi_units[t]);
		word(o, "mươi");
		if (u > 0)
			word(o, u == 1 ? "mốt" : u == 4 ? "tư" : u == 5 ? "lăm" : vi_units[u]);
	}
}

static void en_hundreds(struct out *o, int v)
{
	int h = v / 100, r = v % 100;
	char buf[32];

	if (h > 0) {
		word(o, en_units[h]);
		word(o, "hundred");
	}
	if (r == 0)
		return;
	if (r < 20) {
		word(o, en_units[r]);
	} else if (r % 10 == 0) {
		word(o, en_tens[r / 10]);
	} else {
		snprintf(buf, sizeof(buf), "%s-%s", en_tens[r / 10], en_units[r % 10]);
		word(o, buf);
	}
}

static void number_words(struct out *o, unsigned long long v, const struct lang *L)
{
	static const char *const vi_groups[] = { "", "ngàn", "triệu", "tỷ", "ngàn tỷ", "triệu tỷ" };
	static const char *const en_groups[] = { "", "thousand", "million", "billion", "trillion",
						 "quadrillion" };
	int groups[7], n = 0;
	bool said = false;

	if (v == 0) {
		word(o, L->vi ? vi_units[0] : en_units[0]);
		return;
	}
	while (v > 0 && n < 7) {
		groups[n++] = (int)(v % 1000);
		v /= 1000;
	}
	for (int g = n - 1; g >= 0; g--) {
		if (groups[g] == 0)
			continue;
		if (L->vi)
			vi_hundreds(o, groups[g], said);
		else
			en_hundreds(o, groups[g]);
		if (g > 0 && g < 6)
			word(o, L->vi ? vi_groups[g] : en_groups[g]);
		said = true;
	}
}

static void digit_words(struct out *o, const char *digits, size_t len, const struct lang *L)
{
	for (size_t i = 0; i < len; i++)
		if (is_digit(digits[i]))
			word(o, L->vi ? vi_units[digits[i] - '0'] : en_units[digits[i] - '0']);
}

/* A whole number as written (digits only): in words, or digit by digit
 * when it is a code rather than a quantity (a leading zero, or too long). */
static void whole_words(struct out *o, const char *digits, size_t len, const struct lang *L)
{
	unsigned long long v = 0;

	if (len == 0)
		return;
	if ((len > 1 && digits[0] == '0') || len > 15) {
		digit_words(o, digits, len, L);
		return;
	}
	for (size_t i = 0; i < len; i++)
		v = v * 10 + (unsigned)(digits[i] - '0');
	number_words(o, v, L);
}

/* The digits after the decimal mark: zeros one by one, then the rest as
 * a number where it is short (38,25: "phẩy hai mươi lăm"), else digit by
 * digit; English says every digit ("point two five"). */
static void fraction_words(struct out *o, const char *digits, size_t len, const struct lang *L)
{
	size_t zeros = 0;

	word(o, L->vi ? "phẩy" : "point");
	if (!L->vi || len > 3) {
		digit_words(o, digits, len, L);
		return;
	}
	while (zeros < len && digits[zeros] == '0')
		word(o, vi_units[0]), zeros++;
	if (zeros < len)
		whole_words(o, digits + zeros, len - zeros, L);
}

/* A number with its thousands grouped and decimal part at s, as the
 * language writes them. Returns the bytes it takes; whole and frac get
 * the digits. */
static size_t scan_number(const char *s, const struct lang *L, char *whole, size_t wn,
			  char *frac, size_t fn)
{
	size_t i = 0, w = 0, f = 0;

	while (is_digit(s[i])) {
		if (w + 1 < wn)
			whole[w++] = s[i];
		i++;
	}
	/* 1.250.000 in Vietnamese, 1,250,000 in English: groups of three. */
	if (i <= 3) {
		while (s[i] == L->thousands && is_digit(s[i + 1]) && is_digit(s[i + 2]) &&
		       is_digit(s[i + 3]) && !is_digit(s[i + 4])) {
			for (int k = 1; k <= 3; k++)
				if (w + 1 < wn)
					whole[w++] = s[i + k];
			i += 4;
		}
	}
	if (s[i] == L->decimal && is_digit(s[i + 1])) {
		i++;
		while (is_digit(s[i])) {
			if (f + 1 < fn)
				frac[f++] = s[i];
			i++;
		}
	}
	whole[w] = '\0';
	frac[f] = '\0';
	return i;
}

static void say_number(struct out *o, const char *whole, const char *frac, const struct lang *L)
{
	whole_words(o, whole, strlen(whole), L);
	if (*frac)
		fraction_words(o, frac, strlen(frac), L);
}

/* Dates and times. */

/* Does what was said end in word (after a space)? */
static bool said_last(const struct out *o, const char *w)
{
	size_t end = o->len, l = strlen(w);

	while (end > 0 && o->p[end - 1] == ' ')
		end--;
	return end > l && o->p[end - l - 1] == ' ' && strncmp(o->p + end - l, w, l) == 0;
}

static const char *const en_months[] = { "January", "February", "March", "April", "May",
					 "June", "July", "August", "September", "October",
					 "November", "December" };

static void year_words(struct out *o, int y, const struct lang *L)
{
	/* 2026 is "twenty twenty-six" in English. */
	if (!L->vi && y >= 2010 && y <= 2099) {
		word(o, "twenty");
		number_words(o, (unsigned)(y % 100), L);
		return;
	}
	number_words(o, (unsigned)y, L);
}

static void date_words(struct out *o, int d, int m, int y, const struct lang *L)
{
	if (L->vi) {
		/* "ngày 24/12" says its "ngày" once. */
		if (!said_last(o, "ngày") && !said_last(o, "Ngày"))
			word(o, "ngày");
		number_words(o, (unsigned)d, L);
		word(o, "tháng");
		word(o, m == 4 ? "tư" : "");
		if (m != 4)
			number_words(o, (unsigned)m, L);
		if (y >= 0) {
			word(o, "năm");
			year_words(o, y, L);
		}
	} else {
		word(o, en_months[m - 1]);
		number_words(o, (unsigned)d, L);
		if (y >= 0) {
			put(o, ",");
			year_words(o, y, L);
		}
	}
}

static void month_words(struct out *o, int m, int y, const struct lang *L)
{
	if (L->vi) {
		/* "Tháng 06/2026" says its "tháng" once. */
		if (!said_last(o, "tháng") && !said_last(o, "Tháng"))
			word(o, "tháng");
		if (m == 4)
			word(o, "tư");
		else
			number_words(o, (unsigned)m, L);
		word(o, "năm");
	} else {
		word(o, en_months[m - 1]);
	}
	year_words(o, y, L);
}

/* 07:45, and hours:minutes of a duration (12:05). */
static void time_words(struct out *o, int h, int m, const struct lang *L)
{
	if (L->vi) {
		number_words(o, (unsigned)h, L);
		word(o, "giờ");
		if (m > 0) {
			number_words(o, (unsigned)m, L);
			word(o, "phút");
		}
		return;
	}
	number_words(o, (unsigned)h, L);
	if (m == 0) {
		word(o, "o'clock");
	} else {
		if (m < 10)
			word(o, "oh");
		number_words(o, (unsigned)m, L);
	}
}

static int two_digits(const char *s, int len)
{
	int v = 0;

	for (int i = 0; i < len; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* Counts the digits at s, at most max + 1. */
static int digits_at(const char *s, int max)
{
	int n = 0;

	while (n <= max && is_digit(s[n]))
		n++;
	return n;
}

/* dd/mm/yyyy, d/m/yyyy, dd/mm, yyyy-mm-dd or H:MM at s: said, and the
 * bytes taken; 0 when s is none of them. */
static size_t date_or_time(struct out *o, const char *s, const struct lang *L)
{
	int a = digits_at(s, 4), b, c;

	if (a == 4 && s[4] == '-' && digits_at(s + 5, 2) == 2 && s[7] == '-' &&
	    digits_at(s + 8, 2) == 2 && boundary(s + 10)) {
		int y = two_digits(s, 4), m = two_digits(s + 5, 2), d = two_digits(s + 8, 2);

		if (m >= 1 && m <= 12 && d >= 1 && d <= 31) {
			date_words(o, d, m, y, L);
			return 10;
		}
	}
	if (a >= 1 && a <= 2 && s[a] == '/') {
		b = digits_at(s + a + 1, 4);
		/* 06/2026, a month of a chart. */
		if (b == 4 && boundary(s + a + 5)) {
			int m = two_digits(s, a);

			if (m < 1 || m > 12)
				return 0;
			month_words(o, m, two_digits(s + a + 1, 4), L);
			return (size_t)a + 5;
		}
		if (b >= 1 && b <= 2) {
			int d = two_digits(s, a), m = two_digits(s + a + 1, b);
			const char *after = s + a + 1 + b;

			if (d < 1 || d > 31 || m < 1 || m > 12)
				return 0;
			if (*after == '/' && (c = digits_at(after + 1, 4)) == 4 && boundary(after + 5)) {
				date_words(o, d, m, two_digits(after + 1, 4), L);
				return (size_t)(after + 5 - s);
			}
			/* dd/mm as the screens write a day of this year; 1/2 is
			 * a page of two. */
			if (*after != '/' && boundary(after) && a == 2 && b == 2) {
				date_words(o, d, m, -1, L);
				return (size_t)(after - s);
			}
		}
		return 0;
	}
	if (a >= 1 && a <= 3 && s[a] == ':' && digits_at(s + a + 1, 2) == 2 &&
	    s[a + 3] != ':' && boundary(s + a + 3)) {
		int m = two_digits(s + a + 1, 2);

		if (m < 60) {
			const char *unit = L->vi ? " giờ" : " hours";
			size_t len = (size_t)a + 3, ul = strlen(unit);

			time_words(o, two_digits(s, a), m, L);
			/* 12:05 giờ, hours of pumping: the hours are said once. */
			if (strncmp(s + len, unit, ul) == 0 && boundary(s + len + ul))
				len += ul;
			return len;
		}
	}
	return 0;
}

/* Codes: spelled, one letter or digit at a time. */

static const struct {
	char ch;
	const char *vi;
} vi_letters[] = {
	{ 'A', "a" }, { 'B', "bê" }, { 'C', "xê" }, { 'D', "dê" }, { 'E', "e" }, { 'F', "ép" },
	{ 'G', "giê" }, { 'H', "hát" }, { 'I', "i" }, { 'J', "gi" }, { 'K', "ca" },
	{ 'L', "lờ" }, { 'M', "mờ" }, { 'N', "nờ" }, { 'O', "o" }, { 'P', "pê" },
	{ 'Q', "quy" }, { 'R', "rờ" }, { 'S', "ét" }, { 'T', "tê" }, { 'U', "u" },
	{ 'V', "vê" }, { 'W', "vê kép" }, { 'X', "ích" }, { 'Y', "i dài" }, { 'Z', "dét" },
};

static void spell_char(struct out *o, char c, const struct lang *L)
{
	char one[2] = { c, '\0' };

	if (is_digit(c)) {
		word(o, L->vi ? vi_units[c - '0'] : en_units[c - '0']);
		return;
	}
	if (c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	one[0] = c;
	if (L->vi)
		for (size_t i = 0; i < sizeof(vi_letters) / sizeof(vi_letters[0]); i++)
			if (vi_letters[i].ch == c) {
				word(o, vi_letters[i].vi);
				return;
			}
	word(o, one);
}

/* A lot code, PT01-260610-01: the station's code, the day and the
 * number, each spelled, a pause between them. */
static size_t lot_code(struct out *o, const char *s, const struct lang *L)
{
	size_t a = 0, b, c;

	while ((is_upper(s[a]) || is_digit(s[a])) && a < 9)
		a++;
	if (a < 2 || a > 8 || s[a] != '-')
		return 0;
	b = (size_t)digits_at(s + a + 1, 6);
	if (b != 6 || s[a + 7] != '-')
		return 0;
	c = (size_t)digits_at(s + a + 8, 3);
	if (c < 2 || c > 3 || !boundary(s + a + 8 + c))
		return 0;
	for (size_t i = 0; i < a; i++)
		spell_char(o, s[i], L);
	put(o, ",");
	for (size_t i = a + 1; i < a + 7; i++)
		spell_char(o, s[i], L);
	put(o, ",");
	for (size_t i = a + 8; i < a + 8 + c; i++)
		spell_char(o, s[i], L);
	put(o, ",");	/* and a pause after it */
	return a + 8 + c;
}

/* A key's fingerprint, AB0B-5DF1-6CFC-8103: four groups of four
 * upper-case hex digits, each spelled, a pause between groups (a person
 * compares it, group by group, with what the office reads out). */
static bool is_hex_upper(char c)
{
	return is_digit(c) || (c >= 'A' && c <= 'F');
}

static size_t fingerprint(struct out *o, const char *s, const struct lang *L)
{
	for (size_t g = 0; g < 4; g++) {
		for (size_t i = 0; i < 4; i++)
			if (!is_hex_upper(s[g * 5 + i]))
				return 0;
		if (g < 3 && s[g * 5 + 4] != '-')
			return 0;
	}
	if (!boundary(s + 19))
		return 0;
	for (size_t g = 0; g < 4; g++) {
		for (size_t i = 0; i < 4; i++)
			spell_char(o, s[g * 5 + i], L);
		put(o, ",");
	}
	return 19;
}

/* Units and symbols. */

struct unit {
	const char *shown, *vi, *en;
	bool alone;		/* said so also without a number before it */
};

/* Longest first, where one begins another. */
static const struct unit units[] = {
	{ "µS/cm", "micrô xi-men trên xen-ti-mét", "microsiemens per centimetre", true },
	{ "l/min", "lít một phút", "litres a minute", true },
	{ "l/ph", "lít một phút", "litres a minute", true },
	{ "kWh", "ki-lô-oát giờ", "kilowatt hours", true },
	{ "kW", "ki-lô-oát", "kilowatts", true },
	{ "m³", "mét khối", "cubic metres", true },
	{ "°C", "độ xê", "degrees Celsius", true },
	{ "pH", "pê hát", "P H", true },
	{ "VND", "đồng", "dong", true },
	{ "%", "phần trăm", "percent", true },
	{ "kg", "ký", "kilograms", false },
	{ "ml", "mi-li-lít", "millilitres", false },
	{ "l", "lít", "litres", false },
	{ "đ", "đồng", "dong", false },
	{ "bar", "ba", "bar", false },
	{ "°", "độ", "degrees", true },
};

/* The unit at s (alone: not after a number), or NULL; *len its bytes. */
static const struct unit *unit_at(const char *s, bool alone, size_t *len)
{
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t l = strlen(units[i].shown);
		const char *last = s + l;

		if (alone && !units[i].alone)
			continue;
		if (strncmp(s, units[i].shown, l) != 0)
			continue;
		/* "%" and "°C" end where they end; "l" must not begin "lít". */
		if (letter_at(s) && !boundary(last))
			continue;
		*len = l;
		return &units[i];
	}
	return NULL;
}

/* Words shown that a voice would say otherwise. */
static const struct {
	const char *shown, *vi, *en;
} shown_words[] = {
	{ "HTX", "hợp tác xã", NULL },
	{ "T2", "thứ hai", NULL }, { "T3", "thứ ba", NULL }, { "T4", "thứ tư", NULL },
	{ "T5", "thứ năm", NULL }, { "T6", "thứ sáu", NULL }, { "T7", "thứ bảy", NULL },
	{ "CN", "chủ nhật", NULL },
	{ "PIN", "pin", NULL },
	{ "USB", "u ét bê", NULL },
	{ "Enter", "en-tơ", NULL },
	{ "Backspace", "bách-xpết", NULL },
	{ "OK", "ô-kê", NULL },
	{ "NumLock", "nam-lóc", NULL },
};

/* A word of letters (and digits) at s, said: a word the table knows, a
 * code of capitals spelled, letters then digits (Bơm1, gpiochip0). */
static size_t say_word(struct out *o, const char *s, const struct lang *L)
{
	size_t len = 0, i;
	bool digits = false, lower = false, nonascii = false;
	char buf[256];

	while (s[len] && (is_digit(s[len]) || letter_at(s + len))) {
		uint32_t cp;
		size_t l = decode(s + len, &cp);

		digits |= is_digit(s[len]);
		lower |= cp < 0x80 && s[len] >= 'a' && s[len] <= 'z';
		nonascii |= cp >= 0x80;
		len += l;
	}
	for (i = 0; i < sizeof(shown_words) / sizeof(shown_words[0]); i++) {
		const char *said = L->vi ? shown_words[i].vi : shown_words[i].en;

		if (said && strlen(shown_words[i].shown) == len &&
		    strncmp(s, shown_words[i].shown, len) == 0) {
			word(o, said);
			return len;
		}
	}
	if (!digits) {
		/* USB, GPIO: capitals only, short, are letters to spell. */
		if (!lower && !nonascii && len >= 2 && len <= 5) {
			for (i = 0; i < len; i++)
				spell_char(o, s[i], L);
			return len;
		}
		snprintf(buf, sizeof(buf), "%.*s", (int)(len < sizeof(buf) ? len : sizeof(buf) - 1), s);
		word(o, buf);
		return len;
	}
	/* Runs of letters and of digits, each said as what it is. */
	for (i = 0; i < len;) {
		size_t j = i;

		if (is_digit(s[i])) {
			while (j < len && is_digit(s[j]))
				j++;
			whole_words(o, s + i, j - i, L);
		} else {
			bool caps = true;

			while (j < len && !is_digit(s[j])) {
				caps &= is_upper(s[j]);
				j++;
			}
			if (caps && j - i <= 5) {
				for (size_t k = i; k < j; k++)
					spell_char(o, s[k], L);
			} else {
				snprintf(buf, sizeof(buf), "%.*s",
					 (int)(j - i < sizeof(buf) ? j - i : sizeof(buf) - 1), s + i);
				word(o, buf);
			}
		}
		i = j;
	}
	return len;
}

/* Does a number (or a day T2-T7) begin at s, after spaces? */
static bool number_next(const char *s)
{
	while (*s == ' ')
		s++;
	return is_digit(*s) || (s[0] == 'T' && s[1] >= '2' && s[1] <= '7');
}

/* Is the hyphen at dash one of a chain of numbers, 20-20-15, rather than
 * a range, 1-9? */
static bool in_chain(const char *text, const char *dash)
{
	const char *p = dash + 1, *q = dash;

	while (is_digit(*p))
		p++;
	if (*p == '-' && is_digit(p[1]))
		return true;
	while (q > text && is_digit(q[-1]))
		q--;
	return q > text + 1 && q[-1] == '-' && is_digit(q[-2]);
}

/* Spaces once, none before a mark, no mark doubled or first. */
static void tidy(char *s)
{
	char *r = s, *w = s;

	while (*r) {
		char c = *r++;

		if (c == ' ' && (w == s || w[-1] == ' '))
			continue;
		if (c == ',' || c == '.' || c == ':' || c == ';' || c == '?' || c == '!') {
			while (w > s && w[-1] == ' ')
				w--;
			if (w == s)
				continue;
			/* A pause already there, or a sentence's end, takes it. */
			if (w[-1] == ',' || w[-1] == ';' || w[-1] == ':') {
				if (c == ',')
					continue;
				w[-1] = c;
				continue;
			}
			if ((w[-1] == '.' || w[-1] == '?' || w[-1] == '!') && (c == ',' || c == '.'))
				continue;
		}
		*w++ = c;
	}
	while (w > s && (w[-1] == ' ' || w[-1] == ','))
		w--;
	*w = '\0';
}

char *speech_words(char *out, size_t n, const char *text, const char *lang)
{
	struct lang L = { .vi = !lang || strcmp(lang, "en") != 0 };
	struct out o = { .p = out, .n = n };
	const char *s = text ? text : "";

	L.thousands = L.vi ? '.' : ',';
	L.decimal = L.vi ? ',' : '.';
	if (n == 0)
		return out;
	out[0] = '\0';
	while (*s && !o.full) {
		bool start = s == text || boundary(s - 1);
		bool number_before = o.after_number;
		uint32_t cp;
		size_t len = decode(s, &cp), used;
		const struct unit *u;
		char whole[64], frac[32];

		/* "20 - 30": a number is still before the dash after a space. */
		if (*s != ' ')
			o.after_number = false;
		if (start && (is_upper(*s) || is_digit(*s)) &&
		    ((used = lot_code(&o, s, &L)) > 0 || (used = fingerprint(&o, s, &L)) > 0)) {
			s += used;
			continue;
		}
		if (is_digit(*s)) {
			if (start && (used = date_or_time(&o, s, &L)) > 0) {
				s += used;
				/* A date and its time, a time and what it is: a
				 * pause between. */
				if ((s[0] == ' ' && is_digit(s[1]) && s[-3] != ':') ||
				    (s[0] == ' ' && is_upper(s[1])))
					put(&o, ",");
				o.after_number = true;
				continue;
			}
			s += scan_number(s, &L, whole, sizeof(whole), frac, sizeof(frac));
			say_number(&o, whole, frac, &L);
			/* Its unit, after a space or none. */
			{
				const char *t = *s == ' ' ? s + 1 : s;

				u = unit_at(t, false, &used);
				if (u) {
					word(&o, L.vi ? u->vi : u->en);
					s = t + used;
				}
			}
			o.after_number = true;
			continue;
		}
		if (letter_at(s)) {
			u = unit_at(s, true, &used);
			if (u && start) {
				word(&o, L.vi ? u->vi : u->en);
				s += used;
				continue;
			}
			used = say_word(&o, s, &L);
			/* T2–T7: a range of days. */
			o.after_number = used == 2 && s[0] == 'T' && s[1] >= '2' && s[1] <= '7';
			s += used;
			continue;
		}
		if ((u = unit_at(s, true, &used)) != NULL) {
			word(&o, L.vi ? u->vi : u->en);
			s += used;
			continue;
		}
		switch (cp) {
		case '-':
			if (number_before && number_next(s + 1) && in_chain(text, s))
				put(&o, ",");	/* NPK 20-20-15: numbers side by side */
			else if (number_before && number_next(s + 1))
				word(&o, L.vi ? "đến" : "to");
			else if (is_digit(s[1]) && (start || s[-1] == ' '))
				word(&o, L.vi ? "âm" : "minus");
			else if (s != text && s[-1] == ' ' && s[1] == ' ')
				put(&o, ",");
			else if (s[1] == ' ' || s[1] == '/' || s[1] == ':' || !s[1])
				word(&o, L.vi ? "trừ" : "minus");
			else
				put(&o, " ");
			break;
		case 0x2013:	/* – */
			if (number_before && number_next(s + len))
				word(&o, L.vi ? "đến" : "to");
			else
				put(&o, ",");
			break;
		case 0x2014:	/* — */
		case 0x00B7:	/* · */
		case '(':
		case ')':
		case '|':
			put(&o, ",");
			break;
		case '.':
			/* 0.1.0: a point between digits that is not a thousands group. */
			if (number_before && is_digit(s[1]))
				word(&o, L.vi ? "chấm" : "point");
			else if ((s == text || s[-1] == ' ') && (!s[1] || s[1] == ' ' || s[1] == ':'))
				word(&o, L.vi ? "chấm" : "dot");	/* the key */
			else
				put(&o, ".");
			break;
		case '+':
			word(&o, L.vi ? "cộng" : "plus");
			break;
		case '*':
			word(&o, L.vi ? "sao" : "star");
			break;
		case '/':
			if (start && (s == text || s[-1] == ' ') && (s[1] == ' ' || s[1] == ':' || !s[1]))
				word(&o, L.vi ? "gạch chéo" : "slash");
			else if (number_before && number_next(s + 1))
				word(&o, L.vi ? "trên" : "of");
			else
				put(&o, ",");
			break;
		case '=':
			word(&o, L.vi ? "bằng" : "equals");
			break;
		case '&':
			word(&o, L.vi ? "và" : "and");
			break;
		case '#':
			word(&o, L.vi ? "số" : "number");
			break;
		case 0x2192:	/* → */
			word(&o, L.vi ? "thành" : "to");
			break;
		case ',':
		case ':':
		case ';':
		case '?':
		case '!':
			put(&o, (char[]){ (char)cp, '\0' });
			break;
		case '\'':
			put(&o, "'");
			break;
		case ' ':
			/* Columns apart on the screen are said apart. */
			if (s[1] == ' ')
				put(&o, ",");
			else
				put(&o, " ");
			while (s[1] == ' ')
				s++;
			break;
		default:
			/* Quotes, quotes, the ellipsis, blocks of big digits and
			 * charts, anything else: a space. */
			put(&o, " ");
			break;
		}
		s += len;
	}
	tidy(out);
	return out;
}

char *speech_number(char *out, size_t n, long long v, const char *lang)
{
	struct lang L = { .vi = !lang || strcmp(lang, "en") != 0 };
	struct out o = { .p = out, .n = n };

	if (n == 0)
		return out;
	out[0] = '\0';
	if (v < 0)
		word(&o, L.vi ? "âm" : "minus");
	number_words(&o, v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v, &L);
	tidy(out);
	return out;
}
