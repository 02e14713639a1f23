/* How fieldstation reports a failure, in every module:
 *
 * - A function that can fail returns 0 (or a count) when it did its work
 *   and a negative code when it did not: -1, or its module's named codes
 *   (STORE_FULL, REC_REFUSED, IRR_FAILED: all negative), or -errno where
 *   the caller must tell a full card from a missing folder.
 * - The sentence for the farmer is written where the words are known,
 *   once, into the caller's buffer: always the last two parameters, named
 *   err and errlen. A function that makes something returns it, or NULL
 *   with the sentence in err.
 * - The store keeps the sentence of its last failure, as SQLite does
 *   (store_error()): every query would otherwise carry a buffer.
 * - A function that answers a question is named for it (store_has_…,
 *   …_is_…) and returns 1 for yes, 0 for no, negative when it could not
 *   tell. A lookup (store_record_get) returns 1 and the row when it found
 *   one, 0 when there is none.
 */
#ifndef FS_ERROR_H
#define FS_ERROR_H

#include <stddef.h>

/* Writes the sentence into err and returns code, for
 * "return error_set(err, errlen, REC_REFUSED, _("…"), …);". */
int error_set(char *err, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
