/* The office merge: two stations' sticks into one database, merged again
 * and again without a row twice, a newer stick completing what an older
 * one did not know, and every folder that is not a whole station export
 * refused with its reason and nothing merged from it. A station the
 * office does not trust yet is held, then merged once trusted; a trusted
 * station's uid under another key is refused as forged; a trusted key
 * from another board is held; one byte changed anywhere is refused. */
#include "testsql.h"
#include "storefault.h"

#include "export.h"
#include "manifest.h"
#include "merge.h"
#include "signing.h"
#include "store.h"
#include "text.h"
#include "trust.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static char *dir;
static char office[256], sticks[256];

/* 01/06/2026 05:10 in Việt Nam. */
#define T0 1780265400


/* A station with a run (ended or not), an alarm, a spray and its
 * correction, and two days of soil readings. */
static void make_station(const char *db, const char *code, const char *name, bool run_ended)
{
	struct store *s;
	char err[512];
	struct run_row r = { .reason = RUN_MANUAL, .started = T0, .planned_end = T0 + 1800,
			     .moisture_before = 31.5, .moisture_after = NAN };
	const struct store_name names[] = {
		{ "zone", "mit", "Mít ruột đỏ", NULL },
		{ "pump", "p1", "Bơm 1", NULL },
		{ "sensor", "soil1", "soil1", "mit" },
	};
	struct reading_row rows[48];
	int soil1;

	assert_int_equal(store_open(db, 0, &s, err, sizeof(err)), 0);
	assert_int_equal(store_station_remember(s, code, name, names, 3), 0);
	snprintf(r.pump, sizeof(r.pump), "p1");
	snprintf(r.zone, sizeof(r.zone), "mit");
	assert_int_equal(store_run_begin(s, &r), 0);
	if (run_ended) {
		r.ended = T0 + 1800;
		snprintf(r.end_reason, sizeof(r.end_reason), "done");
		r.moisture_after = 40.5;
		assert_int_equal(store_run_end(s, &r), 0);
	}
	assert_int_equal(store_event(s, T0 + 60, "sensor_lost", "soil1", NULL, true), 0);
	assert_int_equal(store_sensor_id(s, "soil1", &soil1), 0);
	for (int i = 0; i < 48; i++)
		rows[i] = (struct reading_row){ soil1, 0, 1780246800 + i * 3600, 30.0 + i % 24 };
	assert_int_equal(store_readings_add(s, rows, 48, rows[47].t + 86400), 0);
	store_close(s);
	exec_sql(db, "INSERT INTO records(id, kind, day, zone, zone_name, product, product_name,"
		     " organic, amount, unit, target, phi_days, harvest_from, who, who_name, entered_at)"
		     " VALUES (1, 'spray', '2026-05-25', 'mit', 'Mít ruột đỏ', 'radiant', 'Radiant 60SC', 0,"
		     " 100, 'ml', 'sâu đục trái', 7, '2026-06-01', 'nam', 'Chị Năm', 1779690000),"
		     " (2, 'spray', '2026-05-25', 'mit', 'Mít ruột đỏ', 'radiant', 'Radiant 60SC', 0,"
		     " 120, 'ml', 'sâu đục trái', 7, '2026-06-01', 'nam', 'Chị Năm', 1779693600);"
		     "UPDATE records SET corrects = 1 WHERE id = 2;"
		     /* The run watered the correction's fertilizer in (fertigation). */
		     "UPDATE pump_runs SET record = 2;"
		     /* And dosed it from a tank, filled from a supplier's lot:
		      * while the run goes on, its dose too, 5 of 12 litres given;
		      * the water counted so far. */
		     "INSERT INTO doses(id, run, injector, injector_name, tank, tank_name, product,"
		     " product_name, unit, kind, target, zone, who, who_name, concentration,"
		     " planned_litres, started, alive, ended, litres, end_reason, record)"
		     " SELECT 1, id, 'ia', 'Châm A', 'ta', 'Bể A', 'radiant', 'Radiant 60SC', 'ml',"
		     " 'spray', 'sâu đục trái', 'mit', 'nam', 'Chị Năm', 10, 12, started, started + 600,"
		     " CASE WHEN ended IS NULL THEN NULL ELSE started + 720 END,"
		     " CASE WHEN ended IS NULL THEN 5 ELSE 12 END,"
		     " CASE WHEN ended IS NULL THEN NULL ELSE 'done' END, 2 FROM pump_runs;"
		     "UPDATE pump_runs SET litres = CASE WHEN ended IS NULL THEN 150 ELSE 400 END,"
		     " alive = started + 600;"
		     "INSERT INTO tank_book(tank, tank_name, kind, day, product, product_name, unit,"
		     " amount, litres, lot, who, who_name, entered_at, dose)"
		     " VALUES ('ta', 'Bể A', 'refill', '2026-05-20', 'radiant', 'Radiant 60SC', 'ml',"
		     " 1000, 100, '0451.23', 'nam', 'Chị Năm', 1779250000, NULL),"
		     " ('ta', 'Bể A', 'dose', '2026-05-25', 'radiant', 'Radiant 60SC', 'ml',"
		     " -120, -12, NULL, 'nam', 'Chị Năm', 1779693600, 1);");
}

/* Exports db to dest; returns the folder (static). */
static const char *export_to(const char *db, const char *dest, time_t now)
{
	static char path[2][300];
	static int i;
	char err[512];

	i ^= 1;
	mkdir(dest, 0755);
	if (export_run(&(struct export_opts){ .db_path = db, .dest = dest, .sep = ';', .dec = ',',
					      .now = now }, NULL, NULL, path[i], sizeof(path[i]), err,
		       sizeof(err)) != 0)
		fail_msg("export: %s", err);
	return path[i];
}

/* Exports db to a stick of its own: a whole copy, never a delta over an
 * earlier export. */
static const char *export_whole(const char *db, time_t now)
{
	static int n;
	char dest[300];

	snprintf(dest, sizeof(dest), "%s/whole-%d", dir, n++);
	return export_to(db, dest, now);
}

struct reports {
	int n, refused, held;
	char last_refusal[768], last_held[768];
	struct merge_result last;
};

static void on_report(void *ctx, const struct merge_report *m)
{
	struct reports *rep = ctx;

	rep->n++;
	if (m->outcome == MERGE_REFUSED) {
		rep->refused++;
		snprintf(rep->last_refusal, sizeof(rep->last_refusal), "%s", m->why);
	} else if (m->outcome == MERGE_HELD) {
		rep->held++;
		assert_non_null(m->manifest);
		snprintf(rep->last_held, sizeof(rep->last_held), "%s", m->why);
	} else {
		assert_null(m->why);
		rep->last = *m->result;
	}
}

/* The office person trusts the station that signed folder, as
 * `fieldstation trust` does once they said yes. */
static void trust(const char *folder)
{
	struct store *s;
	struct manifest m;
	char err[768];

	assert_int_equal(store_open(office, STORE_EXCLUSIVE, &s, err, sizeof(err)), 0);
	if (store_office_prepare(s, err, sizeof(err)) < 0)
		fail_msg("office: %s", err);
	if (merge_read_manifest(folder, &m, err, sizeof(err)) < 0)
		fail_msg("%s: %s", folder, err);
	assert_int_equal(trust_accept(s, &m, T0 + 80000, "chị Hạnh", err, sizeof(err)), 0);
	manifest_free(&m);
	store_close(s);
}

/* Merges path into the office; returns what merge_path returned. */
static int merge(const char *path, struct reports *rep)
{
	struct store *s;
	char err[512];
	int rc;

	memset(rep, 0, sizeof(*rep));
	assert_int_equal(store_open(office, STORE_EXCLUSIVE, &s, err, sizeof(err)), 0);
	if (store_office_prepare(s, err, sizeof(err)) < 0)
		fail_msg("office: %s", err);
	rc = merge_path(s, office, path, T0 + 86400, on_report, rep, err, sizeof(err));
	if (rc < 0)
		snprintf(rep->last_refusal, sizeof(rep->last_refusal), "%s", err);
	store_close(s);
	return rc;
}

static int table_index(const char *table)
{
	for (int i = 0; i < store_merge_table_count(); i++)
		if (strcmp(store_merge_table(i), table) == 0)
			return i;
	fail_msg("no table %s", table);
	return -1;
}

static int setup(void **state)
{
	(void)state;
	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	tzset();
	text_init("en");
	return 0;
}

static int each_setup(void **state)
{
	(void)state;
	dir = test_mkdir();
	assert_true(snprintf(office, sizeof(office), "%s/office.db", dir) < (int)sizeof(office));
	assert_true(snprintf(sticks, sizeof(sticks), "%s/stick", dir) < (int)sizeof(sticks));
	mkdir(sticks, 0755);
	make_station(path_in(dir, "pt01.db"), "PT01", "Trạm 1", false);
	make_station(path_in(dir, "pt02.db"), "PT02", "Trạm 2", true);
	return 0;
}

static int each_teardown(void **state)
{
	(void)state;
	test_rmdir(dir);
	return 0;
}

static void two_stations_then_again_and_again(void **state)
{
	struct reports rep;
	char folder[300];

	(void)state;
	trust(export_to(path_in(dir, "pt01.db"), sticks, T0 + 3600));
	trust(export_to(path_in(dir, "pt02.db"), sticks, T0 + 3600));
	/* The stick's root: both folders. */
	assert_int_equal(merge(sticks, &rep), 0);
	assert_int_equal(rep.n, 2);
	assert_int_equal(rep.held, 0);
	assert_int_equal(sql_int(office, "SELECT count(*) FROM stations"), 2);
	assert_int_equal(sql_int(office, "SELECT count(*) FROM pump_runs"), 2);
	assert_int_equal(sql_int(office, "SELECT count(*) FROM records"), 4);
	assert_int_equal(sql_int(office, "SELECT count(*) FROM events"), 2);
	assert_int_equal(sql_int(office, "SELECT count(*) FROM readings_daily"), 2 * 2);
	/* Raw readings stay in each station's copy. */
	assert_int_equal(sql_int(office, "SELECT count(*) FROM readings_packed"), 0);
	/* The run still names the record it watered in. */
	assert_int_equal(sql_int(office, "SELECT count(*) FROM pump_runs p JOIN records r"
					 " ON r.id = p.record WHERE r.amount = 120"), 2);
	/* Each dose still names its run and the record it wrote, and the
	 * tanks' books their doses and the suppliers' lots. */
	assert_int_equal(sql_int(office, "SELECT count(*) FROM doses d JOIN pump_runs p ON p.id = d.run"
					 " JOIN records r ON r.id = d.record AND r.amount = 120"
					 " WHERE p.record = r.id"), 2);
	assert_int_equal(sql_int(office, "SELECT count(*) FROM tank_book t JOIN doses d ON d.id = t.dose"
					 " WHERE t.litres = -12"), 2);
	/* Station 1's run and dose as they were when its stick was made. */
	assert_int_equal(sql_int(office, "SELECT count(*) FROM pump_runs WHERE ended IS NULL"
					 " AND litres = 150"), 1);
	assert_int_equal(sql_int(office, "SELECT count(*) FROM doses WHERE ended IS NULL"
					 " AND litres = 5"), 1);
	assert_int_equal(sql_int(office, "SELECT count(*) FROM tank_book WHERE lot = '0451.23'"), 2);
	/* The correction still points at the record it corrects. */
	assert_int_equal(sql_int(office, "SELECT count(*) FROM records c JOIN records o"
					 " ON o.id = c.corrects AND o.amount = 100 WHERE c.amount = 120"),
			 2);
	/* The same stick, again and again: nothing twice. */
	for (int k = 0; k < 3; k++) {
		assert_int_equal(merge(sticks, &rep), 0);
		for (int i = 0; i < store_merge_table_count(); i++)
			assert_int_equal(rep.last.added[i], 0);
	}
	assert_int_equal(sql_int(office, "SELECT count(*) FROM pump_runs"), 2);
	assert_int_equal(sql_int(office, "SELECT count(*) FROM records"), 4);
	assert_int_equal(sql_int(office, "SELECT count(*) FROM readings_daily"), 4);

	/* Station 1 goes on: its run and its dose end, with the water, the
	 * energy and the heartbeat they reached; a new event; a later stick. */
	exec_sql(path_in(dir, "pt01.db"),
		 "UPDATE pump_runs SET ended = 1780267200, end_reason = 'done', moisture_after = 38,"
		 " litres = 400, alive = 1780267140, kwh_offpeak = 0.75;"
		 "UPDATE doses SET ended = started + 720, litres = 12, alive = started + 700,"
		 " end_reason = 'done';"
		 "UPDATE events SET acked = 1780270000;"
		 "INSERT INTO events(t, kind, alarm) VALUES (1780300000, 'stop', 0);");
	snprintf(folder, sizeof(folder), "%s", export_to(path_in(dir, "pt01.db"), sticks, T0 + 7200));
	assert_int_equal(merge(folder, &rep), 0);
	assert_int_equal(rep.last.added[table_index("events")], 1);
	assert_int_equal(rep.last.filled[table_index("pump_runs")], 1);
	assert_int_equal(rep.last.filled[table_index("doses")], 1);
	assert_int_equal(rep.last.filled[table_index("events")], 1);
	assert_int_equal(sql_int(office, "SELECT count(*) FROM pump_runs WHERE ended IS NULL"), 0);
	/* The finished run and dose replace what the office had of them, the
	 * water given most of all: not the 150 and 5 litres of the first
	 * stick, but what the station counted to their end. */
	assert_int_equal(sql_int(office, "SELECT count(*) FROM pump_runs WHERE ended = 1780267200"
					 " AND litres = 400 AND alive = 1780267140 AND kwh_offpeak = 0.75"),
			 1);
	assert_int_equal(sql_int(office, "SELECT count(*) FROM doses WHERE ended IS NOT NULL"
					 " AND litres = 12 AND end_reason = 'done'"), 2);
	/* The older stick once more: what is known stays known. */
	assert_int_equal(merge(sticks, &rep), 0);
	assert_int_equal(sql_int(office, "SELECT count(*) FROM pump_runs WHERE ended IS NULL"), 0);
	assert_int_equal(sql_int(office, "SELECT count(*) FROM pump_runs WHERE litres = 400"), 2);
	assert_int_equal(sql_int(office, "SELECT count(*) FROM doses WHERE litres = 12"), 2);
	/* And a finished row is never changed, whatever a later copy says. */
	exec_sql(path_in(dir, "pt01.db"), "UPDATE pump_runs SET litres = 9999;"
					  "UPDATE doses SET litres = 9999;");
	assert_int_equal(merge(export_to(path_in(dir, "pt01.db"), sticks, T0 + 9000), &rep), 0);
	assert_int_equal(sql_int(office, "SELECT count(*) FROM pump_runs WHERE litres = 400"), 2);
	assert_int_equal(sql_int(office, "SELECT count(*) FROM doses WHERE litres = 12"), 2);
	/* Station 2's alarm and station 1's new event. */
	assert_int_equal(sql_int(office, "SELECT count(*) FROM events WHERE acked IS NULL"), 2);
	assert_int_equal(sql_int(office, "SELECT count(*) FROM events"), 3);
}

/* The office's own export: each row with its station, names and numbers
 * as at the station. */
static void the_combined_export(void **state)
{
	struct reports rep;
	char *csv;
	const char *out;
	FILE *f;
	long n;

	(void)state;
	trust(export_to(path_in(dir, "pt01.db"), sticks, T0 + 3600));
	trust(export_to(path_in(dir, "pt02.db"), sticks, T0 + 3600));
	assert_int_equal(merge(sticks, &rep), 0);
	out = export_to(office, path_in(dir, "out"), T0 + 86400);
	assert_non_null(strstr(out, "/TONG-HOP_2026-06-02"));
	f = fopen(path_in(out, "nhat-ky-tuoi.csv"), "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	csv = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(csv, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	assert_non_null(strstr(csv, "\r\nPT01;1;Bơm 1;Mít ruột đỏ;by hand;;01/06/2026 05:10;;;;31,5;;"));
	assert_non_null(strstr(csv, "\r\nPT02;1;Bơm 1;Mít ruột đỏ;by hand;;01/06/2026 05:10;"
				    "01/06/2026 05:40;30,0;ran its time;31,5;40,5;"));
	/* The fertigation's record by its number at the station. */
	assert_non_null(strstr(csv, ";2\r\nPT02;1;"));
	free(csv);
	f = fopen(path_in(out, "do-am-dat-hang-ngay.csv"), "rb");
	assert_non_null(f);
	csv = calloc(1, 4096);
	assert_true(fread(csv, 1, 4095, f) > 0);
	fclose(f);
	assert_non_null(strstr(csv, "\r\nPT01;01/06/2026;Mít ruột đỏ;soil1;30,0;41,5;53,0;24\r\n"
				    "PT02;01/06/2026;Mít ruột đỏ;soil1;30,0;41,5;53,0;24\r\n"));
	free(csv);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		fail_msg("cannot read %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

static void spill(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

/* Signs folder's manifest again with a key file, as whoever holds that
 * key could after changing it. */
static void resign(const char *folder, const char *key_path)
{
	struct signkey k;
	char why[512], *text = slurp(path_in(folder, "manifest.txt"), NULL), *at;
	size_t len;

	assert_int_equal(signkey_load(key_path, &k, why, sizeof(why)), 0);
	at = strstr(text, "# signature: ");
	assert_non_null(at);
	len = (size_t)(at - text);
	assert_int_equal(manifest_sign(&text, &len, &k), 0);
	spill(path_in(folder, "manifest.txt"), text, len);
	free(text);
	signkey_wipe(&k);
}

/* Rewrites the manifest's line for name with the file's true checksum, and
 * signs it again with station 1's key, as someone forging a folder with
 * that key would: what is behind the signature is checked as well. */
static void forge_manifest(const char *folder, const char *name)
{
	char cmd[1400];

	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && sum=$(sha256sum '%s' | cut -c1-64) && size=$(stat -c %%s '%s') &&"
		 " sed -i \"s/^[0-9a-f]\\{64\\}  %s\\$/$sum  %s/; s/^# file: %s [0-9]* /# file: %s $size /\""
		 " manifest.txt",
		 folder, name, name, name, name, name, name);
	assert_int_equal(system(cmd), 0);
	resign(folder, path_in(dir, "pt01.key"));
}

static const char *refusal_of(const char *folder)
{
	static struct reports rep;

	if (merge(folder, &rep) == 0)
		fail_msg("%s was merged", folder);
	return rep.last_refusal;
}

static void untrusted_folders_are_refused_with_the_reason(void **state)
{
	char folder[300];

	(void)state;
	snprintf(folder, sizeof(folder), "%s", export_whole(path_in(dir, "pt01.db"), T0 + 3600));
	trust(folder);

	/* Not an export folder. */
	assert_non_null(strstr(refusal_of(dir), "holds no export folder"));
	/* A CSV changed after the export. */
	test_write(folder, "bon-phan.csv", "edited in a spreadsheet\r\n");
	assert_non_null(strstr(refusal_of(folder), "bon-phan.csv is not what was exported"));
	/* The database copy changed: its checksum no longer matches. */
	snprintf(folder, sizeof(folder), "%s", export_whole(path_in(dir, "pt01.db"), T0 + 3600));
	exec_sql(path_in(folder, "sao-luu.db"), "DELETE FROM events");
	assert_non_null(strstr(refusal_of(folder), "sao-luu.db is not what was exported"));
	/* ... and with a forged checksum: the copy is checked itself. A table
	 * the station does not have, with a trigger in it. */
	exec_sql(path_in(folder, "sao-luu.db"),
		 "CREATE TABLE evil(x); CREATE TRIGGER t AFTER INSERT ON meta BEGIN DELETE FROM events; END;");
	forge_manifest(folder, "sao-luu.db");
	assert_non_null(strstr(refusal_of(folder), "its tables are not a station's"));
	/* From a newer program. */
	snprintf(folder, sizeof(folder), "%s", export_whole(path_in(dir, "pt01.db"), T0 + 3600));
	exec_sql(path_in(folder, "sao-luu.db"), "PRAGMA user_version = 999");
	forge_manifest(folder, "sao-luu.db");
	assert_non_null(strstr(refusal_of(folder), "newer fieldstation"));
	/* Another program's database. */
	remove(path_in(folder, "sao-luu.db"));
	exec_sql(path_in(folder, "sao-luu.db"), "CREATE TABLE pump_runs(id)");
	forge_manifest(folder, "sao-luu.db");
	assert_non_null(strstr(refusal_of(folder), "not a station's database"));
	/* Not a database at all. */
	test_write(folder, "sao-luu.db", "MZ this is not a database");
	forge_manifest(folder, "sao-luu.db");
	assert_non_null(strstr(refusal_of(folder), "not a database"));
	/* A damaged one: pages that are no longer a b-tree. */
	snprintf(folder, sizeof(folder), "%s", export_whole(path_in(dir, "pt01.db"), T0 + 3600));
	{
		FILE *f = fopen(path_in(folder, "sao-luu.db"), "r+b");
		char junk[4096];

		assert_non_null(f);
		memset(junk, 0x5a, sizeof(junk));
		for (int page = 1; page < 6; page++) {
			fseek(f, page * 4096, SEEK_SET);
			fwrite(junk, 1, 64, f);
		}
		fclose(f);
	}
	forge_manifest(folder, "sao-luu.db");
	const char *why = refusal_of(folder);
	assert_true(strstr(why, "damaged") || strstr(why, "not a database"));
	/* A manifest that leaves the folder. */
	snprintf(folder, sizeof(folder), "%s", export_whole(path_in(dir, "pt01.db"), T0 + 3600));
	{
		char cmd[800];

		snprintf(cmd, sizeof(cmd), "sed -i 's|  bon-phan.csv$|  ../../../etc/passwd|' '%s/manifest.txt'",
			 folder);
		assert_int_equal(system(cmd), 0);
	}
	assert_non_null(strstr(refusal_of(folder), "manifest is not valid"));
	/* A database of another station than the manifest names. */
	snprintf(folder, sizeof(folder), "%s", export_whole(path_in(dir, "pt01.db"), T0 + 3600));
	{
		char cmd[1400];

		snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", path_in(dir, "pt02.db"),
			 path_in(folder, "sao-luu.db"));
		assert_int_equal(system(cmd), 0);
		exec_sql(path_in(folder, "sao-luu.db"), "PRAGMA journal_mode = DELETE");
	}
	forge_manifest(folder, "sao-luu.db");
	assert_non_null(strstr(refusal_of(folder), "another station's than the manifest says"));
	/* A folder whose signature line was taken away. */
	snprintf(folder, sizeof(folder), "%s", export_whole(path_in(dir, "pt01.db"), T0 + 3600));
	{
		size_t len;
		char *text = slurp(path_in(folder, "manifest.txt"), &len);

		*strstr(text, "# signature: ") = '\0';
		spill(path_in(folder, "manifest.txt"), text, strlen(text));
		free(text);
	}
	assert_non_null(strstr(refusal_of(folder), "not signed"));
	/* Nothing of any of them reached the office. */
	assert_int_equal(sql_int(office, "SELECT count(*) FROM stations"), 0);
	assert_int_equal(sql_int(office, "SELECT count(*) FROM pump_runs"), 0);
}

/* The office's rows, in one line, to show that a refusal changed
 * nothing. */
static const char *office_counts(void)
{
	static char out[256];

	snprintf(out, sizeof(out), "stations %lld runs %lld records %lld events %lld days %lld",
		 (long long)sql_int(office, "SELECT count(*) FROM stations"),
		 (long long)sql_int(office, "SELECT count(*) FROM pump_runs"),
		 (long long)sql_int(office, "SELECT count(*) FROM records"),
		 (long long)sql_int(office, "SELECT count(*) FROM events"),
		 (long long)sql_int(office, "SELECT count(*) FROM readings_daily"));
	return out;
}

static void run_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void run_sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("%s", cmd);
}

/* A fresh copy of station 1's export on the stick, for one attack; its
 * path in folder. */
static void fresh_folder(char *folder, size_t n)
{
	static char made[300];

	if (!made[0] || access(made, F_OK) != 0) {
		snprintf(made, sizeof(made), "%s",
			 export_to(path_in(dir, "pt01.db"), path_in(dir, "made"), T0 + 3600));
		trust(made);
	}
	run_sh("rm -rf '%s'/* && cp -a '%s' '%s'", sticks, made, sticks);
	snprintf(folder, n, "%s/%s", sticks, strrchr(made, '/') + 1);
}

/* What a stick can hold that no station writes: each is refused with its
 * reason, nothing outside the stick is read, and the office's database is
 * as it was. None of it may hang the merge. */
static void hostile_sticks_are_refused_and_the_office_untouched(void **state)
{
	struct reports rep;
	char folder[300], before[256], outside[300];
	const char *why;

	(void)state;
	alarm(60);
	/* The office already holds station 2. */
	snprintf(outside, sizeof(outside), "%s", export_to(path_in(dir, "pt02.db"), path_in(dir, "away"),
							  T0 + 3600));
	trust(outside);
	assert_int_equal(merge(outside, &rep), 0);
	snprintf(before, sizeof(before), "%s", office_counts());

	/* A FIFO named manifest.txt, given as the folder and in a stick's root. */
	fresh_folder(folder, sizeof(folder));
	run_sh("rm '%s/manifest.txt' && mkfifo '%s/manifest.txt'", folder, folder);
	assert_non_null(strstr(refusal_of(folder), "manifest.txt is not a regular file"));
	assert_int_equal(merge(sticks, &rep), 1);
	assert_non_null(strstr(rep.last_refusal, "manifest.txt is not a regular file"));
	/* A FIFO for a file the manifest lists. */
	fresh_folder(folder, sizeof(folder));
	run_sh("cd '%s' && rm bon-phan.csv && mkfifo bon-phan.csv", folder);
	assert_non_null(strstr(refusal_of(folder), "bon-phan.csv is not a regular file"));
	/* The copy a link to another station's database outside the stick. */
	fresh_folder(folder, sizeof(folder));
	run_sh("cd '%s' && rm sao-luu.db && ln -s '%s/sao-luu.db' sao-luu.db", folder, outside);
	forge_manifest(folder, "sao-luu.db");
	assert_non_null(strstr(refusal_of(folder), "sao-luu.db is a symbolic link"));
	/* A whole export folder outside the stick, linked from its root. */
	run_sh("rm -rf '%s'/* && ln -s '%s' '%s/PT02_2026-06-01'", sticks, outside, sticks);
	assert_int_equal(merge(sticks, &rep), 1);
	assert_string_equal(rep.last_refusal,
			    "it is a symbolic link, which a station never writes: it was not followed");
	assert_non_null(strstr(refusal_of(path_in(sticks, "PT02_2026-06-01")), "symbolic link"));
	/* A device node for the copy (making one needs root). */
	fresh_folder(folder, sizeof(folder));
	remove(path_in(folder, "sao-luu.db"));
	if (mknod(path_in(folder, "sao-luu.db"), S_IFCHR | 0644, makedev(1, 5)) == 0)
		assert_non_null(strstr(refusal_of(folder), "sao-luu.db is not a regular file"));
	else
		fprintf(stderr, "SKIPPED: a device node on the stick (mknod needs root: %s)\n",
			strerror(errno));
	/* A 4 GB sparse copy, its size in the manifest: refused before it is
	 * read or copied. */
	fresh_folder(folder, sizeof(folder));
	run_sh("cd '%s' && truncate -s 4G sao-luu.db && "
	       "sed -i 's/^# file: sao-luu.db [0-9]* /# file: sao-luu.db 4294967296 /' manifest.txt",
	       folder);
	resign(folder, path_in(dir, "pt01.key"));
	why = refusal_of(folder);
	if (!strstr(why, "its files come to 4096 MB, more than an office takes from a stick (2048 MB)"))
		fail_msg("%s", why);
	/* ... and with the manifest's size left as it was. */
	run_sh("cd '%s' && sed -i 's/^# file: sao-luu.db 4294967296 /# file: sao-luu.db 65536 /' "
	       "manifest.txt", folder);
	resign(folder, path_in(dir, "pt01.key"));
	assert_non_null(strstr(refusal_of(folder), "sao-luu.db is not what was exported"));
	/* A folder whose name holds an escape sequence. */
	fresh_folder(folder, sizeof(folder));
	run_sh("cd '%s' && mv '%s' \"$(printf 'PT01_\\033]2;x\\007')\"", sticks, folder);
	assert_int_equal(merge(sticks, &rep), 1);
	assert_string_equal(rep.last_refusal,
			    "its name holds control characters, which a station never writes");
	/* A trigger and a view named like SQLite's own, put in through
	 * writable_schema, with the checksum forged. */
	fresh_folder(folder, sizeof(folder));
	exec_sql(path_in(folder, "sao-luu.db"),
		 "PRAGMA writable_schema = ON;"
		 "INSERT INTO sqlite_schema(type, name, tbl_name, rootpage, sql) VALUES"
		 " ('trigger', 'sqlite_x', 'events', 0, 'CREATE TRIGGER sqlite_x AFTER INSERT ON events"
		 " BEGIN DELETE FROM pump_runs; END');");
	forge_manifest(folder, "sao-luu.db");
	assert_non_null(strstr(refusal_of(folder), "its tables are not a station's"));
	fresh_folder(folder, sizeof(folder));
	exec_sql(path_in(folder, "sao-luu.db"),
		 "PRAGMA writable_schema = ON;"
		 "INSERT INTO sqlite_schema(type, name, tbl_name, rootpage, sql) VALUES"
		 " ('view', 'sqlite_v', 'sqlite_v', 0, 'CREATE VIEW sqlite_v AS SELECT 1');");
	forge_manifest(folder, "sao-luu.db");
	assert_non_null(strstr(refusal_of(folder), "its tables are not a station's"));
	/* A 2 MB event detail (hostile.sh tries 30 MB). */
	fresh_folder(folder, sizeof(folder));
	exec_sql(path_in(folder, "sao-luu.db"),
		 "UPDATE events SET detail = hex(zeroblob(1024 * 1024))");
	forge_manifest(folder, "sao-luu.db");
	why = refusal_of(folder);
	if (!strstr(why, "it holds a text longer than 64 KB, which a station never writes"))
		fail_msg("%s", why);
	alarm(0);
	/* Nothing of any of them reached the office, which is whole. */
	assert_string_equal(office_counts(), before);
	assert_int_equal(sql_int(office, "SELECT count(*) FROM pragma_integrity_check"
					 " WHERE integrity_check = 'ok'"), 1);
	/* A text just within the limit is a station's. */
	exec_sql(path_in(folder, "sao-luu.db"),
		 "UPDATE events SET detail = hex(zeroblob(32 * 1024))");
	forge_manifest(folder, "sao-luu.db");
	if (merge(folder, &rep) != 0)
		fail_msg("%s", rep.last_refusal);
	assert_int_equal(sql_int(office, "SELECT max(length(detail)) FROM events"), 64 * 1024);
}

/* The merge itself reads no value far longer than a copy may hold, even
 * from a copy that was not inspected first. */
static void the_merge_reads_no_long_value(void **state)
{
	struct backup_facts f = { 0 };
	struct merge_result r;
	struct store *s;
	char err[512], copy[300];
	const char *folder;

	(void)state;
	folder = export_to(path_in(dir, "pt01.db"), sticks, T0 + 3600);
	snprintf(copy, sizeof(copy), "%s", path_in(folder, "sao-luu.db"));
	exec_sql(copy, "UPDATE events SET detail = hex(zeroblob(4 * 1024 * 1024))");
	assert_int_equal(store_backup_inspect(copy, &f, err, sizeof(err)), -1);
	assert_string_equal(err, "it holds a text longer than 64 KB, which a station never writes");
	snprintf(f.uid, sizeof(f.uid), "0123456789abcdef0123456789abcdef");
	snprintf(f.code, sizeof(f.code), "PT01");
	assert_int_equal(store_open(office, STORE_EXCLUSIVE, &s, err, sizeof(err)), 0);
	assert_int_equal(store_office_prepare(s, err, sizeof(err)), 0);
	assert_true(store_merge(s, copy, &f, T0, &r, err, sizeof(err)) < 0);
	assert_string_equal(err, "it holds a text longer than 64 KB, which a station never writes");
	store_close(s);
	assert_int_equal(sql_int(office, "SELECT count(*) FROM stations"), 0);
	assert_int_equal(sql_int(office, "SELECT count(*) FROM events"), 0);
}

/* After a merge the office database lets the copy go and checks its
 * references again; when it cannot, the merge says so in a sentence, and
 * a copy held open is never merged over by the next. */
static void an_office_left_unsound_after_a_merge_says_so(void **state)
{
	struct backup_facts f = { 0 };
	struct merge_result r;
	struct store_fault fault;
	struct store *s;
	char err[512], copy[300], other[300];
	const char *folder;

	(void)state;
	folder = export_to(path_in(dir, "pt01.db"), sticks, T0 + 3600);
	snprintf(copy, sizeof(copy), "%s", path_in(folder, "sao-luu.db"));
	folder = export_to(path_in(dir, "pt02.db"), sticks, T0 + 3600);
	snprintf(other, sizeof(other), "%s", path_in(folder, "sao-luu.db"));
	assert_int_equal(store_backup_inspect(copy, &f, err, sizeof(err)), 0);
	assert_int_equal(store_open(office, STORE_EXCLUSIVE, &s, err, sizeof(err)), 0);
	assert_int_equal(store_office_prepare(s, err, sizeof(err)), 0);
	store_fault_set(s, &fault, "src", FAULT_DETACH);
	assert_true(store_merge(s, copy, &f, T0, &r, err, sizeof(err)) < 0);
	assert_string_equal(err, "the copy was merged, but the office database still holds it open (not authorized): merge the rest in a new run");
	assert_int_equal(fault.refused, 1);
	store_fault_clear(s);
	assert_int_equal(store_backup_inspect(other, &f, err, sizeof(err)), 0);
	assert_true(store_merge(s, other, &f, T0, &r, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "src is already in use"));
	store_close(s);
	assert_int_equal(sql_int(office, "SELECT count(*) FROM stations"), 1);

	assert_int_equal(store_open(office, STORE_EXCLUSIVE, &s, err, sizeof(err)), 0);
	store_fault_pragma(s, &fault, "foreign_keys", "ON");
	assert_true(store_merge(s, other, &f, T0, &r, err, sizeof(err)) < 0);
	assert_string_equal(err, "the copy was merged, but the office database could not turn its reference checks back on (not authorized): merge the rest in a new run");
	store_fault_clear(s);
	store_close(s);
	assert_int_equal(sql_int(office, "SELECT count(*) FROM stations"), 2);
}

/* An office's export is not a station's: refused, so that rows are never
 * counted under the office. */
static void an_office_copy_is_not_a_station(void **state)
{
	struct reports rep;
	char other[256];
	const char *folder;

	(void)state;
	trust(export_to(path_in(dir, "pt01.db"), sticks, T0 + 3600));
	assert_int_equal(merge(sticks, &rep), 0);
	folder = export_to(office, path_in(dir, "out"), T0 + 86400);
	snprintf(other, sizeof(other), "%s", office);
	snprintf(office, sizeof(office), "%s/second-office.db", dir);
	assert_non_null(strstr(refusal_of(folder), "office's database"));
	snprintf(office, sizeof(office), "%s", other);
}

static void a_station_database_is_not_an_office(void **state)
{
	struct store *s;
	char err[512];

	(void)state;
	assert_int_equal(store_open(path_in(dir, "pt01.db"), 0, &s, err, sizeof(err)), 0);
	assert_int_equal(store_office_prepare(s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "station's own database"));
	store_close(s);
}

/* Every table of the schema is merged, or named with why it is not: a new
 * table gets a decision. */
static void every_table_is_decided(void **state)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	struct store *s;
	char err[512];

	(void)state;
	assert_int_equal(store_open(path_in(dir, "fresh.db"), 0, &s, err, sizeof(err)), 0);
	store_close(s);
	assert_int_equal(sqlite3_open(path_in(dir, "fresh.db"), &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type = 'table'"
					    " AND name NOT LIKE 'sqlite%'", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);

		if (!store_merge_decided(t))
			fail_msg("table %s: merge it (src/store_merge.c specs) or say why not", t);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* The office database as an auditor checks it: integrity, and how many
 * rows each table has (malloc'd). */
static char *office_state(void)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	char *out = calloc(1, 4096);

	assert_int_equal(sqlite3_open_v2(office, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type = 'table'"
					    " ORDER BY name", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char sql[200];
		sqlite3_stmt *c;

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"", sqlite3_column_text(st, 0));
		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &c, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(c), SQLITE_ROW);
		snprintf(out + strlen(out), 4096 - strlen(out), "%s=%lld ", sqlite3_column_text(st, 0),
			 (long long)sqlite3_column_int64(c, 0));
		sqlite3_finalize(c);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

/* Every file of a folder, for seeing that it was left as it was. */
static char *folder_state(const char *folder)
{
	char cmd[700], *out = calloc(1, 8192);
	FILE *p;

	snprintf(cmd, sizeof(cmd), "cd '%s' && sha256sum * | sha256sum", folder);
	p = popen(cmd, "r");
	assert_non_null(fgets(out, 8192, p));
	pclose(p);
	return out;
}

static const char *sql_text_uid(const char *db)
{
	static char uid[2][40];
	static int i;
	sqlite3 *d;
	sqlite3_stmt *st;

	i ^= 1;
	assert_int_equal(sqlite3_open_v2(db, &d, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(d, "SELECT value FROM meta WHERE key = 'station_uid'", -1,
					    &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(uid[i], sizeof(uid[i]), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(d);
	return uid[i];
}

static const char *fingerprint_of(const char *key_file)
{
	static char fp[SIGN_FINGERPRINT_LEN];
	struct signkey k;
	char why[512];

	assert_int_equal(signkey_load(key_file, &k, why, sizeof(why)), 0);
	sign_fingerprint(k.public_key, fp);
	signkey_wipe(&k);
	return fp;
}

static void a_new_station_is_held_then_trusted_then_merged(void **state)
{
	struct reports rep;
	char folder[300], *before, *files, *after;

	(void)state;
	snprintf(folder, sizeof(folder), "%s", export_to(path_in(dir, "pt01.db"), sticks, T0 + 3600));
	assert_int_equal(merge(sticks, &rep), 0);	/* none refused */
	before = office_state();
	files = folder_state(folder);
	/* Held, and said with the code and the key's fingerprint. */
	assert_int_equal(merge(folder, &rep), 0);
	assert_int_equal(rep.n, 1);
	assert_int_equal(rep.held, 1);
	assert_non_null(strstr(rep.last_held, "station PT01 is not trusted here yet"));
	assert_non_null(strstr(rep.last_held, fingerprint_of(path_in(dir, "pt01.key"))));
	/* Nothing merged, the folder left as it was. */
	after = office_state();
	assert_string_equal(after, before);
	free(after);
	assert_non_null(strstr(before, "pump_runs=0 "));
	assert_non_null(strstr(before, "stations=0 "));
	after = folder_state(folder);
	assert_string_equal(after, files);
	free(after);
	/* Trusted, with when and by whom; then merged. */
	trust(folder);
	assert_int_equal(sql_int(office, "SELECT count(*) FROM trusted_stations WHERE code = 'PT01'"
					 " AND trusted_by = 'chị Hạnh' AND trusted_at > 0"), 1);
	assert_int_equal(sql_int(office, "SELECT count(*) FROM trusted_boards"), 1);
	assert_int_equal(merge(folder, &rep), 0);
	assert_int_equal(rep.held, 0);
	assert_int_equal(rep.refused, 0);
	assert_int_equal(sql_int(office, "SELECT count(*) FROM pump_runs"), 1);
	/* Station 2 is still new here. */
	export_to(path_in(dir, "pt02.db"), sticks, T0 + 3600);
	assert_int_equal(merge(sticks, &rep), 0);
	assert_int_equal(rep.n, 2);
	assert_int_equal(rep.held, 1);
	assert_non_null(strstr(rep.last_held, "station PT02"));
	free(before);
	free(files);
}

static void a_trusted_uid_with_another_key_is_forged(void **state)
{
	struct reports rep;
	char forged[300], *before, *after, cmd[1400];
	const char *folder;

	(void)state;
	folder = export_to(path_in(dir, "pt01.db"), sticks, T0 + 3600);
	trust(folder);
	assert_int_equal(merge(folder, &rep), 0);
	/* Someone takes station 1's database from a stick, raises its
	 * readings and exports it from a station of their own: the same uid,
	 * fresh checksums, their own key. */
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", path_in(folder, "sao-luu.db"),
		 path_in(dir, "thief.db"));
	assert_int_equal(system(cmd), 0);
	exec_sql(path_in(dir, "thief.db"), "PRAGMA journal_mode = WAL;"
		 "UPDATE readings_daily SET mean = 99, min = 99, max = 99;"
		 "UPDATE meta SET value = 'PT01' WHERE key = 'station_code'");
	snprintf(forged, sizeof(forged), "%s",
		 export_to(path_in(dir, "thief.db"), path_in(dir, "stick2"), T0 + 7200));
	assert_string_equal(sql_text_uid(path_in(forged, "sao-luu.db")),
			    sql_text_uid(path_in(dir, "pt01.db")));
	before = office_state();
	assert_int_equal(merge(forged, &rep), 1);
	assert_int_equal(rep.refused, 1);
	assert_non_null(strstr(rep.last_refusal, "says it is station PT01"));
	assert_non_null(strstr(rep.last_refusal, "another key"));
	assert_non_null(strstr(rep.last_refusal, "forged"));
	after = office_state();
	assert_string_equal(after, before);
	assert_int_equal(sql_int(office, "SELECT count(*) FROM readings_daily WHERE mean = 99"), 0);
	free(before);
	free(after);
}

static void a_trusted_key_from_another_board_is_held(void **state)
{
	struct reports rep;
	char folder[300], cmd[1400], *before, *after;

	(void)state;
	setenv("FIELDSTATION_BOARD", "board-of-station-1", 1);
	trust(export_to(path_in(dir, "pt01.db"), sticks, T0 + 3600));
	assert_int_equal(merge(sticks, &rep), 0);
	assert_int_equal(rep.held, 0);
	/* Its card copied whole into a second board. */
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && cp -p '%s' '%s'", path_in(dir, "pt01.db"),
		 path_in(dir, "clone.db"), path_in(dir, "pt01.key"), path_in(dir, "clone.key"));
	assert_int_equal(system(cmd), 0);
	setenv("FIELDSTATION_BOARD", "board-of-a-second-station", 1);
	snprintf(folder, sizeof(folder), "%s",
		 export_to(path_in(dir, "clone.db"), path_in(dir, "stick2"), T0 + 7200));
	unsetenv("FIELDSTATION_BOARD");
	before = office_state();
	assert_int_equal(merge(folder, &rep), 0);
	assert_int_equal(rep.held, 1);
	assert_non_null(strstr(rep.last_held, "came from a board it never came from before"));
	assert_non_null(strstr(rep.last_held, "copied"));
	after = office_state();
	assert_string_equal(after, before);
	free(after);
	free(before);
	/* If the office person finds it was moved to a new board: trusted. */
	trust(folder);
	assert_int_equal(sql_int(office, "SELECT count(*) FROM trusted_boards"), 2);
	assert_int_equal(merge(folder, &rep), 0);
	assert_int_equal(rep.held, 0);
	assert_int_equal(rep.refused, 0);
}

/* A new station whose copy was exported on another board than its key
 * was made on says so at first sight. */
static void a_copied_card_is_told_at_first_sight(void **state)
{
	struct reports rep;
	char cmd[1400];

	(void)state;
	setenv("FIELDSTATION_BOARD", "board-of-station-1", 1);
	export_to(path_in(dir, "pt01.db"), path_in(dir, "stick0"), T0 + 3600);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && cp -p '%s' '%s'", path_in(dir, "pt01.db"),
		 path_in(dir, "clone.db"), path_in(dir, "pt01.key"), path_in(dir, "clone.key"));
	assert_int_equal(system(cmd), 0);
	setenv("FIELDSTATION_BOARD", "board-of-a-second-station", 1);
	assert_int_equal(merge(export_to(path_in(dir, "clone.db"), sticks, T0 + 7200), &rep), 0);
	unsetenv("FIELDSTATION_BOARD");
	assert_int_equal(rep.held, 1);
	assert_non_null(strstr(rep.last_held, "may be a copy of another station's"));
}

static void copy_file(const char *from, const char *to)
{
	size_t len;
	char *text = slurp(from, &len);

	spill(to, text, len);
	free(text);
}

static void flip_a_byte(const char *path, long at)
{
	FILE *f = fopen(path, "r+b");
	int c;

	assert_non_null(f);
	fseek(f, at, SEEK_SET);
	c = fgetc(f);
	fseek(f, at, SEEK_SET);
	fputc(c ^ 0x10, f);
	fclose(f);
}

/* A second export on the same stick holds what changed since the first:
 * the office rebuilds the whole copy from the first folder beside it and
 * merges everything, whichever of the two it is given, and only once.
 * Without the first folder beside it, or with either changed, it is
 * refused with the reason, and nothing is merged. */
static void a_delta_is_merged_from_its_base_beside_it(void **state)
{
	char first[300], second[300], moved[300], copy[300], *before, *after;
	struct reports rep;

	(void)state;
	snprintf(first, sizeof(first), "%s", export_to(path_in(dir, "pt01.db"), sticks, T0 + 3600));
	trust(first);
	exec_sql(path_in(dir, "pt01.db"),
		 "INSERT INTO events(t, kind, source, detail, alarm) VALUES (1780300000, 'dry',"
		 " 'soil1', 'Khu Mít ruột đỏ khô', 1)");
	snprintf(second, sizeof(second), "%s",
		 export_to(path_in(dir, "pt01.db"), sticks, T0 + 86400 + 3600));
	assert_int_equal(access(path_in(second, "sao-luu.delta"), F_OK), 0);
	assert_int_not_equal(access(path_in(second, "sao-luu.db"), F_OK), 0);
	before = office_state();

	/* The first folder elsewhere: the second cannot be rebuilt. */
	snprintf(moved, sizeof(moved), "%s/elsewhere", dir);
	assert_int_equal(rename(first, moved), 0);
	assert_int_equal(merge(second, &rep), 1);
	assert_non_null(strstr(rep.last_refusal, "only what changed since the export in PT01_2026-06-01, which is not beside it"));
	/* A link in its place is not followed. */
	assert_int_equal(symlink(moved, first), 0);
	assert_int_equal(merge(second, &rep), 1);
	assert_non_null(strstr(rep.last_refusal, "not beside it"));
	assert_int_equal(unlink(first), 0);
	assert_int_equal(rename(moved, first), 0);
	/* The first folder's copy changed since: refused, naming it. */
	snprintf(copy, sizeof(copy), "%s/copy.db", dir);
	copy_file(path_in(first, "sao-luu.db"), copy);
	flip_a_byte(path_in(first, "sao-luu.db"), 5000);
	assert_int_equal(merge(second, &rep), 1);
	assert_non_null(strstr(rep.last_refusal, "sao-luu.db in PT01_2026-06-01, which this export builds on, is not what was exported"));
	copy_file(copy, path_in(first, "sao-luu.db"));
	/* The delta changed: refused. */
	copy_file(path_in(second, "sao-luu.delta"), copy);
	flip_a_byte(path_in(second, "sao-luu.delta"), 100);
	assert_int_equal(merge(second, &rep), 1);
	assert_non_null(strstr(rep.last_refusal, "sao-luu.delta is not what was exported"));
	copy_file(copy, path_in(second, "sao-luu.delta"));
	after = office_state();
	assert_string_equal(after, before);
	free(after);

	/* Given alone, the second brings everything, the alarm of the day too. */
	assert_int_equal(merge(second, &rep), 0);
	assert_int_equal(rep.refused, 0);
	assert_int_equal(sql_int(office, "SELECT count(*) FROM events WHERE kind = 'dry'"), 1);
	assert_int_equal(sql_int(office, "SELECT count(*) FROM pump_runs"), 1);
	after = office_state();
	/* Then the stick: the first adds nothing, nor the second again. */
	assert_int_equal(merge(sticks, &rep), 0);
	assert_int_equal(rep.n, 2);
	free(before);
	before = office_state();
	assert_string_equal(before, after);
	free(before);
	free(after);
}

/* One byte changed in any file of a folder, or in its manifest: refused,
 * and the office as it was. */
static void one_byte_changed_anywhere_is_refused(void **state)
{
	static const char *const names[] = {
		"bao-dong-va-su-kien.csv", "bon-phan.csv", "do-am-dat-hang-ngay.csv",
		"hieu-chuan-dau-do.csv", "nhat-ky-tuoi.csv", "phun-thuoc.csv", "sao-luu.db",
		"thu-hoach.csv", "manifest.txt",
	};
	struct reports rep;
	char folder[300], *before, *after;

	(void)state;
	trust(export_to(path_in(dir, "pt01.db"), path_in(dir, "first"), T0 + 3600));
	before = office_state();
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t len;
		char *text;

		snprintf(folder, sizeof(folder), "%s", export_whole(path_in(dir, "pt01.db"), T0 + 3600));
		text = slurp(path_in(folder, names[i]), &len);
		assert_true(len > 0);
		text[len / 2] ^= 0x04;
		spill(path_in(folder, names[i]), text, len);
		free(text);
		assert_int_equal(merge(folder, &rep), 1);
		assert_int_equal(rep.refused, 1);
		if (strcmp(names[i], "manifest.txt") == 0)
			assert_true(strstr(rep.last_refusal, "signature does not match") ||
				    strstr(rep.last_refusal, "manifest is not valid"));
		else
			assert_non_null(strstr(rep.last_refusal, "is not what was exported"));
		after = office_state();
		assert_string_equal(after, before);
		free(after);
	}
	free(before);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, each_setup, each_teardown)
	const struct CMUnitTest tests[] = {
		T(two_stations_then_again_and_again),
		T(the_combined_export),
		T(untrusted_folders_are_refused_with_the_reason),
		T(hostile_sticks_are_refused_and_the_office_untouched),
		T(the_merge_reads_no_long_value),
		T(an_office_left_unsound_after_a_merge_says_so),
		T(an_office_copy_is_not_a_station),
		T(a_station_database_is_not_an_office),
		T(every_table_is_decided),
		T(a_new_station_is_held_then_trusted_then_merged),
		T(a_trusted_uid_with_another_key_is_forged),
		T(a_trusted_key_from_another_board_is_held),
		T(a_copied_card_is_told_at_first_sight),
		T(one_byte_changed_anywhere_is_refused),
		T(a_delta_is_merged_from_its_base_beside_it),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
