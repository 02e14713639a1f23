/* A check of the database in a child process, watched by the loop through
 * a pidfd: the station never waits for it. */
#include "dbcheck.h"

#include "loop.h"
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* From linux/ioprio.h, which not every libc installs. */
#define IOPRIO_CLASS_IDLE 3
#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_CLASS_SHIFT 13

struct dbcheck {
	struct loop *loop;
	pid_t pid;
	int pidfd;
	dbcheck_fn *fn;
	void *ctx;
};

/* In the child, between fork and exec: only async-signal-safe calls. */
static void become_checker(char *const argv[])
{
	sigset_t none;
	int null = open("/dev/null", O_RDWR);

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setpriority(PRIO_PROCESS, 0, 19);
	syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_CLASS_IDLE << IOPRIO_CLASS_SHIFT);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
	}
	/* Nothing of the station's: its relays, its terminal, its lock. */
	syscall(SYS_close_range, 3U, ~0U, 0U);
	execv(argv[0], argv);
	_exit(127);
}

static void reap(struct dbcheck *c, int *status)
{
	loop_unwatch(c->loop, c->pidfd);
	close(c->pidfd);
	c->pidfd = -1;
	while (waitpid(c->pid, status, 0) < 0 && errno == EINTR)
		;
	c->pid = 0;
}

static void on_exit_fd(void *data, int fd, short revents)
{
	struct dbcheck *c = data;
	char detail[64];
	int status = 0, verdict;

	(void)fd;
	(void)revents;
	reap(c, &status);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		verdict = 0;
		snprintf(detail, sizeof(detail), "sound");
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == DBCHECK_DAMAGED) {
		verdict = STORE_CORRUPT;
		snprintf(detail, sizeof(detail), "damaged");
	} else if (WIFEXITED(status)) {
		verdict = STORE_ERR;
		snprintf(detail, sizeof(detail), "exit %d", WEXITSTATUS(status));
	} else {
		verdict = STORE_ERR;
		snprintf(detail, sizeof(detail), "signal %d", WTERMSIG(status));
	}
	c->fn(c->ctx, verdict, detail);
}

struct dbcheck *dbcheck_start(struct loop *loop, char *const argv[], dbcheck_fn *fn, void *ctx)
{
	struct dbcheck *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	*c = (struct dbcheck){ .loop = loop, .pidfd = -1, .fn = fn, .ctx = ctx };
	c->pid = fork();
	if (c->pid == 0)
		become_checker(argv);
	if (c->pid < 0) {
		free(c);
		return NULL;
	}
	c->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	if (c->pidfd < 0 || loop_watch(loop, c->pidfd, POLLIN, on_exit_fd, c) < 0) {
		if (c->pidfd >= 0)
			close(c->pidfd);
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
		free(c);
		return NULL;
	}
	return c;
}

void dbcheck_free(struct dbcheck *c)
{
	int status;

	if (!c)
		return;
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		reap(c, &status);
	}
	free(c);
}
