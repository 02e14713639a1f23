# The guest half of boot.sh: the station's own binary, catalogue and
# console run in the guest, and its kernel offers gpio-sim with named
# lines and the trace of what is driven on them.
. /rig/lib.sh

v=$(fieldstation --version)
case $v in
"fieldstation "[0-9]*) ok "the station's binary runs in the guest ($v)" ;;
*) bad "fieldstation --version" "$v" ;;
esac
check "its Vietnamese catalogue and the C.UTF-8 locale are found" \
	sh -c 'fieldstation --help | grep -q "Cách dùng"'

console_start --config /rig/config/demo.ini --db /tmp/demo.db
expect "1 Độ ẩm đất" "the console draws its home screen in a 50x15 terminal"
press KP1
expect "Mít ruột đỏ" "keypad keys reach it and Vietnamese names are drawn"
t kill-server

sim_chip board "relay-board" K1 K2 K3 K4
check "a gpio-sim chip appears as /dev/$SIM_CHIP" test -c "/dev/$SIM_CHIP"
check "its lines carry a relay board's names" \
	sh -c "grep -q '(K1 ' /sys/kernel/debug/gpio && grep -q '(K4 ' /sys/kernel/debug/gpio"
echo pull-up >"$SIM_SYS/sim_gpio2/pull"
check "the kernel's view of a free line follows its pull" \
	test "$(cat "$SIM_SYS/sim_gpio2/value")$(cat "$SIM_SYS/sim_gpio0/value")" = 10
check "the kernel records driven values (trace event gpio_value)" \
	test -f /sys/kernel/tracing/events/gpio/gpio_value/enable
