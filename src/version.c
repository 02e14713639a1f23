/* dpkg's ordering of versions: epoch as a number, then upstream version
 * and revision each compared in turns of non-digits (letters before other
 * characters, '~' before everything, even the end) and of numbers. */
#include "version.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct parts {
	unsigned long epoch;
	char upstream[VERSION_MAX + 1];
	char revision[VERSION_MAX + 1];
};

static bool all_of(const char *s, size_t n, const char *extra)
{
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr(extra, s[i]))
			return false;
	return true;
}

static bool split(const char *s, struct parts *p)
{
	const char *colon = strchr(s, ':'), *up = s, *dash;
	size_t n;

	memset(p, 0, sizeof(*p));
	if (strlen(s) > VERSION_MAX || !*s)
		return false;
	if (colon) {
		char *end;

		if (colon == s || !all_of(s, (size_t)(colon - s), ""))
			return false;
		for (const char *c = s; c < colon; c++)
			if (!isdigit((unsigned char)*c))
				return false;
		p->epoch = strtoul(s, &end, 10);
		if (end != colon || p->epoch > 2147483647UL)
			return false;
		up = colon + 1;
	}
	dash = strrchr(up, '-');
	n = dash ? (size_t)(dash - up) : strlen(up);
	if (n == 0 || !isdigit((unsigned char)up[0]) || !all_of(up, n, ".+~-:"))
		return false;
	memcpy(p->upstream, up, n);
	if (dash) {
		if (!dash[1] || !all_of(dash + 1, strlen(dash + 1), ".+~"))
			return false;
		strcpy(p->revision, dash + 1);
	}
	return true;
}

bool version_valid(const char *s)
{
	struct parts p;

	return split(s, &p);
}

static int order(char c)
{
	if (isdigit((unsigned char)c))
		return 0;
	if (isalpha((unsigned char)c))
		return c;
	if (c == '~')
		return -1;
	if (c)
		return c + 256;
	return 0;
}

static int compare_part(const char *a, const char *b)
{
	while (*a || *b) {
		int first = 0;

		while ((*a && !isdigit((unsigned char)*a)) || (*b && !isdigit((unsigned char)*b))) {
			int ac = order(*a), bc = order(*b);

			if (ac != bc)
				return ac - bc;
			a++;
			b++;
		}
		while (*a == '0')
			a++;
		while (*b == '0')
			b++;
		while (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			if (!first)
				first = *a - *b;
			a++;
			b++;
		}
		if (isdigit((unsigned char)*a))
			return 1;
		if (isdigit((unsigned char)*b))
			return -1;
		if (first)
			return first;
	}
	return 0;
}

int version_compare(const char *a, const char *b)
{
	struct parts pa, pb;
	int r;

	split(a, &pa);
	split(b, &pb);
	if (pa.epoch != pb.epoch)
		return pa.epoch < pb.epoch ? -1 : 1;
	r = compare_part(pa.upstream, pb.upstream);
	if (r)
		return r;
	return compare_part(pa.revision, pb.revision);
}
