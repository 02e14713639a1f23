/* What every relay shares: a dying station turns injectors off before any
 * pump, so that no product goes into a line whose water stops. */
#include "testlib.h"

#include "relay.h"

static char order[16];

struct fake {
	struct relay base;	/* first */
	char name;
};

static int fake_set(struct relay *r, bool on)
{
	(void)r;
	(void)on;
	return 0;
}

static void fake_force_off(struct relay *r)
{
	size_t n = strlen(order);

	order[n] = ((struct fake *)r)->name;
	order[n + 1] = '\0';
	r->on = false;
}

static void fake_free(struct relay *r)
{
	(void)r;
}

static const struct relay_ops fake_ops = { "fake", fake_set, fake_force_off, fake_free };

static void injectors_go_off_first(void **state)
{
	struct fake pump1 = { { &fake_ops, true, false }, 'P' };
	struct fake inj1 = { { &fake_ops, true, false }, 'i' };
	struct fake pump2 = { { &fake_ops, true, false }, 'Q' };
	struct fake inj2 = { { &fake_ops, true, false }, 'j' };

	(void)state;
	/* Pumps are made first, as the station makes them. */
	assert_int_equal(relay_register(&pump1.base), 0);
	assert_int_equal(relay_register(&pump2.base), 0);
	relay_mark_first(&inj1.base);
	relay_mark_first(&inj2.base);
	assert_int_equal(relay_register(&inj1.base), 0);
	assert_int_equal(relay_register(&inj2.base), 0);
	order[0] = '\0';
	relay_all_off_now();
	assert_string_equal(order, "ijPQ");
	assert_false(pump1.base.on || pump2.base.on || inj1.base.on || inj2.base.on);
	relay_unregister(&pump1.base);
	relay_unregister(&pump2.base);
	relay_unregister(&inj1.base);
	relay_unregister(&inj2.base);
	order[0] = '\0';
	relay_all_off_now();
	assert_string_equal(order, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(injectors_go_off_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
