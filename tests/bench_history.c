/* Benchmark of the moisture history on the reference data set: 16 sensors
 * read every minute for five years (roll-ups for all five; raw readings for
 * the last three days, as if the rest were pruned), four quantities each.
 * Times the charts of a zone (24 h, 7 d, 30 d, 1 y) and the write of one
 * flush's batch with its roll-ups. Run by `make bench`; not a test.
 *
 *   build/tests/bench_history [DB]   (a temporary database by default) */
#include "chart.h"
#include "config.h"
#include "sensor.h"
#include "store.h"
#include "text.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SENSORS 16
#define YEARS 5
#define RUNS 25

static double ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void die(const char *what, const char *why)
{
	fprintf(stderr, "bench_history: %s: %s\n", what, why);
	exit(1);
}

/* Five years of roll-ups and three days of raw readings, made in SQL. */
static void fill(const char *path, time_t now)
{
	char sql[2048], *err = NULL;
	sqlite3 *db;
	int64_t hour_now = now - now % 3600;

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
		 "COMMIT;",
		 (long long)(hour_now - (int64_t)YEARS * 365 * 86400), (long long)(hour_now - 3600),
		 (long long)(now - 3 * 86400), (long long)(now - 60));
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		die("filling the database", err);
	sqlite3_close(db);
}

static void report(const char *what, double *t, int n)
{
	qsort(t, (size_t)n, sizeof(*t), by_double);
	printf("  %-28s median %7.2f ms   worst %7.2f ms\n", what, t[n / 2], t[n - 1]);
}

int main(int argc, char **argv)
{
	static const char *const spans[] = { "24 hours", "7 days", "30 days", "1 year" };
	char dir[] = "/tmp/fsbench.XXXXXX", path[512], ini[600], err[512];
	struct config *cfg;
	struct store *st;
	struct chart *c = malloc(sizeof(*c));
	time_t now = 1780246800 + 12 * 3600;	/* 01/06/2026 12:00 in Vietnam */
	double t[RUNS];
	FILE *f;

	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	tzset();
	text_init("en");
	if (!mkdtemp(dir) || !c)
		die("scratch", "no room");
	snprintf(path, sizeof(path), "%s", argc > 1 ? argv[1] : "");
	if (!path[0])
		snprintf(path, sizeof(path), "%s/station.db", dir);
	snprintf(ini, sizeof(ini), "%s/farm.ini", dir);
	f = fopen(ini, "w");
	if (!f)
		die(ini, "cannot write");
	fprintf(f, "[station]\ncode = BENCH\n");
	for (int z = 0; z < 4; z++)
		fprintf(f, "[zone.z%d]\nname = Khu %d\n", z, z + 1);
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
	store_close(st);
	printf("Building 5 years of roll-ups for %d sensors in %s ...\n", SENSORS, path);
	double t0 = ms_now();
	fill(path, now);
	printf("  built in %.1f s\n", (ms_now() - t0) / 1000);
	if (store_open(path, 0, &st, err, sizeof(err)) < 0)
		die("store", err);

	printf("Chart of one zone (4 probes), 46 columns, %d runs each:\n", RUNS);
	for (int span = 0; span < CHART_SPANS; span++) {
		for (int r = 0; r < RUNS; r++) {
			double a = ms_now();

			if (chart_zone(st, cfg, r % 4, (enum chart_span)span, now, 46, NAN, c) < 0)
				die("chart", store_error(st));
			t[r] = ms_now() - a;
		}
		report(spans[span], t, RUNS);
	}

	/* One flush: ten minutes of 16 sensors' four values. */
	struct reading_row rows[SENSORS * 4 * 10];
	int n = 0;
	for (int m = 0; m < 10; m++)
		for (int s = 0; s < SENSORS; s++)
			for (int q = 0; q < 4; q++)
				rows[n++] = (struct reading_row){ s + 1, q, now + m * 60, 30 + s };
	for (int r = 0; r < RUNS; r++) {
		double a = ms_now();

		for (int i = 0; i < n; i++)
			rows[i].t += 600;
		if (store_readings_add(st, rows, n) < 0)
			die("flush", store_error(st));
		t[r] = ms_now() - a;
	}
	report("flush of 640 readings", t, RUNS);
	for (int r = 0; r < RUNS; r++) {
		double a = ms_now();

		if (store_readings_prune(st, now - 2 * 86400, 1200) < 0)
			die("prune", store_error(st));
		t[r] = ms_now() - a;
	}
	report("prune of 20 minutes", t, RUNS);
	store_close(st);
	config_free(cfg);
	free(c);
	if (argc <= 1) {
		snprintf(ini, sizeof(ini), "rm -rf '%s'", dir);
		if (system(ini) != 0)
			return 1;
	}
	return 0;
}
