/* The check of the whole database while the console runs: years of
 * readings take seconds to check, so the console checks its records
 * before the first screen (store_check(), STORE_CHECK_RECORDS) and the
 * rest in a child process at the lowest priority, CPU and disk, after
 * it. The child is a program of its own (fieldstation check), so that it
 * shares no SQLite state with the station; its exit status is the
 * verdict. */
#ifndef FS_DBCHECK_H
#define FS_DBCHECK_H

struct loop;
struct dbcheck;

/* The exit status of a check that found the database damaged. */
#define DBCHECK_DAMAGED 3

/* verdict: 0 sound, STORE_CORRUPT damaged, STORE_ERR when the check
 * could not be made (it could not start, or ended otherwise); detail
 * says how it ended, in a few English words. */
typedef void dbcheck_fn(void *ctx, int verdict, const char *detail);

/* Runs argv (argv[0] a path) with nothing open but /dev/null, niced and
 * at the idle I/O class; fn is called from the loop when it has ended.
 * NULL when it could not be started. */
struct dbcheck *dbcheck_start(struct loop *loop, char *const argv[], dbcheck_fn *fn, void *ctx);
/* Stops a check still running (SIGKILL) and frees. */
void dbcheck_free(struct dbcheck *c);

#endif
