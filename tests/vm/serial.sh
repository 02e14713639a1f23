#!/bin/bash
# The sensor bus on a real UART: the guest's second 8250 (ttyS1) is joined
# by qemu to a pseudo-terminal here, where sim_probe answers as three
# Modbus probes, or stops answering when the guest asks.
. "$(dirname "$0")/lib.sh"

SIM_PROBE=$B/tests/sim_probe
[ -x "$SIM_PROBE" ] || { bad "$SIM_PROBE is missing (make helpers)"; finish; exit; }

vm_start -chardev pty,id=s1 -serial chardev:s1
PTY=$(qmp_pty s1)
[ -c "$PTY" ] && ok "ttyS1's far end is $PTY on the host" || bad "no pty for ttyS1 (query-chardev)"

PROBE_PID=
mkfifo "$TMP/probe.ctl"
at_probe_start() {
	"$SIM_PROBE" --control "$TMP/probe.ctl" --probe 1:soil-jxct --probe 2:soil-0000 \
		--probe 3:air-xymd02 "$PTY" </dev/null 2>>"$TMP/probe.log" &
	PROBE_PID=$!
}

# at_probe COMMAND...: tell the running probes something ("2 set moisture 33.3").
at_probe() {
	echo "$*" >"$TMP/probe.ctl"
}

# The host side goes quiet: nothing answers on the line any more.
at_probe_quiet() {
	kill "$PROBE_PID"
	wait "$PROBE_PID" 2>/dev/null
	PROBE_PID=
}

vm_serve 240
[ -n "$PROBE_PID" ] && kill "$PROBE_PID"
finish
