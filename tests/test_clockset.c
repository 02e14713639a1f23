/* Setting the station's clock: the read-back of a typed date, a clock
 * behind what the station wrote, and setting it back before the newest
 * record, which takes the manager's reason and leaves the records as they
 * are, as an auditor checks them in the event log. */
#include "testlib.h"

#include "app.h"
#include "clock.h"
#include "clockset.h"
#include "config.h"
#include "records.h"
#include "store.h"
#include "text.h"

#include <sqlite3.h>

static const char farm[] =
	"[station]\ncode = PT01\n"
	"[zone.mit]\nname = Mít ruột đỏ\ncrop = Mít\n"
	"[product.npk]\nname = NPK 20-20-15\nkind = fertilizer\nunit = kg\nmax_amount = 300\n"
	"[worker.ba]\nname = Nguyễn Văn Ba\n";

struct rig {
	char *dir;
	char db[512];
	struct app app;
};

static time_t at(int y, int mo, int d, int h, int mi)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
			 .tm_min = mi, .tm_isdst = -1 };

	return mktime(&tm);
}

static void rig_open(struct rig *r)
{
	char err[512];

	assert_int_equal(store_open(r->db, STORE_EXCLUSIVE, &r->app.store, err, sizeof(err)), 0);
}

static int setup(void **state)
{
	struct rig *r = calloc(1, sizeof(*r));
	struct config *cfg;
	char err[512];

	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	tzset();
	text_init("en");
	r->dir = test_mkdir();
	snprintf(r->db, sizeof(r->db), "%s/station.db", r->dir);
	if (config_load(test_write(r->dir, "farm.ini", farm), &cfg, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	r->app.cfg = cfg;
	/* Tuesday 2 June 2026, 08:55. */
	r->app.clock = clock_new_manual(at(2026, 6, 2, 8, 55));
	rig_open(r);
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	struct rig *r = *state;

	store_close(r->app.store);
	config_free((struct config *)r->app.cfg);
	clock_free(r->app.clock);
	test_rmdir(r->dir);
	free(r);
	return 0;
}

/* A fertilizing record entered now; its id. */
static int64_t fertilize(struct rig *r)
{
	struct record_row rec;
	time_t now = clock_now(r->app.clock);
	char why[256] = "";

	records_init(&rec, REC_FERTILIZE, text_day_of(now));
	records_set_zone(&rec, r->app.cfg, 0);
	records_set_product(&rec, r->app.cfg, 0);
	rec.amount = 40;
	rec.method = METHOD_VENTURI;
	records_set_worker(&rec, r->app.cfg, 0);
	if (records_save(r->app.store, r->app.cfg, now, &rec, false, why, sizeof(why)) != 0)
		fail_msg("%s", why);
	return rec.id;
}

static int count(struct rig *r, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int n = -1;

	assert_int_equal(sqlite3_open_v2(r->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void text_of(struct rig *r, const char *sql, char *buf, size_t n)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	buf[0] = '\0';
	assert_int_equal(sqlite3_open_v2(r->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(buf, n, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* 2027 typed for 2026: the read-back says a year ahead before anything
 * is set, and a time near the clock says how near. */
static void a_typed_date_is_read_back_with_its_difference(void **state)
{
	struct rig *r = *state;
	char buf[128];

	clockset_difference(r->app.clock, at(2027, 6, 2, 9, 0), buf, sizeof(buf));
	assert_string_equal(buf, "365 days 5 minutes ahead of the clock");
	clockset_difference(r->app.clock, at(2026, 6, 1, 7, 55), buf, sizeof(buf));
	assert_string_equal(buf, "1 day 1 hour behind the clock");
	clockset_difference(r->app.clock, at(2026, 6, 2, 8, 55), buf, sizeof(buf));
	assert_string_equal(buf, "the same as the clock");
	/* Reading it back sets nothing. */
	assert_int_equal(clock_now(r->app.clock), at(2026, 6, 2, 8, 55));
	assert_int_equal(count(r, "SELECT count(*) FROM events WHERE kind LIKE 'clock%'"), 0);
}

/* The typo is set; correcting it needs the manager: without a reason it
 * is refused, and the refusal names the newest record's time. */
static void setting_the_clock_back_takes_the_manager(void **state)
{
	struct rig *r = *state;
	char said[256], detail[256];

	assert_int_equal(clockset_apply(&r->app, at(2027, 6, 2, 9, 0), CLOCKSET_REASONS, said,
					sizeof(said)), 0);
	assert_string_equal(said, "Clock set to 02/06/2027 09:00: it was 365 days 5 minutes behind.");
	clock_advance(r->app.clock, 5 * 60 * 1000);
	int64_t typo = fertilize(r);

	/* The true date, without the manager: refused, nothing moves. */
	assert_int_equal(clockset_check(r->app.store, at(2026, 6, 2, 9, 10), said, sizeof(said)),
			 CLOCKSET_EARLIER);
	assert_non_null(strstr(said, "Before the newest record (02/06/2027 09:05)"));
	assert_null(strstr(said, "02/06/2026"));
	assert_int_equal(clockset_apply(&r->app, at(2026, 6, 2, 9, 10), CLOCKSET_REASONS, said,
					sizeof(said)), -1);
	assert_non_null(strstr(said, "02/06/2027 09:05"));
	assert_int_equal(clock_now(r->app.clock), at(2027, 6, 2, 9, 5));
	assert_int_equal(count(r, "SELECT count(*) FROM events WHERE kind = 'clock_back'"), 0);

	/* With the manager's reason: set, logged with both times. */
	assert_int_equal(clockset_apply(&r->app, at(2026, 6, 2, 9, 10), CLOCKSET_TYPO, said,
					sizeof(said)), 0);
	assert_int_equal(clock_now(r->app.clock), at(2026, 6, 2, 9, 10));
	text_of(r, "SELECT detail FROM events WHERE kind = 'clock_back'", detail, sizeof(detail));
	assert_string_equal(detail, "was 2027-06-02 09:05, now 2026-06-02 09:10, -31535700 s;"
			    " the station's own clock; by the manager, reason: typo");
	char q[160];

	snprintf(q, sizeof(q), "SELECT count(*) FROM events WHERE kind = 'clock_back' AND t = %lld",
		 (long long)at(2026, 6, 2, 9, 10));
	assert_int_equal(count(r, q), 1);
	/* The record keeps its date. */
	snprintf(q, sizeof(q), "SELECT count(*) FROM records WHERE id = %lld AND entered_at = %lld",
		 (long long)typo, (long long)at(2027, 6, 2, 9, 5));
	assert_int_equal(count(r, q), 1);

	/* Records are taken again on the true clock, and a restart does not
	 * find the clock behind. */
	clock_advance(r->app.clock, 60 * 1000);
	assert_int_equal(records_clock_check(r->app.store, clock_now(r->app.clock), said,
					     sizeof(said)), 0);
	fertilize(r);
	store_close(r->app.store);
	rig_open(r);
	time_t known;

	assert_false(clockset_behind(r->app.store, r->app.clock, &known));
	assert_int_equal(known, at(2026, 6, 2, 9, 11));
	/* A board that loses its time later is still caught. */
	clock_set(r->app.clock, (int64_t)at(2026, 6, 1, 0, 0) * 1000, &(bool){ false });
	assert_true(clockset_behind(r->app.store, r->app.clock, &known));
}

/* After a restart on the true clock, the typo's record holds the clock
 * behind; the manager's reason releases it, and the next restart too. */
static void a_restart_on_the_true_clock_after_a_typo(void **state)
{
	struct rig *r = *state;
	char said[256];
	time_t known;

	clock_set(r->app.clock, (int64_t)at(2027, 6, 2, 9, 0) * 1000, &(bool){ false });
	fertilize(r);
	clock_set(r->app.clock, (int64_t)at(2026, 6, 2, 9, 30) * 1000, &(bool){ false });
	assert_true(clockset_behind(r->app.store, r->app.clock, &known));
	assert_int_equal(known, at(2027, 6, 2, 9, 0));
	r->app.clock_behind = true;
	assert_int_equal(records_clock_check(r->app.store, clock_now(r->app.clock), said,
					     sizeof(said)), REC_REFUSED);
	/* The true time is read back and set with the manager's reason. */
	assert_int_equal(clockset_apply(&r->app, at(2026, 6, 2, 9, 31), CLOCKSET_BOARD, said,
					sizeof(said)), 0);
	assert_false(r->app.clock_behind);
	assert_false(clockset_behind(r->app.store, r->app.clock, &known));
	assert_int_equal(records_clock_check(r->app.store, clock_now(r->app.clock), said,
					     sizeof(said)), 0);
	assert_int_equal(count(r, "SELECT count(*) FROM events WHERE kind = 'clock_back'"
			      " AND detail LIKE 'was 2026-06-02 09:30, now 2026-06-02 09:31, +60 s;%reason: board_clock'"), 1);
}

/* A time after everything written needs nobody. */
static void a_clock_set_forward_needs_nobody(void **state)
{
	struct rig *r = *state;
	char said[256], detail[256];

	fertilize(r);
	assert_int_equal(clockset_check(r->app.store, at(2026, 6, 2, 9, 0), said, sizeof(said)), 0);
	assert_int_equal(clockset_apply(&r->app, at(2026, 6, 2, 9, 0), CLOCKSET_REASONS, said,
					sizeof(said)), 0);
	text_of(r, "SELECT detail FROM events WHERE kind = 'clock_set'", detail, sizeof(detail));
	assert_string_equal(detail, "was 2026-06-02 08:55, now 2026-06-02 09:00, +300 s;"
			    " the station's own clock");
}

/* The system clock as NTP, GPS, an RTC or a technician's `date` moves
 * it; setting it never moves the machine's clock. */
static int64_t board_ms;

static int64_t board_now(void *ctx)
{
	(void)ctx;
	return board_ms;
}

static int board_set(void *ctx, int64_t t_ms)
{
	(void)ctx;
	board_ms = t_ms;
	return 0;
}

static const struct clock_source board = { board_now, board_set, NULL };

static char *iso(char *buf, size_t n, time_t t)
{
	strftime(buf, n, "%Y-%m-%d %H:%M", localtime(&t));
	return buf;
}

/* A board without a real-time clock boots at 1970: held. A minute's look
 * finds nothing new; once NTP sets the board's clock, the next look
 * releases logging and schedules, says so, and the event log keeps the
 * jump. */
static void a_system_clock_set_by_ntp_releases_the_hold(void **state)
{
	struct rig *r = *state;
	time_t known, today = time(NULL);
	char detail[256], want[160], a[32], b[32];

	store_event(r->app.store, today - 3600, "start", NULL, NULL, false);
	clock_free(r->app.clock);
	board_ms = (int64_t)at(1970, 1, 2, 7, 0) * 1000;
	r->app.clock = clock_new_system_from(&board);
	r->app.clock_behind = clockset_behind(r->app.store, r->app.clock, &known);
	assert_true(r->app.clock_behind);
	assert_int_equal(known, today - 3600);
	assert_int_equal(clockset_follow(&r->app), 0);
	assert_true(r->app.clock_behind);
	assert_string_equal(r->app.news, "");
	/* Too little to be plausible: still held, the jump logged. */
	board_ms = (int64_t)(today - 7200) * 1000;
	assert_int_equal(clockset_follow(&r->app), 0);
	assert_true(r->app.clock_behind);
	assert_int_equal(count(r, "SELECT count(*) FROM events WHERE kind = 'clock_jump'"
			      " AND detail LIKE 'was 1970-01-02 07:00, now %behind what the station wrote'"), 1);
	/* NTP has the true time. */
	board_ms = (int64_t)today * 1000;
	assert_int_equal(clockset_follow(&r->app), 1);
	assert_false(r->app.clock_behind);
	snprintf(want, sizeof(want), "was %s, now %s, +7200 s; the system clock moved",
		 iso(a, sizeof(a), today - 7200), iso(b, sizeof(b), today));
	text_of(r, "SELECT detail FROM events WHERE kind = 'clock_released'", detail, sizeof(detail));
	assert_string_equal(detail, want);
	assert_non_null(strstr(r->app.news, "The clock is right again ("));
	assert_non_null(strstr(r->app.news, "logging and schedules go on."));
	/* Once. */
	r->app.news[0] = '\0';
	assert_int_equal(clockset_follow(&r->app), 0);
	assert_int_equal(count(r, "SELECT count(*) FROM events WHERE kind LIKE 'clock%'"), 2);
	/* A technician's `date` a year back, before what was written: held. */
	board_ms = (int64_t)(today - 365 * 86400) * 1000;
	assert_int_equal(clockset_follow(&r->app), 0);
	assert_true(r->app.clock_behind);
	assert_string_equal(r->app.news,
			    "The clock went back before what the station wrote: nothing is logged until it is set.");
}

/* A simulated clock cannot be set by anyone else, but it passes what
 * the station wrote by itself. */
static void a_clock_that_passes_the_newest_record_is_released(void **state)
{
	struct rig *r = *state;
	time_t known;
	char detail[256];

	fertilize(r);
	clock_set(r->app.clock, (int64_t)at(2026, 6, 2, 8, 0) * 1000, &(bool){ false });
	r->app.clock_behind = clockset_behind(r->app.store, r->app.clock, &known);
	assert_true(r->app.clock_behind);
	clock_advance(r->app.clock, 54 * 60 * 1000);
	assert_int_equal(clockset_follow(&r->app), 0);
	clock_advance(r->app.clock, 60 * 1000);
	assert_int_equal(clockset_follow(&r->app), 1);
	text_of(r, "SELECT detail FROM events WHERE kind = 'clock_released'", detail, sizeof(detail));
	assert_string_equal(detail, "now 2026-06-02 08:55; the clock passed what the station wrote");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_typed_date_is_read_back_with_its_difference, setup,
						teardown),
		cmocka_unit_test_setup_teardown(setting_the_clock_back_takes_the_manager, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_restart_on_the_true_clock_after_a_typo, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_clock_set_forward_needs_nobody, setup, teardown),
		cmocka_unit_test_setup_teardown(a_system_clock_set_by_ntp_releases_the_hold, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_clock_that_passes_the_newest_record_is_released,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
