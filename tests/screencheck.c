/* Test-only: reads one screen as tmux captured it (capture-pane -p) and
 * says what a farmer could not read on it: text cut off (the station ends
 * what it cuts in "…"), text in the screen's outer columns (over the
 * border), and a screen without its line of keys. Used by
 * tests/e2e/crawl.sh, never by the station.
 *   screencheck COLS ROWS < screen
 * prints one line per fault and exits 1 when there is one. */
#define _XOPEN_SOURCE 700
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define MAX_ROWS 100

/* Columns of s, and the column (from 0) of its first and last non-blank
 * character; -1 for a blank row. */
static void measure(const char *s, int *first, int *last)
{
	mbstate_t st = { 0 };
	wchar_t wc;
	int col = 0;

	*first = *last = -1;
	while (*s && *s != '\n') {
		size_t len = mbrtowc(&wc, s, MB_CUR_MAX, &st);
		int w;

		if (len == (size_t)-1 || len == (size_t)-2) {
			memset(&st, 0, sizeof(st));
			len = 1;
			wc = L'?';
		}
		w = wcwidth(wc);
		if (w < 0)
			w = 1;
		if (wc != L' ') {
			if (*first < 0)
				*first = col;
			*last = col + (w > 0 ? w : 1) - 1;
		}
		col += w;
		s += len;
	}
}

/* The line of keys, the row above the two status lines, names at least
 * one key and what it does ("0: quay lại   *: trợ giúp"). */
static int has_keys(const char *row)
{
	const char *colon = strstr(row, ": ");

	return colon && colon > row && colon[-1] != ' ';
}

int main(int argc, char **argv)
{
	static char rows[MAX_ROWS][2048];
	int cols, n_rows, n = 0, faults = 0, first, last;

	if (argc != 3) {
		fprintf(stderr, "usage: screencheck COLS ROWS < screen\n");
		return 2;
	}
	cols = atoi(argv[1]);
	n_rows = atoi(argv[2]);
	if (cols < 1 || n_rows < 4 || n_rows > MAX_ROWS) {
		fprintf(stderr, "screencheck: a screen of %s x %s?\n", argv[1], argv[2]);
		return 2;
	}
	if (!setlocale(LC_ALL, "C.UTF-8") && !setlocale(LC_ALL, ""))
		return 2;
	while (n < MAX_ROWS && fgets(rows[n], sizeof(rows[n]), stdin)) {
		rows[n][strcspn(rows[n], "\n")] = '\0';
		n++;
	}
	for (int r = 0; r < n; r++) {
		measure(rows[r], &first, &last);
		if (strstr(rows[r], "…")) {
			printf("row %d is cut short: %s\n", r + 1, rows[r]);
			faults++;
		}
		if (last >= cols - 1) {
			printf("row %d runs into the last column: %s\n", r + 1, rows[r]);
			faults++;
		}
		/* The two status lines start at the edge; the rest keep a
		 * column of margin. */
		if (first == 0 && r < n_rows - 2) {
			printf("row %d starts in the first column: %s\n", r + 1, rows[r]);
			faults++;
		}
	}
	if (n < n_rows - 2 || !has_keys(rows[n_rows - 3])) {
		printf("no line of keys above the status lines\n");
		faults++;
	}
	return faults ? 1 : 0;
}
