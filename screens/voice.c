/* The voice's settings (Cài đặt, behind the manager's PIN): on or off,
 * loudness, speed, the Vietnamese voice, quiet hours, alarms at night and
 * how often an alarm is said again; and what the sound device did, in a
 * sentence. A number changes its setting at once (a loudness, a speed or
 * a voice is heard in a sample); quiet hours are two times to type. */
#include "screen.h"

#include "app.h"
#include "keys.h"
#include "speech.h"
#include "text.h"
#include "timeentry.h"
#include "ui.h"
#include "widgets.h"

#include <curses.h>
#include <stdio.h>

/* When it speaks, then how it sounds. */
enum item { IT_ON, IT_QUIET, IT_NIGHT, IT_VOLUME, IT_RATE, IT_ACCENT, IT_REPEAT, IT_TRY, N_ITEMS };
enum mode { LIST, QUIET_FROM, QUIET_TO };

static const int repeats[] = { 5, 10, 15, 30, 60 };
#define N_REPEATS ((int)(sizeof(repeats) / sizeof(repeats[0])))

struct voice {
	enum mode mode;
	int page;
	struct timeentry time;
	int quiet_from;		/* typed, while the end is asked */
};

static void voice_enter(struct ui *ui, void *st)
{
	(void)st;
	speech_check_sound(ui_app(ui)->speech);
}

static void quiet_words(const struct speech_settings *s, char *buf, size_t n)
{
	if (s->quiet_from == s->quiet_to)
		snprintf(buf, n, "%s", _("none"));
	else
		snprintf(buf, n, "%02d:%02d–%02d:%02d", s->quiet_from / 60, s->quiet_from % 60,
			 s->quiet_to / 60, s->quiet_to % 60);
}

static int labels_of(const struct speech_settings *s, char text[N_ITEMS][128],
		     const char **labels)
{
	char q[32];

	snprintf(text[IT_ON], 128, _("Voice: %s"), s->on ? _("on") : _("off"));
	snprintf(text[IT_VOLUME], 128, _("Loudness: %d%%"), s->volume);
	snprintf(text[IT_RATE], 128, _("Speed: %s"), speech_rate_name(s->rate));
	snprintf(text[IT_ACCENT], 128, _("Accent: %s"), speech_accent_name(s->accent));
	quiet_words(s, q, sizeof(q));
	snprintf(text[IT_QUIET], 128, _("Quiet hours: %s"), q);
	snprintf(text[IT_NIGHT], 128, "%s",
		 s->alarms_at_night ? _("Alarms in quiet hours: said")
				    : _("Alarms in quiet hours: not said"));
	snprintf(text[IT_REPEAT], 128, _("Alarms said again every %d minutes"), s->repeat_minutes);
	snprintf(text[IT_TRY], 128, "%s", _("Try the voice"));
	for (int i = 0; i < N_ITEMS; i++)
		labels[i] = text[i];
	return N_ITEMS;
}

/* The sound device's sentence, then the settings. */
static int list_top(struct ui *ui, bool draw)
{
	char sound[512];

	speech_sound_sentence(ui_app(ui)->speech, sound, sizeof(sound));
	return ui_top(ui) + widget_wrap(ui_top(ui), 1, COLS - 2, 4,
					speech_sound(ui_app(ui)->speech) == SOUND_OK ? TONE_GOOD
										     : TONE_DRY,
					sound, draw);
}

static void voice_draw(struct ui *ui, void *st)
{
	struct voice *v = st;
	const struct speech_settings *s = speech_settings(ui_app(ui)->speech);
	char text[N_ITEMS][128], num[16], q[32];
	const char *labels[N_ITEMS];
	int y = ui_top(ui);

	if (v->mode == LIST) {
		int top = list_top(ui, true);

		widget_pick(top, ui_bottom(ui), labels, labels_of(s, text, labels), v->page, -1);
		return;
	}
	y += widget_wrap(y, 1, COLS - 2, 3, TONE_NORMAL,
			 _("In quiet hours the voice says no alarm; what a person asks is said."),
			 true);
	widget_text(y + 1, 1, COLS - 2, TONE_NORMAL,
		    v->mode == QUIET_FROM ? _("Quiet from what time?") : _("Quiet until what time?"));
	snprintf(q, sizeof(q), "[ %s ]", timeentry_text(&v->time, num, sizeof(num)));
	attron(A_BOLD);
	widget_text(y + 2, 3, COLS - 4, TONE_NORMAL, q);
	attroff(A_BOLD);
	widget_wrap(y + 4, 1, COLS - 2, ui_bottom(ui) - y - 3, TONE_NORMAL,
		    _("Digits: 2100 is 21:00; the same two times: no quiet hours"), true);
}

/* Keeps s, says so; the voice then speaks in its new way. */
static void keep(struct ui *ui, const struct speech_settings *s, bool sample)
{
	struct speech *sp = ui_app(ui)->speech;

	if (speech_set(sp, s) < 0) {
		ui_alert(ui, "%s", _("The setting was not saved."));
		return;
	}
	if (sample)
		speech_say_sample(sp);
}

static int change(struct ui *ui, struct voice *v, int item)
{
	struct speech *sp = ui_app(ui)->speech;
	struct speech_settings s = *speech_settings(sp);
	int i;

	switch (item) {
	case IT_ON:
		s.on = !s.on;
		keep(ui, &s, false);
		if (s.on)
			speech_say(sp, _("The voice is on."));
		break;
	case IT_VOLUME:
		s.volume = s.volume >= 100 ? SPEECH_VOLUME_STEP
					   : (s.volume / SPEECH_VOLUME_STEP + 1) * SPEECH_VOLUME_STEP;
		keep(ui, &s, true);
		break;
	case IT_RATE:
		s.rate = (s.rate + 1) % RATE_COUNT;
		keep(ui, &s, true);
		break;
	case IT_ACCENT:
		s.accent = (s.accent + 1) % ACCENT_COUNT;
		keep(ui, &s, true);
		break;
	case IT_QUIET:
		timeentry_init(&v->time, s.quiet_from);
		v->mode = QUIET_FROM;
		break;
	case IT_NIGHT:
		s.alarms_at_night = !s.alarms_at_night;
		keep(ui, &s, false);
		break;
	case IT_REPEAT:
		for (i = 0; i < N_REPEATS && repeats[i] <= s.repeat_minutes; i++)
			;
		s.repeat_minutes = repeats[i < N_REPEATS ? i : 0];
		keep(ui, &s, false);
		break;
	case IT_TRY:
		if (!speech_on(sp))
			ui_say(ui, "%s", _("The voice is off: 1 turns it on."));
		else
			speech_say_sample(sp);
		break;
	default:
		break;
	}
	return ACT_REDRAW;
}

static int key_time(struct ui *ui, struct voice *v, int key)
{
	struct speech_settings s = *speech_settings(ui_app(ui)->speech);
	char q[32];

	switch (timeentry_key(&v->time, key)) {
	case NUM_DONE:
		if (v->mode == QUIET_FROM) {
			v->quiet_from = timeentry_value(&v->time);
			timeentry_init(&v->time, s.quiet_to);
			v->mode = QUIET_TO;
			return ACT_REDRAW;
		}
		s.quiet_from = v->quiet_from;
		s.quiet_to = timeentry_value(&v->time);
		v->mode = LIST;
		if (speech_set(ui_app(ui)->speech, &s) < 0) {
			ui_alert(ui, "%s", _("The setting was not saved."));
			return ACT_REDRAW;
		}
		quiet_words(&s, q, sizeof(q));
		ui_say(ui, _("Quiet hours: %s."), q);
		return ACT_REDRAW;
	case NUM_CANCEL:
		if (v->mode == QUIET_TO) {
			timeentry_init(&v->time, v->quiet_from);
			v->mode = QUIET_FROM;
		} else {
			v->mode = LIST;
		}
		return ACT_REDRAW;
	case NUM_REFUSED:
		ui_alert(ui, "%s", v->time.why);
		return ACT_REDRAW;
	case NUM_EDITED:
		return ACT_REDRAW;
	default:
		return ACT_NONE;
	}
}

static int voice_key(struct ui *ui, void *st, int key)
{
	struct voice *v = st;
	const struct speech_settings *s = speech_settings(ui_app(ui)->speech);
	char text[N_ITEMS][128];
	const char *labels[N_ITEMS];
	int n, item;

	if (v->mode != LIST)
		return key_time(ui, v, key);
	n = labels_of(s, text, labels);
	item = widget_pick_key(key, &v->page, n,
			       widget_pick_per_page(list_top(ui, false), ui_bottom(ui), labels, n));
	if (item == WIDGET_PAGED)
		return ACT_REDRAW;
	if (item >= 0)
		return change(ui, v, item);
	return ACT_PASS;
}

static unsigned voice_mode(void *st)
{
	return ((const struct voice *)st)->mode != LIST ? MODE_FIELD : 0;
}

static const char *voice_title_now(struct ui *ui, void *st)
{
	(void)ui;
	return ((const struct voice *)st)->mode != LIST ? _("Quiet hours") : NULL;
}

static const char *const voice_help[] = {
	N_("1-9: change that setting; a sample is said"),
	N_("+/-: more settings"),
	N_("* twice on any screen reads it aloud"),
	NULL,
};

const struct screen screen_voice = {
	.title = N_("Voice"),
	.state_size = sizeof(struct voice),
	.enter = voice_enter,
	.draw = voice_draw,
	.key = voice_key,
	.help = voice_help,
	.mode = voice_mode,
	.title_now = voice_title_now,
};
