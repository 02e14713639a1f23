/* libFuzzer target: what a microcontroller node on a USB serial port
 * sends, line by line, as sensor_line_parse() checks each line: boot
 * messages, noise, half lines, forged checksums. A line is taken with a
 * channel and a value, or refused with a reason; never a crash. */
#include "sensor.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *line, *next;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (line = text; line; line = next) {
		char channel[LINE_CHANNEL_LEN];
		const char *why = NULL;
		double value = NAN;
		size_t n;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		n = strlen(line);
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';	/* as the driver takes a line */
		memset(channel, 'x', sizeof(channel));
		if (sensor_line_parse(line, channel, sizeof(channel), &value, &why) == 0) {
			/* Taken: a named channel, a count or a reading. */
			if (!memchr(channel, '\0', sizeof(channel)) || !channel[0] ||
			    !isfinite(value) || value < 0)
				__builtin_trap();
		} else if (!why || !why[0]) {
			__builtin_trap();	/* a refusal says why */
		}
	}
	free(text);
	return 0;
}
