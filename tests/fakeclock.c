/* Test-only preload: the board's system clock as a test moves it. The
 * real time plus the seconds written in the file $FAKECLOCK_FILE (a
 * signed number, read again at every call) is what CLOCK_REALTIME,
 * time() and gettimeofday() answer; clock_settime() and settimeofday()
 * write that file instead of setting the machine's clock, as root too.
 * Used with LD_PRELOAD by tests/e2e/systemclock.sh, never by the station.
 * The monotonic clock is left alone, as NTP leaves it. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

static int (*real_gettime)(clockid_t, struct timespec *);

static int realtime_now(struct timespec *ts)
{
	if (!real_gettime)
		real_gettime = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT,
									   "clock_gettime");
	return real_gettime(CLOCK_REALTIME, ts);
}

static long long offset(void)
{
	const char *path = getenv("FAKECLOCK_FILE");
	long long s = 0;
	FILE *f;

	if (!path || !(f = fopen(path, "r")))
		return 0;
	if (fscanf(f, "%lld", &s) != 1)
		s = 0;
	fclose(f);
	return s;
}

static int set_offset(long long s)
{
	const char *path = getenv("FAKECLOCK_FILE");
	char tmp[4096];
	FILE *f;

	if (!path)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "%lld\n", s);
	if (fclose(f) != 0)
		return -1;
	return rename(tmp, path);
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	int rc;

	if (id != CLOCK_REALTIME && id != CLOCK_REALTIME_COARSE) {
		if (!real_gettime)
			real_gettime = (int (*)(clockid_t, struct timespec *))dlsym(
				RTLD_NEXT, "clock_gettime");
		return real_gettime(id, ts);
	}
	rc = realtime_now(ts);
	if (rc == 0)
		ts->tv_sec += (time_t)offset();
	return rc;
}

time_t time(time_t *t)
{
	struct timespec ts;
	time_t now;

	clock_gettime(CLOCK_REALTIME, &ts);
	now = ts.tv_sec;
	if (t)
		*t = now;
	return now;
}

int gettimeofday(struct timeval *tv, void *tz)
{
	struct timespec ts;

	(void)tz;
	clock_gettime(CLOCK_REALTIME, &ts);
	tv->tv_sec = ts.tv_sec;
	tv->tv_usec = ts.tv_nsec / 1000;
	return 0;
}

int clock_settime(clockid_t id, const struct timespec *ts)
{
	struct timespec real;

	if (id != CLOCK_REALTIME) {
		errno = EINVAL;
		return -1;
	}
	realtime_now(&real);
	if (set_offset((long long)ts->tv_sec - (long long)real.tv_sec) < 0) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

int settimeofday(const struct timeval *tv, const struct timezone *tz)
{
	struct timespec ts = { tv->tv_sec, tv->tv_usec * 1000 };

	(void)tz;
	return clock_settime(CLOCK_REALTIME, &ts);
}
