/* What the office offers, as the running console sees it: looked for on
 * a stick as soon as it is ready (a new version, new settings, or why
 * not), handed to the privileged installer once the manager says yes
 * (src/handover.h), and the installer's word about it said once. */
#ifndef FS_OFFERS_H
#define FS_OFFERS_H

#include <stdbool.h>
#include <stddef.h>

struct app;

/* The paths of the installer's folder and of
 * the keys are the package's; FIELDSTATION_UPDATER_DIR,
 * FIELDSTATION_RELEASE_KEY and FIELDSTATION_OFFICE_KEY stand for them in
 * tests (the installer, which checks again, never takes them). */
const char *offers_updater_dir(void);
const char *offers_release_key(void);
const char *offers_office_key(void);
/* Looks at the stick, ready or gone, for what the office offers: into
 * app->update and app->settings (kept by the app, freed by
 * offers_close()). */
void offers_look(struct app *app);
/* The installer's result: one not seen before is said once (app->news;
 * one that took something back is an alarm too) and kept in the event
 * log; the folder is watched for the next one. */
void offers_open(struct app *app);
void offers_close(struct app *app);
/* The database at db_path, which this version cannot read (made by a
 * newer one), as the installer left it when it took that newer one back
 * and could not put the records back: the installer's sentence, which
 * says to call the technician, into buf, and true. false when the
 * installer's last word is anything else, or the records it kept for
 * the technician are no longer there (put back since). */
bool offers_records_left_newer(const char *db_path, char *buf, size_t n);
/* The manager said yes to what app->update (update true) or
 * app->settings offers: the pumps stopped, the offer handed over. 0, or
 * -1 with err; on 0, the installer will stop the station. */
int offers_begin(struct app *app, bool update, char *err, size_t errlen);

#endif
