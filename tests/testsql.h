/* Helpers the database tests share: a path in a folder, a statement run
 * on a database file, one number read from one. */
#ifndef FS_TESTSQL_H
#define FS_TESTSQL_H

#include "testlib.h"

#include <sqlite3.h>

static inline const char *path_in(const char *a, const char *b)
{
	static char p[4][512];
	static int i;

	i = (i + 1) % 4;
	assert_true(snprintf(p[i], sizeof(p[i]), "%s/%s", a, b) < (int)sizeof(p[i]));
	return p[i];
}

static inline void exec_sql(const char *path, const char *sql)
{
	sqlite3 *d;
	char *err = NULL;

	assert_int_equal(sqlite3_open(path, &d), SQLITE_OK);
	sqlite3_busy_timeout(d, 2000);
	if (sqlite3_exec(d, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err);
	sqlite3_close(d);
}

static inline int64_t sql_int(const char *path, const char *sql)
{
	sqlite3 *d;
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_open_v2(path, &d, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(d, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(d));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(d);
	return v;
}

#endif
