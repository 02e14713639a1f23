/* The office: the export folders that stations' leaders bring on their
 * sticks, merged into one office database, from which `fieldstation
 * export` writes the combined CSVs. A folder from a stick is untrusted:
 * its manifest is read strictly, every file is checked against it, the
 * database copy is taken off the stick before anything opens it, and is
 * refused with the reason unless it is a whole station database. Merging
 * the same folder again, or an older one, adds nothing. */
#ifndef FS_MERGE_H
#define FS_MERGE_H

#include "store.h"

#include <stdint.h>

/* The most an office takes from a stick in one export folder, all its
 * files together (the database copy of the five-year reference farm is
 * about 430 MB): a folder claiming more is refused before anything of it
 * is read. Each text in the copy is limited too (STORE_COPY_MAX_VALUE). */
#define MERGE_MAX_FOLDER_BYTES (2048LL << 20)

/* What happened to one export folder: merged (refusal NULL), or refused
 * with the reason. f is NULL when the folder was refused before its
 * database copy was read. */
typedef void merge_report_fn(void *ctx, const char *folder, const struct backup_facts *f,
			     const struct merge_result *r, const char *refusal);

/* Merges path into the office database s (at office_path, beside which
 * the copies are taken): path is an export folder, or a folder holding
 * export folders (a stick's root). Returns how many folders were refused,
 * or -1 with why when path holds no export folder at all. */
int merge_path(struct store *s, const char *office_path, const char *path, int64_t now,
	       merge_report_fn *report, void *ctx, char *why, size_t n);

/* The words for store_merge_table(i)'s rows in a report. */
const char *merge_table_label(const char *table);

#endif
