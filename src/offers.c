/* The console's side of what the office offers (src/offers.h). */
#include "offers.h"

#include "app.h"
#include "clock.h"
#include "config.h"
#include "handover.h"
#include "irrigation.h"
#include "loop.h"
#include "newsettings.h"
#include "stick.h"
#include "store.h"
#include "text.h"
#include "update.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>


static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v && *v ? v : fallback;
}

const char *offers_updater_dir(void)
{
	return env_or("FIELDSTATION_UPDATER_DIR", UPDATER_DIR);
}

const char *offers_release_key(void)
{
	return env_or("FIELDSTATION_RELEASE_KEY", RELEASE_KEY_PATH);
}

const char *offers_office_key(void)
{
	return env_or("FIELDSTATION_OFFICE_KEY", OFFICE_KEY_PATH);
}

void offers_look(struct app *app)
{
	const struct stick_info *si = app->stick ? stick_info(app->stick) : NULL;

	if (!app->update)
		app->update = calloc(1, sizeof(*app->update));
	if (!app->settings)
		app->settings = calloc(1, sizeof(*app->settings));
	if (!app->update || !app->settings)
		return;
	newsettings_free(app->settings);
	memset(app->update, 0, sizeof(*app->update));
	memset(app->settings, 0, sizeof(*app->settings));
	if (!si || si->state != STICK_READY)
		return;
	{
		struct update_station us = {
			.release_key = offers_release_key(),
			.architecture = update_architecture(),
			.running = VERSION,
		};
		struct settings_station ss = {
			.office_key = offers_office_key(),
			.release_key = offers_release_key(),
			.code = app->cfg->station.code,
			.config = app->cfg->path,
			.applied = handover_settings_made(offers_updater_dir()),
		};

		update_find(si->mount, &us, app->update);
		newsettings_find(si->mount, &ss, app->settings);
	}
}

#define META_SEEN "installer_result_seen"

/* A result not seen yet: said once, kept in the event log. */
static void take_result(struct app *app)
{
	struct handover_result r;
	char detail[1024];
	bool bad;

	if (handover_result_read(offers_updater_dir(), &r) < 0 ||
	    strcmp(r.id, app->installer_seen) == 0)
		return;
	snprintf(app->installer_seen, sizeof(app->installer_seen), "%s", r.id);
	if (store_meta_set(app->store, META_SEEN, r.id) < 0)
		return;
	/* What was taken back, or could not be, is an alarm: the home
	 * screen's alarm line says it until the manager acknowledges it. The
	 * rest is said once. */
	bad = strcmp(r.outcome, "rolled-back") == 0 || strcmp(r.outcome, "failed") == 0;
	handover_result_event(&r, detail, sizeof(detail));
	store_event(app->store, clock_now(app->clock), "installer", r.outcome, detail, bad);
	if (!bad)
		handover_result_sentence(&r, app->news, sizeof(app->news));
	app_changed(app);
}

bool offers_records_left_newer(const char *db_path, char *buf, size_t n)
{
	struct handover_result r;
	struct stat st;
	char dir[4096], kept[4200];

	handover_dir(db_path, dir, sizeof(dir));
	snprintf(kept, sizeof(kept), "%s/%s", dir, HANDOVER_DB_BACKUP);
	if (handover_result_read(offers_updater_dir(), &r) < 0 || r.what != OFFER_UPDATE ||
	    strcmp(r.outcome, "failed") != 0 || strcmp(r.from, VERSION) != 0 ||
	    lstat(kept, &st) < 0 || !S_ISREG(st.st_mode))
		return false;
	handover_result_sentence(&r, buf, n);
	return true;
}

static void on_installer(void *data, int fd, short revents)
{
	struct app *app = data;
	char buf[4096];

	(void)revents;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	take_result(app);
}

void offers_open(struct app *app)
{
	char seen[64] = "";

	app->installer_fd = -1;
	store_meta_get(app->store, META_SEEN, seen, sizeof(seen));
	snprintf(app->installer_seen, sizeof(app->installer_seen), "%s", seen);
	take_result(app);
	/* The installer renames its result into place. A board without the
	 * installer (a checkout, a test) has no folder to watch. */
	app->installer_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (app->installer_fd < 0)
		return;
	if (inotify_add_watch(app->installer_fd, offers_updater_dir(),
			      IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR) < 0 ||
	    loop_watch(app->loop, app->installer_fd, POLLIN, on_installer, app) < 0) {
		close(app->installer_fd);
		app->installer_fd = -1;
	}
}

void offers_close(struct app *app)
{
	if (app->installer_fd >= 0) {
		loop_unwatch(app->loop, app->installer_fd);
		close(app->installer_fd);
		app->installer_fd = -1;
	}
	if (app->settings)
		newsettings_free(app->settings);
	free(app->update);
	free(app->settings);
	app->update = NULL;
	app->settings = NULL;
}

int offers_begin(struct app *app, bool update, char *err, size_t errlen)
{
	const struct stick_info *si = app->stick ? stick_info(app->stick) : NULL;
	const struct offer *o = update ? &app->update->offer : &app->settings->offer;
	const char *name = update ? app->update->name : app->settings->name;

	if (!si || si->state != STICK_READY) {
		snprintf(err, errlen, "%s", _("The USB stick was taken out: nothing is installed."));
		return -1;
	}
	/* Water stops first: the installer stops the station, whose relays
	 * go off, but no run is left to end by itself meanwhile. */
	irrigation_stop_all(app->irrigation, "shutdown");
	if (handover_request(app->db_path, si->mount, update ? OFFER_UPDATE_DIR : OFFER_SETTINGS_DIR,
			     name, o, err, errlen) < 0)
		return -1;
	store_event(app->store, clock_now(app->clock), "installer_asked",
		    update ? "update" : "settings", update ? o->version : o->station, false);
	return 0;
}
