/* A simulated relay: holds its state and waters zones of the simulated
 * farm while it is on; may show its state in a file, as a line's value. */
#include "relay.h"

#include "sim_farm.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SIM_RELAY_ZONES 8

struct relay_sim {
	struct relay base;	/* first */
	struct sim_farm *farm;
	int zones[SIM_RELAY_ZONES];
	int n_zones;
	int state_fd;		/* -1: not shown */
	/* How long it has been on, by the farm's clock: what a simulated
	 * meter in its line measures. */
	int64_t on_ms, on_since;
};

/* Before the switch: base.on is still the state it leaves. */
static void keep_time(struct relay_sim *s)
{
	int64_t now = sim_farm_now(s->farm);

	if (s->base.on && now > s->on_since)
		s->on_ms += now - s->on_since;
	s->on_since = now;
}

/* One byte at the start of the file: async-signal-safe. */
static void show(struct relay_sim *s, bool on)
{
	if (s->state_fd >= 0 && pwrite(s->state_fd, on ? "1" : "0", 1, 0) != 1)
		return;		/* only a window for tests: the relay itself switched */
}

static int sim_set(struct relay *r, bool on)
{
	struct relay_sim *s = (struct relay_sim *)r;

	for (int i = 0; i < s->n_zones; i++)
		if (on && sim_farm_relay_broken(s->farm, s->zones[i]))
			return -EIO;
	for (int i = 0; i < s->n_zones; i++)
		sim_farm_set_water(s->farm, s->zones[i], on);
	keep_time(s);
	show(s, on);
	return 0;
}

static void sim_force_off(struct relay *r)
{
	struct relay_sim *s = (struct relay_sim *)r;

	/* Only arithmetic on the farm's memory: safe in a signal handler. */
	for (int i = 0; i < s->n_zones; i++)
		sim_farm_set_water(s->farm, s->zones[i], false);
	keep_time(s);
	show(s, false);
	r->on = false;
}

static void sim_free(struct relay *r)
{
	struct relay_sim *s = (struct relay_sim *)r;

	if (s->state_fd >= 0)
		close(s->state_fd);
	free(r);
}

static const struct relay_ops sim_ops = {
	.name = "sim",
	.set = sim_set,
	.force_off = sim_force_off,
	.free = sim_free,
};

int64_t relay_sim_on_ms(const struct relay *r)
{
	const struct relay_sim *s = (const struct relay_sim *)r;
	int64_t now;

	if (!r || r->ops != &sim_ops)
		return -1;
	now = sim_farm_now(s->farm);
	return s->on_ms + (r->on && now > s->on_since ? now - s->on_since : 0);
}

struct relay *relay_sim_new(struct sim_farm *farm, const int *zones, int n_zones,
			    const char *state_path)
{
	struct relay_sim *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->state_fd = -1;
	if (state_path) {
		/* Not truncated: until a station makes this relay again, it
		 * shows what the last one left, as a relay board would. */
		s->state_fd = open(state_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (s->state_fd < 0) {
			free(s);
			return NULL;
		}
	}
	s->base.ops = &sim_ops;
	s->farm = farm;
	s->n_zones = n_zones < SIM_RELAY_ZONES ? n_zones : SIM_RELAY_ZONES;
	if (s->n_zones > 0)
		memcpy(s->zones, zones, (size_t)s->n_zones * sizeof(int));
	if (relay_register(&s->base) < 0) {
		sim_free(&s->base);
		return NULL;
	}
	sim_set(&s->base, false);
	return &s->base;
}
