/* Removable storage: a USB stick plugged in, mounted, pulled out. Nothing
 * here polls on a timer. The kernel wakes a poll() on /proc/self/mountinfo
 * (POLLPRI) when the mount table changes, and sends a uevent on a netlink
 * socket when a block device comes or goes; the caller polls both file
 * descriptors and calls stick_update() when either is ready.
 *
 * A stick is a file system on USB storage (its device's path in sysfs
 * passes through a USB bus, and it is not the disk the system runs from);
 * or, when the configuration names a folder (`usb_mount`: a card reader,
 * a test rig), whatever is mounted at or under it and nothing else.
 * Pulling a stick out does not unmount it: the mount stays while its
 * device is gone, and that counts as no stick. */
#ifndef FS_STICK_H
#define FS_STICK_H

#include <limits.h>
#include <poll.h>
#include <stdbool.h>

enum stick_state {
	STICK_NONE,		/* nothing plugged in */
	STICK_UNMOUNTED,	/* USB storage there, no file system of it mounted */
	STICK_READY,		/* mounted at `mount` */
};

struct stick_info {
	enum stick_state state;
	char mount[PATH_MAX];	/* STICK_READY: where */
	char device[64];	/* "sda1"; empty for what has no device */
	char fstype[32];
	bool readonly;
};

struct stick;

/* usb_mount: only what is mounted there is a stick (NULL or "": any USB
 * storage). The
 * paths are /proc/self/mountinfo and /sys but for tests. NULL if out of
 * memory or the mount table cannot be read. */
struct stick *stick_new(const char *usb_mount, const char *mountinfo, const char *sys);
void stick_free(struct stick *s);
/* The descriptors to poll and their events; returns how many (<= max). */
int stick_fds(const struct stick *s, struct pollfd *fds, int max);
/* Reads what woke a descriptor, looks again: true if the info changed. */
bool stick_update(struct stick *s);
const struct stick_info *stick_info(const struct stick *s);

#endif
