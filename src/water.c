/* Pulse meters and flow sensors: the litres of each run, the noise of a
 * meter's wiring, and a meter's view of water that does not come. */
#include "water.h"

#include "app.h"
#include "clock.h"
#include "config.h"
#include "loop.h"
#include "meter.h"
#include "readings.h"
#include "relay.h"
#include "store.h"
#include "text.h"

#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct water {
	struct app *app;
	struct meter **meters;	/* as cfg->meters; NULL: cannot be used */
	char (*why)[256];	/* why not, for a meter that cannot be used */
	int n;
};

static const struct config *cfg_of(const struct water *w)
{
	return w->app->cfg;
}

static void on_meter(void *data, int fd, short revents)
{
	(void)fd;
	(void)revents;
	meter_service(data);
}

static struct meter *make_meter(struct water *w, int m, struct relay *const *relays,
			       struct relay *const *injectors)
{
	const struct meter_cfg *mc = &cfg_of(w)->meters[m];
	static const int faults[] = { METER_SIM_NONE, METER_SIM_NO_WATER, METER_SIM_NOISE };
	double cap = config_meter_cap(mc);

	if (mc->driver == RELAY_DRIVER_GPIOD)
		return meter_gpiod_new(mc->chip, mc->line, mc->debounce_us, cap, w->why[m],
				       sizeof(w->why[m]));
	if (!w->app->farm || (mc->pump_index < 0 && mc->injector_index < 0)) {
		snprintf(w->why[m], sizeof(w->why[m]), "%s",
			 _("Simulated meters need the simulator."));
		return NULL;
	}
	return meter_sim_new(w->app->farm, mc->pump_index >= 0 ? relays[mc->pump_index]
							      : injectors[mc->injector_index],
			     mc->sim_flow,
			     mc->pulses_per_litre, faults[mc->sim_fault], cap);
}

struct water *water_new(struct app *app, struct relay *const *relays,
			struct relay *const *injectors)
{
	const struct config *cfg = app->cfg;
	struct water *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->app = app;
	w->n = cfg->n_meters;
	w->meters = calloc((size_t)w->n + 1, sizeof(*w->meters));
	w->why = calloc((size_t)w->n + 1, sizeof(*w->why));
	if (!w->meters || !w->why) {
		water_free(w);
		return NULL;
	}
	for (int m = 0; m < w->n; m++) {
		int fd;

		w->meters[m] = make_meter(w, m, relays, injectors);
		if (!w->meters[m]) {
			/* The pump waters without it; the litres go unmeasured. */
			store_event(app->store, clock_now(app->clock), "meter_missing",
				    cfg->meters[m].item.id, w->why[m], true);
			continue;
		}
		fd = meter_fd(w->meters[m]);
		if (fd >= 0 && app->loop)
			loop_watch(app->loop, fd, POLLIN, on_meter, w->meters[m]);
	}
	return w;
}

void water_free(struct water *w)
{
	if (!w)
		return;
	for (int m = 0; w->meters && m < w->n; m++) {
		int fd;

		if (!w->meters[m])
			continue;
		fd = meter_fd(w->meters[m]);
		if (fd >= 0 && w->app->loop)
			loop_unwatch(w->app->loop, fd);
		meter_free(w->meters[m]);
	}
	free(w->meters);
	free(w->why);
	free(w);
}

const char *water_meter_unavailable(const struct water *w, int m)
{
	return w && m >= 0 && m < w->n && !w->meters[m] ? w->why[m] : NULL;
}

/* A meter sending more than it can measure: its wiring picks up noise
 * (a pump motor's cable beside it, a loose ground). Said once a run. */
void water_noise_alarm(struct water *w, int m, const char *owner, uint64_t noisiest)
{
	char detail[96];

	snprintf(detail, sizeof(detail), "%s;%" PRIu64 ";%.0f", owner, noisiest,
		 config_meter_cap(&cfg_of(w)->meters[m]));
	store_event(w->app->store, clock_now(w->app->clock), "meter_noise",
		    cfg_of(w)->meters[m].item.id, detail, true);
}

bool water_meter_take(struct water *w, int m, bool final, double *litres, uint64_t *noise,
		      uint64_t *noisiest)
{
	struct meter_count c;

	*litres = 0;
	*noise = *noisiest = 0;
	if (!w || m < 0 || m >= w->n || !w->meters[m])
		return false;
	meter_take(w->meters[m], &c, final);
	*litres = (double)c.pulses / cfg_of(w)->meters[m].pulses_per_litre;
	*noise = c.noise;
	*noisiest = c.noisiest;
	return true;
}

void water_begin(struct water *w, int pump, struct water_run *wr, int64_t started)
{
	const struct pump_cfg *pc = &cfg_of(w)->pumps[pump];
	double litres;
	uint64_t noise, noisiest;

	memset(wr, 0, sizeof(*wr));
	wr->litres = NAN;
	wr->flow_t = started;
	if (!w)
		return;
	if (water_meter_take(w, pc->meter_index, true, &litres, &noise, &noisiest))
		wr->litres = 0;		/* what came before is not this run's */
	else if (pc->flow_index >= 0 && w->app->readings)
		wr->litres = 0;
}

void water_measure(struct water *w, int pump, struct water_run *wr, int64_t now, bool final)
{
	const struct pump_cfg *pc = &cfg_of(w)->pumps[pump];
	const struct sensor_state *st;
	double litres;
	uint64_t noise, noisiest;

	if (!w || isnan(wr->litres))
		return;
	if (water_meter_take(w, pc->meter_index, final, &litres, &noise, &noisiest)) {
		wr->litres += litres;
		if (wr->window_ms)
			wr->window_litres += litres;
		if (noise && wr->window_ms)
			wr->window_noisy = true;
		if (noise && !wr->noise_told) {
			water_noise_alarm(w, pc->meter_index, pc->item.id, noisiest);
			wr->noise_told = true;
		}
		return;
	}
	if (pc->flow_index < 0 || !w->app->readings)
		return;
	/* Each reading stands for the time since the one before. */
	st = readings_sensor(w->app->readings, pc->flow_index);
	if (st->status == SENSOR_OK && st->has[Q_FLOW] && st->t > wr->flow_t && st->t <= now) {
		wr->litres += st->value[Q_FLOW] * (double)(st->t - wr->flow_t) / 60.0;
		wr->flow_t = st->t;
	}
}

bool water_too_little(struct water *w, int pump, struct water_run *wr, int64_t run_ms,
		      int64_t steady, double *flow)
{
	const struct pump_cfg *pc = &cfg_of(w)->pumps[pump];
	int64_t span;

	if (!w || pc->meter_index < 0 || !w->meters[pc->meter_index] || isnan(wr->litres) ||
	    run_ms < (int64_t)pc->flow_grace_seconds * 1000)
		return false;
	if (!wr->window_ms) {
		wr->window_ms = steady;
		wr->window_litres = 0;
		wr->window_noisy = false;
		return false;
	}
	span = steady - wr->window_ms;
	if (span < WATER_WINDOW_MS)
		return false;
	wr->last_flow = wr->window_litres / ((double)span / 60000.0);
	wr->low_windows = wr->last_flow < pc->min_flow && !wr->window_noisy ? wr->low_windows + 1
									      : 0;
	wr->window_ms = steady;
	wr->window_litres = 0;
	wr->window_noisy = false;
	*flow = wr->last_flow;
	return wr->low_windows >= 2;
}
