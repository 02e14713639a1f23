/* A pulse water meter (a hall-effect meter: so many pulses a litre) on an
 * input line. Each driver fills meter_ops and embeds struct meter first in
 * its own state; what they share is how pulses are judged: a second with
 * more pulses than the meter can give for real (its cap) is noise from the
 * wiring, counted apart and never as water. */
#ifndef FS_METER_H
#define FS_METER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct meter;
struct relay;
struct sim_farm;

struct meter_ops {
	const char *name;
	/* The file descriptor to watch for POLLIN (-1: none); service() reads
	 * what came, without blocking. */
	int (*fd)(const struct meter *m);
	void (*service)(struct meter *m);
	/* Brings the count up to now (a driver without events counts here). */
	void (*update)(struct meter *m);
	void (*free)(struct meter *m);
};

struct meter {
	const struct meter_ops *ops;
	double cap;		/* the most pulses a second that can be water */
	/* Pulses in the second being counted, by the driver's clock. */
	int64_t second;
	uint64_t in_second;
	/* The quiet second before it, held until the next is judged: noise
	 * starts and stops within a second, so a second beside a noisy one
	 * is noise too. */
	int64_t held_second;
	uint64_t held;
	int64_t noisy_second;	/* the last noisy second */
	/* Since the last meter_take(). */
	uint64_t good, noise;
	int noisy_seconds;
	uint64_t noisiest;	/* the most pulses seen in one noisy second */
	/* meter_count_event(): the last event's number and time. */
	uint64_t last_seqno;
	int64_t last_ns;
};

/* What came since the last take. */
struct meter_count {
	uint64_t pulses;	/* judged water */
	uint64_t noise;		/* judged noise: not water */
	int noisy_seconds;
	uint64_t noisiest;	/* pulses in the worst noisy second */
};

/* For drivers: one pulse at t_ns on the driver's clock (events in order). */
void meter_count_pulse(struct meter *m, int64_t t_ns);
/* For drivers whose events the kernel numbers (libgpiod's line sequence
 * number): one pulse at t_ns, and, when the numbers jump, the events the
 * kernel's buffer could not keep, spread between the last event and this
 * one: a loop held up at full flow loses no water. */
void meter_count_event(struct meter *m, uint64_t seqno, int64_t t_ns);
/* For drivers: n pulses spread evenly over [from_ns, to_ns). */
void meter_count_span(struct meter *m, int64_t from_ns, int64_t to_ns, uint64_t n);

/* Sets up the counting of a driver's meter with its cap. */
void meter_init(struct meter *m, const struct meter_ops *ops, double cap);
/* What was judged since the last take; the last second or two wait for
 * the next take, unless final (the run is over): then all is judged. */
void meter_take(struct meter *m, struct meter_count *out, bool final);
int meter_fd(const struct meter *m);
void meter_service(struct meter *m);
void meter_free(struct meter *m);

/* A meter on a GPIO line, through libgpiod v2: the kernel counts rising
 * edges, debounced by debounce_us where the chip or the kernel can, and
 * stamps each; the line is pulled up for an open-collector meter. cap as
 * in struct meter. NULL with one sentence in err when the chip or line
 * does not exist or the line is in use. */
struct meter *meter_gpiod_new(const char *chip, const char *line, int debounce_us, double cap,
			      char *err, size_t errlen);

/* A simulated meter: lpm litres a minute of ppl pulses while source (a
 * simulated relay) is on, by the farm's clock. fault: SIM_FAULT_NONE, or
 * METER_SIM_NO_WATER (nothing ever), METER_SIM_NOISE (thousands of pulses
 * a second, always). */
enum meter_sim_fault { METER_SIM_NONE, METER_SIM_NO_WATER, METER_SIM_NOISE };
#define METER_SIM_NOISE_HZ 5000
struct meter *meter_sim_new(struct sim_farm *farm, const struct relay *source, double lpm,
			    double ppl, int fault, double cap);

#endif
