#!/bin/sh
# The board's operating system for the systemd scenario: Debian bookworm
# made by debootstrap from Debian's mirror, with Debian's own kernel
# (linux-image-amd64, 6.1) and systemd 252 as on a board, and the
# libraries the package depends on already installed (libgpiod 2 from
# bookworm-backports), so that the package installs in the guest with no
# network. A unit of its own (rig.service) runs the scenario's guest
# script from a second disk at boot, on the serial console.
#
# Made once, as root (a few minutes), and kept in $B/vm/rootfs-KEY/
# (rootfs.img, an ext4 image the guest boots from; vmlinuz and initrd.img,
# copied out of it), keyed by this script and the packages that go in, so
# it is made again only when either changes. Prints that folder.
#   tests/vm/rootfs.sh PACKAGE.deb
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-$TOP/build}
case $B in /*) ;; *) B=$TOP/$B ;; esac
DEB=${1:?usage: tests/vm/rootfs.sh PACKAGE.deb}

# What the guest needs besides the package's own dependencies: the
# service manager, udev (device nodes, modules for the USB serial
# adapter and the screen), the kernel, and sqlite3 for the checks.
BASE="systemd systemd-sysv udev kmod linux-image-amd64 sqlite3 procps"
# The package's dependencies by name (the first of each alternative).
DEPENDS=$(dpkg-deb -f "$DEB" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/ //g' |
	grep -v '^\$' | sort -u | tr '\n' ' ')

key=$({ cat "$0"; echo "$BASE $DEPENDS"; } | sha256sum | cut -c1-16)
out=$B/vm/rootfs-$key
if [ -f "$out/rootfs.img" ] && [ -f "$out/vmlinuz" ] && [ -f "$out/initrd.img" ]; then
	echo "$out"
	exit 0
fi
[ "$(id -u)" = 0 ] || { echo "rootfs: debootstrap needs root" >&2; exit 1; }
for tool in debootstrap mkfs.ext4; do
	command -v "$tool" >/dev/null ||
		{ echo "rootfs: no $tool here (scripts/install-deps.sh --all)" >&2; exit 1; }
done

# The mirror this machine installs from (CI reaches Debian's only).
mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null |
	grep -v security | head -n 1)
mirror=${mirror:-http://deb.debian.org/debian}

mkdir -p "$B/vm"
work=$B/vm/rootfs-work.$$
root=$work/root
log=$B/vm/rootfs-$key.log
cleanup() {
	umount "$root/proc" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
echo "rootfs: debootstrap bookworm with Debian's kernel and systemd (a few minutes, once; log in $log)" >&2
in_root() { chroot "$root" env LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
{
	debootstrap --variant=minbase bookworm "$root" "$mirror"
	echo "deb $mirror bookworm-backports main" >"$root/etc/apt/sources.list.d/backports.list"
	mount -t proc proc "$root/proc"
	# Only what the guest boots with goes into its initramfs: a small
	# one unpacks in a second under qemu's emulation.
	mkdir -p "$root/etc/initramfs-tools/conf.d"
	echo MODULES=list >"$root/etc/initramfs-tools/conf.d/rig"
	printf 'virtio_pci\nvirtio_blk\next4\n' >>"$root/etc/initramfs-tools/modules"
	in_root apt-get update
	# libgpiod3 is only in bookworm-backports: apt takes it from there,
	# and everything else (systemd 252, the 6.1 kernel) from bookworm.
	in_root apt-get install -y --no-install-recommends $BASE $DEPENDS
	in_root apt-get clean
	rm -rf "$root"/var/lib/apt/lists/*_Packages
	umount "$root/proc"
} >"$log" 2>&1 || { echo "rootfs: debootstrap or apt failed; see $log" >&2; exit 1; }

echo rig >"$root/etc/hostname"
echo '/dev/vda / ext4 rw,noatime 0 0' >"$root/etc/fstab"
# ttyS0 is the scenario's line to the host: no login prompt on it, and
# nothing that wakes up to do maintenance while the scenario runs.
for unit in serial-getty@ttyS0.service apt-daily.timer apt-daily-upgrade.timer \
	e2scrub_all.timer fstrim.timer; do
	ln -sf /dev/null "$root/etc/systemd/system/$unit"
done
cat >"$root/etc/systemd/system/rig.service" <<'UNIT'
[Unit]
Description=the emulated-hardware rig's scenario, on the serial console
After=systemd-user-sessions.service

[Service]
Type=simple
ExecStart=/usr/local/sbin/rig-run
StandardInput=tty
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0

[Install]
WantedBy=multi-user.target
UNIT
ln -sf /etc/systemd/system/rig.service "$root/etc/systemd/system/multi-user.target.wants/rig.service"
mkdir -p "$root/usr/local/sbin" "$root/rig"
cat >"$root/usr/local/sbin/rig-run" <<'RUN'
#!/bin/bash
# The scenario from the rig's disk (/dev/vdb): its lines go to the host on
# ttyS0, then the machine powers off, which ends qemu.
dmesg -n 1
stty -echo
if mount -o ro /dev/vdb /rig; then
	cd /rig && bash /rig/guest.sh
	echo "@@ end $?"
else
	echo "FAIL the rig's disk /dev/vdb does not mount"
	echo "@@ end 1"
fi
sync
systemctl poweroff --force --force
RUN
chmod 755 "$root/usr/local/sbin/rig-run"

kernel=$(ls "$root"/boot/vmlinuz-* | head -n 1)
initrd=$(ls "$root"/boot/initrd.img-* | head -n 1)
[ -f "$kernel" ] && [ -f "$initrd" ] || { echo "rootfs: no kernel or initrd in $root/boot" >&2; exit 1; }
mkdir -p "$work/out"
cp "$kernel" "$work/out/vmlinuz"
cp "$initrd" "$work/out/initrd.img"
# The image is sparse: 2 GiB for apt and the journal, a fraction on disk.
mkfs.ext4 -q -L rig -d "$root" "$work/out/rootfs.img" 2G >>"$log" 2>&1 ||
	{ echo "rootfs: mkfs.ext4 failed; see $log" >&2; exit 1; }
rm -rf "$out"
mv "$work/out" "$out"
echo "$out"
