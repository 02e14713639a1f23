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
	int64_t mono_made;	/* when the clock was made (steady time) */
	int64_t steady_ms;	/* manual: what clock_advance() added */
	double speed;
	struct clock_source src;	/* system */
	int64_t offset_ms;	/* system: what the system would not be set to */
	int64_t system_base;	/* system: its time less the monotonic, last seen */
};

int64_t clock_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t realtime_now(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int realtime_set(void *ctx, int64_t t_ms)
{
	struct timespec ts = { .tv_sec = (time_t)(t_ms / 1000), .tv_nsec = (long)(t_ms % 1000) * 1000000 };

	(void)ctx;
	return clock_settime(CLOCK_REALTIME, &ts) == 0 ? 0 : -errno;
}

static struct clock *clock_alloc(enum clock_kind kind, time_t start, double speed)
{
	struct clock *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->kind = kind;
	c->start_ms = (int64_t)start * 1000;
	c->mono_start = c->mono_made = clock_mono_ms();
	c->speed = speed;
	return c;
}

struct clock *clock_new_system_from(const struct clock_source *src)
{
	struct clock *c = clock_alloc(CLOCK_SYSTEM, 0, 1.0);

	if (!c)
		return NULL;
	c->src = *src;
	c->system_base = c->src.now_ms(c->src.ctx) - clock_mono_ms();
	return c;
}

struct clock *clock_new_system(void)
{
	static const struct clock_source realtime = { realtime_now, realtime_set, NULL };

	return clock_new_system_from(&realtime);
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
	switch (c->kind) {
	case CLOCK_SYSTEM:
		return c->src.now_ms(c->src.ctx) + c->offset_ms;
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
	if (c->kind == CLOCK_MANUAL) {
		c->start_ms += ms;
		c->steady_ms += ms;
	}
}

int64_t clock_steady_ms(const struct clock *c)
{
	switch (c->kind) {
	case CLOCK_SYSTEM:
		return clock_mono_ms() - c->mono_made;
	case CLOCK_SIM:
		return (int64_t)((double)(clock_mono_ms() - c->mono_made) * c->speed);
	case CLOCK_MANUAL:
		return c->steady_ms;
	}
	return 0;
}

int64_t clock_jumped_ms(struct clock *c)
{
	int64_t base, jump;

	if (c->kind != CLOCK_SYSTEM)
		return 0;
	base = c->src.now_ms(c->src.ctx) - clock_mono_ms();
	jump = base - c->system_base;
	c->system_base = base;
	if (jump > -CLOCK_JUMP_MS && jump < CLOCK_JUMP_MS)
		return 0;
	jump -= c->offset_ms;
	c->offset_ms = 0;
	return jump;
}

int clock_set(struct clock *c, int64_t t_ms, bool *system)
{
	int rc;

	*system = false;
	if (c->kind != CLOCK_SYSTEM) {
		c->start_ms = t_ms;
		c->mono_start = clock_mono_ms();
		return 0;
	}
	rc = c->src.set_ms(c->src.ctx, t_ms);
	if (rc == 0) {
		c->offset_ms = 0;
		/* Our own setting is not a jump to follow. */
		c->system_base = c->src.now_ms(c->src.ctx) - clock_mono_ms();
		*system = true;
		return 0;
	}
	if (rc != -EPERM && rc != -EACCES)
		return rc;
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
