/* The service manager's side of the station: readiness, the watchdog's
 * pings, and the wait of a station that cannot start (src/service.h). */
#include "service.h"

#include "clock.h"
#include "loop.h"
#include "notify.h"
#include "text.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* How often a waiting station looks at its configuration again. */
#define WAIT_LOOK_MS 2000
/* How long a changed configuration must stay the same before it is read. */
#define SETTLE_MS 2000

void service_ready(const char *status)
{
	char clean[512], message[sizeof(clean) + 32];

	/* The status may hold a path or a name from the configuration. */
	snprintf(message, sizeof(message), "READY=1\nSTATUS=%s",
		 text_clean(clean, sizeof(clean), status));
	notify_send(message);
}

/* The watchdog's interval in milliseconds, 0 when none was asked for. */
static int64_t watchdog_ms(void)
{
	uint64_t ms = notify_watchdog_usec() / 1000;

	/* A day is longer than any watchdog a service is given. */
	return ms < 86400000 ? (int64_t)ms : 86400000;
}

static int64_t on_watchdog(void *data)
{
	int64_t *every = data;

	notify_send("WATCHDOG=1");
	return *every;
}

int service_watchdog(struct loop *loop)
{
	static int64_t every;
	int64_t ms = watchdog_ms();
	int id;

	if (ms <= 0)
		return 0;
	/* Three pings in each interval: one late turn of the loop (a slow
	 * card, a busy board) is not taken for a hang. */
	every = ms / 3 > 0 ? ms / 3 : 1;
	notify_send("WATCHDOG=1");
	id = loop_timer_add(loop, every, on_watchdog, &every);
	return id > 0 ? id : 0;
}

/* What identifies the file's content, enough to see a technician's edit
 * (an editor may write in place or rename a new file over it). */
struct stamp {
	bool exists;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
};

static struct stamp stamp_of(const char *path)
{
	struct stamp s = { 0 };
	struct stat st;

	if (stat(path, &st) == 0) {
		s.exists = true;
		s.dev = st.st_dev;
		s.ino = st.st_ino;
		s.size = st.st_size;
		s.mtime = st.st_mtim;
		s.ctime = st.st_ctim;
	}
	return s;
}

static bool same_stamp(const struct stamp *a, const struct stamp *b)
{
	return a->exists == b->exists && a->dev == b->dev && a->ino == b->ino &&
	       a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
	       a->mtime.tv_nsec == b->mtime.tv_nsec && a->ctime.tv_sec == b->ctime.tv_sec &&
	       a->ctime.tv_nsec == b->ctime.tv_nsec;
}

/* The sentence on a cleared screen, wrapped at spaces, the cursor
 * hidden: a console that blinks with nothing on it tells nobody what is
 * wrong. On a small screen the title and the blank line give way first.
 * The last line says what starts the station: a corrected file, or, for
 * records that no setting can mend, a restart once they are put right. */
static void show(const char *why, const char *path, enum service_fault kind)
{
	struct winsize ws = { 0 };
	bool sized = ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 4 && ws.ws_row > 2;
	int cols = sized ? ws.ws_col : 40, rows = sized ? ws.ws_row : 12, n_why = 0, n_after = 0;
	char clean[2048], after[1024], line[1024];
	const char *s;

	text_clean(clean, sizeof(clean), why);
	if (kind == SERVICE_FAULT_RECORDS)
		snprintf(line, sizeof(line), "%s",
			 _("Once that is dealt with, restart the board and the station starts again."));
	else
		snprintf(line, sizeof(line), _("The station starts by itself once %s is corrected."),
			 path);
	text_clean(after, sizeof(after), line);
	for (s = clean; text_wrap(&s, cols - 1, line, sizeof(line));)
		n_why++;
	for (s = after; text_wrap(&s, cols - 1, line, sizeof(line));)
		n_after++;
	/* UTF-8 on (the Linux console may have been reset out of it), the
	 * screen cleared, the cursor hidden. */
	printf("\033%%G\033[H\033[2J\033[?25l");
	/* \r\n: the console may have been left raw, without its newline
	 * translation, by the station that ran before. */
	if (n_why + n_after + 2 <= rows)
		printf("%s\r\n", _("The station cannot start."));
	for (s = clean; text_wrap(&s, cols - 1, line, sizeof(line));)
		printf("%s\r\n", line);
	if (n_why + n_after + 1 <= rows)
		printf("\r\n");
	s = after;
	for (bool first = true; text_wrap(&s, cols - 1, line, sizeof(line)); first = false)
		printf(first ? "%s" : "\r\n%s", line);
	fflush(stdout);
}

int service_wait(const char *path, const char *why, enum service_fault kind)
{
	struct stamp was = stamp_of(path);
	int64_t every = watchdog_ms() / 3;
	struct timespec wait;
	sigset_t set;
	char status[512];

	if (every <= 0 || every > WAIT_LOOK_MS)
		every = WAIT_LOOK_MS;
	wait.tv_sec = every / 1000;
	wait.tv_nsec = (long)(every % 1000) * 1000000;
	show(why, path, kind);
	/* Started, as far as the service manager is concerned: it must not
	 * time the start out and begin again. */
	snprintf(status, sizeof(status), "%s", why);
	service_ready(status);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (int64_t changed_at = -1;;) {
		struct stamp now;
		int sig = sigtimedwait(&set, NULL, &wait);

		if (sig > 0)
			break;
		if (sig < 0 && errno != EAGAIN && errno != EINTR)
			break;
		notify_send("WATCHDOG=1");
		now = stamp_of(path);
		if (!same_stamp(&was, &now)) {
			was = now;
			changed_at = clock_mono_ms();
			continue;
		}
		/* A file still being written (a script's second edit, an
		 * editor's second write) is not read half done: the station
		 * starts once the changed file has stayed the same a while. */
		if (changed_at >= 0 && clock_mono_ms() - changed_at >= SETTLE_MS) {
			printf("\033[?25h");
			fflush(stdout);
			notify_send("STATUS=The configuration changed: starting again");
			return 1;
		}
	}
	printf("\033[?25h");
	fflush(stdout);
	return 0;
}
