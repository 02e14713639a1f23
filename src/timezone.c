/* The station's time zone: a name checked against the system's zone
 * database, then set for the whole process. One process-wide setting
 * rather than a zone passed to each date function, because glibc and
 * SQLite read local time through TZ alone. */
#include "timezone.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *timezone_dir(void)
{
	const char *dir = getenv("TZDIR");

	return dir && dir[0] == '/' ? dir : "/usr/share/zoneinfo";
}

/* Letters, digits and - _ + in parts joined by single slashes, none of
 * them starting with a dot: "Asia/Ho_Chi_Minh", "Etc/GMT-7". */
static bool plain_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 63 || name[0] == '/' || name[n - 1] == '/')
		return false;
	for (const char *s = name; *s; s++) {
		bool part_start = s == name || s[-1] == '/';

		if (part_start && (*s == '.' || *s == '/'))
			return false;
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') &&
		    !(*s >= '0' && *s <= '9') && !strchr("-_+/", *s))
			return false;
	}
	return true;
}

bool timezone_known(const char *name)
{
	char path[512], magic[4];
	struct stat st;
	bool ok;
	int fd;

	if (!plain_name(name))
		return false;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", timezone_dir(), name) >= sizeof(path))
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return false;
	/* A zone file, not a folder such as "Asia" nor anything else. */
	ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	     read(fd, magic, sizeof(magic)) == (ssize_t)sizeof(magic) &&
	     memcmp(magic, "TZif", 4) == 0;
	close(fd);
	return ok;
}

int timezone_set(const char *name)
{
	char tz[80];

	if (!timezone_known(name))
		return -1;
	/* The colon: a file of the zone database, never a POSIX rule. */
	snprintf(tz, sizeof(tz), ":%s", name);
	if (setenv("TZ", tz, 1) < 0)
		return -1;
	tzset();
	return 0;
}
