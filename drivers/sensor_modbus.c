/* A Modbus RTU bus: several devices on one serial port, read one request
 * at a time with a silence between frames, a timeout for each answer and a
 * few retries. A device that does not answer, or answers wrongly, is
 * reported as such and the others are read as usual. The bus never
 * blocks: it says what it waits for (the port, a moment) and moves on
 * when that comes. */
#include "sensor.h"

#include "modbus.h"
#include "serial.h"

#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Between two frames RTU wants 3.5 characters of silence; cheap probes
 * need longer to turn their RS485 driver round. */
#define GAP_MIN_MS 20
/* A reply that stops arriving for this long has ended, whatever its
 * length says. Generous, for USB adapters that pass bytes on in bursts. */
#define SILENCE_MS 50
/* Eight bytes that cannot leave in this long never will. */
#define SEND_MAX_MS 1000

static const struct modbus_value soil_0000[] = {
	{ Q_MOISTURE, MODBUS_READ_HOLDING, 0x0000, 0.1, false },
	{ Q_SOIL_TEMP, MODBUS_READ_HOLDING, 0x0001, 0.1, true },
	{ Q_EC, MODBUS_READ_HOLDING, 0x0002, 1, false },
	{ Q_PH, MODBUS_READ_HOLDING, 0x0003, 0.1, false },
};

static const struct modbus_value soil_jxct[] = {
	{ Q_MOISTURE, MODBUS_READ_HOLDING, 0x0012, 0.1, false },
	{ Q_SOIL_TEMP, MODBUS_READ_HOLDING, 0x0013, 0.1, true },
	{ Q_EC, MODBUS_READ_HOLDING, 0x0015, 1, false },
	{ Q_PH, MODBUS_READ_HOLDING, 0x0006, 0.01, false },
};

static const struct modbus_value air_xymd02[] = {
	{ Q_AIR_TEMP, MODBUS_READ_INPUT, 0x0001, 0.1, true },
	{ Q_HUMIDITY, MODBUS_READ_INPUT, 0x0002, 0.1, false },
};

static const struct {
	const char *model;
	const struct modbus_value *values;
	int n;
} presets[] = {
	{ "soil-0000", soil_0000, (int)(sizeof(soil_0000) / sizeof(soil_0000[0])) },
	{ "soil-jxct", soil_jxct, (int)(sizeof(soil_jxct) / sizeof(soil_jxct[0])) },
	{ "air-xymd02", air_xymd02, (int)(sizeof(air_xymd02) / sizeof(air_xymd02[0])) },
};

int sensor_modbus_preset(const char *model, struct modbus_value *out, int max)
{
	for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++) {
		int n = presets[i].n < max ? presets[i].n : max;

		if (strcmp(presets[i].model, model) != 0)
			continue;
		memcpy(out, presets[i].values, (size_t)n * sizeof(*out));
		return n;
	}
	return -1;
}

/* One request: a run of neighbouring registers read with one function. */
struct request {
	uint8_t function;
	uint16_t reg, count;
	uint16_t regs[MODBUS_MAX_REGS];		/* the answer */
};

struct device {
	struct modbus_device cfg;
	struct request req[MODBUS_MAX_VALUES];
	int n_req;
};

enum phase {
	IDLE,		/* between polls */
	GAP,		/* silence before the next request */
	SENDING,	/* the request did not fit the port at once */
	WAITING,	/* for the answer */
};

struct sensor_modbus {
	struct sensor_bus base;		/* first */
	const struct serial_ops *io;
	struct serial_port *port;	/* NULL: not open */
	char path[160];
	struct serial_settings set;
	struct device *dev;
	int n_dev;
	double char_ms;			/* one character on the line */

	enum phase phase;
	int64_t deadline;
	int cur, cur_req, attempt;
	struct sensor_fault fault;	/* what went wrong with the current device */
	uint8_t tx[MODBUS_REQUEST_LEN];
	size_t tx_done;
	uint8_t rx[MODBUS_MAX_FRAME];
	size_t rx_len;
	bool overflow;
};

/* Group a device's values into as few requests as their registers allow:
 * neighbours with the same function share one. */
static void plan(struct device *d)
{
	struct modbus_value v[MODBUS_MAX_VALUES];
	int n = d->cfg.n_values;

	memcpy(v, d->cfg.values, (size_t)n * sizeof(v[0]));
	for (int i = 1; i < n; i++) {	/* by function, then register */
		for (int j = i; j > 0; j--) {
			struct modbus_value *a = &v[j - 1], *b = &v[j];

			if (a->function < b->function ||
			    (a->function == b->function && a->reg <= b->reg))
				break;
			struct modbus_value t = *a;
			*a = *b;
			*b = t;
		}
	}
	d->n_req = 0;
	for (int i = 0; i < n; i++) {
		struct request *last = d->n_req ? &d->req[d->n_req - 1] : NULL;

		if (last && last->function == v[i].function && v[i].reg >= last->reg &&
		    v[i].reg <= last->reg + last->count && last->count < MODBUS_MAX_REGS) {
			if (v[i].reg == last->reg + last->count)
				last->count++;
			continue;
		}
		d->req[d->n_req++] = (struct request){ v[i].function, v[i].reg, 1, { 0 } };
	}
}

static struct sensor_modbus *of(struct sensor_bus *b)
{
	return (struct sensor_modbus *)b;
}

static void report(struct sensor_modbus *b, int i, enum sensor_status st,
		   const struct sensor_sample *s, int n, const struct sensor_fault *fault)
{
	b->base.report(b->base.report_ctx, i, st, s, n, fault);
}

/* A value from the answered registers, rounded so that 287 * 0.1 is
 * 28.7 and not 28.700000000000003. */
static double value_of(const struct device *d, const struct modbus_value *v)
{
	for (int r = 0; r < d->n_req; r++) {
		const struct request *q = &d->req[r];
		double x;

		if (q->function != v->function || v->reg < q->reg || v->reg >= q->reg + q->count)
			continue;
		x = v->is_signed ? (double)(int16_t)q->regs[v->reg - q->reg]
				 : (double)q->regs[v->reg - q->reg];
		return round(x * v->scale * 1e6) / 1e6;
	}
	return NAN;
}

static void report_values(struct sensor_modbus *b, int i)
{
	const struct device *d = &b->dev[i];
	struct sensor_sample s[MODBUS_MAX_VALUES];

	for (int k = 0; k < d->cfg.n_values; k++)
		s[k] = (struct sensor_sample){ d->cfg.values[k].quantity,
					       value_of(d, &d->cfg.values[k]) };
	report(b, i, SENSOR_OK, s, d->cfg.n_values, NULL);
}

static void close_port(struct sensor_modbus *b)
{
	if (b->port)
		b->io->close(b->port);
	b->port = NULL;
}

/* The adapter is gone (why "") or would not open (why the system's):
 * every device is lost until it comes back. */
static void port_gone(struct sensor_modbus *b, const char *why)
{
	struct sensor_fault f = { .kind = FAULT_PORT };

	close_port(b);
	b->phase = IDLE;
	b->deadline = -1;
	snprintf(f.why, sizeof(f.why), "%s", why);
	for (int i = 0; i < b->n_dev; i++)
		report(b, i, SENSOR_LOST, NULL, 0, &f);
}

static void send_some(struct sensor_modbus *b, int64_t now)
{
	long n = b->io->write(b->port, b->tx + b->tx_done, sizeof(b->tx) - b->tx_done);

	if (n < 0) {
		port_gone(b, "");
		return;
	}
	b->tx_done += (size_t)n;
	if (b->tx_done < sizeof(b->tx)) {
		if (b->phase != SENDING)
			b->deadline = now + SEND_MAX_MS;
		b->phase = SENDING;
		return;
	}
	/* The answer has the time to travel out, plus the device's timeout. */
	b->phase = WAITING;
	b->deadline = now + (int64_t)ceil(b->char_ms * MODBUS_REQUEST_LEN) +
		      b->dev[b->cur].cfg.timeout_ms;
}

static void start_request(struct sensor_modbus *b, int64_t now)
{
	const struct device *d = &b->dev[b->cur];
	const struct request *q = &d->req[b->cur_req];

	b->io->discard_input(b->port);
	modbus_read_request(b->tx, d->cfg.address, q->function, q->reg, q->count);
	b->tx_done = 0;
	b->rx_len = 0;
	b->overflow = false;
	send_some(b, now);
}

static void gap_then(struct sensor_modbus *b, int64_t now)
{
	int64_t gap = (int64_t)ceil(3.5 * b->char_ms);

	b->phase = GAP;
	b->deadline = now + (gap > GAP_MIN_MS ? gap : GAP_MIN_MS);
}

static void next_device(struct sensor_modbus *b, int64_t now)
{
	b->cur++;
	b->cur_req = 0;
	b->attempt = 0;
	if (b->cur >= b->n_dev) {
		b->phase = IDLE;
		b->deadline = -1;
		return;
	}
	gap_then(b, now);
}

/* What a reply that failed its checks was. */
static enum sensor_fault_kind garbled(enum modbus_result r)
{
	switch (r) {
	case MODBUS_SHORT:
		return FAULT_SHORT;
	case MODBUS_BAD_CRC:
		return FAULT_CRC;
	case MODBUS_WRONG_ADDRESS:
		return FAULT_ADDRESS;
	case MODBUS_WRONG_FUNCTION:
		return FAULT_FUNCTION;
	case MODBUS_EXCEPTION:
		return FAULT_REFUSED;
	case MODBUS_BAD_LENGTH:
	default:
		return FAULT_LENGTH;
	}
}

/* The answer is complete, or no more is coming: judge it. */
static void finish_attempt(struct sensor_modbus *b, int64_t now)
{
	struct device *d = &b->dev[b->cur];
	struct request *q = &d->req[b->cur_req];
	size_t want = modbus_reply_length(b->rx, b->rx_len, q->function);
	enum modbus_result r;
	uint8_t exc = 0;

	b->fault = (struct sensor_fault){ .kind = FAULT_NO_ANSWER };
	if (b->rx_len == 0)
		goto failed;
	if (b->overflow || (want && b->rx_len > want)) {
		b->fault = (struct sensor_fault){ .kind = FAULT_LENGTH, .code = (int)b->rx_len };
		goto failed;
	}
	r = modbus_parse_reply(b->rx, b->rx_len, d->cfg.address, q->function, q->count, q->regs,
			       &exc);
	if (r == MODBUS_OK) {
		b->attempt = 0;
		if (++b->cur_req < d->n_req) {
			gap_then(b, now);
			return;
		}
		report_values(b, b->cur);
		next_device(b, now);
		return;
	}
	b->fault = (struct sensor_fault){ .kind = garbled(r), .code = (int)b->rx_len };
	if (r == MODBUS_EXCEPTION) {
		/* The device has said no; asking again will not change it. */
		b->fault.code = exc;
		b->fault.reg = q->reg;
		b->attempt = d->cfg.retries;
	}
failed:
	if (b->attempt < d->cfg.retries) {
		b->attempt++;
		gap_then(b, now);
		return;
	}
	/* What the last try met decides: a device that answered garbled and
	 * then not at all is lost, not garbled. */
	report(b, b->cur, b->fault.kind == FAULT_NO_ANSWER ? SENSOR_LOST : SENSOR_BAD_FRAME, NULL, 0,
	       &b->fault);
	next_device(b, now);
}

static void receive(struct sensor_modbus *b, int64_t now)
{
	const struct request *q = &b->dev[b->cur].req[b->cur_req];
	uint8_t junk[256];
	bool any = false;
	size_t want;

	for (;;) {
		uint8_t *dst = b->overflow ? junk : b->rx + b->rx_len;
		size_t room = b->overflow ? sizeof(junk) : sizeof(b->rx) - b->rx_len;
		long n = b->io->read(b->port, dst, room);

		if (n < 0 || (n == 0 && !any)) {
			/* Readable but nothing there: the line hung up. */
			port_gone(b, "");
			return;
		}
		if (n == 0)
			break;
		any = true;
		if (!b->overflow) {
			b->rx_len += (size_t)n;
			if (b->rx_len == sizeof(b->rx))
				b->overflow = true;
		}
		if (b->overflow)
			break;	/* a flood: judge now, read no more */
	}
	want = modbus_reply_length(b->rx, b->rx_len, q->function);
	if (b->overflow || (want && b->rx_len >= want)) {
		finish_attempt(b, now);
		return;
	}
	/* More may come; a silence ends the frame early. */
	if (now + SILENCE_MS < b->deadline)
		b->deadline = now + SILENCE_MS;
}

static void modbus_begin_poll(struct sensor_bus *bus, int64_t now)
{
	struct sensor_modbus *b = of(bus);
	char why[128];

	if (b->phase != IDLE || b->n_dev == 0)
		return;		/* the last poll is still going */
	if (!b->port) {
		b->port = b->io->open(b->path, &b->set, why, sizeof(why));
		if (!b->port) {
			port_gone(b, why);
			return;
		}
	}
	b->cur = -1;
	next_device(b, now);
	b->deadline = now;	/* the first request goes at once */
}

static void modbus_wants(struct sensor_bus *bus, int *fd, short *events, int64_t *deadline)
{
	struct sensor_modbus *b = of(bus);

	*fd = -1;
	*events = 0;
	*deadline = b->phase == IDLE ? -1 : b->deadline;
	/* Between polls the port is not watched: an idle station sleeps. */
	if (b->port && (b->phase == SENDING || b->phase == WAITING)) {
		*fd = b->io->fd(b->port);
		*events = b->phase == SENDING ? POLLOUT : POLLIN;
	}
}

static void modbus_service(struct sensor_bus *bus, short revents, int64_t now)
{
	struct sensor_modbus *b = of(bus);

	if (b->port && (revents & (POLLERR | POLLNVAL | POLLHUP)) && !(revents & POLLIN)) {
		port_gone(b, "");
		return;
	}
	switch (b->phase) {
	case IDLE:
		return;
	case GAP:
		if (now >= b->deadline)
			start_request(b, now);
		return;
	case SENDING:
		if (revents & POLLOUT)
			send_some(b, now);
		else if (now >= b->deadline)
			port_gone(b, "stuck");
		return;
	case WAITING:
		if (revents & (POLLIN | POLLHUP))
			receive(b, now);
		else if (now >= b->deadline)
			finish_attempt(b, now);
		return;
	}
}

static void modbus_free(struct sensor_bus *bus)
{
	struct sensor_modbus *b = of(bus);

	close_port(b);
	free(b->dev);
	free(b);
}

static const struct sensor_bus_ops modbus_ops = {
	.name = "modbus",
	.begin_poll = modbus_begin_poll,
	.wants = modbus_wants,
	.service = modbus_service,
	.free = modbus_free,
};

struct sensor_bus *sensor_modbus_new(const struct serial_ops *io, const char *port,
				     const struct serial_settings *set,
				     const struct modbus_device *devices, int n,
				     sensor_report_fn *report_fn, void *ctx)
{
	struct sensor_modbus *b = calloc(1, sizeof(*b));
	int bits = set->parity == 'N' ? 10 : 11;

	if (!b)
		return NULL;
	b->dev = calloc((size_t)(n > 0 ? n : 1), sizeof(*b->dev));
	if (!b->dev) {
		free(b);
		return NULL;
	}
	b->base.ops = &modbus_ops;
	b->base.report = report_fn;
	b->base.report_ctx = ctx;
	b->io = io;
	snprintf(b->path, sizeof(b->path), "%s", port);
	b->set = *set;
	b->char_ms = 1000.0 * bits / (set->baud > 0 ? set->baud : 9600);
	b->n_dev = n;
	b->phase = IDLE;
	b->deadline = -1;
	for (int i = 0; i < n; i++) {
		b->dev[i].cfg = devices[i];
		plan(&b->dev[i]);
	}
	return &b->base;
}
