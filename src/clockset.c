/* The station's clock checked at start-up, and set from the keypad. */
#include "clockset.h"

#include "app.h"
#include "clock.h"
#include "irrigation.h"
#include "loop.h"
#include "readings.h"
#include "store.h"
#include "text.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *id;		/* in the event log */
	const char *label;	/* msgid */
} reasons[CLOCKSET_REASONS] = {
	[CLOCKSET_TYPO] = { "typo", N_("A wrong date was typed before") },
	[CLOCKSET_BOARD] = { "board_clock", N_("The board's clock was wrong") },
	[CLOCKSET_OTHER] = { "other", N_("Another reason") },
};

const char *clockset_reason_label(enum clockset_reason reason)
{
	return reason < CLOCKSET_REASONS ? _(reasons[reason].label) : "";
}

bool clockset_behind(struct store *s, const struct clock *c, time_t *known)
{
	time_t now = clock_now(c);
	int64_t newest = 0;

	store_newest_moment(s, &newest);
	*known = (time_t)newest;
	/* The simulator's clock is where it was told to start. */
	if (!clock_is_simulated(c) && clock_build_time() > *known)
		*known = clock_build_time();
	return now < *known;
}

int clockset_check(struct store *s, time_t t, char *err, size_t errlen)
{
	int64_t newest = 0;
	char a[32];

	if (store_newest_moment(s, &newest) < 0) {
		snprintf(err, errlen, _("The station's records could not be read: %s"), store_error(s));
		return -1;
	}
	if (t < newest) {
		snprintf(err, errlen,
			 _("Before the newest record (%s): setting the clock back takes the manager's PIN and a reason."),
			 text_date_time(a, sizeof(a), (time_t)newest));
		return CLOCKSET_EARLIER;
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

/* What is typed is whole minutes: the clock's seconds are not news. */
static long long whole_minutes(long long seconds)
{
	return (seconds >= 0 ? seconds + 30 : seconds - 30) / 60;
}

char *clockset_difference(const struct clock *c, time_t t, char *buf, size_t n)
{
	long long minutes = whole_minutes((long long)t - (long long)clock_now(c));
	char d[96];

	if (minutes == 0) {
		snprintf(buf, n, "%s", _("the same as the clock"));
		return buf;
	}
	clockset_duration(d, sizeof(d), minutes * 60);
	snprintf(buf, n, minutes > 0 ? _("%s ahead of the clock") : _("%s behind the clock"), d);
	return buf;
}

/* "2026-06-02 09:05", for the event log. */
static char *iso_minute(char *buf, size_t n, time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	snprintf(buf, n, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min);
	return buf;
}

/* What the event log says of a jump: "was ..., now ..., +N s". */
static void jump_detail(char *buf, size_t n, time_t was, time_t now)
{
	char from[64], to[64];

	snprintf(buf, n, "was %s, now %s, %+lld s", iso_minute(from, sizeof(from), was),
		 iso_minute(to, sizeof(to), now), (long long)now - (long long)was);
}

/* What the manager declared wrong: from the new time up to the newest
 * moment that a wrong clock wrote (or shows now). */
static int mark_wrong_span(struct app *app, time_t t, time_t was)
{
	int64_t newest = 0, after, until;

	if (store_newest_moment(app->store, &newest) < 0)
		return -1;
	store_clock_wrong_span(app->store, &after, &until);
	if (after == INT64_MAX || until < newest)
		until = newest;
	if (until < was)
		until = was;
	return store_clock_wrong_set(app->store, t, until);
}

int clockset_apply(struct app *app, time_t t, enum clockset_reason reason, char *said, size_t n)
{
	time_t was = clock_now(app->clock);
	long long delta = (long long)t - (long long)was;
	char detail[320], a[32], d[96], jump[160];
	bool system, back;
	int rc;

	rc = clockset_check(app->store, t, said, n);
	if (rc < 0 || (rc == CLOCKSET_EARLIER && reason >= CLOCKSET_REASONS))
		return -1;
	back = rc == CLOCKSET_EARLIER;
	/* Before the clock moves: a restart must not find it behind again. */
	if (back && mark_wrong_span(app, t, was) < 0) {
		snprintf(said, n, _("The clock could not be set: %s"), store_error(app->store));
		return -1;
	}
	rc = clock_set(app->clock, (int64_t)t * 1000, &system);
	if (rc < 0) {
		snprintf(said, n, _("The clock could not be set: %s"), strerror(-rc));
		return -1;
	}
	jump_detail(jump, sizeof(jump), was, t);
	snprintf(detail, sizeof(detail), "%s; %s%s%s", jump,
		 clock_is_simulated(app->clock) ? "the station's own clock"
		 : system ? "system clock set" : "system clock refused: kept by the station",
		 back ? "; by the manager, reason: " : "", back ? reasons[reason].id : "");
	store_event(app->store, t, back ? "clock_back" : "clock_set", NULL, detail, false);
	app->clock_behind = false;
	if (app->readings)
		readings_clock_set(app->readings, delta);
	if (app->irrigation)
		irrigation_clock_set(app->irrigation, delta);
	clockset_duration(d, sizeof(d), whole_minutes(delta) * 60);
	snprintf(said, n, delta >= 0 ? _("Clock set to %s: it was %s behind.")
				     : _("Clock set to %s: it was %s ahead."),
		 text_date_time(a, sizeof(a), t), d);
	app_changed(app);
	return 0;
}

int clockset_follow(struct app *app)
{
	int64_t ms = clock_jumped_ms(app->clock);
	long long jump = (ms >= 0 ? ms + 500 : ms - 500) / 1000;
	time_t now = clock_now(app->clock), known;
	bool was_behind = app->clock_behind, released;
	char detail[256], a[64];

	if (!jump && !was_behind)
		return 0;
	app->clock_behind = clockset_behind(app->store, app->clock, &known);
	released = was_behind && !app->clock_behind;
	if (jump) {
		jump_detail(detail, sizeof(detail), (time_t)(now - jump), now);
		snprintf(detail + strlen(detail), sizeof(detail) - strlen(detail),
			 "; the system clock moved%s",
			 app->clock_behind ? ", behind what the station wrote" : "");
	} else if (released) {
		snprintf(detail, sizeof(detail), "now %s; the clock passed what the station wrote",
			 iso_minute(a, sizeof(a), now));
	} else {
		return 0;
	}
	store_event(app->store, now, released ? "clock_released" : "clock_jump", NULL, detail,
		    false);
	if (jump && app->readings)
		readings_clock_set(app->readings, jump);
	if (app->irrigation)
		irrigation_clock_set(app->irrigation, jump);
	if (released)
		snprintf(app->news, sizeof(app->news),
			 _("The clock is right again (%s): logging and schedules go on."),
			 text_date_time(a, sizeof(a), now));
	else if (app->clock_behind && !was_behind)
		snprintf(app->news, sizeof(app->news),
			 _("The clock went back before what the station wrote: nothing is logged until it is set."));
	app_changed(app);
	return released;
}

static int64_t on_minute(void *data)
{
	clockset_follow(data);
	return 60000;
}

int clockset_watch(struct app *app)
{
	app->clock_timer = loop_timer_add(app->loop, 60000, on_minute, app);
	if (app->clock_timer < 0) {
		app->clock_timer = 0;
		return -1;
	}
	return 0;
}

void clockset_unwatch(struct app *app)
{
	if (app->clock_timer)
		loop_timer_del(app->loop, app->clock_timer);
	app->clock_timer = 0;
}
