#!/bin/bash
# The real serial driver (libserialport) against simulated Modbus probes
# (tests/sim_probe.c) on a pseudo-terminal: values on the screen, lost and
# broken sensors marked and logged within two polls while the others go
# on, nothing kept from a bad frame, a flooded line survived, and an
# unplugged adapter read again when it comes back, without a restart.
#
# The pseudo-terminal stands in for a tty node that libserialport opens:
# see libpty.sh.

. "$(dirname "$0")/libpty.sh"
pty_namespace "$0" "$@"
. "$(dirname "$0")/lib.sh"
pty_setup

DB="$TMP/station.db"
LINK="$TMP/adapter"	# what the config names, like /dev/serial/by-id/...

if ! pty_node tty10 tty11 tty12 tty20 tty30 tty40 tty63 ttyS3 ttyS2 ttyS1; then
	echo "SKIP serial.sh: no tty node with a /sys/class/tty entry on this machine"
	exit 77
fi
echo "serial.sh: the probes' pseudo-terminal stands in for $NODE"
PROBES="--probe 1:soil-jxct --probe 2:soil-0000 --probe 3:air-xymd02"

cat >"$TMP/serial.ini" <<EOF
[station]
name = Trạm thử RS485
code = SR01
poll_seconds = 5
flush_minutes = 1

[zone.mit]
name = Mít ruột đỏ

[zone.tieu]
name = Tiêu

[sensor.soil1]
driver = modbus
zone = mit
port = $LINK
model = soil-jxct
address = 1
timeout_ms = 150
retries = 1

[sensor.soil2]
driver = modbus
zone = tieu
port = $LINK
model = soil-0000
baud = 9600
address = 2
timeout_ms = 150
retries = 1

[sensor.air]
driver = modbus
port = $LINK
model = air-xymd02
address = 3
timeout_ms = 150
retries = 1
EOF

rows() { rsql "$DB" "SELECT count(*) FROM r WHERE sensor = '$1'"; }
events() { sql "$DB" "SELECT count(*) FROM events WHERE kind = '$1' AND source = '$2' AND detail LIKE '$3'"; }

plug rs485 "$NODE" "$LINK" $PROBES
# Station time runs 10 times faster: a poll every half second, readings
# written every 6 seconds. Timeouts stay real milliseconds.
start_preloaded ser --config "$TMP/serial.ini" --db "$DB" --clock-speed 10
expect ser "1 Độ ẩm đất" "the station starts on the RS485 line"
press ser KP1
expect ser "Mít ruột đỏ" "moisture screen"
expect ser "Không khí: 29,3 °C, độ ẩm 78%" "XY-MD02 air sensor at address 3"
probe rs485 3 set temperature -5.3
expect ser "Không khí: -5,3 °C" "a negative temperature keeps its sign"
press ser KP1
expect ser "Đầu đo 1: 28,7% 25,9 °C 380 µS/cm pH 6,4" "the JXCT probe at address 1, every register" 3
m=$(value_after ser "Mít ruột đỏ")
[ "$m" = "28.7" ] && ok "JXCT probe at address 1 reads 28,7 %" || bad "JXCT moisture '$m'" ser
press ser KP0 KP2
expect ser "Đầu đo 2: 31,5% 26,4 °C 420 µS/cm pH 6,5" "the 0x0000 probe at address 2" 3
probe rs485 2 set moisture 33.3
expect ser "Tiêu 33,3%" "a new value shows at the next poll" 3

# Address 1 stops answering: lost within two polls (1 s), logged, the
# others still read.
press ser KP0
probe rs485 1 silent
expect ser "Mất kết nối cảm biến" "a silent probe is shown as lost" 2
n=$(events sensor_lost soil1 "không trả lời")
[ "$n" -ge 1 ] && ok "and logged as lost: không trả lời" || bad "sensor_lost event ($n)"
probe rs485 2 set moisture 34.6
press ser KP2
expect ser "Tiêu 34,6%" "the probe beside it is still read" 3
press ser KP0 KP1
expect ser "Đầu đo 1: Mất kết nối cảm biến" "the zone shows which probe is lost"

# Bad CRC: marked, and nothing of it stored.
probe rs485 1 badcrc
expect ser "Đầu đo 1: giá trị sai" "answers with a bad CRC: wrong value" 3
# Batches of readings reach the database each minute: from the next one
# on, nothing of soil1 while soil2 goes on.
grown() { [ "$(rows soil2)" -gt "$1" ]; }
until_true 70 grown "$(rows soil2)"
before=$(rows soil1)
before2=$(rows soil2)
until_true 70 grown "$before2"
after=$(rows soil1)
after2=$(rows soil2)
[ "$before" = "$after" ] && ok "nothing stored from bad frames ($before rows)" || bad "soil1 rows grew $before -> $after"
[ "$after2" -gt "$before2" ] && ok "the good probe's readings are stored ($before2 -> $after2)" || bad "soil2 rows $before2 -> $after2"
n=$(events sensor_bad_frame soil1 "trả lời sai dạng (sai mã kiểm tra CRC)")
[ "$n" -ge 1 ] && ok "logged: bad CRC" || bad "bad CRC event ($n)"

# Exception replies, garbage, an impossible value.
probe rs485 1 ok
expect ser "Đầu đo 1: 28,7%" "answering well again, the probe is read again" 3
probe rs485 1 exception 2
expect ser "Đầu đo 1: giá trị sai" "an exception reply is a wrong value" 3
n=$(events sensor_bad_frame soil1 "đầu đo từ chối: không có thanh ghi này (mã 02, thanh ghi 0x00__)")
[ "$n" -ge 1 ] && ok "and logged in words, with its code and register" || bad "exception event ($n)"
probe rs485 1 ok
expect ser "Đầu đo 1: 28,7%" "and read again after it" 3
probe rs485 1 set moisture 6553.5
expect ser "Đầu đo 1: giá trị sai" "an impossible moisture (0xFFFF) is a wrong value" 3
n=$(events sensor_bad_value soil1 "độ ẩm đất 6.553,5% không thể đúng")
[ "$n" -ge 1 ] && ok "logged with the value" || bad "bad value event ($n)"
probe rs485 1 set moisture 29.1
expect ser "Đầu đo 1: 29,1%" "a possible value again" 3
bad_frames() { sql "$DB" "SELECT count(*) FROM events WHERE source = 'soil1' AND kind = 'sensor_bad_frame'"; }
frames=$(bad_frames)
probe rs485 1 garbage
expect ser "Đầu đo 1: giá trị sai" "garbage is a wrong value" 3
# One more bad frame than before the garbage: the bad CRC and the
# exception reply are already logged as bad frames.
more_frames() { [ "$(bad_frames)" -gt "$frames" ]; }
until_true 5 more_frames && ok "garbage is logged as a bad frame ($frames before it, $(bad_frames) after)" ||
	bad "garbage events: $(bad_frames), $frames before it"
probe rs485 1 ok

# A device floods the line: the bus is jammed, the station is not.
press ser KP0
probe rs485 flood on
both_marked() { n=$(screen ser | grep -c "giá trị sai"); [ "$n" = 2 ]; }
until_true 12 both_marked && ok "a flooded line: both zones on it are marked" || bad "flooded line: $n zones marked" ser
press ser KP0
expect ser "1 Độ ẩm đất" "keys still answered during the flood"
press ser KP1 KP1
probe rs485 flood off
expect ser "Đầu đo 1: 29,1%" "after the flood the probes are read again" 4

# The adapter is pulled out, then plugged back in.
pid=$(pgrep -f "^$BIN .*--db $DB")
unplug rs485 "$NODE" "$LINK"
expect ser "Đầu đo 1: Mất kết nối cảm biến" "unplugged: the sensors are lost" 3
port_gone() { n=$(events sensor_lost air "%cổng nối tiếp%"); [ "$n" -ge 1 ]; }
until_true 5 port_gone && ok "logged: the port is gone" || bad "port event ($n)"
plug rs485 "$NODE" "$LINK" $PROBES
expect ser "Đầu đo 1: 28,7%" "plugged back: read again without a restart" 4
press ser KP0
expect ser "Không khí: 29,3 °C" "the air sensor too"
[ "$(pgrep -f "^$BIN .*--db $DB")" = "$pid" ] && ok "the same station process" || bad "station restarted"

stop_station "$DB" TERM
expect ser "[exit 0]" "the station stops cleanly"
finish
