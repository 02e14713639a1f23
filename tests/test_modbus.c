/* Modbus RTU framing: requests and CRCs byte for byte as the probes'
 * manuals print them, and every way a reply can be wrong refused. */
#include "testlib.h"

#include "modbus.h"

static void hex(const char *s, uint8_t *out, size_t *n)
{
	unsigned v;
	int used;

	*n = 0;
	while (sscanf(s, " %2x%n", &v, &used) == 1) {
		out[(*n)++] = (uint8_t)v;
		s += used;
	}
}

/* The JXCT manual's request for moisture: 01 03 00 12 00 01 24 0F. */
static void request_bytes_as_in_the_manuals(void **state)
{
	uint8_t req[MODBUS_REQUEST_LEN], want[16];
	size_t n;

	(void)state;
	modbus_read_request(req, 1, MODBUS_READ_HOLDING, 0x0012, 1);
	hex("01 03 00 12 00 01 24 0F", want, &n);
	assert_int_equal(n, 8);
	assert_memory_equal(req, want, 8);
	/* The "0x0000" soil probe: moisture and temperature. */
	modbus_read_request(req, 1, MODBUS_READ_HOLDING, 0x0000, 2);
	hex("01 03 00 00 00 02 C4 0B", want, &n);
	assert_memory_equal(req, want, 8);
	/* The XY-MD02 air sensor: input registers 1 and 2. */
	modbus_read_request(req, 1, MODBUS_READ_INPUT, 0x0001, 2);
	hex("01 04 00 01 00 02 20 0B", want, &n);
	assert_memory_equal(req, want, 8);
}

static void crc_of_known_frames(void **state)
{
	uint8_t b[16];
	size_t n;

	(void)state;
	hex("01 03 00 12 00 01", b, &n);
	assert_int_equal(modbus_crc16(b, n), 0x0F24);
	/* A whole frame with its CRC leaves a CRC of zero. */
	hex("01 03 04 02 92 FF 9B 5A 3D", b, &n);
	assert_int_equal(modbus_crc16(b, n), 0);
	assert_int_equal(modbus_crc16(b, 0), 0xFFFF);
}

/* A soil probe's manual: 65.8 % moisture and -10.1 °C. */
static void reply_with_two_registers(void **state)
{
	uint8_t b[16];
	uint16_t regs[2] = { 0 };
	size_t n;

	(void)state;
	hex("01 03 04 02 92 FF 9B 5A 3D", b, &n);
	assert_int_equal(modbus_reply_length(b, 1, 3), 0);
	assert_int_equal(modbus_reply_length(b, 2, 3), 0);
	assert_int_equal(modbus_reply_length(b, 3, 3), 9);
	assert_int_equal(modbus_parse_reply(b, n, 1, 3, 2, regs, NULL), MODBUS_OK);
	assert_int_equal(regs[0], 658);
	assert_int_equal((int16_t)regs[1], -101);
}

static void every_bad_reply_is_refused(void **state)
{
	uint8_t b[16], exc = 0;
	uint16_t regs[2];
	size_t n;

	(void)state;
	/* One bit flipped in the data. */
	hex("01 03 04 02 93 FF 9B 5A 3D", b, &n);
	assert_int_equal(modbus_parse_reply(b, n, 1, 3, 2, regs, NULL), MODBUS_BAD_CRC);
	/* Cut short: the CRC no longer fits. */
	assert_int_equal(modbus_parse_reply(b, 7, 1, 3, 2, regs, NULL), MODBUS_BAD_CRC);
	assert_int_equal(modbus_parse_reply(b, 4, 1, 3, 2, regs, NULL), MODBUS_SHORT);
	assert_int_equal(modbus_parse_reply(b, 0, 1, 3, 2, regs, NULL), MODBUS_SHORT);
	/* A good frame, but we asked device 2. */
	hex("01 03 04 02 92 FF 9B 5A 3D", b, &n);
	assert_int_equal(modbus_parse_reply(b, n, 2, 3, 2, regs, NULL), MODBUS_WRONG_ADDRESS);
	/* A good frame, but we asked for input registers. */
	assert_int_equal(modbus_parse_reply(b, n, 1, 4, 2, regs, NULL), MODBUS_WRONG_FUNCTION);
	/* A good frame, but with one register where we asked for two. */
	hex("01 03 02 02 92 38 89", b, &n);
	assert_int_equal(modbus_parse_reply(b, n, 1, 3, 2, regs, NULL), MODBUS_BAD_LENGTH);
	assert_int_equal(modbus_parse_reply(b, n, 1, 3, 1, regs, NULL), MODBUS_OK);
	assert_int_equal(regs[0], 658);
	/* The device refuses: illegal data address (exception 02). */
	hex("01 83 02", b, &n);
	uint16_t crc = modbus_crc16(b, n);
	b[n++] = (uint8_t)crc;
	b[n++] = (uint8_t)(crc >> 8);
	assert_int_equal(modbus_reply_length(b, 2, 3), 5);
	assert_int_equal(modbus_parse_reply(b, n, 1, 3, 2, regs, &exc), MODBUS_EXCEPTION);
	assert_int_equal(exc, 2);
	/* Line noise: nothing that a reply could be. */
	hex("FF 00 FF 13 37 00 00 FF FF", b, &n);
	assert_int_not_equal(modbus_parse_reply(b, n, 1, 3, 2, regs, NULL), MODBUS_OK);
	/* An unknown function code: its length cannot be told. */
	hex("01 07 04 02", b, &n);
	assert_int_equal(modbus_reply_length(b, n, 3), 0);
}

/* Every single-byte corruption of a good reply is caught. */
static void any_one_byte_changed_is_caught(void **state)
{
	uint8_t good[16], b[16];
	uint16_t regs[2];
	size_t n;

	(void)state;
	hex("01 03 04 02 92 FF 9B 5A 3D", good, &n);
	for (size_t i = 0; i < n; i++) {
		for (int v = 0; v < 256; v++) {
			if (v == good[i])
				continue;
			memcpy(b, good, n);
			b[i] = (uint8_t)v;
			assert_int_not_equal(modbus_parse_reply(b, n, 1, 3, 2, regs, NULL), MODBUS_OK);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(request_bytes_as_in_the_manuals),
		cmocka_unit_test(crc_of_known_frames),
		cmocka_unit_test(reply_with_two_registers),
		cmocka_unit_test(every_bad_reply_is_refused),
		cmocka_unit_test(any_one_byte_changed_is_caught),
	};

	return cmocka_run_group_tests_name("modbus", tests, NULL, NULL);
}
