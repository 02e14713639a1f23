/* The Modbus bus, through its ops, over a scripted serial port: what goes
 * on the wire, scaling and sign, timeouts, retries and the silence
 * between frames, and every kind of bad answer, each one leaving the
 * other devices on the bus read as usual. */
#include "testlib.h"

#include "modbus.h"
#include "sensor.h"
#include "serial.h"

#include <math.h>
#include <poll.h>

enum behaviour { OK, SILENT, BADCRC, GARBAGE, EXCEPTION, WRONGADDR, WRONGFN, SHORT, FLOOD,
		 TOO_LONG, SPLIT, FADING };

/* Devices on the scripted line: address -> registers and behaviour. */
struct fake_dev {
	uint8_t address;
	uint16_t reg[64];	/* registers 0..63 */
	enum behaviour b;
	int requests;
};

static struct {
	struct fake_dev dev[4];
	int n_dev;
	bool unplugged;		/* open fails, reads and writes fail */
	int unplug_after;	/* requests sent before it is pulled out */
	bool open;
	int opens;
	int64_t now;
	uint8_t out[8192];	/* everything the bus sent */
	size_t n_out;
	int64_t sent_at[256];	/* when each request was complete */
	int n_sent;
	uint8_t in[8192];	/* what the bus may read */
	size_t n_in, split;	/* split: hold back bytes after this many */
} F;

struct serial_port {
	int dummy;
};

static struct serial_port the_port;

static struct fake_dev *dev_at(uint8_t a)
{
	for (int i = 0; i < F.n_dev; i++)
		if (F.dev[i].address == a)
			return &F.dev[i];
	return NULL;
}

static void give(const uint8_t *b, size_t n)
{
	memcpy(F.in + F.n_in, b, n);
	F.n_in += n;
}

static void with_crc(uint8_t *b, size_t n)
{
	uint16_t c = modbus_crc16(b, n);

	b[n] = (uint8_t)c;
	b[n + 1] = (uint8_t)(c >> 8);
}

/* A device answers a complete request. */
static void answer(const uint8_t *q)
{
	struct fake_dev *d = dev_at(q[0]);
	uint8_t r[300];
	uint16_t reg = (uint16_t)(q[2] << 8 | q[3]), count = (uint16_t)(q[4] << 8 | q[5]);
	size_t n;

	if (!d)
		return;
	d->requests++;
	r[0] = d->address;
	r[1] = q[1];
	r[2] = (uint8_t)(2 * count);
	for (int i = 0; i < count; i++) {
		r[3 + 2 * i] = (uint8_t)(d->reg[reg + i] >> 8);
		r[4 + 2 * i] = (uint8_t)d->reg[reg + i];
	}
	n = 3 + 2 * (size_t)count;
	with_crc(r, n);
	n += 2;
	switch (d->b) {
	case OK:
		break;
	case SILENT:
		return;
	case BADCRC:
		r[n - 1] ^= 1;
		break;
	case GARBAGE:
		for (size_t i = 0; i < 11; i++)
			r[i] = (uint8_t)(i * 37 + 5);
		n = 11;
		break;
	case EXCEPTION:
		r[1] |= 0x80;
		r[2] = 2;
		with_crc(r, 3);
		n = 5;
		break;
	case WRONGADDR:
		r[0]++;
		with_crc(r, n - 2);
		break;
	case WRONGFN:
		r[1] = 0x07;
		with_crc(r, n - 2);
		break;
	case SHORT:
		n = 4;
		break;
	case FADING:
		/* Part of an answer once, then nothing. */
		if (d->requests > 1)
			return;
		n = 4;
		break;
	case FLOOD:
		for (size_t i = 0; i < 5000; i++)
			F.in[F.n_in++] = (uint8_t)(i * 7);
		return;
	case TOO_LONG:
		r[n++] = 0x00;
		r[n++] = 0xFF;
		break;
	case SPLIT:
		F.split = F.n_in + 4;
		break;
	}
	give(r, n);
}

static struct serial_port *fake_open(const char *path, const struct serial_settings *set,
				     char *err, size_t errlen)
{
	(void)path;
	(void)set;
	if (F.unplugged) {
		snprintf(err, errlen, "not connected");
		return NULL;
	}
	F.open = true;
	F.opens++;
	return &the_port;
}

static void fake_close(struct serial_port *p)
{
	assert_ptr_equal(p, &the_port);
	F.open = false;
}

static int fake_fd(const struct serial_port *p)
{
	(void)p;
	return 99;
}

static long fake_write(struct serial_port *p, const uint8_t *b, size_t n)
{
	(void)p;
	if (F.unplugged)
		return -1;
	memcpy(F.out + F.n_out, b, n);
	F.n_out += n;
	if (F.n_out % 8 == 0) {
		F.sent_at[F.n_sent++] = F.now;
		if (F.unplug_after && F.n_sent == F.unplug_after) {
			F.unplugged = true;
			F.unplug_after = 0;
			return (long)n;
		}
		answer(F.out + F.n_out - 8);
	}
	return (long)n;
}

static long fake_read(struct serial_port *p, uint8_t *b, size_t n)
{
	size_t avail = F.split ? F.split : F.n_in;

	(void)p;
	if (F.unplugged)
		return -1;
	if (n > avail)
		n = avail;
	memcpy(b, F.in, n);
	memmove(F.in, F.in + n, F.n_in - n);
	F.n_in -= n;
	if (F.split)
		F.split -= n;
	return (long)n;
}

static void fake_discard(struct serial_port *p)
{
	(void)p;
	F.n_in = 0;
	F.split = 0;
}

static const struct serial_ops fake_io = {
	fake_open, fake_close, fake_fd, fake_write, fake_read, fake_discard,
};

/* What the bus reported. */
struct report {
	enum sensor_status status;
	struct sensor_sample s[SENSOR_MAX_SAMPLES];
	int n;
	bool faulty;
	struct sensor_fault fault;
	int64_t at;
};

static struct report got[4];
static int reports;

static void on_report(void *ctx, int i, enum sensor_status st, const struct sensor_sample *s,
		      int n, const struct sensor_fault *fault)
{
	(void)ctx;
	assert_true(i >= 0 && i < 4);
	got[i].status = st;
	got[i].n = n;
	if (n)
		memcpy(got[i].s, s, (size_t)n * sizeof(*s));
	got[i].faulty = fault != NULL;
	if (fault)
		got[i].fault = *fault;
	got[i].at = F.now;
	reports++;
}

static double value(int i, enum quantity q)
{
	for (int k = 0; k < got[i].n; k++)
		if (got[i].s[k].quantity == q)
			return got[i].s[k].value;
	return NAN;
}

/* Drive the bus as the loop would, with time jumping to each deadline;
 * bytes are there to read as soon as a device has answered. Returns how
 * many times it woke the bus. */
static int run_poll(struct sensor_bus *bus)
{
	int wakeups = 0;

	bus->ops->begin_poll(bus, F.now);
	for (; wakeups < 10000; wakeups++) {
		int fd;
		short ev;
		int64_t dl;

		bus->ops->wants(bus, &fd, &ev, &dl);
		if (fd >= 0 && ev == POLLIN && F.n_in > 0) {
			F.now += 2;
			bus->ops->service(bus, POLLIN, F.now);
			if (F.split && F.n_in)
				F.split = F.n_in;	/* the rest comes later */
		} else if (fd >= 0 && ev == POLLOUT) {
			bus->ops->service(bus, POLLOUT, F.now);
		} else if (dl >= 0) {
			if (dl > F.now)
				F.now = dl;
			bus->ops->service(bus, 0, F.now);
		} else {
			break;
		}
	}
	return wakeups;
}

static struct modbus_device device(uint8_t address, const char *model)
{
	struct modbus_device d = { .address = address, .timeout_ms = 200, .retries = 2 };

	d.n_values = sensor_modbus_preset(model, d.values, MODBUS_MAX_VALUES);
	assert_true(d.n_values > 0);
	return d;
}

static struct sensor_bus *bus_of(const struct modbus_device *d, int n)
{
	struct serial_settings set = { 9600, 'N' };

	return sensor_modbus_new(&fake_io, "/dev/ttyUSB0", &set, d, n, on_report, NULL);
}

static int setup(void **state)
{
	(void)state;
	memset(&F, 0, sizeof(F));
	memset(got, 0, sizeof(got));
	reports = 0;
	F.now = 1000;
	/* A JXCT probe at 1, a "0x0000" probe at 2, an XY-MD02 at 3. */
	F.dev[0].address = 1;
	F.dev[0].reg[0x12] = 287;
	F.dev[0].reg[0x13] = 0xFF9B;	/* -10.1 °C */
	F.dev[0].reg[0x15] = 380;
	F.dev[0].reg[0x06] = 642;
	F.dev[1].address = 2;
	F.dev[1].reg[0] = 315;
	F.dev[1].reg[1] = 264;
	F.dev[1].reg[2] = 420;
	F.dev[1].reg[3] = 65;
	F.dev[2].address = 3;
	F.dev[2].reg[1] = 293;
	F.dev[2].reg[2] = 784;
	F.n_dev = 3;
	return 0;
}

static bool sent(const char *hexes)
{
	uint8_t want[8];
	unsigned v;
	int used, n = 0;

	while (n < 8 && sscanf(hexes, " %2x%n", &v, &used) == 1) {
		want[n++] = (uint8_t)v;
		hexes += used;
	}
	for (size_t i = 0; i + 8 <= F.n_out; i += 8)
		if (memcmp(F.out + i, want, (size_t)n) == 0)
			return true;
	return false;
}

static void jxct_values_scaled_and_signed(void **state)
{
	struct modbus_device d = device(1, "soil-jxct");
	struct sensor_bus *bus = bus_of(&d, 1);

	(void)state;
	run_poll(bus);
	assert_int_equal(got[0].status, SENSOR_OK);
	assert_true(value(0, Q_MOISTURE) == 28.7);
	assert_true(value(0, Q_SOIL_TEMP) == -10.1);
	assert_true(value(0, Q_EC) == 380);
	assert_true(value(0, Q_PH) == 6.42);
	/* Neighbouring registers share a request; the others have their own. */
	assert_int_equal(F.n_sent, 3);
	assert_true(sent("01 03 00 12 00 02 64 0E"));
	assert_true(sent("01 03 00 15 00 01"));
	assert_true(sent("01 03 00 06 00 01"));
	bus->ops->free(bus);
}

static void three_devices_one_at_a_time_with_silence_between(void **state)
{
	struct modbus_device d[] = { device(1, "soil-jxct"), device(2, "soil-0000"),
				     device(3, "air-xymd02") };
	struct sensor_bus *bus = bus_of(d, 3);

	(void)state;
	run_poll(bus);
	assert_int_equal(reports, 3);
	assert_true(value(1, Q_MOISTURE) == 31.5);
	assert_true(value(1, Q_PH) == 6.5);
	assert_true(value(2, Q_AIR_TEMP) == 29.3);
	assert_true(value(2, Q_HUMIDITY) == 78.4);
	/* The 0x0000 probe's four registers in one request, fn 04 for air. */
	assert_true(sent("01 03 00 12 00 02 64 0E"));
	assert_true(sent("02 03 00 00 00 04"));
	assert_true(sent("03 04 00 01 00 02"));
	assert_int_equal(F.n_sent, 5);
	/* A frame ends in silence: never two requests closer than 20 ms,
	 * and each only once the previous answer is in. */
	for (int i = 1; i < F.n_sent; i++)
		assert_true(F.sent_at[i] - F.sent_at[i - 1] >= 20);
	/* Between polls the bus wants nothing: the station sleeps. */
	int fd;
	short ev;
	int64_t dl;
	bus->ops->wants(bus, &fd, &ev, &dl);
	assert_int_equal(fd, -1);
	assert_int_equal(dl, -1);
	bus->ops->free(bus);
}

/* A silent device: asked three times, each after its timeout, then lost;
 * the device after it is read as usual. */
static void silent_device_times_out_and_the_next_is_read(void **state)
{
	struct modbus_device d[] = { device(1, "soil-jxct"), device(2, "soil-0000") };
	struct sensor_bus *bus = bus_of(d, 2);
	int64_t start = F.now;

	(void)state;
	F.dev[0].b = SILENT;
	run_poll(bus);
	assert_int_equal(got[0].status, SENSOR_LOST);
	assert_true(got[0].faulty);
	assert_int_equal(got[0].fault.kind, FAULT_NO_ANSWER);
	assert_false(got[1].faulty);
	assert_int_equal(got[0].n, 0);
	assert_int_equal(F.dev[0].requests, 3);	/* once and two retries */
	assert_int_equal(F.sent_at[1] - F.sent_at[0] >= 200, true);
	assert_true(got[0].at - start >= 3 * 200);
	assert_true(got[0].at - start < 3 * 200 + 3 * 40);
	assert_int_equal(got[1].status, SENSOR_OK);
	assert_true(value(1, Q_MOISTURE) == 31.5);
	bus->ops->free(bus);
}

static void each_bad_answer_marks_the_sensor_and_keeps_nothing(void **state)
{
	static const struct {
		enum behaviour b;
		enum sensor_fault_kind kind;
		int code;		/* -1: any */
		int requests;
	} cases[] = {
		{ BADCRC, FAULT_CRC, -1, 3 },
		{ GARBAGE, FAULT_CRC, -1, 3 },
		{ EXCEPTION, FAULT_REFUSED, 2, 1 },
		{ WRONGADDR, FAULT_ADDRESS, -1, 3 },
		{ WRONGFN, FAULT_FUNCTION, -1, 3 },
		{ SHORT, FAULT_SHORT, 4, 3 },
		{ TOO_LONG, FAULT_LENGTH, 9, 3 },
	};

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct modbus_device d[] = { device(1, "soil-jxct"), device(2, "soil-0000") };
		struct sensor_bus *bus;

		setup(NULL);
		bus = bus_of(d, 2);
		F.dev[0].b = cases[c].b;
		run_poll(bus);
		assert_int_equal(got[0].status, SENSOR_BAD_FRAME);
		assert_int_equal(got[0].n, 0);
		assert_true(got[0].faulty);
		if (cases[c].b != GARBAGE)
			assert_int_equal(got[0].fault.kind, cases[c].kind);
		if (cases[c].code >= 0)
			assert_int_equal(got[0].fault.code, cases[c].code);
		if (cases[c].b == EXCEPTION)
			assert_int_equal(got[0].fault.reg, 0x0006);
		assert_int_equal(F.dev[0].requests, cases[c].requests);
		assert_int_equal(got[1].status, SENSOR_OK);
		bus->ops->free(bus);
	}
}

/* A probe that sends part of an answer and then falls silent is lost for
 * want of an answer: the kind of the fault and its reason agree, the last
 * try deciding. */
static void a_fading_device_is_lost_not_garbled(void **state)
{
	struct modbus_device d[] = { device(1, "soil-jxct") };
	struct sensor_bus *bus = bus_of(d, 1);

	(void)state;
	F.dev[0].b = FADING;
	run_poll(bus);
	assert_int_equal(F.dev[0].requests, 3);
	assert_int_equal(got[0].status, SENSOR_LOST);
	assert_int_equal(got[0].fault.kind, FAULT_NO_ANSWER);
	bus->ops->free(bus);
}

/* An answer that comes in pieces, as from a USB adapter, is put together. */
static void answer_in_pieces(void **state)
{
	struct modbus_device d = device(2, "soil-0000");
	struct sensor_bus *bus = bus_of(&d, 1);

	(void)state;
	F.dev[1].b = SPLIT;
	run_poll(bus);
	assert_int_equal(got[0].status, SENSOR_OK);
	assert_true(value(0, Q_SOIL_TEMP) == 26.4);
	assert_int_equal(F.dev[1].requests, 1);
	bus->ops->free(bus);
}

/* A device that floods the line: judged at once, read no further, and the
 * bus does not spin. */
static void a_flood_is_refused_without_spinning(void **state)
{
	struct modbus_device d[] = { device(1, "soil-jxct"), device(2, "soil-0000") };
	struct sensor_bus *bus = bus_of(d, 2);
	int wakeups;

	(void)state;
	F.dev[0].b = FLOOD;
	wakeups = run_poll(bus);
	assert_int_equal(got[0].status, SENSOR_BAD_FRAME);
	assert_int_equal(got[0].fault.kind, FAULT_LENGTH);
	assert_int_equal(got[0].fault.code, 256);
	assert_int_equal(got[1].status, SENSOR_OK);
	assert_true(wakeups < 40);
	bus->ops->free(bus);
}

/* The adapter is unplugged: every sensor lost, the port tried again at each
 * poll, and read again as soon as it is back, with no restart. */
static void unplugged_adapter_comes_back(void **state)
{
	struct modbus_device d[] = { device(1, "soil-jxct"), device(3, "air-xymd02") };
	struct sensor_bus *bus = bus_of(d, 2);

	(void)state;
	F.unplugged = true;
	run_poll(bus);
	assert_int_equal(got[0].status, SENSOR_LOST);
	assert_int_equal(got[1].status, SENSOR_LOST);
	assert_int_equal(got[0].fault.kind, FAULT_PORT);
	assert_string_equal(got[0].fault.why, "not connected");
	F.unplugged = false;
	run_poll(bus);
	assert_int_equal(got[0].status, SENSOR_OK);
	assert_int_equal(got[1].status, SENSOR_OK);
	assert_int_equal(F.opens, 1);
	/* Pulled out in the middle of a poll, as the air sensor is asked. */
	F.unplug_after = F.n_sent + 3;
	run_poll(bus);
	assert_int_equal(got[0].status, SENSOR_LOST);
	assert_int_equal(got[1].status, SENSOR_LOST);
	assert_int_equal(got[1].fault.kind, FAULT_PORT);
	assert_string_equal(got[1].fault.why, "");
	assert_false(F.open);
	F.unplugged = false;
	run_poll(bus);
	assert_int_equal(got[0].status, SENSOR_OK);
	assert_int_equal(got[1].status, SENSOR_OK);
	assert_int_equal(F.opens, 2);
	bus->ops->free(bus);
}

/* A hung-up line (POLLHUP) closes the port; the next poll opens it again. */
static void hangup_closes_the_port(void **state)
{
	struct modbus_device d = device(1, "soil-jxct");
	struct sensor_bus *bus = bus_of(&d, 1);
	int fd;
	short ev;
	int64_t dl;

	(void)state;
	F.dev[0].b = SILENT;
	bus->ops->begin_poll(bus, F.now);
	bus->ops->wants(bus, &fd, &ev, &dl);
	bus->ops->service(bus, 0, dl);		/* the request goes out */
	bus->ops->wants(bus, &fd, &ev, &dl);
	assert_int_equal(fd, 99);
	assert_int_equal(ev, POLLIN);
	bus->ops->service(bus, POLLHUP, dl - 100);
	assert_int_equal(got[0].status, SENSOR_LOST);
	assert_int_equal(got[0].fault.kind, FAULT_PORT);
	assert_string_equal(got[0].fault.why, "");
	assert_false(F.open);
	F.dev[0].b = OK;
	run_poll(bus);
	assert_int_equal(got[0].status, SENSOR_OK);
	bus->ops->free(bus);
}

static void presets_follow_the_manuals(void **state)
{
	struct modbus_value v[MODBUS_MAX_VALUES];

	(void)state;
	assert_int_equal(sensor_modbus_preset("soil-0000", v, MODBUS_MAX_VALUES), 4);
	assert_int_equal(v[0].reg, 0x0000);
	assert_true(v[1].is_signed);
	assert_int_equal(sensor_modbus_preset("air-xymd02", v, MODBUS_MAX_VALUES), 2);
	assert_int_equal(v[0].function, 4);
	assert_int_equal(v[0].quantity, Q_AIR_TEMP);
	assert_int_equal(sensor_modbus_preset("soil-analog", v, MODBUS_MAX_VALUES), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(jxct_values_scaled_and_signed, setup),
		cmocka_unit_test_setup(three_devices_one_at_a_time_with_silence_between, setup),
		cmocka_unit_test_setup(silent_device_times_out_and_the_next_is_read, setup),
		cmocka_unit_test_setup(each_bad_answer_marks_the_sensor_and_keeps_nothing, setup),
		cmocka_unit_test_setup(a_fading_device_is_lost_not_garbled, setup),
		cmocka_unit_test_setup(answer_in_pieces, setup),
		cmocka_unit_test_setup(a_flood_is_refused_without_spinning, setup),
		cmocka_unit_test_setup(unplugged_adapter_comes_back, setup),
		cmocka_unit_test_setup(hangup_closes_the_port, setup),
		cmocka_unit_test(presets_follow_the_manuals),
	};

	return cmocka_run_group_tests_name("sensor_modbus", tests, NULL, NULL);
}
