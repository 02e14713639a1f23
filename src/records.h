/* Fertilizing, spraying and harvests: what a good record holds, lot codes,
 * the pre-harvest interval, organic zones, corrections, and a lot's
 * traceability sheet. The SQL is in src/store_records.c. */
#ifndef FS_RECORDS_H
#define FS_RECORDS_H

#include "store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct config;

#define REC_REFUSED (-1)	/* err holds the sentence */
#define REC_NEED_MANAGER (-2)	/* inside a spray's interval: the manager may allow it */
#define REC_FAILED (-3)		/* the database failed; err says so */

/* A new record may be dated at most this many days back. */
#define RECORDS_MAX_DAYS_BACK 60

/* A blank record of kind for day. */
void records_init(struct record_row *r, int kind, int day);
/* Copy a configured zone, product or worker (its id and its name of the
 * moment) into r. A product also brings its unit, organic flag and, for
 * a spray, its interval and the earliest harvest day. */
void records_set_zone(struct record_row *r, const struct config *cfg, int zone);
void records_set_product(struct record_row *r, const struct config *cfg, int product);
void records_set_worker(struct record_row *r, const struct config *cfg, int worker);

/* Is this product one an organic zone takes? An organic zone takes only
 * organic products, unless the manager records that another was really
 * used (records_organic_allowed). 0, or REC_REFUSED with the reason. */
int records_organic_check(const struct config *cfg, int zone, int product, char *err, size_t errlen);
/* May r be saved as to organic farming? 0 when its product is organic, its
 * zone is not, or the zone is no longer organic on r's day; 0 too when the
 * manager (the PIN given) records a product that is not organic with a
 * reason in r->organic_override, from which day the zone is not organic
 * any more. Else REC_NEED_MANAGER with the sentence, or REC_FAILED. */
int records_organic_allowed(struct store *s, const struct config *cfg, struct record_row *r,
			    bool manager, char *err, size_t errlen);
/* Is zone (an id) no longer organic on day `to`? 1 with the first record
 * that made it so in *first; 0 when it still is (or never was organic);
 * < 0 on a store error. */
int records_has_lost_organic(struct store *s, const struct config *cfg, const char *zone, int to,
			  struct record_row *first);
/* Why a product that is not organic was used, in words. */
const char *records_organic_reason_label(int reason);
/* "Không còn hữu cơ từ 10/06/2026: …": the record that made a zone no
 * longer organic, in a sentence. Returns buf. */
char *records_organic_lost_text(const struct record_row *first, char *buf, size_t n);
/* Is r complete and plausible, and not dated after today? */
int records_check(const struct config *cfg, const struct record_row *r, int today, char *err,
		  size_t errlen);
/* Is a harvest inside a spray's pre-harvest interval? 0 when it is not;
 * REC_NEED_MANAGER with the reason and the spray in *spray when it is. */
int records_phi_check(struct store *s, const struct record_row *harvest,
		      struct record_row *spray, char *err, size_t errlen);

/* The lot code of the seq-th harvest of day at a station: PT01-260601-01
 * (station code, yymmdd, sequence of the day). */
char *records_lot_code(char *buf, size_t n, const char *station, int day, int seq);

/* Checks and writes r in one transaction; when it returns 0 the record
 * is on the card. A new harvest gets its lot code in r->lot; a
 * correction (r->corrects set) keeps the corrected harvest's lot. manager:
 * the manager's PIN was given, which lets a harvest inside a spray's
 * interval through (the spray is recorded in r->phi_override). */
int records_save(struct store *s, const struct config *cfg, int64_t now, struct record_row *r,
		 bool manager, char *err, size_t errlen);
/* The same checks and writes inside the caller's transaction, for a run
 * that writes its records with other rows (src/dosing.c): on failure the
 * caller rolls back. */
int records_save_in(struct store *s, const struct config *cfg, int64_t now, struct record_row *r,
		    bool manager, char *err, size_t errlen);
/* Refuses logging while the card is full ("Thẻ nhớ đầy"): REC_FAILED
 * with the sentence, or 0. */
int records_room_check(struct store *s, char *err, size_t errlen);
/* Refuses logging while the clock is earlier than the newest record (a
 * board without a real-time clock after a power cut). */
int records_clock_check(struct store *s, int64_t now, char *err, size_t errlen);

/* A lot's season: the zone's season_days up to and including the day of
 * its harvest. */
void records_season(const struct config *cfg, const struct record_row *harvest, int *from,
		    int *to);

/* Irrigation of one pump for a zone over a season. */
struct trace_pump {
	char pump[REC_ID_LEN];
	char name[REC_NAME_LEN];
	int runs;
	int64_t seconds;
	double kwh, cost;	/* as stored with each run, at its power and prices */
};

#define TRACE_MAX_PUMPS 16

/* What was done to a lot's zone in its season, before the harvest: on
 * the days before the harvest day, all of it; on the harvest day itself,
 * what was recorded before the harvest (a correction counts from the
 * record it corrects), which is what the harvest screen knew when it
 * checked the pre-harvest intervals. Irrigation: the runs that started
 * before harvest_at. */
struct trace {
	struct record_row harvest;	/* the lot's current record */
	int64_t recorded_at;		/* when the harvest was first recorded */
	/* The moment the sheet stops at: recorded_at if that was on the
	 * harvest day, else the end of the harvest day. */
	int64_t harvest_at;
	int from, to;			/* the season, days inclusive */
	struct record_row *items;	/* fertilizing and spraying, oldest first */
	int n_items;
	struct trace_pump pumps[TRACE_MAX_PUMPS];
	int n_pumps;
	int runs;
	int64_t seconds;
	double kwh, cost;
	/* An organic zone no longer organic by the harvest day: the record
	 * that made it so (organic_lost.id 0: none). */
	struct record_row organic_lost;
};

/* Fills t for lot: 1; 0 when there is no such lot; < 0 on a store error.
 * Free with records_trace_free() after 1. */
int records_trace(struct store *s, const struct config *cfg, const char *lot, struct trace *t);
void records_trace_free(struct trace *t);

/* How a record on a lot's sheet stands to the harvest's pre-harvest
 * interval check, judged as the harvest screen judged it: a spray whose
 * interval had not ended on the harvest day covers the harvest. */
enum trace_interval {
	TRACE_NO_INTERVAL,	/* fertilizing */
	TRACE_ENDED,		/* a spray whose interval ended by the harvest day */
	TRACE_ALLOWED,		/* covers it: the manager allowed the harvest with the PIN */
	TRACE_RECORDED_AFTER,	/* covers it, but was recorded (or corrected) after the
				 * harvest: the harvest was not checked against it */
	TRACE_INSIDE,		/* covers it (a lot removed as a mistake) */
};
enum trace_interval records_trace_interval(const struct trace *t, const struct record_row *r);
/* The words for it on the sheet ("" for TRACE_NO_INTERVAL). */
const char *records_trace_interval_label(enum trace_interval i);
/* The traceability sheet of a lot as CSV for a spreadsheet (UTF-8 with a
 * BOM, ';' between fields, the station's language and decimal mark):
 * the lot, then its zone's fertilizing and spraying in the season, then
 * irrigation per pump. 0, or -1 if writing failed. */
int records_trace_write(const struct trace *t, const struct config *cfg, FILE *f);
/* The same into path: written to path.tmp, flushed to the card, renamed.
 * 0, or -1 with err (no such lot, the records unread, the file unwritten). */
int records_trace_write_path(struct store *s, const struct config *cfg, const char *lot,
			     const char *path, char *err, size_t errlen);

/* Words for the farmer. */
const char *records_kind_label(int kind);
const char *records_method_label(int method);

#endif
