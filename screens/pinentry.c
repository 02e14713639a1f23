/* The PIN entry widget. */
#include "pinentry.h"

#include "keys.h"
#include "text.h"
#include "widgets.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

void pinentry_init(struct pinentry *p)
{
	memset(p, 0, sizeof(*p));
}

enum numentry_result pinentry_key(struct pinentry *p, int key)
{
	size_t n = strlen(p->buf);

	p->why[0] = '\0';
	if (key >= '0' && key <= '9') {
		if (n >= PIN_MAX_DIGITS) {
			snprintf(p->why, sizeof(p->why), _("A PIN has %d to %d digits."),
				 PIN_MIN_DIGITS, PIN_MAX_DIGITS);
			return NUM_REFUSED;
		}
		p->buf[n] = (char)key;
		p->buf[n + 1] = '\0';
		return NUM_EDITED;
	}
	switch (key) {
	case K_BACK:
		if (n == 0)
			return NUM_CANCEL;
		p->buf[n - 1] = '\0';
		return NUM_EDITED;
	case K_ENTER:
		if (n < PIN_MIN_DIGITS) {
			snprintf(p->why, sizeof(p->why), _("A PIN has %d to %d digits."),
				 PIN_MIN_DIGITS, PIN_MAX_DIGITS);
			return NUM_REFUSED;
		}
		return NUM_DONE;
	default:
		return NUM_PASS;
	}
}

void pinentry_draw(int y, const struct pinentry *p, const char *question)
{
	char dots[64] = "[ ";

	widget_text(y, 1, COLS - 2, TONE_NORMAL, question);
	for (size_t i = 0; p->buf[i]; i++)
		strcat(dots, "* ");
	strcat(dots, "]");
	attron(A_BOLD);
	widget_text(y + 2, 3, COLS - 4, TONE_NORMAL, dots);
	attroff(A_BOLD);
	widget_text(y + 4, 1, COLS - 2, TONE_NORMAL, _("Backspace: delete   Enter: done"));
}

void pinchoose_init(struct pinchoose *c)
{
	memset(c, 0, sizeof(*c));
}

enum numentry_result pinchoose_key(struct pinchoose *c, int key)
{
	enum numentry_result r = pinentry_key(&c->e, key);

	if (r == NUM_CANCEL && c->again) {
		pinchoose_init(c);
		return NUM_EDITED;
	}
	if (r != NUM_DONE)
		return r;
	if (!c->again) {
		snprintf(c->first, sizeof(c->first), "%s", c->e.buf);
		pinentry_init(&c->e);
		c->again = true;
		return NUM_EDITED;
	}
	if (strcmp(c->first, c->e.buf) != 0) {
		pinchoose_init(c);
		snprintf(c->e.why, sizeof(c->e.why), "%s",
			 _("The two PINs differ: type the new PIN again from the start."));
		return NUM_REFUSED;
	}
	pinentry_init(&c->e);
	return NUM_DONE;
}

void pinchoose_draw(int y, const struct pinchoose *c, const char *question)
{
	pinentry_draw(y, &c->e, c->again ? _("The same PIN once more:") : question);
}
