/* The privileged installer's result in the farmer's words (src/handover.h),
 * apart from the handover itself so that the alarms, which tell a version
 * taken back, need no more than this file. */
#include "handover.h"

#include "text.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

void handover_result_sentence(const struct handover_result *r, char *buf, size_t n)
{
	bool update = r->what == OFFER_UPDATE;
	const char *why = r->why, *o = r->outcome;

	if (strcmp(o, "installed") == 0 && update) {
		snprintf(buf, n, _("Version %s is installed (it was %s)."), r->to, r->from);
	} else if (strcmp(o, "installed") == 0) {
		snprintf(buf, n, _("The new settings are in use; the old ones are kept in %s."),
			 r->detail);
	} else if (strcmp(o, "cancelled") == 0 && strcmp(why, "stale") == 0) {
		snprintf(buf, n, "%s", _("What was chosen before the station restarted was not done: choose it again if it is still wanted."));
	} else if (strcmp(o, "cancelled") == 0) {
		snprintf(buf, n, "%s", update ? _("The power went before the new version was installed: nothing changed.")
					       : _("The power went before the new settings were put in place: nothing changed."));
	} else if (strcmp(o, "rolled-back") == 0 && update) {
		if (strcmp(why, "crashed") == 0)
			snprintf(buf, n, _("Version %s stopped each time it started: the station went back to version %s and to its records as they were before."),
				 r->to, r->from);
		else if (strcmp(why, "no-start") == 0)
			snprintf(buf, n, _("Version %s did not reach its home screen in time: the station went back to version %s and to its records as they were before."),
				 r->to, r->from);
		else if (strcmp(why, "power-cut") == 0)
			snprintf(buf, n, _("The power went while version %s was being installed: the station went back to version %s and to its records as they were before."),
				 r->to, r->from);
		else
			snprintf(buf, n, _("Version %s could not be installed (%s): the station went back to version %s and to its records as they were before."),
				 r->to, r->detail, r->from);
	} else if (strcmp(o, "rolled-back") == 0) {
		if (strcmp(why, "power-cut") == 0)
			snprintf(buf, n, "%s", _("The power went while the new settings were put in place: the station went back to its old settings."));
		else
			snprintf(buf, n, "%s", _("The station did not start with the new settings: it went back to its old settings."));
	} else if (strcmp(o, "failed") == 0 && update && strcmp(why, "restore") == 0) {
		snprintf(buf, n, _("The station went back to version %s, but its records as they were before could not be put back (%s): call the technician."),
			 r->from, r->detail);
	} else if (strcmp(o, "failed") == 0 && update) {
		snprintf(buf, n, _("Going back to version %s failed (%s): call the technician."), r->from,
			 r->detail);
	} else if (strcmp(o, "failed") == 0) {
		snprintf(buf, n, _("Going back to the old settings failed (%s): call the technician."),
			 r->detail);
	} else if (strcmp(o, "refused") == 0) {
		const char *reason = strcmp(why, "signature") == 0 ? _("it is not signed with the right key")
				     : strcmp(why, "architecture") == 0 ? _("it is for another kind of board")
				     : strcmp(why, "older") == 0 ? _("it is not newer than what the station has")
				     : strcmp(why, "station") == 0 ? _("it is for another station")
				     : strcmp(why, "check") == 0 ? r->detail
				     : strcmp(why, "stale") == 0 ? _("it was asked for before the station restarted")
				     : strcmp(why, "backup") == 0 ? _("the records could not be backed up first")
				     : strcmp(why, "previous") == 0 ? _("the version running could not be kept to come back to")
				     : r->detail[0] ? r->detail : why;

		if (update)
			snprintf(buf, n, _("The installer did not install version %s: %s. Nothing changed."),
				 r->to, reason);
		else
			snprintf(buf, n, _("The installer did not put the new settings in place: %s. Nothing changed."),
				 reason);
	} else {
		snprintf(buf, n, "%s", o);
	}
	/* dpkg's words or a path may hold anything. */
	{
		char clean[1024];

		text_clean(clean, sizeof(clean), buf);
		snprintf(buf, n, "%s", clean);
	}
}

void handover_result_event(const struct handover_result *r, char *buf, size_t n)
{
	snprintf(buf, n, "%s;%s;%s;%s;%s;%s", r->outcome, r->why,
		 r->what == OFFER_SETTINGS ? "settings" : "update", r->from, r->to, r->detail);
}

/* The result an "installer" event's detail holds. */
static void event_result(const char *detail, struct handover_result *r)
{
	char copy[1024], *f[6] = { 0 }, *p = copy;

	memset(r, 0, sizeof(*r));
	snprintf(copy, sizeof(copy), "%s", detail);
	for (int i = 0; i < 6 && p; i++) {
		f[i] = p;
		p = i < 5 ? strchr(p, ';') : NULL;
		if (p)
			*p++ = '\0';
	}
	snprintf(r->outcome, sizeof(r->outcome), "%s", f[0] ? f[0] : "");
	snprintf(r->why, sizeof(r->why), "%s", f[1] ? f[1] : "");
	r->what = f[2] && strcmp(f[2], "settings") == 0 ? OFFER_SETTINGS : OFFER_UPDATE;
	snprintf(r->from, sizeof(r->from), "%s", f[3] ? f[3] : "");
	snprintf(r->to, sizeof(r->to), "%s", f[4] ? f[4] : "");
	snprintf(r->detail, sizeof(r->detail), "%s", f[5] ? f[5] : "");
}

char *handover_event_text(const char *detail, char *buf, size_t n)
{
	struct handover_result r;

	event_result(detail, &r);
	handover_result_sentence(&r, buf, n);
	return buf;
}

char *handover_event_headline(const char *detail, char *buf, size_t n)
{
	struct handover_result r;
	bool update;

	event_result(detail, &r);
	update = r.what == OFFER_UPDATE;
	if (strcmp(r.outcome, "rolled-back") == 0 && update)
		snprintf(buf, n, _("Version %s did not work: back to version %s"), r.to, r.from);
	else if (strcmp(r.outcome, "rolled-back") == 0)
		snprintf(buf, n, "%s", _("The new settings did not work: the old ones are back"));
	else if (strcmp(r.outcome, "failed") == 0)
		snprintf(buf, n, "%s", _("Going back after an update failed: call the technician"));
	else
		return handover_event_text(detail, buf, n);
	/* Versions come from a stick. */
	{
		char clean[256];

		text_clean(clean, sizeof(clean), buf);
		snprintf(buf, n, "%s", clean);
	}
	return buf;
}
