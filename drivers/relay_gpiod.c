/* A relay on a GPIO line, through libgpiod (v2 API). The line is requested
 * as an output that is already off, so a relay never clicks on at start,
 * and with the pull that means off, for when no program holds it;
 * active-low boards are handled by the kernel's active-low flag, so "on"
 * is always the line's active value. */
#include "relay.h"

#include "gpiochip.h"

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
	chip = gpiochip_open(chip_spec, err, errlen);
	if (!chip)
		goto free_g;
	if (gpiochip_find_line(chip, chip_spec, line, &g->offset, err, errlen) < 0)
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
			gpiochip_explain_busy(chip, chip_spec, line, g->offset, err, errlen);
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
