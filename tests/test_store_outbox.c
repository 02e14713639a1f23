/* The office link's outbox: a station without a link queues nothing; with
 * one, a row and its place in the outbox are written or not together;
 * the bound gives up roll-ups and plain events, never records; nothing
 * waiting is lost across a restart; a batch is a station copy that the
 * office's merge takes, merged again without a row twice. */
#include "testsql.h"

#include "store.h"
#include "text.h"

#include <math.h>
#include <sys/stat.h>

static char *dir;

/* 01/06/2026 05:10 in Việt Nam. */
#define T0 1780265400

static int setup(void **state)
{
	(void)state;
	text_init("en");
	return 0;
}

static int each_setup(void **state)
{
	(void)state;
	dir = test_mkdir();
	return 0;
}

static int each_teardown(void **state)
{
	(void)state;
	test_rmdir(dir);
	return 0;
}

static struct store *open_station(const char *name, bool link)
{
	struct store *s = NULL;
	char err[512];
	const struct store_name names[] = {
		{ "zone", "mit", "Mít ruột đỏ", NULL },
		{ "pump", "p1", "Bơm 1", NULL },
		{ "sensor", "soil1", "soil1", "mit" },
	};

	if (store_open(path_in(dir, name), STORE_EXCLUSIVE, &s, err, sizeof(err)) != 0)
		fail_msg("open: %s", err);
	assert_int_equal(store_station_remember(s, "PT01", "Trạm 1", names, 3), 0);
	if (link)
		assert_int_equal(store_outbox_enable(s), 0);
	return s;
}

static int64_t run_with_end(struct store *s, int64_t t)
{
	struct run_row r = { .reason = RUN_MANUAL, .started = t, .planned_end = t + 1800,
			     .moisture_before = 31.5, .moisture_after = NAN };

	snprintf(r.pump, sizeof(r.pump), "p1");
	snprintf(r.zone, sizeof(r.zone), "mit");
	assert_int_equal(store_run_begin(s, &r), 0);
	r.ended = t + 1800;
	snprintf(r.end_reason, sizeof(r.end_reason), "done");
	r.moisture_after = 40.5;
	assert_int_equal(store_run_end(s, &r), 0);
	return r.id;
}

static void two_days_of_readings(struct store *s)
{
	struct reading_row rows[48];
	int soil1;

	assert_int_equal(store_sensor_id(s, "soil1", &soil1), 0);
	for (int i = 0; i < 48; i++)
		rows[i] = (struct reading_row){ soil1, 0, 1780246800 + i * 3600, 30.0 + i % 24 };
	assert_int_equal(store_readings_add(s, rows, 48, rows[47].t + 86400), 0);
}

static int64_t waiting(const char *db, const char *table)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM outbox WHERE tbl = '%s'", table);
	return sql_int(db, sql);
}

static void without_a_link_nothing_is_queued(void **state)
{
	struct store *s = open_station("st.db", false);
	struct outbox_state o;

	(void)state;
	run_with_end(s, T0);
	assert_int_equal(store_event(s, T0 + 60, "sensor_lost", "soil1", NULL, true), 0);
	two_days_of_readings(s);
	assert_int_equal(store_outbox_state(s, &o), 0);
	assert_int_equal(o.waiting, 0);
	store_close(s);
	assert_int_equal(sql_int(path_in(dir, "st.db"), "SELECT count(*) FROM outbox"), 0);
	assert_int_equal(sql_int(path_in(dir, "st.db"), "SELECT count(*) FROM pump_runs"), 1);
}

static void a_row_and_its_place_in_the_outbox_are_one_write(void **state)
{
	struct store *s = open_station("st.db", true);
	const char *db = path_in(dir, "st.db");
	int64_t run;

	(void)state;
	/* Rolled back: neither the event nor its place. */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_event(s, T0, "sensor_lost", "soil1", NULL, true), 0);
	store_rollback(s);
	assert_int_equal(sql_int(db, "SELECT count(*) FROM events"), 0);
	assert_int_equal(waiting(db, "events"), 0);
	/* Committed: both, in the order written. */
	assert_int_equal(store_event(s, T0, "sensor_lost", "soil1", NULL, true), 0);
	run = run_with_end(s, T0 + 60);
	two_days_of_readings(s);
	assert_int_equal(waiting(db, "events"), 1);
	/* Begun and ended before anything was sent: one place for the run. */
	assert_int_equal(waiting(db, "pump_runs"), 1);
	assert_int_equal(sql_int(db, "SELECT k1 FROM outbox WHERE tbl = 'pump_runs'"), run);
	assert_true(sql_int(db, "SELECT seq FROM outbox WHERE tbl = 'events'") <
		    sql_int(db, "SELECT seq FROM outbox WHERE tbl = 'pump_runs'"));
	/* The first day of readings is whole: its roll-up waits. */
	assert_true(waiting(db, "readings_daily") >= 1);
	store_close(s);
}

static void a_row_changed_after_it_was_sent_goes_again(void **state)
{
	struct store *s = open_station("st.db", true);
	const char *db = path_in(dir, "st.db");
	struct outbox_state o;
	struct run_row r = { .reason = RUN_MANUAL, .started = T0, .planned_end = T0 + 1800,
			     .moisture_before = 31.5, .moisture_after = NAN };

	(void)state;
	snprintf(r.pump, sizeof(r.pump), "p1");
	snprintf(r.zone, sizeof(r.zone), "mit");
	assert_int_equal(store_run_begin(s, &r), 0);
	assert_int_equal(store_outbox_state(s, &o), 0);
	assert_int_equal(o.unsent, 1);
	assert_int_equal(store_outbox_sent(s, 1, 1, T0 + 5), 0);
	/* The run ends: the office must learn its end. */
	r.ended = T0 + 1800;
	snprintf(r.end_reason, sizeof(r.end_reason), "done");
	assert_int_equal(store_run_end(s, &r), 0);
	assert_int_equal(store_outbox_state(s, &o), 0);
	assert_int_equal(o.waiting, 2);
	assert_int_equal(o.unsent, 1);
	assert_int_equal(o.last_sent, 1);
	/* Confirmed up to the first: the second still waits. */
	assert_int_equal(store_outbox_confirmed(s, 1, T0 + 1860), 0);
	assert_int_equal(store_outbox_state(s, &o), 0);
	assert_int_equal(o.waiting, 1);
	assert_int_equal(o.confirmed_at, T0 + 1860);
	assert_int_equal(sql_int(db, "SELECT seq FROM outbox"), 2);
	store_close(s);
}

static void nothing_waiting_is_lost_across_a_restart(void **state)
{
	struct store *s = open_station("st.db", true);
	struct outbox_state o;

	(void)state;
	for (int i = 0; i < 5; i++)
		run_with_end(s, T0 + i * 3600);
	assert_int_equal(store_outbox_sent(s, 1, 3, T0 + 5), 0);
	store_close(s);
	/* Started again, as after a power cut: sent and not sent as they were. */
	s = open_station("st.db", true);
	assert_int_equal(store_outbox_state(s, &o), 0);
	assert_int_equal(o.waiting, 5);
	assert_int_equal(o.unsent, 2);
	assert_int_equal(o.last_sent, 3);
	/* The office never got what was sent: it all goes again. */
	assert_int_equal(store_outbox_resend(s, 0), 0);
	assert_int_equal(store_outbox_state(s, &o), 0);
	assert_int_equal(o.unsent, 5);
	store_close(s);
}

static void the_bound_gives_up_readings_first_and_records_never(void **state)
{
	struct store *s = open_station("st.db", true);
	const char *db = path_in(dir, "st.db");
	int64_t dropped = -1;
	struct outbox_state o;

	(void)state;
	run_with_end(s, T0);
	assert_int_equal(store_event(s, T0, "sensor_lost", "soil1", NULL, true), 0);
	assert_int_equal(store_event(s, T0, "started", NULL, NULL, false), 0);
	store_close(s);
	/* Forty days of roll-ups waiting, as weeks offline leave them: two
	 * quantities of two sensors a day, four rows. */
	exec_sql(db, "WITH RECURSIVE d(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM d WHERE n < 40)"
		     " INSERT INTO outbox(tbl, k1, k2, k3) SELECT 'readings_daily', 20000 + n, s, q"
		     " FROM d, (SELECT 1 AS s UNION ALL SELECT 2), (SELECT 0 AS q UNION ALL SELECT 1)"
		     " ORDER BY n, s, q;");
	s = open_station("st.db", true);
	assert_int_equal(store_outbox_bound(s, 200, false, &dropped), 0);
	assert_int_equal(dropped, 0);
	/* 163 rows down to 41: 122 roll-ups, 30 days and a half. */
	assert_int_equal(store_outbox_bound(s, 41, false, &dropped), 0);
	assert_int_equal(dropped, 122);
	assert_int_equal(store_outbox_state(s, &o), 0);
	assert_int_equal(o.dropped_days, 31);
	assert_int_equal(o.dropped_events, 0);
	/* The oldest days went; the run, the alarm and the plain event stay. */
	assert_int_equal(sql_int(db, "SELECT min(k1) FROM outbox WHERE tbl = 'readings_daily'"), 20031);
	assert_int_equal(waiting(db, "pump_runs"), 1);
	assert_int_equal(waiting(db, "events"), 2);
	/* Tighter: every roll-up, then the plain event; never the alarm or the run. */
	assert_int_equal(store_outbox_bound(s, 1, false, &dropped), 0);
	assert_int_equal(dropped, 39);
	assert_int_equal(waiting(db, "readings_daily"), 0);
	assert_int_equal(waiting(db, "pump_runs"), 1);
	assert_int_equal(waiting(db, "events"), 1);
	assert_int_equal(sql_int(db, "SELECT e.alarm FROM outbox o JOIN events e ON e.id = o.k1"
				     " WHERE o.tbl = 'events'"), 1);
	/* The day half given up before is counted once. */
	assert_int_equal(store_outbox_state(s, &o), 0);
	assert_int_equal(o.dropped_days, 40);
	assert_int_equal(o.dropped_events, 1);
	/* A full card: every roll-up waiting goes at once. */
	store_close(s);
	exec_sql(db, "INSERT INTO outbox(tbl, k1, k2, k3) VALUES ('readings_daily', 20041, 1, 0),"
		     " ('readings_daily', 20041, 2, 0), ('readings_daily', 20042, 1, 0)");
	s = open_station("st.db", true);
	assert_int_equal(store_outbox_bound(s, 1000, true, &dropped), 0);
	assert_int_equal(dropped, 3);
	assert_int_equal(store_outbox_state(s, &o), 0);
	assert_int_equal(o.dropped_days, 42);
	/* The clock set back: days before those given up already count. */
	store_close(s);
	exec_sql(db, "INSERT INTO outbox(tbl, k1, k2, k3) VALUES ('readings_daily', 20035, 1, 0),"
		     " ('readings_daily', 20036, 1, 0)");
	s = open_station("st.db", true);
	assert_int_equal(store_outbox_bound(s, 1000, true, &dropped), 0);
	assert_int_equal(dropped, 2);
	assert_int_equal(store_outbox_state(s, &o), 0);
	assert_int_equal(o.dropped_days, 44);
	assert_int_equal(waiting(db, "pump_runs"), 1);
	store_close(s);
}

static void write_file(const char *path, const uint8_t *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void a_batch_is_a_copy_the_office_merges_once(void **state)
{
	struct store *s = open_station("st.db", true), *office;
	const char *db = path_in(dir, "st.db"), *copy = path_in(dir, "batch.db");
	const char *off = path_in(dir, "office.db");
	struct backup_facts f;
	struct merge_result r;
	char why[512], err[512];
	uint8_t *image;
	size_t len;
	int64_t first, last;

	(void)state;
	assert_int_equal(store_outbox_image(s, 50, &image, &len, &first, &last), 0);
	run_with_end(s, T0);
	assert_int_equal(store_event(s, T0 + 60, "sensor_lost", "soil1", NULL, true), 0);
	two_days_of_readings(s);
	store_close(s);
	/* A correction whose record was sent long ago: the record comes along. */
	exec_sql(db, "DELETE FROM outbox;"
		     "INSERT INTO records(id, kind, day, zone, zone_name, product, product_name,"
		     " organic, amount, unit, target, phi_days, harvest_from, who, who_name, entered_at)"
		     " VALUES (1, 'spray', '2026-05-25', 'mit', 'Mít ruột đỏ', 'radiant', 'Radiant 60SC', 0,"
		     " 100, 'ml', 'sâu đục trái', 7, '2026-06-01', 'nam', 'Chị Năm', 1779690000);");
	s = open_station("st.db", true);
	run_with_end(s, T0 + 7200);
	assert_int_equal(store_event(s, T0 + 60, "sensor_back", "soil1", NULL, false), 0);
	store_close(s);
	exec_sql(db, "INSERT INTO records(id, kind, day, zone, zone_name, product, product_name,"
		     " organic, amount, unit, target, phi_days, harvest_from, who, who_name, entered_at,"
		     " corrects) VALUES (2, 'spray', '2026-05-25', 'mit', 'Mít ruột đỏ', 'radiant',"
		     " 'Radiant 60SC', 0, 120, 'ml', 'sâu đục trái', 7, '2026-06-01', 'nam', 'Chị Năm',"
		     " 1779693600, 1); INSERT INTO outbox(tbl, k1) VALUES ('records', 2);");
	s = open_station("st.db", true);
	assert_int_equal(store_outbox_image(s, 50, &image, &len, &first, &last), 1);
	assert_int_equal(last - first + 1, 3);
	write_file(copy, image, len);
	free(image);
	/* A whole station copy, by the same checks as a stick's. */
	if (store_backup_inspect(copy, &f, why, sizeof(why)) != 0)
		fail_msg("inspect: %s", why);
	assert_string_equal(f.code, "PT01");
	assert_int_equal(sql_int(copy, "SELECT count(*) FROM records"), 2);
	assert_int_equal(sql_int(copy, "SELECT count(*) FROM pump_runs"), 1);
	assert_int_equal(sql_int(copy, "SELECT count(*) FROM events"), 1);
	assert_int_equal(sql_int(copy, "SELECT count(*) FROM readings_packed"), 0);
	assert_int_equal(sql_int(copy, "SELECT count(*) FROM meta WHERE key = 'pin'"), 0);
	/* Merged into the office twice: the rows once. */
	assert_int_equal(store_open(off, 0, &office, err, sizeof(err)), 0);
	assert_int_equal(store_office_prepare(office, why, sizeof(why)), 0);
	for (int i = 0; i < 2; i++)
		if (store_merge(office, copy, &f, T0 + 9000, &r, why, sizeof(why)) != 0)
			fail_msg("merge: %s", why);
	store_close(office);
	assert_int_equal(sql_int(off, "SELECT count(*) FROM records"), 2);
	assert_int_equal(sql_int(off, "SELECT count(*) FROM records WHERE corrects IS NOT NULL"), 1);
	assert_int_equal(sql_int(off, "SELECT count(*) FROM pump_runs"), 1);
	assert_int_equal(sql_int(off, "SELECT count(*) FROM events"), 1);
	/* The batch is marked sent; nothing else waits unsent. */
	assert_int_equal(store_outbox_sent(s, first, last, T0 + 9000), 0);
	assert_int_equal(store_outbox_image(s, 50, &image, &len, &first, &last), 0);
	assert_null(image);
	store_close(s);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, each_setup, each_teardown)
	const struct CMUnitTest tests[] = {
		T(without_a_link_nothing_is_queued),
		T(a_row_and_its_place_in_the_outbox_are_one_write),
		T(a_row_changed_after_it_was_sent_goes_again),
		T(nothing_waiting_is_lost_across_a_restart),
		T(the_bound_gives_up_readings_first_and_records_never),
		T(a_batch_is_a_copy_the_office_merges_once),
	};

	return cmocka_run_group_tests_name("store_outbox", tests, setup, NULL);
}
