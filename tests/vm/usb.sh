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

vm_start -device qemu-xhci,id=usbc \
	-blockdev driver=file,node-name=stickfile,filename="$STICK" \
	-blockdev driver=raw,node-name=stick,file=stickfile

# Each plug is a new device on the same drive (qemu keeps a -blockdev
# drive when its device goes).
PLUGS=0
at_plug() {
	PLUGS=$((PLUGS + 1))
	qmp "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"usb-storage\",
		\"bus\":\"usbc.0\",\"drive\":\"stick\",\"id\":\"us$PLUGS\",\"removable\":true}}" \
		>/dev/null || bad "qemu would not plug the stick in"
}

at_pull() {
	qmp "{\"execute\":\"device_del\",\"arguments\":{\"id\":\"us$PLUGS\"}}" >/dev/null &&
		qmp_event DEVICE_DELETED || bad "qemu would not pull the stick out"
}

vm_serve 180

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
finish
