/* The number entry widget's logic. */
#include "numentry.h"

#include "keys.h"
#include "text.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NUM_MAX_CHARS 8

static void set_value(struct numentry *ne, double v)
{
	snprintf(ne->buf, sizeof(ne->buf), "%.*f", ne->decimals, v);
	/* 12.50 -> 12.5, 3.0 -> 3: show what a person would write. */
	if (strchr(ne->buf, '.')) {
		size_t n = strlen(ne->buf);

		while (n > 0 && ne->buf[n - 1] == '0')
			ne->buf[--n] = '\0';
		if (n > 0 && ne->buf[n - 1] == '.')
			ne->buf[--n] = '\0';
	}
}

void numentry_init(struct numentry *ne, double value, int decimals, double min, double max,
		   double step)
{
	memset(ne, 0, sizeof(*ne));
	ne->decimals = decimals;
	ne->min = min;
	ne->max = max;
	ne->step = step;
	if (!isnan(value))
		set_value(ne, value);
}

void numentry_init_amount(struct numentry *ne, double value, int decimals, double max,
			  const char *unit)
{
	numentry_init(ne, value, decimals, 0, max, 1);
	ne->nonzero = true;
	snprintf(ne->unit, sizeof(ne->unit), "%s", unit ? unit : "");
}

double numentry_value(const struct numentry *ne)
{
	if (!ne->buf[0] || strcmp(ne->buf, ".") == 0)
		return NAN;
	return strtod(ne->buf, NULL);
}

static enum numentry_result refuse(struct numentry *ne, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static enum numentry_result refuse(struct numentry *ne, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ne->why, sizeof(ne->why), fmt, ap);
	va_end(ap);
	return NUM_REFUSED;
}

static enum numentry_result digit(struct numentry *ne, int key)
{
	size_t n = strlen(ne->buf);
	const char *dot;

	if (!ne->touched) {
		ne->buf[0] = (char)key;
		ne->buf[1] = '\0';
		ne->touched = true;
		return NUM_EDITED;
	}
	if (n >= NUM_MAX_CHARS)
		return refuse(ne, _("That is as many digits as fit."));
	dot = strchr(ne->buf, '.');
	if (dot && (int)strlen(dot + 1) >= ne->decimals)
		return refuse(ne, ngettext("Only %d digit after the point.",
					   "Only %d digits after the point.",
					   (unsigned long)ne->decimals), ne->decimals);
	if (strcmp(ne->buf, "0") == 0)
		n = 0;		/* no leading zeros: 0 then 5 is 5 */
	ne->buf[n] = (char)key;
	ne->buf[n + 1] = '\0';
	return NUM_EDITED;
}

static enum numentry_result point(struct numentry *ne)
{
	if (ne->decimals == 0)
		return refuse(ne, _("Only whole numbers here: no decimal point."));
	if (ne->touched && strchr(ne->buf, '.'))
		return refuse(ne, _("There is already a decimal point."));
	if (!ne->touched || !ne->buf[0])
		snprintf(ne->buf, sizeof(ne->buf), "0.");
	else if (strlen(ne->buf) < NUM_MAX_CHARS)
		strcat(ne->buf, ".");
	ne->touched = true;
	return NUM_EDITED;
}

/* + and - move to the next multiple of the step: 23 + 5 is 25, not 28. */
static enum numentry_result step(struct numentry *ne, int dir)
{
	double v = numentry_value(ne);

	if (isnan(v))
		v = dir > 0 ? 0 : ne->min;
	else if (dir > 0)
		v = (floor(v / ne->step + 1e-9) + 1) * ne->step;
	else
		v = (ceil(v / ne->step - 1e-9) - 1) * ne->step;
	if (v < ne->min)
		v = ne->min;
	if (v > ne->max)
		v = ne->max;
	set_value(ne, v);
	ne->touched = true;
	return NUM_EDITED;
}

static enum numentry_result enter(struct numentry *ne)
{
	double v = numentry_value(ne);
	char a[24], b[24];

	if (isnan(v))
		return refuse(ne, _("Type a number first."));
	if (ne->nonzero && v <= 0)
		return refuse(ne, _("0 is not an amount: type how much was used."));
	if (v < ne->min)
		return refuse(ne, _("The smallest allowed is %s."),
			      text_number(a, sizeof(a), ne->min, ne->decimals));
	if (v > ne->max && ne->unit[0])
		return refuse(ne, _("%s %s is more than is plausible here (at most %s %s)."),
			      text_amount(a, sizeof(a), v), ne->unit,
			      text_amount(b, sizeof(b), ne->max), ne->unit);
	if (v > ne->max)
		return refuse(ne, _("%s is more than is plausible here (at most %s)."),
			      text_number(a, sizeof(a), v, ne->decimals),
			      text_number(b, sizeof(b), ne->max, ne->decimals));
	return NUM_DONE;
}

enum numentry_result numentry_key(struct numentry *ne, int key)
{
	ne->why[0] = '\0';
	if (key >= '0' && key <= '9')
		return digit(ne, key);
	switch (key) {
	case '.':
		return point(ne);
	case '+':
	case K_UP:
		return step(ne, +1);
	case '-':
	case K_DOWN:
		return step(ne, -1);
	case K_BACK:
		/* One character at a time, a pre-filled value too; only an
		 * empty field goes back. */
		if (!ne->buf[0])
			return NUM_CANCEL;
		ne->touched = true;
		ne->buf[strlen(ne->buf) - 1] = '\0';
		return NUM_EDITED;
	case K_ENTER:
		return enter(ne);
	default:
		return NUM_PASS;
	}
}

const char *numentry_text(const struct numentry *ne, char *buf, int n)
{
	snprintf(buf, (size_t)n, "%s", ne->buf);
	if (strcmp(text_language(), "vi") == 0)
		for (char *c = buf; *c; c++)
			if (*c == '.')
				*c = ',';
	return buf;
}

const char *numentry_line(const struct numentry *ne, char *buf, int n)
{
	char num[24];

	snprintf(buf, (size_t)n, "[ %s ]%s%s", numentry_text(ne, num, sizeof(num)),
		 ne->unit[0] ? " " : "", ne->unit);
	return buf;
}
