/* The simulated farm's model, stepped one minute at a time so that its
 * values do not depend on when or how often they are read. */
#include "sim_farm.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>

#define SIM_ZONES_MAX 32
#define MINUTE_MS 60000

struct sim_zone {
	double moisture;	/* % */
	double thirst;		/* how fast this crop dries the soil */
	bool water;
	bool relay_broken;
};

struct sim_farm {
	uint64_t seed;
	sim_now_fn *now;
	void *ctx;
	long utc_offset;	/* seconds; the board's local time for the sun */
	int64_t minute;		/* the minute the model has reached */
	struct sim_zone zones[SIM_ZONES_MAX];
	int n_zones;
};

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

double sim_farm_noise(const struct sim_farm *f, uint64_t a, uint64_t b)
{
	uint64_t h = mix(f->seed ^ mix(a ^ mix(b)));

	return (double)(h >> 11) / (double)(1ull << 52) - 1.0;
}

int64_t sim_farm_now(const struct sim_farm *f)
{
	return f->now(f->ctx);
}

static double hour_of_day(const struct sim_farm *f, int64_t t_ms)
{
	int64_t local = t_ms / 1000 + f->utc_offset;
	int64_t s = ((local % 86400) + 86400) % 86400;

	return (double)s / 3600.0;
}

double sim_farm_air_temp(const struct sim_farm *f, int64_t t_ms)
{
	int64_t day = (t_ms / 1000 + f->utc_offset) / 86400;
	double h = hour_of_day(f, t_ms);
	/* Coolest near 03:00, hottest near 15:00; some days warmer. */
	return 27.0 + 5.0 * sin(2 * M_PI * (h - 9.0) / 24.0) + 1.5 * sim_farm_noise(f, 1, (uint64_t)day);
}

double sim_farm_humidity(const struct sim_farm *f, int64_t t_ms)
{
	double rh = 95.0 - 3.0 * (sim_farm_air_temp(f, t_ms) - 22.0);

	return rh < 40 ? 40 : rh > 98 ? 98 : rh;
}

static void step_minute(struct sim_farm *f, int64_t minute)
{
	int64_t t_ms = minute * MINUTE_MS;
	double temp = sim_farm_air_temp(f, t_ms);
	double h = hour_of_day(f, t_ms);
	double sun = h >= 6 && h < 18 ? 1.0 : 0.3;

	for (int z = 0; z < f->n_zones; z++) {
		struct sim_zone *zn = &f->zones[z];
		double dry = 0.0006 * (temp > 15 ? temp - 15 : 0) * sun * zn->thirst;

		zn->moisture -= dry;
		if (zn->moisture > 50)
			zn->moisture -= 0.05 * (zn->moisture - 50);	/* drains */
		if (zn->water)
			zn->moisture += 0.25;
		if (zn->moisture > 60)
			zn->moisture = 60;
		if (zn->moisture < 5)
			zn->moisture = 5;
	}
}

/* A clock that jumps (a board set from 1970 to today, or back) is not
 * walked through minute by minute, nor waited for: two days settle the
 * soil. */
#define SIM_CATCH_UP_MINUTES (2 * 24 * 60)

static void advance(struct sim_farm *f)
{
	int64_t now = f->now(f->ctx) / MINUTE_MS;

	if (f->minute > now || now - f->minute > SIM_CATCH_UP_MINUTES)
		f->minute = f->minute > now ? now : now - SIM_CATCH_UP_MINUTES;
	while (f->minute < now)
		step_minute(f, f->minute++);
}

struct sim_farm *sim_farm_new(uint64_t seed, int n_zones, sim_now_fn *now, void *ctx)
{
	struct sim_farm *f;
	struct tm tm;
	time_t t;

	if (n_zones > SIM_ZONES_MAX)
		return NULL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->seed = seed;
	f->now = now;
	f->ctx = ctx;
	f->n_zones = n_zones;
	t = (time_t)(now(ctx) / 1000);
	localtime_r(&t, &tm);
	f->utc_offset = tm.tm_gmtoff;
	f->minute = now(ctx) / MINUTE_MS;
	for (int z = 0; z < n_zones; z++) {
		f->zones[z].moisture = 37.5 + 4.5 * sim_farm_noise(f, 2, (uint64_t)z);
		f->zones[z].thirst = 1.0 + 0.2 * sim_farm_noise(f, 3, (uint64_t)z);
	}
	return f;
}

void sim_farm_free(struct sim_farm *f)
{
	free(f);
}

void sim_farm_set_water(struct sim_farm *f, int zone, bool on)
{
	if (zone < 0 || zone >= f->n_zones)
		return;
	advance(f);
	f->zones[zone].water = on;
}

void sim_farm_break_relay(struct sim_farm *f, int zone, bool broken)
{
	if (zone >= 0 && zone < f->n_zones)
		f->zones[zone].relay_broken = broken;
}

bool sim_farm_relay_broken(const struct sim_farm *f, int zone)
{
	return zone >= 0 && zone < f->n_zones && f->zones[zone].relay_broken;
}

bool sim_farm_watering(const struct sim_farm *f, int zone)
{
	return zone >= 0 && zone < f->n_zones && f->zones[zone].water;
}

double sim_farm_moisture(struct sim_farm *f, int zone)
{
	if (zone < 0 || zone >= f->n_zones)
		return NAN;
	advance(f);
	return f->zones[zone].moisture;
}
