/* The running station's parts, wired together by the console
 * (src/cmd_run.c) and handed to the modules and screens that need them. */
#ifndef FS_APP_H
#define FS_APP_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct config;
struct store;
struct clock;
struct loop;
struct sim_farm;
struct readings;
struct irrigation;
struct backups;
struct stick;
struct station_key;
struct dbcheck;
struct update_found;
struct settings_found;
struct speech;
struct uplink;

struct app {
	const struct config *cfg;
	const char *db_path;
	struct store *store;
	struct clock *clock;
	struct loop *loop;
	struct sim_farm *farm;		/* NULL unless a driver is simulated */
	const char *sim_relays;		/* a folder showing simulated relays, or NULL */
	struct readings *readings;
	struct irrigation *irrigation;
	struct backups *backups;
	struct speech *speech;		/* the voice (src/speech.c) */
	struct uplink *uplink;		/* the office link (src/uplink.c), or NULL */
	/* The clock is behind what the station wrote: nothing is logged or
	 * watered by the clock until it is set, or the system clock is right
	 * again (src/clockset.c). */
	bool clock_behind;
	int clock_timer;		/* clockset_watch()'s, 0 none */
	/* A sentence the station says by itself (the clock right again),
	 * shown once by the screens, which clear it. */
	char news[256];
	/* The station's signing key, and what is wrong with it (signing.h). */
	const struct station_key *key;
	/* Sentences for the farmer from start-up (a damaged database, a
	 * signing key that cannot be used, a pump without its relay). */
	char notice[640];
	/* What the station cannot do just now for want of its database
	 * (automatic watering held back, readings or runs not kept): one
	 * sentence for the farmer, on every screen, until the module that
	 * said it sees the database work again (app_trouble_over()). */
	char trouble[256];
	/* The check of the whole database, running after the first screen;
	 * damaged: it found damage, and the console goes down to restore. */
	struct dbcheck *check;
	bool damaged;
	/* The check has ended without finding damage (or could not be
	 * made): until then a backup would copy what may be damaged over
	 * a good one, and waits. */
	bool checked;
	struct stick *stick;		/* NULL if the mount table cannot be read */
	/* Told when a USB stick comes or goes (the USB screen, while open). */
	void (*stick_changed)(void *ctx);
	void *stick_changed_ctx;
	/* What a stick from the office brings: a new version, new settings,
	 * or why not (src/handover.h); looked at when a stick is ready. */
	struct update_found *update;
	struct settings_found *settings;
	/* The privileged installer's result last seen, and its folder
	 * watched for the next. */
	char installer_seen[40];
	int installer_fd;
	/* Told when something that a screen shows has changed. */
	void (*changed)(void *ctx);
	void *changed_ctx;
};

static inline void app_changed(struct app *app)
{
	if (app->changed)
		app->changed(app->changed_ctx);
}

static inline void app_trouble(struct app *app, const char *sentence)
{
	if (strcmp(app->trouble, sentence) == 0)
		return;
	snprintf(app->trouble, sizeof(app->trouble), "%s", sentence);
	app_changed(app);
}

/* The trouble that sentence told of is over (another stays). */
static inline void app_trouble_over(struct app *app, const char *sentence)
{
	if (!app->trouble[0] || strcmp(app->trouble, sentence) != 0)
		return;
	app->trouble[0] = '\0';
	app_changed(app);
}

#endif
