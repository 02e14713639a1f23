/* A time of day on the keypad: up to four digits filling "HH:MM" from
 * the left (0530 is 05:30; one or two digits are the hour, 5 is 05:00;
 * three leave the last minute 0, 053 is 05:30), Backspace, and + / - to
 * step a quarter of an hour. The first digit on the starting time
 * replaces it; Backspace deletes one digit, of the starting time too, and
 * only on an empty field goes back (NUM_CANCEL). It refuses, with a
 * sentence, hours past 23 and minutes past 59. No ncurses here. */
#ifndef FS_TIMEENTRY_H
#define FS_TIMEENTRY_H

#include "numentry.h"

#include <stdbool.h>

struct timeentry {
	char digits[5];
	bool touched;		/* false: the starting time shows until a key edits it */
	int minutes;		/* the starting time, or the last good one */
	char why[160];
};

void timeentry_init(struct timeentry *te, int minutes);
/* NUM_EDITED, NUM_DONE (then timeentry_value() is good), NUM_CANCEL,
 * NUM_REFUSED (why holds the sentence) or NUM_PASS. */
enum numentry_result timeentry_key(struct timeentry *te, int key);
/* Minutes after midnight; -1 while what was typed is not a time. */
int timeentry_value(const struct timeentry *te);
/* "05:30", or "17:3_" while typing, "__:__" when empty. */
const char *timeentry_text(const struct timeentry *te, char *buf, int n);

#endif
