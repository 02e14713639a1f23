/* The station's voice. Each utterance is said by a child process, the
 * speaker program (fieldstation-speak beside the station, or in its
 * lib/fieldstation/ when installed), given the words, the voice, the
 * rate and the loudness. The station only starts it (posix_spawn, which
 * does not copy the station), watches its end through a pidfd in the one
 * poll loop, and kills it with SIGKILL when a new utterance cuts it short
 * or its deadline passes: a missing, unplugged or hung sound device can
 * cost a child process, never the screen or the pumps. eSpeak NG's own
 * asynchronous mode would run in the station's process, where a sound
 * library stuck in a device call could not be killed without the
 * station. */
#include "speech.h"

#include "alarms.h"
#include "app.h"
#include "clock.h"
#include "loop.h"
#include "speech_words.h"
#include "store.h"
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* The speaker's exit statuses (src/speaker.c). */
#define SPEAKER_NO_DEVICE 3

/* Children being said or dying: one speaks, the others were cut and
 * are being reaped. A device so stuck that killed children cannot die
 * leaves them here, and nothing more is started. */
#define MAX_CHILDREN 4

/* How long an utterance may take before its device is taken for hung:
 * far more than the slowest voice needs for its words. */
#define DEADLINE_MS 15000
#define DEADLINE_MS_PER_BYTE 150

#define WORDS_MAX 4096

struct child {
	struct speech *sp;
	pid_t pid;		/* 0: free */
	int pidfd;		/* -1 where the kernel has no pidfd */
	int timer;
	bool cut;		/* killed for a newer utterance: says nothing of the device */
	bool overdue;		/* killed at its deadline */
	bool check;		/* a silent check of the device */
};

struct speech {
	struct app *app;
	struct speech_settings set;
	int log_fd;
	char speaker[PATH_MAX];
	struct child children[MAX_CHILDREN];
	enum speech_sound sound;
	time_t sound_at;	/* when sound was last found to work */
	int alarm_timer;	/* a new alarm to say (at once) */
	int repeat_timer;	/* alarms not acknowledged, said again */
	int64_t last_alarm;	/* the newest alarm said or skipped */
};

static const char *const rate_keys[RATE_COUNT] = { "slow", "normal", "fast" };
static const int rate_wpm[RATE_COUNT] = { 115, 140, 170 };
static const char *const rate_names[RATE_COUNT] = { N_("slow"), N_("normal"), N_("fast") };
static const char *const accent_keys[ACCENT_COUNT] = { "south", "north", "central" };
static const char *const accent_voices[ACCENT_COUNT] = { "vi-VN-x-south", "vi",
							 "vi-VN-x-central" };
static const char *const accent_names[ACCENT_COUNT] = { N_("southern"), N_("northern"),
							N_("central") };

const char *speech_rate_name(int rate)
{
	return _(rate_names[rate >= 0 && rate < RATE_COUNT ? rate : RATE_NORMAL]);
}

const char *speech_accent_name(int accent)
{
	return _(accent_names[accent >= 0 && accent < ACCENT_COUNT ? accent : ACCENT_SOUTH]);
}

const char *speech_voice_name(int accent, const char *lang)
{
	if (lang && strcmp(lang, "en") == 0)
		return "en";
	return accent_voices[accent >= 0 && accent < ACCENT_COUNT ? accent : ACCENT_SOUTH];
}

void speech_defaults(struct speech_settings *s)
{
	*s = (struct speech_settings){
		.on = true,
		.volume = 80,
		.rate = RATE_NORMAL,
		.accent = ACCENT_SOUTH,
		.quiet_from = 21 * 60,
		.quiet_to = 5 * 60,
		.alarms_at_night = false,
		.repeat_minutes = 10,
	};
}

/* The settings. */

static int key_index(const char *const *keys, int n, const char *v)
{
	for (int i = 0; i < n; i++)
		if (strcmp(keys[i], v) == 0)
			return i;
	return -1;
}

static bool meta(struct store *st, const char *key, char *v, size_t n)
{
	return store_meta_get(st, key, v, n) == 0 && v[0];
}

/* Values from the store, each checked; what is unreadable keeps its
 * default. */
static void load(struct speech *sp)
{
	struct store *st = sp->app->store;
	struct speech_settings *s = &sp->set;
	char v[32];
	int a, b, c, d, i;

	speech_defaults(s);
	if (meta(st, "voice", v, sizeof(v)))
		s->on = strcmp(v, "off") != 0;
	if (meta(st, "voice.volume", v, sizeof(v)) && sscanf(v, "%d", &i) == 1 && i >= 0 &&
	    i <= 100)
		s->volume = i;
	if (meta(st, "voice.rate", v, sizeof(v)) && (i = key_index(rate_keys, RATE_COUNT, v)) >= 0)
		s->rate = i;
	if (meta(st, "voice.accent", v, sizeof(v)) &&
	    (i = key_index(accent_keys, ACCENT_COUNT, v)) >= 0)
		s->accent = i;
	if (meta(st, "voice.quiet", v, sizeof(v))) {
		if (strcmp(v, "none") == 0)
			s->quiet_from = s->quiet_to = 0;
		else if (sscanf(v, "%2d:%2d-%2d:%2d", &a, &b, &c, &d) == 4 && a < 24 && b < 60 &&
			 c < 24 && d < 60 && a >= 0 && b >= 0 && c >= 0 && d >= 0) {
			s->quiet_from = a * 60 + b;
			s->quiet_to = c * 60 + d;
		}
	}
	if (meta(st, "voice.night_alarms", v, sizeof(v)))
		s->alarms_at_night = strcmp(v, "yes") == 0;
	if (meta(st, "voice.repeat", v, sizeof(v)) && sscanf(v, "%d", &i) == 1 && i >= 1 &&
	    i <= 240)
		s->repeat_minutes = i;
}

static void quiet_text(const struct speech_settings *s, char *buf, size_t n)
{
	if (s->quiet_from == s->quiet_to)
		snprintf(buf, n, "none");
	else
		snprintf(buf, n, "%02d:%02d-%02d:%02d", s->quiet_from / 60, s->quiet_from % 60,
			 s->quiet_to / 60, s->quiet_to % 60);
}

const struct speech_settings *speech_settings(const struct speech *sp)
{
	return &sp->set;
}

bool speech_on(const struct speech *sp)
{
	return sp && sp->set.on;
}

int speech_set(struct speech *sp, const struct speech_settings *s)
{
	struct store *st = sp->app->store;
	char volume[8], repeat[8], quiet[16], detail[128];
	struct speech_settings v = *s;

	if (v.volume < 0 || v.volume > 100 || v.rate < 0 || v.rate >= RATE_COUNT || v.accent < 0 ||
	    v.accent >= ACCENT_COUNT || v.quiet_from < 0 || v.quiet_from >= 1440 ||
	    v.quiet_to < 0 || v.quiet_to >= 1440 || v.repeat_minutes < 1 || v.repeat_minutes > 240)
		return -1;
	snprintf(volume, sizeof(volume), "%d", v.volume);
	snprintf(repeat, sizeof(repeat), "%d", v.repeat_minutes);
	quiet_text(&v, quiet, sizeof(quiet));
	if (store_begin(st) < 0)
		return -1;
	if (store_meta_set(st, "voice", v.on ? "on" : "off") < 0 ||
	    store_meta_set(st, "voice.volume", volume) < 0 ||
	    store_meta_set(st, "voice.rate", rate_keys[v.rate]) < 0 ||
	    store_meta_set(st, "voice.accent", accent_keys[v.accent]) < 0 ||
	    store_meta_set(st, "voice.quiet", quiet) < 0 ||
	    store_meta_set(st, "voice.night_alarms", v.alarms_at_night ? "yes" : "no") < 0 ||
	    store_meta_set(st, "voice.repeat", repeat) < 0) {
		store_rollback(st);
		return -1;
	}
	snprintf(detail, sizeof(detail), "%s %s%% %s %s quiet %s night_alarms %s repeat %s",
		 v.on ? "on" : "off", volume, rate_keys[v.rate], accent_keys[v.accent], quiet,
		 v.alarms_at_night ? "yes" : "no", repeat);
	store_event(st, clock_now(sp->app->clock), "voice_set", NULL, detail, false);
	if (store_commit(st) < 0) {
		store_rollback(st);
		return -1;
	}
	sp->set = v;
	return 0;
}

bool speech_quiet_now(const struct speech *sp)
{
	const struct speech_settings *s = &sp->set;
	time_t now = clock_now(sp->app->clock);
	struct tm tm;
	int m;

	if (s->quiet_from == s->quiet_to)
		return false;
	localtime_r(&now, &tm);
	m = tm.tm_hour * 60 + tm.tm_min;
	if (s->quiet_from < s->quiet_to)
		return m >= s->quiet_from && m < s->quiet_to;
	return m >= s->quiet_from || m < s->quiet_to;
}

/* The speaker program: beside this program (a build folder), or in
 * lib/fieldstation/ beside its bin/ (installed, whatever the PREFIX). */
static void find_speaker(struct speech *sp)
{
	static const char *const tries[] = { "/fieldstation-speak", "/../fieldstation-speak",
					     "/../lib/fieldstation/fieldstation-speak" };
	char dir[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 64);
	char *slash;

	snprintf(sp->speaker, sizeof(sp->speaker), "/usr/lib/fieldstation/fieldstation-speak");
	if (n <= 0)
		return;
	dir[n] = '\0';
	slash = strrchr(dir, '/');
	if (!slash)
		return;
	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		strcpy(slash, tries[i]);
		if (access(dir, X_OK) == 0) {
			snprintf(sp->speaker, sizeof(sp->speaker), "%s", dir);
			return;
		}
	}
}

/* The children. */

static void sound_is(struct speech *sp, enum speech_sound s)
{
	if (s == sp->sound)
		return;
	/* A device that stops working is in the event log once. */
	if (s != SOUND_OK && s != SOUND_CHECKING && s != SOUND_UNKNOWN) {
		static const char *const kinds[] = {
			[SOUND_NO_DEVICE] = "no_device", [SOUND_NO_VOICE] = "no_voice",
			[SOUND_HUNG] = "device_hung", [SOUND_NO_SPEAKER] = "no_speaker",
		};

		store_event(sp->app->store, clock_now(sp->app->clock), "voice_failed", NULL,
			    kinds[s], false);
	}
	sp->sound = s;
	app_changed(sp->app);
}

static void child_done(struct speech *sp, struct child *c, int status)
{
	if (c->timer)
		loop_timer_del(sp->app->loop, c->timer);
	if (c->pidfd >= 0) {
		loop_unwatch(sp->app->loop, c->pidfd);
		close(c->pidfd);
	}
	/* One that hung was said at its deadline; one cut for a newer
	 * utterance tells nothing of the device. */
	if (!c->overdue && !c->cut) {
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			sp->sound_at = clock_now(sp->app->clock);
			sound_is(sp, SOUND_OK);
		} else if (WIFEXITED(status) && WEXITSTATUS(status) == SPEAKER_NO_DEVICE) {
			sound_is(sp, SOUND_NO_DEVICE);
		} else {
			sound_is(sp, SOUND_NO_VOICE);
		}
	}
	*c = (struct child){ .sp = sp, .pidfd = -1 };
}

/* Reaps c if it has ended; true then. */
static bool reap(struct speech *sp, struct child *c)
{
	int status = 0;
	pid_t r = waitpid(c->pid, &status, WNOHANG);

	if (r == c->pid || (r < 0 && errno == ECHILD)) {
		child_done(sp, c, r == c->pid ? status : 0);
		return true;
	}
	return false;
}

static void on_child_end(void *data, int fd, short revents)
{
	struct speech *sp = data;

	(void)revents;
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (sp->children[i].pid && sp->children[i].pidfd == fd) {
			reap(sp, &sp->children[i]);
			return;
		}
	loop_unwatch(sp->app->loop, fd);
}

/* The deadline: a child still there is killed, then reaped once it has
 * died; one that cannot die (a driver stuck in the kernel) is looked at
 * again each second. */
static int64_t on_deadline(void *data)
{
	struct child *c = data;
	struct speech *sp = c->sp;

	if (reap(sp, c))
		return LOOP_DONE;
	/* Said now: a child stuck in a driver may never be reaped. */
	if (!c->cut && !c->overdue) {
		c->overdue = true;
		sound_is(sp, SOUND_HUNG);
	}
	kill(c->pid, SIGKILL);
	if (c->pidfd >= 0) {
		c->timer = 0;
		return LOOP_DONE;	/* its pidfd tells */
	}
	return 1000;
}

/* What is being said stops now. */
static void cut(struct speech *sp)
{
	for (int i = 0; i < MAX_CHILDREN; i++) {
		struct child *c = &sp->children[i];

		if (!c->pid || c->cut || c->overdue)
			continue;
		c->cut = true;
		kill(c->pid, SIGKILL);
		if (!reap(sp, c) && c->pidfd < 0 && c->timer)
			loop_timer_set(sp->app->loop, c->timer, 200);
	}
}

static int pidfd_of(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

/* Starts the speaker with args (NULL-ended, after its name); false when
 * it could not be started. */
static bool start(struct speech *sp, const char *const *args, int64_t deadline_ms, bool check)
{
	const char *argv[16];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	struct child *c = NULL;
	pid_t pid;
	int n = 0, rc;

	for (int i = 0; i < MAX_CHILDREN; i++) {
		if (sp->children[i].pid)
			reap(sp, &sp->children[i]);
		if (!sp->children[i].pid && !c)
			c = &sp->children[i];
	}
	if (!c)
		return false;
	argv[n++] = sp->speaker;
	while (*args && n < 15)
		argv[n++] = *args++;
	argv[n] = NULL;
	/* Nothing of the station's but the words: no descriptor (not the
	 * relays' lines, nor the database), no blocked or ignored signal,
	 * no terminal. */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigfillset(&dfl);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
				 POSIX_SPAWN_SETPGROUP);
	rc = posix_spawn(&pid, sp->speaker, &fa, &attr, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		sound_is(sp, SOUND_NO_SPEAKER);
		return false;
	}
	*c = (struct child){ .sp = sp, .pid = pid, .pidfd = pidfd_of(pid), .check = check };
	if (c->pidfd >= 0 && loop_watch(sp->app->loop, c->pidfd, POLLIN, on_child_end, sp) < 0) {
		close(c->pidfd);
		c->pidfd = -1;
	}
	c->timer = loop_timer_add(sp->app->loop, deadline_ms, on_deadline, c);
	if (c->timer < 0)
		c->timer = 0;
	return true;
}

static void log_words(struct speech *sp, const char *words)
{
	size_t len = strlen(words);
	char line[WORDS_MAX + 2];

	if (sp->log_fd < 0)
		return;
	memcpy(line, words, len);
	line[len] = '\n';
	/* One write with O_APPEND: a whole line, whatever reads it. */
	if (write(sp->log_fd, line, len + 1) < 0)
		return;
}

/* Says words (already words) in the voice of the settings. */
static bool say_words(struct speech *sp, const char *words)
{
	char rate[8], volume[8];
	const char *lang = text_language();
	const char *args[] = { "--voice", speech_voice_name(sp->set.accent, lang), "--rate", rate,
			       "--volume", volume, "--", words, NULL };

	if (!words[0])
		return false;
	snprintf(rate, sizeof(rate), "%d", rate_wpm[sp->set.rate]);
	snprintf(volume, sizeof(volume), "%d", sp->set.volume);
	log_words(sp, words);
	cut(sp);
	return start(sp, args, DEADLINE_MS + DEADLINE_MS_PER_BYTE * (int64_t)strlen(words), false);
}

bool speech_say(struct speech *sp, const char *shown)
{
	char words[WORDS_MAX];

	if (!sp || !sp->set.on)
		return false;
	speech_words(words, sizeof(words), shown, text_language());
	return say_words(sp, words);
}

bool speech_say_sample(struct speech *sp)
{
	char line[256];

	if (!sp)
		return false;
	snprintf(line, sizeof(line), _("This is the station's voice: %s, %s, loudness %d%%."),
		 speech_accent_name(sp->set.accent), speech_rate_name(sp->set.rate),
		 sp->set.volume);
	return speech_say(sp, line);
}

void speech_check_sound(struct speech *sp)
{
	const char *args[] = { "--check", NULL };

	if (!sp)
		return;
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (sp->children[i].pid && !sp->children[i].cut && !sp->children[i].overdue)
			return;		/* what is being said will tell */
	if (start(sp, args, DEADLINE_MS, true))
		sound_is(sp, SOUND_CHECKING);
}

enum speech_sound speech_sound(const struct speech *sp)
{
	return sp ? sp->sound : SOUND_UNKNOWN;
}

char *speech_sound_sentence(const struct speech *sp, char *buf, size_t n)
{
	char at[32];

	switch (speech_sound(sp)) {
	case SOUND_OK:
		snprintf(buf, n, _("The sound device works (last at %s)."),
			 text_time(at, sizeof(at), sp->sound_at));
		break;
	case SOUND_CHECKING:
		snprintf(buf, n, "%s", _("Trying the sound device."));
		break;
	case SOUND_NO_DEVICE:
		snprintf(buf, n, "%s", _("No sound device: nothing is heard. Plug a speaker into the board's jack, HDMI or a USB sound card."));
		break;
	case SOUND_NO_VOICE:
		snprintf(buf, n, "%s", _("The voice cannot speak: its speech data is missing (the espeak-ng-data package)."));
		break;
	case SOUND_HUNG:
		snprintf(buf, n, "%s", _("The sound device did not answer and was left alone. Unplug the speaker or USB sound card and plug it in again."));
		break;
	case SOUND_NO_SPEAKER:
		snprintf(buf, n, "%s", _("The voice's program (fieldstation-speak) is missing: install the station again."));
		break;
	default:
		snprintf(buf, n, "%s", _("The sound device has not been tried yet."));
		break;
	}
	return buf;
}

/* Alarms, said without asking: each new one at once, then again every
 * repeat_minutes until every alarm is acknowledged; never in quiet hours
 * unless the settings allow it. */

static bool may_speak_unasked(const struct speech *sp)
{
	return sp->set.on && (sp->set.alarms_at_night || !speech_quiet_now(sp));
}

static int64_t repeat_delay(const struct speech *sp)
{
	const struct clock *c = sp->app->clock;

	return clock_real_ms_until(c, clock_now_ms(c) + (int64_t)sp->set.repeat_minutes * 60000);
}

static int64_t on_repeat(void *data)
{
	struct speech *sp = data;
	struct event_row e;
	char text[1024], line[1200];
	int waiting = 0;

	if (store_alarms_open(sp->app->store, &waiting) < 0 || waiting == 0 ||
	    store_alarms_list(sp->app->store, &e, 1) != 1) {
		sp->repeat_timer = 0;
		return LOOP_DONE;
	}
	if (may_speak_unasked(sp)) {
		alarm_text(sp->app->cfg, &e, text, sizeof(text));
		if (waiting == 1)
			snprintf(line, sizeof(line), _("Alarm not acknowledged: %s"), text);
		else
			snprintf(line, sizeof(line),
				 ngettext("%d alarm not acknowledged. The newest: %s",
					  "%d alarms not acknowledged. The newest: %s",
					  (unsigned long)waiting),
				 waiting, text);
		speech_say(sp, line);
	}
	return repeat_delay(sp);
}

static int64_t on_new_alarm(void *data)
{
	struct speech *sp = data;
	struct event_row e;
	char text[1024], line[1100];

	sp->alarm_timer = 0;
	if (store_alarms_list(sp->app->store, &e, 1) != 1 || e.id <= sp->last_alarm)
		return LOOP_DONE;
	sp->last_alarm = e.id;
	if (may_speak_unasked(sp)) {
		alarm_text(sp->app->cfg, &e, text, sizeof(text));
		snprintf(line, sizeof(line), _("Alarm: %s"), text);
		speech_say(sp, line);
	}
	if (sp->repeat_timer)
		loop_timer_set(sp->app->loop, sp->repeat_timer, repeat_delay(sp));
	else
		sp->repeat_timer = loop_timer_add(sp->app->loop, repeat_delay(sp), on_repeat, sp);
	return LOOP_DONE;
}

/* The store wrote an alarm: said from the loop, once the writer is
 * done, never inside its transaction. */
static void on_alarm_written(void *ctx)
{
	struct speech *sp = ctx;

	if (!sp->alarm_timer)
		sp->alarm_timer = loop_timer_add(sp->app->loop, 0, on_new_alarm, sp);
}

struct speech *speech_new(struct app *app, const char *log_path)
{
	struct speech *sp = calloc(1, sizeof(*sp));
	struct event_row e;
	int waiting = 0;

	if (!sp)
		return NULL;
	sp->app = app;
	sp->log_fd = -1;
	for (int i = 0; i < MAX_CHILDREN; i++)
		sp->children[i] = (struct child){ .sp = sp, .pidfd = -1 };
	if (log_path)
		sp->log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
				  0644);
	find_speaker(sp);
	load(sp);
	/* Alarms from before a restart: said again at the interval; only
	 * those raised from now on are new. */
	if (store_alarms_list(app->store, &e, 1) == 1)
		sp->last_alarm = e.id;
	if (store_alarms_open(app->store, &waiting) == 0 && waiting > 0)
		sp->repeat_timer = loop_timer_add(app->loop, repeat_delay(sp), on_repeat, sp);
	store_on_alarm(app->store, on_alarm_written, sp);
	return sp;
}

void speech_free(struct speech *sp)
{
	if (!sp)
		return;
	store_on_alarm(sp->app->store, NULL, NULL);
	for (int i = 0; i < MAX_CHILDREN; i++) {
		struct child *c = &sp->children[i];

		if (!c->pid)
			continue;
		kill(c->pid, SIGKILL);
		/* Reaped if it died at once; else init takes it. */
		waitpid(c->pid, NULL, WNOHANG);
		if (c->timer)
			loop_timer_del(sp->app->loop, c->timer);
		if (c->pidfd >= 0) {
			loop_unwatch(sp->app->loop, c->pidfd);
			close(c->pidfd);
		}
	}
	if (sp->alarm_timer)
		loop_timer_del(sp->app->loop, sp->alarm_timer);
	if (sp->repeat_timer)
		loop_timer_del(sp->app->loop, sp->repeat_timer);
	if (sp->log_fd >= 0)
		close(sp->log_fd);
	free(sp);
}
