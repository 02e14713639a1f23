/* Pulse meters: pulses judged water or noise by the second, what a
 * simulated meter measures of its relay's water, a dry source, a meter
 * that sends noise. */
#include "testlib.h"

#include "meter.h"
#include "relay.h"
#include "sim_farm.h"

#define S 1000000000LL

static int64_t farm_ms;

static int64_t farm_now(void *ctx)
{
	(void)ctx;
	return farm_ms;
}

static const struct meter_ops counting_ops = { .name = "test", .free = NULL };

/* A meter that only counts what the test hands it. */
static struct meter counting(double cap)
{
	struct meter m;

	meter_init(&m, &counting_ops, cap);
	return m;
}

/* A YF-S201 at 450 pulses a litre on a drip line: 30 l/min is 225 a
 * second. Every pulse under the cap is water, to the pulse. */
static void test_pulses_under_the_cap_are_water(void **state)
{
	struct meter m = counting(750);
	struct meter_count c;

	(void)state;
	/* 10 seconds at 225 pulses a second, evenly spaced. */
	for (int64_t i = 0; i < 2250; i++)
		meter_count_pulse(&m, 100 * S + i * (S / 225));
	meter_take(&m, &c, true);
	assert_int_equal(c.pulses, 2250);
	assert_int_equal(c.noise, 0);
	assert_int_equal(c.noisy_seconds, 0);
	/* A take starts the count again. */
	meter_take(&m, &c, true);
	assert_int_equal(c.pulses, 0);
}

static void pulses(struct meter *m, int64_t second, int n)
{
	for (int i = 0; i < n; i++)
		meter_count_pulse(m, second * S + i * (S / n));
}

/* Thousands of pulses a second is the wiring, not water: that second is
 * noise, and so are the seconds beside it, where the noise began and
 * ended; seconds apart from it still count. */
static void test_a_noisy_second_is_not_water(void **state)
{
	struct meter m = counting(750);
	struct meter_count c;

	(void)state;
	pulses(&m, 5, 200);		/* water */
	pulses(&m, 7, 4000);		/* noise */
	pulses(&m, 8, 30);		/* where it ended */
	pulses(&m, 10, 200);		/* water again */
	pulses(&m, 19, 3);		/* where the next began */
	pulses(&m, 20, 4000);
	meter_take(&m, &c, true);
	assert_int_equal(c.pulses, 400);
	assert_int_equal(c.noise, 8033);
	assert_int_equal(c.noisy_seconds, 2);
	assert_int_equal(c.noisiest, 4000);
	/* Exactly the cap is still water; one more is not. */
	m = counting(750);
	pulses(&m, 30, 750);
	pulses(&m, 32, 751);
	meter_take(&m, &c, true);
	assert_int_equal(c.pulses, 750);
	assert_int_equal(c.noise, 751);
}

/* While a run goes on, the last second or two wait for the next take,
 * in case noise follows; the final take judges all. */
static void test_the_last_seconds_wait(void **state)
{
	struct meter m = counting(750);
	struct meter_count c;

	(void)state;
	pulses(&m, 1, 100);
	pulses(&m, 2, 100);
	pulses(&m, 3, 100);
	meter_take(&m, &c, false);
	assert_int_equal(c.pulses, 100);	/* second 1; 2 held, 3 open */
	pulses(&m, 4, 5000);
	meter_take(&m, &c, false);
	assert_int_equal(c.pulses, 100);	/* second 2; 3 held, 4 open */
	assert_int_equal(c.noise, 0);
	pulses(&m, 6, 100);
	meter_take(&m, &c, true);
	assert_int_equal(c.pulses, 100);	/* second 6: 3 went with 4's noise */
	assert_int_equal(c.noise, 5100);
	meter_take(&m, &c, true);
	assert_int_equal(c.pulses, 0);
	assert_int_equal(c.noise, 0);
}

/* Events the kernel's buffer dropped, while the loop was held up, show
 * as a jump in their numbers: they are pulses all the same, spread
 * between the events around them, and judged by the second as any. */
static void test_events_the_kernel_dropped_still_count(void **state)
{
	struct meter m = counting(750);
	struct meter_count c;
	uint64_t seq = 0;

	(void)state;
	/* 4 seconds at 300 pulses a second; of the third second's, 290
	 * were dropped by the kernel: its 10 last arrive, numbered. */
	for (int64_t i = 0; i < 1200; i++) {
		seq++;
		if (i >= 600 && i < 890)
			continue;
		meter_count_event(&m, seq, 10 * S + i * (S / 300));
	}
	meter_take(&m, &c, true);
	assert_int_equal(c.pulses, 1200);
	assert_int_equal(c.noise, 0);
	/* A burst of noise the kernel half dropped is still noise. */
	for (int64_t i = 0; i < 4000; i++) {
		seq++;
		if (i % 2)
			continue;
		meter_count_event(&m, seq, 30 * S + i * (S / 4000));
	}
	meter_take(&m, &c, true);
	assert_int_equal(c.pulses, 0);
	assert_int_equal(c.noise, 4000 - 1);	/* the last dropped: no event after it */
	/* A storm of a million dropped in 10 seconds, between two events
	 * that came through, is noise, counted at once, not pulse by pulse. */
	meter_count_event(&m, seq, 50 * S);	/* the next event through */
	meter_count_event(&m, seq + 1000001, 60 * S);
	meter_take(&m, &c, true);
	assert_int_equal(c.noise, 1000000);
	assert_true(c.pulses <= 2);
}

/* A span is judged by its rate. */
static void test_spans(void **state)
{
	struct meter m = counting(750);
	struct meter_count c;

	(void)state;
	meter_count_span(&m, 0, 60 * S, 18000);		/* 300 a second */
	meter_count_span(&m, 60 * S, 120 * S, 300000);	/* 5000 a second */
	meter_count_span(&m, 120 * S, 120 * S + S / 10, 30);	/* a tenth of a second */
	meter_take(&m, &c, true);
	assert_int_equal(c.pulses, 18030);
	assert_int_equal(c.noise, 300000);
	assert_int_equal(c.noisy_seconds, 60);
	assert_int_equal(c.noisiest, 5000);
}

struct simrig {
	struct sim_farm *farm;
	struct relay *relay;
	struct meter *meter;
};

static void simrig_open(struct simrig *r, int fault)
{
	int zone = 0;

	farm_ms = 1780000000000LL;
	r->farm = sim_farm_new(1, 1, farm_now, NULL);
	r->relay = relay_sim_new(r->farm, &zone, 1, NULL);
	assert_non_null(r->relay);
	/* 40 l/min, 450 pulses a litre: 300 a second; cap 100 l/min. */
	r->meter = meter_sim_new(r->farm, r->relay, 40, 450, fault, 750);
	assert_non_null(r->meter);
}

static void simrig_close(struct simrig *r)
{
	meter_free(r->meter);
	relay_free(r->relay);
	sim_farm_free(r->farm);
}

/* The simulated meter measures its relay's time on: 40 l/min for 90 s is
 * 60 litres, 27000 pulses; nothing while the relay is off. */
static void test_sim_meter_measures_its_relay(void **state)
{
	struct simrig r;
	struct meter_count c;

	(void)state;
	simrig_open(&r, METER_SIM_NONE);
	farm_ms += 30000;		/* off: nothing */
	meter_take(r.meter, &c, false);
	assert_int_equal(c.pulses, 0);
	assert_int_equal(relay_set(r.relay, true), 0);
	farm_ms += 60000;
	meter_take(r.meter, &c, false);
	assert_int_equal(c.pulses, 18000);
	farm_ms += 30000;
	assert_int_equal(relay_set(r.relay, false), 0);
	farm_ms += 45000;		/* off again */
	meter_take(r.meter, &c, false);
	assert_int_equal(c.pulses, 9000);
	assert_int_equal(c.noise, 0);
	assert_int_equal(relay_sim_on_ms(r.relay), 90000);
	simrig_close(&r);
}

static void test_sim_meter_faults(void **state)
{
	struct simrig r;
	struct meter_count c;

	(void)state;
	simrig_open(&r, METER_SIM_NO_WATER);
	assert_int_equal(relay_set(r.relay, true), 0);
	farm_ms += 120000;
	meter_take(r.meter, &c, false);
	assert_int_equal(c.pulses, 0);
	assert_int_equal(c.noise, 0);
	simrig_close(&r);

	simrig_open(&r, METER_SIM_NOISE);
	assert_int_equal(relay_set(r.relay, true), 0);
	farm_ms += 10000;
	meter_take(r.meter, &c, false);
	assert_int_equal(c.pulses, 0);
	assert_int_equal(c.noise, 10 * METER_SIM_NOISE_HZ);
	assert_int_equal(c.noisiest, METER_SIM_NOISE_HZ);
	simrig_close(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pulses_under_the_cap_are_water),
		cmocka_unit_test(test_a_noisy_second_is_not_water),
		cmocka_unit_test(test_the_last_seconds_wait),
		cmocka_unit_test(test_events_the_kernel_dropped_still_count),
		cmocka_unit_test(test_spans),
		cmocka_unit_test(test_sim_meter_measures_its_relay),
		cmocka_unit_test(test_sim_meter_faults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
