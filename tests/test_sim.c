/* The simulator drivers: a farm that dries by day and wets while its
 * pump runs, air on a daily cycle, relays that hold their state, sensors
 * that answer like serial ones; all deterministic under a seed. */
#include "testlib.h"

#include "relay.h"
#include "sensor.h"
#include "sim_farm.h"

#include <math.h>
#include <time.h>

static int64_t now_ms;

static int64_t fake_now(void *ctx)
{
	(void)ctx;
	return now_ms;
}

/* Local time of 1 June 2026 at h:00, in ms. */
static int64_t june(int day, int h)
{
	struct tm tm = { .tm_year = 126, .tm_mon = 5, .tm_mday = day, .tm_hour = h,
			 .tm_isdst = -1 };

	return (int64_t)mktime(&tm) * 1000;
}

static void soil_dries_by_day_more_than_by_night(void **state)
{
	struct sim_farm *f;
	double m6, m18, m30;

	(void)state;
	now_ms = june(1, 6);
	f = sim_farm_new(7, 1, fake_now, NULL);
	m6 = sim_farm_moisture(f, 0);
	now_ms = june(1, 18);
	m18 = sim_farm_moisture(f, 0);
	now_ms = june(2, 6);
	m30 = sim_farm_moisture(f, 0);
	assert_true(m18 < m6 - 3.0);		/* a hot day takes several points */
	assert_true(m30 < m18);			/* the night takes a little */
	assert_true(m18 - m30 < (m6 - m18) / 2);
	sim_farm_free(f);
}

static void soil_wets_while_its_pump_runs(void **state)
{
	struct sim_farm *f;
	struct relay *r;
	int zones[] = { 1 };
	double before, after, other_before, other_after;

	(void)state;
	now_ms = june(3, 10);
	f = sim_farm_new(7, 2, fake_now, NULL);
	r = relay_sim_new(f, zones, 1, NULL);
	assert_false(relay_is_on(r));
	before = sim_farm_moisture(f, 1);
	other_before = sim_farm_moisture(f, 0);
	assert_int_equal(relay_set(r, true), 0);
	assert_true(relay_is_on(r));
	assert_true(sim_farm_watering(f, 1));
	assert_false(sim_farm_watering(f, 0));
	now_ms += 30 * 60000;
	after = sim_farm_moisture(f, 1);
	other_after = sim_farm_moisture(f, 0);
	assert_true(after > before + 4.0);		/* 30 minutes of drip */
	assert_true(other_after < other_before);	/* the other zone dried */
	/* A dying process turns every relay off, water too. */
	relay_all_off_now();
	assert_false(relay_is_on(r));
	assert_false(sim_farm_watering(f, 1));
	relay_free(r);
	sim_farm_free(f);
}

static char state_of(const char *path)
{
	char c = '?';
	FILE *fp = fopen(path, "r");

	assert_non_null(fp);
	assert_int_equal(fread(&c, 1, 1, fp), 1);
	fclose(fp);
	return c;
}

/* What a test of power cuts reads: the relay's state in a file, left as
 * it was by a process that died, and off once a station starts again. */
static void a_relay_shows_its_state_in_a_file(void **state)
{
	char *dir = test_mkdir(), path[600];
	struct sim_farm *f;
	struct relay *r;
	int zones[] = { 0 };

	(void)state;
	snprintf(path, sizeof(path), "%s/p1", dir);
	now_ms = june(3, 10);
	f = sim_farm_new(7, 1, fake_now, NULL);
	r = relay_sim_new(f, zones, 1, path);
	assert_non_null(r);
	assert_int_equal(state_of(path), '0');
	relay_set(r, true);
	assert_int_equal(state_of(path), '1');
	/* A signal handler's way: off in the file too. */
	relay_all_off_now();
	assert_int_equal(state_of(path), '0');
	relay_set(r, true);
	/* The process dies here (its memory is simply dropped, not freed). */
	relay_unregister(r);
	assert_int_equal(state_of(path), '1');
	/* The next station's relay starts off, and says so. */
	struct relay *again = relay_sim_new(f, zones, 1, path);
	assert_int_equal(state_of(path), '0');
	relay_free(again);
	r->ops->free(r);
	/* A folder that is not there: no relay, rather than one nobody sees. */
	snprintf(path, sizeof(path), "%s/missing/p1", dir);
	assert_null(relay_sim_new(f, zones, 1, path));
	sim_farm_free(f);
	test_rmdir(dir);
}

static void air_is_warmer_in_the_afternoon(void **state)
{
	struct sim_farm *f;

	(void)state;
	now_ms = june(4, 0);
	f = sim_farm_new(7, 1, fake_now, NULL);
	double t3 = sim_farm_air_temp(f, june(4, 3)), t15 = sim_farm_air_temp(f, june(4, 15));
	assert_true(t15 > t3 + 7.0);
	assert_true(t3 > 15 && t15 < 40);
	assert_true(sim_farm_humidity(f, june(4, 3)) > sim_farm_humidity(f, june(4, 15)));
	sim_farm_free(f);
}

static void same_seed_same_farm_however_often_read(void **state)
{
	struct sim_farm *a, *b, *c;

	(void)state;
	now_ms = june(5, 0);
	a = sim_farm_new(42, 2, fake_now, NULL);
	b = sim_farm_new(42, 2, fake_now, NULL);
	c = sim_farm_new(43, 2, fake_now, NULL);
	/* a is read every ten minutes, b only at the end. */
	for (int i = 0; i < 6 * 24; i++) {
		now_ms += 10 * 60000;
		sim_farm_moisture(a, 0);
	}
	assert_true(sim_farm_moisture(a, 0) == sim_farm_moisture(b, 0));
	assert_true(sim_farm_moisture(a, 1) == sim_farm_moisture(b, 1));
	assert_true(sim_farm_moisture(a, 0) != sim_farm_moisture(c, 0));
	sim_farm_free(a);
	sim_farm_free(b);
	sim_farm_free(c);
}

struct got {
	int calls;
	int sensor[4];
	struct sensor_sample s[4][SENSOR_MAX_SAMPLES];
	int n[4];
};

static void on_report(void *ctx, int sensor, enum sensor_status st,
		      const struct sensor_sample *s, int n, const struct sensor_fault *detail)
{
	(void)detail;
	struct got *g = ctx;

	assert_int_equal(st, SENSOR_OK);
	g->sensor[g->calls] = sensor;
	memcpy(g->s[g->calls], s, (size_t)n * sizeof(*s));
	g->n[g->calls++] = n;
}

static void sensors_answer_after_a_delay(void **state)
{
	struct sim_farm *f;
	struct sim_sensor spec[] = { { .zone = 0 }, { .kind = SIM_AIR } };
	struct sensor_bus *bus;
	struct got g = { 0 };
	int fd;
	short ev;
	int64_t deadline;

	(void)state;
	now_ms = june(6, 12);
	f = sim_farm_new(7, 1, fake_now, NULL);
	bus = sensor_sim_new(f, spec, 2, on_report, &g);
	bus->ops->wants(bus, &fd, &ev, &deadline);
	assert_int_equal(deadline, -1);		/* idle */
	bus->ops->begin_poll(bus, 1000);
	bus->ops->wants(bus, &fd, &ev, &deadline);
	assert_int_equal(fd, -1);
	assert_true(deadline > 1000);
	bus->ops->service(bus, 0, 1000);	/* too early: nothing */
	assert_int_equal(g.calls, 0);
	bus->ops->service(bus, 0, deadline);
	assert_int_equal(g.calls, 2);
	/* The soil probe: moisture near the zone's, and its other values. */
	assert_int_equal(g.sensor[0], 0);
	assert_int_equal(g.n[0], 4);
	assert_int_equal(g.s[0][0].quantity, Q_MOISTURE);
	assert_true(fabs(g.s[0][0].value - sim_farm_moisture(f, 0)) < 2.0);
	/* Values come in tenths, like a real probe's registers. */
	assert_true(fabs(g.s[0][0].value * 10 - round(g.s[0][0].value * 10)) < 1e-9);
	assert_int_equal(g.s[1][0].quantity, Q_AIR_TEMP);
	assert_int_equal(g.s[1][1].quantity, Q_HUMIDITY);
	bus->ops->free(bus);
	sim_farm_free(f);
}

/* One poll of the bus; what it answered lands in g. */
static void poll_once(struct sensor_bus *bus, struct got *g)
{
	int fd;
	short ev;
	int64_t deadline;

	g->calls = 0;
	bus->ops->begin_poll(bus, 1000);
	bus->ops->wants(bus, &fd, &ev, &deadline);
	bus->ops->service(bus, 0, deadline);
}

/* Pressure and flow in a pump's line: there while its relay is on, zero
 * while it is off; a dry source (no_water) gives zero with the relay on,
 * from the poll after fault_after good ones. */
static void line_sensors_follow_the_relay(void **state)
{
	struct sim_farm *f;
	struct relay *r;
	int zones[] = { 0 };
	struct sim_sensor spec[] = {
		{ .zone = 0, .kind = SIM_PRESSURE },
		{ .zone = 0, .kind = SIM_FLOW },
		{ .zone = 0, .kind = SIM_FLOW, .fault = SIM_FAULT_NO_WATER, .fault_after = 1 },
	};
	struct sensor_bus *bus;
	struct got g = { 0 };

	(void)state;
	now_ms = june(8, 7);
	f = sim_farm_new(7, 1, fake_now, NULL);
	r = relay_sim_new(f, zones, 1, NULL);
	bus = sensor_sim_new(f, spec, 3, on_report, &g);
	poll_once(bus, &g);
	assert_int_equal(g.calls, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(g.n[i], 1);
	assert_int_equal(g.s[0][0].quantity, Q_PRESSURE);
	assert_int_equal(g.s[1][0].quantity, Q_FLOW);
	assert_true(g.s[0][0].value == 0 && g.s[1][0].value == 0 && g.s[2][0].value == 0);
	assert_int_equal(relay_set(r, true), 0);
	now_ms += 60000;
	poll_once(bus, &g);
	assert_true(g.s[0][0].value > 2.0 && g.s[0][0].value < 3.0);
	assert_true(g.s[1][0].value > 35 && g.s[1][0].value < 45);
	assert_true(g.s[2][0].value == 0);	/* its second poll: dry */
	for (int m = 0; m < 5; m++) {
		now_ms += 60000;
		poll_once(bus, &g);
		assert_true(g.s[1][0].value > 35);
		assert_true(g.s[2][0].value == 0);
	}
	assert_int_equal(relay_set(r, false), 0);
	now_ms += 60000;
	poll_once(bus, &g);
	assert_true(g.s[0][0].value == 0 && g.s[1][0].value == 0);
	bus->ops->free(bus);
	relay_free(r);
	sim_farm_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(soil_dries_by_day_more_than_by_night),
		cmocka_unit_test(soil_wets_while_its_pump_runs),
		cmocka_unit_test(a_relay_shows_its_state_in_a_file),
		cmocka_unit_test(air_is_warmer_in_the_afternoon),
		cmocka_unit_test(same_seed_same_farm_however_often_read),
		cmocka_unit_test(sensors_answer_after_a_delay),
		cmocka_unit_test(line_sensors_follow_the_relay),
	};

	return cmocka_run_group_tests_name("sim", tests, NULL, NULL);
}
