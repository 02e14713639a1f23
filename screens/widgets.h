/* Drawing pieces the screens share: fitted text, numbered menus, colours,
 * confirmation questions. */
#ifndef FS_WIDGETS_H
#define FS_WIDGETS_H

#include <stdbool.h>

enum tone { TONE_NORMAL, TONE_GOOD, TONE_DRY, TONE_WET, TONE_ALARM, TONE_TITLE,
	    TONE_PAPER /* black on white, for what a camera reads */ };

/* Set up colour pairs (after initscr). */
void widgets_init(void);
/* The curses attributes of a tone, for drawing that is not text. */
unsigned widget_tone_attr(enum tone tone);
/* Text at (y, x) in width columns; the tone's colour. Controls and bytes
 * that are not UTF-8 show as U+FFFD (text_clean()). Text too long for the
 * columns is cut and ends in "…": a screen wraps or pages what it must
 * show whole (widget_wrap). */
void widget_text(int y, int x, int width, enum tone tone, const char *s);
/* A numbered menu item: "1 Độ ẩm đất", highlighted when selected. */
void widget_menu_item(int y, int number, const char *label, bool selected);
/* A key and what it opens, on a row of its own after a list ("9 Thêm
 * lịch"), in tone; read aloud as a numbered item. */
void widget_key_item(int y, int key, const char *label, enum tone tone);
/* Text wrapped on spaces from row y, at most max_lines rows; returns the
 * rows it took. With draw false, only counts them. */
int widget_wrap(int y, int x, int width, int max_lines, enum tone tone, const char *s,
		bool draw);
/* A numbered item: "1 " and its label, wrapped under itself over at most
 * max_rows rows, highlighted when selected. Returns the rows it took. */
int widget_item(int y, int max_rows, int number, const char *label, bool selected);
/* The same at column x in width columns; with draw false, only counts
 * the rows. */
int widget_item_at(int y, int x, int width, int max_rows, int number, const char *label,
		   bool selected, bool draw);
/* A numbered item with words at the right edge ("1 Bơm 1 ... tắt"): the
 * label wrapped as widget_item's, the words beside its last row where they
 * fit, else on a row of their own. Returns the rows it takes (at most
 * max_rows); with draw false, only counts them. */
int widget_row(int y, int max_rows, int number, const char *left, const char *right,
	       enum tone right_tone, bool draw);
/* A numbered list to pick from, one page of at most 9 in rows top to
 * bottom; each item takes the rows its longest label needs (up to three).
 * With more than fit, the last row says which page and that + and - turn
 * it. marked (an index, or -1) is highlighted: what Enter keeps. */
int widget_pick_per_page(int top, int bottom, const char *const *labels, int n);
void widget_pick(int top, int bottom, const char *const *labels, int n, int page, int marked);
/* Lines of text, each wrapped, in rows top to bottom (each in its tone,
 * or all plain when tones is NULL); when they need more rows than that, a
 * page at a time, the last row saying which page and that + and - turn
 * it. *page is kept within the pages; returns how many there are. */
int widget_pages(int top, int bottom, const char *const *lines, const enum tone *tones, int n,
		 int *page);
/* A bar filled to percent, with the number after it: [=====     ] 45% */
void widget_progress(int y, int x, int width, int percent);
/* The keys of such a list, per to a page: 1-9 pick from *page (the
 * item's index is returned), + and - turn the page (WIDGET_PAGED); other
 * keys give WIDGET_NONE. */
#define WIDGET_NONE (-1)
#define WIDGET_PAGED (-2)
int widget_pick_key(int key, int *page, int n, int per);

/* A question that one key answers, in the screen's content rows. */
void widget_confirm(int top, int bottom, const char *question);

#endif
