/* Number entry on the keypad. */
#include "testlib.h"

#include "keys.h"
#include "numentry.h"
#include "text.h"

#include <math.h>

static void keys(struct numentry *ne, const char *k)
{
	for (; *k; k++)
		numentry_key(ne, *k == '<' ? K_BACK : *k);
}

static void typing_replaces_the_default(void **state)
{
	struct numentry ne;
	char b[16];

	(void)state;
	text_init("vi");
	numentry_init(&ne, 30, 0, 1, 90, 5);
	assert_string_equal(numentry_text(&ne, b, sizeof(b)), "30");
	keys(&ne, "45");
	assert_true(numentry_value(&ne) == 45);
	assert_int_equal(numentry_key(&ne, K_ENTER), NUM_DONE);
}

static void decimal_point_once(void **state)
{
	struct numentry ne;
	char b[16];

	(void)state;
	text_init("vi");
	numentry_init(&ne, NAN, 1, 0.1, 5000, 1);
	keys(&ne, "12.5");
	assert_true(numentry_value(&ne) == 12.5);
	assert_string_equal(numentry_text(&ne, b, sizeof(b)), "12,5");
	assert_int_equal(numentry_key(&ne, '.'), NUM_REFUSED);
	assert_non_null(strstr(ne.why, "dấu thập phân"));
	/* One decimal only here. */
	assert_int_equal(numentry_key(&ne, '7'), NUM_REFUSED);
	assert_true(numentry_value(&ne) == 12.5);
	/* A point first means 0.x. */
	numentry_init(&ne, NAN, 2, 0, 10, 1);
	keys(&ne, ".25");
	assert_true(numentry_value(&ne) == 0.25);
	/* Whole numbers refuse the point. */
	numentry_init(&ne, 30, 0, 1, 90, 5);
	assert_int_equal(numentry_key(&ne, '.'), NUM_REFUSED);
	assert_true(numentry_value(&ne) == 30);
}

static void empty_and_implausible_are_refused(void **state)
{
	struct numentry ne;

	(void)state;
	text_init("en");
	numentry_init(&ne, NAN, 1, 0.1, 500, 1);
	assert_int_equal(numentry_key(&ne, K_ENTER), NUM_REFUSED);
	assert_string_equal(ne.why, "Type a number first.");
	keys(&ne, "900");
	assert_int_equal(numentry_key(&ne, K_ENTER), NUM_REFUSED);
	assert_non_null(strstr(ne.why, "at most 500.0"));
	keys(&ne, "<<<0");
	assert_int_equal(numentry_key(&ne, K_ENTER), NUM_REFUSED);
	assert_non_null(strstr(ne.why, "smallest"));
}

/* One rule in every number field: Backspace deletes one character, of a
 * pre-filled value too, and only an empty field goes back; 0 is a digit. */
static void backspace_deletes_then_goes_back(void **state)
{
	struct numentry ne;
	char b[32];

	(void)state;
	text_init("en");
	numentry_init(&ne, 30, 0, 1, 90, 5);
	assert_int_equal(numentry_key(&ne, K_BACK), NUM_EDITED);	/* pre-filled: 30 -> 3 */
	assert_true(numentry_value(&ne) == 3);
	assert_int_equal(numentry_key(&ne, K_BACK), NUM_EDITED);
	assert_true(isnan(numentry_value(&ne)));
	assert_int_equal(numentry_key(&ne, K_BACK), NUM_CANCEL);	/* empty: back */
	keys(&ne, "12");
	assert_int_equal(numentry_key(&ne, K_BACK), NUM_EDITED);
	assert_true(numentry_value(&ne) == 1);
	assert_int_equal(numentry_key(&ne, K_BACK), NUM_EDITED);
	assert_true(isnan(numentry_value(&ne)));
	assert_int_equal(numentry_key(&ne, K_BACK), NUM_CANCEL);
	/* [ 1200 ] kg: Backspace edits the weight, it does not leave it. */
	numentry_init_amount(&ne, 1200, 1, 5000, "kg");
	assert_int_equal(numentry_key(&ne, K_BACK), NUM_EDITED);
	assert_string_equal(numentry_line(&ne, b, sizeof(b)), "[ 120 ] kg");
	/* The first digit replaces a pre-filled value; 0 then types. */
	numentry_init(&ne, 30, 0, 1, 90, 5);
	assert_int_equal(numentry_key(&ne, '7'), NUM_EDITED);
	assert_int_equal(numentry_key(&ne, '0'), NUM_EDITED);
	assert_true(numentry_value(&ne) == 70);
	assert_int_equal(numentry_key(&ne, K_ENTER), NUM_DONE);
	/* With no value at all, Backspace goes back at once. */
	numentry_init(&ne, NAN, 0, 1, 90, 5);
	assert_int_equal(numentry_key(&ne, K_BACK), NUM_CANCEL);
}

static void plus_minus_step_within_limits(void **state)
{
	struct numentry ne;

	(void)state;
	numentry_init(&ne, 30, 0, 1, 90, 5);
	numentry_key(&ne, '+');
	assert_true(numentry_value(&ne) == 35);
	keys(&ne, "88");
	numentry_key(&ne, '+');
	assert_true(numentry_value(&ne) == 90);	/* never past the maximum */
	numentry_init(&ne, 3, 0, 1, 90, 5);
	numentry_key(&ne, '-');
	assert_true(numentry_value(&ne) == 1);	/* never below the minimum: no negatives */
	numentry_key(&ne, '-');
	assert_true(numentry_value(&ne) == 1);
	assert_int_equal(numentry_key(&ne, '*'), NUM_PASS);
}

static void leading_zero_and_length(void **state)
{
	struct numentry ne;

	(void)state;
	numentry_init(&ne, NAN, 0, 0, 99999999, 1);
	keys(&ne, "05");
	assert_true(numentry_value(&ne) == 5);
	keys(&ne, "1234567");
	assert_int_equal(numentry_key(&ne, '9'), NUM_REFUSED);
	assert_true(numentry_value(&ne) == 51234567);
}

static void amounts_show_their_unit_and_refuse_in_words(void **state)
{
	struct numentry ne;
	char b[32];

	(void)state;
	text_init("vi");
	numentry_init_amount(&ne, NAN, 2, 300, "kg");
	assert_string_equal(numentry_line(&ne, b, sizeof(b)), "[  ] kg");
	/* Empty: refused, and the value stays empty. */
	assert_int_equal(numentry_key(&ne, K_ENTER), NUM_REFUSED);
	assert_string_equal(ne.why, "Hãy nhập một số trước.");
	keys(&ne, "12.5");
	assert_string_equal(numentry_line(&ne, b, sizeof(b)), "[ 12,5 ] kg");
	assert_int_equal(numentry_key(&ne, '.'), NUM_REFUSED);
	assert_string_equal(ne.why, "Đã có dấu thập phân rồi.");
	assert_int_equal(numentry_key(&ne, K_ENTER), NUM_DONE);
	assert_true(numentry_value(&ne) == 12.5);
	/* Beyond the plausible maximum: the sentence names it with its unit. */
	keys(&ne, "<<<<350");
	assert_int_equal(numentry_key(&ne, K_ENTER), NUM_REFUSED);
	assert_string_equal(ne.why, "350 kg là quá nhiều (tối đa 300 kg).");
	/* 0 is no amount, and - never goes below it: no negatives. */
	keys(&ne, "<<<0");
	assert_int_equal(numentry_key(&ne, K_ENTER), NUM_REFUSED);
	assert_non_null(strstr(ne.why, "0 không phải là lượng"));
	numentry_key(&ne, '-');
	numentry_key(&ne, '-');
	assert_true(numentry_value(&ne) == 0);
	assert_int_equal(numentry_key(&ne, K_ENTER), NUM_REFUSED);
	text_set_language("en");
	keys(&ne, "<7.25");
	assert_string_equal(numentry_line(&ne, b, sizeof(b)), "[ 7.25 ] kg");
	assert_int_equal(numentry_key(&ne, K_ENTER), NUM_DONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(typing_replaces_the_default),
		cmocka_unit_test(decimal_point_once),
		cmocka_unit_test(empty_and_implausible_are_refused),
		cmocka_unit_test(backspace_deletes_then_goes_back),
		cmocka_unit_test(plus_minus_step_within_limits),
		cmocka_unit_test(leading_zero_and_length),
		cmocka_unit_test(amounts_show_their_unit_and_refuse_in_words),
	};

	return cmocka_run_group_tests_name("numentry", tests, NULL, NULL);
}
