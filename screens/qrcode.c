/* QR codes through libqrencode, drawn with half blocks in black on white
 * whatever the terminal's own colours are. */
#include "qrcode.h"

#include "widgets.h"

#include <curses.h>
#include <qrencode.h>

#define MARGIN 1

/* Is module (r, c) of the symbol with its margin dark? */
static bool dark(const QRcode *q, int r, int c)
{
	r -= MARGIN;
	c -= MARGIN;
	if (r < 0 || c < 0 || r >= q->width || c >= q->width)
		return false;
	return q->data[r * q->width + c] & 1;
}

int qrcode_draw(int y, int x, int rows, int cols, const char *text)
{
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	int size, attr;

	if (!q)
		return -1;
	size = q->width + 2 * MARGIN;
	if (size > cols || (size + 1) / 2 > rows) {
		QRcode_free(q);
		return -1;
	}
	attr = has_colors() ? (int)COLOR_PAIR(TONE_PAPER) : A_REVERSE;
	attron(attr);
	for (int r = 0; r < size; r += 2) {
		for (int c = 0; c < size; c++) {
			bool top = dark(q, r, c), bottom = r + 1 < size && dark(q, r + 1, c);

			mvaddstr(y + r / 2, x + c, top && bottom ? "\u2588" : top ? "\u2580"
					       : bottom ? "\u2584" : " ");
		}
	}
	attroff(attr);
	QRcode_free(q);
	return 0;
}
