/* The station clock: parsing --clock, simulated speed, manual time. */
#include "testlib.h"

#include "clock.h"

#include <errno.h>
#include <time.h>

static time_t local(int y, int mo, int d, int h, int mi)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
			 .tm_min = mi, .tm_isdst = -1 };

	return mktime(&tm);
}

static void parses_clock_argument(void **state)
{
	time_t t;

	(void)state;
	assert_int_equal(clock_parse("2026-06-01T05:30", &t), 0);
	assert_int_equal(t, local(2026, 6, 1, 5, 30));
	assert_int_equal(clock_parse("2026-02-31T05:30", &t), -1);	/* no such day */
	assert_int_equal(clock_parse("2026-06-01 05:30", &t), -1);
	assert_int_equal(clock_parse("2026-06-01T25:00", &t), -1);
	assert_int_equal(clock_parse("2026-06-01T05:30x", &t), -1);
	assert_int_equal(clock_parse("01/06/2026", &t), -1);
	assert_int_equal(clock_parse("", &t), -1);
}

/* The real time as the station reads it: time() may read a coarser
 * clock, a tick behind near a second's change. */
static time_t real_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

static void system_clock_is_the_real_time(void **state)
{
	struct clock *c = clock_new_system();
	time_t t0 = real_now(), now = clock_now(c), t1 = real_now();
	int64_t m0, m1, real;

	(void)state;
	assert_false(clock_is_simulated(c));
	assert_in_range(now, t0, t1);
	/* A minute of station time is a minute of real time, less what
	 * passed between the two reads (measured: a loaded machine or
	 * valgrind may take long). */
	m0 = clock_mono_ms();
	real = clock_real_ms_until(c, clock_now_ms(c) + 60000);
	m1 = clock_mono_ms();
	assert_in_range(real, 60000 - (m1 - m0) - 1, 60000);
	clock_free(c);
}

static void simulated_clock_starts_where_told_and_runs_fast(void **state)
{
	time_t start = local(2026, 6, 1, 5, 0);
	int64_t m0 = clock_mono_ms(), m1, t, real;
	struct clock *c = clock_new_sim(start, 600);

	(void)state;
	assert_true(clock_is_simulated(c));
	/* It starts where told and runs 600 times faster than the real
	 * time measured since (a station second is 1.7 ms of it). */
	t = clock_now_ms(c);
	m1 = clock_mono_ms();
	assert_in_range(t - (int64_t)start * 1000, 0, (m1 - m0) * 600);
	/* A station minute at 600 times speed is 100 ms of real time, less
	 * what passed between the two reads. */
	m0 = clock_mono_ms();
	real = clock_real_ms_until(c, clock_now_ms(c) + 60000);
	m1 = clock_mono_ms();
	assert_in_range(real, 100 - (m1 - m0) - 1, 100);
	assert_int_equal(clock_real_ms_until(c, clock_now_ms(c) - 1000), 0);
	assert_null(clock_new_sim(start, 0));
	assert_null(clock_new_sim(start, -2));
	clock_free(c);
}

static void manual_clock_moves_only_when_told(void **state)
{
	time_t start = local(2026, 6, 1, 5, 0);
	struct clock *c = clock_new_manual(start);

	(void)state;
	assert_int_equal(clock_now(c), start);
	clock_advance(c, 90 * 1000);
	assert_int_equal(clock_now(c), start + 90);
	assert_int_equal(clock_real_ms_until(c, (int64_t)(start + 150) * 1000), 60000);
	clock_free(c);
}

/* Set from the keypad: the simulator's clock is the station's own and
 * jumps there, keeping its speed. (The system clock is never set here:
 * that would move the test machine's time.) */
static void a_station_clock_is_set_where_told(void **state)
{
	struct clock *c = clock_new_sim(1780246800, 60);
	struct clock *m = clock_new_manual(1780246800);
	bool system = true;
	int64_t m0, m1, t;

	(void)state;
	m0 = clock_mono_ms();
	assert_int_equal(clock_set(c, 1790000000000LL, &system), 0);
	t = clock_now_ms(c);
	m1 = clock_mono_ms();
	assert_false(system);
	assert_in_range(t - 1790000000000LL, 0, (m1 - m0) * 60);
	assert_int_equal(clock_speed(c), 60);
	assert_int_equal(clock_set(m, 1780250000000LL, &system), 0);
	assert_int_equal(clock_now(m), 1780250000);
	clock_free(c);
	clock_free(m);
}

/* A system clock that a test moves, as NTP or `date` would; setting it
 * moves only this, never the machine's clock. */
struct fake_system {
	int64_t now_ms;
	int refuse;		/* -errno for clock_settime, 0 to let it */
};

static int64_t fake_now(void *ctx)
{
	return ((struct fake_system *)ctx)->now_ms;
}

static int fake_set(void *ctx, int64_t t_ms)
{
	struct fake_system *f = ctx;

	if (f->refuse)
		return f->refuse;
	f->now_ms = t_ms;
	return 0;
}

/* Steady time runs with the clock but never jumps with the date. */
static void steady_time_ignores_the_date(void **state)
{
	struct clock *m = clock_new_manual(local(2026, 6, 1, 5, 0));
	bool system;

	(void)state;
	assert_int_equal(clock_steady_ms(m), 0);
	clock_advance(m, 90 * 1000);
	assert_int_equal(clock_steady_ms(m), 90000);
	assert_int_equal(clock_set(m, (int64_t)local(2027, 6, 1, 5, 0) * 1000, &system), 0);
	assert_int_equal(clock_steady_ms(m), 90000);
	assert_int_equal(clock_jumped_ms(m), 0);	/* the station's own: set, not jumped */
	clock_free(m);
}

/* The system clock set by someone else is seen, once; drift is not. */
static void a_system_clock_jump_is_seen(void **state)
{
	struct fake_system f = { (int64_t)local(1970, 1, 2, 7, 0) * 1000, 0 };
	struct clock_source src = { fake_now, fake_set, &f };
	struct clock *c = clock_new_system_from(&src);
	bool system;
	int64_t m0, m1;

	(void)state;
	assert_false(clock_is_simulated(c));
	assert_int_equal(clock_now(c), local(1970, 1, 2, 7, 0));
	assert_int_equal(clock_jumped_ms(c), 0);
	f.now_ms += 1500;	/* drift, or NTP slewing */
	m0 = clock_mono_ms();
	assert_int_equal(clock_jumped_ms(c), 0);
	f.now_ms = (int64_t)local(2026, 6, 1, 5, 0) * 1000;	/* NTP at last */
	int64_t jump = clock_jumped_ms(c);
	m1 = clock_mono_ms();
	/* This fake clock stands still: the real time that passed between
	 * the two looks (measured) counts against the jump. */
	int64_t want = ((int64_t)local(2026, 6, 1, 5, 0) - local(1970, 1, 2, 7, 0)) * 1000 - 1500;
	assert_in_range(jump, want - (m1 - m0), want);
	assert_int_equal(clock_jumped_ms(c), 0);	/* seen once */
	/* Set from the keypad, the system takes it: not a jump either. */
	assert_int_equal(clock_set(c, (int64_t)local(2026, 6, 1, 6, 0) * 1000, &system), 0);
	assert_true(system);
	assert_int_equal(f.now_ms, (int64_t)local(2026, 6, 1, 6, 0) * 1000);
	assert_int_equal(clock_jumped_ms(c), 0);
	clock_free(c);
}

/* Without the right to set the board's clock the station keeps the
 * difference; once the board's clock is set by someone (NTP), that
 * difference is dropped and counted in the jump. */
static void the_station_follows_a_system_clock_set_later(void **state)
{
	struct fake_system f = { (int64_t)local(1970, 1, 2, 7, 0) * 1000, -EPERM };
	struct clock_source src = { fake_now, fake_set, &f };
	int64_t m0 = clock_mono_ms(), m1, jump;
	struct clock *c = clock_new_system_from(&src);
	bool system = true;

	(void)state;
	assert_int_equal(clock_set(c, (int64_t)local(2026, 6, 1, 5, 0) * 1000, &system), 0);
	assert_false(system);
	assert_int_equal(clock_now(c), local(2026, 6, 1, 5, 0));
	f.now_ms = (int64_t)local(2026, 6, 1, 5, 10) * 1000;
	jump = clock_jumped_ms(c);
	m1 = clock_mono_ms();
	assert_in_range(jump, 600000 - (m1 - m0), 600000);
	assert_int_equal(clock_now(c), local(2026, 6, 1, 5, 10));
	f.refuse = -EIO;
	assert_int_equal(clock_set(c, 0, &system), -EIO);
	clock_free(c);
}

/* The build's date: a day in the past, not in the future. */
static void the_build_date_is_a_real_day(void **state)
{
	time_t built = clock_build_time();

	(void)state;
	assert_true(built > 1767225600);	/* 2026-01-01 */
	assert_true(built <= time(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_clock_argument),
		cmocka_unit_test(system_clock_is_the_real_time),
		cmocka_unit_test(simulated_clock_starts_where_told_and_runs_fast),
		cmocka_unit_test(manual_clock_moves_only_when_told),
		cmocka_unit_test(a_station_clock_is_set_where_told),
		cmocka_unit_test(the_build_date_is_a_real_day),
		cmocka_unit_test(steady_time_ignores_the_date),
		cmocka_unit_test(a_system_clock_jump_is_seen),
		cmocka_unit_test(the_station_follows_a_system_clock_set_later),
	};

	return cmocka_run_group_tests_name("clock", tests, NULL, NULL);
}
