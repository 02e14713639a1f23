/* A new version of the station on a stick. The office writes the Debian
 * package and its signed description into the stick's folder
 * fieldstation-update/ (update_publish(), `fieldstation publish-update`);
 * a station offers it only when the description is signed with the
 * release key it was installed with, is for this board's architecture and
 * names a version newer than the one running, and the package is exactly
 * the file that was signed. Anything else is refused in one sentence.
 * The privileged installer (src/updater.c) checks all of it again. */
#ifndef FS_UPDATE_H
#define FS_UPDATE_H

#include "offer.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The package's name, and the largest package taken from a stick. */
#define UPDATE_PACKAGE "fieldstation"
#define UPDATE_MAX_BYTES (64LL << 20)

/* Where the package puts the release key's public half. */
#ifndef RELEASE_KEY_PATH
#define RELEASE_KEY_PATH "/usr/share/fieldstation/release-key.pub"
#endif

/* What a stick holds. */
enum found {
	FOUND_NONE,		/* nothing for the station, or only what it runs */
	FOUND_OFFER,		/* something to install */
	FOUND_REFUSED,		/* something it must not take: why says it */
};

struct update_found {
	enum found what;
	struct offer offer;	/* FOUND_OFFER: the newest good one */
	char name[OFFER_NAME_LEN];	/* its description's file */
	char why[768];		/* FOUND_REFUSED: one sentence */
};

/* The station the update is for. */
struct update_station {
	const char *release_key;	/* the public key file */
	const char *architecture;	/* dpkg's name for this board's */
	const char *running;		/* the version running */
};

/* Looks in the stick mounted at root for a new version. */
void update_find(const char *root, const struct update_station *st, struct update_found *out);

/* This build's architecture, as dpkg names it. */
const char *update_architecture(void);

/* `fieldstation publish-update`: the package at path, signed with the
 * release key's secret file key_path, written into dest/fieldstation-update/
 * (made if needed) as NAME_VERSION_ARCH.deb and .update, each whole or not
 * at all and read back. 0 with what was written in done, or -1 with err. */
int update_publish(const char *path, const char *dest, const char *key_path, int64_t now,
		   char *done, size_t donelen, char *err, size_t errlen);

#endif
