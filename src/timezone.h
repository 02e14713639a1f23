/* The station's time zone. Station time (tariff bands, schedules, diaries,
 * record dates, exports) is the local time of the zone named in the
 * configuration, whatever the system's own TZ says: a board left at UTC
 * must not move peak hours by seven. */
#ifndef FS_TIMEZONE_H
#define FS_TIMEZONE_H

#include <stdbool.h>

#define TIMEZONE_DEFAULT "Asia/Ho_Chi_Minh"

/* The folder of the system's zone database (TZDIR, else
 * /usr/share/zoneinfo), where the C library looks too. */
const char *timezone_dir(void);
/* Is name a zone of that database ("Asia/Ho_Chi_Minh", "UTC")? Only a
 * plain relative name is looked up, never a path that leaves the folder. */
bool timezone_known(const char *name);
/* Makes name the process's local time (TZ, then tzset()), for this
 * program and the libraries it calls (SQLite's 'localtime' too). Call it
 * before anything reads local time. 0, or -1 if the zone is unknown (then
 * nothing changes). */
int timezone_set(const char *name);

#endif
