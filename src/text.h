/* Words and numbers for the farmer: gettext set-up, the decimal comma,
 * dates as dd/mm/yyyy, 24-hour times, and display widths of UTF-8 text. */
#ifndef FS_TEXT_H
#define FS_TEXT_H

#include <libintl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define _(s) gettext(s)
#define N_(s) (s)

/* Sets up the locale (UTF-8, LC_NUMERIC stays "C") and the catalogue.
 * lang is "vi" or "en". Returns 0, or -1 if no UTF-8 locale exists. */
int text_init(const char *lang);
/* Switch language later (after the configuration is read). */
void text_set_language(const char *lang);
const char *text_language(void);

/* A quantity with its thousands grouped and decimals decimals:
 * 1.234,5 in Vietnamese, 1,234.5 in English. Formats into buf and
 * returns buf. A unit follows after a space: "1.200 kg", "500 ml". */
char *text_number(char *buf, size_t n, double v, int decimals);
/* An amount as a person writes it: up to 3 decimals, no trailing zeros
 * (12,5 and 1.200, not 12,500 and 1200). */
char *text_amount(char *buf, size_t n, double v);
/* A duration as hours:minutes, rounded to the minute: 0:36, 12:05. */
char *text_duration(char *buf, size_t n, int64_t seconds);
/* Money in whole units with grouped thousands: 14.200 đ (Vietnamese,
 * for VND), 14,200 VND (English). */
char *text_money(char *buf, size_t n, double v, const char *currency);
char *text_date(char *buf, size_t n, time_t t);		/* 26/11/2026 */
char *text_time(char *buf, size_t n, time_t t);		/* 07:45 */
char *text_date_time(char *buf, size_t n, time_t t);	/* 26/11/2026 07:45 */
/* How long ago: "just now", "5 minutes ago", "3 hours ago", "4 days ago". */
char *text_ago(char *buf, size_t n, int64_t seconds);

/* Days: whole days since 1970-01-01 on the station's calendar, what a
 * record's date is. */
int text_day_of(time_t t);				/* the local day of t */
char *text_day(char *buf, size_t n, int day);		/* 26/11/2026 */
char *text_day_iso(char *buf, size_t n, int day);	/* 2026-11-26 */
/* "2026-11-26" -> day; -1 if malformed or not a real date. */
int text_day_parse_iso(const char *s, int *day);
/* The local time at which day begins. */
time_t text_day_start(int day);

/* Text from outside (a stick, a configuration file, a sensor, another
 * station's database) is printed only through text_clean(): a name must
 * not move the cursor, retitle the terminal or reverse what follows.
 *
 * The character at s: its length in bytes (0 at the end of the string; 1
 * for a byte that is not part of valid UTF-8), and whether it may be shown
 * as it is. Not shown: bytes that are not UTF-8, the C0 and C1 control
 * characters and DEL (ESC starts every terminal sequence), the bidi
 * controls that reorder text (U+061C, U+200E-F, U+202A-E, U+2066-9), and
 * the line and paragraph separators (U+2028-9). */
size_t text_char(const char *s, bool *shown);
/* s with each character that text_char() does not show replaced by U+FFFD
 * (a byte that is not UTF-8 by one each), cut at a whole character to fit
 * n. NULL is "". Returns buf, which must not be s. */
char *text_clean(char *buf, size_t n, const char *s);
#define TEXT_REPLACEMENT "\xEF\xBF\xBD"	/* U+FFFD */

/* Columns that UTF-8 text takes on screen (-1 if invalid). */
int text_width(const char *s);
/* Copies at most `cols` columns of s into buf (whole characters only). */
char *text_fit(char *buf, size_t n, const char *s, int cols);

/* Takes from *s the next line of at most cols columns, broken at a space
 * where one is, into buf; advances *s. Returns false when *s is used up. */
bool text_wrap(const char **s, int cols, char *buf, size_t n);

#endif
