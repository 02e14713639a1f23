/* The reference farm of the benchmark: a station database as five years
 * of a real station would leave it, written through the station's own
 * code. The simulated farm (drivers/sim_farm.c) and its simulated probes
 * (drivers/sensor_sim.c) are read every minute; their readings go in by
 * store_readings_add(), which keeps the hourly and daily roll-ups, and raw
 * readings older than keep_raw_days are removed by store_readings_prune(),
 * so the five years are roll-ups plus the last keep_raw_days of raw
 * readings. The last year also has its pump runs (store_run_begin/end:
 * the farm waters by moisture as the station does, with the energy and
 * cost the station puts in its diary) and its
 * fertilizing, spraying and harvests (records_save(), as the keypad
 * saves them). The same seed gives the same database.
 *
 *   build/bench/farm [--seed N] [--years N | --days N]
 *                    [--end YYYY-MM-DDTHH:MM] [--config bench/farm.ini] OUT.db
 *
 * (--days makes a small farm, for trying the benchmark quickly.)
 *
 * The database is made as OUT.db.tmp and renamed when whole. Beside it,
 * OUT.db-week is a copy of it as it was a week before its end, page for
 * page, as a station's older local backup is when the next is due. */
#include "clock.h"
#include "config.h"
#include "export.h"
#include "irrigation.h"
#include "records.h"
#include "sensor.h"
#include "sim_farm.h"
#include "store.h"
#include "tariff.h"
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DAY 86400
#define MAX_SENSORS 64
#define MAX_ZONES 16

struct farm {
	const struct config *cfg;
	struct store *st;
	struct sim_farm *sim;
	struct sensor_bus *bus;
	uint64_t seed;
	int64_t now;			/* seconds: the minute being read */
	int bus_sensor[MAX_SENSORS];	/* bus index -> cfg->sensors index */
	int db_id[MAX_SENSORS];
	double moisture[MAX_SENSORS];	/* the newest reading of each probe */
	struct reading_row *rows;
	int n_rows, max_rows;
	/* Watering: which zone's pump runs, until when, its diary row, and
	 * when each zone's last run ended. */
	int watering;			/* zone, or -1 */
	int64_t water_until;
	bool cut_at_peak;
	struct run_row run;
	int64_t rested[MAX_ZONES];
	int64_t diary_from;		/* pump runs and records from here */
	long readings, runs, records, corrections;
};

static void die(const char *what, const char *why)
{
	fprintf(stderr, "farm: %s: %s\n", what, why);
	exit(1);
}

static int64_t farm_now_ms(void *ctx)
{
	return ((struct farm *)ctx)->now * 1000;
}

/* Seeded and repeatable: a number in [0, 1) for (a, b). */
static double chance(const struct farm *f, uint64_t a, uint64_t b)
{
	return (sim_farm_noise(f->sim, 1000 + a, b) + 1.0) / 2.0;
}

static void on_report(void *ctx, int idx, enum sensor_status status,
		      const struct sensor_sample *samples, int n, const struct sensor_fault *detail)
{
	struct farm *f = ctx;
	int i = f->bus_sensor[idx];

	(void)detail;
	if (status != SENSOR_OK)
		return;
	for (int k = 0; k < n; k++) {
		if (f->n_rows == f->max_rows)
			die("readings", "more in a day than expected");
		f->rows[f->n_rows++] = (struct reading_row){ f->db_id[i], (int)samples[k].quantity,
							     f->now, samples[k].value };
		if (samples[k].quantity == Q_MOISTURE)
			f->moisture[i] = samples[k].value;
	}
}

/* One poll of every probe, as the station's poll timer does it. */
static void poll_sensors(struct farm *f)
{
	int64_t mono = f->now * 1000;

	f->bus->ops->begin_poll(f->bus, mono);
	f->bus->ops->service(f->bus, 0, mono + 60000);
}

static double zone_moisture(const struct farm *f, int zone)
{
	double sum = 0;
	int n = 0;

	for (int i = 0; i < f->cfg->n_sensors; i++) {
		if (f->cfg->sensors[i].zone_index == zone && f->moisture[i] > 0) {
			sum += f->moisture[i];
			n++;
		}
	}
	return n ? sum / n : NAN;
}

/* The energy of a run and its cost, as the station prices a run. */
static void price_run(const struct config *cfg, struct run_row *r)
{
	const struct tariff *t = &cfg->tariff;

	tariff_energy_split(t, (time_t)r->started, (time_t)r->ended, r->power_kw, r->kwh);
	r->cost_at_peak = 0;
	for (int b = 0; b < BAND_COUNT; b++) {
		r->cost[b] = r->kwh[b] * t->price[b];
		r->cost_at_peak += r->kwh[b] * t->price[BAND_PEAK];
	}
}

static void end_run(struct farm *f, const char *why)
{
	sim_farm_set_water(f->sim, f->watering, false);
	if (f->run.id) {
		f->run.ended = f->now;
		f->run.alive = f->now;
		snprintf(f->run.end_reason, sizeof(f->run.end_reason), "%s", why);
		f->run.moisture_after = zone_moisture(f, f->watering);
		price_run(f->cfg, &f->run);
		if (store_run_alive(f->st, f->run.id, f->run.alive, NAN) < 0 ||
		    store_run_end(f->st, &f->run) < 0)
			die("pump run", store_error(f->st));
	}
	f->rested[f->watering] = f->now;
	f->watering = -1;
	memset(&f->run, 0, sizeof(f->run));
}

/* The farm waters by moisture as the station does (src/irrigation.c),
 * one pump at a time: a zone below its low mark, rested since its last
 * run, gets its pump's longest run, cut before peak hours unless the soil
 * is below its critical mark, and stopped once the soil is moist enough.
 * Runs are in the diary for the farm's last year. */
static void water(struct farm *f)
{
	const struct config *cfg = f->cfg;

	if (f->watering >= 0) {
		const struct zone_cfg *zc = &cfg->zones[f->watering];

		if (f->now >= f->water_until)
			end_run(f, f->cut_at_peak ? "peak" : "done");
		else if (zone_moisture(f, f->watering) >= zc->moisture_high)
			end_run(f, "moisture_high");
		return;
	}
	for (int z = 0; z < cfg->n_zones; z++) {
		const struct zone_cfg *zc = &cfg->zones[z];
		const struct pump_cfg *pc;
		double m = zone_moisture(f, z);
		int minutes;
		time_t peak;

		if (zc->pump_index < 0 || isnan(m) || m >= zc->moisture_low ||
		    (f->rested[z] && f->now - f->rested[z] < (int64_t)zc->rest_minutes * 60))
			continue;
		pc = &cfg->pumps[zc->pump_index];
		minutes = pc->max_minutes;
		f->cut_at_peak = false;
		if (m >= zc->moisture_critical) {
			peak = tariff_first_peak(&cfg->tariff, (time_t)f->now,
						 (time_t)f->now + minutes * 60);
			if (peak >= 0) {
				minutes = (int)((peak - (time_t)f->now) / 60);
				f->cut_at_peak = true;
			}
			if (minutes < IRR_MIN_AUTO_MINUTES)
				continue;
		}
		f->watering = z;
		f->water_until = f->now + minutes * 60;
		sim_farm_set_water(f->sim, z, true);
		if (f->now >= f->diary_from) {
			memset(&f->run, 0, sizeof(f->run));
			snprintf(f->run.pump, sizeof(f->run.pump), "%s", pc->item.id);
			snprintf(f->run.zone, sizeof(f->run.zone), "%s", zc->item.id);
			f->run.reason = RUN_MOISTURE;
			f->run.started = f->now;
			f->run.planned_end = f->water_until;
			f->run.moisture_before = m;
			f->run.moisture_after = NAN;
			f->run.power_kw = pc->power_kw;
			if (store_run_begin(f->st, &f->run) < 0)
				die("pump run", store_error(f->st));
			f->runs++;
		}
		return;
	}
}

/* Records of the farm's year. */

static int pick(const struct farm *f, int kind, int zone, uint64_t salt)
{
	const struct config *cfg = f->cfg;
	int want = kind == REC_SPRAY ? PRODUCT_PESTICIDE : PRODUCT_FERTILIZER, n = 0;
	int fit[64];
	char why[256];

	for (int p = 0; p < cfg->n_products && n < 64; p++)
		if (cfg->products[p].kind == want &&
		    records_organic_check(cfg, zone, p, why, sizeof(why)) == 0)
			fit[n++] = p;
	return n ? fit[(int)(chance(f, 2, salt) * n) % n] : -1;
}

static void save(struct farm *f, struct record_row *r, int64_t at, bool manager)
{
	char why[512];
	int rc = records_save(f->st, f->cfg, at, r, manager, why, sizeof(why));

	if (rc < 0)
		die("record", why);
	f->records++;
}

/* A fortnight's fertilizing, a spray every three weeks, and harvests in
 * each crop's season (months from..to), every few days. */
static const struct {
	const char *zone;
	int harvest_from, harvest_to;	/* months, 1-12; wraps past December */
	int every;			/* days between harvests */
	double kg_low, kg_high;
} seasons[] = {
	{ "mit", 1, 12, 7, 300, 900 },
	{ "vusua", 12, 3, 5, 200, 600 },
	{ "tieu", 1, 4, 10, 100, 400 },
	{ "saurieng", 5, 7, 4, 300, 1500 },
};

static bool in_season(int month, int from, int to)
{
	return from <= to ? month >= from && month <= to : month >= from || month <= to;
}

static void keep_records(struct farm *f, int day)
{
	const struct config *cfg = f->cfg;
	time_t start = text_day_start(day);
	struct tm tm;
	struct record_row r;
	int64_t at = (int64_t)start + 17 * 3600;	/* written up at five */

	localtime_r(&start, &tm);
	for (int z = 0; z < cfg->n_zones; z++) {
		int worker = (day + z) % cfg->n_workers, p;

		if ((day + 3 * z) % 14 == 0 && (p = pick(f, REC_FERTILIZE, z, (uint64_t)day)) >= 0) {
			const struct product_cfg *pc = &cfg->products[p];

			records_init(&r, REC_FERTILIZE, day);
			records_set_zone(&r, cfg, z);
			records_set_product(&r, cfg, p);
			records_set_worker(&r, cfg, worker);
			r.amount = round(pc->max_amount * (0.2 + 0.5 * chance(f, 3, (uint64_t)day)));
			r.method = chance(f, 4, (uint64_t)day) < 0.6 ? METHOD_VENTURI : METHOD_HAND;
			save(f, &r, at + z * 60, false);
		}
		if ((day + 5 * z) % 21 == 0 && (p = pick(f, REC_SPRAY, z, (uint64_t)day + 7)) >= 0) {
			const struct product_cfg *pc = &cfg->products[p];

			records_init(&r, REC_SPRAY, day);
			records_set_zone(&r, cfg, z);
			records_set_product(&r, cfg, p);
			records_set_worker(&r, cfg, worker);
			r.amount = round(pc->max_amount * (0.1 + 0.3 * chance(f, 5, (uint64_t)day)));
			snprintf(r.target, sizeof(r.target), "%s",
				 cfg->pests[(day + z) % cfg->n_pests].name);
			save(f, &r, at + z * 60 + 10, false);
		}
		for (size_t s = 0; s < sizeof(seasons) / sizeof(seasons[0]); s++) {
			struct record_row spray;
			char why[512];

			if (strcmp(seasons[s].zone, cfg->zones[z].item.id) != 0 ||
			    !in_season(tm.tm_mon + 1, seasons[s].harvest_from, seasons[s].harvest_to) ||
			    day % seasons[s].every != 0)
				continue;
			records_init(&r, REC_HARVEST, day);
			records_set_zone(&r, cfg, z);
			records_set_worker(&r, cfg, worker);
			snprintf(r.crop, sizeof(r.crop), "%s", cfg->zones[z].crop);
			r.kg = round(seasons[s].kg_low + (seasons[s].kg_high - seasons[s].kg_low) *
				     chance(f, 6, (uint64_t)day));
			snprintf(r.grade, sizeof(r.grade), "%s", cfg->grades[day % cfg->n_grades].name);
			if (day % 3)
				snprintf(r.buyer, sizeof(r.buyer), "%s",
					 cfg->buyers[day % cfg->n_buyers].name);
			/* A farm waits out a spray's interval before it picks. */
			if (records_phi_check(f->st, &r, &spray, why, sizeof(why)) != 0)
				continue;
			save(f, &r, at + z * 60 + 20, false);
		}
	}
	/* Now and then the manager corrects a record, an hour after the day's. */
	if (day % 23 == 0 && f->records > 0) {
		struct record_row old;
		int64_t id = 1 + (int64_t)(chance(f, 7, (uint64_t)day) * (double)f->records);

		if (store_record_get(f->st, id, &old) == 1 && !old.corrected_by && !old.voided &&
		    !old.corrects && old.day >= day - RECORDS_MAX_DAYS_BACK) {
			old.corrects = old.id;
			old.id = 0;
			if (old.kind == REC_HARVEST)
				old.kg = round(old.kg * 0.9);
			else
				old.amount = round(old.amount * 0.9) > 0 ? round(old.amount * 0.9) : 1;
			save(f, &old, at + 3600, true);
			f->corrections++;
		}
	}
}

/* A day's readings in one batch, then what is past keep_raw_days goes.
 * The station writes every flush_minutes and prunes a little each hour;
 * the rows and roll-ups that come out are the same. */
static void end_of_day(struct farm *f)
{
	int64_t before = f->now - (int64_t)f->cfg->station.keep_raw_days * DAY;

	if (store_readings_add(f->st, f->rows, f->n_rows, f->now) < 0)
		die("readings", store_error(f->st));
	f->readings += f->n_rows;
	f->n_rows = 0;
	while (store_readings_prune(f->st, before, 2 * DAY) > 0)
		;
}

/* The farm's connection, as SQLite opens it inside store_open(): the
 * one whose file is the farm being made. */
static const char *making;
static sqlite3 *making_db;

static int on_open(sqlite3 *db, char **err, const sqlite3_api_routines *api)
{
	const char *name = sqlite3_db_filename(db, "main");
	size_t n = name ? strlen(name) : 0, m = making ? strlen(making) : 0;

	(void)err;
	(void)api;
	if (m && n >= m && strcmp(name + n - m, making) == 0)
		making_db = db;
	return SQLITE_OK;
}

/* Years are written in minutes, not in the hours a station takes: the
 * store's own code writes them, but without waiting for the disk at each
 * commit (the file is whole only when renamed, after one fsync) and with
 * a cache that holds the tables' ends. What is written is the same. */
static void build_fast(const char *tmp)
{
	char *why = NULL;

	if (!making_db)
		die(tmp, "SQLite did not open it as expected");
	if (sqlite3_exec(making_db, "PRAGMA synchronous = OFF; PRAGMA cache_size = -65536", NULL,
			 NULL, &why) != SQLITE_OK)
		die(tmp, why ? why : "PRAGMA");
	sqlite3_free(why);
}

/* The farm on the disk before it takes its name. */
static void sync_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fsync(fd) < 0)
		die(path, strerror(errno));
	close(fd);
}

/* The farm as it is now, copied page for page into path (renamed
 * there when whole). */
static void copy_now(struct farm *f, const char *path)
{
	struct store_backup *b;
	char tmp[4300];
	int rc;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	if (store_backup_begin(f->st, tmp, 0, &b) < 0)
		die(tmp, store_error(f->st));
	while ((rc = store_backup_step(b, 4096)) > 0)
		;
	if (rc == 0)
		rc = store_backup_finish(b);
	if (rc < 0)
		die(tmp, strerror(store_backup_errno(b) ? store_backup_errno(b) : EIO));
	store_backup_free(b);
	sync_file(tmp);
	if (rename(tmp, path) < 0)
		die(path, strerror(errno));
}

/* A database and the files SQLite and the station keep beside it. */
static void remove_db(const char *path)
{
	static const char *const tails[] = { "", "-wal", "-shm", ".lock" };
	char p[4200];

	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, tails[i]);
		unlink(p);
	}
}

static void build_bus(struct farm *f)
{
	const struct config *cfg = f->cfg;
	struct sim_sensor sims[MAX_SENSORS];
	int n = 0;

	if (cfg->n_sensors > MAX_SENSORS || cfg->n_zones > MAX_ZONES)
		die(cfg->path, "too many sensors or zones for the reference farm");
	for (int i = 0; i < cfg->n_sensors; i++) {
		const struct sensor_cfg *s = &cfg->sensors[i];

		if (store_sensor_id(f->st, s->item.id, &f->db_id[i]) < 0)
			die("sensor", store_error(f->st));
		sims[n] = (struct sim_sensor){
			.zone = s->zone_index,
			.kind = config_sensor_is_soil(s) ? SIM_SOIL : SIM_AIR,
		};
		f->bus_sensor[n++] = i;
	}
	f->bus = sensor_sim_new(f->sim, sims, n, on_report, f);
	if (!f->bus)
		die("simulator", strerror(ENOMEM));
	f->max_rows = (DAY / 60 + 60) * n * SENSOR_MAX_SAMPLES;
	f->rows = malloc((size_t)f->max_rows * sizeof(*f->rows));
	if (!f->rows)
		die("readings", strerror(ENOMEM));
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "years", required_argument, NULL, 'y' },
		{ "days", required_argument, NULL, 'd' },
		{ "end", required_argument, NULL, 'e' },
		{ "config", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ini = "bench/farm.ini", *end_text = "2026-06-01T00:00";
	struct farm f = { .watering = -1, .seed = 1 };
	struct config *cfg;
	char err[512], tmp[4096], week[4200];
	int years = 5, days = 0, c, last_day = -1;
	struct tm tm;
	time_t end;
	int64_t start;

	/* The farm is in Vietnam: its days are Vietnam's. */
	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	tzset();
	text_init("en");
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			f.seed = strtoull(optarg, NULL, 10);
			break;
		case 'y':
			years = atoi(optarg);
			break;
		case 'd':
			days = atoi(optarg);
			break;
		case 'e':
			end_text = optarg;
			break;
		case 'c':
			ini = optarg;
			break;
		default:
			return 2;
		}
	}
	if (optind != argc - 1 || years < 1 || years > 20 || days < 0 ||
	    clock_parse(end_text, &end) < 0) {
		fprintf(stderr, "usage: farm [--seed N] [--years 1-20 | --days N]"
				" [--end YYYY-MM-DDTHH:MM] [--config FILE] OUT.db\n");
		return 2;
	}
	if (config_load(ini, &cfg, err, sizeof(err)) < 0)
		die("config", err);
	f.cfg = cfg;
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[optind]);
	snprintf(week, sizeof(week), "%s-week", argv[optind]);
	unlink(week);
	remove_db(tmp);
	making = tmp;
	sqlite3_auto_extension((void (*)(void))on_open);
	if (store_open(tmp, STORE_EXCLUSIVE, &f.st, err, sizeof(err)) < 0)
		die(tmp, err);
	build_fast(tmp);
	export_remember_station(f.st, cfg);
	/* From the same day and hour, years (or days) before. */
	localtime_r(&end, &tm);
	if (days)
		tm.tm_mday -= days;
	else
		tm.tm_year -= years;
	tm.tm_isdst = -1;
	start = (int64_t)mktime(&tm);
	f.now = start;
	f.diary_from = (int64_t)end - 365 * DAY;
	f.sim = sim_farm_new(f.seed, cfg->n_zones, farm_now_ms, &f);
	if (!f.sim)
		die("simulator", strerror(ENOMEM));
	build_bus(&f);
	store_event(f.st, f.now, "start", NULL, "reference farm", false);
	fprintf(stderr, "farm: %d %s of %d sensors from %s, seed %llu, into %s\n",
		days ? days : years, days ? "days" : "years", cfg->n_sensors,
		text_day_iso(err, sizeof(err), text_day_of((time_t)start)),
		(unsigned long long)f.seed, tmp);
	for (; f.now < (int64_t)end; f.now += 60) {
		int day = text_day_of((time_t)f.now);

		if (day != last_day && last_day >= 0) {
			end_of_day(&f);
			if (f.now >= f.diary_from)
				keep_records(&f, last_day);
			if (f.now == (int64_t)end - 7 * DAY)
				copy_now(&f, week);
			if (day % 30 == 0)
				fprintf(stderr, "\rfarm: %s", text_day_iso(err, sizeof(err), day));
		}
		last_day = day;
		water(&f);
		poll_sensors(&f);
	}
	end_of_day(&f);
	keep_records(&f, last_day);
	f.now = (int64_t)end;
	if (f.watering >= 0)
		end_run(&f, "done");
	store_event(f.st, f.now, "stop", NULL, NULL, false);
	fprintf(stderr, "\rfarm: %ld readings, %ld pump runs, %ld records (%ld corrections)\n",
		f.readings, f.runs, f.records, f.corrections);
	f.bus->ops->free(f.bus);
	sim_farm_free(f.sim);
	store_close(f.st);
	free(f.rows);
	sync_file(tmp);
	if (rename(tmp, argv[optind]) < 0)
		die(argv[optind], strerror(errno));
	remove_db(tmp);	/* the lock file it leaves */
	config_free(cfg);
	return 0;
}
