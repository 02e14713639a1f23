/* Modbus RTU frames for reading registers (functions 03 and 04): the
 * request, the CRC-16, and a strict check of a reply. Pure functions with
 * no I/O, so every byte of the protocol can be tested on its own. */
#ifndef FS_MODBUS_H
#define FS_MODBUS_H

#include <stddef.h>
#include <stdint.h>

#define MODBUS_READ_HOLDING 3
#define MODBUS_READ_INPUT 4
#define MODBUS_REQUEST_LEN 8
#define MODBUS_MAX_REGS 32		/* per request; the protocol allows 125 */
#define MODBUS_MAX_FRAME 256

enum modbus_result {
	MODBUS_OK,
	MODBUS_SHORT,		/* fewer bytes than any reply has */
	MODBUS_BAD_CRC,
	MODBUS_WRONG_ADDRESS,	/* a good frame from another device */
	MODBUS_WRONG_FUNCTION,
	MODBUS_BAD_LENGTH,	/* byte count or frame length not as asked */
	MODBUS_EXCEPTION,	/* the device refused; see the exception code */
};

/* CRC-16/MODBUS of buf; sent low byte first. */
uint16_t modbus_crc16(const uint8_t *buf, size_t len);

/* Writes the 8-byte request to read count registers from reg. */
void modbus_read_request(uint8_t out[MODBUS_REQUEST_LEN], uint8_t address, uint8_t function,
			 uint16_t reg, uint16_t count);

/* The length the reply will have, judged from its first bytes; 0 while it
 * cannot be told yet (or never can: an unknown function code). */
size_t modbus_reply_length(const uint8_t *buf, size_t len, uint8_t function);

/* Checks a whole reply frame against the request. On MODBUS_OK, regs holds
 * the count registers; on MODBUS_EXCEPTION, *exception holds the code. */
enum modbus_result modbus_parse_reply(const uint8_t *buf, size_t len, uint8_t address,
				      uint8_t function, uint16_t count, uint16_t *regs,
				      uint8_t *exception);

/* A short English description for the event log ("bad CRC"). */
const char *modbus_result_name(enum modbus_result r);

#endif
