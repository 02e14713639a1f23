/* The poll loop: timers in order, repeating and stopping; file
 * descriptors; callbacks that change the tables they are called from. */
#include "testlib.h"

#include "loop.h"

#include <poll.h>
#include <time.h>

struct count {
	int fired;
	int64_t repeat;		/* what the callback returns */
	int order;
	int *seq;
};

static int64_t on_timer(void *data)
{
	struct count *c = data;

	c->fired++;
	if (c->seq)
		c->order = ++*c->seq;
	return c->repeat;
}

static void timers_fire_in_order_and_stop(void **state)
{
	struct loop *l = loop_new();
	int seq = 0;
	struct count a = { .repeat = LOOP_DONE, .seq = &seq }, b = { .repeat = LOOP_DONE, .seq = &seq };

	(void)state;
	loop_timer_add(l, 20, on_timer, &a);
	loop_timer_add(l, 5, on_timer, &b);
	/* A stall (a slow card, a loaded board): both are due by the time
	 * the loop looks, and the one due first still runs first, though
	 * the other has the earlier slot. */
	nanosleep(&(struct timespec){ 0, 30 * 1000000 }, NULL);
	assert_int_equal(loop_run_once(l, 0), 0);
	assert_int_equal(a.fired, 1);
	assert_int_equal(b.fired, 1);
	assert_int_equal(b.order, 1);
	assert_int_equal(a.order, 2);
	/* Done timers are gone: nothing is left to wake for. */
	assert_int_equal(loop_run_once(l, 0), 0);
	assert_int_equal(a.fired, 1);
	assert_int_equal(b.fired, 1);
	loop_free(l);
}

static void repeating_and_deleted_timers(void **state)
{
	struct loop *l = loop_new();
	struct count rep = { .repeat = 0 }, gone = { .repeat = 0 };
	int id;

	(void)state;
	loop_timer_add(l, 0, on_timer, &rep);
	id = loop_timer_add(l, 0, on_timer, &gone);
	loop_timer_del(l, id);
	for (int i = 0; i < 3; i++)
		loop_run_once(l, 0);
	assert_int_equal(rep.fired, 3);
	assert_int_equal(gone.fired, 0);
	loop_free(l);
}

struct reader {
	struct loop *l;
	char got[16];
	int n;
};

static void on_readable(void *data, int fd, short revents)
{
	struct reader *r = data;

	assert_true(revents & POLLIN);
	r->n += (int)read(fd, r->got + r->n, sizeof(r->got) - 1 - (size_t)r->n);
	/* Unwatching itself from its own callback is allowed. */
	loop_unwatch(r->l, fd);
}

static void file_descriptors(void **state)
{
	struct loop *l = loop_new();
	struct reader r = { .l = l };
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(loop_watch(l, p[0], POLLIN, on_readable, &r), 0);
	/* Nothing to read: the wait times out. */
	assert_int_equal(loop_run_once(l, 10), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(write(p[1], "12", 2), 2);
	assert_int_equal(loop_run_once(l, 1000), 0);
	assert_string_equal(r.got, "12");
	/* Unwatched: more bytes are not read. */
	assert_int_equal(write(p[1], "3", 1), 1);
	assert_int_equal(loop_run_once(l, 10), 0);
	assert_int_equal(r.n, 2);
	close(p[0]);
	close(p[1]);
	loop_free(l);
}

static int64_t quit_now(void *data)
{
	loop_quit(data);
	return LOOP_DONE;
}

static void run_until_quit(void **state)
{
	struct loop *l = loop_new();

	(void)state;
	loop_timer_add(l, 1, quit_now, l);
	assert_int_equal(loop_run(l), 0);
	assert_true(loop_wakeups(l) >= 1);
	loop_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(timers_fire_in_order_and_stop),
		cmocka_unit_test(repeating_and_deleted_timers),
		cmocka_unit_test(file_descriptors),
		cmocka_unit_test(run_until_quit),
	};

	return cmocka_run_group_tests_name("loop", tests, NULL, NULL);
}
