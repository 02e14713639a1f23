/* Ed25519 signatures (libsodium) and the key files that hold secret keys:
 * each station signs what it exports with a key of its own, made at its
 * first start and kept in a file beside its database (never inside it, so
 * that no copy of the database carries it), readable by the station only.
 * A signature is made over a context label and the data, so that one made
 * for one use (a manifest) is never valid for another. */
#ifndef FS_SIGNING_H
#define FS_SIGNING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

#define SIGN_PUBLIC_BYTES 32
#define SIGN_BYTES 64
/* "3F9A-01C2-7B44-E0D1": what a person compares. */
#define SIGN_FINGERPRINT_LEN 20
/* A board's id: 16 hex digits. */
#define SIGN_BOARD_LEN 17

/* The context of an export's manifest. */
#define SIGN_CONTEXT_MANIFEST "fieldstation manifest"
/* A new version of the station for a stick, signed with the release key. */
#define SIGN_CONTEXT_UPDATE "fieldstation update"
/* A new configuration for a stick, signed with the office's key. */
#define SIGN_CONTEXT_SETTINGS "fieldstation settings"

struct signkey {
	uint8_t public_key[SIGN_PUBLIC_BYTES];
	uint8_t secret[64];		/* libsodium's: seed, then public key */
	char board[SIGN_BOARD_LEN];	/* the board it was made on; "" unknown */
	int64_t made;			/* Unix seconds */
};

/* Signs len bytes of data under context. */
/* Keys, signatures and digests as lower-case hex: out holds 2n + 1
 * bytes; sign_from_hex() takes exactly 2n hex digits, else -1. */
void sign_to_hex(const uint8_t *b, size_t n, char *out);
int sign_from_hex(const char *s, uint8_t *out, size_t n);

void sign_data(const struct signkey *k, const char *context, const void *data, size_t len,
	       uint8_t sig[SIGN_BYTES]);
/* Is sig public_key's signature of data under context? */
bool sign_verify(const uint8_t public_key[SIGN_PUBLIC_BYTES], const char *context,
		 const void *data, size_t len, const uint8_t sig[SIGN_BYTES]);
/* A key's fingerprint: the first 8 bytes of its SHA-256, as four groups
 * of four upper-case hex digits. */
void sign_fingerprint(const uint8_t public_key[SIGN_PUBLIC_BYTES],
		      char out[SIGN_FINGERPRINT_LEN]);

/* Key files. load: 0; -2 when there is no file at path; -3 with one
 * sentence in err when what it holds is not a key; -1 with err when it
 * cannot be used otherwise (not a plain file, readable by others,
 * unreadable). A key file is never followed through a symbolic link and
 * never replaced by these functions. */
#define SIGNKEY_MISSING (-2)
#define SIGNKEY_DAMAGED (-3)
int signkey_load(const char *path, struct signkey *k, char *err, size_t errlen);
/* Makes a new key for this board into a new file at path (mode 0600),
 * written whole or not at all; -1 with err, and an existing file stays. */
int signkey_make(const char *path, const char *board, int64_t now, struct signkey *k,
		 char *err, size_t errlen);
/* Forgets the secret. */
void signkey_wipe(struct signkey *k);

/* The cooperative's release key, kept at the office: it signs new
 * versions and new settings for sticks. Its secret file is like a
 * station's key file, saying what it is; its public half is a file of its
 * own, path.pub ("public: HEX" and comment lines), which the package
 * ships to every station. make: both files new (the secret 0600), never
 * over a file that is there; -1 with err. load: as signkey_load(). */
int releasekey_make(const char *path, int64_t now, struct signkey *k, char *err, size_t errlen);
int releasekey_load(const char *path, struct signkey *k, char *err, size_t errlen);
/* A public key file: 0; SIGNKEY_MISSING; SIGNKEY_DAMAGED or -1 with err.
 * Never followed through a link; others may read it. */
int releasekey_load_public(const char *path, uint8_t public_key[SIGN_PUBLIC_BYTES], char *err,
			   size_t errlen);

/* Which board this is: a digest of the Raspberry Pi's serial number (the
 * device tree's, or /proc/cpuinfo's), else of /etc/machine-id (which a
 * copied card carries along: a weaker guess); FIELDSTATION_BOARD in the
 * environment stands for the serial (tests). "" when none is known. */
void sign_board_id(char out[SIGN_BOARD_LEN]);

/* The station's own key, for the database at db_path: the file beside it
 * (station.db -> station.key). The database remembers the public key once
 * a key has been used with it ("signing_key" in meta), so that a lost or
 * replaced file is told, never silently made anew. The local backups keep
 * a copy (backups/station.key, 0600): a key file lost or damaged comes
 * back from it when it is the key the database remembers. */
struct station_key {
	struct signkey key;
	bool ok;			/* it can sign */
	bool made_now;			/* made by this call */
	bool restored;			/* taken back from the local backups */
	bool none_yet;			/* never made (and may_make was false) */
	bool changed;			/* not the key the database remembered */
	char was[SIGN_FINGERPRINT_LEN];	/* then: the one it remembered */
	bool other_board;		/* made on another board than this one */
	char board[SIGN_BOARD_LEN];	/* this board */
	char fingerprint[SIGN_FINGERPRINT_LEN];	/* when ok */
	char path[4096];
	/* When not ok: why, in one sentence. When other_board: what it may
	 * mean. Else empty. */
	char problem[768];
};
void station_key_path(const char *db_path, char *buf, size_t n);
/* Opens the station's key; with may_make, makes it when the station has
 * never had one; with remember (a writable store), records it in the
 * database. 0 when it can sign, else -1 with sk->problem. */
int station_key_open(struct station_key *sk, const char *db_path, struct store *s,
		     bool may_make, bool remember, int64_t now);
/* A new key for the station (the old one lost, damaged, or the card moved
 * to another board): the old file, if any, is kept as path.old-TIME. */
int station_key_renew(struct station_key *sk, const char *db_path, struct store *s,
		      int64_t now);
void station_key_close(struct station_key *sk);

#endif
