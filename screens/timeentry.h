/* A time of day on the keypad: up to four digits (5, 17, 530, 0530 are
 * 05:00, 17:00, 05:30 and 05:30), Backspace, and + / - to step a quarter
 * of an hour. It refuses, with a sentence, hours past 23 and minutes past
 * 59. No ncurses here. */
#ifndef FS_TIMEENTRY_H
#define FS_TIMEENTRY_H

#include "numentry.h"

#include <stdbool.h>

struct timeentry {
	char digits[5];
	bool touched;		/* false: the starting time shows until a digit comes */
	int minutes;		/* the starting time, or the last good one */
	char why[160];
};

void timeentry_init(struct timeentry *te, int minutes);
/* NUM_EDITED, NUM_DONE (then timeentry_value() is good), NUM_CANCEL,
 * NUM_REFUSED (why holds the sentence) or NUM_PASS. */
enum numentry_result timeentry_key(struct timeentry *te, int key);
/* Minutes after midnight; -1 while what was typed is not a time. */
int timeentry_value(const struct timeentry *te);
/* "05:30", or "17:_" while typing. */
const char *timeentry_text(const struct timeentry *te, char *buf, int n);

#endif
