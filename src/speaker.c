/* fieldstation-speak: says one text with eSpeak NG, on the sound device
 * or into a WAV file, then ends. The station runs it as a child process
 * for each utterance and kills it when a new utterance cuts it short or
 * when it takes far too long (a hung sound device), so that the station's
 * loop never waits for sound; and this program alone links the
 * synthesiser and the sound libraries it brings (PulseAudio, ALSA and
 * thirty more), which would cost the station's start-up time and memory.
 *
 *   fieldstation-speak [--voice NAME] [--rate WPM] [--volume 0-100]
 *                      [--wav FILE | --check] [--] TEXT
 *
 * Exit status: 0 said (or, with --check, the sound device opens); 2 bad
 * arguments; 3 no sound device; 4 no speech data or no such voice; 5 the
 * WAV file could not be written. Nothing is printed: the station reads
 * the status, and the sound libraries' own complaints go to stderr. */
#include <espeak-ng/espeak_ng.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

enum {
	EXIT_SAID = 0,
	EXIT_USAGE = 2,
	EXIT_NO_DEVICE = 3,
	EXIT_NO_VOICE = 4,
	EXIT_WAV = 5,
};

/* Far longer than any utterance: a program that is still here then is
 * stuck, whatever its parent does. */
#define MAX_SECONDS 300

/* The samples of a WAV file being made. */
static int16_t *samples;
static size_t n_samples, cap_samples;
static int wav_failed;

static int on_samples(short *wav, int n, espeak_EVENT *events)
{
	(void)events;
	if (!wav || n <= 0)
		return 0;
	if (n_samples + (size_t)n > cap_samples) {
		size_t cap = (cap_samples ? cap_samples * 2 : 65536) + (size_t)n;
		int16_t *more = realloc(samples, cap * sizeof(*samples));

		if (!more) {
			wav_failed = 1;
			return 1;	/* stop */
		}
		samples = more;
		cap_samples = cap;
	}
	memcpy(samples + n_samples, wav, (size_t)n * sizeof(*samples));
	n_samples += (size_t)n;
	return 0;
}

static void le16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v & 0xff);
	p[1] = (unsigned char)(v >> 8 & 0xff);
}

static void le32(unsigned char *p, uint32_t v)
{
	le16(p, v & 0xffff);
	le16(p + 2, v >> 16);
}

/* A 16-bit mono PCM WAV file, little-endian whatever the board. */
static int write_wav(const char *path, int rate)
{
	unsigned char h[44];
	uint32_t bytes = (uint32_t)(n_samples * 2);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	int ok = fd >= 0;

	memcpy(h, "RIFF", 4);
	le32(h + 4, 36 + bytes);
	memcpy(h + 8, "WAVEfmt ", 8);
	le32(h + 16, 16);
	le16(h + 20, 1);
	le16(h + 22, 1);
	le32(h + 24, (uint32_t)rate);
	le32(h + 28, (uint32_t)rate * 2);
	le16(h + 32, 2);
	le16(h + 34, 16);
	memcpy(h + 36, "data", 4);
	le32(h + 40, bytes);
	ok = ok && write(fd, h, sizeof(h)) == (ssize_t)sizeof(h);
	for (size_t i = 0; ok && i < n_samples; i++) {
		unsigned char s[2];

		le16(s, (unsigned)(uint16_t)samples[i]);
		/* Buffered by the kernel; a WAV for a test is small. */
		ok = write(fd, s, 2) == 2;
	}
	if (fd >= 0 && close(fd) < 0)
		ok = 0;
	return ok ? 0 : -1;
}

static int number_arg(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

int main(int argc, char **argv)
{
	const char *voice = "vi-VN-x-south", *wav = NULL, *text = NULL;
	int rate = 150, volume = 100, check = 0, sample_rate, i;
	espeak_ng_OUTPUT_MODE mode;
	espeak_ng_STATUS st;

	/* Ends with the station, and never outlives a stuck sound device by
	 * more than MAX_SECONDS. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	alarm(MAX_SECONDS);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (strcmp(argv[i], "--voice") == 0 && i + 1 < argc) {
			voice = argv[++i];
		} else if (strcmp(argv[i], "--rate") == 0 && i + 1 < argc) {
			if (number_arg(argv[++i], 80, 450, &rate) < 0)
				return EXIT_USAGE;
		} else if (strcmp(argv[i], "--volume") == 0 && i + 1 < argc) {
			if (number_arg(argv[++i], 0, 100, &volume) < 0)
				return EXIT_USAGE;
		} else if (strcmp(argv[i], "--wav") == 0 && i + 1 < argc) {
			wav = argv[++i];
		} else if (strcmp(argv[i], "--check") == 0) {
			check = 1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return EXIT_USAGE;
		} else {
			break;
		}
	}
	if (i + 1 == argc)
		text = argv[i];
	if ((!text && !check) || (text && check) || (wav && check) || i + 1 < argc)
		return EXIT_USAGE;

	espeak_ng_InitializePath(NULL);
	if (espeak_ng_Initialize(NULL) != ENS_OK)
		return EXIT_NO_VOICE;
	/* Synchronous: this program has nothing else to do while it speaks. */
	mode = ENOUTPUT_MODE_SYNCHRONOUS | (wav ? 0 : ENOUTPUT_MODE_SPEAK_AUDIO);
	if (espeak_ng_InitializeOutput(mode, 0, NULL) != ENS_OK)
		return wav ? EXIT_WAV : EXIT_NO_DEVICE;
	sample_rate = espeak_ng_GetSampleRate();
	if (espeak_ng_SetVoiceByName(voice) != ENS_OK)
		return EXIT_NO_VOICE;
	espeak_ng_SetParameter(espeakRATE, rate, 0);
	/* The device opens at the first sound: a check says a short one,
	 * silently. */
	espeak_ng_SetParameter(espeakVOLUME, check ? 0 : volume, 0);
	if (check)
		text = "a";
	if (wav)
		espeak_SetSynthCallback(on_samples);
	st = espeak_ng_Synthesize(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8,
				  NULL, NULL);
	if (st == ENS_OK)
		st = espeak_ng_Synchronize();
	espeak_ng_Terminate();
	if (st == ENS_AUDIO_ERROR)
		return EXIT_NO_DEVICE;
	if (st != ENS_OK)
		return EXIT_NO_VOICE;
	if (wav && (wav_failed || write_wav(wav, sample_rate) < 0))
		return EXIT_WAV;
	return EXIT_SAID;
}
