/* A relay on a GPIO line, through libgpiod (v2 API). The line is requested
 * as an output that is already off, so a relay never clicks on at start,
 * and with the pull that means off, for when no program holds it;
 * active-low boards are handled by the kernel's active-low flag, so "on"
 * is always the line's active value. */
#include "relay.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <gpiod.h>
#include <libintl.h>
#include <linux/gpio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#define _(s) gettext(s)

struct relay_gpiod {
	struct relay base;	/* first */
	struct gpiod_line_request *req;
	unsigned offset;
	int fd;			/* the request's, for force_off */
};

static int gpiod_set(struct relay *r, bool on)
{
	struct relay_gpiod *g = (struct relay_gpiod *)r;

	if (gpiod_line_request_set_value(g->req, g->offset,
					 on ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE) < 0)
		return errno ? -errno : -EIO;
	return 0;
}

/* From a signal handler: one ioctl on a stack struct, nothing from the
 * library (whose internals may change), no allocation. The request holds
 * one line, bit 0; 0 is inactive whatever the board's polarity. */
static void gpiod_force_off(struct relay *r)
{
	struct relay_gpiod *g = (struct relay_gpiod *)r;
	struct gpio_v2_line_values v = { .bits = 0, .mask = 1 };
	int saved = errno;

	ioctl(g->fd, GPIO_V2_LINE_SET_VALUES_IOCTL, &v);
	r->on = false;
	errno = saved;
}

static void gpiod_free_relay(struct relay *r)
{
	struct relay_gpiod *g = (struct relay_gpiod *)r;

	gpiod_line_request_release(g->req);
	free(g);
}

static const struct relay_ops gpiod_ops = {
	.name = "gpiod",
	.set = gpiod_set,
	.force_off = gpiod_force_off,
	.free = gpiod_free_relay,
};

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
static struct gpiod_chip *open_chip(const char *spec, char *err, size_t errlen)
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
static int find_line(struct gpiod_chip *chip, const char *chip_spec, const char *line,
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
static void explain_busy(struct gpiod_chip *chip, const char *chip_spec, const char *line,
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

struct relay *relay_gpiod_new(const char *chip_spec, const char *line, bool active_low,
			      char *err, size_t errlen)
{
	struct relay_gpiod *g = calloc(1, sizeof(*g));
	struct gpiod_chip *chip = NULL;
	struct gpiod_line_settings *ls = NULL;
	struct gpiod_line_config *lc = NULL;
	struct gpiod_request_config *rc = NULL;

	if (!g) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	chip = open_chip(chip_spec, err, errlen);
	if (!chip)
		goto free_g;
	if (find_line(chip, chip_spec, line, &g->offset, err, errlen) < 0)
		goto close_chip;
	ls = gpiod_line_settings_new();
	lc = gpiod_line_config_new();
	rc = gpiod_request_config_new();
	if (!ls || !lc || !rc) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		goto free_cfg;
	}
	/* Off from the very first moment the line is an output. */
	gpiod_line_settings_set_direction(ls, GPIOD_LINE_DIRECTION_OUTPUT);
	gpiod_line_settings_set_active_low(ls, active_low);
	gpiod_line_settings_set_output_value(ls, GPIOD_LINE_VALUE_INACTIVE);
	/* And off once no program holds it: kernels that turn a released line
	 * into an input leave it to its pull, so ask for the pull that means
	 * off (ignored by chips that have none). */
	gpiod_line_settings_set_bias(ls, active_low ? GPIOD_LINE_BIAS_PULL_UP
						    : GPIOD_LINE_BIAS_PULL_DOWN);
	gpiod_request_config_set_consumer(rc, "fieldstation");
	if (gpiod_line_config_add_line_settings(lc, &g->offset, 1, ls) < 0) {
		snprintf(err, errlen, _("Line %s of GPIO chip %s cannot be set up: %s"), line,
			 chip_spec, strerror(errno));
		goto free_cfg;
	}
	g->req = gpiod_chip_request_lines(chip, rc, lc);
	if (!g->req) {
		if (errno == EBUSY)
			explain_busy(chip, chip_spec, line, g->offset, err, errlen);
		else
			snprintf(err, errlen, _("Line %s of GPIO chip %s cannot be driven: %s"),
				 line, chip_spec, strerror(errno));
		goto free_cfg;
	}
	g->fd = gpiod_line_request_get_fd(g->req);
	g->base.ops = &gpiod_ops;
	if (relay_register(&g->base) < 0) {
		snprintf(err, errlen, _("Too many relays."));
		goto release;
	}
	gpiod_request_config_free(rc);
	gpiod_line_config_free(lc);
	gpiod_line_settings_free(ls);
	gpiod_chip_close(chip);	/* the request outlives its chip */
	return &g->base;
release:
	gpiod_line_request_release(g->req);
free_cfg:
	gpiod_request_config_free(rc);
	gpiod_line_config_free(lc);
	gpiod_line_settings_free(ls);
close_chip:
	gpiod_chip_close(chip);
free_g:
	free(g);
	return NULL;
}
