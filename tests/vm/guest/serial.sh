# The guest half of serial.sh: the station's libserialport and Modbus
# driver on /dev/ttyS1, a real 8250 UART, with no preload and no bind
# mount: the port as the board has it.
. /rig/lib.sh

check "a second 8250 UART (16550A) is /dev/ttyS1" grep -q "^1: uart:16550A" /proc/tty/driver/serial
# The bytes through the UART, as its driver counts them.
uart_count() { sed -n "s/^1: .* $1:\([0-9]*\).*/\1/p" /proc/tty/driver/serial; }

cat >/tmp/serial.ini <<'INI'
[station]
name = Trạm thử RS485
code = SR01
poll_seconds = 5
flush_minutes = 1
database = /tmp/station.db

[zone.mit]
name = Mít ruột đỏ

[zone.tieu]
name = Tiêu

[sensor.soil1]
driver = modbus
zone = mit
port = /dev/ttyS1
model = soil-jxct
address = 1

[sensor.soil2]
driver = modbus
zone = tieu
port = /dev/ttyS1
model = soil-0000
baud = 9600
address = 2

[sensor.air]
driver = modbus
port = /dev/ttyS1
model = air-xymd02
address = 3
INI

host probe_start
tx=$(uart_count tx)
rx=$(uart_count rx)
console_start --config /tmp/serial.ini
expect "1 Độ ẩm đất" "the station starts with its sensors on /dev/ttyS1"
press KP1
expect "Không khí: 29,3 °C, độ ẩm 78%" "the XY-MD02 air sensor at address 3 reads through the UART" 15
press KP1
expect "Đầu đo 1: 28,7% 25,9 °C 380 µS/cm pH 6,4" "the JXCT probe at address 1, every register"
press KP0 KP2
expect "Đầu đo 2: 31,5% 26,4 °C 420 µS/cm pH 6,5" "the 0x0000 probe at address 2, every register"
if [ "$(uart_count tx)" -gt "$tx" ] && [ "$(uart_count rx)" -gt "$rx" ]; then
	ok "the 8250 driver counts the requests sent and the answers received (tx $(uart_count tx), rx $(uart_count rx))"
else
	bad "the UART's counters did not move: tx $tx -> $(uart_count tx), rx $rx -> $(uart_count rx)"
fi
host probe 2 set moisture 33.3
expect "Tiêu 33,3%" "a new value on the probe shows at the next poll" 15
press KP0

pid=$(pidof fieldstation)
host probe_quiet
expect "Mất kết nối cảm biến" "the host side goes quiet: the probes are shown as lost" 20
expect "Báo động: 3" "three sensors lost, three alarms on the bottom line"
n=$(sqlite3 -cmd '.timeout 2000' /tmp/station.db \
	"SELECT count(DISTINCT source) FROM events WHERE kind = 'sensor_lost' AND detail LIKE 'không trả lời%'")
[ "$n" = 3 ] && ok "each is logged as lost: không trả lời" || bad "sensor_lost events for $n sensors, not 3"

host probe_start
press KP1
expect "Đầu đo 1: 28,7%" "the probes answer again: read again without a restart" 15
check "by the same station process" test "$(pidof fieldstation)" = "$pid"
kill -TERM "$pid"
expect "[exit 0]" "the station stops cleanly"
