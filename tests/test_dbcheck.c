/* The check of the whole database in a child process: its verdict comes
 * back through the loop, it runs at the lowest priority with nothing of
 * the station's open, and a check still running when the station stops
 * is stopped with it. The child here is a shell standing in for
 * `fieldstation check`, so that each property is seen on its own. */
#include "testlib.h"

#include "dbcheck.h"
#include "loop.h"
#include "store.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

struct verdict {
	struct loop *loop;
	int calls, verdict;
	char detail[64];
};

static void on_verdict(void *ctx, int verdict, const char *detail)
{
	struct verdict *v = ctx;

	v->calls++;
	v->verdict = verdict;
	snprintf(v->detail, sizeof(v->detail), "%s", detail);
	loop_quit(v->loop);
}

static int64_t give_up(void *data)
{
	loop_quit(data);
	return LOOP_DONE;
}

/* Runs the shell script as the check; the verdict within 10 s. */
static struct verdict run(const char *script)
{
	char *argv[] = { "/bin/sh", "-c", (char *)script, NULL };
	struct verdict v = { .loop = loop_new(), .verdict = 1 };
	struct dbcheck *c;

	assert_non_null(v.loop);
	c = dbcheck_start(v.loop, argv, on_verdict, &v);
	assert_non_null(c);
	loop_timer_add(v.loop, 10000, give_up, v.loop);
	loop_run(v.loop);
	dbcheck_free(c);
	loop_free(v.loop);
	return v;
}

static void the_exit_status_is_the_verdict(void **state)
{
	struct verdict v;

	(void)state;
	v = run("exit 0");
	assert_int_equal(v.calls, 1);
	assert_int_equal(v.verdict, 0);
	v = run("exit 3");
	assert_int_equal(v.calls, 1);
	assert_int_equal(v.verdict, STORE_CORRUPT);
	/* Anything else found nothing: no restore for a check that failed. */
	v = run("exit 1");
	assert_int_equal(v.verdict, STORE_ERR);
	assert_string_equal(v.detail, "exit 1");
	v = run("kill -9 $$");
	assert_int_equal(v.verdict, STORE_ERR);
	assert_string_equal(v.detail, "signal 9");
}

/* Lowest CPU priority, idle I/O class, no file of the station's open
 * (its lock, relays, terminal), and SIGTERM reaching it, though the
 * station blocks it for its signalfd. */
static void it_runs_low_holding_nothing(void **state)
{
	struct verdict v;
	/* As the station's files are; 3 (the lowest, where no runner holds
	 * one) is the one the child keeps for the pipe that tells its end. */
	int fd = open("/dev/null", O_RDONLY), fd2 = open("/dev/null", O_RDONLY);
	char script[512];
	sigset_t set;

	(void)state;
	assert_true(fd >= 3);
	assert_true(fd2 > 3);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	snprintf(script, sizeof(script),
		 "[ \"$(nice)\" = 19 ] || exit 10; [ -e /proc/$$/fd/%d ] && exit 11;"
		 " case $(readlink /proc/$$/fd/3) in pipe:*) ;; *) exit 14 ;; esac;"
		 " ionice -p $$ | grep -q idle || exit 13;"
		 " trap 'exit 3' TERM; kill -TERM $$; exit 12", fd2);
	v = run(script);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	close(fd2);
	close(fd);
	assert_string_equal(v.detail, "damaged");
}

static void a_check_still_running_stops_with_the_station(void **state)
{
	char *argv[] = { "/bin/sleep", "600", NULL };
	struct loop *loop = loop_new();
	struct dbcheck *c;
	char cmd[64], line[32] = "";
	FILE *p;

	(void)state;
	c = dbcheck_start(loop, argv, on_verdict, NULL);
	assert_non_null(c);
	dbcheck_free(c);
	snprintf(cmd, sizeof(cmd), "pgrep -P %d sleep | wc -l", (int)getpid());
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(line, sizeof(line), p));
	pclose(p);
	assert_int_equal(atoi(line), 0);
	/* And reaped: no child of ours is left, not even a zombie. */
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_exit_status_is_the_verdict),
		cmocka_unit_test(it_runs_low_holding_nothing),
		cmocka_unit_test(a_check_still_running_stops_with_the_station),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
