/* The line protocol of a microcontroller node: each line checked, the
 * node asked once a poll, a board given time to boot, missing channels,
 * bad checksums, chatter, a flood and a pulled cable, over a scripted
 * port. */
#include "testlib.h"

#include "sensor.h"
#include "serial.h"

#include <math.h>
#include <poll.h>

/* The node on the scripted port: what it answers to "?". */
static struct {
	char answer[8192];
	bool unplugged;
	int asked, opens;
	int64_t now, asked_at[16];
	char in[16384];
	size_t n_in;
	size_t chunk;		/* bytes a read returns at most (0: all) */
} N;

struct serial_port {
	int dummy;
};

static struct serial_port port;

static struct serial_port *fake_open(const char *path, const struct serial_settings *set,
				     char *err, size_t errlen)
{
	(void)path;
	(void)set;
	if (N.unplugged) {
		snprintf(err, errlen, "not connected");
		return NULL;
	}
	N.opens++;
	return &port;
}

static void fake_close(struct serial_port *p)
{
	(void)p;
}

static int fake_fd(const struct serial_port *p)
{
	(void)p;
	return 42;
}

static long fake_write(struct serial_port *p, const uint8_t *b, size_t n)
{
	(void)p;
	if (N.unplugged)
		return -1;
	if (n == 2 && b[0] == '?' && b[1] == '\n') {
		N.asked_at[N.asked++ % 16] = N.now;
		memcpy(N.in + N.n_in, N.answer, strlen(N.answer));
		N.n_in += strlen(N.answer);
	}
	return (long)n;
}

static long fake_read(struct serial_port *p, uint8_t *b, size_t n)
{
	(void)p;
	if (N.unplugged)
		return -1;
	if (N.chunk && n > N.chunk)
		n = N.chunk;
	if (n > N.n_in)
		n = N.n_in;
	memcpy(b, N.in, n);
	memmove(N.in, N.in + n, N.n_in - n);
	N.n_in -= n;
	return (long)n;
}

static void fake_discard(struct serial_port *p)
{
	(void)p;
	N.n_in = 0;
}

static const struct serial_ops fake_io = {
	fake_open, fake_close, fake_fd, fake_write, fake_read, fake_discard,
};

static struct {
	enum sensor_status status;
	double raw;
	bool faulty;
	struct sensor_fault fault;
} got[3];

static void on_report(void *ctx, int i, enum sensor_status st, const struct sensor_sample *s,
		      int n, const struct sensor_fault *fault)
{
	(void)ctx;
	got[i].status = st;
	got[i].raw = NAN;
	if (n) {
		assert_int_equal(n, 1);
		assert_int_equal(s[0].quantity, Q_RAW);
		got[i].raw = s[0].value;
	}
	got[i].faulty = fault != NULL;
	if (fault)
		got[i].fault = *fault;
}

/* Returns how often the bus was woken. */
static int run_poll(struct sensor_bus *bus)
{
	int wakeups = 0;

	bus->ops->begin_poll(bus, N.now);
	for (; wakeups < 10000; wakeups++) {
		int fd;
		short ev;
		int64_t dl;

		bus->ops->wants(bus, &fd, &ev, &dl);
		if (fd >= 0 && N.n_in > 0) {
			N.now += 1;
			bus->ops->service(bus, POLLIN, N.now);
		} else if (dl >= 0) {
			N.now = dl > N.now ? dl : N.now;
			bus->ops->service(bus, 0, N.now);
		} else {
			break;
		}
	}
	return wakeups;
}

static const char channels[3][LINE_CHANNEL_LEN] = { "A0", "A1", "soil_3" };

static struct sensor_bus *node(void)
{
	struct serial_settings set = { 115200, 'N' };

	memset(&N, 0, sizeof(N));
	memset(got, 0, sizeof(got));
	N.now = 5000;
	return sensor_line_new(&fake_io, "/dev/ttyACM0", &set, channels, 3, on_report, NULL);
}

static void lines_are_checked(void **state)
{
	char ch[LINE_CHANNEL_LEN];
	double v;
	const char *why;

	(void)state;
	/* XOR of "FS,A0,523" is 0x50. */
	assert_int_equal(sensor_line_parse("$FS,A0,523*50", ch, sizeof(ch), &v, &why), 0);
	assert_string_equal(ch, "A0");
	assert_true(v == 523);
	assert_int_equal(sensor_line_parse("$FS,T1,27.5*6e", ch, sizeof(ch), &v, &why), 0);
	assert_int_equal(sensor_line_parse("$FS,A0,524*50", ch, sizeof(ch), &v, &why), -1);
	assert_string_equal(why, "bad checksum");
	assert_int_equal(sensor_line_parse("$FS,A0,523", ch, sizeof(ch), &v, &why), -1);
	assert_string_equal(why, "no checksum");
	assert_int_equal(sensor_line_parse("$FS,A0,523*505", ch, sizeof(ch), &v, &why), -1);
	assert_int_equal(sensor_line_parse("FS,A0,523*50", ch, sizeof(ch), &v, &why), -1);
	/* A decimal value; never a sign, an exponent or two points. */
	assert_int_equal(sensor_line_parse("$FS,T1,27.5*6E", ch, sizeof(ch), &v, &why), 0);
	assert_true(v == 27.5);
	static const char *const bad[] = { "FS,A0,-5", "FS,A0,1e3", "FS,A0,1.2.3", "FS,A0,",
					   "FS,,5", "FS,A 0,5", "FS,A0,.5", "FS,A0,12345678901",
					   "FS,ABCDEFGHIJKLMNOPQ,5", "FS,A0" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char line[64];
		unsigned x = 0;

		for (const char *c = bad[i]; *c; c++)
			x ^= (unsigned char)*c;
		snprintf(line, sizeof(line), "$%s*%02X", bad[i], x);
		if (sensor_line_parse(line, ch, sizeof(ch), &v, &why) == 0)
			fail_msg("\"%s\" was taken", line);
	}
}

static void every_channel_answers(void **state)
{
	struct sensor_bus *bus = node();

	(void)state;
	strcpy(N.answer, "ESP32 node v1\r\n$FS,A1,301*57\r\n$FS,A0,523*50\r\n"
			 "$FS,soil_3,612*55\r\n$FS,A7,1*52\r\n");
	run_poll(bus);
	/* Once the port is open, the board has time to boot before it is asked. */
	assert_int_equal(N.asked, 1);
	assert_true(N.asked_at[0] >= 5000 + 2500);
	assert_int_equal(got[0].status, SENSOR_OK);
	assert_true(got[0].raw == 523);
	assert_true(got[1].raw == 301);
	assert_true(got[2].raw == 612);
	/* The next poll asks at once. */
	int64_t t = N.now + 60000;
	N.now = t;
	run_poll(bus);
	assert_int_equal(N.asked, 2);
	assert_true(N.asked_at[1] == t);
	bus->ops->free(bus);
}

static void a_line_in_pieces(void **state)
{
	struct sensor_bus *bus = node();

	(void)state;
	strcpy(N.answer, "$FS,A0,523*50\n$FS,A1,301*57\n$FS,soil_3,612*55\n");
	N.chunk = 5;
	run_poll(bus);
	assert_true(got[0].raw == 523 && got[1].raw == 301 && got[2].raw == 612);
	bus->ops->free(bus);
}

static void a_missing_channel_and_a_bad_checksum(void **state)
{
	struct sensor_bus *bus = node();

	(void)state;
	strcpy(N.answer, "$FS,A0,523*50\n");
	run_poll(bus);
	assert_int_equal(got[0].status, SENSOR_OK);
	assert_int_equal(got[1].status, SENSOR_LOST);
	assert_int_equal(got[1].fault.kind, FAULT_CHANNEL);
	strcpy(N.answer, "$FS,A0,523*50\n$FS,A1,301*56\n");
	run_poll(bus);
	assert_int_equal(got[0].status, SENSOR_OK);
	assert_int_equal(got[1].status, SENSOR_BAD_FRAME);
	assert_int_equal(got[1].fault.kind, FAULT_CHECKSUM);
	assert_true(isnan(got[1].raw));
	bus->ops->free(bus);
}

/* A node that says nothing is asked once more, then lost. */
static void a_silent_node(void **state)
{
	struct sensor_bus *bus = node();

	(void)state;
	strcpy(N.answer, "");
	run_poll(bus);
	assert_int_equal(N.asked, 2);
	assert_int_equal(got[2].status, SENSOR_LOST);
	assert_int_equal(got[2].fault.kind, FAULT_NO_ANSWER);
	bus->ops->free(bus);
}

static void a_flood(void **state)
{
	struct sensor_bus *bus = node();
	int wakeups;

	(void)state;
	for (int i = 0; i < 300; i++)
		strcat(N.answer, "$FS,A0,523*50\n");
	N.chunk = 100;
	wakeups = run_poll(bus);
	assert_int_equal(got[0].status, SENSOR_BAD_FRAME);
	assert_int_equal(got[0].fault.kind, FAULT_FLOOD);
	assert_true(wakeups < 60);
	/* A line that never ends is no better. */
	memset(N.answer, 'x', 5000);
	N.answer[0] = '$';
	N.answer[5000] = '\0';
	run_poll(bus);
	assert_int_equal(got[1].status, SENSOR_BAD_FRAME);
	bus->ops->free(bus);
}

static void unplugged_and_back(void **state)
{
	struct sensor_bus *bus = node();

	(void)state;
	strcpy(N.answer, "$FS,A0,523*50\n$FS,A1,301*57\n$FS,soil_3,612*55\n");
	N.unplugged = true;
	run_poll(bus);
	assert_int_equal(got[0].status, SENSOR_LOST);
	assert_int_equal(got[0].fault.kind, FAULT_PORT);
	assert_string_equal(got[0].fault.why, "not connected");
	N.unplugged = false;
	run_poll(bus);
	assert_int_equal(got[0].status, SENSOR_OK);
	N.unplugged = true;
	run_poll(bus);
	assert_int_equal(got[2].status, SENSOR_LOST);
	assert_int_equal(got[2].fault.kind, FAULT_PORT);
	assert_string_equal(got[2].fault.why, "");
	N.unplugged = false;
	run_poll(bus);
	assert_int_equal(got[2].status, SENSOR_OK);
	assert_int_equal(N.opens, 2);
	bus->ops->free(bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lines_are_checked),
		cmocka_unit_test(every_channel_answers),
		cmocka_unit_test(a_line_in_pieces),
		cmocka_unit_test(a_missing_channel_and_a_bad_checksum),
		cmocka_unit_test(a_silent_node),
		cmocka_unit_test(a_flood),
		cmocka_unit_test(unplugged_and_back),
	};

	return cmocka_run_group_tests_name("sensor_line", tests, NULL, NULL);
}
