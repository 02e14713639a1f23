/* The notifications systemd reads: what reaches its socket, and when the
 * station keeps quiet. */
#include "testlib.h"

#include "notify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* A datagram socket listening where NOTIFY_SOCKET will point: a path in
 * a fresh folder, or, for an '@' name, the abstract namespace; a name of
 * length bytes when length is not 0. */
struct manager {
	int fd;
	char dir[64];
	char name[200];
};

static void manager_listen_at(struct manager *m, bool abstract, size_t length)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;

	snprintf(m->dir, sizeof(m->dir), "/tmp/test_notify.XXXXXX");
	assert_non_null(mkdtemp(m->dir));
	m->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	assert_true(m->fd >= 0);
	if (abstract)
		snprintf(m->name, sizeof(m->name), "@fieldstation-test/%d/%s", (int)getpid(),
			 m->dir + 5);
	else
		snprintf(m->name, sizeof(m->name), "%s/notify", m->dir);
	if (length) {
		size_t have = strlen(m->name);

		assert_true(have <= length && length < sizeof(m->name));
		memset(m->name + have, 'n', length - have);
		m->name[length] = '\0';
	}
	if (abstract) {
		memcpy(sa.sun_path, m->name, strlen(m->name));
		sa.sun_path[0] = '\0';
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(m->name));
	} else {
		memcpy(sa.sun_path, m->name, strlen(m->name) + 1);
		len = sizeof(sa);
	}
	assert_int_equal(bind(m->fd, (struct sockaddr *)&sa, len), 0);
	setenv("NOTIFY_SOCKET", m->name, 1);
}

static void manager_listen(struct manager *m, bool abstract)
{
	manager_listen_at(m, abstract, 0);
}

/* The next datagram, or "" when none came. */
static const char *manager_read(struct manager *m)
{
	static char buf[1024];
	ssize_t n = recv(m->fd, buf, sizeof(buf) - 1, 0);

	if (n < 0) {
		assert_int_equal(errno, EAGAIN);
		n = 0;
	}
	buf[n] = '\0';
	return buf;
}

static void manager_close(struct manager *m)
{
	close(m->fd);
	if (m->name[0] == '/')
		unlink(m->name);
	rmdir(m->dir);
	unsetenv("NOTIFY_SOCKET");
}

static void each_message_is_one_datagram_at_a_path(void **state)
{
	struct manager m;

	(void)state;
	manager_listen(&m, false);
	assert_true(notify_send("READY=1\nSTATUS=Trạm đã sẵn sàng"));
	assert_true(notify_send("WATCHDOG=1"));
	assert_string_equal(manager_read(&m), "READY=1\nSTATUS=Trạm đã sẵn sàng");
	assert_string_equal(manager_read(&m), "WATCHDOG=1");
	assert_string_equal(manager_read(&m), "");
	manager_close(&m);
}

static void an_at_sign_names_the_abstract_namespace(void **state)
{
	struct manager m;

	(void)state;
	manager_listen(&m, true);
	assert_true(notify_send("WATCHDOG=1"));
	assert_string_equal(manager_read(&m), "WATCHDOG=1");
	manager_close(&m);
}

/* Without a manager, or with a name the protocol does not allow, nothing
 * is sent anywhere, and the caller hears so. */
static void no_manager_no_message(void **state)
{
	struct manager m;
	char longer[200];

	(void)state;
	manager_listen(&m, false);
	unsetenv("NOTIFY_SOCKET");
	assert_false(notify_send("READY=1"));
	setenv("NOTIFY_SOCKET", "", 1);
	assert_false(notify_send("READY=1"));
	setenv("NOTIFY_SOCKET", "@", 1);
	assert_false(notify_send("READY=1"));
	/* A relative path would be looked up from wherever the station runs. */
	assert_int_equal(chdir(m.dir), 0);
	setenv("NOTIFY_SOCKET", "notify", 1);
	assert_false(notify_send("READY=1"));
	assert_int_equal(chdir("/"), 0);
	/* Longer than a socket address holds: not cut to another name. */
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	memcpy(longer, m.name, strlen(m.name));
	longer[strlen(m.name)] = '/';
	setenv("NOTIFY_SOCKET", longer, 1);
	assert_false(notify_send("READY=1"));
	/* Nobody listening there. */
	setenv("NOTIFY_SOCKET", "/nonexistent/notify", 1);
	assert_false(notify_send("READY=1"));
	setenv("NOTIFY_SOCKET", m.name, 1);
	assert_false(notify_send(""));
	assert_string_equal(manager_read(&m), "");
	manager_close(&m);
}

/* The longest names a socket address holds reach the manager whole: 107
 * bytes of path and its NUL, or 108 of abstract name. */
static void the_longest_names_still_reach_the_manager(void **state)
{
	struct manager m;
	size_t room = sizeof(((struct sockaddr_un *)0)->sun_path);

	(void)state;
	manager_listen_at(&m, false, room - 1);
	assert_true(notify_send("WATCHDOG=1"));
	assert_string_equal(manager_read(&m), "WATCHDOG=1");
	manager_close(&m);
	manager_listen_at(&m, true, room);
	assert_true(notify_send("WATCHDOG=1"));
	assert_string_equal(manager_read(&m), "WATCHDOG=1");
	/* One byte more of the same name would be cut to this one. */
	m.name[room] = 'n';
	m.name[room + 1] = '\0';
	setenv("NOTIFY_SOCKET", m.name, 1);
	assert_false(notify_send("WATCHDOG=1"));
	assert_string_equal(manager_read(&m), "");
	manager_close(&m);
}

/* A manager whose queue is full does not hold the station's loop: the
 * message is dropped at once. */
static void a_full_queue_does_not_block(void **state)
{
	struct manager m;
	int sent = 0, i;

	(void)state;
	alarm(10);	/* a blocking send would hang here: fail instead */
	manager_listen(&m, false);
	for (i = 0; i < 100000 && notify_send("WATCHDOG=1"); i++)
		sent++;
	assert_true(sent > 0);
	assert_true(i < 100000);
	assert_string_equal(manager_read(&m), "WATCHDOG=1");
	assert_true(notify_send("WATCHDOG=1"));
	manager_close(&m);
	alarm(0);
}

static void watchdog_interval_for_this_process_only(void **state)
{
	char pid[32];

	(void)state;
	unsetenv("WATCHDOG_PID");
	unsetenv("WATCHDOG_USEC");
	assert_int_equal(notify_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "30000000", 1);
	assert_int_equal(notify_watchdog_usec(), 30000000);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(notify_watchdog_usec(), 30000000);
	/* Meant for the process that started this one. */
	snprintf(pid, sizeof(pid), "%d", (int)getppid());
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(notify_watchdog_usec(), 0);
	setenv("WATCHDOG_PID", "x", 1);
	assert_int_equal(notify_watchdog_usec(), 0);
	unsetenv("WATCHDOG_PID");
	static const char *const not_numbers[] = { "", "-5", " 5", "5s", "3e7",
						   "99999999999999999999999" };
	for (size_t k = 0; k < sizeof(not_numbers) / sizeof(not_numbers[0]); k++) {
		setenv("WATCHDOG_USEC", not_numbers[k], 1);
		assert_int_equal(notify_watchdog_usec(), 0);
	}
	unsetenv("WATCHDOG_USEC");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_message_is_one_datagram_at_a_path),
		cmocka_unit_test(an_at_sign_names_the_abstract_namespace),
		cmocka_unit_test(no_manager_no_message),
		cmocka_unit_test(the_longest_names_still_reach_the_manager),
		cmocka_unit_test(a_full_queue_does_not_block),
		cmocka_unit_test(watchdog_interval_for_this_process_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
