/* The service manager's notification socket (src/notify.h). */
#include "notify.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* An unsigned decimal number that is the whole of s, in *out. */
static bool whole_number(const char *s, uint64_t *out)
{
	char *end;
	uintmax_t v;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoumax(s, &end, 10);
	if (errno || *end || v > UINT64_MAX)
		return false;
	*out = (uint64_t)v;
	return true;
}

/* The address NOTIFY_SOCKET names, and its length, or 0 when it names
 * none the protocol allows. */
static socklen_t notify_address(struct sockaddr_un *sa)
{
	const char *name = getenv("NOTIFY_SOCKET");
	size_t len;

	if (!name || (name[0] != '/' && name[0] != '@'))
		return 0;
	len = strlen(name);
	/* A path needs its terminating NUL; an abstract name has none. */
	if (len < 2 || len > sizeof(sa->sun_path) - (name[0] == '/'))
		return 0;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, name, len);
	if (name[0] == '@') {
		sa->sun_path[0] = '\0';
		return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	}
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
}

bool notify_send(const char *message)
{
	struct sockaddr_un sa;
	socklen_t salen = notify_address(&sa);
	size_t len = strlen(message);
	ssize_t sent;
	int fd;

	if (salen == 0 || len == 0)
		return false;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	do
		sent = sendto(fd, message, len, MSG_NOSIGNAL | MSG_DONTWAIT,
			      (const struct sockaddr *)&sa, salen);
	while (sent < 0 && errno == EINTR);
	close(fd);
	return sent == (ssize_t)len;
}

uint64_t notify_watchdog_usec(void)
{
	const char *pid_text = getenv("WATCHDOG_PID");
	uint64_t usec, pid;

	if (!whole_number(getenv("WATCHDOG_USEC"), &usec))
		return 0;
	/* Set for another process (a parent that did not clear it). */
	if (pid_text && (!whole_number(pid_text, &pid) || pid != (uint64_t)getpid()))
		return 0;
	return usec;
}
