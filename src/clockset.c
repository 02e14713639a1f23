/* The station's clock checked at start-up, and set from the keypad. */
#include "clockset.h"

#include "app.h"
#include "clock.h"
#include "irrigation.h"
#include "readings.h"
#include "store.h"
#include "text.h"

#include <stdio.h>
#include <string.h>

static time_t newest_known(struct store *s)
{
	int64_t alive = 0, record = 0;

	store_last_alive(s, &alive);
	store_records_newest(s, &record);
	return (time_t)(record > alive ? record : alive);
}

bool clockset_behind(struct store *s, const struct clock *c, time_t *known)
{
	time_t now = clock_now(c);

	*known = newest_known(s);
	/* The simulator's clock is where it was told to start. */
	if (!clock_is_simulated(c) && clock_build_time() > *known)
		*known = clock_build_time();
	return now < *known;
}

int clockset_check(struct store *s, time_t t, char *why, size_t n)
{
	time_t known = newest_known(s);
	char a[32];

	if (t < known) {
		snprintf(why, n, _("%s is before the newest record (%s): check the date."),
			 text_date_time(a, sizeof(a), t), text_date_time(a, sizeof(a), known));
		return -1;
	}
	return 0;
}

char *clockset_duration(char *buf, size_t n, long long seconds)
{
	long long s = seconds < 0 ? -seconds : seconds;
	long long d = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60;
	char part[64];

	buf[0] = '\0';
	if (d) {
		snprintf(part, sizeof(part), ngettext("%lld day", "%lld days", (unsigned long)d), d);
		snprintf(buf + strlen(buf), n - strlen(buf), "%s", part);
	}
	if (h) {
		snprintf(part, sizeof(part), ngettext("%lld hour", "%lld hours", (unsigned long)h), h);
		snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", buf[0] ? " " : "", part);
	}
	if (m || !buf[0]) {
		snprintf(part, sizeof(part), ngettext("%lld minute", "%lld minutes", (unsigned long)m),
			 m);
		snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", buf[0] ? " " : "", part);
	}
	return buf;
}

int clockset_apply(struct app *app, time_t t, char *said, size_t n)
{
	time_t was = clock_now(app->clock);
	long long delta = (long long)t - (long long)was;
	char detail[160], a[32], d[96];
	struct tm tm;
	bool system;
	int rc;

	if (clockset_check(app->store, t, said, n) < 0)
		return -1;
	rc = clock_set(app->clock, (int64_t)t * 1000, &system);
	if (rc < 0) {
		snprintf(said, n, _("The clock could not be set: %s"), strerror(-rc));
		return -1;
	}
	localtime_r(&was, &tm);
	snprintf(detail, sizeof(detail), "was %04d-%02d-%02d %02d:%02d, %+lld s; %s",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, delta,
		 clock_is_simulated(app->clock) ? "the station's own clock"
		 : system ? "system clock set" : "system clock refused: kept by the station");
	store_event(app->store, t, "clock_set", NULL, detail, false);
	app->clock_behind = false;
	if (app->readings)
		readings_clock_set(app->readings, delta);
	if (app->irrigation)
		irrigation_clock_set(app->irrigation, delta);
	clockset_duration(d, sizeof(d), delta);
	snprintf(said, n, delta >= 0 ? _("Clock set to %s: it was %s behind.")
				     : _("Clock set to %s: it was %s ahead."),
		 text_date_time(a, sizeof(a), t), d);
	app_changed(app);
	return 0;
}
