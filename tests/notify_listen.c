/* A stand-in for systemd's notification socket, for tests: binds a unix
 * datagram socket at the path given and prints each message it gets on
 * one line (its own newlines as spaces), with the milliseconds since it
 * started, until it is killed. Point NOTIFY_SOCKET at the path.
 *   notify_listen /tmp/x/notify.sock >/tmp/x/notify.log & */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[4096];
	long long t0 = now_ms();
	int fd;

	if (argc != 2 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: notify_listen SOCKET_PATH\n");
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	unlink(argv[1]);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror(argv[1]);
		return 1;
	}
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

		if (n < 0)
			continue;
		buf[n] = '\0';
		for (char *p = buf; *p; p++)
			if (*p == '\n')
				*p = ' ';
		printf("%lld %s\n", now_ms() - t0, buf);
		fflush(stdout);
	}
}
