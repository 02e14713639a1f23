/* A board without a real-time clock may boot with a date in the past. The
 * station then holds its logging and its schedules until the clock is
 * plausible again, while pumps still run by hand; the date typed on the
 * keypad is read back with its difference before it is set; setting the
 * clock before what the station wrote takes the manager and a reason;
 * and the event log keeps every jump, its old and new time. */
#ifndef FS_CLOCKSET_H
#define FS_CLOCKSET_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct app;
struct clock;
struct store;

/* clockset_check(): t is before what the station wrote. */
#define CLOCKSET_EARLIER 1

/* Why the manager sets the clock back, as the event log names it. */
enum clockset_reason { CLOCKSET_TYPO, CLOCKSET_BOARD, CLOCKSET_OTHER, CLOCKSET_REASONS };

/* Is the clock behind the newest moment in the database, or, on the
 * system clock, behind the day this program was built? *known: the
 * moment it must not be before. */
bool clockset_behind(struct store *s, const struct clock *c, time_t *known);
/* May the clock be set to t? 0; CLOCKSET_EARLIER with one sentence in
 * why (only the manager may, with a reason); -1 if the database could
 * not be read (err says so). */
int clockset_check(struct store *s, time_t t, char *err, size_t errlen);
/* How t differs from the clock, for the read-back: "365 days 5 minutes
 * ahead of the clock", in the user's language. */
char *clockset_difference(const struct clock *c, time_t t, char *buf, size_t n);
/* Sets the station's clock to t and tells the modules that held their
 * logging and schedules; the event log keeps the old and new time and
 * the difference. A time before what the station wrote needs the
 * manager's reason (checked by the caller, with the PIN); without one
 * (CLOCKSET_REASONS) it is refused. 0 with what was done in said; -1
 * with err. */
int clockset_apply(struct app *app, time_t t, enum clockset_reason reason, char *said,
		   size_t n);
/* Looks at the clock once a minute, on a timer of app->loop: a system
 * clock that jumped (NTP, GPS, an RTC, a technician's `date`) is
 * followed: runs keep their minutes and their diary moves with it,
 * readings waiting are re-dated, and the event log keeps the jump. A
 * clock that was behind and is plausible now releases logging and
 * schedules, and app->news says so; one that jumped back before what
 * the station wrote holds them. 0, or -1 if no timer could be made. */
int clockset_watch(struct app *app);
void clockset_unwatch(struct app *app);
/* What the timer does, once: 1 when a clock behind was released. */
int clockset_follow(struct app *app);

/* The reason as the manager picks it, in the user's language. */
const char *clockset_reason_label(enum clockset_reason reason);
/* "3 days 2 hours 5 minutes", in the user's language. */
char *clockset_duration(char *buf, size_t n, long long seconds);

#endif
