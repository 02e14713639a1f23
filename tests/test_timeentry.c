/* Typing a time of day on the keypad, and the refusals. */
#include "testlib.h"

#include "keys.h"
#include "text.h"
#include "timeentry.h"

static enum numentry_result type(struct timeentry *te, const char *keys)
{
	enum numentry_result r = NUM_PASS;

	for (; *keys; keys++)
		r = timeentry_key(te, *keys == '\n' ? K_ENTER : *keys == '<' ? K_BACK : *keys);
	return r;
}

/* Digits fill HH:MM from the left, and the field shows it so. */
static void four_digits_or_fewer(void **state)
{
	struct timeentry te;
	char b[16];

	(void)state;
	text_init("en");
	timeentry_init(&te, 5 * 60);
	assert_string_equal(timeentry_text(&te, b, sizeof(b)), "05:00");
	assert_int_equal(type(&te, "1"), NUM_EDITED);
	assert_string_equal(timeentry_text(&te, b, sizeof(b)), "1_:__");
	assert_int_equal(type(&te, "7"), NUM_EDITED);
	assert_string_equal(timeentry_text(&te, b, sizeof(b)), "17:__");
	assert_int_equal(type(&te, "3"), NUM_EDITED);
	assert_string_equal(timeentry_text(&te, b, sizeof(b)), "17:3_");
	assert_int_equal(type(&te, "0"), NUM_EDITED);
	assert_string_equal(timeentry_text(&te, b, sizeof(b)), "17:30");
	assert_int_equal(type(&te, "\n"), NUM_DONE);
	assert_int_equal(timeentry_value(&te), 17 * 60 + 30);
	/* The hour alone, and three digits: what the field shows. */
	timeentry_init(&te, 0);
	assert_int_equal(type(&te, "5\n"), NUM_DONE);
	assert_int_equal(timeentry_value(&te), 5 * 60);
	timeentry_init(&te, 0);
	assert_int_equal(type(&te, "053\n"), NUM_DONE);
	assert_int_equal(timeentry_value(&te), 5 * 60 + 30);
	timeentry_init(&te, 0);
	assert_int_equal(type(&te, "0530\n"), NUM_DONE);
	assert_int_equal(timeentry_value(&te), 5 * 60 + 30);
	/* The starting time is taken as it is. */
	timeentry_init(&te, 6 * 60 + 15);
	assert_int_equal(type(&te, "\n"), NUM_DONE);
	assert_int_equal(timeentry_value(&te), 6 * 60 + 15);
}

/* A pre-filled 05:00: four Backspaces clear it digit by digit and stay
 * in the field; only the fifth, on the empty field, goes back. */
static void backspace_clears_a_prefilled_time_then_goes_back(void **state)
{
	struct timeentry te;
	char b[16];
	static const char *const shown[] = { "05:0_", "05:__", "0_:__", "__:__" };

	(void)state;
	timeentry_init(&te, 5 * 60);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(type(&te, "<"), NUM_EDITED);
		assert_string_equal(timeentry_text(&te, b, sizeof(b)), shown[i]);
	}
	assert_int_equal(type(&te, "\n"), NUM_REFUSED);	/* nothing to take */
	assert_int_equal(type(&te, "<"), NUM_CANCEL);
	/* Edited back to a new time from where Backspace left it. */
	timeentry_init(&te, 5 * 60);
	assert_int_equal(type(&te, "<<30\n"), NUM_DONE);
	assert_int_equal(timeentry_value(&te), 5 * 60 + 30);
}

static void steps_of_a_quarter_hour(void **state)
{
	struct timeentry te;

	(void)state;
	timeentry_init(&te, 5 * 60 + 10);
	type(&te, "+");
	assert_int_equal(timeentry_value(&te), 5 * 60 + 15);
	type(&te, "--");
	assert_int_equal(timeentry_value(&te), 4 * 60 + 45);
	timeentry_init(&te, 23 * 60 + 45);
	type(&te, "+");
	assert_int_equal(timeentry_value(&te), 0);
	type(&te, "-");
	assert_int_equal(timeentry_value(&te), 23 * 60 + 45);
}

static void impossible_times_are_refused(void **state)
{
	struct timeentry te;

	(void)state;
	timeentry_init(&te, 5 * 60);
	assert_int_equal(type(&te, "2460\n"), NUM_REFUSED);
	assert_string_equal(te.why, "A time is from 00:00 to 23:59: hours up to 23, minutes up to 59.");
	assert_int_equal(timeentry_value(&te), -1);
	assert_int_equal(type(&te, "<<<<\n"), NUM_REFUSED);
	assert_string_equal(te.why, "Type a time first, like 0530.");
	assert_int_equal(type(&te, "07456"), NUM_REFUSED);
	assert_int_equal(type(&te, "\n"), NUM_DONE);
	assert_int_equal(timeentry_value(&te), 7 * 60 + 45);
	assert_int_equal(type(&te, "9<<"), NUM_CANCEL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(four_digits_or_fewer),
		cmocka_unit_test(backspace_clears_a_prefilled_time_then_goes_back),
		cmocka_unit_test(steps_of_a_quarter_hour),
		cmocka_unit_test(impossible_times_are_refused),
	};

	return cmocka_run_group_tests_name("timeentry", tests, NULL, NULL);
}
