/* A simulated farm for the simulator drivers: soil that dries with the
 * day's heat and wets while its pump runs, and air on a daily cycle.
 * Deterministic: the same seed, start and pump times give the same
 * values, however often they are read. */
#ifndef FS_SIM_FARM_H
#define FS_SIM_FARM_H

#include <stdbool.h>
#include <stdint.h>

struct sim_farm;

/* Station time in milliseconds; the farm keeps up with it. */
typedef int64_t sim_now_fn(void *ctx);

struct sim_farm *sim_farm_new(uint64_t seed, int n_zones, sim_now_fn *now, void *ctx);
void sim_farm_free(struct sim_farm *f);

/* Water on or off for a zone from now on (its pump's relay). */
void sim_farm_set_water(struct sim_farm *f, int zone, bool on);
bool sim_farm_watering(const struct sim_farm *f, int zone);
/* A broken relay for a zone's pump: switching it fails (a demonstration
 * and tests of what the station does then). */
void sim_farm_break_relay(struct sim_farm *f, int zone, bool broken);
bool sim_farm_relay_broken(const struct sim_farm *f, int zone);

/* Soil moisture (%) of a zone now. */
double sim_farm_moisture(struct sim_farm *f, int zone);
/* Air temperature (°C) and relative humidity (%) at t_ms. */
double sim_farm_air_temp(const struct sim_farm *f, int64_t t_ms);
double sim_farm_humidity(const struct sim_farm *f, int64_t t_ms);
/* Seeded noise in [-1, 1], the same for the same (a, b). */
double sim_farm_noise(const struct sim_farm *f, uint64_t a, uint64_t b);
int64_t sim_farm_now(const struct sim_farm *f);

#endif
