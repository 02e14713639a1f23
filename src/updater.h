/* fieldstation-update, the privileged installer: it puts in place a new
 * version or new settings that the station handed over (src/handover.h),
 * and takes them back when the station does not start with them. It runs
 * as root from systemd (fieldstation-update.service), at every boot and
 * whenever the station writes a request; it trusts nothing the station
 * wrote and checks the offer again against the keys the package gave it.
 *
 * Each step is written down before it is taken (UPDATER_STATE, flushed),
 * so that after a power cut at any moment the next run finds the station
 * able to start, old or new:
 *
 *   (none) --request, checked--> prepare: the station stopped, its
 *       database backed up (as the station's user), the running version
 *       kept as a package to come back to
 *   prepare --> install: dpkg installs the new package
 *   install --> trial: the new station must reach its home screen (and
 *       tell systemd it is ready) within trial_seconds, and not stop
 *       max_restarts times on the way
 *   trial --home screen--> (none): "installed"
 *   trial, install --fails--> rollback: the station stopped, the backup
 *       put back, the kept package installed, started: "rolled-back"
 *
 * A power cut in prepare changed nothing ("cancelled"); in install or
 * rollback, the rollback is done (again) from its start; in trial, the
 * trial starts again. New settings go the same way: the configuration in
 * use is copied aside (fieldstation.ini.old-TIME) before the new one is
 * renamed over it, and put back when the station does not start. */
#ifndef FS_UPDATER_H
#define FS_UPDATER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The station's service as systemd tells it. */
struct unit_state {
	bool active;		/* started and ready */
	long main_pid;
	unsigned restarts;	/* NRestarts */
};

/* What the installer does to the system: the board's (updater_main.c) or
 * a test's. Each returns 0 or -1 (with err where it has one). */
struct updater_sys {
	void *ctx;
	/* systemctl stop (waits until it has stopped) or start (does not
	 * wait) of the station's service. */
	int (*service)(void *ctx, const char *verb);
	int (*service_state)(void *ctx, struct unit_state *s);
	/* Did the process pid reach its home screen (update/home)? */
	bool (*reached_home)(void *ctx, const char *handover, long pid);
	int (*dpkg_install)(void *ctx, const char *deb, char *err, size_t errlen);
	/* A package's name, version and architecture (its control file). */
	int (*deb_control)(void *ctx, const char *deb, char *package, char *version, char *arch);
	/* The version dpkg has installed, and dpkg's architecture. */
	int (*installed)(void *ctx, char *version, size_t n);
	int (*architecture)(void *ctx, char *arch, size_t n);
	/* The installed version made into a package again, at out. */
	int (*repack)(void *ctx, const char *out, char *err, size_t errlen);
	/* A whole SQLite database copied from one file to the other, as the
	 * user owning the station's folder, under the lock of the station's
	 * database station_db (one of the two). */
	int (*db_copy)(void *ctx, const char *station_db, const char *from, const char *to,
		       char *err, size_t errlen);
	/* The date, for what is written down (seconds since the epoch). */
	int64_t (*now)(void *ctx);
	/* Seconds that only go forward, for time limits: a board without a
	 * real-time clock has its date set after it booted, by the farmer
	 * or the network, by hours or years. */
	int64_t (*steady)(void *ctx);
	void (*wait)(void *ctx, int ms);
	/* The current boot's id (a request from another boot is stale). */
	void (*boot_id)(void *ctx, char *buf, size_t n);
};

struct updater {
	const struct updater_sys *sys;
	const char *dir;		/* its own folder (UPDATER_DIR) */
	const char *config;		/* the station's configuration */
	const char *default_db;		/* the database when the configuration names none */
	const char *release_key;	/* public key files */
	const char *office_key;
	int trial_seconds;		/* to reach the home screen */
	unsigned max_restarts;		/* stops at start-up before giving up */
};

/* Finishes what a power cut left, then does what the station asked for.
 * 0, or -1 when its own folder cannot be used. */
int updater_run(const struct updater *u);

/* Where the station's database is, by the configuration. */
void updater_db_path(const struct updater *u, char *buf, size_t n);

#endif
