/* What the cooperative's office offers its stations on a stick: a file (a
 * new version of the station, as a Debian package, or a station's new
 * configuration) with a small description beside it, signed with the
 * office's key under a context of its own (SIGN_CONTEXT_UPDATE or
 * SIGN_CONTEXT_SETTINGS), so that no other signature (an export's
 * manifest, a description of the other kind) is valid as one:
 *
 *   # fieldstation update: a new version of the station, signed by the cooperative
 *   format: 1
 *   file: fieldstation_0.3.0_arm64.deb
 *   size: 812345
 *   sha256: 64 hex digits
 *   package: fieldstation          (an update)
 *   version: 0.3.0
 *   architecture: arm64
 *   station: PT01                  (settings, instead of those three)
 *   made: 1780300000               (Unix seconds, at the office)
 *   key: 64 hex digits             (the public key that signed it)
 *   signature: 128 hex digits      (of every byte before this line)
 *
 * A description comes from a stick and is read strictly: one header, each
 * field once, nothing it does not know, printable ASCII only, the
 * signature last. */
#ifndef FS_OFFER_H
#define FS_OFFER_H

#include "sha256.h"
#include "signing.h"
#include "version.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OFFER_MAX_BYTES 4096
#define OFFER_NAME_LEN 96
/* The folders of a stick the office writes into, and the endings of the
 * descriptions in them. */
#define OFFER_UPDATE_DIR "fieldstation-update"
#define OFFER_SETTINGS_DIR "fieldstation-settings"
#define OFFER_UPDATE_END ".update"
#define OFFER_SETTINGS_END ".settings"

enum offer_kind { OFFER_UPDATE, OFFER_SETTINGS };

struct offer {
	enum offer_kind kind;
	char file[OFFER_NAME_LEN];	/* in the same folder */
	int64_t size;
	uint8_t sha[SHA256_BYTES];
	char package[32];		/* update: the Debian package's name */
	char version[VERSION_MAX + 1];	/* update */
	char architecture[16];		/* update: dpkg's name, "arm64" */
	char station[16];		/* settings: the station's code */
	int64_t made;
	uint8_t key[SIGN_PUBLIC_BYTES];
	uint8_t signature[SIGN_BYTES];
	size_t signed_len;		/* the bytes the signature covers */
};

/* The description of o as text, signed with k (which fills o->key):
 * malloc'd, NUL-ended, *len without the NUL; NULL out of memory. */
char *offer_format(struct offer *o, const struct signkey *k, size_t *len);
/* Reads a description of kind from text; -1 with one sentence in err
 * when it is not one this program can take. */
int offer_parse(struct offer *o, enum offer_kind kind, const char *text, size_t len, char *err,
		size_t errlen);
/* Is o (parsed from text) signed by key? */
bool offer_signed_by(const struct offer *o, const char *text, const uint8_t key[SIGN_PUBLIC_BYTES]);
/* Reading offers off a stick, which a stranger may have written: nothing
 * is followed through a link, only regular files are opened, sizes are
 * checked before anything is read (src/nofollow.h). */

/* Reads the description name in the folder dir into o, its text into
 * text (OFFER_MAX_BYTES + 1); -1 with err. */
int offer_read(int dir, const char *name, enum offer_kind kind, struct offer *o, char *text,
	       char *err, size_t errlen);
/* Is the file o describes in dir, of its size and SHA-256 (at most max
 * bytes)? 0, or -1 with err. With out >= 0, it is copied into out as it
 * is read (and out flushed to the card). */
int offer_check_file(int dir, const struct offer *o, int64_t max, int out, char *err,
		     size_t errlen);

/* A file name an offer may name: letters, digits, '.', '-', '_', '+',
 * '~', not starting with a dot. */
bool offer_name_ok(const char *name);

#endif
