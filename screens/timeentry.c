/* The time entry widget's logic. */
#include "timeentry.h"

#include "keys.h"
#include "text.h"

#include <stdio.h>
#include <string.h>

#define STEP 15

void timeentry_init(struct timeentry *te, int minutes)
{
	memset(te, 0, sizeof(*te));
	te->minutes = minutes;
}

/* What the digits say, read from the left into HH:MM: one or two
 * digits are the hour, a third is the tens of minutes. */
static int parse(const char *d, int *h, int *m)
{
	int n = (int)strlen(d);

	if (n == 0)
		return -1;
	*h = n == 1 ? d[0] - '0' : (d[0] - '0') * 10 + (d[1] - '0');
	*m = n < 3 ? 0 : (d[2] - '0') * 10 + (n == 4 ? d[3] - '0' : 0);
	return 0;
}

int timeentry_value(const struct timeentry *te)
{
	int h, m;

	if (!te->touched)
		return te->minutes;
	if (parse(te->digits, &h, &m) < 0 || h > 23 || m > 59)
		return -1;
	return h * 60 + m;
}

static void set(struct timeentry *te, int minutes)
{
	te->minutes = ((minutes % 1440) + 1440) % 1440;
	te->touched = false;
	te->digits[0] = '\0';
}

enum numentry_result timeentry_key(struct timeentry *te, int key)
{
	size_t n = strlen(te->digits);
	int v;

	te->why[0] = '\0';
	if (key >= '0' && key <= '9') {
		if (!te->touched) {
			te->touched = true;
			n = 0;
		}
		if (n == 4) {
			snprintf(te->why, sizeof(te->why), "%s", _("Four digits are a whole time: 0530 is 05:30."));
			return NUM_REFUSED;
		}
		te->digits[n] = (char)key;
		te->digits[n + 1] = '\0';
		return NUM_EDITED;
	}
	switch (key) {
	case '+':
	case K_UP:
	case '-':
	case K_DOWN:
		v = timeentry_value(te);
		if (v < 0)
			v = te->minutes;
		/* To the next quarter of an hour: 05:10 + is 05:15. */
		if (key == '+' || key == K_UP)
			v = (v / STEP + 1) * STEP;
		else
			v = ((v + STEP - 1) / STEP - 1) * STEP;
		set(te, v);
		return NUM_EDITED;
	case K_BACK:
		/* The starting time is edited from its end, like a typed one;
		 * only an empty field goes back. */
		if (!te->touched) {
			int h = te->minutes / 60, m = te->minutes % 60;

			te->digits[0] = (char)('0' + h / 10 % 10);
			te->digits[1] = (char)('0' + h % 10);
			te->digits[2] = (char)('0' + m / 10);
			te->digits[3] = (char)('0' + m % 10);
			te->digits[4] = '\0';
			te->touched = true;
			n = 4;
		}
		if (n == 0)
			return NUM_CANCEL;
		te->digits[n - 1] = '\0';
		return NUM_EDITED;
	case K_ENTER:
		if (te->touched && n == 0) {
			snprintf(te->why, sizeof(te->why), "%s", _("Type a time first, like 0530."));
			return NUM_REFUSED;
		}
		v = timeentry_value(te);
		if (v < 0) {
			snprintf(te->why, sizeof(te->why), "%s",
				 _("A time is from 00:00 to 23:59: hours up to 23, minutes up to 59."));
			return NUM_REFUSED;
		}
		set(te, v);
		return NUM_DONE;
	default:
		return NUM_PASS;
	}
}

const char *timeentry_text(const struct timeentry *te, char *buf, int n)
{
	char shown[6] = "__:__";

	if (!te->touched) {
		snprintf(buf, (size_t)n, "%02d:%02d", te->minutes / 60, te->minutes % 60);
		return buf;
	}
	for (int i = 0, at = 0; te->digits[i] && at < 5; i++, at++) {
		if (at == 2)
			at++;
		shown[at] = te->digits[i];
	}
	snprintf(buf, (size_t)n, "%s", shown);
	return buf;
}
