/* The workbook of an export: a first sheet about it, a sheet per diary,
 * the lots' traceability; written with libxlsxwriter into a private
 * folder, a few hundred rows a step, and closed (zipped whole, the
 * library's one long call) by a child process while the loop goes on. */
#include "workbook.h"

#include "clock.h"
#include "config.h"
#include "records.h"
#include "savings.h"
#include "store.h"
#include "text.h"
#include "xlsx.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Excel's limits: characters in a cell, rows in a sheet. */
#define CELL_MAX 32767
#define SHEET_ROWS 1048576
#define MAX_COLS 64
/* Column widths, in characters of the default font. */
#define WIDTH_MIN 6.0
#define WIDTH_MAX 60.0
/* A header wraps over at most this many lines. */
#define HEADER_LINES 3
#define LINE_POINTS 15.0
#define MAX_SHEETS 40
#define SHEET_NAME_LEN (LXW_MAX_SHEETNAME_LENGTH + 8)
/* The longest a child may take to zip the book: far beyond five years of
 * records on a board; a child stopped or hung is given up after it. */
#define CLOSE_MAX_MS (5 * 60 * 1000)
/* The child's exit status when the library was not what failed; below
 * it, the library's own error number. */
#define CLOSER_UNSET 121

enum phase { PH_DIARY, PH_LOTS, PH_CLOSE, PH_CLOSING, PH_DONE };

/* What went wrong inside: the library or the private folder, or the
 * station's records. */
#define BOOK_FAILED (-100)
#define BOOK_DB (-101)

/* The sheet being written. */
struct sheet {
	lxw_worksheet *ws;
	int n_cols;
	lxw_row_t row;			/* the next row */
	double width[MAX_COLS];		/* the widest cell of each column */
	bool full;			/* Excel's last row was reached */
};

struct workbook {
	const struct xlsx *x;		/* the library, held while the book is */
	char dir[PATH_MAX];		/* the private folder */
	char path[PATH_MAX + 32];	/* the file in it */
	lxw_workbook *wb;
	lxw_format *title, *bold, *header, *wrap, *date, *time, *number[4], *link;
	struct store *store;
	const struct config *cfg;
	struct export_params params;
	const struct export_diary *diaries;
	int n_diaries, diary;
	enum phase phase;
	struct store_cursor *cur;
	struct sheet sheet;
	struct sheet lots, lot_runs;	/* the lots' two sheets */
	/* Every sheet, made at the start: the first, the diaries', the lots'. */
	lxw_worksheet *ws[MAX_SHEETS];
	char names[MAX_SHEETS][SHEET_NAME_LEN];
	int sheets, first_diary, first_lots, first_savings;
	time_t made;
	pid_t closer;			/* the child closing the book, until reaped */
	int64_t closing_since;		/* when it began, monotonic ms */
	int fd;
	char *text;			/* a cell's text, made clean */
	size_t text_cap;
	lxw_error lxw;			/* the library's first error */
	char error[256];
};

/* Texts. */

/* s as a cell may hold it. What text_char() would not show, and U+FFFE
 * and U+FFFF, which XML does not allow, become U+FFFD; tabs and line ends
 * stay, a CR LF or a lone CR as one line end. A "_x" that a spreadsheet
 * would take for an escape (_x0041_ is "A") has its '_' written as one,
 * _x005F_. At most CELL_MAX characters as Excel counts them (UTF-16), the
 * last of a longer text "…". NULL when out of memory. */
static const char *clean(struct workbook *w, const char *s)
{
	static const char cut_mark[] = "\xE2\x80\xA6";	/* … */
	static const char underscore[] = "_x005F_";
	size_t len = strlen(s), need = len * 7 + 1, used = 0, units = 0;

	/* Each character grows to at most 7 bytes (an escaped '_'), and
	 * takes at least one unit. */
	if (need > (size_t)CELL_MAX * 7 + 1)
		need = (size_t)CELL_MAX * 7 + 1;
	if (need > w->text_cap) {
		char *grown = realloc(w->text, need);

		if (!grown)
			return NULL;
		w->text = grown;
		w->text_cap = need;
	}
	while (*s) {
		bool shown;
		size_t n = text_char(s, &shown), put_len = n, more;
		const char *put = s;

		if (*s == '\r') {
			put = "\n";
			put_len = 1;
			if (s[1] == '\n')
				n = 2;
		} else if (!shown && *s != '\t' && *s != '\n') {
			put = TEXT_REPLACEMENT;
			put_len = sizeof(TEXT_REPLACEMENT) - 1;
		} else if (n == 3 && memcmp(s, "\xEF\xBF", 2) == 0 &&
			   ((unsigned char)s[2] == 0xBE || (unsigned char)s[2] == 0xBF)) {
			put = TEXT_REPLACEMENT;
		} else if (*s == '_' && s[1] == 'x' && strspn(s + 2, "0123456789abcdefABCDEF") >= 4 &&
			   s[6] == '_') {
			put = underscore;
			put_len = sizeof(underscore) - 1;
		}
		/* UTF-16 units: two for a character beyond U+FFFF. */
		more = put_len == 4 ? 2 : put == underscore ? put_len : 1;
		/* Room left for the "…" unless this is the last. */
		if (units + more > CELL_MAX - (s[n] ? 1 : 0)) {
			memcpy(w->text + used, cut_mark, sizeof(cut_mark) - 1);
			used += sizeof(cut_mark) - 1;
			break;
		}
		memcpy(w->text + used, put, put_len);
		used += put_len;
		units += more;
		s += n;
	}
	w->text[used] = '\0';
	return w->text;
}

/* Characters, as a column's width counts them. */
static double chars(const char *s)
{
	double n = 0, line = 0;

	for (; *s; s++) {
		if (*s == '\n') {
			n = line > n ? line : n;
			line = 0;
		} else if (((unsigned char)*s & 0xC0) != 0x80) {
			line++;
		}
	}
	return line > n ? line : n;
}

static void fail(struct workbook *w, lxw_error err)
{
	if (!w->lxw && err)
		w->lxw = err;
}

/* Cells. */

static void widen(struct sheet *sh, int col, double width)
{
	if (col < MAX_COLS && width > sh->width[col])
		sh->width[col] = width;
}

static void put_text(struct workbook *w, struct sheet *sh, int col, const char *s,
		     lxw_format *fmt)
{
	const char *t;

	if (!s || !*s)
		return;
	t = clean(w, s);
	if (!t) {
		fail(w, LXW_ERROR_MEMORY_MALLOC_FAILED);
		return;
	}
	fail(w, w->x->worksheet_write_string(sh->ws, sh->row, (lxw_col_t)col, t, fmt));
	widen(sh, col, chars(t));
}

/* A number to the given decimals, shown with them; AS_WRITTEN: to a
 * thousandth, shown with the decimals it has (an amount: 50, 12,5). */
#define AS_WRITTEN (-1)

static void put_number(struct workbook *w, struct sheet *sh, int col, double v, int decimals)
{
	int shown = decimals < 0 ? 3 : decimals > 3 ? 3 : decimals;
	char b[64];

	if (isnan(v) || isinf(v) || fabs(v) > 1e15)
		return;
	/* The value the station states, to its decimals, rounded as the CSV
	 * writes it (printf); no -0. */
	snprintf(b, sizeof(b), "%.*f", shown, v);
	v = strtod(b, NULL);
	if (v == 0)
		v = 0;
	fail(w, w->x->worksheet_write_number(sh->ws, sh->row, (lxw_col_t)col, v,
					     decimals < 0 ? NULL : w->number[shown]));
	if (decimals < 0)
		snprintf(b, sizeof(b), "%g", v);
	else
		snprintf(b, sizeof(b), "%.*f", shown, v);
	widen(sh, col, chars(b));
}

static void put_date(struct workbook *w, struct sheet *sh, int col, int y, int m, int d,
		     int hh, int mm)
{
	lxw_datetime dt = { y, m, d, hh, mm, 0 };
	bool with_time = hh >= 0;

	if (!with_time)
		dt.hour = dt.min = 0;
	fail(w, w->x->worksheet_write_datetime(sh->ws, sh->row, (lxw_col_t)col, &dt,
					       with_time ? w->time : w->date));
	widen(sh, col, with_time ? 16 : 10);
}

/* A moment, in the station's local time. */
static void put_time(struct workbook *w, struct sheet *sh, int col, time_t t)
{
	struct tm tm;

	if (localtime_r(&t, &tm))
		put_date(w, sh, col, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			 tm.tm_min);
}

static void put_iso_day(struct workbook *w, struct sheet *sh, int col, const char *iso);

static void put_day(struct workbook *w, struct sheet *sh, int col, int day)
{
	char iso[16];

	put_iso_day(w, sh, col, text_day_iso(iso, sizeof(iso), day));
}

/* A day stored as YYYY-MM-DD; anything else stays the text it is. */
static void put_iso_day(struct workbook *w, struct sheet *sh, int col, const char *iso)
{
	int y, m, d, n = 0;

	if (sscanf(iso, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && iso[n] == '\0' && y >= 1900 &&
	    y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= 31)
		put_date(w, sh, col, y, m, d, -1, 0);
	else
		put_text(w, sh, col, iso, NULL);
}

/* Sheets. */

/* A sheet's name from its title: Excel refuses []:*?/\, a leading or
 * trailing apostrophe and more than 31 characters, and a name given
 * twice. The sheet is made now, so that the first sheet can link to it
 * by the name it has. */
static int add_sheet(struct workbook *w, const char *title)
{
	char name[LXW_MAX_SHEETNAME_LENGTH], *tried = w->names[w->sheets];
	const char *t = clean(w, title);
	size_t used = 0, cut[LXW_SHEETNAME_MAX + 1];
	int count = 0;

	if (!t || w->sheets == MAX_SHEETS)
		return BOOK_FAILED;
	while (*t && count < LXW_SHEETNAME_MAX) {
		bool shown;
		size_t n = text_char(t, &shown);

		cut[count] = used;
		if (n == 1 && (strchr("[]:*?/\\", *t) || (unsigned char)*t < 0x20))
			name[used++] = '-';
		else
			memcpy(name + used, t, n), used += n;
		count++;
		t += n;
	}
	cut[count] = used;
	name[used] = '\0';
	while (used > 0 && name[used - 1] == '\'')
		name[--used] = '\0';
	if (name[0] == '\'')
		name[0] = '-';
	if (!name[0])
		snprintf(name, sizeof(name), "%d", w->sheets + 1);
	snprintf(tried, SHEET_NAME_LEN, "%s", name);
	/* Given twice: a number after it, within the 31 characters. */
	for (int k = 2; w->x->workbook_validate_sheet_name(w->wb, tried) != LXW_NO_ERROR; k++) {
		size_t keep = count > LXW_SHEETNAME_MAX - 3 ? cut[LXW_SHEETNAME_MAX - 3] : used;

		if (k == 100)
			return BOOK_FAILED;
		snprintf(tried, SHEET_NAME_LEN, "%.*s %d", (int)keep, name, k);
	}
	w->ws[w->sheets] = w->x->workbook_add_worksheet(w->wb, tried);
	if (!w->ws[w->sheets])
		return BOOK_FAILED;
	return w->sheets++;
}

/* The sheet `index` with its header row: wrapped over at most
 * HEADER_LINES lines, frozen. */
static int start_sheet(struct workbook *w, struct sheet *sh, int index,
		       const char *const *headers, int n_cols)
{
	double lines = 1;

	memset(sh, 0, sizeof(*sh));
	sh->ws = w->ws[index];
	sh->n_cols = n_cols < MAX_COLS ? n_cols : MAX_COLS;
	for (int i = 0; i < sh->n_cols; i++) {
		double len = chars(headers[i]), word = 0, at = 0, least, need;

		/* The longest word stays whole. */
		for (const char *p = headers[i];; p++) {
			if (!*p || *p == ' ') {
				word = at > word ? at : word;
				at = 0;
				if (!*p)
					break;
			} else if (((unsigned char)*p & 0xC0) != 0x80) {
				at++;
			}
		}
		least = ceil(len / HEADER_LINES);
		sh->width[i] = word > least ? word : least;
		need = ceil(len / (sh->width[i] > 0 ? sh->width[i] : 1));
		if (need > lines)
			lines = need;
	}
	fail(w, w->x->worksheet_set_row(sh->ws, 0, LINE_POINTS * lines, NULL));
	for (int i = 0; i < sh->n_cols; i++) {
		const char *t = clean(w, headers[i]);

		if (t)
			fail(w, w->x->worksheet_write_string(sh->ws, 0, (lxw_col_t)i, t, w->header));
	}
	w->x->worksheet_freeze_panes(sh->ws, 1, 0);
	sh->row = 1;
	return w->lxw ? BOOK_FAILED : 0;
}

/* Widths as the cells need them; a filter on the header. */
static void end_sheet(struct workbook *w, struct sheet *sh, bool filter)
{
	for (int i = 0; i < sh->n_cols; i++) {
		double width = sh->width[i] + 2;

		if (width < WIDTH_MIN)
			width = WIDTH_MIN;
		if (width > WIDTH_MAX)
			width = WIDTH_MAX;
		fail(w, w->x->worksheet_set_column(sh->ws, (lxw_col_t)i, (lxw_col_t)i, width, NULL));
	}
	if (filter && sh->n_cols > 0)
		fail(w, w->x->worksheet_autofilter(sh->ws, 0, 0, sh->row > 1 ? sh->row - 1 : 1,
						   (lxw_col_t)(sh->n_cols - 1)));
}

/* The next row, unless Excel's last one was reached. */
static bool next_row(struct sheet *sh)
{
	if (sh->row + 1 >= SHEET_ROWS) {
		sh->full = true;
		return false;
	}
	sh->row++;
	return true;
}

/* The first sheet. */

static void info_row(struct workbook *w, struct sheet *sh, const char *label, const char *value)
{
	put_text(w, sh, 0, label, w->bold);
	put_text(w, sh, 1, value, NULL);
	sh->row++;
}

static void info_time_row(struct workbook *w, struct sheet *sh, const char *label, int64_t t)
{
	put_text(w, sh, 0, label, w->bold);
	put_time(w, sh, 1, (time_t)t);
	sh->row++;
}

static int diary_rows(struct workbook *w, const struct export_diary *d, int64_t *n)
{
	return store_export_count(w->store, d, &w->params, n);
}

static void sheet_link(struct workbook *w, struct sheet *sh, int index)
{
	char link[SHEET_NAME_LEN + 32];
	const char *name = w->names[index];

	/* A name with an apostrophe would need it doubled: shown unlinked. */
	if (strchr(name, '\'') ||
	    (size_t)snprintf(link, sizeof(link), "internal:'%s'!A1", name) >= sizeof(link) ||
	    w->x->worksheet_write_url_opt(sh->ws, sh->row, 0, link, w->link, name, NULL) != LXW_NO_ERROR)
		put_text(w, sh, 0, name, NULL);
	widen(sh, 0, chars(name));
}

/* The savings sheet's periods (src/savings.c): each one's figures. */
static int savings_period_items(struct workbook *w, int period, struct savings_item *items)
{
	struct savings sv;
	enum savings_span span;
	int back;

	savings_export_period(period, &span, &back);
	if (savings_compute(w->store, w->cfg, w->made, span, back, &sv) < 0)
		return -1;
	return savings_items(&sv, w->cfg, items, SAVINGS_ITEMS_MAX);
}

static int savings_rows(struct workbook *w, int64_t *n)
{
	struct savings_item items[SAVINGS_ITEMS_MAX];

	*n = 0;
	for (int p = 0; p < SAVINGS_EXPORT_PERIODS; p++) {
		int k = savings_period_items(w, p, items);

		if (k < 0)
			return -1;
		*n += k;
	}
	return 0;
}

/* Which station, which period, when; then each sheet, its name a link to
 * it, what it holds and its rows, counted in the export's snapshot as
 * the sheets will hold them. */
static int write_info(struct workbook *w, const struct workbook_facts *f)
{
	struct sheet sh = { .ws = w->ws[0], .n_cols = 3 };
	struct store_cursor *c = NULL;
	char line[512];
	int64_t n;
	int rc = 0;

	snprintf(line, sizeof(line), f->office ? _("Records of the stations merged at the office")
					       : _("Records of station %s"), f->code);
	/* The title spills over the columns beside it: it widens none. */
	if (clean(w, line))
		fail(w, w->x->worksheet_write_string(sh.ws, 0, 0, w->text, w->title));
	sh.row += 2;
	if (f->office) {
		/* Each station merged here, a row each. */
		put_text(w, &sh, 0, _("Stations"), w->bold);
		if (store_cursor_open(w->store, store_export_stations(), &w->params, &c) < 0)
			return BOOK_DB;
		while ((rc = store_cursor_next(c)) == 1) {
			snprintf(line, sizeof(line), "%s (%s)", store_cursor_text(c, 1),
				 store_cursor_text(c, 0));
			put_text(w, &sh, 1, line, NULL);
			sh.row++;
		}
		store_cursor_close(c);
		if (rc < 0)
			return BOOK_DB;
	} else {
		snprintf(line, sizeof(line), "%s (%s)", f->name, f->code);
		info_row(w, &sh, _("Station"), line);
	}
	if (f->from || f->to) {
		info_time_row(w, &sh, _("Records from"), f->from);
		info_time_row(w, &sh, _("Records to"), f->to);
	} else {
		info_row(w, &sh, _("Records"), _("none yet"));
	}
	info_time_row(w, &sh, _("Made"), f->made);
	info_row(w, &sh, _("Program"), "fieldstation " VERSION);
	sh.row++;
	put_text(w, &sh, 0, _("Sheet"), w->bold);
	put_text(w, &sh, 1, _("What it holds"), w->bold);
	put_text(w, &sh, 2, _("Rows"), w->bold);
	sh.row++;
	for (int i = 1; i < w->sheets; i++) {
		int d = i - w->first_diary;

		sheet_link(w, &sh, i);
		if (d >= 0 && d < w->n_diaries) {
			snprintf(line, sizeof(line), _("%s, as in %s"), _(w->diaries[d].title),
				 w->diaries[d].file);
			put_text(w, &sh, 1, line, NULL);
			if (diary_rows(w, &w->diaries[d], &n) < 0)
				return BOOK_DB;
			put_number(w, &sh, 2, (double)n, 0);
		} else if (i == w->first_lots) {
			put_text(w, &sh, 1, _("each lot's fertilizing and spraying before its harvest, a row each (a lot with none: one row)"), NULL);
		} else if (i == w->first_savings) {
			put_text(w, &sh, 1, _("what watering saved, as the diary's summary shows it: this month and the one before, this season and the one before (as in tiet-kiem.csv)"), NULL);
			if (savings_rows(w, &n) < 0)
				return BOOK_DB;
			put_number(w, &sh, 2, (double)n, 0);
		} else {
			put_text(w, &sh, 1, _("each lot's irrigation before its harvest, a row per pump"), NULL);
		}
		sh.row++;
	}
	sh.row++;
	put_text(w, &sh, 0, _("Files"), w->bold);
	put_text(w, &sh, 1, _("This workbook is for reading and printing. The CSV files beside it hold the same diaries for other programs; sao-luu.db is the copy of the station's records that the office merges (sao-luu.delta: what changed since the copy in an earlier folder on the same stick)."),
		 w->wrap);
	/* A long sentence wraps in its column. */
	if (sh.width[1] > WIDTH_MAX - 2)
		sh.width[1] = WIDTH_MAX - 2;
	end_sheet(w, &sh, false);
	return w->lxw ? BOOK_FAILED : 0;
}

/* A diary's sheet. */

static int start_diary(struct workbook *w)
{
	const struct export_diary *d = &w->diaries[w->diary];
	const char *headers[MAX_COLS];

	for (int i = 0; i < d->n_cols && i < MAX_COLS; i++)
		headers[i] = _(d->cols[i].header);
	if (start_sheet(w, &w->sheet, w->first_diary + w->diary, headers, d->n_cols) < 0)
		return BOOK_FAILED;
	return store_cursor_open(w->store, d, &w->params, &w->cur) < 0 ? BOOK_DB : 0;
}

static void diary_cell(struct workbook *w, const struct export_col *col, int i)
{
	struct store_cursor *c = w->cur;
	struct sheet *sh = &w->sheet;
	const char *label;

	if (store_cursor_null(c, i))
		return;
	switch (col->kind) {
	case EXP_INT:
		put_number(w, sh, i, (double)store_cursor_int(c, i), 0);
		break;
	case EXP_REAL:
		put_number(w, sh, i, store_cursor_real(c, i), col->decimals);
		break;
	case EXP_DAY:
		put_iso_day(w, sh, i, store_cursor_text(c, i));
		break;
	case EXP_TIME:
		put_time(w, sh, i, (time_t)store_cursor_int(c, i));
		break;
	case EXP_WORD:
		label = store_export_word(col, store_cursor_text(c, i));
		put_text(w, sh, i, label ? _(label) : store_cursor_text(c, i), NULL);
		break;
	case EXP_TEXT:
	default:
		put_text(w, sh, i, store_cursor_text(c, i), NULL);
	}
}

static int step_diary(struct workbook *w, int rows)
{
	const struct export_diary *d;
	int rc;

	if (w->diary == w->n_diaries) {
		w->phase = w->cfg ? PH_LOTS : PH_CLOSE;
		return 0;
	}
	d = &w->diaries[w->diary];
	if (!w->cur && (rc = start_diary(w)) < 0)
		return rc;
	for (int i = 0; i < rows; i++) {
		rc = store_cursor_next(w->cur);
		if (rc < 0)
			return BOOK_DB;
		if (rc == 0 || w->sheet.full) {
			store_cursor_close(w->cur);
			w->cur = NULL;
			end_sheet(w, &w->sheet, true);
			w->diary++;
			return w->lxw ? BOOK_FAILED : 0;
		}
		for (int k = 0; k < d->n_cols && k < MAX_COLS; k++)
			diary_cell(w, &d->cols[k], k);
		next_row(&w->sheet);
		if (w->lxw)
			return BOOK_FAILED;
	}
	return 0;
}

/* The lots: what the station's sheet of each lot says, a row for each
 * fertilizing or spraying (or one for a lot with none), and a row for
 * each pump that watered its zone. */

static const char *const lot_headers[] = {
	N_("Lot code"), N_("Harvest day"), N_("Harvest recorded"), N_("Zone"), N_("Crop"),
	N_("Weight (kg)"), N_("Grade"), N_("Buyer"), N_("Day"), N_("Work"), N_("Product"),
	N_("Organic"), N_("Amount"), N_("Unit"), N_("Method or pest"),
	N_("Pre-harvest interval (days)"), N_("Harvest from"), N_("Done by"), N_("Entered"),
	N_("Pre-harvest interval at the harvest"), N_("Note"),
};
#define LOT_COLS (int)(sizeof(lot_headers) / sizeof(lot_headers[0]))

static const char *const lot_run_headers[] = {
	N_("Lot code"), N_("Harvest day"), N_("Zone"), N_("Pump"), N_("Runs"), N_("Hours"),
	N_("Energy (kWh)"), N_("Cost"),
};
#define LOT_RUN_COLS (int)(sizeof(lot_run_headers) / sizeof(lot_run_headers[0]))

static int start_lots(struct workbook *w)
{
	const char *headers[MAX_COLS];

	for (int i = 0; i < LOT_COLS; i++)
		headers[i] = _(lot_headers[i]);
	if (start_sheet(w, &w->lots, w->first_lots, headers, LOT_COLS) < 0)
		return BOOK_FAILED;
	for (int i = 0; i < LOT_RUN_COLS; i++)
		headers[i] = _(lot_run_headers[i]);
	if (start_sheet(w, &w->lot_runs, w->first_lots + 1, headers, LOT_RUN_COLS) < 0)
		return BOOK_FAILED;
	return store_cursor_open(w->store, store_export_lots(), &w->params, &w->cur) < 0
		       ? BOOK_DB : 0;
}

static void lot_facts(struct workbook *w, const struct trace *t)
{
	const struct record_row *h = &t->harvest;
	struct sheet *sh = &w->lots;
	char note[256] = "";

	put_text(w, sh, 0, h->lot, NULL);
	put_day(w, sh, 1, h->day);
	put_time(w, sh, 2, (time_t)t->recorded_at);
	put_text(w, sh, 3, h->zone_name, NULL);
	put_text(w, sh, 4, h->crop, NULL);
	put_number(w, sh, 5, h->kg, 1);
	put_text(w, sh, 6, h->grade, NULL);
	put_text(w, sh, 7, h->buyer, NULL);
	if (h->voided)
		snprintf(note, sizeof(note), "%s", _("This lot was removed as a mistake."));
	else if (h->phi_override)
		snprintf(note, sizeof(note),
			 _("Harvested inside a pre-harvest interval, allowed by the manager (record %lld)."),
			 (long long)h->phi_override);
	put_text(w, sh, 20, note, NULL);
}

static void lot_item(struct workbook *w, const struct trace *t, const struct record_row *r)
{
	struct sheet *sh = &w->lots;
	bool spray = r->kind == REC_SPRAY;

	put_day(w, sh, 8, r->day);
	put_text(w, sh, 9, records_kind_label(r->kind), NULL);
	put_text(w, sh, 10, r->product_name, NULL);
	put_text(w, sh, 11, r->organic ? _("yes") : _("no"), NULL);
	put_number(w, sh, 12, r->amount, AS_WRITTEN);
	put_text(w, sh, 13, r->unit, NULL);
	put_text(w, sh, 14, spray ? r->target : records_method_label(r->method), NULL);
	if (spray) {
		put_number(w, sh, 15, r->phi_days, 0);
		put_day(w, sh, 16, r->harvest_from);
	}
	put_text(w, sh, 17, r->who_name, NULL);
	put_time(w, sh, 18, (time_t)r->entered_at);
	put_text(w, sh, 19, records_trace_interval_label(records_trace_interval(t, r)), NULL);
}

static void lot_rows(struct workbook *w, const struct trace *t)
{
	const struct record_row *h = &t->harvest;
	struct sheet *sh = &w->lot_runs;

	for (int i = 0; i == 0 || i < t->n_items; i++) {
		lot_facts(w, t);
		if (i < t->n_items)
			lot_item(w, t, &t->items[i]);
		if (!next_row(&w->lots))
			break;
	}
	for (int i = 0; i < t->n_pumps && !sh->full; i++) {
		const struct trace_pump *p = &t->pumps[i];

		put_text(w, sh, 0, h->lot, NULL);
		put_day(w, sh, 1, h->day);
		put_text(w, sh, 2, h->zone_name, NULL);
		put_text(w, sh, 3, p->name, NULL);
		put_number(w, sh, 4, p->runs, 0);
		/* To the lot sheet's decimals, so that they add up alike. */
		put_number(w, sh, 5, (double)p->seconds / 3600.0, 1);
		put_number(w, sh, 6, p->kwh, 3);
		put_number(w, sh, 7, p->cost, 0);
		next_row(sh);
	}
}

static int write_savings(struct workbook *w);

static int step_lots(struct workbook *w, int rows)
{
	int rc = 0;

	if (!w->cur && (rc = start_lots(w)) < 0)
		return rc;
	for (int done = 0; done < rows && !w->lots.full;) {
		char lot[LOT_CODE_LEN];
		struct trace t;

		rc = store_cursor_next(w->cur);
		if (rc <= 0)
			break;
		snprintf(lot, sizeof(lot), "%s", store_cursor_text(w->cur, 0));
		rc = records_trace(w->store, w->cfg, lot, &t);
		if (rc < 0)
			return BOOK_DB;
		if (rc == 0)
			continue;	/* a lot without its harvest */
		lot_rows(w, &t);
		done += t.n_items + t.n_pumps + 1;
		records_trace_free(&t);
		if (w->lxw)
			return BOOK_FAILED;
	}
	if (rc < 0)
		return BOOK_DB;
	if (rc == 0 || w->lots.full) {
		store_cursor_close(w->cur);
		w->cur = NULL;
		end_sheet(w, &w->lots, true);
		end_sheet(w, &w->lot_runs, true);
		w->phase = PH_CLOSE;
		if ((rc = write_savings(w)) < 0)
			return rc;
	}
	return w->lxw ? BOOK_FAILED : 0;
}

/* What watering saved: the figures of the summary screen and of
 * tiet-kiem.csv (src/savings.c), a row each. */
static int write_savings(struct workbook *w)
{
	const char *headers[SAVINGS_COLUMNS];
	struct savings_item items[SAVINGS_ITEMS_MAX];
	struct savings_cells cells;
	struct savings sv;
	struct sheet sh;
	char period[96];

	for (int i = 0; i < SAVINGS_COLUMNS; i++)
		headers[i] = savings_column(i);
	if (start_sheet(w, &sh, w->first_savings, headers, SAVINGS_COLUMNS) < 0)
		return BOOK_FAILED;
	for (int p = 0; p < SAVINGS_EXPORT_PERIODS; p++) {
		enum savings_span span;
		int back, n;

		savings_export_period(p, &span, &back);
		if (savings_compute(w->store, w->cfg, w->made, span, back, &sv) < 0)
			return BOOK_DB;
		savings_period_name(period, sizeof(period), &sv.p);
		n = savings_items(&sv, w->cfg, items, SAVINGS_ITEMS_MAX);
		for (int i = 0; i < n; i++) {
			savings_cells(&items[i], w->cfg, &cells);
			put_text(w, &sh, 0, period, NULL);
			put_text(w, &sh, 1, cells.zone, NULL);
			put_text(w, &sh, 2, cells.what, NULL);
			put_number(w, &sh, 3, cells.value, cells.decimals);
			put_text(w, &sh, 4, cells.unit, NULL);
			put_number(w, &sh, 5, cells.against, cells.decimals);
			put_text(w, &sh, 6, cells.basis, NULL);
			if (cells.has_change)
				put_number(w, &sh, 7, cells.change, 0);
			put_text(w, &sh, 8, cells.note, NULL);
			sh.row++;
		}
	}
	end_sheet(w, &sh, true);
	return w->lxw ? BOOK_FAILED : 0;
}

/* A sheet's temporary file closed, and forgotten by the sheet. */
static void close_sheet_file(lxw_worksheet *ws)
{
	if (ws->file == ws->optimize_tmpfile)
		ws->file = NULL;
	fclose(ws->optimize_tmpfile);
	ws->optimize_tmpfile = NULL;
}

/* In constant-memory mode each sheet keeps its rows in a temporary file,
 * which the library (1.1.4, and its newest too) closes only as it copies
 * the rows into the book: a sheet that got no row keeps its file open
 * after workbook_close(), one descriptor lost per sheet. A book stopped
 * half-way has several. Nothing reads such a sheet's file: it is closed
 * here, and forgotten, before the book is. */
static void close_empty_sheets(lxw_workbook *wb)
{
	lxw_worksheet *ws;

	LXW_FOREACH_WORKSHEET(ws, wb) {
		if (ws->dim_rowmin == LXW_ROW_MAX && ws->optimize_tmpfile)
			close_sheet_file(ws);
	}
}

/* Forgets the book without writing it: each sheet's temporary file
 * closed (the library frees a sheet without closing it), then the rest. */
static void discard_book(struct workbook *w)
{
	lxw_worksheet *ws;

	if (!w->wb)
		return;
	LXW_FOREACH_WORKSHEET(ws, w->wb) {
		if (ws->optimize_tmpfile)
			close_sheet_file(ws);
	}
	w->x->lxw_workbook_free(w->wb);
	w->wb = NULL;
}

/* The file, whole, as the closer left it. */
static int open_book(struct workbook *w)
{
	struct stat st;

	/* Written by the library into the folder only this process can
	 * reach; opened without following a link all the same. */
	w->fd = open(w->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (w->fd < 0 || fstat(w->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(w->error, sizeof(w->error), "%s", strerror(errno ? errno : EINVAL));
		return BOOK_FAILED;
	}
	w->phase = PH_DONE;
	return 0;
}

/* The lowest descriptor a sheet's file has: below 3, the child could not
 * put /dev/null in the standard three without losing it. */
static int lowest_sheet_fd(lxw_workbook *wb)
{
	lxw_worksheet *ws;
	int low = INT_MAX;

	LXW_FOREACH_WORKSHEET(ws, wb) {
		if (ws->optimize_tmpfile && fileno(ws->optimize_tmpfile) < low)
			low = fileno(ws->optimize_tmpfile);
	}
	return low;
}

/* The closer keeps nothing of the station's but the sheets' files: no
 * relay line, no terminal, no database, no lock. 0, or -1. */
static int keep_only_sheets(lxw_workbook *wb)
{
	unsigned int keep[MAX_SHEETS + 1], n = 0, from = 3;
	struct rlimit lim;
	lxw_worksheet *ws;
	int null = open("/dev/null", O_RDWR);

	if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0 ||
	    dup2(null, STDERR_FILENO) < 0)
		return -1;
	LXW_FOREACH_WORKSHEET(ws, wb) {
		if (ws->optimize_tmpfile && n < MAX_SHEETS)
			keep[n++] = (unsigned int)fileno(ws->optimize_tmpfile);
	}
	/* In order, then every gap between them closed. */
	for (unsigned int i = 1; i < n; i++)
		for (unsigned int j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
			unsigned int t = keep[j];

			keep[j] = keep[j - 1];
			keep[j - 1] = t;
		}
	keep[n++] = ~0U;
	if (getrlimit(RLIMIT_NOFILE, &lim) < 0 || lim.rlim_max > 1U << 20)
		lim.rlim_max = 1U << 20;
	for (unsigned int i = 0; i < n; i++) {
		if (keep[i] > from && syscall(SYS_close_range, from, keep[i] - 1, 0U) < 0)
			for (unsigned int fd = from; fd < keep[i] && fd < lim.rlim_max; fd++)
				close((int)fd);
		if (keep[i] + 1 > from)
			from = keep[i] + 1;
	}
	return 0;
}

/* The database's wal-index (its -shm file, mapped shared and writable) is
 * unmapped: a stray write in the child cannot reach it. Only it: a runner
 * such as valgrind has shared pages of its own. */
static void unmap_wal_index(void)
{
	char buf[256], line[512];
	size_t used = 0;
	ssize_t n;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	/* Line by line: "start-end perms offset dev inode path". */
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			unsigned long start, end;
			char perms[8];
			size_t len;

			if (buf[i] != '\n') {
				if (used < sizeof(line) - 1)
					line[used++] = buf[i];
				continue;
			}
			line[used] = '\0';
			len = used;
			used = 0;
			if (sscanf(line, "%lx-%lx %7s", &start, &end, perms) == 3 &&
			    strcmp(perms, "rw-s") == 0 && len > 4 && strcmp(line + len - 4, "-shm") == 0)
				munmap((void *)start, end - start);
		}
	}
	close(fd);
}

/* In the child. It dies with the station (which holds its pid and kills
 * it when the book is stopped), and takes none of the station's signal
 * handlers: a crash here must not turn the station's relays off. */
static void close_in_child(struct workbook *w, pid_t station)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;
	lxw_error err;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != station)
		_exit(CLOSER_UNSET);
	/* Out of the terminal's foreground group: no key stops it. */
	setpgid(0, 0);
	if (keep_only_sheets(w->wb) < 0)
		_exit(CLOSER_UNSET);
	unmap_wal_index();
	setpriority(PRIO_PROCESS, 0, 10);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	err = w->x->workbook_close(w->wb);
	_exit(err > 0 && err < CLOSER_UNSET ? (int)err : err ? CLOSER_UNSET : 0);
}

/* Zipping the book took 130 ms in one step on the benchmark's five-year
 * farm on a PC, several times that on a board: too long to hold the loop
 * that ends the pumps' runs. A child does it, from the station's memory
 * as it is at fork(); the sheets' rows are flushed first, so that the
 * child's copy of each file's buffer is empty. Where there is no child to
 * be had, the book is closed here. */
static int start_closing(struct workbook *w)
{
	pid_t station = getpid();
	sigset_t all, old;
	lxw_worksheet *ws;
	lxw_error err;

	close_empty_sheets(w->wb);
	LXW_FOREACH_WORKSHEET(ws, w->wb) {
		if (ws->optimize_tmpfile && fflush(ws->optimize_tmpfile) != 0) {
			snprintf(w->error, sizeof(w->error), "%s", strerror(errno));
			return BOOK_FAILED;
		}
	}
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	w->closer = lowest_sheet_fd(w->wb) > STDERR_FILENO ? fork() : -1;
	if (w->closer == 0)
		close_in_child(w, station);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (w->closer > 0) {
		w->closing_since = clock_mono_ms();
		w->phase = PH_CLOSING;
		return 0;
	}
	w->closer = 0;
	err = w->x->workbook_close(w->wb);
	w->wb = NULL;
	if (err) {
		fail(w, err);
		return BOOK_FAILED;
	}
	return open_book(w);
}

/* Stops the closer, if there is one, and waits for it. */
static void stop_closer(struct workbook *w)
{
	if (w->closer <= 0)
		return;
	kill(w->closer, SIGKILL);
	while (waitpid(w->closer, NULL, 0) < 0 && errno == EINTR)
		;
	w->closer = 0;
}

/* 1 while the child is at it; 0 once the book is whole; BOOK_FAILED. */
static int check_closing(struct workbook *w)
{
	int status;
	pid_t r;

	if (w->closer <= 0)
		return BOOK_FAILED;
	r = waitpid(w->closer, &status, WNOHANG);
	if (r == 0 && clock_mono_ms() - w->closing_since > CLOSE_MAX_MS) {
		stop_closer(w);
		discard_book(w);
		snprintf(w->error, sizeof(w->error), "%s", strerror(ETIMEDOUT));
		return BOOK_FAILED;
	}
	if (r == 0 || (r < 0 && errno == EINTR))
		return 1;
	w->closer = 0;
	discard_book(w);
	if (r < 0) {
		snprintf(w->error, sizeof(w->error), "%s", strerror(errno));
		return BOOK_FAILED;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return open_book(w);
	if (WIFEXITED(status) && WEXITSTATUS(status) < CLOSER_UNSET)
		fail(w, (lxw_error)WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(w->error, sizeof(w->error), "%s", strsignal(WTERMSIG(status)));
	else
		snprintf(w->error, sizeof(w->error), "%s", strerror(EIO));
	return BOOK_FAILED;
}

/* The private folder and whatever a stopped closer left in it. */
static void remove_private_dir(struct workbook *w)
{
	int dfd;
	DIR *d;
	struct dirent *de;

	if (!w->dir[0])
		return;
	dfd = open(w->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (d) {
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
				unlinkat(dirfd(d), de->d_name, 0);
		closedir(d);
	} else if (dfd >= 0) {
		close(dfd);
	}
	rmdir(w->dir);
	w->dir[0] = '\0';
}

int workbook_step(struct workbook *w, int rows)
{
	int rc = 0;

	switch (w->phase) {
	case PH_DIARY:
		rc = step_diary(w, rows);
		break;
	case PH_LOTS:
		rc = step_lots(w, rows);
		break;
	case PH_CLOSE:
		rc = start_closing(w);
		break;
	case PH_CLOSING:
		rc = check_closing(w);
		if (rc == 1)
			return WORKBOOK_WAIT;
		break;
	case PH_DONE:
		return WORKBOOK_DONE;
	}
	if (rc == BOOK_DB)
		return WORKBOOK_DB_FAILED;
	if (rc < 0) {
		if (!w->error[0])
			snprintf(w->error, sizeof(w->error), "%s",
				 w->lxw ? w->x->lxw_strerror(w->lxw) : strerror(EIO));
		return WORKBOOK_FAILED;
	}
	return w->phase == PH_DONE ? WORKBOOK_DONE :
	       w->phase == PH_CLOSING ? WORKBOOK_WAIT : WORKBOOK_MORE;
}

/* Starting, and the end. */

static lxw_format *number_format(struct workbook *w, const char *code)
{
	lxw_format *f = w->x->workbook_add_format(w->wb);

	if (f)
		w->x->format_set_num_format(f, code);
	return f;
}

static int make_formats(struct workbook *w)
{
	static const char *const decimals[] = { "0", "0.0", "0.00", "0.000" };

	w->title = w->x->workbook_add_format(w->wb);
	w->bold = w->x->workbook_add_format(w->wb);
	w->header = w->x->workbook_add_format(w->wb);
	w->link = w->x->workbook_add_format(w->wb);
	w->wrap = w->x->workbook_add_format(w->wb);
	if (!w->title || !w->bold || !w->header || !w->link || !w->wrap)
		return BOOK_FAILED;
	w->x->format_set_text_wrap(w->wrap);
	w->x->format_set_align(w->wrap, LXW_ALIGN_VERTICAL_TOP);
	w->x->format_set_bold(w->title);
	w->x->format_set_font_size(w->title, 14);
	w->x->format_set_bold(w->bold);
	w->x->format_set_bold(w->header);
	w->x->format_set_text_wrap(w->header);
	w->x->format_set_align(w->header, LXW_ALIGN_VERTICAL_TOP);
	w->x->format_set_underline(w->link, LXW_UNDERLINE_SINGLE);
	w->x->format_set_font_color(w->link, LXW_COLOR_BLUE);
	w->date = number_format(w, "dd/mm/yyyy");
	w->time = number_format(w, "dd/mm/yyyy hh:mm");
	for (int i = 0; i < 4; i++)
		if (!(w->number[i] = number_format(w, decimals[i])))
			return BOOK_FAILED;
	return w->date && w->time ? 0 : -1;
}

int workbook_begin(struct store *s, const struct config *cfg, const struct export_params *p,
		   const struct workbook_facts *f, struct workbook **out, char *err, size_t errlen)
{
	struct workbook *w = calloc(1, sizeof(*w));
	const char *tmp = getenv("TMPDIR");
	lxw_workbook_options opts = { .constant_memory = LXW_TRUE };
	lxw_doc_properties props = { 0 };
	char title[256], shown[2048];
	int rc;

	*out = NULL;
	if (!w) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return BOOK_FAILED;
	}
	w->fd = -1;
	w->store = s;
	w->cfg = cfg;
	w->params = *p;
	w->made = f->made;
	w->diaries = store_export_diaries(&w->n_diaries);
	w->x = xlsx_hold(err, errlen);
	if (!w->x)
		goto fail;
	/* A folder of this process's own, where no one else can put a link
	 * for the library's files to follow. */
	if (!tmp || tmp[0] != '/' || strlen(tmp) > PATH_MAX - 64)
		tmp = "/tmp";
	snprintf(w->dir, sizeof(w->dir), "%s/fieldstation-xlsx-XXXXXX", tmp);
	if (!mkdtemp(w->dir)) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		w->dir[0] = '\0';
		goto fail;
	}
	snprintf(w->path, sizeof(w->path), "%s/%s", w->dir, WORKBOOK_NAME);
	opts.tmpdir = w->dir;
	w->wb = w->x->workbook_new_opt(w->path, &opts);
	if (!w->wb || make_formats(w) < 0) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		goto fail;
	}
	/* A name may hold what XML cannot: as a cell would show it. */
	snprintf(title, sizeof(title), "%s (%s)", f->name ? f->name : "", f->code);
	if (!clean(w, title)) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		goto fail;
	}
	snprintf(shown, sizeof(shown), "%s", w->text);
	props.title = shown;
	props.author = (char *)"fieldstation " VERSION;
	/* The station's clock, not the system's: the same records make the
	 * same file, byte for byte. (Debian 12's armhf library has a 32-bit
	 * time_t and reads the low half: the same until 2038.) */
	props.created = f->made;
	w->x->workbook_set_properties(w->wb, &props);
	/* The sheets, in their order. */
	rc = add_sheet(w, _("About"));
	w->first_diary = w->sheets;
	for (int i = 0; rc >= 0 && i < w->n_diaries; i++)
		rc = add_sheet(w, _(w->diaries[i].title));
	w->first_lots = w->sheets;
	if (rc >= 0 && cfg)
		rc = add_sheet(w, _("Traceability of lots"));
	if (rc >= 0 && cfg)
		rc = add_sheet(w, _("Irrigation of lots"));
	w->first_savings = cfg && rc >= 0 ? w->sheets : -1;
	if (rc >= 0 && cfg)
		rc = add_sheet(w, _("What watering saved"));
	if (rc < 0) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		goto fail;
	}
	rc = write_info(w, f);
	if (rc == BOOK_DB) {
		workbook_free(w);
		return WORKBOOK_DB_FAILED;
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s", w->lxw ? w->x->lxw_strerror(w->lxw) : strerror(EIO));
		goto fail;
	}
	*out = w;
	return 0;
fail:
	workbook_free(w);
	return WORKBOOK_FAILED;
}

int workbook_file(struct workbook *w, int64_t *bytes)
{
	struct stat st;

	if (w->fd < 0 || fstat(w->fd, &st) < 0)
		return -1;
	*bytes = st.st_size;
	return w->fd;
}

int workbook_sheets(const struct workbook *w)
{
	return w->sheets;
}

const char *workbook_error(const struct workbook *w)
{
	return w->error;
}

void workbook_free(struct workbook *w)
{
	if (!w)
		return;
	store_cursor_close(w->cur);
	stop_closer(w);
	/* An unfinished book is forgotten, not written. */
	discard_book(w);
	if (w->fd >= 0)
		close(w->fd);
	remove_private_dir(w);
	free(w->text);
	if (w->x)
		xlsx_release();
	free(w);
}
