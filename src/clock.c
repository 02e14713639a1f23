/* System, simulated and manual clocks behind one small interface. */
#include "clock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum clock_kind { CLOCK_SYSTEM, CLOCK_SIM, CLOCK_MANUAL };

struct clock {
	enum clock_kind kind;
	int64_t start_ms;	/* station time at mono_start (sim, manual) */
	int64_t mono_start;
	double speed;
	int64_t offset_ms;	/* system: what the system would not be set to */
};

int64_t clock_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct clock *clock_alloc(enum clock_kind kind, time_t start, double speed)
{
	struct clock *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->kind = kind;
	c->start_ms = (int64_t)start * 1000;
	c->mono_start = clock_mono_ms();
	c->speed = speed;
	return c;
}

struct clock *clock_new_system(void)
{
	return clock_alloc(CLOCK_SYSTEM, 0, 1.0);
}

struct clock *clock_new_sim(time_t start, double speed)
{
	if (!(speed > 0))
		return NULL;
	return clock_alloc(CLOCK_SIM, start, speed);
}

struct clock *clock_new_manual(time_t start)
{
	return clock_alloc(CLOCK_MANUAL, start, 1.0);
}

void clock_free(struct clock *c)
{
	free(c);
}

int64_t clock_now_ms(const struct clock *c)
{
	struct timespec ts;

	switch (c->kind) {
	case CLOCK_SYSTEM:
		clock_gettime(CLOCK_REALTIME, &ts);
		return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + c->offset_ms;
	case CLOCK_SIM:
		return c->start_ms +
		       (int64_t)((double)(clock_mono_ms() - c->mono_start) * c->speed);
	case CLOCK_MANUAL:
		return c->start_ms;
	}
	return 0;
}

time_t clock_now(const struct clock *c)
{
	int64_t ms = clock_now_ms(c);

	return (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
}

bool clock_is_simulated(const struct clock *c)
{
	return c->kind != CLOCK_SYSTEM;
}

double clock_speed(const struct clock *c)
{
	return c->speed;
}

void clock_advance(struct clock *c, int64_t ms)
{
	if (c->kind == CLOCK_MANUAL)
		c->start_ms += ms;
}

int clock_set(struct clock *c, int64_t t_ms, bool *system)
{
	struct timespec ts;

	*system = false;
	if (c->kind != CLOCK_SYSTEM) {
		c->start_ms = t_ms;
		c->mono_start = clock_mono_ms();
		return 0;
	}
	ts.tv_sec = (time_t)(t_ms / 1000);
	ts.tv_nsec = (long)(t_ms % 1000) * 1000000;
	if (clock_settime(CLOCK_REALTIME, &ts) == 0) {
		c->offset_ms = 0;
		*system = true;
		return 0;
	}
	if (errno != EPERM && errno != EACCES)
		return -errno;
	c->offset_ms = 0;
	c->offset_ms = t_ms - clock_now_ms(c);
	return 0;
}

time_t clock_build_time(void)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	const char *date = __DATE__;	/* "Nov 26 2026" */
	struct tm tm = { 0 };
	char mon[4] = "";
	const char *m;

	if (sscanf(date, "%3s %d %d", mon, &tm.tm_mday, &tm.tm_year) != 3)
		return 0;
	m = strstr(months, mon);
	if (!m)
		return 0;
	tm.tm_mon = (int)(m - months) / 3;
	tm.tm_year -= 1900;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

int64_t clock_real_ms_until(const struct clock *c, int64_t t_ms)
{
	int64_t d = t_ms - clock_now_ms(c);

	if (d <= 0)
		return 0;
	/* Round up, so that a timer never fires just before its moment. */
	return (int64_t)((double)d / c->speed + 0.999);
}

int clock_parse(const char *s, time_t *out)
{
	struct tm tm = { 0 };
	int y, mo, d, h, mi, n = 0;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5 ||
	    s[n] != '\0' || strlen(s) != 16)
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_isdst = -1;
	*out = mktime(&tm);
	/* mktime normalises 31/02 into March: refuse dates that moved. */
	if (tm.tm_mday != d || tm.tm_mon != mo - 1)
		return -1;
	return 0;
}
