/* Finding the USB stick in the mount table and in sysfs, woken by the
 * kernel rather than by a timer. */
#include "stick.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

struct stick {
	char usb_mount[PATH_MAX];
	char sys[PATH_MAX];
	int mountinfo_fd;
	int uevent_fd;		/* -1 where the kernel's uevents cannot be had */
	struct stick_info info;
	char *buf;		/* the mount table, as last read */
	size_t cap;
};

struct mount {
	unsigned major, minor;
	char point[PATH_MAX];
	char fstype[32];
	bool readonly;
};

/* The real path of a block device's folder in sysfs, or false when the
 * device is gone. */
static bool device_path(const struct stick *s, unsigned major, unsigned minor, char *out)
{
	char link[PATH_MAX + 64];

	snprintf(link, sizeof(link), "%s/dev/block/%u:%u", s->sys, major, minor);
	return realpath(link, out) != NULL;
}

static bool on_usb(const char *devpath)
{
	return strstr(devpath, "/usb") != NULL;
}

/* The disk a partition is on: its parent folder, when it is a partition. */
static void disk_of(const char *devpath, char *out)
{
	char part[PATH_MAX + 16];
	struct stat st;
	char *slash;

	snprintf(out, PATH_MAX, "%s", devpath);
	snprintf(part, sizeof(part), "%s/partition", devpath);
	if (stat(part, &st) == 0 && (slash = strrchr(out, '/')))
		*slash = '\0';
}

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return n > 0 && strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Mount points are written with spaces and such as octal escapes. */
static void unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

static bool has_option(const char *opts, const char *opt)
{
	size_t n = strlen(opt);

	for (const char *p = opts; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, opt, n) == 0 && (p[n] == ',' || p[n] == '\0' || isspace((unsigned char)p[n])))
			return true;
	return false;
}

/* One line of /proc/self/mountinfo:
 * 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue */
static bool parse_mount(char *line, struct mount *m)
{
	char point[PATH_MAX], opts[256], fstype[32], super[256] = "";
	char *dash = strstr(line, " - ");

	if (!dash || sscanf(line, "%*d %*d %u:%u %*s %4095s %255s", &m->major, &m->minor, point,
			    opts) != 4)
		return false;
	if (sscanf(dash + 3, "%31s %*s %255s", fstype, super) < 1)
		return false;
	unescape(point);
	snprintf(m->point, sizeof(m->point), "%s", point);
	snprintf(m->fstype, sizeof(m->fstype), "%s", fstype);
	m->readonly = has_option(opts, "ro") || has_option(super, "ro");
	return true;
}

static int read_mounts(struct stick *s)
{
	size_t len = 0;

	for (;;) {
		ssize_t n;

		if (len + 4096 + 1 > s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 16384;
			char *grown = realloc(s->buf, cap);

			if (!grown)
				return -1;
			s->buf = grown;
			s->cap = cap;
		}
		n = pread(s->mountinfo_fd, s->buf + len, s->cap - len - 1, (off_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	s->buf[len] = '\0';
	return 0;
}

/* Is a USB disk's medium there: a card reader without a card has size 0. */
static bool has_medium(const char *devpath)
{
	char path[PATH_MAX + 16];
	long long size = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/size", devpath);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (fscanf(f, "%lld", &size) != 1)
		size = 0;
	fclose(f);
	return size > 0;
}

/* USB storage with nothing of it mounted: being mounted, or a file system
 * the board cannot read. */
static void find_unmounted(struct stick *s, const char *root_disk, struct stick_info *out)
{
	char dir[PATH_MAX + 16], path[PATH_MAX + 300], disk[PATH_MAX];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/block", s->sys);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		bool mounted = false;
		struct mount m;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!realpath(path, disk) || !on_usb(disk) || strcmp(disk, root_disk) == 0 ||
		    !has_medium(disk))
			continue;
		for (char *line = s->buf, *nl; line && *line; line = nl ? nl + 1 : NULL) {
			char dev[PATH_MAX];

			nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			if (parse_mount(line, &m) && m.major != 0 &&
			    device_path(s, m.major, m.minor, dev) && under(dev, disk))
				mounted = true;
			if (nl)
				*nl = '\n';
		}
		if (!mounted && snprintf(out->device, sizeof(out->device), "%s", de->d_name) <
				       (int)sizeof(out->device))
			out->state = STICK_UNMOUNTED;
	}
	closedir(d);
}

static void scan(struct stick *s, struct stick_info *out)
{
	char root_disk[PATH_MAX] = "", dev[PATH_MAX];
	struct mount m;

	memset(out, 0, sizeof(*out));
	if (read_mounts(s) < 0)
		return;
	/* The disk the system runs from is never the stick, even on USB. */
	for (char *line = s->buf, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (parse_mount(line, &m) && strcmp(m.point, "/") == 0 && m.major != 0 &&
		    device_path(s, m.major, m.minor, dev))
			disk_of(dev, root_disk);
		if (nl)
			*nl = '\n';
	}
	/* The newest mount that is a stick and whose device is still there. */
	for (char *line = s->buf, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		bool named, present, usb = false;
		char disk[PATH_MAX];

		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (!parse_mount(line, &m))
			goto next;
		named = s->usb_mount[0] && under(m.point, s->usb_mount);
		present = m.major == 0 || device_path(s, m.major, m.minor, dev);
		if (present && m.major != 0 && on_usb(dev)) {
			disk_of(dev, disk);
			usb = strcmp(disk, root_disk) != 0;
		}
		if ((s->usb_mount[0] ? named : usb) && present) {
			out->state = STICK_READY;
			snprintf(out->mount, sizeof(out->mount), "%s", m.point);
			snprintf(out->fstype, sizeof(out->fstype), "%s", m.fstype);
			out->readonly = m.readonly;
			out->device[0] = '\0';
			if (m.major != 0) {
				const char *base = strrchr(dev, '/');

				if (snprintf(out->device, sizeof(out->device), "%s", base ? base + 1 : dev) >=
				    (int)sizeof(out->device))
					out->device[0] = '\0';
			}
		}
next:
		if (nl)
			*nl = '\n';
	}
	if (out->state == STICK_NONE && !s->usb_mount[0])
		find_unmounted(s, root_disk, out);
}

static int uevent_socket(void)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			NETLINK_KOBJECT_UEVENT);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

struct stick *stick_new(const char *usb_mount, const char *mountinfo, const char *sys)
{
	struct stick *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	snprintf(s->usb_mount, sizeof(s->usb_mount), "%s", usb_mount ? usb_mount : "");
	/* "/media/usb/" names the same folder as "/media/usb". */
	for (size_t n = strlen(s->usb_mount); n > 1 && s->usb_mount[n - 1] == '/'; n--)
		s->usb_mount[n - 1] = '\0';
	snprintf(s->sys, sizeof(s->sys), "%s", sys ? sys : "/sys");
	s->mountinfo_fd = open(mountinfo ? mountinfo : "/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (s->mountinfo_fd < 0) {
		free(s);
		return NULL;
	}
	/* Without uevents (a container), a stick's mount and unmount are
	 * still seen; only a device gone under a stale mount is not. */
	s->uevent_fd = mountinfo ? -1 : uevent_socket();
	scan(s, &s->info);
	return s;
}

void stick_free(struct stick *s)
{
	if (!s)
		return;
	close(s->mountinfo_fd);
	if (s->uevent_fd >= 0)
		close(s->uevent_fd);
	free(s->buf);
	free(s);
}

int stick_fds(const struct stick *s, struct pollfd *fds, int max)
{
	int n = 0;

	if (n < max)
		fds[n++] = (struct pollfd){ .fd = s->mountinfo_fd, .events = POLLPRI };
	if (s->uevent_fd >= 0 && n < max)
		fds[n++] = (struct pollfd){ .fd = s->uevent_fd, .events = POLLIN };
	return n;
}

bool stick_update(struct stick *s)
{
	struct stick_info now;
	char msg[8192];

	/* Drain the uevents; the scan below sees what they were about. */
	while (s->uevent_fd >= 0 && recv(s->uevent_fd, msg, sizeof(msg), MSG_DONTWAIT) > 0)
		;
	scan(s, &now);
	if (now.state == s->info.state && now.readonly == s->info.readonly &&
	    strcmp(now.mount, s->info.mount) == 0 && strcmp(now.device, s->info.device) == 0 &&
	    strcmp(now.fstype, s->info.fstype) == 0)
		return false;
	s->info = now;
	return true;
}

const struct stick_info *stick_info(const struct stick *s)
{
	return &s->info;
}
