/* Farm records: lot codes, the pre-harvest interval, organic zones,
 * corrections and a lot's traceability sheet, as an auditor checks them. */
#include "testlib.h"

#include "config.h"
#include "records.h"
#include "store.h"
#include "tariff.h"
#include "text.h"

#include <math.h>
#include <sqlite3.h>

static const char farm[] =
	"[station]\n"
	"code = PT01\n"
	"[zone.mit]\n"
	"name = Mít ruột đỏ\n"
	"crop = Mít\n"
	"pump = p1\n"
	"season_days = 30\n"
	"harvest_max_kg = 5000\n"
	"[zone.vusua]\n"
	"name = Vú sữa Hoàng Kim\n"
	"organic = yes\n"
	"[pump.p1]\n"
	"name = Bơm 1\n"
	"driver = sim\n"
	"power_kw = 1.5\n"
	"[product.npk]\n"
	"name = NPK 20-20-15\n"
	"kind = fertilizer\n"
	"unit = kg\n"
	"max_amount = 300\n"
	"[product.huuco]\n"
	"name = Phân hữu cơ vi sinh\n"
	"kind = fertilizer\n"
	"unit = kg\n"
	"organic = yes\n"
	"[product.radiant]\n"
	"name = Radiant 60SC\n"
	"kind = pesticide\n"
	"unit = ml\n"
	"phi_days = 7\n"
	"[product.namxanh]\n"
	"name = Nấm xanh\n"
	"kind = pesticide\n"
	"unit = g\n"
	"organic = yes\n"
	"phi_days = 0\n"
	"[worker.ba]\n"
	"name = Nguyễn Văn Ba\n"
	"[worker.hoa]\n"
	"name = Trần Thị Hoa\n";

static char *dir;
static struct config *cfg;
static char dbpath[512];

/* Days of June 2026, and a moment in the afternoon of each. */
static int june(int d)
{
	int day;

	assert_int_equal(text_day_parse_iso("2026-06-01", &day), 0);
	return day + d - 1;
}

static int64_t at(int d)
{
	return (int64_t)text_day_start(june(d)) + 15 * 3600;
}

static struct store *open_db(void)
{
	struct store *s;
	char err[512];

	if (store_open(dbpath, 0, &s, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return s;
}

static int setup(void **state)
{
	char err[512];

	(void)state;
	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	tzset();
	text_init("en");
	dir = test_mkdir();
	if (config_load(test_write(dir, "farm.ini", farm), &cfg, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	config_free(cfg);
	test_rmdir(dir);
	return 0;
}

/* Each test gets a fresh database. */
static int fresh(void **state)
{
	static int n;

	(void)state;
	snprintf(dbpath, sizeof(dbpath), "%s/station%d.db", dir, ++n);
	return 0;
}

static struct record_row harvest(int d, double kg)
{
	struct record_row r;

	records_init(&r, REC_HARVEST, june(d));
	records_set_zone(&r, cfg, 0);
	snprintf(r.crop, sizeof(r.crop), "Mít");
	r.kg = kg;
	records_set_worker(&r, cfg, 0);
	return r;
}

static struct record_row spray(int zone, int d, int product, double amount)
{
	struct record_row r;

	records_init(&r, REC_SPRAY, june(d));
	records_set_zone(&r, cfg, zone);
	records_set_product(&r, cfg, product);
	r.amount = amount;
	snprintf(r.target, sizeof(r.target), "Rệp sáp");
	records_set_worker(&r, cfg, 1);
	return r;
}

static struct record_row fertilize(int zone, int d, int product, double amount)
{
	struct record_row r;

	records_init(&r, REC_FERTILIZE, june(d));
	records_set_zone(&r, cfg, zone);
	records_set_product(&r, cfg, product);
	r.amount = amount;
	r.method = METHOD_VENTURI;
	records_set_worker(&r, cfg, 0);
	return r;
}

static void save_ok(struct store *s, int64_t now, struct record_row *r, bool manager)
{
	char why[256] = "";

	if (records_save(s, cfg, now, r, manager, why, sizeof(why)) != 0)
		fail_msg("refused: %s", why);
	assert_true(r->id > 0);
}

static void lot_codes_are_unique_and_stable(void **state)
{
	struct store *s = open_db();
	struct record_row a = harvest(1, 120), b = harvest(1, 80.5), c, d, back;

	(void)state;
	save_ok(s, at(1), &a, false);
	save_ok(s, at(1) + 60, &b, false);
	assert_string_equal(a.lot, "PT01-260601-01");
	assert_string_equal(b.lot, "PT01-260601-02");
	/* A power cut and a restart on the same day: the sequence goes on. */
	store_close(s);
	s = open_db();
	c = harvest(1, 50);
	save_ok(s, at(1) + 3600, &c, false);
	assert_string_equal(c.lot, "PT01-260601-03");
	/* The next day starts again at 01 with its own date. */
	d = harvest(2, 70);
	save_ok(s, at(2), &d, false);
	assert_string_equal(d.lot, "PT01-260602-01");
	/* A harvest entered late carries the day it was picked. */
	struct record_row late = harvest(1, 30);
	save_ok(s, at(2) + 60, &late, false);
	assert_string_equal(late.lot, "PT01-260601-04");
	/* The codes given stay what they were. */
	store_close(s);
	s = open_db();
	assert_int_equal(store_record_by_lot(s, "PT01-260601-02", &back), 1);
	assert_int_equal(back.id, b.id);
	assert_true(back.kg == 80.5);
	assert_int_equal(store_record_by_lot(s, "PT01-260601-09", &back), 0);
	/* The schema itself refuses a lot code given twice. */
	assert_true(store_lot_add(s, "PT01-260601-01", june(1), 9) < 0);
	store_close(s);
	/* Another station's code makes other codes on the same day. */
	char code[LOT_CODE_LEN];
	assert_string_equal(records_lot_code(code, sizeof(code), "PT02", june(1), 1),
			    "PT02-260601-01");
}

static void pre_harvest_interval(void **state)
{
	struct store *s = open_db();
	struct record_row sp = spray(0, 10, 2, 500), early, edge, block;
	char why[256];

	(void)state;
	save_ok(s, at(10), &sp, false);
	/* 7 days from 10 June: harvest from 17 June. */
	assert_int_equal(sp.phi_days, 7);
	assert_int_equal(sp.harvest_from, june(17));
	/* 16 June is inside: refused, with the spray and the first day named. */
	early = harvest(16, 100);
	assert_int_equal(records_save(s, cfg, at(16), &early, false, why, sizeof(why)),
			 REC_NEED_MANAGER);
	assert_non_null(strstr(why, "Radiant 60SC"));
	assert_non_null(strstr(why, "10/06/2026"));
	assert_non_null(strstr(why, "17/06/2026"));
	assert_string_equal(early.lot, "");	/* no lot code spent on a refusal */
	/* The day of the spray itself is inside too. */
	block = harvest(10, 100);
	assert_int_equal(records_save(s, cfg, at(16), &block, false, why, sizeof(why)),
			 REC_NEED_MANAGER);
	/* 17 June, the first allowed day, passes. */
	edge = harvest(17, 100);
	save_ok(s, at(17), &edge, false);
	assert_int_equal(edge.phi_override, 0);
	assert_string_equal(edge.lot, "PT01-260617-01");
	/* A harvest before the spray is not inside its interval. */
	struct record_row before = harvest(9, 40);
	save_ok(s, at(17), &before, false);
	/* Another zone is not affected. */
	struct record_row other = harvest(16, 10);
	records_set_zone(&other, cfg, 1);
	snprintf(other.crop, sizeof(other.crop), "Vú sữa");
	save_ok(s, at(17), &other, false);
	/* A manager's override goes through and is recorded. */
	early = harvest(16, 100);
	save_ok(s, at(17), &early, true);
	assert_int_equal(early.phi_override, sp.id);
	struct record_row back;
	assert_int_equal(store_record_get(s, early.id, &back), 1);
	assert_int_equal(back.phi_override, sp.id);
	/* An interval of 0 days blocks nothing, even on the day itself. */
	struct record_row zero = spray(0, 20, 3, 100);
	save_ok(s, at(20), &zero, false);
	assert_int_equal(zero.harvest_from, june(20));
	struct record_row same = harvest(20, 100);
	save_ok(s, at(20), &same, false);
	/* A corrected spray no longer blocks: its correction's dates count. */
	struct record_row later = spray(0, 22, 2, 300), moved;
	save_ok(s, at(22), &later, false);
	block = harvest(23, 50);
	assert_int_equal(records_save(s, cfg, at(23), &block, false, why, sizeof(why)),
			 REC_NEED_MANAGER);
	moved = later;
	moved.corrects = later.id;
	moved.day = june(12);
	moved.harvest_from = june(19);
	save_ok(s, at(23), &moved, true);
	block = harvest(23, 50);
	save_ok(s, at(23), &block, false);
	store_close(s);
}

static struct record_row harvest_on(int zone, int d, double kg)
{
	struct record_row r = harvest(d, kg);

	records_set_zone(&r, cfg, zone);
	snprintf(r.crop, sizeof(r.crop), "Vú sữa");
	return r;
}

static void organic_zone_refuses_synthetic_products(void **state)
{
	struct store *s = open_db();
	struct record_row r;
	char why[256];

	(void)state;
	/* vusua is organic; NPK (product 0) and Radiant (2) are not. */
	assert_int_equal(records_organic_check(cfg, 1, 0, why, sizeof(why)), REC_REFUSED);
	assert_non_null(strstr(why, "Vú sữa Hoàng Kim is an organic zone"));
	assert_non_null(strstr(why, "NPK 20-20-15"));
	assert_int_equal(records_organic_check(cfg, 1, 1, why, sizeof(why)), 0);
	assert_int_equal(records_organic_check(cfg, 0, 0, why, sizeof(why)), 0);
	/* Not without the manager, and not without a reason. */
	r = fertilize(1, 5, 0, 50);
	assert_int_equal(records_save(s, cfg, at(5), &r, false, why, sizeof(why)), REC_NEED_MANAGER);
	assert_non_null(strstr(why, "the manager records it with the PIN and a reason"));
	assert_non_null(strstr(why, "no longer organic from 05/06/2026"));
	assert_int_equal(records_save(s, cfg, at(5), &r, true, why, sizeof(why)), REC_NEED_MANAGER);
	r = spray(1, 5, 2, 100);
	r.organic_override = ORGANIC_OUTBREAK;
	assert_int_equal(records_save(s, cfg, at(5), &r, false, why, sizeof(why)), REC_NEED_MANAGER);
	assert_non_null(strstr(why, "Radiant 60SC is not an organic product"));
	r = fertilize(1, 5, 1, 500);
	save_ok(s, at(5), &r, false);
	assert_int_equal(r.organic_override, ORGANIC_NONE);
	r = spray(1, 5, 3, 200);
	save_ok(s, at(5), &r, false);
	assert_true(r.organic);
	/* In Vietnamese, too. */
	text_set_language("vi");
	records_organic_check(cfg, 1, 0, why, sizeof(why));
	assert_non_null(strstr(why, "hữu cơ"));
	text_set_language("en");
	store_close(s);
}

/* A product that is not organic, really used on an organic zone: recorded
 * with the manager's PIN and a reason, the zone is no longer organic from
 * that day, and says so on its lots' sheets; the record is never changed,
 * and removing it as a mistake gives the zone its standing back. */
static void a_synthetic_product_really_used_ends_the_zone_organic(void **state)
{
	struct store *s = open_db();
	struct record_row used, r, first, h, voiding;
	struct trace t;
	char why[256], path[600], line[512];
	FILE *f;
	bool found = false;

	(void)state;
	assert_int_equal(records_has_lost_organic(s, cfg, "vusua", june(30), &first), 0);
	used = spray(1, 10, 2, 100);
	used.organic_override = ORGANIC_OUTBREAK;
	save_ok(s, at(10), &used, true);
	assert_false(used.organic);
	assert_int_equal(store_record_get(s, used.id, &r), 1);
	assert_int_equal(r.organic_override, ORGANIC_OUTBREAK);
	/* Not organic from day 10 on; still organic before it. */
	assert_int_equal(records_has_lost_organic(s, cfg, "vusua", june(10), &first), 1);
	assert_int_equal(first.id, used.id);
	assert_int_equal(records_has_lost_organic(s, cfg, "vusua", june(9), &first), 0);
	assert_int_equal(records_has_lost_organic(s, cfg, "mit", june(30), &first), 0);
	/* From that day on the zone takes any product without asking... */
	r = fertilize(1, 12, 0, 50);
	save_ok(s, at(12), &r, false);
	assert_int_equal(r.organic_override, ORGANIC_NONE);
	/* ...but not before it. */
	r = fertilize(1, 8, 0, 50);
	assert_int_equal(records_save(s, cfg, at(12), &r, false, why, sizeof(why)), REC_NEED_MANAGER);
	/* A harvest after it: its lot's sheet says the zone is not organic. */
	h = harvest_on(1, 20, 300);
	save_ok(s, at(20), &h, false);
	assert_int_equal(records_trace(s, cfg, h.lot, &t), 1);
	assert_int_equal(t.organic_lost.id, used.id);
	assert_int_equal(t.organic_lost.day, june(10));
	records_trace_free(&t);
	text_set_language("vi");
	snprintf(path, sizeof(path), "%s/organic-lot.csv", dir);
	assert_int_equal(records_trace_write_path(s, cfg, h.lot, path, why, sizeof(why)), 0);
	text_set_language("en");
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		found |= strstr(line, "Không còn hữu cơ từ 10/06/2026: đã dùng Radiant 60SC (phiếu số") != NULL;
	fclose(f);
	assert_true(found);
	/* The record stays as it was; a removal is a record of its own, after
	 * which the zone is organic again. */
	voiding = used;
	voiding.id = 0;
	voiding.corrects = used.id;
	voiding.voided = true;
	save_ok(s, at(21), &voiding, true);
	assert_int_equal(store_record_get(s, used.id, &r), 1);
	assert_int_equal(r.organic_override, ORGANIC_OUTBREAK);
	assert_int_equal(r.corrected_by, voiding.id);
	/* The NPK of day 12 stands: the zone is not organic from that day. */
	assert_int_equal(records_has_lost_organic(s, cfg, "vusua", june(30), &first), 1);
	assert_int_equal(first.day, june(12));
	assert_string_equal(first.product_name, "NPK 20-20-15");
	assert_int_equal(records_has_lost_organic(s, cfg, "vusua", june(11), &first), 0);
	store_close(s);
}

static void implausible_and_incomplete_records(void **state)
{
	struct store *s = open_db();
	struct record_row r;
	char why[256];

	(void)state;
	r = fertilize(0, 5, 0, 301);	/* NPK at most 300 kg */
	assert_int_equal(records_save(s, cfg, at(5), &r, false, why, sizeof(why)), REC_REFUSED);
	assert_non_null(strstr(why, "at most 300 kg"));
	r = fertilize(0, 5, 0, 0);
	assert_int_equal(records_save(s, cfg, at(5), &r, false, why, sizeof(why)), REC_REFUSED);
	r = fertilize(0, 5, 2, 10);	/* a pesticide is not a fertilizer */
	assert_int_equal(records_save(s, cfg, at(5), &r, false, why, sizeof(why)), REC_REFUSED);
	r = fertilize(0, 5, 0, 10);
	r.method = METHOD_NONE;
	assert_int_equal(records_save(s, cfg, at(5), &r, false, why, sizeof(why)), REC_REFUSED);
	r = fertilize(0, 5, 0, 10);
	r.who[0] = '\0';
	assert_int_equal(records_save(s, cfg, at(5), &r, false, why, sizeof(why)), REC_REFUSED);
	assert_non_null(strstr(why, "who"));
	r = harvest(5, 5000.5);
	assert_int_equal(records_save(s, cfg, at(5), &r, false, why, sizeof(why)), REC_REFUSED);
	assert_non_null(strstr(why, "at most 5,000 kg"));
	/* Tomorrow's work cannot be logged today; long ago neither. */
	r = harvest(6, 10);
	assert_int_equal(records_save(s, cfg, at(5), &r, false, why, sizeof(why)), REC_REFUSED);
	assert_non_null(strstr(why, "06/06/2026 is after today"));
	r = harvest(1, 10);
	assert_int_equal(records_save(s, cfg, at(1) + 86400LL * (RECORDS_MAX_DAYS_BACK + 1), &r,
				     false, why, sizeof(why)), REC_REFUSED);
	/* Nothing of that reached the card, and no lot code was used. */
	int total;
	struct record_row page[4];
	assert_int_equal(store_records_page(s, REC_HARVEST, 0, page, 4, &total), 0);
	assert_int_equal(total, 0);
	r = harvest(5, 10);
	save_ok(s, at(5), &r, false);
	assert_string_equal(r.lot, "PT01-260605-01");
	store_close(s);
}

static void a_clock_behind_the_records_refuses_logging(void **state)
{
	struct store *s = open_db();
	struct record_row r = fertilize(0, 5, 0, 10);
	char why[256];

	(void)state;
	save_ok(s, at(5), &r, false);
	/* The board lost its time in a power cut and came back in the past. */
	r = fertilize(0, 1, 0, 10);
	assert_int_equal(records_save(s, cfg, at(1), &r, false, why, sizeof(why)), REC_REFUSED);
	assert_non_null(strstr(why, "set the date and time"));
	store_close(s);
}

static void corrections_keep_both_records(void **state)
{
	struct store *s = open_db();
	struct record_row h = harvest(3, 120), fix, again, page[8], back;
	char why[256];
	int total;

	(void)state;
	save_ok(s, at(3), &h, false);
	/* 120 should have been 1200: a correction, by another person. */
	fix = h;
	fix.corrects = h.id;
	fix.kg = 1200;
	records_set_worker(&fix, cfg, 1);
	save_ok(s, at(3) + 600, &fix, true);
	assert_true(fix.id != h.id);
	/* The crates already carry the lot code: the correction keeps it. */
	assert_string_equal(fix.lot, h.lot);
	/* Both show, newest first; the old one knows it was corrected. */
	assert_int_equal(store_records_page(s, REC_HARVEST, 0, page, 8, &total), 2);
	assert_int_equal(total, 2);
	assert_int_equal(page[0].id, fix.id);
	assert_int_equal(page[0].corrects, h.id);
	assert_int_equal(page[1].id, h.id);
	assert_int_equal(page[1].corrected_by, fix.id);
	/* Each keeps who entered it and when. */
	assert_string_equal(page[1].who_name, "Nguyễn Văn Ba");
	assert_int_equal(page[1].entered_at, at(3));
	assert_string_equal(page[0].who_name, "Trần Thị Hoa");
	assert_int_equal(page[0].entered_at, at(3) + 600);
	assert_true(page[1].kg == 120);
	/* The lot is its newest correction. */
	assert_int_equal(store_record_by_lot(s, h.lot, &back), 1);
	assert_true(back.kg == 1200);
	/* A record is corrected once: the next correction corrects the newer. */
	again = h;
	again.corrects = h.id;
	assert_int_equal(records_save(s, cfg, at(3) + 700, &again, true, why, sizeof(why)),
			 REC_REFUSED);
	assert_non_null(strstr(why, "already corrected"));
	/* A correction must be of the same kind. */
	struct record_row f = fertilize(0, 3, 0, 10);
	f.corrects = h.id;
	assert_int_equal(records_save(s, cfg, at(3) + 700, &f, true, why, sizeof(why)),
			 REC_REFUSED);
	/* A record entered by mistake is removed by a voiding correction. */
	struct record_row v = fix;
	v.corrects = fix.id;
	v.voided = true;
	save_ok(s, at(3) + 800, &v, true);
	assert_int_equal(store_record_by_lot(s, h.lot, &back), 1);
	assert_true(back.voided);
	assert_int_equal(store_records_page(s, REC_HARVEST, 0, page, 8, &total), 3);
	store_close(s);
	/* Nothing was changed in place: the first row is as it was entered. */
	sqlite3 *db;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT kg, who FROM records WHERE id = ?", -1,
					    &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, h.id);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_true(sqlite3_column_double(st, 0) == 120);
	assert_string_equal((const char *)sqlite3_column_text(st, 1), "ba");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void books_page_newest_day_first(void **state)
{
	struct store *s = open_db();
	struct record_row r, page[5];
	int total;

	(void)state;
	/* Twelve fertilizings, entered out of order: day 12 first. */
	for (int d = 12; d >= 1; d--) {
		r = fertilize(0, d, 0, d);
		save_ok(s, at(12) + (12 - d), &r, false);
	}
	r = spray(0, 3, 2, 10);
	save_ok(s, at(12) + 100, &r, false);
	assert_int_equal(store_records_page(s, REC_FERTILIZE, 0, page, 5, &total), 5);
	assert_int_equal(total, 12);	/* the spray is in its own book */
	assert_int_equal(page[0].day, june(12));
	assert_int_equal(page[4].day, june(8));
	assert_int_equal(store_records_page(s, REC_FERTILIZE, 10, page, 5, &total), 2);
	assert_int_equal(page[0].day, june(2));
	assert_int_equal(page[1].day, june(1));
	assert_true(page[1].amount == 1);
	store_close(s);
}

static void traceability_of_a_lot(void **state)
{
	struct store *s = open_db();
	struct record_row r, h;
	struct run_row run = { .reason = RUN_MANUAL };
	struct trace t;
	char path[600], text[4096], why[256];
	FILE *f;

	(void)state;
	/* Season of mit: 30 days up to the harvest on 30 June: from 1 June. */
	r = fertilize(0, 1, 0, 50);	/* first day of the season */
	save_ok(s, at(1), &r, false);
	r = fertilize(0, 2, 1, 400);
	r.method = METHOD_HAND;
	save_ok(s, at(2), &r, false);
	r = spray(0, 10, 2, 250);
	save_ok(s, at(10), &r, false);
	r = fertilize(1, 10, 1, 99);	/* another zone */
	save_ok(s, at(10), &r, false);
	/* Two runs of pump 1 (1.5 kW) on mit: 30 minutes off-peak at 1300 đ
	 * a kWh and 60 minutes at 2000; one before the season. Their kWh
	 * and cost are kept with them, as the station prices a run. */
	snprintf(run.pump, sizeof(run.pump), "p1");
	snprintf(run.zone, sizeof(run.zone), "mit");
	run.power_kw = 1.5;
	int64_t starts[] = { at(5), at(20), at(1) - 86400 * 2 };
	int minutes[] = { 30, 60, 45 };
	int band[] = { BAND_OFFPEAK, BAND_NORMAL, BAND_OFFPEAK };
	double price[] = { 1300, 2000, 1300 };
	for (int i = 0; i < 3; i++) {
		run.started = starts[i];
		run.planned_end = starts[i] + minutes[i] * 60;
		assert_int_equal(store_run_begin(s, &run), 0);
		run.ended = run.planned_end;
		snprintf(run.end_reason, sizeof(run.end_reason), "done");
		run.moisture_after = 40;
		memset(run.kwh, 0, sizeof(run.kwh));
		memset(run.cost, 0, sizeof(run.cost));
		run.kwh[band[i]] = 1.5 * minutes[i] / 60.0;
		run.cost[band[i]] = run.kwh[band[i]] * price[i];
		assert_int_equal(store_run_end(s, &run), 0);
	}
	/* The pump was changed for a stronger one since: the sheet still
	 * says what those runs took and cost, as the export does. */
	cfg->pumps[0].power_kw = 3.0;
	h = harvest(30, 1500);
	snprintf(h.grade, sizeof(h.grade), "Loại 1");
	save_ok(s, at(30), &h, false);
	/* A spray after the harvest is not in its season. */
	r = spray(0, 30, 3, 10);
	save_ok(s, at(30) + 60, &r, false);

	assert_int_equal(records_trace(s, cfg, h.lot, &t), 1);
	assert_int_equal(t.from, june(1));
	assert_int_equal(t.to, june(30));
	assert_int_equal(t.n_items, 3);	/* not the spray recorded after the harvest */
	assert_string_equal(t.items[0].product_name, "NPK 20-20-15");
	assert_string_equal(t.items[2].product_name, "Radiant 60SC");
	assert_int_equal(t.runs, 2);
	assert_int_equal(t.seconds, 90 * 60);
	assert_true(fabs(t.kwh - 2.25) < 1e-9);		/* 1.5 kW for 1.5 h */
	assert_true(fabs(t.cost - (0.75 * 1300 + 1.5 * 2000)) < 1e-9);
	assert_int_equal(t.n_pumps, 1);
	assert_string_equal(t.pumps[0].name, "Bơm 1");
	records_trace_free(&t);
	assert_int_equal(records_trace(s, cfg, "PT01-000000-01", &t), 0);

	/* The sheet, written for a USB stick, in Vietnamese. */
	text_set_language("vi");
	snprintf(path, sizeof(path), "%s/lot.csv", dir);
	assert_int_equal(records_trace_write_path(s, cfg, h.lot, path, why, sizeof(why)), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	text_set_language("en");
	assert_memory_equal(text, "\xEF\xBB\xBF", 3);
	assert_non_null(strstr(text, h.lot));
	assert_non_null(strstr(text, "30/06/2026"));
	assert_non_null(strstr(text, ";1500\r\n"));
	assert_non_null(strstr(text, "01/06/2026;Bón phân;NPK 20-20-15;không;50;kg;"));
	assert_non_null(strstr(text, "10/06/2026;Phun thuốc;Radiant 60SC;không;250;ml;Rệp sáp;7;17/06/2026;Trần Thị Hoa"));
	assert_non_null(strstr(text, "Tưới;Số lần;Số giờ;Điện (kWh);Tiền điện\r\n"));
	assert_non_null(strstr(text, "Bơm 1;2;1,5;2,250;3975\r\n"));
	assert_non_null(strstr(text, "Tổng;2;1,5;2,250;3975\r\n"));
	assert_null(strstr(text, ";99;"));	/* the other zone's record */
	/* The separator and decimal mark are the export's, from the config. */
	cfg->station.csv_separator = CSV_SEP_COMMA;
	cfg->station.csv_decimal = CSV_DEC_POINT;
	assert_int_equal(records_trace_write_path(s, cfg, h.lot, path, why, sizeof(why)), 0);
	cfg->station.csv_separator = CSV_SEP_SEMICOLON;
	cfg->station.csv_decimal = CSV_DEC_COMMA;
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	assert_non_null(strstr(text, "Bơm 1,2,1.5,2.250,3975\r\n"));
	assert_non_null(strstr(text, ",1500\r\n"));
	snprintf(path, sizeof(path), "%s/lot.csv.tmp", dir);
	assert_int_equal(access(path, F_OK), -1);	/* no temporary left */
	/* A link where the temporary goes is not followed: the file it
	 * points at stays as it was, and the sheet is written. */
	{
		char target[700], link[700];

		snprintf(target, sizeof(target), "%s/elsewhere", dir);
		f = fopen(target, "w");
		assert_non_null(f);
		fputs("untouched", f);
		fclose(f);
		snprintf(link, sizeof(link), "%s/lot.csv.tmp", dir);
		assert_int_equal(symlink(target, link), 0);
		snprintf(path, sizeof(path), "%s/lot.csv", dir);
		assert_int_equal(records_trace_write_path(s, cfg, h.lot, path, why, sizeof(why)), 0);
		f = fopen(target, "r");
		n = fread(text, 1, sizeof(text) - 1, f);
		text[n] = '\0';
		fclose(f);
		assert_string_equal(text, "untouched");
		assert_int_equal(access(link, F_OK), -1);
		f = fopen(path, "r");
		n = fread(text, 1, sizeof(text) - 1, f);
		text[n] = '\0';
		fclose(f);
		assert_non_null(strstr(text, h.lot));
		unlink(target);
	}
	snprintf(path, sizeof(path), "%s/none.csv", dir);
	assert_int_equal(records_trace_write_path(s, cfg, "XX", path, why, sizeof(why)), -1);
	assert_string_equal(why, "There is no lot XX.");
	assert_int_equal(access(path, F_OK), -1);
	store_close(s);
}

static int64_t at_hm(int d, int h, int m)
{
	return (int64_t)text_day_start(june(d)) + h * 3600 + m * 60;
}

static void run_at(struct store *s, int64_t start, int minutes)
{
	struct run_row run = { .reason = RUN_MANUAL };

	snprintf(run.pump, sizeof(run.pump), "p1");
	snprintf(run.zone, sizeof(run.zone), "mit");
	run.power_kw = 1.5;
	run.started = start;
	run.planned_end = run.ended = start + minutes * 60;
	assert_int_equal(store_run_begin(s, &run), 0);
	snprintf(run.end_reason, sizeof(run.end_reason), "done");
	run.kwh[BAND_NORMAL] = 1.5 * minutes / 60.0;
	run.cost[BAND_NORMAL] = run.kwh[BAND_NORMAL] * 2000;
	assert_int_equal(store_run_end(s, &run), 0);
}

static const struct record_row *item(const struct trace *t, int64_t id)
{
	for (int i = 0; i < t->n_items; i++)
		if (t->items[i].id == id)
			return &t->items[i];
	return NULL;
}

/* A lot harvested at 07:15 lists what was done before 07:15, not what was
 * recorded later that day; a spray whose interval covers the harvest says
 * how the harvest screen judged it. */
static void lot_sheet_lists_what_came_before_the_harvest(void **state)
{
	struct store *s = open_db();
	struct record_row ended = spray(0, 10, 2, 100);		/* harvest from 17 June */
	struct record_row covering = spray(0, 27, 2, 200);	/* harvest from 4 July */
	struct record_row morning = fertilize(0, 30, 0, 40), fixed;
	struct record_row h = harvest(30, 900), afternoon = spray(0, 30, 2, 150);
	struct record_row backdated = fertilize(0, 29, 1, 60), late_spray = spray(0, 28, 2, 120);
	struct record_row next_day = fertilize(0, 30, 0, 5);
	struct trace t;
	char path[600], text[8192], why[256];
	FILE *f;

	(void)state;
	save_ok(s, at(10), &ended, false);
	save_ok(s, at(27), &covering, false);
	save_ok(s, at_hm(30, 6, 0), &morning, false);
	run_at(s, at_hm(30, 6, 30), 20);
	/* Inside the interval of the spray of 27 June: the manager allows it. */
	assert_int_equal(records_save(s, cfg, at_hm(30, 7, 15), &h, false, why, sizeof(why)),
			 REC_NEED_MANAGER);
	save_ok(s, at_hm(30, 7, 15), &h, true);
	assert_int_equal(h.phi_override, covering.id);
	/* After the harvest, the same day: a run, a spray, and a correction
	 * of the morning's fertilizing (which was done before the harvest). */
	run_at(s, at_hm(30, 9, 0), 45);
	save_ok(s, at_hm(30, 15, 51), &afternoon, false);
	fixed = morning;
	fixed.corrects = morning.id;
	fixed.amount = 45;
	save_ok(s, at_hm(30, 16, 0), &fixed, true);
	/* Work of the days before, recorded after the harvest. */
	save_ok(s, at_hm(30, 16, 10), &backdated, false);
	save_ok(s, at_hm(30, 16, 20), &late_spray, false);
	/* Recorded the next day for the harvest day: after the harvest. */
	save_ok(s, at(31), &next_day, false);

	assert_int_equal(records_trace(s, cfg, h.lot, &t), 1);
	assert_int_equal(t.recorded_at, at_hm(30, 7, 15));
	assert_int_equal(t.harvest_at, at_hm(30, 7, 15));
	assert_int_equal(t.n_items, 5);
	assert_non_null(item(&t, ended.id));
	assert_non_null(item(&t, covering.id));
	assert_null(item(&t, morning.id));		/* corrected: its correction stands */
	assert_non_null(item(&t, fixed.id));
	assert_true(item(&t, fixed.id)->amount == 45);
	assert_null(item(&t, afternoon.id));
	assert_null(item(&t, next_day.id));
	assert_non_null(item(&t, backdated.id));
	assert_non_null(item(&t, late_spray.id));
	/* Oldest first. */
	for (int i = 1; i < t.n_items; i++)
		assert_true(t.items[i - 1].day <= t.items[i].day);
	/* As the harvest screen judged: */
	assert_int_equal(records_trace_interval(&t, item(&t, ended.id)), TRACE_ENDED);
	assert_int_equal(records_trace_interval(&t, item(&t, covering.id)), TRACE_ALLOWED);
	assert_int_equal(records_trace_interval(&t, item(&t, late_spray.id)),
			 TRACE_RECORDED_AFTER);
	assert_int_equal(records_trace_interval(&t, item(&t, fixed.id)), TRACE_NO_INTERVAL);
	/* Irrigation: the run of 06:30, not the one of 09:00. */
	assert_int_equal(t.runs, 1);
	assert_int_equal(t.seconds, 20 * 60);
	records_trace_free(&t);

	/* The sheet, in Vietnamese. */
	text_set_language("vi");
	snprintf(path, sizeof(path), "%s/lot.csv", dir);
	assert_int_equal(records_trace_write_path(s, cfg, h.lot, path, why, sizeof(why)), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	assert_non_null(strstr(text, "Ghi thu hoạch lúc;30/06/2026 07:15\r\n"));
	assert_non_null(strstr(text, "27/06/2026;Phun thuốc;Radiant 60SC;không;200;ml;Rệp sáp;7;04/07/2026;Trần Thị Hoa;27/06/2026 15:00;thu hoạch trong thời gian cách ly: quản lý đã cho phép bằng mã PIN\r\n"));
	assert_non_null(strstr(text, "10/06/2026;Phun thuốc;Radiant 60SC;không;100;ml;Rệp sáp;7;17/06/2026;Trần Thị Hoa;10/06/2026 15:00;đã hết trước khi thu hoạch\r\n"));
	assert_non_null(strstr(text, "28/06/2026;Phun thuốc;Radiant 60SC;không;120;ml;Rệp sáp;7;05/07/2026;Trần Thị Hoa;30/06/2026 16:20;thu hoạch trong thời gian cách ly: lần phun này được ghi sau khi thu hoạch"));
	assert_non_null(strstr(text, "30/06/2026;Bón phân;NPK 20-20-15;không;45;kg;châm phân (venturi);;;Nguyễn Văn Ba;30/06/2026 16:00;\r\n"));
	assert_null(strstr(text, ";150;"));		/* the afternoon's spray */
	assert_null(strstr(text, ";5;kg"));		/* the next day's record */
	assert_non_null(strstr(text, "Tổng;1;0,3;0,500;1000\r\n"));
	text_set_language("en");

	/* A harvest recorded a day late: the whole harvest day counts. */
	struct record_row vs = harvest(29, 30);
	records_set_zone(&vs, cfg, 1);
	snprintf(vs.crop, sizeof(vs.crop), "Vú sữa");
	save_ok(s, at(31) + 60, &vs, false);
	assert_int_equal(records_trace(s, cfg, vs.lot, &t), 1);
	assert_int_equal(t.recorded_at, at(31) + 60);
	assert_int_equal(t.harvest_at, (int64_t)text_day_start(june(30)));
	records_trace_free(&t);
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(lot_codes_are_unique_and_stable, fresh),
		cmocka_unit_test_setup(pre_harvest_interval, fresh),
		cmocka_unit_test_setup(organic_zone_refuses_synthetic_products, fresh),
		cmocka_unit_test_setup(a_synthetic_product_really_used_ends_the_zone_organic, fresh),
		cmocka_unit_test_setup(implausible_and_incomplete_records, fresh),
		cmocka_unit_test_setup(a_clock_behind_the_records_refuses_logging, fresh),
		cmocka_unit_test_setup(corrections_keep_both_records, fresh),
		cmocka_unit_test_setup(books_page_newest_day_first, fresh),
		cmocka_unit_test_setup(traceability_of_a_lot, fresh),
		cmocka_unit_test_setup(lot_sheet_lists_what_came_before_the_harvest, fresh),
	};

	return cmocka_run_group_tests_name("records", tests, setup, teardown);
}
