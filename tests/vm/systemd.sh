#!/bin/bash
# The Debian package under systemd, as on a board: Debian bookworm with its
# own kernel (6.1) and systemd 252, booted under qemu from a debootstrapped
# image (tests/vm/rootfs.sh, made once); the amd64 package that `make deb`
# built is installed in the guest with apt, started by its postinst, and
# used and removed there (tests/vm/guest/systemd.sh); in between, new
# versions and settings come on the office's sticks, made here with a
# release key of this run's, and the power is cut in the middle of dpkg
# (tests/vm/guest/update.sh): the machine boots again from its disk as the
# cut left it. The screen is qemu's standard VGA at 800x480 (Debian's
# bochs DRM driver, fbcon on tty1); the sensors are sim_probe here, behind
# a USB serial adapter (qemu's usb-serial, an FTDI: the guest's
# /dev/ttyUSB0) and the guest's second 8250 UART (/dev/ttyS1); the sticks
# are qemu's usb-storage. Screenshots go to build/vm/systemd-NAME.png.
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
for need in "$SIM_PROBE" "$(command -v pnmtopng)" "$(command -v mkfs.ext4)" "$(command -v qemu-img)" \
	"$(command -v mkfs.vfat)" "$(command -v mcopy)" "$(command -v openssl)"; do
	[ -x "$need" ] || { bad "missing ${need:-a tool: pnmtopng, qemu-img, mkfs.vfat, mcopy or openssl} (make helpers; scripts/install-deps.sh --all)"; finish; exit 1; }
done
FS=$B/fieldstation

# The cooperative's release key, new for each run, and the package as a
# cooperative builds it for its stations (make deb RELEASE_KEY=): the
# version installed first, with the key's public half in it.
mkdir "$TMP/rig" "$TMP/office"
"$FS" release-key new "$TMP/office/release.key" >/dev/null || { bad "fieldstation release-key new"; finish; exit 1; }
KEY=$TMP/office/release.key
running=$(dpkg-deb -f "$DEB" Version)
arch=$(dpkg-deb -f "$DEB" Architecture)
"$TOP/tests/remake-deb.sh" "$DEB" "$TMP/rig/${DEB##*/}" --release-key "$KEY.pub" ||
	{ bad "the package with the release key in it (tests/remake-deb.sh)"; finish; exit 1; }

# The office's sticks, one image each (FAT on the whole device, as
# tests/vm/guest/update.sh plugs them): made of the package by
# tests/remake-deb.sh as tests/deb-update.sh makes its own, and signed by
# fieldstation publish-update with the release key; an unsigned one, an
# older version, another board's, a version that cannot start, a good one
# and one the power is cut under.
remake() { # NAME remake-deb's options...: $TMP/office/NAME.deb
	local name=$1
	shift
	"$TOP/tests/remake-deb.sh" "$DEB" "$TMP/office/$name.deb" --release-key "$KEY.pub" "$@" ||
		bad "tests/remake-deb.sh for the stick $name"
}
stick_image() { # NAME: $TMP/stick-NAME.img of the folder $TMP/stick-NAME
	rm -f "$TMP/stick-$1.img"
	mkfs.vfat -n OFFICE -C "$TMP/stick-$1.img" 16384 >/dev/null &&
		mcopy -s -i "$TMP/stick-$1.img" "$TMP/stick-$1"/* :: || bad "the stick image $1"
}
update_stick() { # NAME: the package NAME.deb, signed, on the stick NAME
	mkdir -p "$TMP/stick-$1"
	"$FS" publish-update "$TMP/office/$1.deb" --to "$TMP/stick-$1" --key "$KEY" >/dev/null ||
		bad "publish-update for the stick $1"
	stick_image "$1"
}
other=arm64
[ "$arch" = arm64 ] && other=armhf
remake unsigned --version 0.2.0 && mkdir -p "$TMP/stick-unsigned/fieldstation-update" &&
	cp "$TMP/office/unsigned.deb" "$TMP/stick-unsigned/fieldstation-update/fieldstation_0.2.0_$arch.deb" &&
	stick_image unsigned
remake older --version 0.0.9 && update_stick older
remake board --version 0.2.0 --arch "$other" && update_stick board
remake crash --version 0.3.0 --crash && update_stick crash
remake good --version 0.2.0 && update_stick good
remake cut --version 0.4.0 && update_stick cut
echo "$running $arch $other" >"$TMP/rig/versions"

# The rig's disk: the package and the guest's scripts, read-only in the
# guest at /rig. The image itself is never written: the guest writes to
# an overlay of it (qcow2), which a power cut leaves as the cut left it
# for the next boot.
cp "$TOP/tests/vm/guest/lib.sh" "$TMP/rig/lib.sh"
cp "$TOP/tests/vm/guest/systemd.sh" "$TMP/rig/guest.sh"
cp "$TOP/tests/vm/guest/update.sh" "$TMP/rig/update.sh"
mkfs.ext4 -q -d "$TMP/rig" "$TMP/rig.img" 32M || { bad "mkfs.ext4 of the rig's disk"; finish; exit 1; }
qemu-img create -q -f qcow2 -F raw -b "$ROOTFS/rootfs.img" "$TMP/disk.qcow2" ||
	{ bad "qemu-img: an overlay of the image"; finish; exit 1; }

# probe DEV COMMAND...: tell one line's probes something ("u1 1 set moisture 41.2").
at_probe() {
	local dev=$1
	shift
	echo "$*" >"$TMP/probe-$dev.ctl"
}

# plug NAME: the stick NAME plugged in (a new drive and device each
# time); pull: the last one plugged, pulled out.
PLUGS=0
at_plug() {
	PLUGS=$((PLUGS + 1))
	local out
	out=$(qmp "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"raw\",\"node-name\":\"st$PLUGS\",
		\"file\":{\"driver\":\"file\",\"filename\":\"$TMP/stick-$1.img\"}}}") &&
		out=$(qmp "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"usb-storage\",
		\"bus\":\"usbc.0\",\"drive\":\"st$PLUGS\",\"id\":\"us$PLUGS\",\"removable\":true}}") ||
		bad "qemu would not plug the stick $1 in: $out"
}
at_pull() {
	local out
	out=$(qmp "{\"execute\":\"device_del\",\"arguments\":{\"id\":\"us$PLUGS\"}}") &&
		qmp_event "DEVICE_DELETED.*\"device\": *\"us$PLUGS\"" || bad "qemu would not pull the stick out: $out"
}

# settings_stick NAME BASE64: the settings the guest sent (its own file,
# changed) on the stick NAME, signed with the release key. good: by
# publish-settings, which checks them first; bad: by someone with the key
# who bypassed that check (openssl, Ed25519 over the description framed
# as src/signing.c frames it), so that the station's own check is what
# finds the mistake.
at_settings_stick() {
	local name=$1 d=$TMP/stick-$1/fieldstation-settings ini=$TMP/office/$1.ini desc seed
	echo "$2" | base64 -d >"$ini"
	mkdir -p "$d"
	if [ "$name" = settings-good ]; then
		"$FS" publish-settings "$ini" --to "$TMP/stick-$name" --key "$KEY" >"$TMP/office/publish.log" 2>&1 ||
			bad "publish-settings refused the good settings" "$(cat "$TMP/office/publish.log")"
	else
		cp "$ini" "$d/PT01.ini"
		desc=$d/PT01.settings
		printf '# fieldstation settings: a station'\''s configuration, signed by the cooperative'\''s office\nformat: 1\nfile: PT01.ini\nsize: %s\nsha256: %s\nstation: PT01\nmade: %s\nkey: %s\n' \
			"$(stat -c %s "$ini")" "$(sha256sum <"$ini" | cut -d' ' -f1)" "$(date +%s)" \
			"$(sed -n 's/^public: //p' "$KEY.pub")" >"$desc"
		seed=$(sed -n 's/^seed: //p' "$KEY")
		# The seed as a PKCS#8 DER key: its fixed Ed25519 prefix, then it.
		printf "$(printf '302e020100300506032b657004220420%s' "$seed" | sed 's/../\\x&/g')" |
			openssl pkey -inform DER -out "$TMP/office/key.pem" 2>/dev/null
		{ printf 'fieldstation settings\0'; cat "$desc"; } >"$TMP/office/signed"
		echo "signature: $(openssl pkeyutl -sign -inkey "$TMP/office/key.pem" -rawin -in "$TMP/office/signed" |
			od -An -v -tx1 | tr -d ' \n')" >>"$desc"
		rm -f "$TMP/office/key.pem"
	fi
	stick_image "$name"
}

# powercut: the machine off at once, mid-sentence (qemu quits): the
# overlay keeps what the guest's disk had been given, and nothing of what
# its page cache still held.
# Its arguments go to the next boot, as rignote=A,B on its command line.
at_powercut() {
	qmp '{"execute":"quit"}' >/dev/null
	VM_OFF=1
	CUT_NOTE=$(IFS=,; echo "$*")
}

# boot N: the machine started (again) from the overlay, its sensors' far
# ends opened before the guest talks (a pty drops what is written while
# nothing holds it): a JXCT soil probe at address 1 behind the USB
# adapter, an XY-MD02 air sensor at 3 on the UART. The guest's script
# knows which boot it is in from rigboot=N. Its clock starts a quarter of
# an hour before the date the guest sets (07:00, 08:00, 08:30 +07 on the
# host's day; guest/systemd.sh), after what the boot before recorded:
# the date moves forward once the installer's run at boot is under way,
# as a farmer or the network sets it on a board without a real-time clock.
declare -A PROBE_PID
rtc_at() {
	local midnight
	midnight=$(date -u -d "$(date +%F) 00:00" +%s)
	case $1 in
	1) date -u -d "@$((midnight - 900))" +%FT%T ;;
	2) date -u -d "@$((midnight + 2700))" +%FT%T ;;
	*) date -u -d "@$((midnight + 4500))" +%FT%T ;;
	esac
}
CUT_NOTE=
boot() {
	local dev pty probe
	VM_OFF=
	VM_MEM=1024 VM_SMP=2 VM_APPEND="video=800x480 rigboot=$1${CUT_NOTE:+ rignote=$CUT_NOTE}" \
		VM_CMDLINE="root=/dev/vda rw console=ttyS0 quiet loglevel=1 systemd.show_status=false fsck.mode=skip panic=-1" \
		vm_start -vga std -rtc base="$(rtc_at "$1")" \
		-drive file="$TMP/disk.qcow2",if=virtio,format=qcow2 \
		-drive file="$TMP/rig.img",if=virtio,format=raw,readonly=on \
		-chardev pty,id=s1 -serial chardev:s1 \
		-device qemu-xhci,id=usbc -chardev pty,id=u1 -device usb-serial,bus=usbc.0,chardev=u1
	for dev in u1 s1; do
		pty=$(qmp_pty "$dev")
		[ -c "$pty" ] || { bad "no pty for $dev (query-chardev)"; continue; }
		rm -f "$TMP/probe-$dev.ctl"
		mkfifo "$TMP/probe-$dev.ctl"
		case $dev in u1) probe=1:soil-jxct ;; s1) probe=3:air-xymd02 ;; esac
		"$SIM_PROBE" --control "$TMP/probe-$dev.ctl" --probe "$probe" "$pty" \
			</dev/null 2>>"$TMP/probe-$dev.log" &
		PROBE_PID[$dev]=$!
	done
	vm_serve 900
	for pid in "${PROBE_PID[@]}"; do kill "$pid" 2>/dev/null; done
}

n=1
boot $n
while [ -n "$VM_OFF" ] && [ "$n" -lt 4 ]; do
	n=$((n + 1))
	echo "     | $((SECONDS - started)) s: the power comes back (boot $n)"
	boot $n
done
echo "     | the whole run took $((SECONDS - started)) s"
finish
