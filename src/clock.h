/* The station's clock: the system clock on hardware; on the simulator a
 * clock that starts where it is told and may run many times faster. All
 * station times are milliseconds or seconds since the Unix epoch. */
#ifndef FS_CLOCK_H
#define FS_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct clock;

/* Where a system clock reads and sets the time: the board's real-time
 * clock (CLOCK_REALTIME) for the station; a test's own for tests, which
 * must never set the machine's clock. */
struct clock_source {
	int64_t (*now_ms)(void *ctx);
	int (*set_ms)(void *ctx, int64_t t_ms);	/* 0 or -errno */
	void *ctx;
};

/* A system clock's jump smaller than this is drift, followed silently. */
#define CLOCK_JUMP_MS 2000

/* Each returns a clock the caller frees with clock_free(), or NULL. */
struct clock *clock_new_system(void);
/* A system clock read from src (copied). */
struct clock *clock_new_system_from(const struct clock_source *src);
struct clock *clock_new_sim(time_t start, double speed);
/* A clock that moves only when clock_advance() moves it (tests). */
struct clock *clock_new_manual(time_t start);
void clock_free(struct clock *c);

int64_t clock_now_ms(const struct clock *c);
time_t clock_now(const struct clock *c);
bool clock_is_simulated(const struct clock *c);
double clock_speed(const struct clock *c);
void clock_advance(struct clock *c, int64_t ms);

/* Milliseconds of station time since the clock was made, at the
 * clock's speed, moved by nothing else: not by clock_set(), nor by the
 * system clock's jumps. What a pump's run is timed by, so that every run
 * ends after its minutes whatever happens to the date. clock_advance()
 * moves it (time passing, for tests). */
int64_t clock_steady_ms(const struct clock *c);
/* How far the system clock jumped since the last look (NTP, GPS, an RTC
 * read late, a technician's `date`), in milliseconds; 0 for a drift
 * under CLOCK_JUMP_MS, and always for the simulated and manual clocks,
 * which move only by clock_set(). A jump means the system clock was set
 * by someone: a difference the station kept itself (clock_set() refused
 * by the system) is dropped, and counted in the jump. */
int64_t clock_jumped_ms(struct clock *c);

/* Sets the station's time to t_ms. A simulated or manual clock is the
 * station's own and simply moves. The system clock is set for the whole
 * board (clock_settime, which needs root); when the system refuses, the
 * station keeps the difference itself and *system says so (false).
 * 0, or -errno when nothing could be done. */
int clock_set(struct clock *c, int64_t t_ms, bool *system);
/* When this program was built (its __DATE__, 00:00 local time): a board
 * without a real-time clock that boots before it is surely wrong. */
time_t clock_build_time(void);

/* Real milliseconds until the station clock shows t_ms; 0 if it already
 * does. What timers are set with, so that they follow a fast clock. */
int64_t clock_real_ms_until(const struct clock *c, int64_t t_ms);

/* "YYYY-MM-DDTHH:MM" (local time) -> seconds; 0 or -1 if malformed. */
int clock_parse(const char *s, time_t *out);

/* Monotonic milliseconds, for timeouts that have nothing to do with
 * the station's idea of the date. */
int64_t clock_mono_ms(void);

#endif
