/* A simulated relay: holds its state and waters zones of the simulated
 * farm while it is on. */
#include "relay.h"

#include "sim_farm.h"

#include <stdlib.h>
#include <string.h>

#define SIM_RELAY_ZONES 8

struct relay_sim {
	struct relay base;	/* first */
	struct sim_farm *farm;
	int zones[SIM_RELAY_ZONES];
	int n_zones;
};

static int sim_set(struct relay *r, bool on)
{
	struct relay_sim *s = (struct relay_sim *)r;

	for (int i = 0; i < s->n_zones; i++)
		sim_farm_set_water(s->farm, s->zones[i], on);
	return 0;
}

static void sim_force_off(struct relay *r)
{
	struct relay_sim *s = (struct relay_sim *)r;

	/* Only arithmetic on the farm's memory: safe in a signal handler. */
	for (int i = 0; i < s->n_zones; i++)
		sim_farm_set_water(s->farm, s->zones[i], false);
	r->on = false;
}

static void sim_free(struct relay *r)
{
	free(r);
}

static const struct relay_ops sim_ops = {
	.name = "sim",
	.set = sim_set,
	.force_off = sim_force_off,
	.free = sim_free,
};

struct relay *relay_sim_new(struct sim_farm *farm, const int *zones, int n_zones)
{
	struct relay_sim *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->base.ops = &sim_ops;
	s->farm = farm;
	s->n_zones = n_zones < SIM_RELAY_ZONES ? n_zones : SIM_RELAY_ZONES;
	memcpy(s->zones, zones, (size_t)s->n_zones * sizeof(int));
	if (relay_register(&s->base) < 0) {
		free(s);
		return NULL;
	}
	sim_set(&s->base, false);
	return &s->base;
}
