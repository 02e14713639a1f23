/* CSV that Excel on a Vietnamese Windows PC opens as meant: UTF-8 with a
 * byte-order mark, CRLF line ends, the separator and decimal mark chosen in
 * the configuration (';' and ',' by default), dates as dd/mm/yyyy. Fields
 * are appended to a buffer that the caller writes out and clears. */
#ifndef FS_CSV_H
#define FS_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct csv {
	char sep;		/* between fields */
	char dec;		/* decimal mark */
	char *buf;
	size_t len, cap;
	bool in_row;		/* a field was added to this row */
	bool failed;		/* out of memory: the buffer is incomplete */
};

void csv_init(struct csv *c, char sep, char dec);
void csv_free(struct csv *c);
/* Forget what the buffer holds, once written out. */
void csv_clear(struct csv *c);

/* The UTF-8 byte-order mark that tells Excel the encoding. */
void csv_bom(struct csv *c);
/* What goes before a text that a spreadsheet would otherwise read as
 * something else: U+200B ZERO WIDTH SPACE, which shows as nothing. A CSV
 * cannot say "this is text" in a way Excel and LibreOffice both keep:
 * quotes only delimit, LibreOffice shows an apostrophe as written, and
 * ="0101" is a formula (shown as typed when LibreOffice does not
 * evaluate formulas, as it does not by default); a cell that does not
 * parse as a number, a date or a formula stays text in both. A program
 * reading the CSV drops this one character at the start of a field. */
#define CSV_TEXT_MARK "\xE2\x80\x8B"

/* Would a spreadsheet with number and date detection on take text s for
 * something else? A formula (=, +, -, @, a tab or CR first), a number
 * (0101, 0912345678, 1,5, 1e5, 50%, (5), 5₫), a date or a time (1/6,
 * 2026-06-01, 1 Jun, 12:30 PM), TRUE or FALSE (ĐÚNG, SAI). */
bool csv_misread(const char *s);
/* Text, quoted when it must be, after CSV_TEXT_MARK when csv_misread()
 * says so; what text_clean() replaces becomes U+FFFD here too, except
 * tabs and line ends, which a quoted field holds. NULL is an empty
 * field. */
void csv_text(struct csv *c, const char *s);
/* A number with the decimal mark; NAN is an empty field. */
void csv_number(struct csv *c, double v, int decimals);
void csv_int(struct csv *c, int64_t v);
/* An amount as a person writes it: up to three decimals, no trailing
 * zeros (50, 12,5). */
void csv_amount(struct csv *c, double v);
/* Local date dd/mm/yyyy, and date with 24-hour time. */
void csv_date(struct csv *c, time_t t);
void csv_date_time(struct csv *c, time_t t);
/* A day stored as YYYY-MM-DD, written dd/mm/yyyy (other text as text). */
void csv_day(struct csv *c, const char *iso);
void csv_empty(struct csv *c);
/* Ends the row with CRLF. */
void csv_end_row(struct csv *c);

#endif
