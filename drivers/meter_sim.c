/* A simulated pulse meter: it measures the water of the simulated relay
 * in whose line it sits (a pump, an injector) by how long that relay has
 * been on, at a steady flow; or nothing (a dry source), or noise. The
 * pulses reach the same judging as a real meter's. */
#include "meter.h"

#include "relay.h"
#include "sim_farm.h"

#include <math.h>
#include <stdlib.h>

struct meter_sim {
	struct meter base;	/* first */
	struct sim_farm *farm;
	const struct relay *source;
	double lpm, ppl;
	int fault;
	int64_t counted;	/* pulses of water handed on so far */
	int64_t last_ms;	/* the farm's time of the last update */
};

static void sim_meter_update(struct meter *m)
{
	struct meter_sim *s = (struct meter_sim *)m;
	int64_t now = sim_farm_now(s->farm), on = relay_sim_on_ms(s->source);
	int64_t total, water;

	if (now <= s->last_ms)
		return;
	/* All the pulses its relay's time on is worth, whole pulses only. */
	total = on > 0 ? (int64_t)floor((double)on / 60000.0 * s->lpm * s->ppl) : 0;
	water = s->fault == METER_SIM_NONE && total > s->counted ? total - s->counted : 0;
	s->counted = total;
	if (s->fault == METER_SIM_NOISE)
		meter_count_span(m, s->last_ms * 1000000, now * 1000000,
				 (uint64_t)((now - s->last_ms) * METER_SIM_NOISE_HZ / 1000));
	else
		meter_count_span(m, s->last_ms * 1000000, now * 1000000, (uint64_t)water);
	s->last_ms = now;
}

static void sim_meter_free(struct meter *m)
{
	free(m);
}

static const struct meter_ops sim_meter_ops = {
	.name = "sim",
	.update = sim_meter_update,
	.free = sim_meter_free,
};

struct meter *meter_sim_new(struct sim_farm *farm, const struct relay *source, double lpm,
			    double ppl, int fault, double cap)
{
	struct meter_sim *s = calloc(1, sizeof(*s));
	int64_t on;

	if (!s)
		return NULL;
	meter_init(&s->base, &sim_meter_ops, cap);
	s->farm = farm;
	s->source = source;
	s->lpm = lpm;
	s->ppl = ppl;
	s->fault = fault;
	s->last_ms = sim_farm_now(farm);
	on = relay_sim_on_ms(source);
	s->counted = on > 0 ? (int64_t)floor((double)on / 60000.0 * lpm * ppl) : 0;
	return &s->base;
}
