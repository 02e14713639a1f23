/* A microcontroller node on a USB serial port. At each poll the station
 * sends "?" and a newline; the node answers one line per analog channel,
 *   $FS,<channel>,<value>*<checksum>
 * where the checksum is the XOR of the characters between '$' and '*' in
 * two hex digits, as in NMEA. Other lines (a board's boot messages, debug
 * prints) are ignored; a "$FS" line that fails its check is counted
 * against the channels not heard. The port is watched only while an
 * answer is awaited, and a board that restarts when its port is opened is
 * given time to boot. */
#include "sensor.h"

#include "serial.h"

#include <ctype.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX 96		/* longer is not a line of the protocol */
#define ANSWER_MS 1000		/* for every channel to be reported */
#define BOOT_MS 2500		/* many boards restart when the port opens */
#define READ_MAX 4096		/* more than this for one poll is a flood */

enum phase { IDLE, BOOTING, WAITING };

struct sensor_line {
	struct sensor_bus base;		/* first */
	const struct serial_ops *io;
	struct serial_port *port;
	char path[160];
	struct serial_settings set;
	char (*channels)[LINE_CHANNEL_LEN];
	double *value;
	bool *got;
	int n;

	enum phase phase;
	int64_t deadline;
	int attempt;
	char line[LINE_MAX + 1];
	size_t len;
	bool skipping;			/* in a line too long: up to its end */
	size_t bytes;			/* read for this poll */
	int bad;			/* "$FS" lines that failed their check */
	enum sensor_fault_kind why;	/* what was wrong with the last of them */
};

int sensor_line_parse(const char *line, char *channel, size_t chlen, double *value,
		      const char **why)
{
	const char *star, *p, *comma;
	unsigned sum = 0, want;
	size_t n;
	int dots = 0;
	char *end;

	if (strncmp(line, "$FS,", 4) != 0) {
		*why = "not a $FS line";
		return -1;
	}
	star = strchr(line, '*');
	if (!star || strlen(star) != 3 || !isxdigit((unsigned char)star[1]) ||
	    !isxdigit((unsigned char)star[2])) {
		*why = "no checksum";
		return -1;
	}
	for (p = line + 1; p < star; p++)
		sum ^= (unsigned char)*p;
	want = (unsigned)strtoul(star + 1, &end, 16);
	if (want != sum) {
		*why = "bad checksum";
		return -1;
	}
	p = line + 4;
	comma = memchr(p, ',', (size_t)(star - p));
	n = comma ? (size_t)(comma - p) : 0;
	if (n == 0 || n >= chlen || n >= LINE_CHANNEL_LEN) {
		*why = "bad channel";
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (!isalnum((unsigned char)p[i]) && p[i] != '_') {
			*why = "bad channel";
			return -1;
		}
	}
	memcpy(channel, p, n);
	channel[n] = '\0';
	p = comma + 1;
	if (p == star || star - p > 10) {
		*why = "bad value";
		return -1;
	}
	for (const char *q = p; q < star; q++) {
		if (*q == '.' && ++dots == 1 && q > p && q + 1 < star)
			continue;
		if (!isdigit((unsigned char)*q)) {
			*why = "bad value";
			return -1;
		}
	}
	*value = strtod(p, NULL);
	return 0;
}

static struct sensor_line *of(struct sensor_bus *b)
{
	return (struct sensor_line *)b;
}

static void report(struct sensor_line *b, int i, enum sensor_status st,
		   const struct sensor_fault *fault)
{
	struct sensor_sample s = { Q_RAW, b->value[i] };

	b->base.report(b->base.report_ctx, i, st, st == SENSOR_OK ? &s : NULL,
		       st == SENSOR_OK, fault);
}

static void report_kind(struct sensor_line *b, int i, enum sensor_status st,
			enum sensor_fault_kind kind)
{
	report(b, i, st, &(struct sensor_fault){ .kind = kind });
}

/* The port is gone (why "") or would not open (why the system's). */
static void gone(struct sensor_line *b, const char *why)
{
	struct sensor_fault f = { .kind = FAULT_PORT };

	if (b->port)
		b->io->close(b->port);
	b->port = NULL;
	b->phase = IDLE;
	snprintf(f.why, sizeof(f.why), "%s", why);
	for (int i = 0; i < b->n; i++)
		report(b, i, SENSOR_LOST, &f);
}

static void ask(struct sensor_line *b, int64_t now)
{
	static const uint8_t question[] = "?\n";

	b->io->discard_input(b->port);
	memset(b->got, 0, (size_t)b->n * sizeof(*b->got));
	b->len = 0;
	b->skipping = false;
	b->bytes = 0;
	b->bad = 0;
	b->why = FAULT_LINE;
	if (b->io->write(b->port, question, 2) < 0) {
		gone(b, "");
		return;
	}
	b->phase = WAITING;
	b->deadline = now + ANSWER_MS;
}

static bool all_got(const struct sensor_line *b)
{
	for (int i = 0; i < b->n; i++)
		if (!b->got[i])
			return false;
	return true;
}

static void finish(struct sensor_line *b, int64_t now, bool flood)
{
	bool any = false;

	for (int i = 0; i < b->n; i++)
		any |= b->got[i];
	/* Nothing at all: the board may have been busy or restarting. */
	if (!any && !b->bad && !flood && b->attempt == 0) {
		b->attempt++;
		ask(b, now);
		return;
	}
	b->phase = IDLE;
	for (int i = 0; i < b->n; i++) {
		if (b->got[i] && !flood)
			report(b, i, SENSOR_OK, NULL);
		else if (flood)
			report_kind(b, i, SENSOR_BAD_FRAME, FAULT_FLOOD);
		else if (b->bad)
			report_kind(b, i, SENSOR_BAD_FRAME, b->why);
		else
			report_kind(b, i, SENSOR_LOST, any ? FAULT_CHANNEL : FAULT_NO_ANSWER);
	}
}

static void take_line(struct sensor_line *b)
{
	char channel[LINE_CHANNEL_LEN];
	const char *why;
	double v;

	if (b->len && b->line[b->len - 1] == '\r')
		b->len--;
	b->line[b->len] = '\0';
	if (b->line[0] != '$')
		return;		/* a board's own chatter */
	if (sensor_line_parse(b->line, channel, sizeof(channel), &v, &why) < 0) {
		b->bad++;
		b->why = strcmp(why, "bad checksum") == 0 ? FAULT_CHECKSUM : FAULT_LINE;
		return;
	}
	for (int i = 0; i < b->n; i++) {
		if (strcmp(b->channels[i], channel) == 0) {
			b->value[i] = v;
			b->got[i] = true;
		}
	}
}

static void receive(struct sensor_line *b, int64_t now)
{
	uint8_t buf[256];
	long n;
	bool any = false;

	while ((n = b->io->read(b->port, buf, sizeof(buf))) > 0) {
		any = true;
		b->bytes += (size_t)n;
		for (long k = 0; k < n; k++) {
			char c = (char)buf[k];

			if (c == '\n') {
				if (!b->skipping)
					take_line(b);
				b->len = 0;
				b->skipping = false;
			} else if (!b->skipping && b->len == LINE_MAX) {
				b->skipping = true;
				if (b->line[0] == '$') {
					b->bad++;
					b->why = FAULT_LINE;
				}
			} else if (!b->skipping) {
				b->line[b->len++] = c;
			}
		}
		if (b->bytes > READ_MAX) {
			finish(b, now, true);
			return;
		}
	}
	if (n < 0 || !any) {
		gone(b, "");	/* readable, yet nothing: hung up */
		return;
	}
	if (all_got(b))
		finish(b, now, false);
}

static void line_begin_poll(struct sensor_bus *bus, int64_t now)
{
	struct sensor_line *b = of(bus);
	char why[128];

	if (b->phase != IDLE || b->n == 0)
		return;
	b->attempt = 0;
	if (!b->port) {
		b->port = b->io->open(b->path, &b->set, why, sizeof(why));
		if (!b->port) {
			gone(b, why);
			return;
		}
		b->phase = BOOTING;
		b->deadline = now + BOOT_MS;
		return;
	}
	ask(b, now);
}

static void line_wants(struct sensor_bus *bus, int *fd, short *events, int64_t *deadline)
{
	struct sensor_line *b = of(bus);

	*fd = b->port && b->phase == WAITING ? b->io->fd(b->port) : -1;
	*events = *fd >= 0 ? POLLIN : 0;
	*deadline = b->phase == IDLE ? -1 : b->deadline;
}

static void line_service(struct sensor_bus *bus, short revents, int64_t now)
{
	struct sensor_line *b = of(bus);

	if (b->port && (revents & (POLLERR | POLLNVAL | POLLHUP)) && !(revents & POLLIN)) {
		gone(b, "gone");
		return;
	}
	if (b->phase == BOOTING && now >= b->deadline)
		ask(b, now);
	else if (b->phase == WAITING && (revents & POLLIN))
		receive(b, now);
	else if (b->phase == WAITING && now >= b->deadline)
		finish(b, now, false);
}

static void line_free(struct sensor_bus *bus)
{
	struct sensor_line *b = of(bus);

	if (b->port)
		b->io->close(b->port);
	free(b->channels);
	free(b->value);
	free(b->got);
	free(b);
}

static const struct sensor_bus_ops line_ops = {
	.name = "line",
	.begin_poll = line_begin_poll,
	.wants = line_wants,
	.service = line_service,
	.free = line_free,
};

struct sensor_bus *sensor_line_new(const struct serial_ops *io, const char *port,
				   const struct serial_settings *set,
				   const char (*channels)[LINE_CHANNEL_LEN], int n,
				   sensor_report_fn *report_fn, void *ctx)
{
	struct sensor_line *b = calloc(1, sizeof(*b));
	size_t k = (size_t)(n > 0 ? n : 1);

	if (!b)
		return NULL;
	b->channels = calloc(k, sizeof(*b->channels));
	b->value = calloc(k, sizeof(*b->value));
	b->got = calloc(k, sizeof(*b->got));
	if (!b->channels || !b->value || !b->got) {
		line_free(&b->base);
		return NULL;
	}
	memcpy(b->channels, channels, (size_t)n * sizeof(*b->channels));
	b->base.ops = &line_ops;
	b->base.report = report_fn;
	b->base.report_ctx = ctx;
	b->io = io;
	snprintf(b->path, sizeof(b->path), "%s", port);
	b->set = *set;
	b->n = n;
	return &b->base;
}
