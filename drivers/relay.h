/* A relay that switches a pump or valve. Each driver fills relay_ops and
 * embeds struct relay first in its own state. Every relay made is known
 * to relay_all_off_now(), which signal handlers call. */
#ifndef FS_RELAY_H
#define FS_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct relay;
struct sim_farm;

struct relay_ops {
	const char *name;
	int (*set)(struct relay *r, bool on);	/* 0 or -errno */
	/* Off from a signal handler: async-signal-safe, no allocation. */
	void (*force_off)(struct relay *r);
	void (*free)(struct relay *r);
};

struct relay {
	const struct relay_ops *ops;
	bool on;
	bool first;		/* an injector: off before any pump */
};

/* Switch; on failure the relay is driven off and -errno returned. */
int relay_set(struct relay *r, bool on);
bool relay_is_on(const struct relay *r);
/* Drives the relay off, then frees it. */
void relay_free(struct relay *r);

/* For drivers: make r known to relay_all_off_now(). -1 if too many. */
int relay_register(struct relay *r);
void relay_unregister(struct relay *r);
/* An injector's relay: relay_all_off_now() turns it off before pumps. */
void relay_mark_first(struct relay *r);
/* Every registered relay off, now, injectors first. Safe in a signal
 * handler. */
void relay_all_off_now(void);

/* A simulated relay: while on, it waters the given zones of the farm.
 * With a state_path, it also writes its state there at every switch, "1"
 * or "0", as the kernel shows a GPIO line's value: what a killed station
 * left on stays visible from outside, as it would on a relay board. */
struct relay *relay_sim_new(struct sim_farm *farm, const int *zones, int n_zones,
			    const char *state_path);
/* How long a simulated relay has been on in all, by the farm's clock, in
 * milliseconds; -1 for a relay that is not simulated. */
int64_t relay_sim_on_ms(const struct relay *r);

/* A relay on a GPIO line, requested already off. chip: "gpiochip0", "0",
 * "/dev/gpiochip0" or the chip's label; line: an offset or a line name.
 * NULL with one sentence in err when the chip or line does not exist or
 * the line is busy. */
struct relay *relay_gpiod_new(const char *chip, const char *line, bool active_low,
			      char *err, size_t errlen);

#endif
