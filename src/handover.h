/* Between the station and its privileged installer (fieldstation-update,
 * src/updater.c). The station runs unprivileged: it cannot install a
 * package or write /etc. Once the manager has said yes, it copies what
 * the stick offered (checked again as it copies) into the folder update/
 * beside its database, and writes a request there; systemd sees the
 * request (fieldstation-update.path) and runs the installer as root,
 * which trusts nothing of that folder and checks everything again. The
 * installer tells what happened in a result file of its own folder
 * (UPDATER_DIR, readable by all), which the station shows once. When a
 * station started by the service reaches its home screen, it writes its
 * process id into update/home: the installer's sign that a new version or
 * new settings started. */
#ifndef FS_HANDOVER_H
#define FS_HANDOVER_H

#include "offer.h"
#include "version.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef UPDATER_DIR
#define UPDATER_DIR "/var/lib/fieldstation-update"
#endif
/* In the station's folder. */
#define HANDOVER_DIR "update"
#define HANDOVER_REQUEST "request"
#define HANDOVER_HOME "home"
#define HANDOVER_DEB "fieldstation.deb"
#define HANDOVER_UPDATE "fieldstation.update"
#define HANDOVER_INI "settings.ini"
#define HANDOVER_SETTINGS "settings.settings"
/* The records as they were before an update, kept by the installer
 * until the update is over, and after it when they could not be put
 * back, for the technician. */
#define HANDOVER_DB_BACKUP "before-update.db"
/* In the installer's folder. */
#define UPDATER_RESULT "result"
#define UPDATER_STATE "state"
#define UPDATER_SETTINGS_MADE "settings-made"

/* What the installer did. */
struct handover_result {
	char id[40];			/* a new one each time */
	enum offer_kind what;
	char outcome[16];		/* installed refused rolled-back cancelled failed */
	char why[24];			/* a word: crashed, no-start, signature... */
	char from[VERSION_MAX + 1];	/* the version before (an update) */
	char to[VERSION_MAX + 1];	/* the version asked for */
	char detail[512];		/* the installer's own words, or a path */
	int64_t when;
};

/* The folder update/ beside the database at db_path. */
void handover_dir(const char *db_path, char *buf, size_t n);

/* Copies the offer o (its description name and its file, in the stick's
 * folder sub of root) into the handover folder, checking it again as it
 * is read, then writes the request. 0, or -1 with one sentence in err;
 * nothing is asked of the installer then. */
int handover_request(const char *db_path, const char *root, const char *sub,
		     const char *name, const struct offer *o, char *err, size_t errlen);
/* The station reached its home screen. */
void handover_home(const char *db_path);

/* The installer's newest result in the folder dir; 0, or -1 when there is
 * none that can be read. */
int handover_result_read(const char *dir, struct handover_result *r);
/* Writes r as the result in the folder dir (0644), whole or not at all. */
int handover_result_write(const char *dir, const struct handover_result *r);
/* What happened, in one sentence for the farmer. */
void handover_result_sentence(const struct handover_result *r, char *buf, size_t n);
/* r as the detail of an "installer" event ("outcome;why;what;from;to;
 * detail"), and such a detail in one sentence for the farmer. */
void handover_result_event(const struct handover_result *r, char *buf, size_t n);
char *handover_event_text(const char *detail, char *buf, size_t n);
/* The same in a few words, for the home screen's alarm line. */
char *handover_event_headline(const char *detail, char *buf, size_t n);
/* The office's time of the settings put in place last, 0 if none. */
int64_t handover_settings_made(const char *dir);

#endif
