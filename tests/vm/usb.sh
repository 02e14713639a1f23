#!/bin/bash
# The USB stick: a FAT32 disk image that qemu plugs into an emulated xHCI
# controller as a usb-storage device, and pulls out, while the guest runs.
. "$(dirname "$0")/lib.sh"

STICK=$TMP/stick.img
NOTE='Nhật ký tưới.csv'
NOTE_TEXT=$'Ngày,Khu,Phút\n01/06/2026,Mít ruột đỏ,30\n'

# A 64 MiB stick as shops sell them, smaller: an MBR, one FAT32 partition
# from 1 MiB, and a file with a Vietnamese name put there by this host.
truncate -s 64M "$STICK"
echo 'start=2048, type=c' | sfdisk -q "$STICK"
mkfs.vfat -F 32 -n FIELDSTICK --offset 2048 "$STICK" $((63 * 1024)) >/dev/null
printf '%s' "$NOTE_TEXT" >"$TMP/note"
mcopy -i "$STICK@@1M" "$TMP/note" "::$NOTE"

# The stick's writes pass a throttle, opened wide until the guest asks for
# a slow stick, so that it can be pulled out in the middle of an export.
vm_start -device qemu-xhci,id=usbc \
	-object throttle-group,id=stickspeed \
	-blockdev driver=file,node-name=stickfile,filename="$STICK" \
	-blockdev driver=raw,node-name=stickraw,file=stickfile \
	-blockdev driver=throttle,node-name=stick,throttle-group=stickspeed,file=stickraw

# Each plug is a new device on the same drive (qemu keeps a -blockdev
# drive when its device goes).
PLUGS=0
at_plug() {
	PLUGS=$((PLUGS + 1))
	local out
	out=$(qmp "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"usb-storage\",
		\"bus\":\"usbc.0\",\"drive\":\"stick\",\"id\":\"us$PLUGS\",\"removable\":true}}") ||
		bad "qemu would not plug the stick in: $out"
}

at_pull() {
	local out
	out=$(qmp "{\"execute\":\"device_del\",\"arguments\":{\"id\":\"us$PLUGS\"}}") &&
		qmp_event "DEVICE_DELETED.*\"device\": *\"us$PLUGS\"" || bad "qemu would not pull the stick out: $out"
}

# at_stick_speed BYTES: how many bytes a second the stick writes (0: no limit).
at_stick_speed() {
	local out
	out=$(qmp "{\"execute\":\"qom-set\",\"arguments\":{\"path\":\"/objects/stickspeed\",
		\"property\":\"limits\",\"value\":{\"bps-write\":$1}}}") ||
		bad "qemu would not set the stick's speed: $out"
}

vm_serve 240

# What the guest wrote, read back here from the image by mtools.
name='Thu hoạch vú sữa.csv'
if mdir -b -i "$STICK@@1M" "::/" 2>/dev/null | grep -qxF "::/$name"; then
	ok "a Vietnamese file name written in the guest reads back intact from FAT"
else
	bad "no \"$name\" on the stick:" && mdir -i "$STICK@@1M" "::/" | sed 's/^/     | /'
fi
got=$(mtype -i "$STICK@@1M" "::/$name" 2>/dev/null)
[ "$got" = $'Lô,Khối lượng (kg)\nVS-0601,120,5' ] &&
	ok "and so does its Vietnamese content" || bad "its content reads \"$got\""

# The export as an office computer would read it from the stick: copied
# off by another FAT implementation, checked by GNU sha256sum.
if mcopy -s -n -i "$STICK@@1M" ::/PT01_2026-06-01 "$TMP/" 2>/dev/null &&
	(cd "$TMP/PT01_2026-06-01" && sha256sum --quiet -c manifest.txt); then
	ok "copied off the image by mtools, the export matches its manifest (sha256sum -c)"
else
	bad "the export read from the image by mtools does not match its manifest"
fi
grep -q "Mít ruột đỏ" "$TMP/PT01_2026-06-01/nhat-ky-tuoi.csv" 2>/dev/null &&
	ok "its irrigation diary reads in Vietnamese off the image" || bad "no Vietnamese in the diary off the image"
finish
