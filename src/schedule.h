/* Watering schedules (lịch tưới): a zone, days of the week, a start time
 * and minutes. What makes a schedule acceptable (no two on one pump at
 * once, no more pumps at once than the shed's supply carries), when it
 * next comes round, and its words. The SQL is in src/store_schedules.c;
 * running them is src/irrigation.c's job. */
#ifndef FS_SCHEDULE_H
#define FS_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "store.h"

struct config;

/* Days (struct schedule_row in store.h): bit 0 = Sunday ... bit 6 =
 * Saturday, as in tariff windows. */
#define SCHEDULE_ALL_DAYS 0x7f

/* Can cand be saved beside the others (cand's own id is skipped, so an
 * edit does not overlap itself)? 0, or -1 with one sentence in err. */
int schedule_check(const struct config *cfg, const struct schedule_row *others, int n,
		   const struct schedule_row *cand, char *err, size_t errlen);

/* The first start of s strictly after `after` (local time); -1 if s has
 * no days. */
time_t schedule_next(const struct schedule_row *s, time_t after);

/* A day's short name: "T2" (Monday, d = 1) ... "CN" (Sunday, d = 0). */
const char *schedule_day_name(int d);
/* Words: "T2–T7", "mỗi ngày", "T2, T4, T6", "CN"; and the whole schedule,
 * "T2–T7 05:00, 30 phút". */
char *schedule_days_text(char *buf, size_t n, int days);
char *schedule_text(char *buf, size_t n, const struct schedule_row *s);

#endif
