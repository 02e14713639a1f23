/* The benchmark of the station's budgets (DESIGN.md section 7) on the
 * reference farm (bench/farm.c): one table, budget beside measurement.
 * It is not a test: it never fails, it reports.
 *
 *   build/bench/bench --farm FARM.db [--config bench/farm.ini]
 *         [--bin build/fieldstation] [--runs N] [--only startup,screens,
 *         export,memory,idle,day,backup] [--idle-windows N] [--idle-seconds N]
 *         [--day-speed N] [--keep]
 *
 * What runs where:
 * - the real binary on a pseudo-terminal of 50x15 (TERM=linux) for the
 *   start-up, resident memory, bytes written per day and the export;
 * - this program's "screens" mode for key presses, charts and idle: the
 *   station's own core (src/station.c, as the console makes it, less the
 *   console's own parts), the real screens on
 *   a pseudo-terminal, keys written to it as a keypad sends them;
 * - valgrind's callgrind, when installed, for instruction counts: of the
 *   real binary up to the end of its first drawn screen, and of one key
 *   press or one chart in "screens" mode (client requests around it).
 * Each measurement is the median of several runs; a start-up's
 * instructions are counted once, as they do not change from run to run. */
#include "app.h"
#include "chart.h"
#include "clock.h"
#include "config.h"
#include "export.h"
#include "irrigation.h"
#include "loop.h"
#include "readings.h"
#include "sensor.h"
#include "station.h"
#include "store.h"
#include "text.h"
#include "ui.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS_AT(s) ((void)(s))
#endif

#define ROWS 15
#define COLS_ 50
#define FARM_END "2026-06-01T00:00"
/* A week before it: the farm as bench/farm.c keeps it beside the farm. */
#define FARM_WEEK_BEFORE "2026-05-25T00:00"
#define MAX_RUNS 64

/* The keypad in application mode, as the station asks of the terminal. */
static const char *const KP[10] = {
	"\033Op", "\033Oq", "\033Or", "\033Os", "\033Ot",
	"\033Ou", "\033Ov", "\033Ow", "\033Ox", "\033Oy",
};

struct opts {
	const char *farm, *config, *bin, *work;
	int runs;
	int idle_windows, idle_seconds;
	int day_speed;
	bool keep;		/* the work folder, for a look at what ran */
	char only[256];
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "bench: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	if (n <= 0)
		return NAN;
	qsort(v, (size_t)n, sizeof(*v), by_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double worst(const double *v, int n)
{
	double w = NAN;

	for (int i = 0; i < n; i++)
		if (isnan(w) || v[i] > w)
			w = v[i];
	return w;
}

/* ---- Files ------------------------------------------------------------ */

static void copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	struct stat st;
	ssize_t n;

	if (in < 0 || fstat(in, &st) < 0)
		die("%s: %s", from, strerror(errno));
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0)
		die("%s: %s", to, strerror(errno));
	while ((n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0)) > 0)
		;
	if (n < 0) {
		char buf[1 << 16];

		lseek(in, 0, SEEK_SET);
		lseek(out, 0, SEEK_SET);
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)n) != n)
				die("%s: %s", to, strerror(errno));
	}
	if (n < 0 || fsync(out) < 0 || close(out) < 0)
		die("%s: %s", to, strerror(errno));
	close(in);
}

static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static void remove_tree(const char *path)
{
	char cmd[4300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd) != 0)
		fprintf(stderr, "bench: could not remove %s\n", path);
}

/* Forgets the file's pages in the page cache: a start as after a reboot,
 * for this file. */
static void evict(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	fdatasync(fd);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
}

/* A number from a /proc file: the line starting with key. */
static long long proc_value(pid_t pid, const char *file, const char *key)
{
	char path[64], line[256];
	long long v = -1;
	size_t n = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, n) == 0) {
			v = strtoll(line + n, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* User and system CPU of a process, in ms. */
static double proc_cpu_ms(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut, st;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return NAN;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut,
			 &st) != 2)
		return NAN;
	return (double)(ut + st) * 1000.0 / (double)sysconf(_SC_CLK_TCK);
}

static void load_average(char *buf, size_t n)
{
	FILE *f = fopen("/proc/loadavg", "r");
	double a = NAN, b = NAN, c = NAN;

	if (f) {
		if (fscanf(f, "%lf %lf %lf", &a, &b, &c) != 3)
			a = NAN;
		fclose(f);
	}
	snprintf(buf, n, "%.2f %.2f %.2f", a, b, c);
}

/* ---- The real binary on a pseudo-terminal ----------------------------- */

struct child {
	pid_t pid;
	int master;
	char tail[4096];	/* the end of what it drew */
	size_t len;
};

static void spawn(struct child *c, char *const argv[])
{
	struct winsize ws = { .ws_row = ROWS, .ws_col = COLS_ };

	memset(c, 0, sizeof(*c));
	c->pid = forkpty(&c->master, NULL, NULL, &ws);
	if (c->pid < 0)
		die("forkpty: %s", strerror(errno));
	if (c->pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "bench: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	fcntl(c->master, F_SETFL, O_NONBLOCK);
}

/* Reads what the child draws for up to wait_ms; true as soon as marker is
 * in it (marker NULL: reads for the whole time). */
static bool child_read(struct child *c, const char *marker, double wait_ms)
{
	double end = now_ms() + wait_ms;
	char buf[8192];

	for (;;) {
		struct pollfd p = { c->master, POLLIN, 0 };
		double left = end - now_ms();
		ssize_t n;

		if (left < 0)
			return false;
		if (poll(&p, 1, (int)left + 1) <= 0)
			continue;
		n = read(c->master, buf, sizeof(buf));
		if (n <= 0) {
			if (n < 0 && errno == EAGAIN)
				continue;
			return false;	/* it is gone */
		}
		for (ssize_t i = 0; i < n; i++) {
			if (c->len == sizeof(c->tail) - 1) {
				memmove(c->tail, c->tail + sizeof(c->tail) / 2, sizeof(c->tail) / 2);
				c->len -= sizeof(c->tail) / 2;
			}
			c->tail[c->len++] = buf[i];
		}
		c->tail[c->len] = '\0';
		if (marker && strstr(c->tail, marker)) {
			c->len = 0;
			return true;
		}
	}
}

static void child_keys(struct child *c, const char *const *keys, int n, double gap_ms)
{
	for (int i = 0; i < n; i++) {
		if (write(c->master, keys[i], strlen(keys[i])) < 0)
			return;
		child_read(c, NULL, gap_ms);
	}
}

/* SIGTERM, as the service manager stops it; returns its exit status. */
static int child_stop(struct child *c)
{
	int status = 0;

	kill(c->pid, SIGTERM);
	while (waitpid(c->pid, &status, WNOHANG) == 0)
		child_read(c, NULL, 50);
	close(c->master);
	return status;
}

/* How long a start-up may take before the bench gives up: on a busy
 * machine, or a build that checks the whole database before its first
 * screen, seconds. */
#define START_WAIT_MS 60000

/* The marker of a drawn screen: the end of the status line's "Alarms: N",
 * in the station's language. */
static char marker[128];

static void make_marker(void)
{
	const char *fmt = _("Pumps on: %d   Alarms: %d"), *d = strstr(fmt, "%d");
	const char *e = d ? strstr(d + 2, "%d") : NULL;

	if (!d || !e)
		die("the status line's words have changed: \"%s\"", fmt);
	d += 2;
	while (*d == ' ')
		d++;
	snprintf(marker, sizeof(marker), "%.*s", (int)(e - d), d);
}

/* The console's command line: the reference farm's configuration, its
 * database, the simulated clock at clock (FARM_END: where the farm's data
 * end). */
static int station_argv(char **argv, int max, const struct opts *o, const char *db,
			const char *clock, const char *speed)
{
	int n = 0;

	argv[n++] = (char *)o->bin;
	argv[n++] = "--config";
	argv[n++] = (char *)o->config;
	argv[n++] = "--db";
	argv[n++] = (char *)db;
	argv[n++] = "--clock";
	argv[n++] = (char *)clock;
	if (speed) {
		argv[n++] = "--clock-speed";
		argv[n++] = (char *)speed;
	}
	argv[n] = NULL;
	return n < max ? n : max;
}

/* ---- Callgrind -------------------------------------------------------- */

static bool have_valgrind(void)
{
	return system("valgrind --version >/dev/null 2>&1") == 0;
}

/* The instructions in one callgrind dump file, and its trigger. */
static long long callgrind_total(const char *path, char *trigger, size_t n)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	long long total = -1;

	if (trigger && n)
		trigger[0] = '\0';
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "desc: Trigger: ", 15) == 0 && trigger) {
			size_t len = strcspn(line + 15, "\n");

			len = len < n - 1 ? len : n - 1;
			memcpy(trigger, line + 15, len);
			trigger[len] = '\0';
		} else if (strncmp(line, "summary: ", 9) == 0 || strncmp(line, "totals: ", 8) == 0) {
			total = strtoll(strchr(line, ' ') + 1, NULL, 10);
		}
	}
	fclose(f);
	return total;
}

/* The instructions of a function and all it called, from
 * callgrind_annotate; NAN when it is not there. */
static double callgrind_inclusive(const char *path, const char *fn)
{
	char cmd[4400], line[1024], pat[128];
	double v = NAN;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "callgrind_annotate --inclusive=yes '%s' 2>/dev/null", path);
	snprintf(pat, sizeof(pat), ":%s ", fn);
	f = popen(cmd, "r");
	if (!f)
		return NAN;
	while (fgets(line, sizeof(line), f)) {
		char digits[64];
		int k = 0;

		if (!isnan(v) || !strstr(line, pat))
			continue;
		for (const char *c = line; *c && *c != ' ' && k < 63; c++)
			if (*c >= '0' && *c <= '9')
				digits[k++] = *c;
		digits[k] = '\0';
		if (k > 0)
			v = strtod(digits, NULL);
	}
	pclose(f);
	return v;
}

/* ---- Results ----------------------------------------------------------- */

enum row {
	R_START, R_START_COLD, R_CHART_DAY, R_CHART_MONTH, R_CHART_YEAR, R_KEY,
	R_RSS_START, R_RSS_HOUR, R_IDLE_WAKE, R_IDLE_CPU, R_WRITE, R_BACKUP, R_EXPORT,
	R_EXPORT_SECOND, R_ROWS
};

struct result {
	double value;		/* NAN: not measured */
	double worst;
	double insns;		/* NAN: not counted */
	int runs;
	char note[256];
};

static struct result res[R_ROWS];
static bool chart_data_only;	/* no chart on the screen in this build */
static double export_rss;	/* MB */
static char farm_note[1024], day_note[1024], export_note[1024], memory_note[512],
	idle_note[512], startup_note[512], backup_note[512], second_note[1024];

static void result_set(enum row r, double *v, int n)
{
	res[r].runs = n;
	res[r].worst = worst(v, n);
	res[r].value = median(v, n);
}

static bool wanted(const struct opts *o, const char *part)
{
	char list[260];

	if (!o->only[0])
		return true;
	snprintf(list, sizeof(list), ",%s,", o->only);
	for (char *p = strstr(list, part); p; p = strstr(p + 1, part))
		if (p[-1] == ',' && p[strlen(part)] == ',')
			return true;
	return false;
}

/* ---- The reference farm, described ------------------------------------ */

static sqlite3 *open_ro(const char *path)
{
	sqlite3 *db;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		die("%s: %s", path, sqlite3_errmsg(db));
	return db;
}

static double sql_number(sqlite3 *db, const char *sql, double a, double b)
{
	sqlite3_stmt *st;
	double v = NAN;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		die("%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_bind_double(st, 1, a);
	sqlite3_bind_double(st, 2, b);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Bytes of a table's rows as SQLite stores them (the records in its leaf
 * pages), per row. */
static double row_bytes(sqlite3 *db, const char *table)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
		 "SELECT 1.0 * sum(payload) / sum(ncell) FROM dbstat WHERE name = '%s'"
		 " AND pagetype = 'leaf'", table);
	return sql_number(db, sql, 0, 0);
}

static int backup_hours(const char *config)
{
	struct config *cfg;
	char err[512];
	int h;

	if (config_load(config, &cfg, err, sizeof(err)) < 0)
		die("%s", err);
	h = cfg->station.backup_hours;
	config_free(cfg);
	return h;
}

static void count_reading(void *ctx, const struct reading_row *r)
{
	double *n = ctx;

	(void)r;
	(*n)++;
}

/* The farm as the bench's copies have it: brought to this build's
 * schema. */
static void describe_farm(const char *path)
{
	struct stat st;
	struct store *s;
	char err[512];
	sqlite3 *db;
	double raw = 0, hourly, daily, runs, records, from, to, days, free_pages;

	if (stat(path, &st) < 0)
		die("%s: %s", path, strerror(errno));
	if (store_open(path, STORE_RDONLY, &s, err, sizeof(err)) < 0)
		die("%s", err);
	if (store_readings_each(s, 0, (int64_t)1 << 40, count_reading, &raw) < 0)
		die("%s: %s", path, store_error(s));
	store_close(s);
	db = open_ro(path);
	hourly = sql_number(db, "SELECT count(*) FROM readings_hourly", 0, 0);
	daily = sql_number(db, "SELECT count(*) FROM readings_daily", 0, 0);
	runs = sql_number(db, "SELECT count(*) FROM pump_runs", 0, 0);
	records = sql_number(db, "SELECT count(*) FROM records", 0, 0);
	from = sql_number(db, "SELECT min(t) FROM readings_hourly", 0, 0);
	to = sql_number(db, "SELECT max(t) FROM readings_hourly", 0, 0);
	days = sql_number(db, "SELECT ((SELECT last FROM readings_packed ORDER BY t DESC LIMIT 1)"
			      " - min(t)) / 86400.0 FROM readings_packed", 0, 0);
	free_pages = sql_number(db, "SELECT freelist_count * page_size FROM pragma_freelist_count,"
				    " pragma_page_size", 0, 0);
	snprintf(farm_note, sizeof(farm_note),
		 "%.0f MB on disk (%lld bytes, %.0f MB of them free pages): hourly and daily"
		 " roll-ups for %.1f years (%.0f and %.0f rows), raw readings for the last %.0f days"
		 " (%.1f million, packed; older ones were pruned as the station prunes them), %.0f"
		 " pump runs and %.0f records of the last year",
		 (double)st.st_blocks * 512 / 1e6, (long long)st.st_size, free_pages / 1e6,
		 (to - from) / (365.25 * 86400), hourly, daily, days, raw / 1e6, runs, records);
	sqlite3_close(db);
}

/* ---- Start-up, memory, a day of polling: the real binary ----------- */

static double startup_once(const struct opts *o, const char *db, bool cold, struct child *c)
{
	char *argv[16];
	double t0, t;

	if (cold)
		evict(db);
	station_argv(argv, 16, o, db, FARM_END, NULL);
	t0 = now_ms();
	spawn(c, argv);
	if (!child_read(c, marker, START_WAIT_MS)) {
		child_stop(c);
		die("the station did not draw its home screen in %d s (%s)", START_WAIT_MS / 1000,
		    c->tail);
	}
	t = now_ms() - t0;
	return t;
}

static void measure_startup(const struct opts *o, const char *db)
{
	double warm[MAX_RUNS], cold[MAX_RUNS];
	struct child c;

	fprintf(stderr, "bench: start-up, %d runs warm and %d cold\n", o->runs, o->runs);
	/* One start that is not counted: it makes the WAL and -shm files. */
	startup_once(o, db, false, &c);
	child_stop(&c);
	for (int i = 0; i < o->runs; i++) {
		warm[i] = startup_once(o, db, false, &c);
		child_stop(&c);
		cold[i] = startup_once(o, db, true, &c);
		child_stop(&c);
	}
	result_set(R_START, warm, o->runs);
	result_set(R_START_COLD, cold, o->runs);
}

/* Instructions from exec to the end of the first drawn screen: callgrind
 * dumps when wrefresh() returns, and the first dump is the home screen.
 * One run: the count does not change from run to run, and under
 * callgrind the check of the whole database takes minutes. It runs on
 * its own copy of the farm, beside the day of polling. */
static void count_startup(const struct opts *o, const char *db, const char *dir)
{
	double v[MAX_RUNS];
	int n = 0, runs = 1;

	fprintf(stderr, "bench: start-up under callgrind, %d run\n", runs);
	for (int i = 0; i < runs; i++) {
		char out[4200], file[4300], trigger[256], *argv[24];
		int a = 0;
		struct child c;
		long long total;

		snprintf(out, sizeof(out), "--callgrind-out-file=%s/cg.start.%d", dir, i);
		argv[a++] = "valgrind";
		argv[a++] = "-q";
		argv[a++] = "--tool=callgrind";
		argv[a++] = "--dump-after=wrefresh";
		argv[a++] = out;
		station_argv(argv + a, 16, o, db, FARM_END, NULL);
		spawn(&c, argv);
		if (!child_read(&c, marker, 30 * 60 * 1000.0)) {
			child_stop(&c);
			fprintf(stderr, "bench: the station under callgrind drew nothing\n");
			return;
		}
		child_stop(&c);
		snprintf(file, sizeof(file), "%s/cg.start.%d.1", dir, i);
		total = callgrind_total(file, trigger, sizeof(trigger));
		if (total > 0)
			v[n++] = (double)total;
	}
	res[R_START].insns = median(v, n);
	if (n > 0) {
		/* Where they go: the check of the records before the first
		 * screen (the whole database is checked after it). */
		char file[4300];
		double check;

		snprintf(file, sizeof(file), "%s/cg.start.0.1", dir);
		check = callgrind_inclusive(file, "store_check");
		if (!isnan(check))
			snprintf(startup_note, sizeof(startup_note),
				 "of its instructions, %.1f%% are the check of the records before the"
				 " first screen (store_check(): SQLite's quick_check of every table but"
				 " the readings and their roll-ups; the whole database is checked in the"
				 " background after the first screen)", 100.0 * check / v[0]);
	}
}

static double rss_mb(pid_t pid)
{
	return (double)proc_value(pid, "status", "VmRSS:") / 1024.0;
}

/* Resident memory once the home screen is up (and the first poll is in),
 * then after an hour of station time at 120 times speed, during which
 * every part of the menu is opened once. */
static void measure_memory(const struct opts *o, const char *db)
{
	static const char *const tour[] = {
		"\033Oq", "\033Op",			/* 1 soil moisture, back */
		"\033Or", "\033Op",			/* 2 pumps, back */
		"\033Os", "\033Os", "\033Op", "\033Ot", "\033Op", "\033Op",	/* 3: the books */
		"\033Ot", "\033Or", "\033Op", "\033Os", "\033Op", "\033Op",	/* 4: book, lots */
	};
	int runs = o->runs < 3 ? o->runs : 3;
	double start[MAX_RUNS], hour[MAX_RUNS], hwm[MAX_RUNS], anon[MAX_RUNS], pss[MAX_RUNS];
	const double speed = 120;

	fprintf(stderr, "bench: resident memory, %d runs of an hour at %gx\n", runs, speed);
	for (int i = 0; i < runs; i++) {
		char *argv[16], sp[16];
		struct child c;
		double t0;

		snprintf(sp, sizeof(sp), "%g", speed);
		station_argv(argv, 16, o, db, FARM_END, sp);
		t0 = now_ms();
		spawn(&c, argv);
		if (!child_read(&c, marker, START_WAIT_MS))
			die("no home screen");
		child_read(&c, NULL, 2000);
		start[i] = rss_mb(c.pid);
		child_keys(&c, tour, (int)(sizeof(tour) / sizeof(tour[0])), 300);
		child_read(&c, NULL, 3600 * 1000 / speed - (now_ms() - t0));
		hour[i] = rss_mb(c.pid);
		hwm[i] = (double)proc_value(c.pid, "status", "VmHWM:") / 1024.0;
		anon[i] = (double)proc_value(c.pid, "status", "RssAnon:") / 1024.0;
		pss[i] = (double)proc_value(c.pid, "smaps_rollup", "Pss:") / 1024.0;
		child_stop(&c);
	}
	result_set(R_RSS_START, start, runs);
	result_set(R_RSS_HOUR, hour, runs);
	snprintf(memory_note, sizeof(memory_note),
		 "resident is VmRSS, the kernel's count of the process's pages in memory; after"
		 " the hour its peak was %.1f MB, of which %.1f MB its own (RssAnon: heap, stack,"
		 " SQLite's page cache) and the rest pages of the program and of the shared"
		 " libraries (C library, SQLite, ncurses...) that every process using them counts"
		 " whole; its proportional share of those (Pss) was %.1f MB",
		 median(hwm, runs), median(anon, runs), median(pss, runs));
}

/* A simulated day of polling: the kernel's count of bytes the process
 * sent to storage (/proc/PID/io write_bytes, less cancelled_write_bytes:
 * pages dirtied and then truncated before they reached the disk), with
 * the checkpoint that copies the day's WAL into the database, against
 * the data the day produced.
 *
 * The kernel counts a page when it is first dirtied after it was last
 * written back, and writes back what has been dirty for 30 s (or less:
 * dirty_expire_centisecs). At 144 times speed the station's commits come
 * seconds apart and share their write-backs, which at real speed, ten
 * minutes apart, they would not. So on one copy the station's files
 * (database, -wal, -shm) are written back every 30 s of station time, by
 * fdatasync() from the side, as the kernel would at real speed: every
 * commit counts what it dirties, as in the pump shed. Another copy runs
 * the day as earlier versions of this benchmark measured it, without.
 *
 * Each database is first put in the page cache 4 KB at a time, as the
 * kernels of Debian 12 and 13 keep ext4 files (this machine's kernel
 * reads into large folios, which it counts and writes back whole).
 *
 * Produced is the day's readings counted as the station kept them until
 * it packed them, a row each (t, sensor, quantity, value) as SQLite
 * records one, so that the ratio compares with earlier versions; plus
 * the day's roll-up rows, events and pump runs as stored. */
struct day_run {
	struct child c;
	const char *db;
	double t0;
	long long w0, c0;
	double cpu0;
	time_t s0;		/* station time when counting began */
	double speed;
	int64_t span;		/* station seconds counted */
	bool real_time;		/* written back every 30 s of station time */
	bool running;
	pid_t drainer;		/* reads what the station draws meanwhile */
	/* What it measured. */
	double written, checkpoint, produced, as_rows, packed, readings, hourly, daily, events, runs,
		cpu_s;
};

/* The file in the page cache in 4 KB pages: read a page at a time with
 * readahead off, after the cache has forgotten it. */
static void cache_in_pages(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char page[4096];
	off_t at = 0;

	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	fdatasync(fd);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
	while (pread(fd, page, sizeof(page), at) == (ssize_t)sizeof(page))
		at += (off_t)sizeof(page);
	close(fd);
}

/* What the kernel does to a file dirty for 30 s. */
static void write_back(const char *db)
{
	static const char *const tails[] = { "", "-wal", "-shm" };

	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		char path[4300];
		int fd;

		snprintf(path, sizeof(path), "%s%s", db, tails[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			fdatasync(fd);
			close(fd);
		}
	}
}

static long long self_written(void)
{
	return proc_value(getpid(), "io", "write_bytes:") -
	       proc_value(getpid(), "io", "cancelled_write_bytes:");
}

static void day_begin(struct day_run *d, const struct opts *o, const char *db, bool real_time,
		      int speed, int64_t span)
{
	char *argv[16], sp[16];
	time_t start;

	memset(d, 0, sizeof(*d));
	d->db = db;
	d->speed = speed;
	d->span = span;
	d->real_time = real_time;
	cache_in_pages(db);
	snprintf(sp, sizeof(sp), "%d", speed);
	station_argv(argv, 16, o, db, FARM_END, sp);
	clock_parse(FARM_END, &start);
	d->t0 = now_ms();
	spawn(&d->c, argv);
	if (!child_read(&d->c, marker, START_WAIT_MS))
		die("no home screen");
	/* What start-up wrote is not the day's. */
	if (real_time)
		write_back(db);
	d->w0 = proc_value(d->c.pid, "io", "write_bytes:");
	d->c0 = proc_value(d->c.pid, "io", "cancelled_write_bytes:");
	d->cpu0 = proc_cpu_ms(d->c.pid);
	d->s0 = start + (time_t)((now_ms() - d->t0) * d->speed / 1000.0);
	d->running = true;
	/* Its terminal is read for it while the bench does other things, so
	 * that the station never waits for the screen; and its files written
	 * back as real time would. */
	d->drainer = fork();
	if (d->drainer == 0) {
		double every = 30000.0 / d->speed, next = now_ms() + every;
		char buf[4096];

		for (;;) {
			struct pollfd p = { d->c.master, POLLIN, 0 };
			double left = next - now_ms();

			if (d->real_time && left <= 0) {
				write_back(db);
				next += every;
				continue;
			}
			if (poll(&p, 1, d->real_time ? (int)left + 1 : -1) > 0 &&
			    read(d->c.master, buf, sizeof(buf)) <= 0 && errno != EAGAIN)
				_exit(0);
		}
	}
}

/* The bytes of a reading as a row of its own: the SQLite record of
 * (t, sensor, quantity, value), a header of five bytes and the values,
 * integers in as few bytes as they fit (0 and 1 in none), a REAL that is
 * whole as an integer. */
static int int_bytes(int64_t v)
{
	if (v == 0 || v == 1)
		return 0;
	if (v >= -128 && v <= 127)
		return 1;
	if (v >= -32768 && v <= 32767)
		return 2;
	if (v >= -8388608 && v <= 8388607)
		return 3;
	if (v >= -2147483648LL && v <= 2147483647LL)
		return 4;
	if (v >= -140737488355328LL && v <= 140737488355327LL)
		return 6;
	return 8;
}

struct day_count {
	double n, row_bytes;
};

static void count_row(void *ctx, const struct reading_row *r)
{
	struct day_count *c = ctx;
	double v = r->value;
	int value = fabs(v) < 1e15 && v == (double)(int64_t)v ? int_bytes((int64_t)v) : 8;

	c->n++;
	c->row_bytes += 5 + int_bytes(r->t) + int_bytes(r->sensor) + int_bytes(r->quantity) + value;
}

/* Waits for the day to pass while the station draws, then counts. */
static void day_end(struct day_run *d)
{
	double wait = (double)d->span * 1000.0 / d->speed - (now_ms() - d->t0);
	int64_t s1 = d->s0 + d->span;
	struct day_count count = { 0 };
	long long w1, c1, b0;
	struct store *st;
	char err[512];
	sqlite3 *s;

	if (!d->running)
		return;
	if (wait > 0) {
		struct timespec ts = { (time_t)(wait / 1000), (long)fmod(wait, 1000) * 1000000 };

		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	w1 = proc_value(d->c.pid, "io", "write_bytes:");
	c1 = proc_value(d->c.pid, "io", "cancelled_write_bytes:");
	d->cpu_s = (proc_cpu_ms(d->c.pid) - d->cpu0) / 1000;
	/* The checkpoint the day's WAL needs, made here while the station
	 * runs: what it writes into the database is the bench's count. */
	if (d->real_time)
		write_back(d->db);
	b0 = self_written();
	if (sqlite3_open_v2(d->db, &s, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
		sqlite3_busy_timeout(s, 2000);
		sqlite3_exec(s, "PRAGMA wal_checkpoint(PASSIVE)", NULL, NULL, NULL);
	}
	sqlite3_close(s);
	d->checkpoint = (double)(self_written() - b0);
	child_stop(&d->c);
	if (d->drainer > 0) {
		kill(d->drainer, SIGTERM);
		waitpid(d->drainer, NULL, 0);
	}
	d->running = false;
	d->written = (double)((w1 - d->w0) - (c1 - d->c0));
	if (store_open(d->db, STORE_RDONLY, &st, err, sizeof(err)) < 0)
		die("%s", err);
	if (store_readings_each(st, d->s0, s1, count_row, &count) < 0)
		die("%s: %s", d->db, store_error(st));
	store_close(st);
	s = open_ro(d->db);
	d->readings = count.n;
	d->as_rows = count.row_bytes;
	d->packed = sql_number(s, "SELECT sum(length(data) + 12) FROM readings_packed"
			       " WHERE t >= ?1 AND t < ?2", (double)d->s0, (double)s1);
	d->hourly = sql_number(s, "SELECT count(*) FROM readings_hourly WHERE t >= ?1 - ?1 % 3600"
			       " AND t < ?2", (double)d->s0, (double)s1);
	d->daily = sql_number(s, "SELECT count(*) FROM readings_daily WHERE day >= ?1 AND day <= ?2",
			      (double)text_day_of(d->s0), (double)text_day_of((time_t)s1 - 1));
	d->events = sql_number(s, "SELECT count(*) FROM events WHERE t >= ?1 AND t < ?2",
			       (double)d->s0, (double)s1);
	d->runs = sql_number(s, "SELECT count(*) FROM pump_runs WHERE started >= ?1 AND started < ?2",
			     (double)d->s0, (double)s1);
	d->produced = count.row_bytes + d->hourly * row_bytes(s, "readings_hourly") +
		      d->daily * row_bytes(s, "readings_daily") +
		      (d->events ? d->events * row_bytes(s, "events") : 0) +
		      (d->runs ? d->runs * row_bytes(s, "pump_runs") : 0);
	sqlite3_close(s);
}

static void day_report(const struct day_run *d, const struct day_run *fast)
{
	char fast_note[512] = "";
	double total = d->written + d->checkpoint;

	if (fast->span)
		snprintf(fast_note, sizeof(fast_note),
			 "; the same day without the write-backs of real time, as this benchmark"
			 " measured it before: %.1f MB and %.2f MB for its checkpoint (%.1fx)",
			 fast->written / 1e6, fast->checkpoint / 1e6,
			 (fast->written + fast->checkpoint) / fast->produced);
	res[R_WRITE].value = total / d->produced;
	res[R_WRITE].runs = 1;
	snprintf(res[R_WRITE].note, sizeof(res[R_WRITE].note), "%.2f MB written / %.2f MB produced",
		 total / 1e6, d->produced / 1e6);
	snprintf(day_note, sizeof(day_note),
		 "%.0f readings stored that day (16 sensors x 4 values x 1440 polls = 92160"
		 " expected), %.0f hourly and %.0f daily roll-up rows, %.0f events, %.0f pump runs:"
		 " %.0f bytes as the station's rows were before it packed readings (%.1f bytes a"
		 " reading), %.0f bytes packed (%.1f a reading); at %.0fx with the station's files"
		 " written back every 30 s of station time, as real time would, %.0f bytes written"
		 " by the station and %.0f by the checkpoint of its WAL; CPU %.1f s for the day%s",
		 d->readings, d->hourly, d->daily, d->events, d->runs, d->produced,
		 d->as_rows / (d->readings > 0 ? d->readings : 1), d->packed,
		 d->packed / (d->readings > 0 ? d->readings : 1), d->speed, d->written,
		 d->checkpoint, d->cpu_s, fast_note);
}

/* ---- A week, and its local backup --------------------------------------- */

/* The station runs a week of station time at 1008 times speed on a copy
 * that has two backups already, named a week apart, the newer at its
 * start: the backup due at the week's end brings the older one up to
 * date, as a station does every week, and its event says how many pages
 * it wrote. */
struct week_run {
	struct child c;
	const char *db;
	double t0;
	bool running;
	pid_t drainer;		/* reads what the station draws meanwhile */
};

#define WEEK_SPEED 1008

static bool week_older_kept;	/* the older backup: the farm a week before its end */
#define WEEK_BACKUP_WAIT_MS 300000.0

static void week_begin(struct week_run *w, const struct opts *o, const char *db)
{
	char *argv[16], sp[16];

	memset(w, 0, sizeof(*w));
	w->db = db;
	snprintf(sp, sizeof(sp), "%d", WEEK_SPEED);
	station_argv(argv, 16, o, db, FARM_END, sp);
	w->t0 = now_ms();
	spawn(&w->c, argv);
	if (!child_read(&w->c, marker, START_WAIT_MS))
		die("no home screen");
	w->running = true;
	w->drainer = fork();
	if (w->drainer == 0) {
		char buf[4096];

		for (;;) {
			struct pollfd p = { w->c.master, POLLIN, 0 };

			if (poll(&p, 1, -1) > 0 && read(w->c.master, buf, sizeof(buf)) <= 0 &&
			    errno != EAGAIN)
				_exit(0);
		}
	}
}

/* The newest backup event's "N of M pages written"; false while there is
 * none. said gets what the event says. */
static bool week_backup_event(const char *db, long long *written, long long *of, char *said,
			      size_t n)
{
	sqlite3 *s = open_ro(db);
	sqlite3_stmt *st;
	bool found = false;

	sqlite3_busy_timeout(s, 2000);
	if (sqlite3_prepare_v2(s, "SELECT kind, detail FROM events WHERE kind IN"
				  " ('backup', 'backup_failed') ORDER BY id DESC LIMIT 1", -1, &st,
			       NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		snprintf(said, n, "%s: %s", sqlite3_column_text(st, 0),
			 sqlite3_column_text(st, 1) ? (const char *)sqlite3_column_text(st, 1) : "");
		found = true;
		if (strcmp((const char *)sqlite3_column_text(st, 0), "backup") != 0 ||
		    !sqlite3_column_text(st, 1) ||
		    sscanf((const char *)sqlite3_column_text(st, 1), "%lld of %lld", written, of) != 2)
			*written = *of = -1;
	}
	sqlite3_finalize(st);
	sqlite3_close(s);
	return found;
}

static void week_end(struct week_run *w, const struct opts *o)
{
	double wait = 7 * 86400 * 1000.0 / WEEK_SPEED - (now_ms() - w->t0), waited;
	char said[160] = "";
	long long written = -1, of = -1;
	double page, t_end;
	bool found = false;
	sqlite3 *s;

	if (!w->running)
		return;
	if (wait > 0) {
		struct timespec ts = { (time_t)(wait / 1000), (long)fmod(wait, 1000) * 1000000 };

		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	/* The backup falls due at the week's end, and takes a while. */
	t_end = now_ms();
	while (!(found = week_backup_event(w->db, &written, &of, said, sizeof(said))) &&
	       now_ms() - t_end < WEEK_BACKUP_WAIT_MS) {
		struct timespec ts = { 0, 250 * 1000000 };

		nanosleep(&ts, NULL);
	}
	waited = (now_ms() - t_end) / 1000;
	child_stop(&w->c);
	if (w->drainer > 0) {
		kill(w->drainer, SIGTERM);
		waitpid(w->drainer, NULL, 0);
	}
	w->running = false;
	s = open_ro(w->db);
	page = sql_number(s, "PRAGMA page_size", 0, 0);
	sqlite3_close(s);
	if (!found || written < 0 || of <= 0) {
		snprintf(backup_note, sizeof(backup_note),
			 "after a week of polling at %dx no backup was made (%s, after %.0f s more)",
			 WEEK_SPEED, found ? said : "no backup event", waited);
		return;
	}
	res[R_BACKUP].value = 100.0 * (double)written / (double)of;
	res[R_BACKUP].runs = 1;
	snprintf(res[R_BACKUP].note, sizeof(res[R_BACKUP].note), "%.1f MB, %lld of %lld pages",
		 (double)written * page / 1e6, written, of);
	snprintf(backup_note, sizeof(backup_note),
		 "a local backup every backup_hours of station time (%d here) brings the older of"
		 " the two kept up to date, page by page: after a week of polling at %dx, on a copy"
		 " of the farm whose backups were %s, it wrote %lld of its %lld pages (%.1f MB of"
		 " %.0f MB)",
		 backup_hours(o->config), WEEK_SPEED,
		 week_older_kept ? "the farm at its end and the farm a week before (two weeks"
				   " behind when the backup fell due, as on a station)"
				 : "the farm at its end, twice (this farm has no copy of a week"
				   " before: one week behind, where a station's older backup is two)",
		 written, of, (double)written * page / 1e6, (double)of * page / 1e6);
}

/* ---- The export ------------------------------------------------------- */

/* `fieldstation export --to dest` on db, its clock at clock: how long it
 * took (ms), and its largest resident memory in *rss (MB). */
static double run_export(const struct opts *o, const char *db, const char *dest,
			 const char *clock, double *rss)
{
	char *argv[16];
	int a = station_argv(argv, 12, o, db, clock, NULL), status;
	struct rusage ru;
	pid_t pid;
	double t0;

	argv[a++] = "export";
	argv[a++] = "--to";
	argv[a++] = (char *)dest;
	argv[a] = NULL;
	t0 = now_ms();
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &status, 0, &ru) < 0)
		die("fieldstation export: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("fieldstation export failed");
	*rss = (double)ru.ru_maxrss / 1024.0;
	return now_ms() - t0;
}

/* The bytes of every file in folder (not below it). */
static long long folder_bytes(const char *folder)
{
	DIR *d = opendir(folder);
	struct dirent *de;
	long long n = 0;
	char path[8300];

	if (!d)
		die("%s: %s", folder, strerror(errno));
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", folder, de->d_name);
			n += file_size(path);
		}
	closedir(d);
	return n;
}

/* The newest folder on the stick dest (the one just written). */
static void newest_folder(const char *dest, char *out, size_t n)
{
	DIR *d = opendir(dest);
	struct dirent *de;
	char best[256] = "";

	if (!d)
		die("%s: %s", dest, strerror(errno));
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && strcmp(de->d_name, best) > 0 && strlen(de->d_name) < 256)
			snprintf(best, sizeof(best), "%s", de->d_name);
	closedir(d);
	snprintf(out, n, "%s/%s", dest, best);
}

/* A stick that holds this station's export of a week before gets what
 * changed since: the farm as it was a week before its end (bench/farm.c
 * keeps it) is exported whole, then the farm at its end onto the same
 * stick, from the same path, so with the same station key. */
static void measure_second_export(const struct opts *o, const char *db, const char *dir)
{
	char older[4200], station[4200], dest[4200], folder[8300], p[8400];
	double first_ms, second_ms, rss;
	long long first_bytes, second_bytes, db_bytes = file_size(db);
	struct store *st;
	char err[512];

	snprintf(older, sizeof(older), "%s-week", o->farm);
	if (access(older, F_OK) != 0) {
		snprintf(second_note, sizeof(second_note),
			 "not measured: this farm has no copy of itself a week before its end (made"
			 " again, it will)");
		return;
	}
	fprintf(stderr, "bench: a second export, a week after the first\n");
	snprintf(station, sizeof(station), "%s/second", dir);
	mkdir(station, 0755);
	snprintf(station, sizeof(station), "%s/second/station.db", dir);
	snprintf(dest, sizeof(dest), "%s/stick-second", dir);
	remove_tree(dest);
	mkdir(dest, 0755);
	copy_file(older, station);
	if (store_open(station, 0, &st, err, sizeof(err)) < 0)
		die("%s", err);
	store_close(st);
	first_ms = run_export(o, station, dest, FARM_WEEK_BEFORE, &rss);
	newest_folder(dest, folder, sizeof(folder));
	first_bytes = folder_bytes(folder);
	/* The station a week on: its database as at the farm's end. */
	copy_file(db, station);
	snprintf(p, sizeof(p), "%s-wal", station);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", station);
	unlink(p);
	second_ms = run_export(o, station, dest, FARM_END, &rss);
	newest_folder(dest, folder, sizeof(folder));
	second_bytes = folder_bytes(folder);
	snprintf(p, sizeof(p), "%s/sao-luu.delta", folder);
	if (access(p, F_OK) != 0)
		die("the second export wrote no delta (%s)", folder);
	res[R_EXPORT_SECOND].value = res[R_EXPORT_SECOND].worst = 100.0 * second_bytes / db_bytes;
	res[R_EXPORT_SECOND].runs = 1;
	snprintf(res[R_EXPORT_SECOND].note, sizeof(res[R_EXPORT_SECOND].note),
		 "%.1f MB of %.0f MB", second_bytes / 1e6, db_bytes / 1e6);
	snprintf(second_note, sizeof(second_note),
		 "on the local disk, the farm as it was a week before its end exported whole to a"
		 " new stick, %.0f ms and %.1f MB written; then the farm at its end onto the same"
		 " stick, %.0f ms and %.1f MB written, the copy as %.1f MB of changed pages"
		 " (sao-luu.delta) over the first export's; one run each",
		 first_ms, first_bytes / 1e6, second_ms, second_bytes / 1e6,
		 file_size(p) / 1e6);
	remove_tree(dest);
}

static void measure_export(const struct opts *o, const char *db, const char *dir)
{
	int runs = o->runs < 5 ? o->runs : 5;
	double v[MAX_RUNS], rss[MAX_RUNS];
	char dest[4200];

	fprintf(stderr, "bench: export, %d runs\n", runs);
	snprintf(dest, sizeof(dest), "%s/stick", dir);
	for (int i = 0; i < runs; i++) {
		remove_tree(dest);
		if (mkdir(dest, 0755) < 0)
			die("%s: %s", dest, strerror(errno));
		v[i] = run_export(o, db, dest, FARM_END, &rss[i]);
	}
	result_set(R_EXPORT, v, runs);
	export_rss = median(rss, runs);

	/* Where the time goes: the same export in small steps, each counted
	 * to the part it began in, as the export names its parts. */
	{
		struct export_opts eo = { .db_path = db, .dest = dest, .sep = ';', .dec = ',' };
		const char *copy = _("A copy of all the records"), *back = _("Reading the copy back");
		double part_ms[3] = { 0 }, longest = 0;
		const char *longest_in = "";
		struct config *cfg;
		struct export *e;
		char err[512];
		int rc;

		remove_tree(dest);
		mkdir(dest, 0755);
		if (config_load(o->config, &cfg, err, sizeof(err)) < 0)
			die("%s", err);
		clock_parse(FARM_END, &eo.now);
		eo.cfg = cfg;
		eo.code = cfg->station.code;
		eo.name = cfg->station.name;
		if (export_begin(&eo, &e, err, sizeof(err)) < 0)
			die("export: %s", err);
		do {
			const char *doing = export_doing(e);
			int part = strcmp(doing, copy) == 0 ? 1 : strcmp(doing, back) == 0 ? 2 : 0;
			double t0 = now_ms(), took;

			rc = export_step(e, 5);
			took = now_ms() - t0;
			part_ms[part] += took;
			/* The loop is held for one step: the longest is what a
			 * pump's end may wait for during a copy. */
			if (took > longest) {
				longest = took;
				longest_in = doing;
			}
			if (rc == EXPORT_MORE && export_idle_ms(e))
				poll(NULL, 0, export_idle_ms(e));
		} while (rc == EXPORT_MORE);
		if (rc < 0)
			die("export: %s", export_error(e));
		snprintf(export_note, sizeof(export_note),
			 "`fieldstation export --to FOLDER` on the local disk, its largest resident"
			 " memory %.1f MB; one export in steps: the diaries and lot sheets %.0f ms, the"
			 " copy of the whole database (%.0f MB) with its checksum %.0f ms, reading"
			 " everything back %.0f ms; the longest step (of 5 ms asked) %.0f ms, in \"%s\"",
			 export_rss, part_ms[0], (double)file_size(db) / 1e6, part_ms[1], part_ms[2],
			 longest, longest_in);
		export_free(e);
		config_free(cfg);
		remove_tree(dest);
	}
}

/* ---- Screens mode: the station in this process ------------------------- */

struct station {
	struct app app;
	struct config *cfg;
	struct ui *ui;
	int master;		/* the terminal's other end: what a keypad writes */
	FILE *out;		/* results */
};

/* The station's core as the console makes it (src/station.c), and its
 * screens, on a pseudo-terminal of 50x15 that is this process's stdin and
 * stdout; without what only the console has (the stick, the link, the
 * voice, the backups, the check of the whole database), which the
 * start-up of the real binary counts and which keys and charts never pay
 * for. */
static void station_start(struct station *s, const char *config, const char *db)
{
	struct winsize ws = { .ws_row = ROWS, .ws_col = COLS_ };
	char err[512];
	time_t start;
	int slave;

	if (openpty(&s->master, &slave, NULL, NULL, &ws) < 0)
		die("openpty: %s", strerror(errno));
	fcntl(s->master, F_SETFL, O_NONBLOCK);
	dup2(slave, STDIN_FILENO);
	dup2(slave, STDOUT_FILENO);
	close(slave);
	if (config_load(config, &s->cfg, err, sizeof(err)) < 0)
		die("%s", err);
	text_set_language(config_language(s->cfg));
	clock_parse(FARM_END, &start);
	s->app.cfg = s->cfg;
	s->app.db_path = db;
	s->app.clock = clock_new_sim(start, 1);
	if (station_open(&s->app, STATION_IRRIGATION, err, sizeof(err)) < 0)
		die("%s", err);
	s->app.readings = readings_new(&s->app, err, sizeof(err));
	if (!s->app.readings)
		die("%s", err);
	store_event(s->app.store, clock_now(s->app.clock), "start", NULL, VERSION, false);
	s->ui = ui_new(&s->app, err, sizeof(err));
	if (!s->ui)
		die("%s", err);
}

static void station_stop(struct station *s)
{
	/* Water first, as the console stops. */
	irrigation_free(s->app.irrigation);
	s->app.irrigation = NULL;
	ui_free(s->ui);
	readings_free(s->app.readings);
	s->app.readings = NULL;
	store_event(s->app.store, clock_now(s->app.clock), "stop", NULL, NULL, false);
	station_close(&s->app);
	clock_free(s->app.clock);
	config_free(s->cfg);
}

static void drain(int fd)
{
	char buf[8192];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

static int64_t on_quit(void *data)
{
	loop_quit(data);
	return LOOP_DONE;
}

/* Runs the station's loop for ms of real time. */
static void run_for(struct station *s, int64_t ms)
{
	loop_timer_add(s->app.loop, ms, on_quit, s->app.loop);
	loop_run(s->app.loop);
	drain(s->master);
}

/* What the station drew after the last key. */
static char screen_out[65536];
static size_t screen_len;

static void capture(int fd)
{
	ssize_t n;

	while (screen_len < sizeof(screen_out) - 1 &&
	       (n = read(fd, screen_out + screen_len, sizeof(screen_out) - 1 - screen_len)) > 0)
		screen_len += (size_t)n;
	screen_out[screen_len] = '\0';
	drain(fd);
}

/* One key, as the keypad sends it, until the station has read it and
 * drawn its answer; returns the milliseconds that took. What it drew is
 * in screen_out. */
static double press(struct station *s, const char *seq)
{
	double t0 = now_ms(), t;
	int pending;
	struct pollfd in = { STDIN_FILENO, POLLIN, 0 };

	screen_len = 0;
	if (write(s->master, seq, strlen(seq)) < 0)
		die("keypad: %s", strerror(errno));
	/* The terminal hands the bytes on a moment later. */
	poll(&in, 1, 1000);
	for (;;) {
		struct pollfd p = { s->master, POLLIN, 0 };

		loop_run_once(s->app.loop, 1000);
		if (ioctl(STDIN_FILENO, FIONREAD, &pending) == 0 && pending == 0 &&
		    poll(&p, 1, 0) == 1)
			break;
	}
	t = now_ms() - t0;
	capture(s->master);
	return t;
}

static void screens_keys(struct station *s, int rounds)
{
	/* Through the home menu: open each part, and back. */
	static const int walk[] = { 1, 0, 2, 0, 3, 0, 4, 0 };
	int n = 0, total = rounds * (int)(sizeof(walk) / sizeof(walk[0]));
	double *v = calloc((size_t)total, sizeof(*v));

	for (int r = 0; r < rounds; r++) {
		for (size_t k = 0; k < sizeof(walk) / sizeof(walk[0]); k++) {
			CALLGRIND_ZERO_STATS;
			v[n++] = press(s, KP[walk[k]]);
			CALLGRIND_DUMP_STATS_AT("key");
		}
	}
	for (int i = 0; i < n; i++)
		fprintf(s->out, "key %.4f\n", v[i]);
	free(v);
}

/* The charts of the first zone, as a farmer opens them: from the home
 * screen 1 (soil moisture), 1 (the first zone: its 24 hours), + (7 days),
 * + (30 days), + (a year), 0 (back to the zones). Each key that brings a
 * chart is timed: the roll-ups read, the chart computed and drawn. */
static bool screens_charts(struct station *s, int runs)
{
	static const struct {
		const char *key;
		const char *name;	/* NULL: not timed */
	} steps[] = {
		{ "\033Oq", "day" }, { "\033Ok", NULL }, { "\033Ok", "month" },
		{ "\033Ok", "year" }, { "\033Op", NULL },
	};
	const char *day_name = _("24 hours");

	press(s, "/");
	press(s, KP[1]);
	/* A build whose moisture screen has no chart yet. */
	press(s, KP[1]);
	if (!strstr(screen_out, day_name))
		return false;
	press(s, KP[0]);
	for (int r = 0; r < runs; r++) {
		for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
			double t;

			CALLGRIND_ZERO_STATS;
			t = press(s, steps[k].key);
			if (steps[k].name)
				CALLGRIND_DUMP_STATS_AT(steps[k].name);
			if (steps[k].name)
				fprintf(s->out, "chart-%s %.4f\n", steps[k].name, t);
		}
	}
	press(s, "/");
	return true;
}

/* Without a chart on the screen, the chart's data alone: the roll-ups
 * read and put into the columns a 50-column screen has for it. */
static void screens_chart_data(struct station *s, int runs)
{
	static const struct {
		enum chart_span span;
		const char *name;
	} spans[] = { { CHART_DAY, "day" }, { CHART_MONTH, "month" }, { CHART_YEAR, "year" } };
	struct chart *c = malloc(sizeof(*c));
	time_t now = clock_now(s->app.clock);

	press(s, "/");
	for (size_t k = 0; k < sizeof(spans) / sizeof(spans[0]); k++) {
		for (int r = 0; r < runs; r++) {
			double t0 = now_ms();

			CALLGRIND_ZERO_STATS;
			if (chart_zone(s->app.store, s->cfg, 0, spans[k].span, now, COLS_ - 4, NAN,
				       c) < 0)
				die("chart: %s", store_error(s->app.store));
			CALLGRIND_DUMP_STATS_AT(spans[k].name);
			fprintf(s->out, "chart-%s %.4f\n", spans[k].name, now_ms() - t0);
		}
	}
	fprintf(s->out, "chart-data-only\n");
	free(c);
}

/* Idle on the home screen for whole windows of real time: how often the
 * loop woke up (loop_wakeups()), the CPU the process used, and how often
 * the kernel saw it go to sleep (voluntary context switches). */
static void screens_idle(struct station *s, int windows, int seconds)
{
	press(s, "/");
	drain(s->master);
	for (int w = 0; w < windows; w++) {
		struct rusage a, b;
		uint64_t w0 = loop_wakeups(s->app.loop);

		getrusage(RUSAGE_SELF, &a);
		run_for(s, (int64_t)seconds * 1000);
		getrusage(RUSAGE_SELF, &b);
		fprintf(s->out, "idle %d %llu %.3f %ld\n", seconds,
			/* the wake-up that ends the window is ours, not the station's */
			(unsigned long long)(loop_wakeups(s->app.loop) - w0 - 1),
			(double)(b.ru_utime.tv_sec - a.ru_utime.tv_sec) * 1e3 +
			(double)(b.ru_utime.tv_usec - a.ru_utime.tv_usec) / 1e3 +
			(double)(b.ru_stime.tv_sec - a.ru_stime.tv_sec) * 1e3 +
			(double)(b.ru_stime.tv_usec - a.ru_stime.tv_usec) / 1e3,
			b.ru_nvcsw - a.ru_nvcsw);
		fflush(s->out);
	}
}

static int screens_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "db", required_argument, NULL, 'd' },
		{ "out", required_argument, NULL, 'o' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "idle-windows", required_argument, NULL, 'w' },
		{ "idle-seconds", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = "bench/farm.ini", *db = NULL, *out = NULL;
	int rounds = 5, windows = 0, seconds = 60, c;
	struct station s = { 0 };

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'd': db = optarg; break;
		case 'o': out = optarg; break;
		case 'r': rounds = atoi(optarg); break;
		case 'w': windows = atoi(optarg); break;
		case 's': seconds = atoi(optarg); break;
		default: return 2;
		}
	}
	if (!db || !out)
		die("screens: --db and --out are needed");
	s.out = fopen(out, "w");
	if (!s.out)
		die("%s: %s", out, strerror(errno));
	station_start(&s, config, db);
	/* Start-up done: the first poll answered, the screen drawn. */
	run_for(&s, 1000);
	if (rounds > 0) {
		screens_keys(&s, rounds);
		if (!screens_charts(&s, rounds * 2))
			screens_chart_data(&s, rounds * 2);
	}
	if (windows > 0)
		screens_idle(&s, windows, seconds);
	station_stop(&s);
	fclose(s.out);
	return 0;
}

/* ---- Screens mode, from the outside ------------------------------------ */

static int run_wait(char *const argv[])
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void screens_argv(char **argv, int *a, const char *self, const struct opts *o,
			 const char *db, const char *out)
{
	argv[(*a)++] = (char *)self;
	argv[(*a)++] = "screens";
	argv[(*a)++] = "--config";
	argv[(*a)++] = (char *)o->config;
	argv[(*a)++] = "--db";
	argv[(*a)++] = (char *)db;
	argv[(*a)++] = "--out";
	argv[(*a)++] = (char *)out;
}

static void measure_screens(const struct opts *o, const char *self, const char *db,
			    const char *dir, bool valgrind)
{
	char out[4200], rounds[16], *argv[32], line[256];
	double key[MAX_RUNS * 8], chart[3][MAX_RUNS * 2];
	int n_key = 0, n_chart[3] = { 0 }, a = 0;
	FILE *f;

	chart_data_only = false;
	fprintf(stderr, "bench: key presses and charts, %d rounds\n", o->runs);
	snprintf(out, sizeof(out), "%s/screens.txt", dir);
	snprintf(rounds, sizeof(rounds), "%d", o->runs);
	screens_argv(argv, &a, self, o, db, out);
	argv[a++] = "--rounds";
	argv[a++] = rounds;
	argv[a] = NULL;
	if (run_wait(argv) != 0)
		die("the screens run failed");
	f = fopen(out, "r");
	while (f && fgets(line, sizeof(line), f)) {
		double v;
		char what[32];

		if (strncmp(line, "chart-data-only", 15) == 0)
			chart_data_only = true;
		if (sscanf(line, "%31s %lf", what, &v) != 2)
			continue;
		if (strcmp(what, "key") == 0 && n_key < MAX_RUNS * 8)
			key[n_key++] = v;
		for (int k = 0; k < 3; k++)
			if (strcmp(what, (const char *[]){ "chart-day", "chart-month", "chart-year" }[k]) == 0 &&
			    n_chart[k] < MAX_RUNS * 2)
				chart[k][n_chart[k]++] = v;
	}
	if (f)
		fclose(f);
	result_set(R_KEY, key, n_key);
	for (int k = 0; k < 3; k++)
		result_set((enum row)(R_CHART_DAY + k), chart[k], n_chart[k]);

	if (!valgrind)
		return;
	/* The same under callgrind, one round: a dump per key and chart. */
	fprintf(stderr, "bench: key presses and charts under callgrind\n");
	{
		char prefix[4200], cg[4300], *vargv[40];
		double ik[64], ic[3][64];
		int b = 0, nk = 0, nc[3] = { 0 };
		DIR *d;
		struct dirent *de;

		snprintf(prefix, sizeof(prefix), "%s/cg.screens", dir);
		snprintf(cg, sizeof(cg), "--callgrind-out-file=%s", prefix);
		vargv[b++] = "valgrind";
		vargv[b++] = "-q";
		vargv[b++] = "--tool=callgrind";
		vargv[b++] = cg;
		screens_argv(vargv, &b, self, o, db, out);
		vargv[b++] = "--rounds";
		vargv[b++] = "3";
		vargv[b] = NULL;
		if (run_wait(vargv) != 0) {
			fprintf(stderr, "bench: the screens run under callgrind failed\n");
			return;
		}
		d = opendir(dir);
		while (d && (de = readdir(d))) {
			char path[4400], trigger[256];
			long long total;

			if (strncmp(de->d_name, "cg.screens.", 11) != 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			total = callgrind_total(path, trigger, sizeof(trigger));
			if (total <= 0)
				continue;
			if (strstr(trigger, "Client Request: key") && nk < 64)
				ik[nk++] = (double)total;
			for (int k = 0; k < 3; k++)
				if (strstr(trigger, (const char *[]){ "Client Request: day",
								      "Client Request: month",
								      "Client Request: year" }[k]) &&
				    nc[k] < 64)
					ic[k][nc[k]++] = (double)total;
		}
		if (d)
			closedir(d);
		res[R_KEY].insns = median(ik, nk);
		for (int k = 0; k < 3; k++)
			res[R_CHART_DAY + k].insns = median(ic[k], nc[k]);
	}
}

static void measure_idle(const struct opts *o, const char *self, const char *db,
			 const char *dir)
{
	char out[4200], w[16], secs[16], *argv[32], line[256];
	double wake[MAX_RUNS], cpu[MAX_RUNS], csw[MAX_RUNS];
	int n = 0, a = 0;
	FILE *f;

	fprintf(stderr, "bench: idle on the home screen, %d windows of %d s\n", o->idle_windows,
		o->idle_seconds);
	snprintf(out, sizeof(out), "%s/idle.txt", dir);
	snprintf(w, sizeof(w), "%d", o->idle_windows);
	snprintf(secs, sizeof(secs), "%d", o->idle_seconds);
	screens_argv(argv, &a, self, o, db, out);
	argv[a++] = "--rounds";
	argv[a++] = "0";
	argv[a++] = "--idle-windows";
	argv[a++] = w;
	argv[a++] = "--idle-seconds";
	argv[a++] = secs;
	argv[a] = NULL;
	if (run_wait(argv) != 0)
		die("the idle run failed");
	f = fopen(out, "r");
	while (f && fgets(line, sizeof(line), f) && n < MAX_RUNS) {
		int s;
		unsigned long long wk;
		double c;
		long v;

		if (sscanf(line, "idle %d %llu %lf %ld", &s, &wk, &c, &v) != 4)
			continue;
		wake[n] = (double)wk * 60.0 / s;
		cpu[n] = c / (s * 1000.0) * 100.0;
		csw[n] = (double)v * 60.0 / s;
		n++;
	}
	if (f)
		fclose(f);
	result_set(R_IDLE_WAKE, wake, n);
	result_set(R_IDLE_CPU, cpu, n);
	snprintf(idle_note, sizeof(idle_note),
		 "the kernel saw the process go to sleep %.0f times a minute (voluntary context"
		 " switches)", median(csw, n));
}

/* ---- The table --------------------------------------------------------- */

static const struct {
	const char *what;
	const char *budget;
	double limit;		/* the measured value must be below */
	const char *unit;
	int decimals;
} rows[R_ROWS] = {
	[R_START] = { "start-up to the home screen drawn", "< 100 ms", 100, "ms", 1 },
	[R_START_COLD] = { "start-up, database not in the page cache", "< 300 ms", 300, "ms", 1 },
	[R_CHART_DAY] = { "24-hour chart of one zone", "< 30 ms", 30, "ms", 2 },
	[R_CHART_MONTH] = { "30-day chart of one zone", "< 30 ms", 30, "ms", 2 },
	[R_CHART_YEAR] = { "one-year chart of one zone", "< 30 ms", 30, "ms", 2 },
	[R_KEY] = { "key press handled and drawn (home menu)", "< 5 ms", 5, "ms", 2 },
	[R_RSS_START] = { "resident memory after start-up", "< 4 MB", 4, "MB", 1 },
	[R_RSS_HOUR] = { "resident memory after an hour", "< 4 MB", 4, "MB", 1 },
	[R_IDLE_WAKE] = { "idle on the home screen: wake-ups", "a few a minute (<= 10)", 10.5,
			  "/min", 1 },
	[R_IDLE_CPU] = { "idle on the home screen: CPU", "near zero (< 0.1 %)", 0.1, "%", 3 },
	[R_WRITE] = { "written to storage per day of polling", "<= 3x the data produced", 3.0001,
		      "x", 1 },
	[R_BACKUP] = { "local backup after a week: pages written of the database's",
		       "not the whole database (< 10 %)", 10, "%", 1 },
	[R_EXPORT] = { "export: a year of records and a copy of the database", "< 2 s", 2000,
		       "ms", 0 },
	[R_EXPORT_SECOND] = { "export a week after one on the same stick: written of the database's",
			      "a small fraction (< 10 %)", 10, "%", 1 },
};

static void human_count(char *buf, size_t n, double v)
{
	if (isnan(v))
		snprintf(buf, n, "-");
	else if (v >= 1e9)
		snprintf(buf, n, "%.2f G", v / 1e9);
	else if (v >= 1e6)
		snprintf(buf, n, "%.2f M", v / 1e6);
	else
		snprintf(buf, n, "%.0f k", v / 1e3);
}

static void print_table(const char *load0, const char *load1)
{
	printf("\nReference farm: %s.\n", farm_note);
	printf("Load average (1, 5, 15 min) at the start %s, at the end %s; %ld cores.\n\n",
	       load0, load1, sysconf(_SC_NPROCESSORS_ONLN));
	printf("| Measurement | Budget | Measured | Instructions | |\n");
	printf("| --- | --- | --- | --- | --- |\n");
	for (int r = 0; r < R_ROWS; r++) {
		char value[400], insns[32];
		const char *verdict;

		if (isnan(res[r].value))
			continue;
		if (strcmp(rows[r].unit, "x") == 0)
			snprintf(value, sizeof(value), "%.*fx (%s)", rows[r].decimals, res[r].value,
				 res[r].note);
		else if (res[r].note[0])
			snprintf(value, sizeof(value), "%.*f %s (%s)", rows[r].decimals, res[r].value,
				 rows[r].unit, res[r].note);
		else if (res[r].runs > 1)
			snprintf(value, sizeof(value), "%.*f %s (worst %.*f, %d runs)", rows[r].decimals,
				 res[r].value, rows[r].unit, rows[r].decimals, res[r].worst, res[r].runs);
		else
			snprintf(value, sizeof(value), "%.*f %s", rows[r].decimals, res[r].value,
				 rows[r].unit);
		human_count(insns, sizeof(insns), res[r].insns);
		verdict = res[r].value < rows[r].limit ? "ok" : "**MISSED**";
		printf("| %s | %s | %s | %s | %s |\n", rows[r].what, rows[r].budget, value, insns,
		       verdict);
	}
	printf("\n");
	if (chart_data_only && !isnan(res[R_CHART_DAY].value))
		printf("- Charts: this build's moisture screen draws no chart, so only the chart's"
		       " data (chart_zone(): the roll-ups read and put into columns) was timed.\n");
	if (startup_note[0])
		printf("- Start-up: %s.\n", startup_note);
	if (memory_note[0])
		printf("- Memory: %s.\n", memory_note);
	if (idle_note[0])
		printf("- Idle: %s.\n", idle_note);
	if (day_note[0])
		printf("- A day of polling: %s.\n", day_note);
	if (backup_note[0])
		printf("- Backups: %s.\n", backup_note);
	if (export_note[0])
		printf("- Export: %s.\n", export_note);
	if (second_note[0])
		printf("- A second export: %s.\n", second_note);
}

static int bench_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "farm", required_argument, NULL, 'f' },
		{ "config", required_argument, NULL, 'c' },
		{ "bin", required_argument, NULL, 'b' },
		{ "work", required_argument, NULL, 'k' },
		{ "runs", required_argument, NULL, 'r' },
		{ "only", required_argument, NULL, 'o' },
		{ "idle-windows", required_argument, NULL, 'w' },
		{ "idle-seconds", required_argument, NULL, 's' },
		{ "day-speed", required_argument, NULL, 'd' },
		{ "keep", no_argument, NULL, 'K' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .config = "bench/farm.ini", .bin = "build/fieldstation",
			  .work = "build/bench", .runs = 11, .idle_windows = 3,
			  .idle_seconds = 60, .day_speed = 144 };
	char dir[4096], db[4200], daydb[4200], fastdb[4200], weekdb[4200], cgdb[4200], self[4096],
		load0[64], load1[64];
	struct day_run day = { 0 }, fast = { 0 };
	struct week_run week = { 0 };
	bool valgrind;
	ssize_t n;
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': o.farm = optarg; break;
		case 'c': o.config = optarg; break;
		case 'b': o.bin = optarg; break;
		case 'k': o.work = optarg; break;
		case 'r': o.runs = atoi(optarg); break;
		case 'o': snprintf(o.only, sizeof(o.only), "%s", optarg); break;
		case 'w': o.idle_windows = atoi(optarg); break;
		case 's': o.idle_seconds = atoi(optarg); break;
		case 'd': o.day_speed = atoi(optarg); break;
		case 'K': o.keep = true; break;
		default: return 2;
		}
	}
	if (!o.farm || o.runs < 1 || o.runs > MAX_RUNS || o.idle_windows < 0 ||
	    o.idle_windows > MAX_RUNS || o.idle_seconds < 1 || o.day_speed < 1)
		die("usage: bench --farm FARM.db [--config FILE] [--bin FILE] [--work DIR]"
		    " [--runs 1-64] [--only startup,screens,export,memory,idle,day,backup]"
		    " [--idle-windows N] [--idle-seconds N] [--day-speed N]");
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		die("/proc/self/exe: %s", strerror(errno));
	self[n] = '\0';
	load_average(load0, sizeof(load0));
	make_marker();
	valgrind = have_valgrind();
	if (!valgrind)
		fprintf(stderr, "bench: valgrind is not installed: no instruction counts"
				" (scripts/install-deps.sh --all installs it)\n");
	for (int r = 0; r < R_ROWS; r++)
		res[r].value = res[r].worst = res[r].insns = NAN;
	/* Copies of the farm to run on: one for the day of polling, which
	 * runs beside the idle and memory runs, one for everything else. */
	snprintf(dir, sizeof(dir), "%s/run.XXXXXX", o.work);
	if (!mkdtemp(dir))
		die("%s: %s", dir, strerror(errno));
	snprintf(db, sizeof(db), "%s/station.db", dir);
	snprintf(daydb, sizeof(daydb), "%s/day.db", dir);
	snprintf(fastdb, sizeof(fastdb), "%s/day-fast.db", dir);
	snprintf(weekdb, sizeof(weekdb), "%s/week.db", dir);
	snprintf(cgdb, sizeof(cgdb), "%s/callgrind.db", dir);
	fprintf(stderr, "bench: copying the reference farm into %s\n", dir);
	copy_file(o.farm, db);
	{
		/* The schema as this build has it: migrated once, here, so that
		 * no start-up below pays for it. */
		struct store *st;
		char err[512];

		if (store_open(db, 0, &st, err, sizeof(err)) < 0)
			die("%s", err);
		store_close(st);
	}
	describe_farm(db);
	if (wanted(&o, "day")) {
		copy_file(db, daydb);
		copy_file(db, fastdb);
	}
	if (wanted(&o, "backup"))
		copy_file(db, weekdb);
	if (wanted(&o, "startup") && valgrind)
		copy_file(db, cgdb);
	/* A station that has run for years has its local backups: each copy
	 * gets one made at the farm's last moment (FARM_END), so that the
	 * next is due a backup_hours later, as on any day but one, and none
	 * of the runs below copies the whole database first. */
	{
		const char *const copies[] = { db, daydb, fastdb, weekdb, cgdb };
		char backup[4400], first[4400] = "";

		for (size_t i = 0; i < sizeof(copies) / sizeof(copies[0]); i++) {
			const char *base = strrchr(copies[i], '/') + 1;

			if (access(copies[i], F_OK) != 0)
				continue;
			snprintf(backup, sizeof(backup), "%s/backups", dir);
			mkdir(backup, 0755);
			snprintf(backup, sizeof(backup), "%s/backups/%.*s-2026-06-01-0000.db", dir,
				 (int)(strlen(base) - 3), base);
			if (!first[0]) {
				copy_file(copies[i], backup);
				snprintf(first, sizeof(first), "%s", backup);
			} else if (link(first, backup) < 0) {
				die("%s: %s", backup, strerror(errno));
			}
		}
		/* The week's copy has an older one too, a week older, written
		 * over by the backup at the week's end: the farm as it was a
		 * week before its end (bench/farm.c keeps it beside the farm),
		 * or for an older farm the farm itself. */
		if (access(weekdb, F_OK) == 0) {
			char older[4200];

			snprintf(backup, sizeof(backup), "%s/backups/week-2026-05-25-0000.db", dir);
			snprintf(older, sizeof(older), "%s-week", o.farm);
			week_older_kept = access(older, F_OK) == 0;
			copy_file(week_older_kept ? older : weekdb, backup);
		}
		snprintf(backup_note, sizeof(backup_note),
			 "a local backup falls due every backup_hours of station time (%d here);"
			 " each copy of the farm starts with one made at its last moment (a whole"
			 " copy, %.0f MB), so none fell due in the measured day",
			 backup_hours(o.config), (double)file_size(first) / 1e6);
	}

	/* What needs a quiet machine first, one at a time. */
	if (wanted(&o, "startup"))
		measure_startup(&o, db);
	if (wanted(&o, "screens"))
		measure_screens(&o, self, db, dir, valgrind);
	if (wanted(&o, "export")) {
		measure_export(&o, db, dir);
		measure_second_export(&o, db, dir);
	}
	/* Then the long ones, which mostly sleep: the day of polling beside
	 * the start-up under callgrind and the memory and idle runs. */
	if (wanted(&o, "day")) {
		fprintf(stderr, "bench: two days of polling at %dx (%.0f s) started\n", o.day_speed,
			86400.0 / o.day_speed);
		day_begin(&day, &o, daydb, true, o.day_speed, 86400);
		day_begin(&fast, &o, fastdb, false, o.day_speed, 86400);
	}
	if (wanted(&o, "backup")) {
		fprintf(stderr, "bench: a week of polling at %dx (%.0f s) started\n", WEEK_SPEED,
			7 * 86400.0 / WEEK_SPEED);
		week_begin(&week, &o, weekdb);
	}
	if (wanted(&o, "startup") && valgrind)
		count_startup(&o, cgdb, dir);
	if (wanted(&o, "memory"))
		measure_memory(&o, db);
	if (wanted(&o, "idle") && o.idle_windows > 0)
		measure_idle(&o, self, db, dir);
	if (day.running) {
		fprintf(stderr, "bench: waiting for the days of polling to end\n");
		day_end(&day);
		day_end(&fast);
		day_report(&day, &fast);
	}
	if (week.running) {
		fprintf(stderr, "bench: waiting for the week of polling and its backup\n");
		week_end(&week, &o);
	}
	load_average(load1, sizeof(load1));
	print_table(load0, load1);
	if (o.keep)
		fprintf(stderr, "bench: kept %s\n", dir);
	else
		remove_tree(dir);
	return 0;
}

int main(int argc, char **argv)
{
	/* The farm is in Vietnam, on the shed's console. */
	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	tzset();
	setenv("TERM", "linux", 1);
	unsetenv("FIELDSTATION_LANG");
	text_init("vi");
	signal(SIGPIPE, SIG_IGN);
	if (argc > 1 && strcmp(argv[1], "screens") == 0)
		return screens_main(argc - 1, argv + 1);
	return bench_main(argc, argv);
}
