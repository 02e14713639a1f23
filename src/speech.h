/* The station's voice: what it says and when, said by the speaker
 * program (fieldstation-speak, src/speaker.c) as a child process, one
 * utterance at a time. A new utterance cuts the one being said; one that
 * takes far too long (a hung sound device) is killed; the loop never
 * waits for sound. Its settings are the station's (the database's meta
 * table), chosen in Cài đặt. */
#ifndef FS_SPEECH_H
#define FS_SPEECH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct app;
struct speech;

enum speech_rate { RATE_SLOW, RATE_NORMAL, RATE_FAST, RATE_COUNT };
enum speech_accent { ACCENT_SOUTH, ACCENT_NORTH, ACCENT_CENTRAL, ACCENT_COUNT };

#define SPEECH_VOLUME_STEP 20	/* loudness is 20, 40 ... 100 % */

struct speech_settings {
	bool on;
	int volume;			/* percent, 20 to 100 */
	int rate;			/* enum speech_rate */
	int accent;			/* enum speech_accent: the Vietnamese voice */
	/* Quiet hours, minutes after the station's midnight: from
	 * quiet_from up to quiet_to (across midnight when quiet_to is
	 * earlier); equal: none. Alarms are not said then, unless
	 * alarms_at_night. */
	int quiet_from, quiet_to;
	bool alarms_at_night;
	int repeat_minutes;		/* an alarm not acknowledged is said again */
};

/* What the sound device did the last time the station spoke (or checked
 * it: speech_check_sound()). */
enum speech_sound {
	SOUND_UNKNOWN,		/* nothing said yet */
	SOUND_CHECKING,
	SOUND_OK,
	SOUND_NO_DEVICE,	/* no sound card, or it cannot be opened */
	SOUND_NO_VOICE,		/* the speech data or the voice is missing */
	SOUND_HUNG,		/* the device did not answer: the speaker was killed */
	SOUND_NO_SPEAKER,	/* fieldstation-speak cannot be run */
};

/* The voice, with the settings kept in app->store. log_path: a file that
 * each utterance's words are appended to, one a line (for tests and
 * demonstrations; the sound is made all the same), or NULL. NULL on
 * failure (out of memory). */
struct speech *speech_new(struct app *app, const char *log_path);
/* Stops what is being said. */
void speech_free(struct speech *sp);

const struct speech_settings *speech_settings(const struct speech *sp);
/* Is the voice on? (false without a voice) */
bool speech_on(const struct speech *sp);
/* Keeps new settings in the store (an event says what changed); 0, or
 * -1 when the store refused (then nothing changed). */
int speech_set(struct speech *sp, const struct speech_settings *s);
/* The settings when nothing was chosen: on, 80 %, normal, the southern
 * voice, quiet from 21:00 to 05:00, no alarms at night, again each
 * 10 minutes. */
void speech_defaults(struct speech_settings *s);

/* Says text as the screen shows it (its numbers, dates and codes are
 * said in words), cutting what is being said. For what a person asked
 * for or just did: said at any hour when the voice is on. Returns true
 * when it is being said. */
bool speech_say(struct speech *sp, const char *shown);
/* A sample in the voice and loudness of the settings (Cài đặt). */
bool speech_say_sample(struct speech *sp);
/* Is it quiet hours at the station's time now? */
bool speech_quiet_now(const struct speech *sp);
/* Tries the sound device without a sound (the state becomes
 * SOUND_CHECKING, then what was found; the screens are told). */
void speech_check_sound(struct speech *sp);
enum speech_sound speech_sound(const struct speech *sp);
/* One sentence for Cài đặt on the sound device. Returns buf. */
char *speech_sound_sentence(const struct speech *sp, char *buf, size_t n);

/* The words for rate and accent, for the settings screen. */
const char *speech_rate_name(int rate);
const char *speech_accent_name(int accent);

/* The voice's name for eSpeak NG: the accent's in Vietnamese, English's
 * in English. */
const char *speech_voice_name(int accent, const char *lang);

#endif
