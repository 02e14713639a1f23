/* Shared drawing: fitted text, menu rows, colours, confirmations. */
#include "widgets.h"

#include "keys.h"
#include "spoken.h"
#include "text.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

void widgets_init(void)
{
	if (!has_colors())
		return;
	start_color();
	use_default_colors();
	init_pair(TONE_GOOD, COLOR_GREEN, -1);
	init_pair(TONE_DRY, COLOR_YELLOW, -1);
	init_pair(TONE_WET, COLOR_CYAN, -1);
	init_pair(TONE_ALARM, COLOR_RED, -1);
	init_pair(TONE_TITLE, COLOR_BLACK, COLOR_CYAN);
	init_pair(TONE_PAPER, COLOR_BLACK, COLOR_WHITE);
}

unsigned widget_tone_attr(enum tone tone)
{
	attr_t attr = tone == TONE_NORMAL ? A_NORMAL : (attr_t)COLOR_PAIR(tone);

	if (tone == TONE_ALARM || tone == TONE_TITLE)
		attr |= A_BOLD;
	if (tone == TONE_TITLE && !has_colors())
		attr = A_REVERSE;
	return (unsigned)attr;
}

/* Every text on the screen passes here, so that a name from a stick, the
 * configuration or a sensor never reaches the terminal as a control. */
void widget_text(int y, int x, int width, enum tone tone, const char *s)
{
	char clean[1024], buf[512];
	attr_t attr = (attr_t)widget_tone_attr(tone);

	if (width <= 0 || y < 0 || y >= LINES)
		return;
	/* Nothing is cut without a sign: what does not fit ends in an
	 * ellipsis, which the screen tests look for. */
	text_clean(clean, sizeof(clean), s);
	/* Said whole, even where it is cut. */
	spoken_add(y, x, clean);
	if (text_width(clean) > width && width > 1) {
		text_fit(buf, sizeof(buf) - 4, clean, width - 1);
		strcat(buf, "…");
	} else {
		text_fit(buf, sizeof(buf), clean, width);
	}
	attron(attr);
	mvaddstr(y, x, buf);
	attroff(attr);
}

void widget_menu_item(int y, int number, const char *label, bool selected)
{
	char line[256];

	snprintf(line, sizeof(line), "%d %s", number, label);
	spoken_add_item(y, 1, number, label);
	spoken_hold();
	if (selected)
		attron(A_REVERSE);
	widget_text(y, 1, COLS - 2, TONE_NORMAL, line);
	if (selected)
		attroff(A_REVERSE);
	spoken_release();
}

void widget_key_item(int y, int key, const char *label, enum tone tone)
{
	char line[256];

	snprintf(line, sizeof(line), "%c %s", key, label);
	spoken_add_item(y, 1, key - '0', label);
	spoken_hold();
	widget_text(y, 1, COLS - 2, tone, line);
	spoken_release();
}

int widget_wrap(int y, int x, int width, int max_lines, enum tone tone, const char *s,
		bool draw)
{
	char clean[2048], line[512];
	int n = 0;

	/* Cleaned first: a byte that is not UTF-8 would end the wrapping. */
	s = text_clean(clean, sizeof(clean), s);
	/* One sentence, said whole, however many rows it takes. */
	if (draw) {
		spoken_add(y, x, clean);
		spoken_hold();
	}
	while (n < max_lines && text_wrap(&s, width, line, sizeof(line))) {
		if (draw)
			widget_text(y + n, x, width, tone, line);
		n++;
	}
	/* A sentence cut short ends in an ellipsis, not as if it were whole. */
	while (*s == ' ')
		s++;
	if (draw && n > 0 && *s && width > 1) {
		char cut[sizeof(line) + 4];

		text_fit(cut, sizeof(line), line, width - 1);
		strcat(cut, "…");
		widget_text(y + n - 1, x, width, tone, cut);
	}
	if (draw)
		spoken_release();
	return n;
}

void widget_progress(int y, int x, int width, int percent)
{
	char line[256];
	int inside = width - 7, full;

	if (inside < 4 || width >= (int)sizeof(line))
		return;
	percent = percent < 0 ? 0 : percent > 100 ? 100 : percent;
	full = inside * percent / 100;
	line[0] = '[';
	for (int i = 0; i < inside; i++)
		line[1 + i] = i < full ? '=' : ' ';
	snprintf(line + 1 + inside, sizeof(line) - 1 - (size_t)inside, "] %3d%%", percent);
	/* The bar says its number. */
	spoken_add(y, x, line + 2 + inside);
	spoken_hold();
	widget_text(y, x, width, TONE_GOOD, line);
	spoken_release();
}

int widget_pick_key(int key, int *page, int n, int per)
{
	int pages = per > 0 ? (n + per - 1) / per : 1;

	if (key == '+' || key == K_DOWN || key == '-' || key == K_UP) {
		if (pages > 1)
			*page = (*page + ((key == '+' || key == K_DOWN) ? 1 : pages - 1)) % pages;
		return WIDGET_PAGED;
	}
	if (key >= '1' && key <= '9' && key - '1' < per && *page * per + key - '1' < n)
		return *page * per + key - '1';
	return WIDGET_NONE;
}

void widget_confirm(int top, int bottom, const char *question)
{
	/* A blank row above and below the question where it leaves room. */
	int rows = widget_wrap(0, 1, COLS - 2, 1000, TONE_NORMAL, question, false);
	int gap = rows <= bottom - top - 2;

	widget_wrap(top + gap, 1, COLS - 2, bottom - top - gap, TONE_NORMAL, question, true);
	widget_text(bottom, 1, COLS - 2, TONE_GOOD, _("Enter: yes    0: no"));
}

int widget_item_at(int y, int x, int width, int max_rows, int number, const char *label,
		   bool selected, bool draw)
{
	const char *s = label;
	char line[512], row[520];
	int n = 0;

	if (draw) {
		spoken_add_item(y, x, number, label);
		spoken_hold();
	}
	if (draw && selected)
		attron(A_REVERSE);
	while (n < max_rows && text_wrap(&s, width - 2, line, sizeof(line))) {
		const char *rest = s;

		while (*rest == ' ')
			rest++;
		/* The last row takes what is left, and ends in "…" if that
		 * does not fit. */
		if (n == max_rows - 1 && *rest)
			snprintf(line + strlen(line), sizeof(line) - strlen(line), " %s", rest);
		if (draw && n == 0) {
			snprintf(row, sizeof(row), "%d %s", number, line);
			widget_text(y, x, width, TONE_NORMAL, row);
		} else if (draw) {
			widget_text(y + n, x + 2, width - 2, TONE_NORMAL, line);
		}
		n++;
	}
	if (n == 0) {
		snprintf(row, sizeof(row), "%d", number);
		if (draw)
			widget_text(y, x, width, TONE_NORMAL, row);
		n = 1;
	}
	if (draw && selected)
		attroff(A_REVERSE);
	if (draw)
		spoken_release();
	return n;
}

int widget_item(int y, int max_rows, int number, const char *label, bool selected)
{
	return widget_item_at(y, 1, COLS - 2, max_rows, number, label, selected, true);
}

static int item_rows(const char *label, int max_rows)
{
	return widget_item_at(0, 1, COLS - 2, max_rows, 0, label, false, false);
}

/* Every item of a list takes the rows of its longest label (at most
 * three), so that the numbers stand in one column, a page after another. */
static int pick_rows(const char *const *labels, int n)
{
	int rows = 1;

	for (int i = 0; i < n; i++) {
		int r = item_rows(labels[i], 3);

		if (r > rows)
			rows = r;
	}
	return rows;
}

int widget_pick_per_page(int top, int bottom, const char *const *labels, int n)
{
	int rows = bottom - top + 1, each = pick_rows(labels, n);

	if (n * each <= rows && n <= 9)
		return n > 0 ? n : 1;
	rows--;		/* the page line */
	rows /= each;
	if (rows > 9)
		rows = 9;
	return rows > 0 ? rows : 1;
}

void widget_pick(int top, int bottom, const char *const *labels, int n, int page, int marked)
{
	int per = widget_pick_per_page(top, bottom, labels, n), each = pick_rows(labels, n);
	int pages = (n + per - 1) / per, first = page * per;
	char line[96];

	for (int i = 0; i < per && first + i < n; i++)
		widget_item(top + i * each, each, i + 1, labels[first + i], first + i == marked);
	if (pages > 1) {
		snprintf(line, sizeof(line), _("+/-: more (page %d of %d)"), page + 1, pages);
		widget_text(bottom, 1, COLS - 2, TONE_GOOD, line);
	}
}

int widget_pages(int top, int bottom, const char *const *lines, const enum tone *tones, int n,
		 int *page)
{
	int rows = bottom - top + 1, total = 0, per, pages, skip, y = top;
	char line[512];

	for (int i = 0; i < n; i++)
		total += widget_wrap(0, 1, COLS - 2, 1000, TONE_NORMAL, lines[i], false);
	per = total <= rows ? rows : rows - 1;
	if (per < 1)
		per = 1;
	pages = (total + per - 1) / per;
	if (pages < 1)
		pages = 1;
	if (*page >= pages)
		*page = pages - 1;
	if (*page < 0)
		*page = 0;
	skip = *page * per;
	for (int i = 0; i < n && y < top + per; i++) {
		const char *s = lines[i];
		bool said = false;

		while (y < top + per && text_wrap(&s, COLS - 2, line, sizeof(line))) {
			if (skip > 0) {
				skip--;
				continue;
			}
			/* A line is said whole from where this page shows it. */
			if (!said) {
				char rest[1024];

				snprintf(rest, sizeof(rest), "%s%s", line, s);
				spoken_add(y, 1, rest);
				said = true;
			}
			spoken_hold();
			widget_text(y++, 1, COLS - 2, tones ? tones[i] : TONE_NORMAL, line);
			spoken_release();
		}
	}
	if (pages > 1) {
		snprintf(line, sizeof(line), _("+/-: page %d of %d"), *page + 1, pages);
		widget_text(bottom, 1, COLS - 2, TONE_GOOD, line);
	}
	return pages;
}

int widget_row(int y, int max_rows, int number, const char *left, const char *right,
	       enum tone right_tone, bool draw)
{
	int rw = text_width(right), rows, last = 0;
	const char *s = left;
	char line[512];

	rows = widget_item_at(y, 1, COLS - 2, max_rows, number, left, false, draw);
	/* The width of the label's last row, to see whether the words on
	 * the right fit beside it. */
	for (int n = 0; n < rows && text_wrap(&s, COLS - 4, line, sizeof(line)); n++)
		last = text_width(line) + 2;	/* its last column */
	if (!rw)
		return rows;
	if (last + 1 + rw > COLS - 2) {
		if (rows >= max_rows)
			return rows;
		rows++;
	}
	if (draw)
		widget_text(y + rows - 1, COLS - 1 - rw, rw, right_tone, right);
	return rows;
}
