/* The manager's PIN: guards overrides, corrections and settings. Only a
 * salted hash (yescrypt, through libcrypt) is kept, in the database's
 * meta table; after PIN_MAX_TRIES wrong PINs in a row it is refused for
 * PIN_LOCK_SECONDS, across restarts too. */
#ifndef FS_PIN_H
#define FS_PIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

#define PIN_MIN_DIGITS 4
#define PIN_MAX_DIGITS 8
#define PIN_MAX_TRIES 5
#define PIN_LOCK_SECONDS 300

#define PIN_OK 0
#define PIN_WRONG (-1)		/* err says so */
#define PIN_LOCKED (-2)		/* too many wrong PINs; err says until when */
#define PIN_FAILED (-3)		/* the database or libcrypt failed */

bool pin_is_set(struct store *s);
/* Sets a new PIN of PIN_MIN_DIGITS to PIN_MAX_DIGITS digits. */
int pin_set(struct store *s, const char *pin, char *err, size_t errlen);
/* Checks a PIN at now (seconds). PIN_OK, or a refusal with err. */
int pin_check(struct store *s, const char *pin, int64_t now, char *err, size_t errlen);
/* Forgets the PIN (and the count of wrong ones); the next Settings
 * asks for a new one. */
int pin_forget(struct store *s);
/* Checks that pin is acceptable as a new PIN: 0, or -1 with err. */
int pin_valid(const char *pin, char *err, size_t errlen);

#endif
