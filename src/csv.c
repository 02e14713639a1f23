/* CSV fields for Excel: quoting, the decimal mark, dates, CRLF, and text
 * that must stay the text it is, never a formula, a number or a date. */
#include "csv.h"

#include "text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void csv_init(struct csv *c, char sep, char dec)
{
	memset(c, 0, sizeof(*c));
	c->sep = sep;
	c->dec = dec;
}

void csv_free(struct csv *c)
{
	free(c->buf);
	c->buf = NULL;
	c->len = c->cap = 0;
}

void csv_clear(struct csv *c)
{
	c->len = 0;
}

static void put(struct csv *c, const char *s, size_t n)
{
	if (c->len + n + 1 > c->cap) {
		size_t cap = c->cap ? c->cap : 4096;
		char *grown;

		while (c->len + n + 1 > cap)
			cap *= 2;
		grown = realloc(c->buf, cap);
		if (!grown) {
			c->failed = true;
			return;
		}
		c->buf = grown;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, s, n);
	c->len += n;
	c->buf[c->len] = '\0';
}

static void field_start(struct csv *c)
{
	if (c->in_row)
		put(c, &c->sep, 1);
	c->in_row = true;
}

void csv_bom(struct csv *c)
{
	put(c, "\xEF\xBB\xBF", 3);
}

/* A word that may stand in a number, a date or a time: an exponent right
 * after a digit, the time of day, a month's name in English. */
static bool number_word(const char *w, size_t n, bool after_digit)
{
	static const char *const words[] = {
		"am", "pm", "sa", "ch", "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug",
		"sep", "sept", "oct", "nov", "dec", "january", "february", "march", "april",
		"june", "july", "august", "september", "october", "november", "december",
	};

	if (n == 1 && (*w == 'e' || *w == 'E'))
		return after_digit;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i]) == n && strncasecmp(w, words[i], n) == 0)
			return true;
	return false;
}

bool csv_misread(const char *s)
{
	static const char *const truths[] = { "TRUE", "FALSE", "SAI" };
	bool digit = false, after_digit = false;

	if (!s || !*s)
		return false;
	if (strchr("=+-@\t\r", *s))
		return true;	/* a formula, in Excel */
	for (size_t i = 0; i < sizeof(truths) / sizeof(truths[0]); i++)
		if (strcasecmp(s, truths[i]) == 0)
			return true;
	if (strcmp(s, "ĐÚNG") == 0 || strcmp(s, "Đúng") == 0 || strcmp(s, "đúng") == 0)
		return true;
	while (*s) {
		unsigned char ch = (unsigned char)*s;

		if (ch >= '0' && ch <= '9') {
			digit = after_digit = true;
			s++;
		} else if (ch < 0x80 && strchr(" .,/-:+%()$", ch)) {
			after_digit = false;
			s++;
		} else if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') {
			size_t n = 0;

			while (((unsigned char)s[n] | 0x20) >= 'a' && ((unsigned char)s[n] | 0x20) <= 'z')
				n++;
			if (!number_word(s, n, after_digit))
				return false;
			after_digit = false;
			s += n;
		} else if (strncmp(s, "\xC2\xA0", 2) == 0) {	/* no-break space */
			s += 2;
		} else if (strncmp(s, "\xE2\x82\xAB", 3) == 0 ||	/* ₫ */
			   strncmp(s, "\xE2\x82\xAC", 3) == 0) {	/* € */
			s += 3;
		} else {
			return false;
		}
	}
	return digit;
}

void csv_text(struct csv *c, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	bool quote = false;

	field_start(c);
	if (!s || !*s)
		return;
	for (const char *q = s; *q; q++)
		if (*q == c->sep || *q == '"' || *q == '\r' || *q == '\n')
			quote = true;
	if (quote)
		put(c, "\"", 1);
	if (csv_misread(s))
		put(c, CSV_TEXT_MARK, sizeof(CSV_TEXT_MARK) - 1);
	while (*p) {
		bool shown;
		size_t n = text_char((const char *)p, &shown);

		if (*p == '"')
			put(c, "\"\"", 2);
		else if (shown || *p == '\t' || *p == '\r' || *p == '\n')
			put(c, (const char *)p, n);	/* line ends are quoted */
		else
			put(c, TEXT_REPLACEMENT, sizeof(TEXT_REPLACEMENT) - 1);
		p += n;
	}
	if (quote)
		put(c, "\"", 1);
}

void csv_number(struct csv *c, double v, int decimals)
{
	char b[64], *dot;
	int n;

	field_start(c);
	if (isnan(v) || isinf(v))
		return;
	if (fabs(v) * pow(10, decimals) < 0.5)
		v = 0;	/* no "-0,0" */
	n = snprintf(b, sizeof(b), "%.*f", decimals, v);
	if (n <= 0 || (size_t)n >= sizeof(b))
		return;
	dot = strchr(b, '.');
	if (dot)
		*dot = c->dec;
	if (dot && c->dec == c->sep) {
		/* Never chosen by the configuration, but still a correct file. */
		put(c, "\"", 1);
		put(c, b, (size_t)n);
		put(c, "\"", 1);
		return;
	}
	put(c, b, (size_t)n);
}

void csv_int(struct csv *c, int64_t v)
{
	char b[32];
	int n = snprintf(b, sizeof(b), "%lld", (long long)v);

	field_start(c);
	put(c, b, (size_t)n);
}

static void put_time(struct csv *c, time_t t, bool with_time)
{
	struct tm tm;
	char b[32];
	int n;

	field_start(c);
	if (!localtime_r(&t, &tm))
		return;
	n = snprintf(b, sizeof(b), "%02d/%02d/%04d", tm.tm_mday, tm.tm_mon + 1,
		     tm.tm_year + 1900);
	if (with_time)
		n += snprintf(b + n, sizeof(b) - (size_t)n, " %02d:%02d", tm.tm_hour, tm.tm_min);
	put(c, b, (size_t)n);
}

void csv_date(struct csv *c, time_t t)
{
	put_time(c, t, false);
}

void csv_date_time(struct csv *c, time_t t)
{
	put_time(c, t, true);
}

void csv_amount(struct csv *c, double v)
{
	char b[64];
	int decimals = 3;

	/* The fewest decimals that still say v exactly to a thousandth. */
	while (decimals > 0) {
		snprintf(b, sizeof(b), "%.*f", decimals - 1, v);
		if (fabs(strtod(b, NULL) - v) > 0.0005)
			break;
		decimals--;
	}
	csv_number(c, v, decimals);
}

void csv_day(struct csv *c, const char *iso)
{
	int y, m, d, n = 0;
	char b[16];

	if (iso && sscanf(iso, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && iso[n] == '\0' &&
	    y >= 1000 && m >= 1 && m <= 12 && d >= 1 && d <= 31) {
		field_start(c);
		n = snprintf(b, sizeof(b), "%02d/%02d/%04d", d, m, y);
		put(c, b, (size_t)n);
		return;
	}
	csv_text(c, iso);
}

void csv_empty(struct csv *c)
{
	field_start(c);
}

void csv_end_row(struct csv *c)
{
	put(c, "\r\n", 2);
	c->in_row = false;
}
