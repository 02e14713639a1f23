/* A check of the database in a child process, watched by the loop: the
 * child alone holds the write end of a pipe, which hangs up when it ends
 * (on any kernel, pidfd or not, and under valgrind). The station never
 * waits for it. */
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
	int hup;		/* the pipe's read end: hangs up when the child ends */
	dbcheck_fn *fn;
	void *ctx;
};

/* The child's end of the pipe, kept open across exec. */
#define CHILD_END 3

/* In the child, between fork and exec: only async-signal-safe calls. */
static void become_checker(char *const argv[], int end)
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
	if (end == CHILD_END)
		fcntl(end, F_SETFD, 0);
	else if (dup2(end, CHILD_END) < 0)
		_exit(127);
	/* Nothing of the station's: its relays, its terminal, its lock. */
	syscall(SYS_close_range, CHILD_END + 1U, ~0U, 0U);
	execv(argv[0], argv);
	_exit(127);
}

static void reap(struct dbcheck *c, int *status)
{
	loop_unwatch(c->loop, c->hup);
	close(c->hup);
	c->hup = -1;
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
	int end[2];

	if (!c)
		return NULL;
	if (pipe2(end, O_CLOEXEC) < 0) {
		free(c);
		return NULL;
	}
	*c = (struct dbcheck){ .loop = loop, .hup = end[0], .fn = fn, .ctx = ctx };
	c->pid = fork();
	if (c->pid == 0)
		become_checker(argv, end[1]);
	close(end[1]);
	if (c->pid < 0 || loop_watch(loop, c->hup, POLLIN, on_exit_fd, c) < 0) {
		int e = errno;

		if (c->pid > 0) {
			kill(c->pid, SIGKILL);
			waitpid(c->pid, NULL, 0);
		}
		close(c->hup);
		free(c);
		errno = e;
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
