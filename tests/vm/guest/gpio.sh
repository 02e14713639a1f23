# The guest half of gpio.sh: the station's libgpiod relay driver against
# gpio-sim, seen from the kernel's side. Pumps p1 and p2 are on an
# active-high relay HAT (found by its label and its lines' names), p3 and
# p4 on an active-low relay module (by chip name and line number), and an
# injector that doses into p3's line on the module's third relay.
. /rig/lib.sh

sim_chip hat "relay-hat" CH1 CH2 CH3
HAT=$SIM_SYS
sim_chip module "relay-module" IN1 IN2 IN3 IN4
MODULE=$SIM_SYS
# A line's global number, as the trace names it: the chip's first + N.
base() { sed -n "s/^$1: GPIOs \([0-9]*\)-.*/\1/p" /sys/kernel/debug/gpio; }
HAT0=$(base gpiochip0)
MOD0=$(base gpiochip1)

mkdir -p /etc/fieldstation /usr/bin
ln -s /rig/build/fieldstation /usr/bin/fieldstation
CFG=/etc/fieldstation/fieldstation.ini
cat >"$CFG" <<'INI'
[station]
name = Trạm thử rơ-le
code = RIG1
max_pumps_running = 4
database = /tmp/station.db

[zone.mit]
name = Mít ruột đỏ
pump = p1

[zone.vusua]
name = Vú sữa Hoàng Kim
pump = p3

[pump.p1]
name = Bơm giếng
driver = gpiod
chip = relay-hat
line = CH1
power_kw = 1.5

[pump.p2]
name = Bơm phân
driver = gpiod
chip = relay-hat
line = CH2
power_kw = 0.4

[pump.p3]
name = Bơm hồ
driver = gpiod
chip = gpiochip1
line = 0
active_low = yes
power_kw = 2.2

[pump.p4]
name = Van khu 2
driver = gpiod
chip = gpiochip1
line = 1
active_low = yes
power_kw = 0.1

[tank.tb]
name = Bồn thử
capacity = 50

[injector.c3]
name = Bơm châm thử
driver = gpiod
chip = gpiochip1
line = 2
active_low = yes
pump = p3
tank = tb
rate = 1
INI

# The level the kernel sees on each pump's line, p1 to p4.
levels() {
	echo "$(cat "$HAT/sim_gpio0/value") $(cat "$HAT/sim_gpio1/value")" \
		"$(cat "$MODULE/sim_gpio0/value") $(cat "$MODULE/sim_gpio1/value")"
}

# off_level PUMP, on_level PUMP: p1 and p2 are on the active-high HAT,
# p3 and p4 on the active-low module.
off_level() { case $1 in p1 | p2) echo 0 ;; *) echo 1 ;; esac; }
on_level() { case $1 in p1 | p2) echo 1 ;; *) echo 0 ;; esac; }
# The injector's line, on the active-low module.
injector_off() {
	if [ "$(cat "$MODULE/sim_gpio2/value")" = 1 ]; then ok "$1"; else bad "$1: the injector's line is on"; fi
}

# as_levels P1 P2 P3 P4: the levels that mean these states (on or off).
as_levels() {
	local out= n=1 s
	for s in "$@"; do
		out="$out $(${s}_level p$n)"
		n=$((n + 1))
	done
	echo "${out# }"
}

# pumps_are "P1 P2 P3 P4" WHAT: the kernel's view matches these states.
pumps_are() {
	local want got
	want=$(as_levels $1)
	got=$(levels)
	if [ "$got" = "$want" ]; then
		ok "$2 (lines $got)"
	else
		bad "$2: the lines are $got, not $want ($1)" "$(screen)"
	fi
}

# The kernel's record of what was driven on each line, by whom.
TRACE=/sys/kernel/tracing
trace_restart() {
	echo 0 >"$TRACE/tracing_on"
	echo >"$TRACE/trace"
	echo 1 >"$TRACE/events/gpio/gpio_value/enable"
	echo 1 >"$TRACE/tracing_on"
}
gpio_of() {
	case $1 in
	p1) echo $((HAT0 + 0)) ;; p2) echo $((HAT0 + 1)) ;;
	p3) echo $((MOD0 + 0)) ;; p4) echo $((MOD0 + 1)) ;;
	c3) echo $((MOD0 + 2)) ;;
	esac
}
# driven PUMP: every level driven on the pump's line since trace_restart.
driven() {
	grep -o "gpio_value: $(gpio_of "$1") set [01]" "$TRACE/trace" | sed 's/.* //' | tr -d '\n'
}
last_driven() { driven "$1" | tail -c 1; }
# last_driven_off WHAT PUMP...: the last level driven on each pump's line
# (before the line was let go) meant off.
last_driven_off() {
	local what=$1 p d wrong=
	shift
	for p in "$@"; do
		[ "$(last_driven "$p")" = "$(off_level "$p")" ] || wrong="$wrong $p:$(driven "$p")"
	done
	if [ -z "$wrong" ]; then
		ok "$what"
	else
		bad "$what: levels driven per line:$wrong" "$(grep gpio_value "$TRACE/trace")"
	fi
}

station_start() {
	console_start --config "$CFG"
	expect "1 Độ ẩm đất" "${1:-the station starts on the relays}"
}
# pump_on N NAME, pump_off N NAME: the keys that start pump N for its
# default 30 minutes, or stop it, on the pumps screen.
pump_on() {
	# Pump 3 has an injector: 1 is plain water.
	if [ "$1" = 3 ]; then press KP3 KP1 KPEnter KPEnter; else press KP"$1" KPEnter KPEnter; fi
	expect "$2 đã chạy — tự tắt sau 30 phút" "$2 is started on the keypad"
}
pump_off() {
	press KP"$1" KPEnter
	expect "$2 đã tắt." "$2 is stopped on the keypad"
}

# The relays' inputs rest at the level that means on: a pull-up on the
# HAT, gpio-sim's pull-down on the module. So a line the station does not
# drive off shows as on.
for n in 0 1 2; do echo pull-up >"$HAT/sim_gpio$n/pull"; done
pumps_are "on on on on" "before the station runs, the free lines rest at levels that mean on"

trace_restart
station_start
pumps_are "off off off off" "at start-up every relay line is driven off"
injector_off "and the injector's"
wrong=
for p in p1 p2 p3 p4 c3; do
	case $(driven $p) in *"$(on_level $p)"*) wrong="$wrong $p:$(driven $p)" ;; esac
done
if [ -z "$wrong" ]; then
	ok "no line was driven on, even for an instant, at start-up"
else
	bad "at start-up a line was driven on:$wrong"
fi

press KP2
expect "Bơm giếng" "the pumps screen lists the GPIO pumps"
pump_on 1 "Bơm giếng"
pumps_are "on off off off" "the kernel sees p1's line (HAT, active-high) high"
pump_on 3 "Bơm hồ"
pumps_are "on off on off" "the kernel sees p3's line (module, active-low) low"
pump_off 1 "Bơm giếng"
pumps_are "off off on off" "after p1 stops, only p3's line is on"
pump_on 2 "Bơm phân"
pump_on 4 "Van khu 2"
pumps_are "off on on on" "p2, p3 and p4 on together, each on its own line"
pump_off 3 "Bơm hồ"
pumps_are "off on off on" "after p3 stops its line goes back high"

kill -TERM "$(pidof fieldstation)"
expect "[exit 0]" "SIGTERM: the station ends cleanly"
last_driven_off "SIGTERM: the last level driven on every line, before the station let go, was off" \
	p1 p2 p3 p4 c3

for sig in SEGV ABRT; do
	trace_restart
	station_start "the station starts again (before SIG$sig)"
	press KP2
	pump_on 1 "Bơm giếng"
	pump_on 4 "Van khu 2"
	pumps_are "on off off on" "p1 and p4 on before SIG$sig"
	kill -$sig "$(pidof fieldstation)"
	if wait_until 10 sh -c '! pidof fieldstation >/dev/null'; then
		ok "SIG$sig ends the station"
	else
		bad "the station is still there after SIG$sig"
	fi
	last_driven_off "SIG$sig: the station drove every line off before it died" p1 p2 p3 p4 c3
done

# kill -9: nothing in the process runs; the kernel lets go of its lines,
# which fall to their pulls: the ones the station asked for.
trace_restart
station_start "the station starts again (before kill -9)"
press KP2
pump_on 1 "Bơm giếng"
pump_on 3 "Bơm hồ"
pumps_are "on off on off" "p1 and p3 on before kill -9"
kill -KILL "$(pidof fieldstation)"
wait_until 10 sh -c '! pidof fieldstation >/dev/null'
if [ "$(last_driven p1)$(last_driven p3)" = 10 ]; then
	ok "kill -9: the station drove nothing more (p1 last driven high, p3 low: on)"
else
	bad "kill -9: levels driven on p1, p3: $(driven p1) $(driven p3)"
fi
pumps_are "off off off off" "after kill -9 every line rests at its off level, the pull the station asked for"

# What the service manager runs after the process has ended, word for word
# from the shipped unit.
STOP=$(sed -n 's/^ExecStopPost=-\{0,1\}//p' /rig/scripts/fieldstation.service)
relays_off() {
	local out rc
	trace_restart
	out=$($STOP 2>&1)
	rc=$?
	if [ $rc = 0 ] && [ "$(echo "$out" | grep -c ': đã tắt$')" = 5 ] &&
		echo "$out" | head -n 1 | grep -q '^Bơm châm thử (gpiochip1 chân 2, kích mức thấp): đã tắt$'; then
		ok "the unit's ExecStopPost says the injector, then every pump, is off ($1)"
	else
		bad "ExecStopPost ($STOP): exit $rc" "$out"
	fi
	last_driven_off "ExecStopPost drove every line off ($1)" p1 p2 p3 p4 c3
}
relays_off "after kill -9"
pumps_are "off off off off" "and once it has ended every relay is still off"

# A board whose own pulls mean on (stronger than the chip's): what a line
# does when its holder dies depends on the pull alone, not on what was
# driven, for both polarities.
station_start "the station starts again (a board pulling towards on)"
press KP2
pump_on 1 "Bơm giếng"
pump_on 3 "Bơm hồ"
for n in 0 1; do
	echo pull-up >"$HAT/sim_gpio$n/pull"
	echo pull-down >"$MODULE/sim_gpio$n/pull"
done
pumps_are "on off on off" "a held line keeps what the station drives, whatever its pull"
kill -KILL "$(pidof fieldstation)"
wait_until 10 sh -c '! pidof fieldstation >/dev/null'
pumps_are "on on on on" "finding: after kill -9 each line falls to its pull; pulled towards on, every relay is on, even those that were off"
relays_off "with the board pulling towards on"
# gpio-sim has one pull per line, so the pull ExecStopPost asks for
# replaces the board's: here the relays then rest off; on a real board
# whose own pull is stronger than the chip's they would be on again.
pumps_are "off off off off" "ExecStopPost asks for the off pulls again: once it has ended the relays rest off"

# Bad input on real chips: a line number the chip does not have, and a
# chip that is not there. Those two pumps cannot be used, each with its
# sentence; the station starts, and the others run.
BAD=/tmp/bad.ini
sed -e '/^\[pump.p2\]/,/^$/s/^line = CH2$/line = 7/' \
	-e '/^\[pump.p4\]/,/^$/s/^chip = gpiochip1$/chip = gpiochip9/' \
	-e 's|^database = /tmp/station.db$|database = /tmp/bad.db|' "$CFG" >"$BAD"
trace_restart
console_start --config "$BAD"
expect "1 Độ ẩm đất" "a line the chip does not have and a missing chip: the station starts"
expect "Báo động: 2" "each is an alarm"
press KP2
expect "Bơm giếng" "the pumps screen"
n=$(screen | grep -c 'không dùng được$')
[ "$n" = 2 ] && ok "marks the two pumps unavailable" || bad "pumps marked unavailable: $n" "$(screen)"
press KP2
expect "Bơm phân không dùng được: Chip GPIO relay-hat có" "the pump on line 7 is refused with the chip's lines"
press KP4
expect "Van khu 2 không dùng được: Không có chip GPIO" "the pump on the missing chip is refused"
pump_on 1 "Bơm giếng"
[ "$(cat "$HAT/sim_gpio0/value")" = 1 ] && ok "a pump on the good lines runs (p1's line high)" ||
	bad "p1's line: $(cat "$HAT/sim_gpio0/value")"
kill -TERM "$(pidof fieldstation)"
expect "[exit 0]" "SIGTERM ends it cleanly"
last_driven_off "and every relay it held was driven off" p1 p3
