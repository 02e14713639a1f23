/* Schedules: checks, the next start, and words. The week is 10,080
 * minutes; a run that starts late on Saturday ends in Sunday's minutes. */
#include "schedule.h"

#include "config.h"
#include "text.h"

#include <stdio.h>
#include <string.h>

#define WEEK_MIN (7 * 1440)

/* Does s water during minute m of the week (0 = Sunday 00:00)? */
static bool occupies(const struct schedule_row *s, int m)
{
	for (int d = 0; d < 7; d++) {
		if (!(s->days & (1u << d)))
			continue;
		if ((m - (d * 1440 + s->start_min) + WEEK_MIN) % WEEK_MIN < s->minutes)
			return true;
	}
	return false;
}

static int pump_of(const struct config *cfg, const struct schedule_row *s)
{
	int z = config_zone_index(cfg, s->zone);

	return z < 0 ? -1 : cfg->zones[z].pump_index;
}

static void overlap_sentence(const struct config *cfg, const struct schedule_row *o, bool same_pump,
			     char *err, size_t errlen)
{
	int z = config_zone_index(cfg, o->zone);
	const char *zone = z >= 0 ? cfg->zones[z].name : o->zone;
	char when[96];

	schedule_text(when, sizeof(when), o);
	if (same_pump)
		snprintf(err, errlen, _("It overlaps the schedule of %s (%s) on the same pump."),
			 zone, when);
	else
		snprintf(err, errlen,
			 ngettext("It overlaps the schedule of %s (%s): only %d pump may run at once.",
				  "It overlaps the schedule of %s (%s): only %d pumps may run at once.",
				  (unsigned long)cfg->station.max_pumps_running),
			 zone, when, cfg->station.max_pumps_running);
}

int schedule_check(const struct config *cfg, const struct schedule_row *others, int n,
		   const struct schedule_row *cand, char *err, size_t errlen)
{
	int z = config_zone_index(cfg, cand->zone), pump;
	const struct pump_cfg *pc;

	if (z < 0) {
		snprintf(err, errlen, _("There is no zone \"%s\" in the configuration."), cand->zone);
		return -1;
	}
	pump = cfg->zones[z].pump_index;
	if (pump < 0) {
		snprintf(err, errlen, _("%s has no pump in the configuration."), cfg->zones[z].name);
		return -1;
	}
	pc = &cfg->pumps[pump];
	if (!(cand->days & SCHEDULE_ALL_DAYS)) {
		snprintf(err, errlen, _("Choose at least one day."));
		return -1;
	}
	if (cand->start_min < 0 || cand->start_min >= 1440) {
		snprintf(err, errlen, _("The start time is from 00:00 to 23:59."));
		return -1;
	}
	if (cand->minutes < 1 || cand->minutes > pc->max_minutes) {
		snprintf(err, errlen, _("%s may run 1 to %d minutes."), pc->name, pc->max_minutes);
		return -1;
	}
	/* Minute by minute through the candidate's week: cheap, and exact
	 * across midnight and the end of the week. */
	for (int d = 0; d < 7; d++) {
		if (!(cand->days & (1u << d)))
			continue;
		for (int k = 0; k < cand->minutes; k++) {
			int m = (d * 1440 + cand->start_min + k) % WEEK_MIN;
			int at_once = 1, last = -1;

			for (int i = 0; i < n; i++) {
				const struct schedule_row *o = &others[i];

				if (o->id == cand->id && cand->id != 0)
					continue;
				if (!occupies(o, m))
					continue;
				if (pump_of(cfg, o) == pump) {
					overlap_sentence(cfg, o, true, err, errlen);
					return -1;
				}
				at_once++;
				last = i;
			}
			if (at_once > cfg->station.max_pumps_running) {
				overlap_sentence(cfg, &others[last], false, err, errlen);
				return -1;
			}
		}
	}
	return 0;
}

time_t schedule_next(const struct schedule_row *s, time_t after)
{
	struct tm tm;

	if (!(s->days & SCHEDULE_ALL_DAYS))
		return -1;
	localtime_r(&after, &tm);
	/* Today and the next seven days: one of them is a day of s. */
	for (int i = 0; i <= 7; i++) {
		struct tm d = tm;
		time_t t;

		d.tm_mday += i;
		d.tm_hour = s->start_min / 60;
		d.tm_min = s->start_min % 60;
		d.tm_sec = 0;
		d.tm_isdst = -1;
		t = mktime(&d);
		if (t > after && (s->days & (1u << d.tm_wday)))
			return t;
	}
	return -1;
}

/* Vietnamese calls Monday "thứ 2" ... Saturday "thứ 7", Sunday "chủ nhật". */
static const char *const day_short[7] = {
	N_("Sun"), N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"),
};

const char *schedule_day_name(int d)
{
	return _(day_short[((d % 7) + 7) % 7]);
}

char *schedule_days_text(char *buf, size_t n, int days)
{
	/* Monday first, as the week is read. */
	static const int order[7] = { 1, 2, 3, 4, 5, 6, 0 };
	size_t used = 0;

	days &= SCHEDULE_ALL_DAYS;
	if (days == SCHEDULE_ALL_DAYS) {
		snprintf(buf, n, "%s", _("every day"));
		return buf;
	}
	buf[0] = '\0';
	for (int i = 0; i < 7;) {
		int j = i;

		if (!(days & (1u << order[i]))) {
			i++;
			continue;
		}
		while (j + 1 < 7 && (days & (1u << order[j + 1])))
			j++;
		if (used < n)
			used += (size_t)snprintf(buf + used, n - used, "%s%s", used ? ", " : "",
						 _(day_short[order[i]]));
		/* Three days or more in a row: "Mon–Sat". */
		if (j - i >= 2 && used < n)
			used += (size_t)snprintf(buf + used, n - used, "–%s", _(day_short[order[j]]));
		else if (j == i + 1 && used < n)
			used += (size_t)snprintf(buf + used, n - used, ", %s", _(day_short[order[j]]));
		i = j + 1;
	}
	return buf;
}

char *schedule_text(char *buf, size_t n, const struct schedule_row *s)
{
	char days[64];

	snprintf(buf, n, ngettext("%s %02d:%02d, %d minute", "%s %02d:%02d, %d minutes",
				  (unsigned long)s->minutes),
		 schedule_days_text(days, sizeof(days), s->days), s->start_min / 60,
		 s->start_min % 60, s->minutes);
	return buf;
}
