/* The manifest of an export folder: who made it, when, what time it
 * covers, and each file's size, rows and SHA-256. Comment lines carry the
 * facts and the rest is in sha256sum's format, so that an office can also
 * check a folder with `sha256sum -c manifest.txt`. A manifest read from a
 * stick is untrusted: the parser is strict and refuses what it does not
 * understand, with the reason.
 *
 * A station's manifest (format 2) names the station's public key, the
 * board the export was made on and the board the key was made on, and
 * ends with a `# signature:` line: the station's Ed25519 signature of
 * every byte before that line (SIGN_CONTEXT_MANIFEST), and so, through
 * the checksums, of every file. An office's own export is not signed.
 *
 * Format 3 holds the database copy as the pages that changed since an
 * earlier export's whole copy (src/store_delta.h): `# base:` names the
 * folder beside this one that holds that copy, its file, size and
 * checksum; `# whole:` the size and checksum of the copy rebuilt from
 * the two. The delta is the file `# backup:` names. */
#ifndef FS_MANIFEST_H
#define FS_MANIFEST_H

#include "sha256.h"
#include "signing.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MANIFEST_NAME "manifest.txt"
/* The newest format this program reads. It writes format 2, or 3 for a
 * copy of what changed since an earlier copy, which an older office
 * cannot rebuild and so refuses as newer. */
#define MANIFEST_FORMAT 3
#define MANIFEST_MAX_BYTES (1 << 20)
#define MANIFEST_MAX_FILES 20000
#define MANIFEST_NAME_LEN 128

struct manifest_file {
	char name[MANIFEST_NAME_LEN];
	int64_t bytes;
	int64_t rows;		/* data rows of a CSV; -1 for other files */
	uint8_t sha[SHA256_BYTES];
	bool has_sha;
};

struct manifest {
	int format;
	char code[16];		/* the station's, or the office's */
	char name[128];
	char uid[40];		/* the station's uid; empty for an office */
	char program[64];
	int schema;
	int64_t made, from, to;	/* Unix seconds */
	char backup[MANIFEST_NAME_LEN];	/* the database copy's file */
	struct manifest_file *files;
	int n_files, cap;
	/* A station's (format 2). */
	uint8_t key[SIGN_PUBLIC_BYTES];	/* its public key */
	bool has_key;
	char board[SIGN_BOARD_LEN];	/* the board it was exported on */
	char key_board[SIGN_BOARD_LEN];	/* the board its key was made on */
	uint8_t signature[SIGN_BYTES];
	bool has_signature;
	size_t signed_len;		/* the bytes the signature covers */
	/* Format 3: the backup is a delta over base_file in base_folder. */
	bool has_base;
	char base_folder[MANIFEST_NAME_LEN], base_file[MANIFEST_NAME_LEN];
	int64_t base_bytes, whole_bytes;
	uint8_t base_sha[SHA256_BYTES], whole_sha[SHA256_BYTES];
};

void manifest_free(struct manifest *m);
/* Adds a file; 0 or -1 (out of memory, or too many). */
int manifest_add(struct manifest *m, const char *name, int64_t bytes, int64_t rows,
		 const uint8_t sha[SHA256_BYTES]);
const struct manifest_file *manifest_find(const struct manifest *m, const char *name);
/* The manifest as text (malloc'd, NUL-ended, *len without the NUL). */
char *manifest_format(const struct manifest *m, long utc_offset, size_t *len);
/* Signs text (from manifest_format()) with the station's key: appends the
 * signature line, growing *text. 0, or -1 out of memory. */
int manifest_sign(char **text, size_t *len, const struct signkey *k);
/* Reads text of len bytes into m (which the caller frees); -1 with one
 * sentence in err when it is not a manifest this program can trust. */
int manifest_parse(struct manifest *m, const char *text, size_t len, char *err, size_t errlen);
/* Checks that m (parsed from text) is signed by the key it names: 0, or -1
 * with err. */
int manifest_verify(const struct manifest *m, const char *text, char *err, size_t errlen);
/* A file name the manifest may hold: letters, digits, '.', '-', '_',
 * not starting with a dot. */
bool manifest_name_ok(const char *name);

#endif
