/* The office: the export folders that stations' leaders bring on their
 * sticks, merged into one office database, from which `fieldstation
 * export` writes the combined CSVs. A folder from a stick is untrusted:
 * its manifest is read strictly and must be signed by the station's key,
 * which the office must trust (src/trust.c: else the folder is held, or
 * refused as forged); every file is checked against it, the
 * database copy is taken off the stick before anything opens it, and is
 * refused with the reason unless it is a whole station database. Merging
 * the same folder again, or an older one, adds nothing. */
#ifndef FS_MERGE_H
#define FS_MERGE_H

#include "manifest.h"
#include "store.h"

#include <stdint.h>

/* The most an office takes from a stick in one export folder, all its
 * files together (the database copy of the five-year reference farm is
 * about 430 MB): a folder claiming more is refused before anything of it
 * is read. Each text in the copy is limited too (STORE_COPY_MAX_VALUE).
 * A copy written as what changed since an earlier export (format 3) is
 * rebuilt here from that export's copy, in the folder beside it on the
 * same stick, and checked whole against the manifest before it is used. */
#define MERGE_MAX_FOLDER_BYTES (2048LL << 20)

/* What happened to one export folder. */
enum merge_outcome {
	MERGE_MERGED,
	MERGE_HELD,		/* signed by a station not trusted here (yet) */
	MERGE_REFUSED,
};
struct merge_report {
	const char *folder;
	enum merge_outcome outcome;
	const struct manifest *manifest;	/* NULL unless it was read and verified */
	const struct backup_facts *facts;	/* NULL unless the copy was read */
	const struct merge_result *result;	/* MERGE_MERGED */
	const char *why;			/* held or refused: one sentence */
};
typedef void merge_report_fn(void *ctx, const struct merge_report *r);

/* Reads an export folder's manifest: strictly, a station's, and signed by
 * the key it names (whether the office trusts that key is trust_judge()'s
 * question). 0, or -1 with err; m is the caller's to free either way. */
int merge_read_manifest(const char *folder, struct manifest *m, char *err, size_t errlen);
/* The same, of the folder opened as folder. */
int merge_read_manifest_at(int folder, struct manifest *m, char *err, size_t errlen);

/* Merges path into the office database s (at office_path, beside which
 * the copies are taken): path is an export folder, or a folder holding
 * export folders (a stick's root). Returns how many folders were refused
 * (held ones are not), or -1 with err when path holds no export folder
 * at all. */
int merge_path(struct store *s, const char *office_path, const char *path, int64_t now,
	       merge_report_fn *report, void *ctx, char *err, size_t errlen);

/* Merges a station's database copy, a file of the caller's beside the
 * office database that nothing else writes, which must be station uid's:
 * checked as a stick's copy is (store_backup_inspect), brought up to this
 * program's schema, merged (data_until: the newest moment it holds). A
 * stick's folder and the office link both merge through it. 0; -1 with
 * err when the copy was refused before f was known; -2 with err after. */
int merge_copy(struct store *s, const char *copy, const char *uid, int64_t data_until,
	       int64_t now, struct backup_facts *f, struct merge_result *r, char *err, size_t errlen);

/* The words for store_merge_table(i)'s rows in a report. */
const char *merge_table_label(const char *table);

#endif
