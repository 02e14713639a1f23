/* What a screen says when it is read aloud: the texts it drew, where it
 * drew them, in reading order. The widgets write here as they draw, so
 * every screen is read without code of its own: a wrapped sentence is
 * one text, a numbered item its number and label, big digits the number
 * they show; a chart or a QR code says nothing. */
#ifndef FS_SPOKEN_H
#define FS_SPOKEN_H

#include <stdbool.h>
#include <stddef.h>

/* A new drawing of the screen begins: what was drawn before is gone. */
void spoken_begin(void);
/* Text drawn from (y, x). Inside spoken_hold(), nothing is kept: the
 * widget that holds keeps its whole text itself. */
void spoken_add(int y, int x, const char *text);
/* A numbered item: said as "1: Độ ẩm đất". */
void spoken_add_item(int y, int x, int number, const char *label);
/* While held (nested), spoken_add() keeps nothing. */
void spoken_hold(void);
void spoken_release(void);
/* Rows top to bottom were cleared and drawn over. */
void spoken_forget(int top, int bottom);
/* The texts of rows top to bottom, in reading order: texts on one row
 * apart ("1: Bơm 1, tắt"), rows as sentences, a row that begins in
 * lowercase going on from the one above. Returns out. */
char *spoken_text(char *out, size_t n, int top, int bottom);

#endif
