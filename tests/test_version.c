/* Versions are ordered as dpkg orders them, so that the station offers
 * exactly the packages dpkg would call newer, and refuses a version dpkg
 * would not take. */
#include "testlib.h"

#include "version.h"

#include <stdbool.h>

static const struct {
	const char *a, *b;
	int cmp;
} pairs[] = {
	{ "0.2.0", "0.1.0", 1 },
	{ "0.1.0", "0.1.0", 0 },
	{ "0.10.0", "0.9.9", 1 },		/* numbers, not text */
	{ "0.3.0~rc1", "0.3.0", -1 },		/* a release candidate comes before */
	{ "0.3.0", "0.3.0~rc1", 1 },
	{ "0.3.0~rc1", "0.3.0~rc2", -1 },
	{ "0.3.0~", "0.3.0", -1 },
	{ "0.3.0~~", "0.3.0~", -1 },
	{ "0.3.0+1", "0.3.0", 1 },
	{ "0.3.0a", "0.3.0", 1 },
	{ "0.3.0a", "0.3.0+", -1 },		/* letters before other characters */
	{ "0.3.0.1", "0.3.0a", 1 },
	{ "1:0.1.0", "0.9.0", 1 },		/* the epoch first */
	{ "0:0.1.0", "0.1.0", 0 },
	{ "2:0.1", "10:0.1", -1 },
	{ "0.1.0-2", "0.1.0-1", 1 },		/* then the revision */
	{ "0.1.0-1", "0.1.0", 1 },
	{ "0.1.0-0", "0.1.0", 0 },
	{ "0.1.0-1~bpo12+1", "0.1.0-1", -1 },
	{ "001.02", "1.2", 0 },			/* leading zeros */
	{ "1.2-3-4", "1.2-3-3", 1 },		/* the revision is after the last '-' */
	{ "1.0", "1", 1 },
	{ "1", "1.0", -1 },
	{ "9999999999999999999999.1", "9999999999999999999999.0", 1 },
};

static int sign_of(int x)
{
	return (x > 0) - (x < 0);
}

static void versions_order_as_dpkg_orders_them(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		if (sign_of(version_compare(pairs[i].a, pairs[i].b)) != pairs[i].cmp)
			fail_msg("%s against %s: %d, not %d", pairs[i].a, pairs[i].b,
				 version_compare(pairs[i].a, pairs[i].b), pairs[i].cmp);
		if (sign_of(version_compare(pairs[i].b, pairs[i].a)) != -pairs[i].cmp)
			fail_msg("%s against %s, turned round", pairs[i].b, pairs[i].a);
	}
}

/* Where dpkg is there, it agrees on every pair (its own word). */
static void dpkg_agrees(void **state)
{
	static const char *const ops[] = { "lt", "eq", "gt" };
	int asked = 0;

	(void)state;
	if (system("dpkg --version >/dev/null 2>&1") != 0)
		skip();
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		char cmd[256];
		int cmp;

		if (!version_valid(pairs[i].a) || !version_valid(pairs[i].b))
			continue;
		cmp = sign_of(version_compare(pairs[i].a, pairs[i].b));
		snprintf(cmd, sizeof(cmd), "dpkg --compare-versions '%s' %s '%s' 2>/dev/null",
			 pairs[i].a, ops[cmp + 1], pairs[i].b);
		if (system(cmd) != 0)
			fail_msg("dpkg does not say %s %s %s", pairs[i].a, ops[cmp + 1], pairs[i].b);
		asked++;
	}
	assert_true(asked >= 20);
}

/* Stricter than dpkg --compare-versions, which only warns about some
 * (an upstream part not starting with a digit, '_' or '/'): as strict as
 * what dpkg-deb builds a package with. */
static void a_version_dpkg_would_refuse_is_not_taken(void **state)
{
	static const char *const good[] = { "0.1.0", "1:0.1.0", "0.1.0-1", "0.3.0~rc1+b2",
					     "1:2:3-4", "0.1.0-1.2~3+4" };
	static const char *const bad[] = {
		"", "a0.1", ".1", "~1", "0.1 0", "0.1_0", "0.1/0", ":0.1", "x:0.1", "-1:0.1",
		"0.1.0-", "0.1.0-1:2", "0.1.0-1-", "0.1.0\n", "0.1.0\033[2J", "1:",
		"99999999999:0.1",
		"0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!version_valid(good[i]))
			fail_msg("\"%s\" is a version", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (version_valid(bad[i]))
			fail_msg("\"%s\" is not a version", bad[i]);
	/* And dpkg takes every one we take. */
	if (system("dpkg --version >/dev/null 2>&1") != 0)
		return;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "dpkg --compare-versions '%s' eq '%s' 2>/dev/null",
			 good[i], good[i]);
		if (system(cmd) != 0)
			fail_msg("dpkg refuses \"%s\"", good[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(versions_order_as_dpkg_orders_them),
		cmocka_unit_test(dpkg_agrees),
		cmocka_unit_test(a_version_dpkg_would_refuse_is_not_taken),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
