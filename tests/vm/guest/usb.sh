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
