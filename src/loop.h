/* The station's one event loop: poll() over file descriptors, plus timers.
 * A timer callback returns its next delay in milliseconds, or LOOP_DONE. */
#ifndef FS_LOOP_H
#define FS_LOOP_H

#include <stdint.h>

#define LOOP_DONE (-1)

struct loop;
typedef void loop_fd_fn(void *data, int fd, short revents);
typedef int64_t loop_timer_fn(void *data);

struct loop *loop_new(void);
void loop_free(struct loop *l);

/* Watch fd for events (POLLIN...). One watch per fd; watching it again
 * replaces the events and the callback. 0 or -1 when the table is full. */
int loop_watch(struct loop *l, int fd, short events, loop_fd_fn *fn, void *data);
void loop_unwatch(struct loop *l, int fd);

/* Returns a timer id (> 0), or -1. Delays are real milliseconds. */
int loop_timer_add(struct loop *l, int64_t delay_ms, loop_timer_fn *fn, void *data);
/* Move a timer to fire after delay_ms from now. */
void loop_timer_set(struct loop *l, int id, int64_t delay_ms);
void loop_timer_del(struct loop *l, int id);

/* Waits at most max_wait_ms (-1: until something happens), then runs what
 * is ready. Returns 0, or -1 on a poll() failure other than EINTR. */
int loop_run_once(struct loop *l, int64_t max_wait_ms);
/* Runs until loop_quit(). */
int loop_run(struct loop *l);
void loop_quit(struct loop *l);

/* How often the loop has woken up since it was made (for the benchmark). */
uint64_t loop_wakeups(const struct loop *l);

#endif
