/* Sensor buses from the configuration, the poll timer, the newest values,
 * calibration of raw analog probes, the adapter picked for a port, and
 * batched writes of readings. */
#include "readings.h"

#include "app.h"
#include "calibration.h"
#include "clock.h"
#include "config.h"
#include "loop.h"
#include "serial.h"
#include "sim_farm.h"
#include "store.h"
#include "text.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Readings wait in memory for a card that cannot take them, or for a
 * clock being set, this long at most (at the configured poll, four
 * values a sensor); beyond, they are counted as lost. */
#define PENDING_HOURS 3
#define PENDING_PER_SENSOR 4
#define FAST_POLL_MS 2000	/* while a probe is being calibrated */

struct bus_entry {
	struct readings *owner;
	struct sensor_bus *bus;
	int *sensor;		/* bus index -> cfg->sensors index */
	int n;
	int fd;			/* watched fd, -1 none */
	int timer;		/* deadline timer, 0 none */
	char port[CFG_PATH_LEN];	/* as configured; "" for the simulator */
	char path[CFG_PATH_LEN];	/* what is opened: the port, or the one picked */
};

struct readings {
	struct app *app;
	struct bus_entry *buses;	/* room for one per sensor, and the simulator's */
	int n_buses;
	struct sensor_state *state;	/* per configured sensor */
	struct calibration *cal;	/* per configured sensor */
	int *db_id;			/* sensors.id per configured sensor */
	struct reading_row *pending;
	int n_pending, max_pending;
	int64_t lost, lost_from, lost_to;	/* readings with no room to wait */
	int poll_timer, flush_timer;
	int fast;			/* screens asking for quick polls */
	time_t pruned;			/* when raw readings were last pruned */
};

static void rearm(struct bus_entry *e);

static void on_fd(void *data, int fd, short revents)
{
	struct bus_entry *e = data;

	(void)fd;
	e->bus->ops->service(e->bus, revents, clock_mono_ms());
	rearm(e);
}

static int64_t on_deadline(void *data)
{
	struct bus_entry *e = data;

	e->timer = 0;
	e->bus->ops->service(e->bus, 0, clock_mono_ms());
	rearm(e);
	return LOOP_DONE;
}

/* Follow what the bus now waits for: its fd and its deadline. */
static void rearm(struct bus_entry *e)
{
	struct loop *loop = e->owner->app->loop;
	int fd;
	short events;
	int64_t deadline;

	e->bus->ops->wants(e->bus, &fd, &events, &deadline);
	if (e->fd >= 0 && e->fd != fd)
		loop_unwatch(loop, e->fd);
	e->fd = fd;
	if (fd >= 0)
		loop_watch(loop, fd, events, on_fd, e);
	if (deadline < 0) {
		if (e->timer)
			loop_timer_del(loop, e->timer);
		e->timer = 0;
		return;
	}
	int64_t delay = deadline - clock_mono_ms();
	if (e->timer)
		loop_timer_set(loop, e->timer, delay);
	else
		e->timer = loop_timer_add(loop, delay > 0 ? delay : 0, on_deadline, e);
}

static const char *unwritten_text(void)
{
	return _("Readings cannot be written to the memory card: they wait in memory.");
}

static const char *lost_text(void)
{
	return _("Readings are being lost: the memory card has not taken them for hours.");
}

/* A reading with no room left to wait. */
static void lose(struct readings *r, int64_t t)
{
	if (r->lost == 0 || t < r->lost_from)
		r->lost_from = t;
	if (r->lost == 0 || t > r->lost_to)
		r->lost_to = t;
	r->lost++;
	if (!r->app->clock_behind)
		app_trouble(r->app, lost_text());
}

static void status_event(struct readings *r, int i, enum sensor_status was,
			 enum sensor_status now, const char *detail)
{
	const struct sensor_cfg *s = &r->app->cfg->sensors[i];
	static const char *const kinds[] = {
		[SENSOR_WAITING] = "sensor_waiting", [SENSOR_OK] = "sensor_ok",
		[SENSOR_LOST] = "sensor_lost", [SENSOR_BAD_FRAME] = "sensor_bad_frame",
		[SENSOR_BAD_VALUE] = "sensor_bad_value",
	};

	if (was == now || (was == SENSOR_WAITING && now == SENSOR_OK))
		return;
	store_event(r->app->store, clock_now(r->app->clock), kinds[now], s->item.id, detail,
		    now != SENSOR_OK);
}

/* A quantity in words, for a value that cannot be right. */
static const char *quantity_words(enum quantity q)
{
	static const char *const words[Q_COUNT] = {
		[Q_MOISTURE] = N_("soil moisture"), [Q_SOIL_TEMP] = N_("soil temperature"),
		[Q_EC] = N_("EC"), [Q_PH] = N_("pH"), [Q_AIR_TEMP] = N_("air temperature"),
		[Q_HUMIDITY] = N_("air humidity"), [Q_RAW] = N_("raw count"),
		[Q_PRESSURE] = N_("water pressure"), [Q_FLOW] = N_("water flow"),
	};

	return (int)q >= 0 && q < Q_COUNT && words[q] ? _(words[q]) : "?";
}

/* What a Modbus exception means, for a technician on the telephone. */
static const char *exception_words(int code)
{
	switch (code) {
	case 1:
		return _("it does not know this request");
	case 2:
		return _("it has no such register");
	case 3:
		return _("it does not accept the value asked for");
	case 4:
		return _("the probe itself failed");
	case 5:
	case 6:
		return _("it is busy");
	default:
		return _("a refusal it does not explain");
	}
}

/* A sensor's fault in the farmer's words, with its numbers in brackets:
 * what the screens show and the event log keeps. */
static void fault_words(const struct sensor_cfg *sc, const struct sensor_fault *f, char *buf,
			size_t n)
{
	switch (f->kind) {
	case FAULT_NO_ANSWER:
		snprintf(buf, n, "%s", _("no answer"));
		break;
	case FAULT_PORT:
		if (f->why[0])
			snprintf(buf, n, _("its serial port cannot be opened (%s)"), f->why);
		else
			snprintf(buf, n, "%s", _("its serial port is gone"));
		break;
	case FAULT_SHORT:
		snprintf(buf, n, _("an answer cut short, too slow or failing (%d bytes)"), f->code);
		break;
	case FAULT_CRC:
		snprintf(buf, n, "%s", _("a garbled answer (its CRC is wrong)"));
		break;
	case FAULT_ADDRESS:
		snprintf(buf, n, _("an answer from another address (not %d)"), sc->address);
		break;
	case FAULT_FUNCTION:
		snprintf(buf, n, "%s", _("an answer to another request"));
		break;
	case FAULT_LENGTH:
		snprintf(buf, n, _("an answer of the wrong length (%d bytes)"), f->code);
		break;
	case FAULT_REFUSED:
		snprintf(buf, n, _("the probe refused: %s (code %02X, register 0x%04X)"),
			 exception_words(f->code), (unsigned)f->code, (unsigned)f->reg);
		break;
	case FAULT_LINE:
		snprintf(buf, n, "%s", _("a garbled line from the node"));
		break;
	case FAULT_CHECKSUM:
		snprintf(buf, n, "%s", _("a line from the node with a wrong checksum"));
		break;
	case FAULT_FLOOD:
		snprintf(buf, n, "%s", _("far more data than the line should carry"));
		break;
	case FAULT_CHANNEL:
		snprintf(buf, n, _("the node does not send channel %s"), sc->channel);
		break;
	}
}

/* A value no probe can read means a broken probe: none of its values of
 * that answer is kept. */
static enum sensor_status check_values(const struct sensor_sample *samples, int n, char *err,
				       size_t errlen)
{
	char v[32];

	for (int k = 0; k < n; k++) {
		if (!sensor_plausible(samples[k].quantity, samples[k].value)) {
			snprintf(err, errlen, _("%s %s%s cannot be right"),
				 quantity_words(samples[k].quantity),
				 text_number(v, sizeof(v), samples[k].value, 1),
				 sensor_quantity_unit(samples[k].quantity));
			return SENSOR_BAD_VALUE;
		}
	}
	return SENSOR_OK;
}

/* A raw probe's count becomes soil moisture through its calibration; a
 * count its calibration cannot account for is a wrong value. */
static enum sensor_status calibrate(struct readings *r, int i, struct sensor_sample *s, int *n,
				    char *err, size_t errlen)
{
	const struct calibration *c = &r->cal[i];
	char a[24], b[24], d[24];
	double m;

	if (!config_sensor_is_analog(&r->app->cfg->sensors[i]) || !c->set)
		return SENSOR_OK;
	for (int k = 0; k < *n; k++) {
		if (s[k].quantity != Q_RAW)
			continue;
		if (!calibration_apply(c, s[k].value, &m)) {
			snprintf(err, errlen, _("raw count %s outside its calibration (dry %s, in water %s)"),
				 text_number(a, sizeof(a), s[k].value, 0),
				 text_number(b, sizeof(b), c->dry, 0), text_number(d, sizeof(d), c->wet, 0));
			return SENSOR_BAD_VALUE;
		}
		if (*n < SENSOR_MAX_SAMPLES)
			s[(*n)++] = (struct sensor_sample){ Q_MOISTURE, m };
		return SENSOR_OK;
	}
	return SENSOR_OK;
}

static void on_report(void *ctx, int idx, enum sensor_status status,
		      const struct sensor_sample *given, int n, const struct sensor_fault *fault)
{
	struct bus_entry *e = ctx;
	struct readings *r = e->owner;
	int i = e->sensor[idx];
	struct sensor_state *st = &r->state[i];
	int64_t now = clock_now(r->app->clock);
	struct sensor_sample samples[SENSOR_MAX_SAMPLES];
	char why[160] = "";
	const char *detail = NULL;

	if (fault) {
		fault_words(&r->app->cfg->sensors[i], fault, why, sizeof(why));
		detail = why;
	}
	if (n > SENSOR_MAX_SAMPLES - 1)
		n = SENSOR_MAX_SAMPLES - 1;
	if (n > 0)
		memcpy(samples, given, (size_t)n * sizeof(*samples));
	if (status == SENSOR_OK) {
		status = check_values(samples, n, why, sizeof(why));
		if (status == SENSOR_OK)
			status = calibrate(r, i, samples, &n, why, sizeof(why));
		if (status != SENSOR_OK)
			detail = why;
	}
	status_event(r, i, st->status, status, detail);
	st->status = status;
	snprintf(st->detail, sizeof(st->detail), "%s", detail ? detail : "");
	if (status != SENSOR_OK) {
		st->failures++;
		app_changed(r->app);
		return;
	}
	/* The answer before, if that poll was answered too. */
	st->prev_t = st->failures == 0 ? st->t : 0;
	memcpy(st->prev_value, st->value, sizeof(st->value));
	memcpy(st->prev_has, st->has, sizeof(st->has));
	st->failures = 0;
	st->t = now;
	memset(st->has, 0, sizeof(st->has));
	for (int k = 0; k < n; k++) {
		enum quantity q = samples[k].quantity;

		if (q >= Q_COUNT)
			continue;
		st->value[q] = samples[k].value;
		st->has[q] = true;
		if (r->n_pending < r->max_pending)
			r->pending[r->n_pending++] = (struct reading_row){
				r->db_id[i], (int)q, now, samples[k].value };
		else
			lose(r, now);
	}
	if (r->n_pending > r->max_pending * 3 / 4)
		readings_flush(r);
	app_changed(r->app);
}

/* The next multiple of `period` seconds of station time, as a real delay. */
static int64_t delay_to_next(const struct clock *c, int period)
{
	int64_t now = clock_now_ms(c);
	int64_t p = (int64_t)period * 1000;
	int64_t next = (now / p + 1) * p;

	return clock_real_ms_until(c, next);
}

static int64_t on_poll(void *data)
{
	struct readings *r = data;
	int64_t mono = clock_mono_ms();
	int64_t next = delay_to_next(r->app->clock, r->app->cfg->station.poll_seconds);

	for (int b = 0; b < r->n_buses; b++) {
		r->buses[b].bus->ops->begin_poll(r->buses[b].bus, mono);
		rearm(&r->buses[b]);
	}
	return r->fast && next > FAST_POLL_MS ? FAST_POLL_MS : next;
}

void readings_fast(struct readings *r, bool on)
{
	r->fast += on ? 1 : -1;
	if (r->fast < 0)
		r->fast = 0;
	if (r->fast)
		loop_timer_set(r->app->loop, r->poll_timer, 0);
}

static int64_t on_flush(void *data)
{
	struct readings *r = data;
	const struct station_cfg *st = &r->app->cfg->station;

	time_t now = clock_now(r->app->clock);

	readings_flush(r);
	/* Raw readings past their time go once a day, at most two days'
	 * worth at a time: the pages of a whole day are freed together, and
	 * the card sees the few pages above them once a day, not each hour. */
	if (now - r->pruned >= 86400 && !r->app->clock_behind) {
		store_readings_prune(r->app->store, (int64_t)now - (int64_t)st->keep_raw_days * 86400,
				     2 * 86400);
		r->pruned = now;
	}
	return delay_to_next(r->app->clock, st->flush_minutes * 60);
}

int readings_flush(struct readings *r)
{
	char detail[96];
	int rc;

	/* Not under a clock known to be wrong: they wait to be re-dated. */
	if (r->n_pending == 0 || r->app->clock_behind)
		return 0;
	rc = store_readings_add(r->app->store, r->pending, r->n_pending, clock_now(r->app->clock));
	/* On failure the rows stay pending for the next try. */
	if (rc < 0) {
		if (!r->lost)
			app_trouble(r->app, unwritten_text());
		return rc;
	}
	r->n_pending = 0;
	app_trouble_over(r->app, unwritten_text());
	if (r->lost) {
		snprintf(detail, sizeof(detail), "%" PRId64 ";%" PRId64 ";%" PRId64, r->lost,
			 r->lost_from, r->lost_to);
		if (store_event(r->app->store, clock_now(r->app->clock), "readings_lost", NULL,
				detail, false) == 0) {
			r->lost = 0;
			app_trouble_over(r->app, lost_text());
		}
	}
	return 0;
}

int readings_settle(struct readings *r)
{
	int rc;

	if (!r)
		return 0;
	rc = readings_flush(r);
	if (rc == 0 && !r->app->clock_behind)
		rc = store_readings_settle(r->app->store);
	return rc;
}

void readings_clock_set(struct readings *r, long long delta)
{
	for (int i = 0; i < r->n_pending; i++)
		r->pending[i].t += delta;
	if (r->lost) {
		r->lost_from += delta;
		r->lost_to += delta;
	}
	for (int i = 0; i < r->app->cfg->n_sensors; i++)
		if (r->state[i].t)
			r->state[i].t += delta;
}

/* The entries never move: their addresses are the loop's and the buses'
 * callback data. */
static int add_bus(struct readings *r, struct sensor_bus *bus, const int *sensors, int n,
		   const char *port, const char *path)
{
	struct bus_entry *e;

	if (r->n_buses > r->app->cfg->n_sensors)
		return -1;
	e = &r->buses[r->n_buses++];
	*e = (struct bus_entry){ .owner = r, .bus = bus, .n = n, .fd = -1 };
	snprintf(e->port, sizeof(e->port), "%s", port);
	snprintf(e->path, sizeof(e->path), "%s", path);
	e->sensor = malloc((size_t)(n > 0 ? n : 1) * sizeof(int));
	if (!e->sensor)
		return -1;
	memcpy(e->sensor, sensors, (size_t)n * sizeof(int));
	bus->report = on_report;
	bus->report_ctx = e;
	return 0;
}

/* All simulated sensors share one simulated bus. */
static int build_sim_bus(struct readings *r, char *err, size_t errlen)
{
	const struct config *cfg = r->app->cfg;
	struct sim_sensor *sim = calloc((size_t)cfg->n_sensors + 1, sizeof(*sim));
	int *idx = calloc((size_t)cfg->n_sensors + 1, sizeof(int));
	struct sensor_bus *bus = NULL;
	int n = 0, rc = -1;

	if (!sim || !idx)
		goto out;
	for (int i = 0; i < cfg->n_sensors; i++) {
		const struct sensor_cfg *s = &cfg->sensors[i];

		if (s->driver != SENSOR_DRIVER_SIM)
			continue;
		int pump = config_sensor_pump(cfg, i);

		sim[n] = (struct sim_sensor){
			/* A pressure or flow sensor watches the water of a zone
			 * its pump waters: the simulated farm's water is by zone. */
			.zone = s->model == MODEL_PRESSURE || s->model == MODEL_FLOW ?
				config_pump_zone(cfg, pump) : s->zone_index,
			.kind = config_sensor_is_analog(s) ? SIM_ANALOG :
				config_sensor_is_soil(s) ? SIM_SOIL :
				s->model == MODEL_PRESSURE ? SIM_PRESSURE :
				s->model == MODEL_FLOW ? SIM_FLOW : SIM_AIR,
			.fault = (enum sim_fault)s->sim_fault,
			.fault_after = s->sim_fault_after,
		};
		idx[n++] = i;
	}
	if (n == 0) {
		rc = 0;
		goto out;
	}
	if (!r->app->farm) {
		snprintf(err, errlen, _("Simulated sensors need the simulator."));
		goto out;
	}
	bus = sensor_sim_new(r->app->farm, sim, n, on_report, NULL);
	if (bus && add_bus(r, bus, idx, n, "", "") == 0)
		rc = 0;
	else if (bus)
		bus->ops->free(bus);
out:
	free(sim);
	free(idx);
	return rc;
}

/* The sensors on one port, as one bus opened at path: Modbus devices by
 * their addresses, or a line node's channels. */
static struct sensor_bus *serial_bus(struct readings *r, const int *idx, int n, const char *path)
{
	const struct config *cfg = r->app->cfg;
	const struct sensor_cfg *first = &cfg->sensors[idx[0]];
	struct serial_settings set = { first->baud, config_sensor_parity(first) };
	struct modbus_device *dev = NULL;
	char (*channels)[LINE_CHANNEL_LEN] = NULL;
	struct sensor_bus *bus = NULL;

	if (first->driver == SENSOR_DRIVER_LINE) {
		channels = calloc((size_t)n, sizeof(*channels));
		if (!channels)
			return NULL;
		for (int k = 0; k < n; k++)
			snprintf(channels[k], sizeof(channels[k]), "%s", cfg->sensors[idx[k]].channel);
		bus = sensor_line_new(&serial_libserialport, path, &set,
				      (const char (*)[LINE_CHANNEL_LEN])channels, n, on_report, NULL);
		free(channels);
		return bus;
	}
	dev = calloc((size_t)n, sizeof(*dev));
	if (!dev)
		return NULL;
	for (int k = 0; k < n; k++) {
		const struct sensor_cfg *s = &cfg->sensors[idx[k]];

		dev[k].address = (uint8_t)s->address;
		dev[k].n_values = s->n_values;
		memcpy(dev[k].values, s->values, sizeof(dev[k].values));
		dev[k].timeout_ms = s->timeout_ms;
		dev[k].retries = s->retries;
	}
	bus = sensor_modbus_new(&serial_libserialport, path, &set, dev, n, on_report, NULL);
	free(dev);
	return bus;
}

/* Serial sensors are grouped by port: each port is one bus, read one
 * request at a time. A port that is missing now is not an error: the bus
 * says its sensors are lost and tries the port again at every poll. */
static int build_serial_buses(struct readings *r)
{
	const struct config *cfg = r->app->cfg;
	int *idx = calloc((size_t)cfg->n_sensors + 1, sizeof(int));
	bool *done = calloc((size_t)cfg->n_sensors + 1, sizeof(bool));
	char path[CFG_PATH_LEN];
	int rc = -1;

	if (!idx || !done)
		goto out;
	for (int i = 0; i < cfg->n_sensors; i++) {
		const struct sensor_cfg *s = &cfg->sensors[i];
		struct sensor_bus *bus;
		int n = 0;

		if (s->driver == SENSOR_DRIVER_SIM || done[i])
			continue;
		for (int j = i; j < cfg->n_sensors; j++) {
			if (cfg->sensors[j].driver != SENSOR_DRIVER_SIM &&
			    strcmp(cfg->sensors[j].port, s->port) == 0) {
				idx[n++] = j;
				done[j] = true;
			}
		}
		/* The adapter a technician picked on the keypad, if any. */
		if (store_port_choice_get(r->app->store, s->port, path, sizeof(path), NULL) != 1)
			snprintf(path, sizeof(path), "%s", s->port);
		bus = serial_bus(r, idx, n, path);
		if (!bus)
			goto out;
		if (add_bus(r, bus, idx, n, s->port, path) < 0) {
			bus->ops->free(bus);
			goto out;
		}
	}
	rc = 0;
out:
	free(idx);
	free(done);
	return rc;
}

struct readings *readings_new(struct app *app, char *err, size_t errlen)
{
	const struct config *cfg = app->cfg;
	size_t n = (size_t)cfg->n_sensors + 1;
	struct readings *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->app = app;
	r->state = calloc(n, sizeof(*r->state));
	r->cal = calloc(n, sizeof(*r->cal));
	r->db_id = calloc(n, sizeof(*r->db_id));
	r->buses = calloc(n, sizeof(*r->buses));
	r->max_pending = cfg->n_sensors * PENDING_PER_SENSOR *
			 (PENDING_HOURS * 3600 / cfg->station.poll_seconds);
	r->pending = calloc((size_t)r->max_pending + 1, sizeof(*r->pending));
	if (!r->state || !r->cal || !r->db_id || !r->buses || !r->pending)
		goto fail;
	for (int i = 0; i < cfg->n_sensors; i++) {
		struct calibration *c = &r->cal[i];
		int rc;

		if (store_sensor_id(app->store, cfg->sensors[i].item.id, &r->db_id[i]) < 0) {
			snprintf(err, errlen, "%s", store_error(app->store));
			goto fail;
		}
		rc = store_calibration_get(app->store, r->db_id[i], &c->dry, &c->wet, &c->made_at);
		if (rc < 0) {
			snprintf(err, errlen, "%s", store_error(app->store));
			goto fail;
		}
		c->set = rc == 1;
	}
	/* The hours and the day that went on when the station stopped (or
	 * else the first batch does it). Not under a clock known to be
	 * wrong: they wait until it is set. */
	if (!app->clock_behind)
		store_readings_resume(app->store, clock_now(app->clock));
	if (build_sim_bus(r, err, errlen) < 0)
		goto fail;
	if (build_serial_buses(r) < 0) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		goto fail;
	}
	r->poll_timer = loop_timer_add(app->loop, 0, on_poll, r);
	r->flush_timer = loop_timer_add(app->loop,
					delay_to_next(app->clock, cfg->station.flush_minutes * 60),
					on_flush, r);
	return r;
fail:
	readings_free(r);
	return NULL;
}

void readings_free(struct readings *r)
{
	if (!r)
		return;
	if (r->pending)
		readings_settle(r);
	for (int b = 0; b < r->n_buses; b++) {
		struct bus_entry *e = &r->buses[b];

		if (e->fd >= 0)
			loop_unwatch(r->app->loop, e->fd);
		if (e->timer)
			loop_timer_del(r->app->loop, e->timer);
		if (e->bus)
			e->bus->ops->free(e->bus);
		free(e->sensor);
	}
	if (r->poll_timer)
		loop_timer_del(r->app->loop, r->poll_timer);
	if (r->flush_timer)
		loop_timer_del(r->app->loop, r->flush_timer);
	free(r->buses);
	free(r->state);
	free(r->cal);
	free(r->db_id);
	free(r->pending);
	free(r);
}

const struct sensor_state *readings_sensor(const struct readings *r, int sensor)
{
	return &r->state[sensor];
}

double readings_zone_moisture(const struct readings *r, int zone, int64_t *t)
{
	const struct config *cfg = r->app->cfg;
	double sum = 0;
	int n = 0;

	if (t)
		*t = 0;
	for (int i = 0; i < cfg->n_sensors; i++) {
		const struct sensor_state *st = &r->state[i];

		if (cfg->sensors[i].zone_index != zone || !config_sensor_is_soil(&cfg->sensors[i]) ||
		    st->status != SENSOR_OK || !st->has[Q_MOISTURE])
			continue;
		sum += st->value[Q_MOISTURE];
		n++;
		if (t && st->t > *t)
			*t = st->t;
	}
	return n ? sum / n : NAN;
}

bool readings_air(const struct readings *r, double *temp, double *humidity, int64_t *t)
{
	const struct config *cfg = r->app->cfg;

	for (int i = 0; i < cfg->n_sensors; i++) {
		const struct sensor_state *st = &r->state[i];

		if (!config_sensor_is_air(&cfg->sensors[i]) || st->status != SENSOR_OK)
			continue;
		*temp = st->has[Q_AIR_TEMP] ? st->value[Q_AIR_TEMP] : NAN;
		*humidity = st->has[Q_HUMIDITY] ? st->value[Q_HUMIDITY] : NAN;
		if (t)
			*t = st->t;
		return true;
	}
	return false;
}

const struct calibration *readings_calibration(const struct readings *r, int sensor)
{
	return &r->cal[sensor];
}

int readings_calibrate(struct readings *r, int sensor, double dry, double wet, char *err,
		       size_t errlen)
{
	const char *refusal = calibration_refusal(dry, wet);
	time_t now = clock_now(r->app->clock);
	struct sensor_state *st;

	if (refusal) {
		snprintf(err, errlen, "%s", _(refusal));
		return -1;
	}
	if (store_calibration_add(r->app->store, r->db_id[sensor], dry, wet, now) < 0) {
		snprintf(err, errlen, _("The calibration could not be saved: %s"),
			 store_error(r->app->store));
		return -1;
	}
	store_event(r->app->store, now, "calibration", r->app->cfg->sensors[sensor].item.id, NULL,
		    false);
	r->cal[sensor] = (struct calibration){ true, dry, wet, now };
	/* The count already read says its moisture at once; the next poll
	 * stores it. */
	st = &r->state[sensor];
	if (st->status == SENSOR_OK && st->has[Q_RAW] &&
	    calibration_apply(&r->cal[sensor], st->value[Q_RAW], &st->value[Q_MOISTURE]))
		st->has[Q_MOISTURE] = true;
	app_changed(r->app);
	return 0;
}

int readings_ports(const struct readings *r)
{
	int n = 0;

	for (int b = 0; b < r->n_buses; b++)
		n += r->buses[b].port[0] != '\0';
	return n;
}

static struct bus_entry *port_entry(const struct readings *r, int k)
{
	for (int b = 0; b < r->n_buses; b++)
		if (r->buses[b].port[0] && k-- == 0)
			return &r->buses[b];
	return NULL;
}

const char *readings_port(const struct readings *r, int k, const char **path, int *sensors,
			  int *n)
{
	const struct bus_entry *e = port_entry(r, k);

	if (!e)
		return NULL;
	if (path)
		*path = e->path;
	if (sensors && n) {
		memcpy(sensors, e->sensor, (size_t)e->n * sizeof(int));
		*n = e->n;
	}
	return e->port;
}

int readings_choose_port(struct readings *r, int k, const char *chosen, char *err, size_t errlen)
{
	struct bus_entry *e = port_entry(r, k);
	struct loop *loop = r->app->loop;
	struct sensor_bus *bus;
	bool forget;

	if (!e)
		return -1;
	forget = !chosen || strcmp(chosen, e->port) == 0;
	if (store_port_choice_set(r->app->store, e->port, forget ? NULL : chosen,
				  clock_now(r->app->clock)) < 0) {
		snprintf(err, errlen, "%s", store_error(r->app->store));
		return -1;
	}
	bus = serial_bus(r, e->sensor, e->n, forget ? e->port : chosen);
	if (!bus) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	/* The old bus lets go of its port and its wait; the new one polls now. */
	if (e->fd >= 0)
		loop_unwatch(loop, e->fd);
	if (e->timer)
		loop_timer_del(loop, e->timer);
	e->fd = -1;
	e->timer = 0;
	e->bus->ops->free(e->bus);
	e->bus = bus;
	bus->report = on_report;
	bus->report_ctx = e;
	snprintf(e->path, sizeof(e->path), "%s", forget ? e->port : chosen);
	for (int i = 0; i < e->n; i++)
		r->state[e->sensor[i]].status = SENSOR_WAITING;
	bus->ops->begin_poll(bus, clock_mono_ms());
	rearm(e);
	app_changed(r->app);
	return 0;
}

const char *readings_status_text(enum sensor_status s)
{
	switch (s) {
	case SENSOR_OK:
		return _("read");
	case SENSOR_LOST:
		return _("Sensor not answering");
	case SENSOR_BAD_FRAME:
	case SENSOR_BAD_VALUE:
		return _("wrong value");
	case SENSOR_WAITING:
	default:
		return _("no reading yet");
	}
}
