/* sim_probe: a simulated RS485 line for tests. It answers Modbus RTU
 * requests as soil and air probes would (the register maps of DOMAIN.md,
 * written here on their own so that a mistake in the station's presets
 * shows), or acts as a line-protocol node. Commands on stdin or a FIFO
 * make a device go silent, send bad CRCs, garbage, or flood the line.
 * Needs only libc, so it can be linked statically for a VM.
 *
 *   sim_probe [options] TTY          serve on an existing tty
 *   sim_probe [options] --pty FILE   make a pseudo-terminal, write its
 *                                    slave's path to FILE, serve on it
 * Run with --help for the options and commands. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAX_DEVICES 16
#define MAX_REGS 32
#define MAX_CHANNELS 8

enum model { SOIL_0000, SOIL_JXCT, AIR_XYMD02 };

enum behaviour { B_OK, B_SILENT, B_BADCRC, B_GARBAGE, B_SHORT, B_WRONGADDR, B_WRONGFN,
		 B_EXCEPTION };

static const char *const behaviour_names[] = {
	"ok", "silent", "badcrc", "garbage", "short", "wrongaddr", "wrongfn", "exception",
};

/* One register of a model: where it is and how its value is scaled. */
struct reg_def {
	const char *name;
	uint16_t reg;
	double scale;		/* register = value * scale */
};

struct model_def {
	const char *name;
	uint8_t function;
	const struct reg_def *regs;
	int n_regs;
	const double *defaults;
};

static const struct reg_def soil_0000_regs[] = {
	{ "moisture", 0x0000, 10 }, { "temperature", 0x0001, 10 }, { "ec", 0x0002, 1 },
	{ "ph", 0x0003, 10 }, { "n", 0x0004, 1 }, { "p", 0x0005, 1 }, { "k", 0x0006, 1 },
};
static const double soil_0000_defaults[] = { 31.5, 26.4, 420, 6.5, 30, 12, 45 };

static const struct reg_def soil_jxct_regs[] = {
	{ "moisture", 0x0012, 10 }, { "temperature", 0x0013, 10 }, { "ec", 0x0015, 1 },
	{ "ph", 0x0006, 100 },
};
static const double soil_jxct_defaults[] = { 28.7, 25.9, 380, 6.42 };

static const struct reg_def air_regs[] = {
	{ "temperature", 0x0001, 10 }, { "humidity", 0x0002, 10 },
};
static const double air_defaults[] = { 29.3, 78.4 };

#define MODEL(n, f, r, d) { n, f, r, (int)(sizeof(r) / sizeof(r[0])), d }
static const struct model_def models[] = {
	[SOIL_0000] = MODEL("soil-0000", 3, soil_0000_regs, soil_0000_defaults),
	[SOIL_JXCT] = MODEL("soil-jxct", 3, soil_jxct_regs, soil_jxct_defaults),
	[AIR_XYMD02] = MODEL("air-xymd02", 4, air_regs, air_defaults),
};

struct device {
	uint8_t address;
	const struct model_def *model;
	uint16_t value[MAX_REGS];	/* per reg_def */
	enum behaviour behaviour;
	uint8_t exception;
	unsigned requests;
};

struct channel {
	char name[12];
	long raw;
	enum behaviour behaviour;	/* ok, silent, badcrc (bad checksum), garbage */
};

static struct {
	struct device dev[MAX_DEVICES];
	int n_dev;
	struct channel ch[MAX_CHANNELS];
	int n_ch;		/* > 0: a line-protocol node */
	int fd;
	int baud;
	int delay_ms;
	bool verbose;
	bool flood;
	uint64_t rng;
	uint8_t rx[512];
	size_t rx_len;
	int64_t rx_last;	/* ms of the last byte received */
	uint8_t tx[1024];
	size_t tx_len;
	int64_t tx_due;		/* -1: nothing to send */
	int64_t flood_next;
} S = { .baud = 9600, .delay_ms = 5, .tx_due = -1, .rng = 88172645463325252ull };

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint32_t rnd(void)
{
	S.rng ^= S.rng << 13;
	S.rng ^= S.rng >> 7;
	S.rng ^= S.rng << 17;
	return (uint32_t)(S.rng >> 16);
}

static void logf_(const char *fmt, ...)
{
	va_list ap;

	if (!S.verbose)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "sim_probe: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static void log_bytes(const char *what, const uint8_t *b, size_t n)
{
	if (!S.verbose)
		return;
	fprintf(stderr, "sim_probe: %s", what);
	for (size_t i = 0; i < n && i < 64; i++)
		fprintf(stderr, " %02X", b[i]);
	fprintf(stderr, n > 64 ? " ...\n" : "\n");
}

/* CRC-16/MODBUS, written here again on purpose: the station's own must
 * agree with an independent one. */
static uint16_t crc16(const uint8_t *b, size_t n)
{
	uint16_t crc = 0xFFFF;

	while (n--) {
		crc ^= *b++;
		for (int i = 0; i < 8; i++)
			crc = (crc & 1) ? (crc >> 1) ^ 0xA001 : crc >> 1;
	}
	return crc;
}

static void put_crc(uint8_t *b, size_t n)
{
	uint16_t crc = crc16(b, n);

	b[n] = (uint8_t)crc;
	b[n + 1] = (uint8_t)(crc >> 8);
}

static void queue(const uint8_t *b, size_t n)
{
	if (n > sizeof(S.tx) - S.tx_len)
		n = sizeof(S.tx) - S.tx_len;
	memcpy(S.tx + S.tx_len, b, n);
	S.tx_len += n;
	S.tx_due = now_ms() + S.delay_ms;
}

static struct device *find_device(uint8_t address)
{
	for (int i = 0; i < S.n_dev; i++)
		if (S.dev[i].address == address)
			return &S.dev[i];
	return NULL;
}

static const struct reg_def *find_reg(const struct model_def *m, uint16_t reg, int *idx)
{
	for (int i = 0; i < m->n_regs; i++) {
		if (m->regs[i].reg == reg) {
			*idx = i;
			return &m->regs[i];
		}
	}
	return NULL;
}

static void exception_reply(uint8_t *out, size_t *n, uint8_t address, uint8_t fn, uint8_t code)
{
	out[0] = address;
	out[1] = fn | 0x80;
	out[2] = code;
	put_crc(out, 3);
	*n = 5;
}

/* The reply a correct device would give. */
static void answer(struct device *d, uint8_t fn, uint16_t reg, uint16_t count, uint8_t *out,
		   size_t *n)
{
	int idx;

	if (fn != d->model->function) {
		exception_reply(out, n, d->address, fn, 1);	/* illegal function */
		return;
	}
	if (count == 0 || count > 125) {
		exception_reply(out, n, d->address, fn, 3);	/* illegal data value */
		return;
	}
	for (uint16_t i = 0; i < count; i++) {
		if (!find_reg(d->model, (uint16_t)(reg + i), &idx)) {
			exception_reply(out, n, d->address, fn, 2);	/* illegal address */
			return;
		}
	}
	out[0] = d->address;
	out[1] = fn;
	out[2] = (uint8_t)(2 * count);
	for (uint16_t i = 0; i < count; i++) {
		find_reg(d->model, (uint16_t)(reg + i), &idx);
		out[3 + 2 * i] = (uint8_t)(d->value[idx] >> 8);
		out[4 + 2 * i] = (uint8_t)d->value[idx];
	}
	put_crc(out, 3 + 2 * (size_t)count);
	*n = 5 + 2 * (size_t)count;
}

static void handle_request(const uint8_t *req)
{
	struct device *d = find_device(req[0]);
	uint8_t out[300];
	size_t n = 0;
	uint16_t reg = (uint16_t)(req[2] << 8 | req[3]), count = (uint16_t)(req[4] << 8 | req[5]);

	log_bytes("rx", req, 8);
	if (!d)
		return;		/* another device's request, or a broadcast */
	d->requests++;
	if (S.flood)
		return;		/* nobody is heard over the noise */
	answer(d, req[1], reg, count, out, &n);
	switch (d->behaviour) {
	case B_OK:
		break;
	case B_SILENT:
		return;
	case B_BADCRC:
		out[n - 1] ^= 0x5A;
		break;
	case B_GARBAGE:
		n = 5 + rnd() % 20;
		for (size_t i = 0; i < n; i++)
			out[i] = (uint8_t)rnd();
		break;
	case B_SHORT:
		n = n > 4 ? 4 : n;
		break;
	case B_WRONGADDR:
		out[0] = (uint8_t)(d->address + 1);
		put_crc(out, n - 2);
		break;
	case B_WRONGFN:
		out[1] ^= 0x07;		/* 03 <-> 04 */
		put_crc(out, n - 2);
		break;
	case B_EXCEPTION:
		exception_reply(out, &n, d->address, req[1], d->exception);
		break;
	}
	queue(out, n);
	log_bytes("tx", out, n);
}

/* Requests are 8 bytes; anything else is skipped up to the next silence. */
static void take_frames(void)
{
	while (S.rx_len >= 8) {
		if (crc16(S.rx, 8) != 0)
			return;		/* not a request: wait for the silence */
		handle_request(S.rx);
		memmove(S.rx, S.rx + 8, S.rx_len - 8);
		S.rx_len -= 8;
	}
}

/* The line protocol: "$FS,<channel>,<value>*<XOR in hex>" per channel. */
static void line_answer(void)
{
	char line[96], body[80];

	for (int i = 0; i < S.n_ch; i++) {
		struct channel *c = &S.ch[i];
		unsigned x = 0;

		if (c->behaviour == B_SILENT)
			continue;
		if (c->behaviour == B_GARBAGE) {
			int n = 3 + (int)(rnd() % 30);

			for (int k = 0; k < n; k++)
				line[k] = (char)(32 + rnd() % 95);
			line[n] = '\n';
			queue((const uint8_t *)line, (size_t)n + 1);
			continue;
		}
		snprintf(body, sizeof(body), "FS,%s,%ld", c->name, c->raw);
		for (const char *p = body; *p; p++)
			x ^= (unsigned char)*p;
		if (c->behaviour == B_BADCRC)
			x ^= 0x21;
		snprintf(line, sizeof(line), "$%s*%02X\r\n", body, x & 0xFF);
		queue((const uint8_t *)line, strlen(line));
		logf_("tx %s", line);
	}
}

static void take_lines(void)
{
	uint8_t *nl;

	while ((nl = memchr(S.rx, '\n', S.rx_len))) {
		size_t n = (size_t)(nl - S.rx) + 1;

		if (n >= 2 && S.rx[0] == '?')
			line_answer();
		memmove(S.rx, S.rx + n, S.rx_len - n);
		S.rx_len -= n;
	}
}

static int parse_behaviour(const char *s)
{
	for (size_t i = 0; i < sizeof(behaviour_names) / sizeof(behaviour_names[0]); i++)
		if (strcmp(s, behaviour_names[i]) == 0)
			return (int)i;
	return -1;
}

/* Registers hold value * scale, negative values as two's complement. */
static uint16_t to_register(double v, double scale)
{
	double r = v * scale;
	long l = (long)(r < 0 ? r - 0.5 : r + 0.5);

	return (uint16_t)(l & 0xFFFF);
}

static void command(char *line)
{
	char a[32] = "", b[32] = "", c[32] = "", d[32] = "";
	int n = sscanf(line, "%31s %31s %31s %31s", a, b, c, d);

	if (n <= 0)
		return;
	if (strcmp(a, "quit") == 0)
		exit(0);
	if (strcmp(a, "flood") == 0) {
		S.flood = strcmp(b, "on") == 0;
		S.flood_next = now_ms();
		logf_("flood %s\n", S.flood ? "on" : "off");
		return;
	}
	if (S.n_ch > 0) {
		for (int i = 0; i < S.n_ch; i++) {
			struct channel *ch = &S.ch[i];
			int beh;

			if (strcmp(ch->name, a) != 0)
				continue;
			if (strcmp(b, "raw") == 0 && n >= 3) {
				ch->raw = strtol(c, NULL, 10);
			} else if ((beh = parse_behaviour(b)) >= 0) {
				ch->behaviour = (enum behaviour)beh;
			} else {
				fprintf(stderr, "sim_probe: unknown command: %s\n", line);
			}
			return;
		}
		fprintf(stderr, "sim_probe: no channel %s\n", a);
		return;
	}
	struct device *dev = find_device((uint8_t)strtol(a, NULL, 0));
	int beh, idx;

	if (!dev) {
		fprintf(stderr, "sim_probe: no device at address %s\n", a);
		return;
	}
	if (strcmp(b, "set") == 0 && n == 4) {
		for (idx = 0; idx < dev->model->n_regs; idx++) {
			if (strcmp(dev->model->regs[idx].name, c) == 0) {
				dev->value[idx] = to_register(strtod(d, NULL), dev->model->regs[idx].scale);
				return;
			}
		}
		fprintf(stderr, "sim_probe: %s has no %s\n", dev->model->name, c);
	} else if (strcmp(b, "reg") == 0 && n == 4) {
		if (find_reg(dev->model, (uint16_t)strtol(c, NULL, 0), &idx))
			dev->value[idx] = (uint16_t)strtol(d, NULL, 0);
	} else if ((beh = parse_behaviour(b)) >= 0) {
		dev->behaviour = (enum behaviour)beh;
		if (beh == B_EXCEPTION)
			dev->exception = (uint8_t)(n >= 3 ? strtol(c, NULL, 0) : 2);
	} else if (strcmp(b, "count") == 0) {
		printf("%u\n", dev->requests);
		fflush(stdout);
	} else {
		fprintf(stderr, "sim_probe: unknown command: %s\n", line);
	}
}

/* Commands arrive a line at a time from stdin or the control FIFO. */
struct control {
	int fd;
	char buf[256];
	size_t len;
};

static void read_control(struct control *c)
{
	ssize_t n = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
	char *nl;

	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			c->fd = -1;	/* stdin closed: keep serving */
		return;
	}
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	while ((nl = strchr(c->buf, '\n'))) {
		*nl = '\0';
		command(c->buf);
		c->len -= (size_t)(nl + 1 - c->buf);
		memmove(c->buf, nl + 1, c->len + 1);
	}
	if (c->len == sizeof(c->buf) - 1)
		c->len = 0;
}

static speed_t speed_of(int baud)
{
	switch (baud) {
	case 1200: return B1200;
	case 2400: return B2400;
	case 4800: return B4800;
	case 19200: return B19200;
	case 38400: return B38400;
	case 57600: return B57600;
	case 115200: return B115200;
	default: return B9600;
	}
}

static int set_raw(int fd)
{
	struct termios t;

	if (tcgetattr(fd, &t) < 0)
		return -1;
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	cfsetispeed(&t, speed_of(S.baud));
	cfsetospeed(&t, speed_of(S.baud));
	return tcsetattr(fd, TCSANOW, &t);
}

/* A new pseudo-terminal: we serve on its master and hold its slave open,
 * so that the line stays up while the station opens and closes it. */
static int open_pty(const char *link)
{
	char tmp[512], *slave;
	int fd = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	FILE *f;

	if (fd < 0 || grantpt(fd) < 0 || unlockpt(fd) < 0 || !(slave = ptsname(fd)))
		return -1;
	if (open(slave, O_RDWR | O_NOCTTY | O_CLOEXEC) < 0 || set_raw(fd) < 0)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.tmp", link);
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "%s\n", slave);
	if (fclose(f) != 0 || rename(tmp, link) < 0)
		return -1;
	return fd;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: sim_probe [OPTION]... TTY\n"
		"       sim_probe [OPTION]... --pty FILE\n"
		"A simulated RS485 line of Modbus RTU probes, or a line-protocol node.\n\n"
		"  --probe ADDR:MODEL   a device on the line (repeat for more); MODEL is\n"
		"                       soil-0000, soil-jxct or air-xymd02\n"
		"  --line CH[,CH...]    be a line-protocol node with these channels\n"
		"  --pty FILE           make a pseudo-terminal and write its path to FILE\n"
		"  --control FIFO       read commands from FIFO as well as from stdin\n"
		"  --baud N             the tty's speed (9600); flood rate follows it\n"
		"  --delay MS           answer after MS milliseconds (5)\n"
		"  --seed N             for garbage and flood bytes\n"
		"  -v                   log every frame on stderr\n\n"
		"Commands, one per line:\n"
		"  ADDR ok|silent|badcrc|garbage|short|wrongaddr|wrongfn\n"
		"  ADDR exception N     answer with exception code N\n"
		"  ADDR set NAME VALUE  moisture, temperature, ec, ph, humidity, n, p, k\n"
		"  ADDR reg REG VALUE   a raw register value (0x prefixes work)\n"
		"  ADDR count           print how many requests ADDR has had\n"
		"  CH raw N | CH ok|silent|badcrc|garbage   (line-protocol node)\n"
		"  flood on|off         fill the line with noise at the baud rate\n"
		"  quit\n");
}

static int add_probe(const char *spec)
{
	char name[32];
	unsigned addr;
	struct device *d;

	if (S.n_dev == MAX_DEVICES || sscanf(spec, "%u:%31s", &addr, name) != 2 || addr < 1 ||
	    addr > 247)
		return -1;
	d = &S.dev[S.n_dev];
	for (size_t m = 0; m < sizeof(models) / sizeof(models[0]); m++) {
		if (strcmp(models[m].name, name) != 0)
			continue;
		d->address = (uint8_t)addr;
		d->model = &models[m];
		for (int i = 0; i < d->model->n_regs; i++)
			d->value[i] = to_register(d->model->defaults[i], d->model->regs[i].scale);
		S.n_dev++;
		return 0;
	}
	return -1;
}

static int add_channels(const char *list)
{
	char buf[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (S.n_ch == MAX_CHANNELS || strlen(t) >= sizeof(S.ch[0].name))
			return -1;
		snprintf(S.ch[S.n_ch].name, sizeof(S.ch[0].name), "%s", t);
		S.ch[S.n_ch++].raw = 512;
	}
	return 0;
}

static void flood_some(int64_t now)
{
	/* As fast as the line's baud rate allows: a byte is 10 bits. */
	uint8_t junk[64];
	size_t n = (size_t)(S.baud / 10 / 100);

	if (n == 0)
		n = 1;
	if (n > sizeof(junk))
		n = sizeof(junk);
	for (size_t i = 0; i < n; i++)
		junk[i] = (uint8_t)rnd();
	if (write(S.fd, junk, n) < 0 && errno != EAGAIN)
		exit(1);
	S.flood_next = now + 10;
}

int main(int argc, char **argv)
{
	const char *pty = NULL, *tty = NULL, *fifo = NULL;
	struct control ctl[2] = { { .fd = STDIN_FILENO }, { .fd = -1 } };

	signal(SIGPIPE, SIG_IGN);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "-v") == 0) {
			S.verbose = true;
		} else if (v && strcmp(a, "--probe") == 0) {
			if (add_probe(v) < 0) {
				fprintf(stderr, "sim_probe: bad --probe %s\n", v);
				return 2;
			}
			i++;
		} else if (v && strcmp(a, "--line") == 0) {
			if (add_channels(v) < 0) {
				fprintf(stderr, "sim_probe: bad --line %s\n", v);
				return 2;
			}
			i++;
		} else if (v && strcmp(a, "--pty") == 0) {
			pty = argv[++i];
		} else if (v && strcmp(a, "--control") == 0) {
			fifo = argv[++i];
		} else if (v && strcmp(a, "--baud") == 0) {
			S.baud = atoi(argv[++i]);
		} else if (v && strcmp(a, "--delay") == 0) {
			S.delay_ms = atoi(argv[++i]);
		} else if (v && strcmp(a, "--seed") == 0) {
			S.rng = strtoull(argv[++i], NULL, 10) | 1;
		} else if (a[0] != '-' && !tty) {
			tty = a;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!pty == !tty || (S.n_dev == 0) == (S.n_ch == 0)) {
		usage(stderr);
		return 2;
	}
	if (pty) {
		S.fd = open_pty(pty);
	} else {
		S.fd = open(tty, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		if (S.fd >= 0 && set_raw(S.fd) < 0)
			S.fd = -1;
	}
	if (S.fd < 0) {
		fprintf(stderr, "sim_probe: %s: %s\n", pty ? "pty" : tty, strerror(errno));
		return 1;
	}
	if (fifo) {
		ctl[1].fd = open(fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (ctl[1].fd < 0) {
			fprintf(stderr, "sim_probe: %s: %s\n", fifo, strerror(errno));
			return 1;
		}
	}
	fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
	for (;;) {
		struct pollfd pfd[3] = {
			{ .fd = S.fd, .events = POLLIN },
			{ .fd = ctl[0].fd, .events = POLLIN },
			{ .fd = ctl[1].fd, .events = POLLIN },
		};
		int64_t now = now_ms(), wait = -1;

		if (S.tx_due >= 0)
			wait = S.tx_due > now ? S.tx_due - now : 0;
		if (S.rx_len && (wait < 0 || wait > 20))
			wait = 20;	/* a silence ends a frame */
		if (S.flood && (wait < 0 || wait > S.flood_next - now))
			wait = S.flood_next > now ? S.flood_next - now : 0;
		if (poll(pfd, 3, (int)wait) < 0 && errno != EINTR)
			return 1;
		now = now_ms();
		if (pfd[0].revents & POLLIN) {
			ssize_t n = read(S.fd, S.rx + S.rx_len, sizeof(S.rx) - S.rx_len);

			if (n > 0) {
				S.rx_len += (size_t)n;
				S.rx_last = now;
				if (S.n_ch)
					take_lines();
				else
					take_frames();
				if (S.rx_len == sizeof(S.rx))
					S.rx_len = 0;
			}
		} else if (pfd[0].revents & (POLLHUP | POLLERR)) {
			/* A real tty whose other end is gone: wait, do not spin. */
			usleep(100000);
		}
		if (S.rx_len && now - S.rx_last >= 20)
			S.rx_len = 0;
		for (int i = 0; i < 2; i++)
			if (ctl[i].fd >= 0 && (pfd[1 + i].revents & (POLLIN | POLLHUP)))
				read_control(&ctl[i]);
		if (S.tx_due >= 0 && now >= S.tx_due) {
			ssize_t n = write(S.fd, S.tx, S.tx_len);

			if (n > 0) {
				memmove(S.tx, S.tx + n, S.tx_len - (size_t)n);
				S.tx_len -= (size_t)n;
			}
			if (S.tx_len == 0)
				S.tx_due = -1;
		}
		if (S.flood && now >= S.flood_next)
			flood_some(now);
	}
}
