/* Number entry on the keypad: digits (0 too), one decimal point,
 * Backspace, and + / - to step. The first digit or point on a pre-filled
 * value replaces it; Backspace deletes one character, of a pre-filled
 * value too, and only on an empty field goes back (NUM_CANCEL). It
 * refuses, with a sentence, an empty value, a second point, and amounts
 * outside what is plausible. No ncurses here. */
#ifndef FS_NUMENTRY_H
#define FS_NUMENTRY_H

#include <stdbool.h>

enum numentry_result {
	NUM_EDITED,		/* the value changed: redraw */
	NUM_DONE,		/* Enter on a good value */
	NUM_CANCEL,		/* Backspace on an empty field: go back */
	NUM_REFUSED,		/* why holds the sentence */
	NUM_PASS,		/* not a key for number entry */
};

struct numentry {
	char buf[12];
	bool touched;		/* false: the default shows until a digit comes */
	int decimals;		/* digits allowed after the point (0: whole) */
	double min, max;
	double step;		/* what + and - add or take */
	bool nonzero;		/* an amount: 0 is refused */
	char unit[16];		/* shown after the number, named in refusals */
	char why[160];
};

void numentry_init(struct numentry *ne, double value, int decimals, double min, double max,
		   double step);
/* An amount of something, in unit: more than 0 and at most max (the
 * plausible maximum), with `decimals` digits after the point. */
void numentry_init_amount(struct numentry *ne, double value, int decimals, double max,
			  const char *unit);
enum numentry_result numentry_key(struct numentry *ne, int key);
/* The value typed; NAN when empty. */
double numentry_value(const struct numentry *ne);
/* The text to show, with the decimal mark of the language. */
const char *numentry_text(const struct numentry *ne, char *buf, int n);
/* The entry as a line: "[ 12,5 ] kg". */
const char *numentry_line(const struct numentry *ne, char *buf, int n);

#endif
