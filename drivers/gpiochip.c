/* Finding a GPIO chip and one of its lines through libgpiod v2: by
 * number, path, name or label, with the reason said when it fails. */
#include "gpiochip.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <gpiod.h>
#include <libintl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define _(s) gettext(s)

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* A chip whose label is `label` (boards renumber their chips between
 * kernels; labels stay). NULL with errno ENOENT if none. */
static struct gpiod_chip *open_by_label(const char *label)
{
	DIR *d = opendir("/dev");
	struct dirent *e;
	char path[288];

	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		struct gpiod_chip *chip;
		struct gpiod_chip_info *info;
		bool match;

		if (strncmp(e->d_name, "gpiochip", 8) != 0)
			continue;
		snprintf(path, sizeof(path), "/dev/%s", e->d_name);
		chip = gpiod_chip_open(path);
		if (!chip)
			continue;
		info = gpiod_chip_get_info(chip);
		match = info && strcmp(gpiod_chip_info_get_label(info), label) == 0;
		gpiod_chip_info_free(info);
		if (match) {
			closedir(d);
			return chip;
		}
		gpiod_chip_close(chip);
	}
	closedir(d);
	errno = ENOENT;
	return NULL;
}

/* "gpiochip0", "0", "/dev/gpiochip0" or a chip's label. */
struct gpiod_chip *gpiochip_open(const char *spec, char *err, size_t errlen)
{
	struct gpiod_chip *chip;
	char path[256];

	if (spec[0] == '/')
		snprintf(path, sizeof(path), "%s", spec);
	else if (all_digits(spec))
		snprintf(path, sizeof(path), "/dev/gpiochip%s", spec);
	else
		snprintf(path, sizeof(path), "/dev/%s", spec);
	chip = gpiod_chip_open(path);
	if (!chip && errno == ENOENT && spec[0] != '/' && !all_digits(spec))
		chip = open_by_label(spec);
	if (chip)
		return chip;
	switch (errno) {
	case ENOENT:
		snprintf(err, errlen, _("There is no GPIO chip \"%s\" on this board (gpiodetect lists them)."),
			 spec);
		break;
	case EACCES:
	case EPERM:
		snprintf(err, errlen, _("No permission to use %s: run the station as root or in the gpio group."),
			 path);
		break;
	case ENOTTY:
	case ENODEV:
		snprintf(err, errlen, _("%s is not a GPIO chip."), path);
		break;
	default:
		snprintf(err, errlen, _("GPIO chip %s cannot be opened: %s"), path, strerror(errno));
	}
	return NULL;
}

/* The line's offset from a number or the line's name. */
int gpiochip_find_line(struct gpiod_chip *chip, const char *chip_spec, const char *line,
		       unsigned *offset, char *err, size_t errlen)
{
	struct gpiod_chip_info *info = gpiod_chip_get_info(chip);
	size_t n = info ? gpiod_chip_info_get_num_lines(info) : 0;
	int rc = -1;

	if (!info) {
		snprintf(err, errlen, _("GPIO chip %s does not answer: %s"), chip_spec,
			 strerror(errno));
		return -1;
	}
	if (all_digits(line)) {
		unsigned long v = strtoul(line, NULL, 10);

		if (v >= n)
			snprintf(err, errlen, _("GPIO chip %s has lines 0 to %zu; there is no line %s."),
				 chip_spec, n ? n - 1 : 0, line);
		else {
			*offset = (unsigned)v;
			rc = 0;
		}
	} else {
		int off = gpiod_chip_get_line_offset_from_name(chip, line);

		if (off < 0)
			snprintf(err, errlen, _("GPIO chip %s has no line named \"%s\"."), chip_spec,
				 line);
		else {
			*offset = (unsigned)off;
			rc = 0;
		}
	}
	gpiod_chip_info_free(info);
	return rc;
}

/* Says who holds a busy line, when the kernel knows. */
void gpiochip_explain_busy(struct gpiod_chip *chip, const char *chip_spec, const char *line,
			   unsigned offset, char *err, size_t errlen)
{
	struct gpiod_line_info *li = gpiod_chip_get_line_info(chip, offset);
	const char *who = li && gpiod_line_info_is_used(li) ? gpiod_line_info_get_consumer(li) : NULL;

	if (who && *who)
		snprintf(err, errlen, _("Line %s of GPIO chip %s is in use by \"%s\"."), line,
			 chip_spec, who);
	else
		snprintf(err, errlen, _("Line %s of GPIO chip %s is in use by another program."),
			 line, chip_spec);
	gpiod_line_info_free(li);
}
