/* The texts a screen drew, kept as the widgets draw them, and put in the
 * order a person reads the screen: top to bottom, left to right. */
#include "spoken.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

/* A screen holds a few dozen texts; what does not fit is not said. */
#define SPOKEN_MAX 96
#define SPOKEN_TEXT 512

struct said {
	int y, x, order;
	char text[SPOKEN_TEXT];
};

static struct said said[SPOKEN_MAX];
static int n_said, held;

void spoken_begin(void)
{
	n_said = 0;
	held = 0;
}

void spoken_add(int y, int x, const char *text)
{
	struct said *s;

	if (held || n_said == SPOKEN_MAX || !text || !text[0])
		return;
	s = &said[n_said];
	s->y = y;
	s->x = x;
	s->order = n_said++;
	snprintf(s->text, sizeof(s->text), "%s", text);
}

void spoken_add_item(int y, int x, int number, const char *label)
{
	char text[SPOKEN_TEXT];

	snprintf(text, sizeof(text), label && label[0] ? "%d: %s" : "%d", number, label);
	spoken_add(y, x, text);
}

void spoken_hold(void)
{
	held++;
}

void spoken_release(void)
{
	if (held > 0)
		held--;
}

void spoken_forget(int top, int bottom)
{
	int k = 0;

	for (int i = 0; i < n_said; i++)
		if (said[i].y < top || said[i].y > bottom)
			said[k++] = said[i];
	n_said = k;
}

static int by_place(const void *a, const void *b)
{
	const struct said *p = *(const struct said *const *)a, *q = *(const struct said *const *)b;

	if (p->y != q->y)
		return p->y < q->y ? -1 : 1;
	if (p->x != q->x)
		return p->x < q->x ? -1 : 1;
	return p->order - q->order;
}

static void append(char *out, size_t n, size_t *len, const char *s)
{
	size_t l = strlen(s);

	if (*len + l + 1 > n)
		return;
	memcpy(out + *len, s, l + 1);
	*len += l;
}

/* The first character of s, wide; 0 if none. */
static wchar_t first_char(const char *s)
{
	mbstate_t st = { 0 };
	wchar_t wc = 0;

	while (*s == ' ')
		s++;
	if (mbrtowc(&wc, s, strlen(s), &st) > (size_t)-3)
		return 0;
	return wc;
}

/* The last character of s that is not a space. */
static char last_byte(const char *s)
{
	size_t l = strlen(s);

	while (l > 0 && s[l - 1] == ' ')
		l--;
	return l ? s[l - 1] : 0;
}

char *spoken_text(char *out, size_t n, int top, int bottom)
{
	const struct said *sorted[SPOKEN_MAX];
	size_t len = 0;
	int k = 0, row = -1;

	if (n == 0)
		return out;
	out[0] = '\0';
	for (int i = 0; i < n_said; i++)
		if (said[i].y >= top && said[i].y <= bottom)
			sorted[k++] = &said[i];
	qsort(sorted, (size_t)k, sizeof(sorted[0]), by_place);
	for (int i = 0; i < k; i++) {
		const char *t = sorted[i]->text;
		wchar_t first = first_char(t);
		char last = last_byte(out);

		if (len > 0) {
			if (sorted[i]->y == row)
				/* "38,3" then "%" stay together; two texts apart
				 * on a row are said apart. */
				append(out, n, &len, iswalnum((wint_t)first) ? ", " : " ");
			else if (last == '.' || last == '?' || last == '!' || last == ':' ||
				 last == ',' || last == ';')
				append(out, n, &len, " ");
			else if (iswlower((wint_t)first))
				append(out, n, &len, ", ");
			else
				append(out, n, &len, ". ");
		}
		append(out, n, &len, t);
		row = sorted[i]->y;
	}
	if (len > 0 && strchr(".?!", last_byte(out)) == NULL)
		append(out, n, &len, ".");
	return out;
}
