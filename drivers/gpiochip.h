/* Finding a GPIO chip and one of its lines by what a configuration says,
 * for the drivers that request lines (relays, meters), with the reason in
 * one sentence when it cannot be done. */
#ifndef FS_GPIOCHIP_H
#define FS_GPIOCHIP_H

#include <stddef.h>

struct gpiod_chip;

/* "gpiochip0", "0", "/dev/gpiochip0" or a chip's label. NULL with err. */
struct gpiod_chip *gpiochip_open(const char *spec, char *err, size_t errlen);
/* The offset of line (a number or a line's name). 0, or -1 with err. */
int gpiochip_find_line(struct gpiod_chip *chip, const char *chip_spec, const char *line,
		       unsigned *offset, char *err, size_t errlen);
/* Says who holds a busy line, when the kernel knows. */
void gpiochip_explain_busy(struct gpiod_chip *chip, const char *chip_spec, const char *line,
			   unsigned offset, char *err, size_t errlen);

#endif
