/* Large characters for what is copied by hand, such as a lot code written
 * on crates, or read from across the shed, such as soil moisture: digits,
 * capital letters and '-', three columns and three rows each, and the
 * decimal marks ',' and '.', one column; drawn with half blocks. */
#ifndef FS_BIGTEXT_H
#define FS_BIGTEXT_H

#define BIGTEXT_ROWS 3
#define BIGTEXT_COLS 4		/* a character and the space after it (not , and .) */

/* Columns that s takes in large characters. */
int bigtext_width(const char *s);
/* Draws s from (y, x); characters without a large form are drawn as a
 * blank. */
void bigtext_draw(int y, int x, const char *s);

#endif
