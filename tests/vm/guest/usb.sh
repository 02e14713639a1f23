# The guest half of usb.sh.
. /rig/lib.sh

host plug
if wait_until 10 test -b /dev/sda1; then
	ok "a plugged stick appears as /dev/sda1"
else
	bad "no /dev/sda1 after the plug" "$(ls /dev/sd* 2>&1)"
fi
check "and says it is removable" test "$(cat /sys/block/sda/removable 2>/dev/null)" = 1
mkdir -p /mnt/stick
check "it mounts as FAT with UTF-8 names" mount -t vfat -o utf8 /dev/sda1 /mnt/stick
check "a Vietnamese file name written by the host is read intact" \
	test -f "/mnt/stick/Nhật ký tưới.csv"
check "and its Vietnamese content" \
	test "$(cat "/mnt/stick/Nhật ký tưới.csv")" = "$(printf 'Ngày,Khu,Phút\n01/06/2026,Mít ruột đỏ,30')"
printf 'Lô,Khối lượng (kg)\nVS-0601,120,5\n' >"/mnt/stick/Thu hoạch vú sữa.csv"
umount /mnt/stick
host pull
if wait_until 5 sh -c '! test -e /sys/block/sda'; then
	ok "a pulled stick's disk leaves the kernel"
else
	bad "/sys/block/sda is still there after the pull"
fi

# A station that ran for a while on the simulator: readings and a pump run.
DB=/tmp/station.db
CFG=/rig/config/demo.ini
console_start --config "$CFG" --db "$DB" --clock 2026-06-01T05:00 --clock-speed 600
expect "1 Độ ẩm đất" "a simulated station runs to have records to copy"
press KP2 KP1 KP3 KP0 KPEnter KPEnter KPEnter
expect "Bơm đang chạy: 1" "a pump runs"
sleep 3
kill -TERM "$(pidof fieldstation)"
wait_until 10 on_screen "[exit 0]"
t kill-server
db_sum=$(sha256sum <"$DB")

export_to() {
	fieldstation --config "$CFG" --db "$DB" --clock 2026-06-01T08:00 export --to /mnt/stick
}
# The sd device the stick is now, once it is there.
stick_dev() { ls /dev/sd?1 2>/dev/null | head -n 1; }
stick_there() { [ -n "$(stick_dev)" ]; }
# plug_and_mount WHY: as the board's automounter would. Nothing after it
# means anything without the stick, so the scenario stops if it fails.
plug_and_mount() {
	host plug
	wait_until 10 stick_there && mount -t vfat -o utf8 "$(stick_dev)" /mnt/stick
	if grep -q " /mnt/stick vfat " /proc/mounts; then
		ok "plugged in again: $(stick_dev) mounted ($1)"
	else
		bad "the stick did not come back ($1)" "$(ls /dev/sd* 2>&1)"
		exit 1
	fi
}
# verify FOLDER: every file against the manifest's SHA-256.
verify() {
	(cd "$1" && grep '^[0-9a-f]\{64\}  ' manifest.txt | sha256sum -c -s -)
}

plug_and_mount "to export"
dmesg -c >/dev/null
out=$(export_to 2>&1)
rc=$?
F=/mnt/stick/PT01_2026-06-01
if [ $rc = 0 ] && [ "$out" = "Đã ghi và đọc lại để kiểm tra: $F" ]; then
	ok "fieldstation export --to the stick: written and read back"
else
	bad "export: exit $rc" "$out"
fi
# Said to be done, the stick is pulled out at once, without unmounting,
# as a leader would.
host pull
lost=$(dmesg | grep -c "lost async page write")
check "pulled out at once, the kernel had nothing left to write to it ($lost writes lost)" \
	test "$lost" = 0
umount -l /mnt/stick
plug_and_mount "after pulling it out at once"
check "on FAT, every file matches the manifest's SHA-256" verify "$F"
check "the irrigation diary keeps its Vietnamese on FAT" grep -q "Mít ruột đỏ" "$F/nhat-ky-tuoi.csv"
check "and FAT finds nothing wrong with the stick" sh -c '! dmesg | grep -q "FAT-fs (sd[a-z][0-9]*): error"'
umount /mnt/stick
host pull

# Pulled out in the middle of an export.
plug_and_mount "to pull it out mid-way"
host stick_speed 65536
export_to >/tmp/export.out 2>&1 &
epid=$!
if wait_until 30 sh -c 'ls -d /mnt/stick/*_CHUA-XONG >/dev/null 2>&1'; then
	ok "the export is under way, in a folder marked _CHUA-XONG"
else
	bad "no _CHUA-XONG folder appeared" "$(ls -la /mnt/stick; cat /tmp/export.out)"
fi
host pull
wait "$epid"
rc=$?
out=$(cat /tmp/export.out)
check "pulled out mid-way, the export fails (exit $rc)" test "$rc" = 1
if [ "$out" = "USB đã bị rút ra, hoặc không trả lời, trước khi chép xong. Hãy cắm lại và chép lại." ]; then
	ok "with one clear sentence: $out"
else
	bad "the export said" "$out"
fi
check "the station's database is untouched" test "$(sha256sum <"$DB")" = "$db_sum"
check "and whole (fieldstation check)" sh -c "fieldstation --config $CFG --db $DB check | grep -q 'Cơ sở dữ liệu .*: tốt'"
umount -l /mnt/stick
host stick_speed 0
plug_and_mount "to see what the pull left"
# Beside the first export, only a folder marked unfinished may be left.
left=
complete=
for d in /mnt/stick/*/; do
	d=$(basename "$d")
	left="$left $d"
	case $d in
	PT01_2026-06-01 | *_CHUA-XONG) ;;
	*) complete="$complete $d" ;;
	esac
done
if [ -z "$complete" ]; then
	ok "no complete-looking export was left (folders:$left)"
else
	bad "complete-looking folders on the stick:$complete"
fi
check "the first export is still whole" verify "$F"
umount /mnt/stick
host pull

# The console, as a leader uses it. The board mounts sticks the way the
# station ships for boards without systemd: busybox mdev runs
# scripts/fieldstation-stick, with the mdev.conf line from its header.
mkdir -p /usr/local/lib/fieldstation /media /etc
cp /rig/scripts/fieldstation-stick /usr/local/lib/fieldstation/
sed -n 's|^#   /etc/mdev.conf:  ||p' /rig/scripts/fieldstation-stick >/etc/mdev.conf
mdev -d
# Where the helper mounted the stick, if it did.
media() { sed -n 's|^/dev/sd[a-z][0-9]* \(/media/usb-sd[a-z][0-9]*\) vfat .*|\1|p' /proc/mounts | tail -n 1; }

console_start --config "$CFG" --db "$DB" --clock 2026-06-01T09:00
expect "5 Chép ra USB" "the console runs, for a copy on the keypad"
host plug
expect "Đã cắm USB" "a stick plugged in: the home screen says so, no key pressed" 15
check "the shipped helper mounted it (at $(media))" test -n "$(media)"
opts=$(sed -n "s|^/dev/sd[a-z][0-9]* $(media) vfat \([^ ]*\) .*|\1|p" /proc/mounts | tail -n 1)
missing=
for o in nosuid nodev noexec nosymfollow; do
	case ",$opts," in *",$o,"*) ;; *) missing="$missing $o" ;; esac
done
check "nothing on it runs, and no link on it is followed (${missing:+without$missing: }$opts)" \
	test -z "$missing"
press KP2 KP1 KPEnter KPEnter KPEnter
expect "Bơm đang chạy: 1" "a pump runs meanwhile"
dmesg -c >/dev/null
press KP/ KP5
expect "Có thể rút USB ra." "5: copied and read back, then it may be pulled out" 30
M=$(media)
host pull
lost=$(dmesg | grep -c "lost async page write")
check "pulled out at once, the kernel had nothing left to write to it ($lost writes lost)" \
	test "$lost" = 0
expect "Hãy cắm USB vào trạm." "pulled out: the screen asks for a stick" 15

# Pulled out while the console copies to it.
host stick_speed 65536
host plug
expect "Đang chép ra USB. Đừng rút USB ra." "plugged in while the screen waits: the copy starts by itself" 15
host pull
expect "USB đã bị rút ra, hoặc không trả lời, trước khi" "pulled out mid-copy: one sentence on the screen" 15
sleep 2
expect "Enter: thử lại" "which stays there, with the way to try again" 1
expect "Bơm đang chạy: 1" "and the pump runs on"
check "the station's database is whole (fieldstation check)" \
	sh -c "fieldstation --config $CFG --db $DB check | grep -q 'Cơ sở dữ liệu .*: tốt'"
host stick_speed 0
media_there() { [ -n "$(media)" ]; }
host plug
wait_until 15 media_there
M=$(media)
check "plugged back, the copy made on the keypad is whole" verify "$M/PT01_2026-06-01_2"
complete=
for d in "$M"/*/; do
	d=$(basename "$d")
	case $d in
	PT01_2026-06-01 | PT01_2026-06-01_2 | *_CHUA-XONG) ;;
	*) complete="$complete $d" ;;
	esac
done
if [ -n "$M" ] && [ -z "$complete" ]; then
	ok "and nothing complete-looking is left of the copy pulled out mid-way"
else
	bad "after the pull the stick (${M:-not mounted}) holds:$complete"
fi
if dmesg | grep -q "FAT-fs (sd[a-z][0-9]*): error"; then
	bad "FAT found something wrong with the stick" "$(dmesg | grep FAT-fs)"
else
	ok "FAT finds nothing wrong with the stick"
fi
kill -TERM "$(pidof fieldstation)"
expect "[exit 0]" "the station stops cleanly"
