/* libFuzzer target: a Modbus RTU reply off the RS485 line, as many bytes
 * as a noisy line may bring, checked against what was asked. The first
 * three bytes choose the request (address, function, register count). */
#include "modbus.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint16_t regs[MODBUS_MAX_REGS];
	uint8_t exception = 0, address, function;
	uint16_t count;
	size_t want;

	if (size < 3)
		return 0;
	address = data[0];
	function = data[1] & 1 ? MODBUS_READ_INPUT : MODBUS_READ_HOLDING;
	count = (uint16_t)(1 + data[2] % MODBUS_MAX_REGS);
	data += 3;
	size -= 3;
	/* As the bus reads a frame: its length judged from its first bytes
	 * as they arrive, then the whole frame, never beyond the buffer. */
	if (size > MODBUS_MAX_FRAME)
		size = MODBUS_MAX_FRAME;
	for (size_t n = 0; n <= size; n++) {
		want = modbus_reply_length(data, n, function);
		if (want && want != 5 && want != 5 + (size_t)data[2])
			__builtin_trap();
	}
	memset(regs, 0, sizeof(regs));
	/* A reply taken as good is whole: its CRC checks over every byte and
	 * it holds exactly the registers asked for. */
	if (modbus_parse_reply(data, size, address, function, count, regs, &exception) ==
		    MODBUS_OK &&
	    (modbus_crc16(data, size) != 0 || size != 5 + 2 * (size_t)count))
		__builtin_trap();
	return 0;
}
