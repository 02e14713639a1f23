/* The manifest of an export folder: who made it, when, what time it
 * covers, and each file's size, rows and SHA-256. Comment lines carry the
 * facts and the rest is in sha256sum's format, so that an office can also
 * check a folder with `sha256sum -c manifest.txt`. A manifest read from a
 * stick is untrusted: the parser is strict and refuses what it does not
 * understand, with the reason. */
#ifndef FS_MANIFEST_H
#define FS_MANIFEST_H

#include "sha256.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MANIFEST_NAME "manifest.txt"
#define MANIFEST_FORMAT 1
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
};

void manifest_free(struct manifest *m);
/* Adds a file; 0 or -1 (out of memory, or too many). */
int manifest_add(struct manifest *m, const char *name, int64_t bytes, int64_t rows,
		 const uint8_t sha[SHA256_BYTES]);
const struct manifest_file *manifest_find(const struct manifest *m, const char *name);
/* The manifest as text (malloc'd, NUL-ended, *len without the NUL). */
char *manifest_format(const struct manifest *m, long utc_offset, size_t *len);
/* Reads text of len bytes into m (which the caller frees); -1 with one
 * sentence in why when it is not a manifest this program can trust. */
int manifest_parse(struct manifest *m, const char *text, size_t len, char *why, size_t whylen);
/* A file name the manifest may hold: letters, digits, '.', '-', '_',
 * not starting with a dot. */
bool manifest_name_ok(const char *name);

#endif
