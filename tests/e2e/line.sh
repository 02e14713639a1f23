#!/bin/bash
# The line protocol of a microcontroller node (tests/sim_probe.c --line)
# through the real serial driver: raw counts until calibrated; calibration
# from live counts on the keypad; a bad checksum, a count outside the
# calibration and a silent channel marked and logged while the other
# channel goes on; then the adapter moves to another port and is picked
# on the keypad from Settings, Serial ports, without a restart, and stays
# picked across one. Root only: see libpty.sh.
. "$(dirname "$0")/libpty.sh"
pty_namespace "$0" "$@"
. "$(dirname "$0")/lib.sh"
pty_setup

DB="$TMP/station.db"
LINK="$TMP/node"	# what the config names, like /dev/serial/by-id/...

if ! pty_node tty11 tty12 tty13 tty21 tty31 tty41 tty62 ttyS3 ttyS2; then
	echo "SKIP line.sh: no tty node with a /sys/class/tty entry on this machine"
	exit 77
fi
NODE1=$NODE
echo "line.sh: the node's pseudo-terminal stands in for $NODE1"

cat >"$TMP/line.ini" <<EOF
[station]
name = Trạm thử mạch đo
code = LN01
poll_seconds = 5
flush_minutes = 1

[zone.mit]
name = Mít ruột đỏ

[zone.tieu]
name = Tiêu

[sensor.cap1]
driver = line
zone = mit
port = $LINK
model = soil-analog
channel = A0

[sensor.cap2]
driver = line
zone = tieu
port = $LINK
model = soil-analog
channel = A1
EOF

events() { sql "$DB" "SELECT count(*) FROM events WHERE kind = '$1' AND source = '$2' AND detail LIKE '$3'"; }

plug node "$NODE1" "$LINK" --line A0,A1
# Station time 10 times faster: a poll every half second. The node is
# first asked 2,5 s after its port opens, as a board restarts then.
start_preloaded ln --config "$TMP/line.ini" --db "$DB" --clock-speed 10
expect ln "1 Độ ẩm đất" "the station starts with a node on USB"
press ln KP1
expect ln "chưa hiệu chuẩn" "raw probes not calibrated yet" 5
press ln KP1
expect ln "Đầu đo 1: số thô 512, chưa hiệu chuẩn" "channel A0: its raw count" 5
probe node A1 raw 777
press ln KP0 KP2
expect ln "Đầu đo 2: số thô 777" "channel A1: its own count" 3

# Calibrate cap1 from live counts: in the air it reads 560, in water 300.
probe node A0 raw 560
press ln KP/ KP6 KP2 KP4 KP6 KP8 KPEnter KP2 KP4 KP6 KP8 KPEnter KP5
expect ln "1 cap1 (Mít ruột đỏ): chưa hiệu chuẩn" "the probes to calibrate"
press ln KP1
expect ln "Số đo bây giờ: 560" "step 1: the count in the air, live" 4
expect ln "[ 560 ]" "Enter would take it"
press ln KPEnter
expect ln "cap1, bước 2/2: trong nước" "step 2"
probe node A0 raw 300
expect ln "Số đo bây giờ: 300" "the count in water, live" 4
expect ln "[ 300 ]" "the entry follows the live count"
press ln KPEnter
expect ln "Lưu hiệu chuẩn cap1: khô 560, trong nước 300?" "asked once"
press ln KPEnter
expect ln "Đã hiệu chuẩn cap1: khô 560, trong nước 300." "calibrated"

# 430 lies half way between 560 and 300: 50 %.
probe node A0 raw 430
press ln KP/ KP1 KP1
expect ln "Đầu đo 1: 50,0%" "a count half way is 50 %" 3
expect ln "Mít ruột đỏ 50,0%" "the zone's moisture"

# A bad checksum, a count the calibration cannot explain, a silence.
probe node A0 badcrc
expect ln "Đầu đo 1: giá trị sai" "a bad checksum is a wrong value" 3
n=$(events sensor_bad_frame cap1 "dòng dữ liệu từ mạch đo sai mã kiểm tra")
[ "$n" -ge 1 ] && ok "logged: bad checksum" || bad "bad checksum events: $n"
probe node A0 ok
expect ln "Đầu đo 1: 50,0%" "good lines again" 3
probe node A0 raw 1023
expect ln "Đầu đo 1: giá trị sai" "1023 (an unplugged probe) is a wrong value" 3
n=$(events sensor_bad_value cap1 "số thô 1.023 nằm ngoài hiệu chuẩn (khô 560, trong nước 300)")
[ "$n" -ge 1 ] && ok "logged with the count and the calibration" || bad "outside events: $n"
n=$(rsql "$DB" "SELECT count(*) FROM r WHERE sensor = 'cap1' AND quantity = 'raw' AND value = 1023")
[ "$n" = 0 ] && ok "nothing kept of it" || bad "$n readings of 1023 kept"
probe node A0 raw 430
probe node A0 silent
expect ln "Đầu đo 1: Mất kết nối cảm biến" "a silent channel is lost" 3
n=$(events sensor_lost cap1 "mạch đo không gửi kênh A0")
[ "$n" -ge 1 ] && ok "logged: channel A0 not reported" || bad "channel events: $n"
press ln KP0 KP2
expect ln "Đầu đo 2: số thô 777" "the other channel goes on"
probe node A0 ok

# The adapter is moved to another socket: the configured port is gone.
# libserialport lists the ports whose tty has a driver in sysfs.
if [ ! -e /sys/class/tty/ttyS0/device/driver ] || ! pty_node ttyS0; then
	echo "SKIP (part) line.sh: no ttyS0 that libserialport lists: the port picking is not tried here"
	stop_station "$DB" TERM
	finish
	exit
fi
unplug node "$NODE1" "$LINK"
expect ln "Đầu đo 2: Mất kết nối cảm biến" "the node is gone" 3
plug moved /dev/ttyS0 "" --line A0,A1
probe moved A0 raw 430
press ln KP/ KP6 KP2 KP4 KP6 KP8 KPEnter KP6
expect ln "/dev/ttyS0" "Settings, Serial ports: the board's ports"
port_no=$(screen ln | grep -o "[1-9] /dev/ttyS0" | cut -c1)
press ln "KP$port_no"
expect ln "Chưa đọc cảm biến nào qua cổng này." "the port, and that it reads nothing"
press ln KPEnter
expect ln "1 cap1, cap2 ($LINK)" "which sensors, and the port they are read through"
press ln KP1
expect ln "Từ nay đọc cap1, cap2 qua /dev/ttyS0?" "asked once"
press ln KPEnter
expect ln "Từ nay cap1, cap2 được đọc qua /dev/ttyS0." "one line says what was done"
n=$(sql "$DB" "SELECT count(*) FROM port_choices WHERE port = '$LINK' AND chosen = '/dev/ttyS0'")
[ "$n" = 1 ] && ok "the choice is kept in the database" || bad "port choices: $n"
press ln KP/ KP1 KP1
expect ln "Đầu đo 1: 50,0%" "read through the port picked, without a restart" 6

# After a restart, still through the port picked. The fast clock has run
# ahead of the wall clock: start again an hour on, not before the records.
stop_station "$DB" TERM
wait_for ln "[exit 0]"
start_preloaded ln --config "$TMP/line.ini" --db "$DB" --clock-speed 10 \
	--clock "$(date -d '+1 hour' +%Y-%m-%dT%H:%M)"
expect ln "1 Độ ẩm đất" "started again"
press ln KP1 KP1
expect ln "Đầu đo 1: 50,0%" "still through the port picked" 6
press ln KP/ KP6 KP2 KP4 KP6 KP8 KPEnter KP6
expect ln "$port_no /dev/ttyS0 ttyS0: cap1, cap2" "the list says what each port reads"
press ln "KP$port_no"
expect ln "Đang đọc: cap1, cap2" "and so does the port"
stop_station "$DB" TERM
expect ln "[exit 0]" "the station stops cleanly"
finish
