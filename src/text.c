/* gettext, numbers, dates and text widths. The display language is a
 * setting of the station, so it is passed through LANGUAGE rather than
 * taken from the board's locale, which is often just C.UTF-8. */
#include "text.h"

#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#ifndef LOCALEDIR
#define LOCALEDIR "/usr/share/locale"
#endif

static char language[4] = "vi";

/* The catalogue sits in build/locale beside an uninstalled binary (or one
 * folder up, for the test programs in build/tests), and in share/locale
 * beside the bin/ of an installed one, whatever PREFIX it was built for:
 * `make && make PREFIX=/usr install` and the Debian package both work. */
static const char *locale_dir(void)
{
	static const char *const tries[] = { "/locale", "/../locale", "/../share/locale" };
	static char dir[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 16);
	char *slash;

	if (n <= 0)
		return LOCALEDIR;
	dir[n] = '\0';
	slash = strrchr(dir, '/');
	if (!slash)
		return LOCALEDIR;
	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		size_t len;

		strcpy(slash, tries[i]);
		len = strlen(dir);
		/* The folder with our own catalogue in it, not any locale folder. */
		snprintf(dir + len, sizeof(dir) - len, "/vi/LC_MESSAGES/fieldstation.mo");
		if (access(dir, R_OK) == 0) {
			dir[len] = '\0';
			return dir;
		}
	}
	return LOCALEDIR;
}

int text_init(const char *lang)
{
	int rc = 0;

	setlocale(LC_ALL, "");
	if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0 &&
	    !setlocale(LC_ALL, "C.UTF-8"))
		rc = -1;
	/* Config files, SQL and CSV always use the decimal point. */
	setlocale(LC_NUMERIC, "C");
	bindtextdomain("fieldstation", locale_dir());
	bind_textdomain_codeset("fieldstation", "UTF-8");
	textdomain("fieldstation");
	text_set_language(lang);
	return rc;
}

void text_set_language(const char *lang)
{
	snprintf(language, sizeof(language), "%s", strcmp(lang, "en") == 0 ? "en" : "vi");
	setenv("LANGUAGE", language, 1);
}

const char *text_language(void)
{
	return language;
}

/* Digits of a whole number with the thousands grouped: 1.234.567 in
 * Vietnamese, 1,234,567 in English. */
static void group_digits(char *out, size_t n, const char *digits, bool vi)
{
	size_t len = strlen(digits), k = 0;

	for (size_t i = 0; i < len && k + 2 < n; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			out[k++] = vi ? '.' : ',';
		out[k++] = digits[i];
	}
	if (n > 0)
		out[k] = '\0';
}

char *text_number(char *buf, size_t n, double v, int decimals)
{
	bool vi = strcmp(language, "vi") == 0;
	char plain[64], whole[48];
	char *dot;

	/* -0.01 shown with one decimal is 0,0, not -0,0. */
	if (fabs(v) * pow(10, decimals) < 0.5)
		v = 0;
	snprintf(plain, sizeof(plain), "%.*f", decimals, fabs(v));
	dot = strchr(plain, '.');
	if (dot)
		*dot = '\0';
	group_digits(whole, sizeof(whole), plain, vi);
	snprintf(buf, n, "%s%s%s%s", v < 0 ? "-" : "", whole, dot ? (vi ? "," : ".") : "",
		 dot ? dot + 1 : "");
	return buf;
}

char *text_amount(char *buf, size_t n, double v)
{
	const char *mark = strcmp(language, "vi") == 0 ? "," : ".";
	char *dec;
	size_t len;

	text_number(buf, n, v, 3);
	dec = strstr(buf, mark);
	if (!dec)
		return buf;
	len = strlen(buf);
	while (len > 0 && buf[len - 1] == '0')
		buf[--len] = '\0';
	if (len > 0 && &buf[len - 1] == dec)
		buf[--len] = '\0';
	return buf;
}

char *text_money(char *buf, size_t n, double v, const char *currency)
{
	bool vi = strcmp(language, "vi") == 0;
	char digits[32], grouped[48];

	snprintf(digits, sizeof(digits), "%lld", llround(fabs(v)));
	group_digits(grouped, sizeof(grouped), digits, vi);
	if (strcmp(currency, "VND") == 0 && vi)
		snprintf(buf, n, "%s%s đ", v <= -0.5 ? "-" : "", grouped);
	else
		snprintf(buf, n, "%s%s %s", v <= -0.5 ? "-" : "", grouped, currency);
	return buf;
}

char *text_duration(char *buf, size_t n, int64_t seconds)
{
	int64_t minutes = (seconds < 0 ? 0 : seconds + 30) / 60;

	snprintf(buf, n, "%lld:%02d", (long long)(minutes / 60), (int)(minutes % 60));
	return buf;
}

char *text_date(char *buf, size_t n, time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, n, "%d/%m/%Y", &tm);
	return buf;
}

char *text_time(char *buf, size_t n, time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, n, "%H:%M", &tm);
	return buf;
}

char *text_date_time(char *buf, size_t n, time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, n, "%d/%m/%Y %H:%M", &tm);
	return buf;
}

char *text_ago(char *buf, size_t n, int64_t seconds)
{
	int64_t v;

	if (seconds < 60) {
		snprintf(buf, n, "%s", _("just now"));
	} else if (seconds < 3600) {
		v = seconds / 60;
		snprintf(buf, n, ngettext("%d minute ago", "%d minutes ago", (unsigned long)v), (int)v);
	} else if (seconds < 2 * 86400) {
		v = seconds / 3600;
		snprintf(buf, n, ngettext("%d hour ago", "%d hours ago", (unsigned long)v), (int)v);
	} else {
		v = seconds / 86400;
		snprintf(buf, n, ngettext("%d day ago", "%d days ago", (unsigned long)v), (int)v);
	}
	return buf;
}

/* Days from the civil date and back (the proleptic Gregorian calendar;
 * H. Hinnant's algorithms), so that no time zone or DST enters day counts. */
static int days_from_civil(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int z, int *y, int *m, int *d)
{
	int era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp + (mp < 10 ? 3 : -9);
	*y = yoe + era * 400 + (*m <= 2);
}

int text_day_of(time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	return days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

char *text_day(char *buf, size_t n, int day)
{
	int y, m, d;

	civil_from_days(day, &y, &m, &d);
	snprintf(buf, n, "%02d/%02d/%04d", d, m, y);
	return buf;
}

char *text_day_iso(char *buf, size_t n, int day)
{
	int y, m, d;

	civil_from_days(day, &y, &m, &d);
	snprintf(buf, n, "%04d-%02d-%02d", y, m, d);
	return buf;
}

int text_day_parse_iso(const char *s, int *day)
{
	int y, m, d, n = 0, yy, mm, dd;

	if (!s || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || s[n] || n != 10 ||
	    m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	*day = days_from_civil(y, m, d);
	civil_from_days(*day, &yy, &mm, &dd);
	return yy == y && mm == m && dd == d ? 0 : -1;
}

time_t text_day_start(int day)
{
	struct tm tm = { 0 };
	int y, m, d;

	civil_from_days(day, &y, &m, &d);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

/* Length of the valid UTF-8 sequence at s and its code point, or 0 if
 * it is not one (overlong forms and surrogates included). */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		if ((s[1] & 0xC0) != 0x80)
			return 0;
		*cp = (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
		return 2;
	}
	if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F))
			return 0;
		*cp = (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
		return 3;
	}
	if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
			return 0;
		if ((s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F))
			return 0;
		*cp = (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 |
		      (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
		return 4;
	}
	return 0;
}

size_t text_char(const char *s, bool *shown)
{
	uint32_t cp = 0;
	size_t len;

	if (!*s) {
		*shown = true;
		return 0;
	}
	len = utf8_decode((const unsigned char *)s, &cp);
	if (len == 0) {
		*shown = false;
		return 1;
	}
	*shown = !(cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C ||
		   cp == 0x200E || cp == 0x200F || (cp >= 0x2028 && cp <= 0x202E) ||
		   (cp >= 0x2066 && cp <= 0x2069));
	return len;
}

char *text_clean(char *buf, size_t n, const char *s)
{
	size_t used = 0;

	if (n == 0)
		return buf;
	while (s && *s) {
		bool shown;
		size_t len = text_char(s, &shown);
		const char *put = shown ? s : TEXT_REPLACEMENT;
		size_t put_len = shown ? len : sizeof(TEXT_REPLACEMENT) - 1;

		if (used + put_len + 1 > n)
			break;
		memcpy(buf + used, put, put_len);
		used += put_len;
		s += len;
	}
	buf[used] = '\0';
	return buf;
}

int text_width(const char *s)
{
	mbstate_t st = { 0 };
	int cols = 0;
	wchar_t wc;
	size_t len;

	while (*s) {
		len = mbrtowc(&wc, s, MB_CUR_MAX, &st);
		if (len == (size_t)-1 || len == (size_t)-2)
			return -1;
		int w = wcwidth(wc);
		cols += w > 0 ? w : 0;
		s += len;
	}
	return cols;
}

char *text_fit(char *buf, size_t n, const char *s, int cols)
{
	mbstate_t st = { 0 };
	size_t used = 0;
	wchar_t wc;

	while (*s) {
		size_t len = mbrtowc(&wc, s, MB_CUR_MAX, &st);
		int w;

		if (len == (size_t)-1 || len == (size_t)-2)
			break;
		w = wcwidth(wc);
		if (w < 0)
			w = 0;
		if (w > cols || used + len + 1 > n)
			break;
		memcpy(buf + used, s, len);
		used += len;
		cols -= w;
		s += len;
	}
	if (n > 0)
		buf[used] = '\0';
	return buf;
}

bool text_wrap(const char **s, int cols, char *buf, size_t n)
{
	const char *p = *s;
	size_t len, cut = 0;

	while (*p == ' ')
		p++;
	if (!*p)
		return false;
	text_fit(buf, n, p, cols);
	len = strlen(buf);
	if (p[len] != '\0' && p[len] != ' ') {
		/* Mid-word: break at the last space, if the line has one. */
		for (size_t i = len; i > 0; i--) {
			if (buf[i - 1] == ' ') {
				cut = i - 1;
				break;
			}
		}
		if (cut > 0) {
			buf[cut] = '\0';
			len = cut;
		}
	}
	*s = p + len;
	return true;
}
