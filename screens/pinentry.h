/* Typing the manager's PIN on the keypad: digits shown as dots,
 * Backspace, Enter. The check itself is src/pin.c. */
#ifndef FS_PINENTRY_H
#define FS_PINENTRY_H

#include "numentry.h"
#include "pin.h"

#include <stdbool.h>

struct pinentry {
	char buf[PIN_MAX_DIGITS + 1];
	char why[160];
};

void pinentry_init(struct pinentry *p);
/* NUM_EDITED, NUM_DONE (Enter with enough digits), NUM_CANCEL (Backspace
 * with nothing typed: 0 is a digit here), NUM_REFUSED (why), NUM_PASS. */
enum numentry_result pinentry_key(struct pinentry *p, int key);
/* The question, then the dots, from row y. */
void pinentry_draw(int y, const struct pinentry *p, const char *question);



/* Choosing a new PIN: typed twice, the same both times. */
struct pinchoose {
	struct pinentry e;
	char first[PIN_MAX_DIGITS + 1];
	bool again;		/* the second time */
};

void pinchoose_init(struct pinchoose *c);
/* NUM_DONE when the same PIN came twice: it is in c->first. */
enum numentry_result pinchoose_key(struct pinchoose *c, int key);
void pinchoose_draw(int y, const struct pinchoose *c, const char *question);
#endif
