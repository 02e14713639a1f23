/* libFuzzer target: a configuration file as a technician's editor, a
 * broken SD card or a stranger may leave it. It is read through a file,
 * as the station reads it; it must be refused in a sentence or taken
 * whole, never crash or hang, and the sentence is clean text. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct config *cfg = NULL;
	char err[512];

	if (fd < 0) {
		fd = memfd_create("fuzz.ini", 0);
		if (fd < 0)
			__builtin_trap();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		__builtin_trap();
	err[0] = '\0';
	if (config_load(path, &cfg, err, sizeof(err)) == 0) {
		if (!cfg)
			__builtin_trap();
		config_free(cfg);
	} else if (!err[0] || cfg) {
		/* A refusal always says why, and leaves nothing to free. */
		__builtin_trap();
	} else {
		/* Why never repeats a control byte from the file. */
		for (const char *c = err; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				__builtin_trap();
	}
	return 0;
}
