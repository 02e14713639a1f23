/* A pulse water meter on a GPIO line, through libgpiod v2: the line is
 * requested as an input with rising-edge events, debounced by the kernel,
 * pulled up for the open-collector output of a hall-effect meter. The
 * request's file descriptor is watched by the station's one poll loop;
 * each event carries the kernel's monotonic time stamp, by which pulses
 * are judged water or noise. No busy polling. */
#include "meter.h"

#include "gpiochip.h"

#include <errno.h>
#include <gpiod.h>
#include <libintl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define _(s) gettext(s)

/* Events read at once: the kernel keeps more until they are read. */
#define METER_EVENTS 64
/* Events the kernel keeps for the station (its most; 16 by default, a
 * fiftieth of a second at 750 pulses a second): over a second at full
 * flow. What it still drops is counted from the gap in the events'
 * numbers (meter_count_event()). */
#define KERNEL_EVENTS 1024

struct meter_gpiod {
	struct meter base;	/* first */
	struct gpiod_line_request *req;
	struct gpiod_edge_event_buffer *events;
	int fd;
};

static int gpiod_meter_fd(const struct meter *m)
{
	return ((const struct meter_gpiod *)m)->fd;
}

/* Reads what the kernel has: called when poll() says the fd is ready,
 * and before a take, so that nothing waits uncounted. */
static void gpiod_meter_service(struct meter *m)
{
	struct meter_gpiod *g = (struct meter_gpiod *)m;
	struct pollfd p = { .fd = g->fd, .events = POLLIN };

	while (poll(&p, 1, 0) == 1 && (p.revents & POLLIN)) {
		int n = gpiod_line_request_read_edge_events(g->req, g->events, METER_EVENTS);

		if (n <= 0)
			return;
		for (int i = 0; i < n; i++) {
			struct gpiod_edge_event *e = gpiod_edge_event_buffer_get_event(g->events,
										 (unsigned long)i);

			if (gpiod_edge_event_get_event_type(e) == GPIOD_EDGE_EVENT_RISING_EDGE)
				meter_count_event(m, gpiod_edge_event_get_line_seqno(e),
						  (int64_t)gpiod_edge_event_get_timestamp_ns(e));
		}
		if (n < METER_EVENTS)
			return;
	}
}

static void gpiod_meter_free(struct meter *m)
{
	struct meter_gpiod *g = (struct meter_gpiod *)m;

	gpiod_line_request_release(g->req);
	gpiod_edge_event_buffer_free(g->events);
	free(g);
}

static const struct meter_ops gpiod_meter_ops = {
	.name = "gpiod",
	.fd = gpiod_meter_fd,
	.service = gpiod_meter_service,
	.update = gpiod_meter_service,
	.free = gpiod_meter_free,
};

struct meter *meter_gpiod_new(const char *chip_spec, const char *line, int debounce_us, double cap,
			      char *err, size_t errlen)
{
	struct meter_gpiod *g = calloc(1, sizeof(*g));
	struct gpiod_chip *chip = NULL;
	struct gpiod_line_settings *ls = NULL;
	struct gpiod_line_config *lc = NULL;
	struct gpiod_request_config *rc = NULL;
	unsigned offset;

	if (!g) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	g->events = gpiod_edge_event_buffer_new(METER_EVENTS);
	if (!g->events) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		goto free_g;
	}
	chip = gpiochip_open(chip_spec, err, errlen);
	if (!chip)
		goto free_events;
	if (gpiochip_find_line(chip, chip_spec, line, &offset, err, errlen) < 0)
		goto close_chip;
	ls = gpiod_line_settings_new();
	lc = gpiod_line_config_new();
	rc = gpiod_request_config_new();
	if (!ls || !lc || !rc) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		goto free_cfg;
	}
	gpiod_line_settings_set_direction(ls, GPIOD_LINE_DIRECTION_INPUT);
	gpiod_line_settings_set_edge_detection(ls, GPIOD_LINE_EDGE_RISING);
	gpiod_line_settings_set_bias(ls, GPIOD_LINE_BIAS_PULL_UP);
	/* The kernel debounces in software where the chip cannot. */
	gpiod_line_settings_set_debounce_period_us(ls, (unsigned long)debounce_us);
	gpiod_line_settings_set_event_clock(ls, GPIOD_LINE_CLOCK_MONOTONIC);
	gpiod_request_config_set_consumer(rc, "fieldstation");
	gpiod_request_config_set_event_buffer_size(rc, KERNEL_EVENTS);
	if (gpiod_line_config_add_line_settings(lc, &offset, 1, ls) < 0) {
		snprintf(err, errlen, _("Line %s of GPIO chip %s cannot be set up: %s"), line,
			 chip_spec, strerror(errno));
		goto free_cfg;
	}
	g->req = gpiod_chip_request_lines(chip, rc, lc);
	if (!g->req) {
		if (errno == EBUSY)
			gpiochip_explain_busy(chip, chip_spec, line, offset, err, errlen);
		else
			snprintf(err, errlen, _("Line %s of GPIO chip %s cannot be read: %s"), line,
				 chip_spec, strerror(errno));
		goto free_cfg;
	}
	g->fd = gpiod_line_request_get_fd(g->req);
	meter_init(&g->base, &gpiod_meter_ops, cap);
	gpiod_request_config_free(rc);
	gpiod_line_config_free(lc);
	gpiod_line_settings_free(ls);
	gpiod_chip_close(chip);	/* the request outlives its chip */
	return &g->base;
free_cfg:
	gpiod_request_config_free(rc);
	gpiod_line_config_free(lc);
	gpiod_line_settings_free(ls);
close_chip:
	gpiod_chip_close(chip);
free_events:
	gpiod_edge_event_buffer_free(g->events);
free_g:
	free(g);
	return NULL;
}
