/* Modbus RTU framing and CRC. A reply is trusted only when its CRC, the
 * device address, the function and the byte count all match the request. */
#include "modbus.h"

uint16_t modbus_crc16(const uint8_t *buf, size_t len)
{
	uint16_t crc = 0xFFFF;

	for (size_t i = 0; i < len; i++) {
		crc ^= buf[i];
		for (int b = 0; b < 8; b++)
			crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xA001) : (uint16_t)(crc >> 1);
	}
	return crc;
}

void modbus_read_request(uint8_t out[MODBUS_REQUEST_LEN], uint8_t address, uint8_t function,
			 uint16_t reg, uint16_t count)
{
	uint16_t crc;

	out[0] = address;
	out[1] = function;
	out[2] = (uint8_t)(reg >> 8);
	out[3] = (uint8_t)reg;
	out[4] = (uint8_t)(count >> 8);
	out[5] = (uint8_t)count;
	crc = modbus_crc16(out, 6);
	out[6] = (uint8_t)crc;
	out[7] = (uint8_t)(crc >> 8);
}

size_t modbus_reply_length(const uint8_t *buf, size_t len, uint8_t function)
{
	if (len < 2)
		return 0;
	if (buf[1] == (function | 0x80))
		return 5;	/* address, function, exception code, CRC */
	if (buf[1] != function || len < 3)
		return 0;
	return 5 + (size_t)buf[2];	/* address, function, count, data, CRC */
}

enum modbus_result modbus_parse_reply(const uint8_t *buf, size_t len, uint8_t address,
				      uint8_t function, uint16_t count, uint16_t *regs,
				      uint8_t *exception)
{
	uint16_t crc;

	if (len < 5)
		return MODBUS_SHORT;
	crc = modbus_crc16(buf, len - 2);
	if (buf[len - 2] != (uint8_t)crc || buf[len - 1] != (uint8_t)(crc >> 8))
		return MODBUS_BAD_CRC;
	if (buf[0] != address)
		return MODBUS_WRONG_ADDRESS;
	if (buf[1] == (function | 0x80)) {
		if (len != 5)
			return MODBUS_BAD_LENGTH;
		if (exception)
			*exception = buf[2];
		return MODBUS_EXCEPTION;
	}
	if (buf[1] != function)
		return MODBUS_WRONG_FUNCTION;
	if (buf[2] != 2 * count || len != 5 + 2 * (size_t)count)
		return MODBUS_BAD_LENGTH;
	for (uint16_t i = 0; i < count; i++)
		regs[i] = (uint16_t)(buf[3 + 2 * i] << 8 | buf[4 + 2 * i]);
	return MODBUS_OK;
}

const char *modbus_result_name(enum modbus_result r)
{
	switch (r) {
	case MODBUS_OK:
		return "ok";
	case MODBUS_SHORT:
		return "short frame";
	case MODBUS_BAD_CRC:
		return "bad CRC";
	case MODBUS_WRONG_ADDRESS:
		return "wrong address";
	case MODBUS_WRONG_FUNCTION:
		return "wrong function";
	case MODBUS_BAD_LENGTH:
		return "bad length";
	case MODBUS_EXCEPTION:
		return "exception";
	}
	return "?";
}
