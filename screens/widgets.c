/* Shared drawing: fitted text, menu rows, colours, confirmations. */
#include "widgets.h"

#include "keys.h"
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
	text_fit(buf, sizeof(buf), text_clean(clean, sizeof(clean), s), width);
	attron(attr);
	mvaddstr(y, x, buf);
	attroff(attr);
}

void widget_menu_item(int y, int number, const char *label, bool selected)
{
	char line[256];

	snprintf(line, sizeof(line), "%d %s", number, label);
	if (selected)
		attron(A_REVERSE);
	widget_text(y, 1, COLS - 2, TONE_NORMAL, line);
	if (selected)
		attroff(A_REVERSE);
}

int widget_wrap(int y, int x, int width, int max_lines, enum tone tone, const char *s,
		bool draw)
{
	char clean[2048], line[512];
	int n = 0;

	/* Cleaned first: a byte that is not UTF-8 would end the wrapping. */
	s = text_clean(clean, sizeof(clean), s);
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
	widget_text(y, x, width, TONE_GOOD, line);
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
	widget_wrap(top + 1, 1, COLS - 2, bottom - top - 2, TONE_NORMAL, question, true);
	widget_text(bottom, 1, COLS - 2, TONE_GOOD, _("Enter: yes    0: no"));
}

int widget_pick_per_page(int top, int bottom, int n)
{
	int rows = bottom - top + 1;

	if (n <= rows && n <= 9)
		return n > 0 ? n : 1;
	rows--;		/* the page line */
	if (rows > 9)
		rows = 9;
	return rows > 0 ? rows : 1;
}

void widget_pick(int top, int bottom, const char *const *labels, int n, int page, int marked)
{
	int per = widget_pick_per_page(top, bottom, n);
	int pages = (n + per - 1) / per, first = page * per;
	char line[96];

	for (int i = 0; i < per && first + i < n; i++)
		widget_menu_item(top + i, i + 1, labels[first + i], first + i == marked);
	if (pages > 1) {
		snprintf(line, sizeof(line), _("+/-: more (page %d of %d)"), page + 1, pages);
		widget_text(bottom, 1, COLS - 2, TONE_GOOD, line);
	}
}
