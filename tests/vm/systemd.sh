#!/bin/bash
# The Debian package under systemd, as on a board: Debian bookworm with its
# own kernel (6.1) and systemd 252, booted under qemu from a debootstrapped
# image (tests/vm/rootfs.sh, made once); the amd64 package that `make deb`
# built is installed in the guest with apt, started by its postinst, and
# used and removed there (tests/vm/guest/systemd.sh). The screen is qemu's
# standard VGA at 800x480 (Debian's bochs DRM driver, fbcon on tty1); the
# sensors are sim_probe here, behind a USB serial adapter (qemu's
# usb-serial, an FTDI: the guest's /dev/ttyUSB0) and the guest's second
# 8250 UART (/dev/ttyS1). Screenshots go to build/vm/systemd-NAME.png.
#   make hwtest HWTEST=systemd
#   SYSTEMD_DEB=PACKAGE.deb bash tests/vm/systemd.sh
TOP=$(cd "$(dirname "$0")/../.." && pwd)
version=$(sed -n 's/^VERSION *:= *//p' "$TOP/Makefile")
DEB=${SYSTEMD_DEB:-$TOP/build-deb-amd64/fieldstation_${version}_amd64.deb}
started=$SECONDS

# The package as the sources are now: made again (make deb, about a
# minute) when it is missing or older than a file it is built from.
stale() {
	local f
	[ -f "$DEB" ] || return 0
	for f in $(git -C "$TOP" ls-files Makefile debian src drivers screens po config fonts scripts docs 2>/dev/null); do
		[ "$TOP/$f" -nt "$DEB" ] && return 0
	done
	return 1
}
if [ -z "${SYSTEMD_DEB:-}" ] && stale; then
	echo "     | make deb: the package is older than its sources (log in build/vm/systemd-deb.log)"
	mkdir -p "$TOP/build/vm"
	make -C "$TOP" --no-print-directory deb ARCH=amd64 >"$TOP/build/vm/systemd-deb.log" 2>&1 ||
		rm -f "$DEB"
fi

# Debian's kernel and initramfs from the image, not the rig's own; made
# before lib.sh is read, which would otherwise build the rig's.
if [ -f "$DEB" ] && ROOTFS=$("$TOP/tests/vm/rootfs.sh" "$DEB"); then
	VM_KERNEL=$ROOTFS/vmlinuz VM_INITRD=$ROOTFS/initrd.img
else
	ROOTFS= VM_KERNEL=/nonexistent VM_INITRD=/nonexistent
fi
export VM_KERNEL VM_INITRD
. "$(dirname "$0")/lib.sh"

[ -f "$DEB" ] || { bad "no package $DEB (make deb)"; finish; exit 1; }
[ -n "$ROOTFS" ] || { bad "no bookworm image (tests/vm/rootfs.sh, as root, with Debian's mirror)"; finish; exit 1; }
SIM_PROBE=$B/tests/sim_probe
for need in "$SIM_PROBE" "$(command -v pnmtopng)" "$(command -v mkfs.ext4)"; do
	[ -x "$need" ] || { bad "missing ${need:-pnmtopng} (make helpers; scripts/install-deps.sh --all)"; finish; exit 1; }
done

# The rig's disk: the package and the guest's scripts, read-only in the
# guest at /rig; the image itself is never written (snapshot=on).
mkdir "$TMP/rig"
cp "$DEB" "$TMP/rig/"
cp "$TOP/tests/vm/guest/lib.sh" "$TMP/rig/lib.sh"
cp "$TOP/tests/vm/guest/systemd.sh" "$TMP/rig/guest.sh"
mkfs.ext4 -q -d "$TMP/rig" "$TMP/rig.img" 32M || { bad "mkfs.ext4 of the rig's disk"; finish; exit 1; }

VM_MEM=1024 VM_SMP=2 VM_APPEND=video=800x480 \
	VM_CMDLINE="root=/dev/vda rw console=ttyS0 quiet loglevel=1 systemd.show_status=false fsck.mode=skip panic=-1" \
	vm_start -vga std \
	-drive file="$ROOTFS/rootfs.img",if=virtio,format=raw,snapshot=on \
	-drive file="$TMP/rig.img",if=virtio,format=raw,readonly=on \
	-chardev pty,id=s1 -serial chardev:s1 \
	-device qemu-xhci,id=usbc -chardev pty,id=u1 -device usb-serial,bus=usbc.0,chardev=u1

# The sensors' far ends, opened before the guest talks (a pty drops what
# is written while nothing holds it): a JXCT soil probe at address 1
# behind the USB adapter, an XY-MD02 air sensor at 3 on the UART.
declare -A PROBE_PID
for dev in u1 s1; do
	pty=$(qmp_pty "$dev")
	[ -c "$pty" ] || { bad "no pty for $dev (query-chardev)"; continue; }
	mkfifo "$TMP/probe-$dev.ctl"
	case $dev in u1) probe=1:soil-jxct ;; s1) probe=3:air-xymd02 ;; esac
	"$SIM_PROBE" --control "$TMP/probe-$dev.ctl" --probe "$probe" "$pty" \
		</dev/null 2>>"$TMP/probe-$dev.log" &
	PROBE_PID[$dev]=$!
done

# probe DEV COMMAND...: tell one line's probes something ("u1 1 set moisture 41.2").
at_probe() {
	local dev=$1
	shift
	echo "$*" >"$TMP/probe-$dev.ctl"
}

vm_serve 600
for pid in "${PROBE_PID[@]}"; do kill "$pid" 2>/dev/null; done
echo "     | the whole run took $((SECONDS - started)) s"
finish
