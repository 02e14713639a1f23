/* Large characters: a 3x5 dot font, two dots of a column to a cell. */
#include "bigtext.h"

#include "spoken.h"

#include <curses.h>
#include <string.h>

/* Rows of dots, top to bottom; '#' is ink. */
static const struct {
	char ch;
	const char *rows[5];
} font[] = {
	{ '0', { "###", "# #", "# #", "# #", "###" } },
	{ '1', { " # ", "## ", " # ", " # ", "###" } },
	{ '2', { "###", "  #", "###", "#  ", "###" } },
	{ '3', { "###", "  #", " ##", "  #", "###" } },
	{ '4', { "# #", "# #", "###", "  #", "  #" } },
	{ '5', { "###", "#  ", "###", "  #", "###" } },
	{ '6', { "###", "#  ", "###", "# #", "###" } },
	{ '7', { "###", "  #", " # ", " # ", " # " } },
	{ '8', { "###", "# #", "###", "# #", "###" } },
	{ '9', { "###", "# #", "###", "  #", "###" } },
	{ 'A', { " # ", "# #", "###", "# #", "# #" } },
	{ 'B', { "## ", "# #", "## ", "# #", "## " } },
	{ 'C', { " ##", "#  ", "#  ", "#  ", " ##" } },
	{ 'D', { "## ", "# #", "# #", "# #", "## " } },
	{ 'E', { "###", "#  ", "## ", "#  ", "###" } },
	{ 'F', { "###", "#  ", "## ", "#  ", "#  " } },
	{ 'G', { " ##", "#  ", "# #", "# #", " ##" } },
	{ 'H', { "# #", "# #", "###", "# #", "# #" } },
	{ 'I', { "###", " # ", " # ", " # ", "###" } },
	{ 'J', { "  #", "  #", "  #", "# #", " # " } },
	{ 'K', { "# #", "# #", "## ", "# #", "# #" } },
	{ 'L', { "#  ", "#  ", "#  ", "#  ", "###" } },
	{ 'M', { "# #", "###", "###", "# #", "# #" } },
	{ 'N', { "## ", "# #", "# #", "# #", "# #" } },
	{ 'O', { " # ", "# #", "# #", "# #", " # " } },
	{ 'P', { "## ", "# #", "## ", "#  ", "#  " } },
	{ 'Q', { " # ", "# #", "# #", "## ", " ##" } },
	{ 'R', { "## ", "# #", "## ", "# #", "# #" } },
	{ 'S', { " ##", "#  ", " # ", "  #", "## " } },
	{ 'T', { "###", " # ", " # ", " # ", " # " } },
	{ 'U', { "# #", "# #", "# #", "# #", "###" } },
	{ 'V', { "# #", "# #", "# #", "# #", " # " } },
	{ 'W', { "# #", "# #", "###", "###", "# #" } },
	{ 'X', { "# #", "# #", " # ", "# #", "# #" } },
	{ 'Y', { "# #", "# #", " # ", " # ", " # " } },
	{ 'Z', { "###", "  #", " # ", "#  ", "###" } },
	{ '-', { "   ", "   ", "###", "   ", "   " } },
	/* The decimal marks are one column wide, so that 37,8 stays short. */
	{ ',', { " ", " ", " ", "#", "#" } },
	{ '.', { " ", " ", " ", " ", "#" } },
};

static const char *const *glyph(char ch)
{
	for (size_t g = 0; g < sizeof(font) / sizeof(font[0]); g++)
		if (font[g].ch == ch)
			return font[g].rows;
	return NULL;
}

/* Columns of a character's ink: 3, or 1 for the decimal marks. */
static int ink_width(char ch)
{
	const char *const *rows = glyph(ch);

	return rows ? (int)strlen(rows[0]) : BIGTEXT_COLS - 1;
}

int bigtext_width(const char *s)
{
	int w = 0;

	for (int i = 0; s[i]; i++)
		w += ink_width(s[i]) + 1;
	return w ? w - 1 : 0;
}

/* The cell for a dot above and a dot below. */
static const char *cell(bool top, bool bottom)
{
	if (top && bottom)
		return "\u2588";	/* full block */
	if (top)
		return "\u2580";	/* upper half */
	if (bottom)
		return "\u2584";	/* lower half */
	return " ";
}

void bigtext_draw(int y, int x, const char *s)
{
	/* Said as the number or code it shows. */
	spoken_add(y, x, s);
	for (int i = 0; s[i]; x += ink_width(s[i++]) + 1) {
		const char *const *rows = glyph(s[i]);
		int w = ink_width(s[i]);

		if (!rows)
			continue;
		for (int r = 0; r < BIGTEXT_ROWS; r++) {
			for (int c = 0; c < w; c++) {
				bool top = rows[2 * r][c] == '#';
				bool bottom = 2 * r + 1 < 5 && rows[2 * r + 1][c] == '#';

				mvaddstr(y + r, x + c, cell(top, bottom));
			}
		}
	}
}
