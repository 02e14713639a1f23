/* A board without a real-time clock may boot with a date in the past. The
 * station then asks for the date and time on the keypad before it logs or
 * waters by schedule, and records that the clock was set and by how much,
 * so that no record is dated before its predecessor without a word. */
#ifndef FS_CLOCKSET_H
#define FS_CLOCKSET_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct app;
struct clock;
struct store;

/* Is the clock behind the newest moment in the database, or, on the
 * system clock, behind the day this program was built? *known: the
 * moment it must not be before. */
bool clockset_behind(struct store *s, const struct clock *c, time_t *known);
/* May the clock be set to t? 0, or -1 with one sentence in why. */
int clockset_check(struct store *s, time_t t, char *why, size_t n);
/* Sets the station's clock to t and tells the modules that held their
 * logging and schedules; the event log keeps the old time and the
 * difference. 0 with what was done in said; -1 with why. */
int clockset_apply(struct app *app, time_t t, char *said, size_t n);
/* "3 days 2 hours 5 minutes", in the user's language. */
char *clockset_duration(char *buf, size_t n, long long seconds);

#endif
