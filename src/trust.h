/* The office's trust in the stations whose folders it merges. A folder
 * signed by a station the office trusts, from a board its key has come
 * from before, is merged. A station never seen here, or a trusted key
 * from another board (a card copied into a second station, or moved to a
 * new board), is held until a person has compared the key's fingerprint
 * with the station's own screen (`fieldstation trust`). A trusted
 * station's uid under another key is refused as forged. */
#ifndef FS_TRUST_H
#define FS_TRUST_H

#include "manifest.h"

#include <stddef.h>
#include <stdint.h>

struct store;

enum trust_verdict {
	TRUST_OK,
	TRUST_NEW_STATION,	/* held */
	TRUST_NEW_BOARD,	/* held */
	TRUST_FORGED,		/* refused */
	TRUST_FAILED,		/* the office database could not say */
};

/* What the office makes of the station that signed m (a manifest read and
 * verified by merge_read_manifest()); one sentence in err for all but
 * TRUST_OK. */
enum trust_verdict trust_judge(struct store *s, const struct manifest *m, char *err, size_t errlen);
/* Trusts the station, key and board m names, as `by` confirmed at now:
 * a new station, its key from a new board, or its new key. 0, or -1 with
 * why. */
int trust_accept(struct store *s, const struct manifest *m, int64_t now, const char *by,
		 char *err, size_t errlen);

#endif
