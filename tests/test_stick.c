/* Finding the stick, against a made-up mount table and sysfs: USB storage
 * mounted or not, a stale mount whose device is gone, a read-only one, a
 * board that boots from USB, a card reader without a card, and the
 * folder the configuration names. */
#include "testlib.h"

#include "stick.h"

#include <sys/stat.h>

static char *dir;
static char sys_root[256], mountinfo[256];

#define USB_DISK "devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1:1.0/host0/target0:0:0/0:0:0:0/block/sda"
#define USB_SSD "devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host1/target1:0:0/1:0:0:0/block/sdb"
#define READER "devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/host2/target2:0:0/2:0:0:0/block/sdc"
#define EMMC "devices/platform/emmc2bus/fe340000.mmc/mmc_host/mmc0/mmc0:0001/block/mmcblk0"

static const char root_on_emmc[] =
	"22 1 179:2 / / rw,noatime shared:1 - ext4 /dev/mmcblk0p2 rw\n"
	"23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
	"24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
	"25 22 0:23 / /run rw,nosuid,nodev shared:13 - tmpfs tmpfs rw,size=88000k\n";

static void mkpath(const char *rel)
{
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/%s'", sys_root, rel);
	assert_int_equal(system(cmd), 0);
}

static void put(const char *rel, const char *text)
{
	char path[700];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", sys_root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void link_to(const char *target, const char *rel)
{
	char path[700];

	snprintf(path, sizeof(path), "%s/%s", sys_root, rel);
	unlink(path);
	assert_int_equal(symlink(target, path), 0);
}

static void unlink_rel(const char *rel)
{
	char path[700];

	snprintf(path, sizeof(path), "%s/%s", sys_root, rel);
	unlink(path);
}

/* A disk with one partition, as the kernel shows it. */
static void add_disk(const char *devpath, const char *name, int major, int minor,
		     const char *size)
{
	char rel[400], link[400], target[400];

	mkpath(devpath);
	snprintf(rel, sizeof(rel), "%s/size", devpath);
	put(rel, size);
	snprintf(rel, sizeof(rel), "%s/%s1", devpath, name);
	mkpath(rel);
	snprintf(rel, sizeof(rel), "%s/%s1/partition", devpath, name);
	put(rel, "1\n");
	snprintf(link, sizeof(link), "block/%s", name);
	snprintf(target, sizeof(target), "../%s", devpath);
	link_to(target, link);
	snprintf(link, sizeof(link), "dev/block/%d:%d", major, minor);
	snprintf(target, sizeof(target), "../../%s", devpath);
	link_to(target, link);
	snprintf(link, sizeof(link), "dev/block/%d:%d", major, minor + 1);
	snprintf(target, sizeof(target), "../../%s/%s1", devpath, name);
	link_to(target, link);
}

static void remove_disk(const char *name, int major, int minor)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "block/%s", name);
	unlink_rel(rel);
	snprintf(rel, sizeof(rel), "dev/block/%d:%d", major, minor);
	unlink_rel(rel);
	snprintf(rel, sizeof(rel), "dev/block/%d:%d", major, minor + 1);
	unlink_rel(rel);
}

static void mounts(const char *extra)
{
	FILE *f = fopen(mountinfo, "w");

	assert_non_null(f);
	fputs(root_on_emmc, f);
	fputs(extra, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	dir = test_mkdir();
	snprintf(sys_root, sizeof(sys_root), "%s/sys", dir);
	snprintf(mountinfo, sizeof(mountinfo), "%s/mountinfo", dir);
	mkpath("block");
	mkpath("dev/block");
	/* The board's own card: mmcblk0p2 is 179:2. */
	mkpath(EMMC "/mmcblk0p2");
	put(EMMC "/mmcblk0p2/partition", "2\n");
	put(EMMC "/size", "62333952\n");
	link_to("../" EMMC, "block/mmcblk0");
	link_to("../../" EMMC "/mmcblk0p2", "dev/block/179:2");
	mounts("");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_rmdir(dir);
	return 0;
}

static void plugged_mounted_pulled(void **state)
{
	struct stick *s;
	const struct stick_info *i;

	(void)state;
	mounts("");
	s = stick_new(NULL, mountinfo, sys_root);
	assert_non_null(s);
	i = stick_info(s);
	assert_int_equal(i->state, STICK_NONE);
	/* The board's own card is never a stick. */
	assert_false(stick_update(s));

	/* Plugged in: the device is there, not yet mounted. */
	add_disk(USB_DISK, "sda", 8, 0, "30031872\n");
	assert_true(stick_update(s));
	assert_int_equal(i->state, STICK_UNMOUNTED);
	assert_string_equal(i->device, "sda");

	/* Mounted by the udev rule. */
	mounts("40 22 8:1 / /media/usb-sda1 rw,nosuid,nodev,noexec,noatime shared:30 - vfat"
	       " /dev/sda1 rw,fmask=0133,dmask=0022,codepage=437,iocharset=utf8\n");
	assert_true(stick_update(s));
	assert_int_equal(i->state, STICK_READY);
	assert_string_equal(i->mount, "/media/usb-sda1");
	assert_string_equal(i->device, "sda1");
	assert_string_equal(i->fstype, "vfat");
	assert_false(i->readonly);
	assert_false(stick_update(s));

	/* Pulled out: the mount stays, the device is gone. */
	remove_disk("sda", 8, 0);
	assert_true(stick_update(s));
	assert_int_equal(i->state, STICK_NONE);
	/* Then the rule unmounts it: nothing changes for the farmer. */
	mounts("");
	assert_false(stick_update(s));
	stick_free(s);
}

static void names_read_only_and_newest(void **state)
{
	struct stick *s;
	const struct stick_info *i;

	(void)state;
	add_disk(USB_DISK, "sda", 8, 0, "30031872\n");
	mounts("40 22 8:1 / /media/USB\\040DISK ro,nosuid - vfat /dev/sda1 ro\n");
	s = stick_new(NULL, mountinfo, sys_root);
	i = stick_info(s);
	assert_int_equal(i->state, STICK_READY);
	assert_string_equal(i->mount, "/media/USB DISK");
	assert_true(i->readonly);
	/* Remounted writable: a change. */
	mounts("40 22 8:1 / /media/USB\\040DISK rw,nosuid - vfat /dev/sda1 rw\n");
	assert_true(stick_update(s));
	assert_false(i->readonly);
	stick_free(s);
	remove_disk("sda", 8, 0);
}

/* A board that boots from a USB SSD: that disk is not the stick, the
 * stick plugged beside it is. */
static void a_board_booting_from_usb(void **state)
{
	struct stick *s;
	FILE *f;

	(void)state;
	add_disk(USB_SSD, "sdb", 8, 16, "500118192\n");
	f = fopen(mountinfo, "w");
	fputs("22 1 8:18 / / rw,noatime shared:1 - ext4 /dev/sdb2 rw\n"
	      "30 22 8:17 / /boot/firmware rw,relatime - vfat /dev/sdb1 rw\n", f);
	fclose(f);
	/* sdb1 stands for both partitions here: 8:17 is its only one. */
	link_to("../../" USB_SSD "/sdb1", "dev/block/8:18");
	s = stick_new(NULL, mountinfo, sys_root);
	assert_int_equal(stick_info(s)->state, STICK_NONE);
	add_disk(USB_DISK, "sda", 8, 0, "30031872\n");
	f = fopen(mountinfo, "a");
	fputs("41 22 8:1 / /media/usb-sda1 rw - exfat /dev/sda1 rw\n", f);
	fclose(f);
	assert_true(stick_update(s));
	assert_int_equal(stick_info(s)->state, STICK_READY);
	assert_string_equal(stick_info(s)->device, "sda1");
	stick_free(s);
	remove_disk("sda", 8, 0);
	remove_disk("sdb", 8, 16);
	unlink_rel("dev/block/8:18");
}

static void a_card_reader_without_a_card(void **state)
{
	struct stick *s;

	(void)state;
	mounts("");
	add_disk(READER, "sdc", 8, 32, "0\n");
	s = stick_new(NULL, mountinfo, sys_root);
	assert_int_equal(stick_info(s)->state, STICK_NONE);
	/* A card goes in. */
	put(READER "/size", "15523840\n");
	assert_true(stick_update(s));
	assert_int_equal(stick_info(s)->state, STICK_UNMOUNTED);
	stick_free(s);
	remove_disk("sdc", 8, 32);
}

/* usb_mount: whatever is mounted there is the stick, device or not, and
 * nothing else is. */
static void the_folder_the_configuration_names(void **state)
{
	struct stick *s;
	const struct stick_info *i;

	(void)state;
	add_disk(USB_DISK, "sda", 8, 0, "30031872\n");
	mounts("50 22 0:60 / /srv/stickers rw - tmpfs stickers rw\n"
	       "40 22 8:1 / /media/usb-sda1 rw - vfat /dev/sda1 rw\n");
	s = stick_new("/srv/stick/", mountinfo, sys_root);
	i = stick_info(s);
	assert_int_equal(i->state, STICK_NONE);
	mounts("50 22 0:60 / /srv/stickers rw - tmpfs stickers rw\n"
	       "51 22 0:61 / /srv/stick rw - tmpfs stick rw,size=16384k\n");
	assert_true(stick_update(s));
	assert_int_equal(i->state, STICK_READY);
	assert_string_equal(i->mount, "/srv/stick");
	assert_string_equal(i->device, "");
	assert_string_equal(i->fstype, "tmpfs");
	/* Something mounted inside it is newer: that one. */
	mounts("51 22 0:61 / /srv/stick rw - tmpfs stick rw\n"
	       "52 51 0:62 / /srv/stick/b rw - tmpfs b rw\n");
	assert_true(stick_update(s));
	assert_string_equal(i->mount, "/srv/stick/b");
	mounts("");
	assert_true(stick_update(s));
	assert_int_equal(i->state, STICK_NONE);
	stick_free(s);
	remove_disk("sda", 8, 0);
}

static void descriptors_to_poll(void **state)
{
	struct pollfd fds[4];
	struct stick *s;

	(void)state;
	s = stick_new(NULL, mountinfo, sys_root);
	assert_int_equal(stick_fds(s, fds, 4), 1);
	assert_int_equal(fds[0].events, POLLPRI);
	stick_free(s);
	assert_null(stick_new(NULL, "/nonexistent/mountinfo", sys_root));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plugged_mounted_pulled),
		cmocka_unit_test(names_read_only_and_newest),
		cmocka_unit_test(a_board_booting_from_usb),
		cmocka_unit_test(a_card_reader_without_a_card),
		cmocka_unit_test(the_folder_the_configuration_names),
		cmocka_unit_test(descriptors_to_poll),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
