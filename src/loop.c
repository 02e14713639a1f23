/* poll() over a small table of file descriptors and timers. The wait is
 * as long as the nearest timer allows, so an idle station sleeps. */
#include "loop.h"

#include "clock.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>

#define LOOP_MAX_FDS 32
#define LOOP_MAX_TIMERS 32

struct loop_watch {
	loop_fd_fn *fn;
	void *data;
};

struct loop_timer {
	int id;			/* 0: free slot */
	int64_t due;		/* monotonic ms */
	loop_timer_fn *fn;
	void *data;
};

struct loop {
	struct pollfd pfd[LOOP_MAX_FDS];
	struct loop_watch watch[LOOP_MAX_FDS];
	int nfds;
	struct loop_timer timers[LOOP_MAX_TIMERS];
	int next_id;
	bool quit;
	uint64_t wakeups;
};

struct loop *loop_new(void)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (l)
		l->next_id = 1;
	return l;
}

void loop_free(struct loop *l)
{
	free(l);
}

static int find_fd(const struct loop *l, int fd)
{
	for (int i = 0; i < l->nfds; i++)
		if (l->pfd[i].fd == fd)
			return i;
	return -1;
}

int loop_watch(struct loop *l, int fd, short events, loop_fd_fn *fn, void *data)
{
	int i = find_fd(l, fd);

	if (i < 0) {
		if (l->nfds == LOOP_MAX_FDS)
			return -1;
		i = l->nfds++;
	}
	l->pfd[i] = (struct pollfd){ .fd = fd, .events = events };
	l->watch[i] = (struct loop_watch){ fn, data };
	return 0;
}

void loop_unwatch(struct loop *l, int fd)
{
	int i = find_fd(l, fd);

	if (i < 0)
		return;
	l->nfds--;
	l->pfd[i] = l->pfd[l->nfds];
	l->watch[i] = l->watch[l->nfds];
}

static struct loop_timer *find_timer(struct loop *l, int id)
{
	for (int i = 0; i < LOOP_MAX_TIMERS; i++)
		if (id > 0 && l->timers[i].id == id)
			return &l->timers[i];
	return NULL;
}

int loop_timer_add(struct loop *l, int64_t delay_ms, loop_timer_fn *fn, void *data)
{
	struct loop_timer *t = NULL;

	for (int i = 0; i < LOOP_MAX_TIMERS && !t; i++)
		if (l->timers[i].id == 0)
			t = &l->timers[i];
	if (!t)
		return -1;
	*t = (struct loop_timer){ l->next_id++, clock_mono_ms() + delay_ms, fn, data };
	return t->id;
}

void loop_timer_set(struct loop *l, int id, int64_t delay_ms)
{
	struct loop_timer *t = find_timer(l, id);

	if (t)
		t->due = clock_mono_ms() + (delay_ms > 0 ? delay_ms : 0);
}

void loop_timer_del(struct loop *l, int id)
{
	struct loop_timer *t = find_timer(l, id);

	if (t)
		t->id = 0;
}

static int64_t nearest_due(const struct loop *l)
{
	int64_t due = -1;

	for (int i = 0; i < LOOP_MAX_TIMERS; i++)
		if (l->timers[i].id && (due < 0 || l->timers[i].due < due))
			due = l->timers[i].due;
	return due;
}

/* Ids grow with each timer added: the older of two due together first. */
static bool falls_due_after(const struct loop_timer *a, const struct loop_timer *b)
{
	return a->due > b->due || (a->due == b->due && a->id > b->id);
}

/* The timers due now, in the order they fell due (the older first when
 * two fell due together), each once: after a stall, a timer due at 5 ms
 * still runs before one due at 20 ms, whichever slot either has. */
static void run_timers(struct loop *l)
{
	int64_t now = clock_mono_ms();
	struct loop_timer *due[LOOP_MAX_TIMERS];
	int ids[LOOP_MAX_TIMERS], n = 0;

	for (int i = 0; i < LOOP_MAX_TIMERS; i++) {
		struct loop_timer *t = &l->timers[i];
		int k;

		if (!t->id || t->due > now)
			continue;
		for (k = n++; k > 0 && falls_due_after(due[k - 1], t); k--) {
			due[k] = due[k - 1];
			ids[k] = ids[k - 1];
		}
		due[k] = t;
		ids[k] = t->id;
	}
	for (int k = 0; k < n; k++) {
		struct loop_timer *t = due[k];
		int64_t next;

		/* An earlier callback may have deleted or moved this timer. */
		if (t->id != ids[k] || t->due > now)
			continue;
		next = t->fn(t->data);
		/* The callback may have deleted or moved its own timer. */
		if (t->id != ids[k] || t->due > now)
			continue;
		if (next < 0)
			t->id = 0;
		else
			t->due = now + next;
	}
}

int loop_run_once(struct loop *l, int64_t max_wait_ms)
{
	int64_t due = nearest_due(l);
	int64_t wait = max_wait_ms;
	struct pollfd pfd[LOOP_MAX_FDS];
	int nfds = l->nfds, n;

	if (due >= 0) {
		int64_t until = due - clock_mono_ms();

		if (until < 0)
			until = 0;
		if (wait < 0 || until < wait)
			wait = until;
	}
	for (int i = 0; i < nfds; i++)
		pfd[i] = l->pfd[i];
	n = poll(pfd, (nfds_t)nfds, wait > INT32_MAX ? INT32_MAX : (int)wait);
	l->wakeups++;
	if (n < 0 && errno != EINTR)
		return -1;
	for (int i = 0; n > 0 && i < nfds; i++) {
		int j;

		if (!pfd[i].revents)
			continue;
		/* A callback may have unwatched fds: look each one up again. */
		j = find_fd(l, pfd[i].fd);
		if (j >= 0)
			l->watch[j].fn(l->watch[j].data, pfd[i].fd, pfd[i].revents);
	}
	run_timers(l);
	return 0;
}

int loop_run(struct loop *l)
{
	l->quit = false;
	while (!l->quit)
		if (loop_run_once(l, -1) < 0)
			return -1;
	return 0;
}

void loop_quit(struct loop *l)
{
	l->quit = true;
}

uint64_t loop_wakeups(const struct loop *l)
{
	return l->wakeups;
}
