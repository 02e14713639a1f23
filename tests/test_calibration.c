/* Two-point calibration of a raw analog probe: the dry and wet points
 * give 0 and 100 %, the soil falls between on a straight line either way
 * round, a count far outside is a broken probe, and points too close are
 * refused. */
#include "testlib.h"

#include "calibration.h"
#include "text.h"

#include <math.h>

/* A capacitive v1.2 probe: 560 in air, 290 in water (DOMAIN.md). */
static const struct calibration capacitive = { true, 560, 290, 0 };

static double at(const struct calibration *c, double raw)
{
	double m = NAN;

	assert_true(calibration_apply(c, raw, &m));
	return m;
}

static void falling_count_rising_moisture(void **state)
{
	(void)state;
	assert_true(at(&capacitive, 560) == 0);
	assert_true(at(&capacitive, 290) == 100);
	assert_true(at(&capacitive, 425) == 50);
	/* 523 is (560 - 523) / 270 = 13,7 %. */
	assert_true(at(&capacitive, 523) == 13.7);
	assert_true(at(&capacitive, 400) > at(&capacitive, 450));
}

static void rising_count_probe(void **state)
{
	struct calibration c = { true, 120, 880, 0 };

	(void)state;
	assert_true(at(&c, 120) == 0);
	assert_true(at(&c, 500) == 50);
	assert_true(at(&c, 880) == 100);
}

/* A little past the points is soil, wetter or drier than at calibration;
 * far past is not soil at all. */
static void outside_the_points(void **state)
{
	double m;

	(void)state;
	assert_true(at(&capacitive, 580) == 0);	/* 7 % past dry */
	assert_true(at(&capacitive, 270) == 100);
	assert_false(calibration_apply(&capacitive, 1023, &m));	/* unplugged: the rail */
	assert_false(calibration_apply(&capacitive, 0, &m));	/* shorted */
	assert_false(calibration_apply(&capacitive, 600, &m));
	struct calibration none = { 0 };
	assert_false(calibration_apply(&none, 400, &m));
}

static void points_too_close_are_refused(void **state)
{
	(void)state;
	assert_null(calibration_refusal(560, 290));
	assert_null(calibration_refusal(120, 880));
	assert_non_null(calibration_refusal(560, 545));
	assert_non_null(calibration_refusal(560, 560));
	assert_non_null(calibration_refusal(NAN, 290));
	assert_non_null(calibration_refusal(-5, 290));
	text_init("vi");
	assert_string_equal(_(calibration_refusal(560, 550)),
			    "Hai số đo gần như bằng nhau: đầu đo đã thật sự nằm trong nước chưa?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(falling_count_rising_moisture),
		cmocka_unit_test(rising_count_probe),
		cmocka_unit_test(outside_the_points),
		cmocka_unit_test(points_too_close_are_refused),
	};

	return cmocka_run_group_tests_name("calibration", tests, NULL, NULL);
}
