/* Which stations the office trusts, and what it makes of a folder. */
#include "trust.h"

#include "signing.h"
#include "store.h"
#include "text.h"

#include <stdio.h>
#include <string.h>

enum trust_verdict trust_judge(struct store *s, const struct manifest *m, char *err, size_t errlen)
{
	struct trusted_station t;
	char fp[SIGN_FINGERPRINT_LEN];
	int rc = store_trusted_get(s, m->uid, &t);

	sign_fingerprint(m->key, fp);
	if (rc < 0) {
		snprintf(err, errlen, "%s", store_error(s));
		return TRUST_FAILED;
	}
	if (rc == 0) {
		int len = snprintf(err, errlen, _("station %s is not trusted here yet; its key's fingerprint is %s"),
				   m->code, fp);

		/* The station knows where its key was made: a copied card says
		 * so even to an office that has never seen the first one. */
		if (len > 0 && (size_t)len < errlen && m->board[0] && m->key_board[0] &&
		    strcmp(m->board, m->key_board) != 0)
			snprintf(err + len, errlen - (size_t)len,
				 _("; it was exported on another board than the one its key was made on: its card may be a copy of another station's"));
		return TRUST_NEW_STATION;
	}
	if (memcmp(t.key, m->key, sizeof(t.key)) != 0) {
		snprintf(err, errlen,
			 _("it says it is station %s, but it is signed with another key than the one trusted here (fingerprint %s; trusted: %s): it may be forged, and nothing of it is merged"),
			 m->code, fp, t.fingerprint);
		return TRUST_FORGED;
	}
	rc = store_trusted_board(s, m->uid, m->board);
	if (rc < 0) {
		snprintf(err, errlen, "%s", store_error(s));
		return TRUST_FAILED;
	}
	if (rc == 0) {
		snprintf(err, errlen,
			 _("the key of station %s came from a board it never came from before (%s): the station's card may have been copied into a second station, or moved to a new board"),
			 m->code, m->board[0] ? m->board : "?");
		return TRUST_NEW_BOARD;
	}
	return TRUST_OK;
}

int trust_accept(struct store *s, const struct manifest *m, int64_t now, const char *by,
		 char *err, size_t errlen)
{
	struct trusted_station t;

	memset(&t, 0, sizeof(t));
	snprintf(t.uid, sizeof(t.uid), "%s", m->uid);
	snprintf(t.code, sizeof(t.code), "%s", m->code);
	snprintf(t.name, sizeof(t.name), "%s", m->name);
	memcpy(t.key, m->key, sizeof(t.key));
	sign_fingerprint(m->key, t.fingerprint);
	t.trusted_at = now;
	snprintf(t.trusted_by, sizeof(t.trusted_by), "%s", by);
	if (store_trust(s, &t, m->board) < 0) {
		snprintf(err, errlen, "%s", store_error(s));
		return -1;
	}
	return 0;
}
