/* New settings on a stick: a station's configuration that the office
 * prepared and signed (newsettings_publish(), `fieldstation
 * publish-settings`), in the stick's folder fieldstation-settings/ as
 * CODE.ini and CODE.settings. A station takes only the one for its own
 * code, signed with the office's key (OFFICE_KEY_PATH, or the release key
 * where the board has no key of the office's), that passes every check
 * `fieldstation check` makes of a configuration; it then says what would
 * change in the farmer's words (zones, pumps, sensors, the tariff...:
 * added, changed, removed) before the manager's PIN lets the privileged
 * installer put it in place. */
#ifndef FS_NEWSETTINGS_H
#define FS_NEWSETTINGS_H

#include "offer.h"
#include "update.h"

#include <stddef.h>
#include <stdint.h>

#ifndef OFFICE_KEY_PATH
#define OFFICE_KEY_PATH "/etc/fieldstation/office-key.pub"
#endif
/* The largest configuration taken from a stick. */
#define SETTINGS_MAX_BYTES (256 * 1024)
/* Changes told; beyond, how many more. */
#define SETTINGS_MAX_CHANGES 48
#define SETTINGS_CHANGE_LEN 320

struct settings_found {
	enum found what;
	struct offer offer;
	char name[OFFER_NAME_LEN];	/* its description's file */
	char why[768];			/* FOUND_REFUSED: one sentence */
	/* FOUND_OFFER: the file's bytes, and what would change, a line each. */
	char *text;
	size_t len;
	char changes[SETTINGS_MAX_CHANGES][SETTINGS_CHANGE_LEN];
	int n_changes;			/* all of them, also beyond those told */
};

struct settings_station {
	const char *office_key;		/* the public key files */
	const char *release_key;
	const char *code;		/* the station's */
	const char *config;		/* the configuration in use */
	/* The office's time of the settings put in place last (0 none):
	 * older ones are refused. */
	int64_t applied;
};

/* Looks in the stick mounted at root for new settings for the station. */
void newsettings_find(const char *root, const struct settings_station *st,
		      struct settings_found *out);
void newsettings_free(struct settings_found *f);

/* What would change from the configuration text old to new (both
 * checked), in the farmer's words, into f->changes. */
void newsettings_compare(const char *old, size_t old_len, const char *new_, size_t new_len,
			 struct settings_found *f);

/* `fieldstation publish-settings`: the configuration at path, checked,
 * signed with the key's secret file key_path, written into
 * dest/fieldstation-settings/ as CODE.ini and CODE.settings. 0 with what
 * was written in done, or -1 with err. */
int newsettings_publish(const char *path, const char *dest, const char *key_path, int64_t now,
			char *done, size_t donelen, char *err, size_t errlen);

#endif
