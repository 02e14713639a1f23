/* A QR code on the screen, two modules to a character cell, so that a
 * phone can read a lot code instead of a person copying it. */
#ifndef FS_QRCODE_H
#define FS_QRCODE_H

/* Draws text as a QR code (level M) with a one-module light margin, top
 * left at (y, x), if it fits in rows x cols. 0, or -1 when it does not
 * fit or cannot be encoded. */
int qrcode_draw(int y, int x, int rows, int cols, const char *text);

#endif
