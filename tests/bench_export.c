/* Benchmark of the export on the reference data set: 16 sensors read every
 * minute for five years (hourly and daily roll-ups for all five, raw
 * readings for the last three days, as pruned), with one year of logs: two
 * pumps running four times a day, a dozen events a day, fertilizing and
 * spraying twice a week and a harvest a week in each of four zones. Times
 * each part of one export into a folder (the diaries and lot sheets, the
 * database copy, the read-back) and the whole. Run by `make bench`.
 *
 *   build/tests/bench_export [FOLDER]   (a temporary folder by default) */
#include "config.h"
#include "export.h"
#include "store.h"
#include "text.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#define SENSORS 16
#define YEARS 5

static double ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *what, const char *why)
{
	fprintf(stderr, "bench_export: %s: %s\n", what, why);
	exit(1);
}

static void fill(const char *path, time_t now)
{
	char sql[8192], *err = NULL;
	sqlite3 *db;
	int64_t hour_now = now - now % 3600, year_ago = now - 365 * 86400;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		die(path, sqlite3_errmsg(db));
	snprintf(sql, sizeof(sql),
		 "BEGIN;"
		 "WITH RECURSIVE h(t) AS (SELECT %lld UNION ALL SELECT t + 3600 FROM h"
		 "  WHERE t < %lld), s(id) AS (SELECT id FROM sensors), q(q) AS"
		 "  (VALUES (0), (1), (2), (3))"
		 " INSERT INTO readings_hourly SELECT s.id, q.q, h.t, 60,"
		 "  25 + 10 * sin(h.t / 86400.0 + s.id) - 1, 25 + 10 * sin(h.t / 86400.0 + s.id),"
		 "  25 + 10 * sin(h.t / 86400.0 + s.id) + 1 FROM s, q, h;"
		 "INSERT INTO readings_daily SELECT sensor, quantity,"
		 "  CAST(julianday(date(t, 'unixepoch', 'localtime')) - 2440587.5 AS INTEGER) AS d,"
		 "  sum(n), min(min), sum(mean * n) / sum(n), max(max)"
		 " FROM readings_hourly GROUP BY sensor, quantity, d;"
		 "WITH RECURSIVE m(t) AS (SELECT %lld UNION ALL SELECT t + 60 FROM m WHERE t < %lld),"
		 "  s(id) AS (SELECT id FROM sensors), q(q) AS (VALUES (0), (1), (2), (3))"
		 " INSERT INTO readings SELECT m.t, s.id, q.q, 30 FROM m, s, q;"
		 /* A year of the irrigation diary: two pumps, four runs a day. */
		 "WITH RECURSIVE r(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM r WHERE i < 365 * 8 - 1)"
		 " INSERT INTO pump_runs(pump, zone, reason, started, planned_end, ended, end_reason,"
		 "  moisture_before, moisture_after, power_kw, kwh_offpeak, kwh_normal, kwh_peak,"
		 "  cost_offpeak, cost_normal, cost_peak, cost_at_peak)"
		 " SELECT 'p' || (i %% 2 + 1), 'z' || (i %% 4), 'schedule', %lld + i * 10800,"
		 "  %lld + i * 10800 + 1800, %lld + i * 10800 + 1800, 'done', 28.5, 41.2, 1.5,"
		 "  0.75, 0, 0, 975, 0, 0, 2730 FROM r;"
		 "WITH RECURSIVE e(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM e WHERE i < 365 * 12 - 1)"
		 " INSERT INTO events(t, kind, source, alarm)"
		 " SELECT %lld + i * 7200, CASE i %% 3 WHEN 0 THEN 'sensor_lost' ELSE 'sensor_ok' END,"
		 "  's' || printf('%%02d', i %% 16), i %% 3 = 0 FROM e;"
		 /* A harvest a week in each zone, with its lot; fertilizing and
		  * spraying twice a week. */
		 "WITH RECURSIVE w(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM w WHERE i < 52 * 4 - 1)"
		 " INSERT INTO lots(code, day, seq) SELECT printf('BENCH-%%s-%%02d',"
		 "  substr(strftime('%%Y%%m%%d', %lld + (i / 4) * 604800, 'unixepoch'), 3), i %% 4 + 1),"
		 "  date(%lld + (i / 4) * 604800, 'unixepoch'), i %% 4 + 1 FROM w;"
		 "INSERT INTO records(kind, day, zone, zone_name, crop, kg, grade, buyer, lot_code, who,"
		 " who_name, entered_at) SELECT 'harvest', day, 'z' || (seq - 1), 'Khu ' || seq, 'Mít',"
		 " 120.5, 'A', 'Cty Xanh', code, 'w1', 'Anh Tư', strftime('%%s', day) + 36000 FROM lots;"
		 "WITH RECURSIVE f(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM f WHERE i < 104 * 4 - 1)"
		 " INSERT INTO records(kind, day, zone, zone_name, product, product_name, organic, amount,"
		 "  unit, method, target, phi_days, harvest_from, who, who_name, entered_at)"
		 " SELECT CASE i %% 2 WHEN 0 THEN 'fertilize' ELSE 'spray' END,"
		 "  date(%lld + (i / 4) * 302400, 'unixepoch'), 'z' || (i %% 4), 'Khu ' || (i %% 4 + 1),"
		 "  CASE i %% 2 WHEN 0 THEN 'npk' ELSE 'radiant' END,"
		 "  CASE i %% 2 WHEN 0 THEN 'NPK 20-20-15' ELSE 'Radiant 60SC' END, 0, 25,"
		 "  CASE i %% 2 WHEN 0 THEN 'kg' ELSE 'ml' END,"
		 "  CASE i %% 2 WHEN 0 THEN 'venturi' END, CASE i %% 2 WHEN 1 THEN 'rầy' END,"
		 "  CASE i %% 2 WHEN 1 THEN 7 END,"
		 "  CASE i %% 2 WHEN 1 THEN date(%lld + (i / 4) * 302400 + 7 * 86400, 'unixepoch') END,"
		 "  'w1', 'Anh Tư', %lld + (i / 4) * 302400 + 3600 FROM f;"
		 "COMMIT;",
		 (long long)(hour_now - (int64_t)YEARS * 365 * 86400), (long long)(hour_now - 3600),
		 (long long)(now - 3 * 86400), (long long)(now - 60), (long long)year_ago,
		 (long long)year_ago, (long long)year_ago, (long long)year_ago, (long long)year_ago,
		 (long long)year_ago, (long long)year_ago, (long long)year_ago, (long long)year_ago);
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		die("filling the database", err);
	sqlite3_close(db);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/fsbench.XXXXXX", path[512], ini[600], err[768], dest[600];
	struct config *cfg;
	struct store *st;
	struct export *e;
	struct stat sb;
	time_t now = 1780246800 + 12 * 3600;	/* 01/06/2026 12:00 in Vietnam */
	const char *part = NULL;
	double t0, at, parts[8] = { 0 };
	const char *names[8];
	int n_parts = 0, rc;
	FILE *f;

	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	tzset();
	text_init("en");
	if (!mkdtemp(dir))
		die("scratch", "no room");
	snprintf(path, sizeof(path), "%s/station.db", dir);
	snprintf(dest, sizeof(dest), "%s", argc > 1 ? argv[1] : dir);
	snprintf(ini, sizeof(ini), "%s/farm.ini", dir);
	f = fopen(ini, "w");
	if (!f)
		die(ini, "cannot write");
	fprintf(f, "[station]\ncode = BENCH\n[pump.p1]\ndriver = sim\npower_kw = 1.5\n"
		   "[pump.p2]\ndriver = sim\npower_kw = 1.5\n"
		   "[product.npk]\nname = NPK 20-20-15\nkind = fertilizer\nunit = kg\n"
		   "[product.radiant]\nname = Radiant 60SC\nkind = pesticide\nunit = ml\nphi_days = 7\n"
		   "[worker.w1]\nname = Anh Tư\n");
	for (int z = 0; z < 4; z++)
		fprintf(f, "[zone.z%d]\nname = Khu %d\npump = p%d\n", z, z + 1, z % 2 + 1);
	for (int s = 0; s < SENSORS; s++)
		fprintf(f, "[sensor.s%02d]\ndriver = sim\nzone = z%d\nmodel = soil-0000\n", s, s % 4);
	fclose(f);
	if (config_load(ini, &cfg, err, sizeof(err)) < 0)
		die("config", err);
	if (store_open(path, 0, &st, err, sizeof(err)) < 0)
		die("store", err);
	for (int s = 0; s < SENSORS; s++) {
		int id;

		store_sensor_id(st, cfg->sensors[s].item.id, &id);
	}
	export_remember_station(st, cfg);
	store_close(st);
	printf("Building 5 years of readings and a year of logs in %s ...\n", path);
	t0 = ms_now();
	fill(path, now);
	stat(path, &sb);
	printf("  built in %.1f s: %.0f MB\n", (ms_now() - t0) / 1000, sb.st_size / 1048576.0);

	printf("Export into %s, steps of 40 ms as on the station:\n", dest);
	if (export_begin(&(struct export_opts){ .db_path = path, .dest = dest, .cfg = cfg,
						.sep = ';', .dec = ',', .now = now },
			 &e, err, sizeof(err)) < 0)
		die("export", err);
	t0 = at = ms_now();
	do {
		const char *doing = export_doing(e);

		if (!part || strcmp(doing, part) != 0) {
			if (part && n_parts < 8) {
				names[n_parts] = part;
				parts[n_parts++] = ms_now() - at;
			}
			part = doing;
			at = ms_now();
		}
		rc = export_step(e, 40);
	} while (rc == EXPORT_MORE);
	if (rc < 0)
		die("export", export_error(e));
	if (n_parts < 8) {
		names[n_parts] = part;
		parts[n_parts++] = ms_now() - at;
	}
	for (int i = 0; i < n_parts; i++)
		printf("  %-28s %8.0f ms\n", names[i], parts[i]);
	printf("  %-28s %8.0f ms (%d files)\n", "the whole export", ms_now() - t0,
	       export_file_count(e));
	{
		struct rusage ru;

		getrusage(RUSAGE_SELF, &ru);
		printf("  %-28s %8.1f MB (this program, building included)\n", "largest resident memory",
		       ru.ru_maxrss / 1024.0);
	}
	export_free(e);
	config_free(cfg);
	snprintf(err, sizeof(err), "rm -rf '%s'", dir);
	return system(err) == 0 ? 0 : 1;
}
