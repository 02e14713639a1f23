/* Simulated sensors: read the simulated farm, with each probe's own
 * offset and noise, and answer after a delay like a serial sensor. A
 * sensor configured with a fault stops answering, or answers wrongly,
 * after a number of polls. */
#include "sensor.h"

#include "sim_farm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SIM_ANSWER_MS 20	/* one sensor's answer time on a 9600-baud bus */
#define SIM_PRESSURE_BAR 2.5	/* a drip line's pressure while its pump runs */
#define SIM_FLOW_LPM 40.0	/* and its flow, litres a minute */

struct sensor_sim {
	struct sensor_bus base;	/* first */
	struct sim_farm *farm;
	struct sim_sensor *sensors;
	int *answered;		/* polls each sensor has answered */
	int n;
	int64_t deadline;	/* -1: idle */
};

static double tenth(double v)
{
	return round(v * 10.0) / 10.0;
}

static void read_one(struct sensor_sim *b, int i)
{
	struct sim_farm *f = b->farm;
	const struct sim_sensor *s = &b->sensors[i];
	int64_t now = sim_farm_now(f);
	uint64_t minute = (uint64_t)(now / 60000);
	struct sensor_sample out[4];
	int n = 0;

	if (s->fault != SIM_FAULT_NONE && s->fault != SIM_FAULT_NO_WATER &&
	    b->answered[i] >= s->fault_after) {
		if (s->fault == SIM_FAULT_SILENT) {
			b->base.report(b->base.report_ctx, i, SENSOR_LOST, NULL, 0,
				       &(struct sensor_fault){ .kind = FAULT_NO_ANSWER });
			return;
		}
		if (s->fault == SIM_FAULT_BAD_FRAME) {
			b->base.report(b->base.report_ctx, i, SENSOR_BAD_FRAME, NULL, 0,
				       &(struct sensor_fault){ .kind = FAULT_CRC });
			return;
		}
		/* What a probe with a broken element sends: all ones. */
		out[n++] = (struct sensor_sample){ s->kind == SIM_AIR ? Q_AIR_TEMP :
						   s->kind == SIM_ANALOG ? Q_RAW :
						   s->kind == SIM_PRESSURE ? Q_PRESSURE :
						   s->kind == SIM_FLOW ? Q_FLOW : Q_MOISTURE,
						   s->kind == SIM_ANALOG ? 0 : 6553.5 };
		b->base.report(b->base.report_ctx, i, SENSOR_OK, out, n, NULL);
		return;
	}
	b->answered[i]++;
	if (s->kind == SIM_PRESSURE || s->kind == SIM_FLOW) {
		/* Water while the pump's relay is on, unless the source is dry
		 * (from fault_after polls on). */
		bool water = sim_farm_watering(f, s->zone) &&
			     !(s->fault == SIM_FAULT_NO_WATER && b->answered[i] > s->fault_after);
		double noise = sim_farm_noise(f, 70 + (uint64_t)i, minute);

		if (s->kind == SIM_PRESSURE)
			out[n++] = (struct sensor_sample){ Q_PRESSURE,
							   water ? round((SIM_PRESSURE_BAR + 0.1 * noise) * 100) / 100 : 0 };
		else
			out[n++] = (struct sensor_sample){ Q_FLOW,
							   water ? tenth(SIM_FLOW_LPM + 1.5 * noise) : 0 };
	} else if (s->kind == SIM_ANALOG) {
		/* A capacitive probe: its count falls as the soil gets wetter,
		 * from about 560 in air to about 300 in water. */
		double dry = 560 + 25 * sim_farm_noise(f, 60, (uint64_t)i);
		double wet = 300 + 25 * sim_farm_noise(f, 61, (uint64_t)i);
		double m = sim_farm_moisture(f, s->zone) + 0.3 * sim_farm_noise(f, 62 + (uint64_t)i, minute);

		out[n++] = (struct sensor_sample){ Q_RAW, round(dry + (wet - dry) * m / 100) };
	} else if (s->kind == SIM_AIR) {
		out[n++] = (struct sensor_sample){ Q_AIR_TEMP,
			tenth(sim_farm_air_temp(f, now) + 0.2 * sim_farm_noise(f, 10 + (uint64_t)i, minute)) };
		out[n++] = (struct sensor_sample){ Q_HUMIDITY,
			tenth(sim_farm_humidity(f, now) + 0.5 * sim_farm_noise(f, 20 + (uint64_t)i, minute)) };
	} else {
		double m = sim_farm_moisture(f, s->zone) + 1.5 * sim_farm_noise(f, 30, (uint64_t)i) +
			   0.3 * sim_farm_noise(f, 40 + (uint64_t)i, minute);
		double soil = 26.0 + 0.4 * (sim_farm_air_temp(f, now) - 27.0);

		out[n++] = (struct sensor_sample){ Q_MOISTURE, tenth(m < 0 ? 0 : m) };
		out[n++] = (struct sensor_sample){ Q_SOIL_TEMP, tenth(soil) };
		out[n++] = (struct sensor_sample){ Q_EC, round(180 + 6 * m) };
		out[n++] = (struct sensor_sample){ Q_PH, tenth(6.3 + 0.1 * sim_farm_noise(f, 50, (uint64_t)i)) };
	}
	b->base.report(b->base.report_ctx, i, SENSOR_OK, out, n, NULL);
}

static void sim_begin_poll(struct sensor_bus *bus, int64_t now_ms)
{
	struct sensor_sim *b = (struct sensor_sim *)bus;

	if (b->deadline < 0)
		b->deadline = now_ms + SIM_ANSWER_MS * b->n;
}

static void sim_wants(struct sensor_bus *bus, int *fd, short *events, int64_t *deadline_ms)
{
	struct sensor_sim *b = (struct sensor_sim *)bus;

	*fd = -1;
	*events = 0;
	*deadline_ms = b->deadline;
}

static void sim_service(struct sensor_bus *bus, short revents, int64_t now_ms)
{
	struct sensor_sim *b = (struct sensor_sim *)bus;

	(void)revents;
	if (b->deadline < 0 || now_ms < b->deadline)
		return;
	b->deadline = -1;
	for (int i = 0; i < b->n; i++)
		read_one(b, i);
}

static void sim_free(struct sensor_bus *bus)
{
	struct sensor_sim *b = (struct sensor_sim *)bus;

	free(b->sensors);
	free(b->answered);
	free(b);
}

static const struct sensor_bus_ops sim_ops = {
	.name = "sim",
	.begin_poll = sim_begin_poll,
	.wants = sim_wants,
	.service = sim_service,
	.free = sim_free,
};

struct sensor_bus *sensor_sim_new(struct sim_farm *farm, const struct sim_sensor *sensors,
				  int n, sensor_report_fn *report, void *ctx)
{
	struct sensor_sim *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->sensors = calloc((size_t)(n > 0 ? n : 1), sizeof(*sensors));
	b->answered = calloc((size_t)(n > 0 ? n : 1), sizeof(*b->answered));
	if (!b->sensors || !b->answered) {
		free(b->sensors);
		free(b->answered);
		free(b);
		return NULL;
	}
	memcpy(b->sensors, sensors, (size_t)n * sizeof(*sensors));
	b->base.ops = &sim_ops;
	b->base.report = report;
	b->base.report_ctx = ctx;
	b->farm = farm;
	b->n = n;
	b->deadline = -1;
	return &b->base;
}
