/* The manager's PIN, kept as a salted yescrypt hash. */
#include "pin.h"

#include "store.h"
#include "text.h"

#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_HASH "manager_pin"
#define KEY_FAILURES "manager_pin_failures"
#define KEY_LOCKED "manager_pin_locked_until"

bool pin_is_set(struct store *s)
{
	char hash[CRYPT_OUTPUT_SIZE];

	/* Unreadable counts as set: the PIN is asked for, and pin_check()
	 * refuses while it cannot be read; never a new PIN chosen over it. */
	if (store_meta_get(s, KEY_HASH, hash, sizeof(hash)) < 0)
		return true;
	return hash[0] == '$';
}

int pin_valid(const char *pin, char *err, size_t errlen)
{
	size_t len = strlen(pin);

	for (const char *c = pin; *c; c++) {
		if (*c < '0' || *c > '9') {
			snprintf(err, errlen, _("A PIN has digits only."));
			return -1;
		}
	}
	if (len < PIN_MIN_DIGITS || len > PIN_MAX_DIGITS) {
		snprintf(err, errlen, _("A PIN has %d to %d digits."), PIN_MIN_DIGITS, PIN_MAX_DIGITS);
		return -1;
	}
	return 0;
}

int pin_set(struct store *s, const char *pin, char *err, size_t errlen)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd;
	const char *hash;
	int rc = PIN_FAILED;

	if (pin_valid(pin, err, errlen) < 0)
		return PIN_WRONG;
	cd = calloc(1, sizeof(*cd));
	if (!cd)
		goto fail;
	/* NULL random bytes: libcrypt takes them from the system. */
	if (!crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)))
		goto fail;
	hash = crypt_rn(pin, salt, cd, sizeof(*cd));
	if (!hash || hash[0] != '$')
		goto fail;
	if (store_begin(s) < 0)
		goto fail;
	if (store_meta_set(s, KEY_HASH, hash) < 0 || store_meta_set(s, KEY_FAILURES, "0") < 0 ||
	    store_meta_set(s, KEY_LOCKED, "0") < 0 || store_commit(s) < 0) {
		store_rollback(s);
		goto fail;
	}
	rc = PIN_OK;
fail:
	if (rc != PIN_OK)
		snprintf(err, errlen, _("The PIN could not be saved: %s"), store_error(s));
	if (cd)
		explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return rc;
}

static int meta_int(struct store *s, const char *key, int64_t *v)
{
	char text[32];

	*v = 0;
	if (store_meta_get(s, key, text, sizeof(text)) < 0)
		return -1;
	*v = strtoll(text, NULL, 10);
	return 0;
}

static int meta_set_int(struct store *s, const char *key, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	return store_meta_set(s, key, buf);
}

/* The lock-out from now: PINs refused until now + PIN_LOCK_SECONDS, and
 * the count of wrong ones starts again after it. */
static int lock_out(struct store *s, int64_t now)
{
	if (store_begin(s) < 0)
		return -1;
	if (meta_set_int(s, KEY_LOCKED, now + PIN_LOCK_SECONDS) < 0 ||
	    meta_set_int(s, KEY_FAILURES, 0) < 0 || store_commit(s) < 0) {
		store_rollback(s);
		return -1;
	}
	return 0;
}

/* A try is counted as wrong before the PIN is even compared, and only a
 * right PIN takes the count back: a try whose failure could not be saved
 * (a full or failing card, a power cut at that moment) is never made, so
 * that guesses stay limited whatever happens to the card. */
int pin_check(struct store *s, const char *pin, int64_t now, char *err, size_t errlen)
{
	char hash[CRYPT_OUTPUT_SIZE], when[32];
	struct crypt_data *cd;
	const char *got;
	int64_t locked, failures;
	bool good;

	if (meta_int(s, KEY_LOCKED, &locked) < 0 || meta_int(s, KEY_FAILURES, &failures) < 0 ||
	    store_meta_get(s, KEY_HASH, hash, sizeof(hash)) < 0) {
		snprintf(err, errlen, _("The PIN cannot be checked: the memory card cannot be read (%s)."),
			 store_error(s));
		return PIN_FAILED;
	}
	if (now < locked) {
		snprintf(err, errlen, _("Too many wrong PINs: try again after %s."),
			 text_time(when, sizeof(when), (time_t)locked));
		return PIN_LOCKED;
	}
	if (hash[0] != '$') {
		snprintf(err, errlen, _("No manager PIN is set yet: set one in Settings."));
		return PIN_FAILED;
	}
	/* Wrong tries counted before a lock-out that could not be saved. */
	if (failures >= PIN_MAX_TRIES) {
		if (lock_out(s, now) < 0) {
			snprintf(err, errlen, _("PINs are refused: the memory card cannot save the count of wrong PINs (%s)."),
				 store_error(s));
			return PIN_FAILED;
		}
		snprintf(err, errlen, _("Too many wrong PINs: try again after %s."),
			 text_time(when, sizeof(when), (time_t)(now + PIN_LOCK_SECONDS)));
		return PIN_LOCKED;
	}
	if (meta_set_int(s, KEY_FAILURES, failures + 1) < 0) {
		snprintf(err, errlen, _("PINs are refused: the memory card cannot save the count of wrong PINs (%s)."),
			 store_error(s));
		return PIN_FAILED;
	}
	cd = calloc(1, sizeof(*cd));
	if (!cd) {
		snprintf(err, errlen, "%s", _("Out of memory."));
		return PIN_FAILED;
	}
	got = crypt_rn(pin, hash, cd, sizeof(*cd));
	good = got && strcmp(got, hash) == 0;
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	if (good) {
		/* Not taken back, the count stays one higher: harmless. */
		meta_set_int(s, KEY_FAILURES, 0);
		return PIN_OK;
	}
	if (failures + 1 >= PIN_MAX_TRIES) {
		/* Not saved, the next try saves it before anything else. */
		lock_out(s, now);
		snprintf(err, errlen, _("Wrong PIN, %d times: PINs are refused until %s."),
			 PIN_MAX_TRIES,
			 text_time(when, sizeof(when), (time_t)(now + PIN_LOCK_SECONDS)));
		return PIN_LOCKED;
	}
	snprintf(err, errlen,
		 ngettext("Wrong PIN: %d more try, then PINs are refused for %d minutes.",
			  "Wrong PIN: %d more tries, then PINs are refused for %d minutes.",
			  (unsigned long)(PIN_MAX_TRIES - failures - 1)),
		 (int)(PIN_MAX_TRIES - failures - 1), PIN_LOCK_SECONDS / 60);
	return PIN_WRONG;
}

int pin_forget(struct store *s)
{
	if (store_begin(s) < 0)
		return PIN_FAILED;
	if (store_meta_set(s, KEY_HASH, "") < 0 || store_meta_set(s, KEY_FAILURES, "0") < 0 ||
	    store_meta_set(s, KEY_LOCKED, "0") < 0 || store_commit(s) < 0) {
		store_rollback(s);
		return PIN_FAILED;
	}
	return PIN_OK;
}
