# The guest half of meter.sh: a pump's relay and a hall-effect meter on a
# gpio-sim chip. The meter's line is pulled up by the station (an
# open-collector output); a pulse is the line pulled down and up again
# from sysfs, as the meter's transistor would.
. /rig/lib.sh

sim_chip board "meter-board" RELAY FLOW
SYS=$SIM_SYS

mkdir -p /etc/fieldstation
CFG=/etc/fieldstation/fieldstation.ini
# 10 pulses a litre and at most 30 l/min: more than 5 pulses in one
# second cannot be water.
cat >"$CFG" <<'INI'
[station]
name = Trạm thử đồng hồ nước
code = RIG2
database = /tmp/station.db

[zone.tieu]
name = Tiêu hữu cơ
pump = p1

[pump.p1]
name = Bơm giếng
driver = gpiod
chip = meter-board
line = RELAY
power_kw = 1.1
meter = m1
min_flow = 1
flow_grace_seconds = 3600

[meter.m1]
name = Đồng hồ giếng
driver = gpiod
chip = meter-board
line = FLOW
pulses_per_litre = 10
max_flow = 30
debounce_us = 100
INI

# pulses N GAP: N pulses, each level held GAP microseconds. The kernel
# debounces in software on gpio-sim, by whole jiffies (10 ms here): a
# level held less than that is a bounce, not a pulse.
pulses() {
	local i=0
	while [ "$i" -lt "$1" ]; do
		echo pull-down >"$SYS/sim_gpio1/pull"
		usleep "$2"
		echo pull-up >"$SYS/sim_gpio1/pull"
		usleep "$2"
		i=$((i + 1))
	done
}
relay() { cat "$SYS/sim_gpio0/value"; }

console_start --config "$CFG"
expect "1 Độ ẩm đất" "the station starts with its meter on a GPIO line"
if wait_until 5 sh -c "[ \"\$(cat $SYS/sim_gpio1/value)\" = 1 ]"; then
	ok "the station pulls the meter's line up"
else
	bad "the meter's line is at $(cat "$SYS/sim_gpio1/value"), not pulled up"
fi
# Water through the meter while the pump is off is not a run's.
pulses 5 150000
press KP2 KP1 KPEnter KPEnter
expect "Bơm giếng đã chạy" "the pump is started on the keypad"
[ "$(relay)" = 1 ] && ok "its relay line is on" || bad "the relay line is $(relay)"
# 20 pulses at about three a second: two litres.
pulses 20 150000
sleep 2
# A burst of about 25 a second, far more than the 5 water can give, and
# the seconds where it began and ended with it.
start=$(date +%s)
pulses 60 20000
took=$(($(date +%s) - start))
sleep 2
# A bounce shorter than the debounce: not a pulse at all.
echo pull-down >"$SYS/sim_gpio1/pull"
echo pull-up >"$SYS/sim_gpio1/pull"
sleep 1
pulses 10 150000
press KP1 KPEnter
expect "Bơm giếng đã tắt." "the pump is stopped on the keypad"
sleep 1
litres=$(sqlite3 /tmp/station.db "SELECT printf('%.1f', litres) FROM pump_runs")
if [ "$litres" = "3.0" ]; then
	ok "the run counted 30 pulses as 3 litres: none from before, none of the burst, not the bounce"
else
	bad "the run's litres are $litres, not 3.0 (the burst took ${took}s)"
fi
n=$(sqlite3 /tmp/station.db "SELECT count(*) FROM events WHERE kind = 'meter_noise' AND source = 'm1' AND alarm")
[ "$n" = 1 ] && ok "the burst raised the noise alarm once" || bad "meter_noise alarms: $n"
press KP8 KP1
expect "Nước: 3 lít (0,00 m³)" "the diary shows the run's water"
press KP/
sleep 1
# The home screen says it in a few words; 9 reads it whole.
if screen | tr -s ' \n' ' ' | grep -q "Báo động (1): Đồng hồ nước Đồng hồ giếng báo nhiễu"; then
	ok "the home screen names the noisy meter"
else
	bad "no noise alarm on the home screen" "$(screen)"
fi
press KP9
sleep 1
if screen | tr -s ' \n' ' ' | grep -q "Đồng hồ nước Đồng hồ giếng (trên đường ống của Bơm giếng) báo"; then
	ok "9 says whose line the noisy meter is in"
else
	bad "no noise alarm behind 9" "$(screen)"
fi
kill -TERM "$(pidof fieldstation)"
expect "[exit 0]" "SIGTERM: the station ends cleanly"
[ "$(cat "$SYS/sim_gpio0/value")" = 0 ] && ok "and its relay is off" || bad "relay left at $(relay)"
