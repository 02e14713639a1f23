/* Test-only preload: pseudo-terminals have no modem lines, and
 * libserialport asks for them (TIOCMGET) when it opens a port. On a pty
 * this answers the modem-line requests from a private copy of the lines;
 * every other ioctl, and every one on a real tty, goes to the C library.
 * Used with LD_PRELOAD by tests/e2e/serial.sh, never by the station. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static int lines = TIOCM_DTR | TIOCM_RTS | TIOCM_CTS | TIOCM_DSR | TIOCM_CD;

/* Unix98 pty slaves are majors 136 to 143. */
static int is_pty(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) >= 136 &&
	       major(st.st_rdev) <= 143;
}

int ioctl(int fd, unsigned long request, ...)
{
	static int (*real)(int, unsigned long, ...);
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!real)
		real = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
	if ((request == TIOCMGET || request == TIOCMSET || request == TIOCMBIS ||
	     request == TIOCMBIC) && is_pty(fd)) {
		int *bits = arg;

		if (request == TIOCMGET)
			*bits = lines;
		else if (request == TIOCMSET)
			lines = *bits;
		else if (request == TIOCMBIS)
			lines |= *bits;
		else
			lines &= ~*bits;
		return 0;
	}
	return real(fd, request, arg);
}
