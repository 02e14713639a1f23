# Shared by the rig's scenarios (bash, on the host): boot the rig's kernel
# and initramfs under qemu, read the guest's console line by line, do what
# the guest asks of the host (plug a stick, answer on the serial line), and
# count the checks. The guest half of a scenario is tests/vm/guest/NAME.sh.
#
# The guest prints "ok   WHAT" or "FAIL WHAT" for each check, "@@ ACTION
# ARGS" when it needs the host (the host runs at_ACTION ARGS and answers
# "done ACTION" on the console), and "@@ end" when it is through. qemu
# exits 0 whatever the guest did, so a guest that never says "@@ end"
# failed.

set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=${B:-$TOP/build}
case $B in /*) ;; *) B=$TOP/$B ;; esac
SCENARIO=$(basename "$0" .sh)
TMP=$(mktemp -d "/tmp/fs-vm-$SCENARIO.XXXXXX")
CHECKS=0
FAILS=0
GUEST_PID=
export LANG=C.UTF-8

cleanup() {
	[ -n "$GUEST_PID" ] && kill "$GUEST_PID" 2>/dev/null
	if [ "$FAILS" -gt 0 ] || [ -n "${VM_KEEP:-}" ]; then
		echo "     (console, qemu's errors and the stick image are in $TMP)"
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT

ok() {
	CHECKS=$((CHECKS + 1))
	echo "ok   $SCENARIO: $1"
}

bad() {
	CHECKS=$((CHECKS + 1))
	FAILS=$((FAILS + 1))
	echo "FAIL $SCENARIO: $1"
}

# The kernel (built once, then cached) and the initramfs; make hwtest makes
# both before it runs the scenarios and passes them on.
KERNEL=${VM_KERNEL:-}
INITRD=${VM_INITRD:-}
[ -n "$KERNEL" ] || KERNEL=$("$TOP/tests/vm/kernel.sh") || exit 1
[ -n "$INITRD" ] || INITRD=$(B=$B "$TOP/tests/vm/initramfs.sh") || exit 1

# vm_start [QEMU ARGS...]: boot the guest on this scenario. Its console
# (ttyS0) is the coprocess GUEST; QMP speaks on two FIFOs. VM_APPEND adds
# to the kernel's command line; VM_CMDLINE replaces the rig's own start of
# it, VM_MEM and VM_SMP the guest's memory (MiB) and processors.
vm_start() {
	rm -f "$TMP/qmp.in" "$TMP/qmp.out" "$TMP/qmp.events"
	mkfifo "$TMP/qmp.in" "$TMP/qmp.out"
	coproc GUEST {
		exec qemu-system-x86_64 -accel tcg -m "${VM_MEM:-256}" -smp "${VM_SMP:-1}" -no-reboot \
			-display none -vga none -nic none -monitor none -serial stdio \
			-kernel "$KERNEL" -initrd "$INITRD" \
			-append "${VM_CMDLINE:-console=ttyS0 quiet panic=-1 usb-storage.delay_use=0} rig=$SCENARIO rigday=$(date +%F) ${VM_APPEND:-}" \
			-chardev pipe,id=qmp,path="$TMP/qmp" -mon chardev=qmp,mode=control \
			"$@" 2>"$TMP/qemu.err"
	}
	exec {QMP_TO}<>"$TMP/qmp.in" {QMP_FROM}<>"$TMP/qmp.out"
	qmp '{"execute":"qmp_capabilities"}' >/dev/null
}

# qmp JSON: send one command, print its answer; events that come first
# are kept in qmp.events for qmp_event.
qmp() {
	local line
	echo "$1" >&"$QMP_TO"
	while read -r -t 10 line <&"$QMP_FROM"; do
		case $line in
		*'"return"'* | *'"error"'*)
			echo "$line"
			case $line in *'"error"'*) return 1 ;; esac
			return 0
			;;
		*'"event"'*) echo "$line" >>"$TMP/qmp.events" ;;
		esac
	done
	echo "qmp: no answer to $1" >&2
	return 1
}

# qmp_event PATTERN [SECONDS]: wait for an event whose line matches PATTERN
# (grep -E), e.g. 'DEVICE_DELETED.*"device": "us2"'. Each event counts once.
qmp_event() {
	local line n limit=$((SECONDS + ${2:-10}))
	n=$(grep -nE -m 1 "$1" "$TMP/qmp.events" 2>/dev/null | cut -d: -f1)
	if [ -n "$n" ]; then
		sed -i "${n}d" "$TMP/qmp.events"
		return 0
	fi
	while [ "$SECONDS" -lt "$limit" ] && read -r -t 1 line <&"$QMP_FROM"; do
		echo "$line" | grep -qE "$1" && return 0
		case $line in *'"event"'*) echo "$line" >>"$TMP/qmp.events" ;; esac
	done
	return 1
}

# vm_say TEXT: one line to the guest's console.
vm_say() {
	echo "$1" >&"${GUEST[1]}"
}

# vm_serve [SECONDS]: read the guest until it ends, echo its checks, do what
# it asks. A guest that hangs, panics or stops early is one failed check.
# An action that ends the machine itself (a power cut) sets VM_OFF: then
# the guest has said all it will, and vm_serve returns.
vm_serve() {
	local line action limit=$((SECONDS + ${1:-300})) ended=
	while [ "$SECONDS" -lt "$limit" ] &&
		IFS= read -r -t $((limit - SECONDS)) line <&"${GUEST[0]}"; do
		line=${line%$'\r'}
		echo "$line" >>"$TMP/console.log"
		case $line in
		"ok   "*)
			ok "${line#ok   }"
			;;
		"FAIL "*)
			bad "${line#FAIL }"
			;;
		"     | "*)
			echo "$line"
			;;
		"@@ end"*)
			ended=1
			[ "${line#@@ end }" = 0 ] ||
				bad "the guest's script stopped with status ${line#@@ end }"
			break
			;;
		"@@ "*)
			set -- ${line#@@ }
			action=$1
			shift
			if declare -F "at_$action" >/dev/null; then
				"at_$action" "$@"
			else
				bad "the guest asked for \"$action\", which this scenario does not do"
			fi
			if [ -n "${VM_OFF:-}" ]; then
				ended=1
				break
			fi
			vm_say "done $action"
			;;
		esac
	done
	if [ -z "$ended" ]; then
		bad "the guest did not finish (timeout, panic or crash); its console ends with:"
		tail -n 15 "$TMP/console.log" 2>/dev/null | sed 's/^/     | /'
		sed 's/^/     | qemu: /' "$TMP/qemu.err" 2>/dev/null
		kill "$GUEST_PID" 2>/dev/null
	fi
	wait "$GUEST_PID" 2>/dev/null
	GUEST_PID=
}

# screendump NAME: the screen as qemu shows it (800x480, the shed's
# 7-inch screen), into $B/vm/SCENARIO-NAME.png (netpbm's pnmtopng).
at_screendump() {
	local ppm=$TMP/$1.ppm png=$B/vm/$SCENARIO-$1.png
	if ! qmp "{\"execute\":\"screendump\",\"arguments\":{\"filename\":\"$ppm\"}}" >/dev/null; then
		bad "qemu's screendump of $1"
		return
	fi
	[ "$(head -n 2 "$ppm" | tr '\n' ' ')" = "P6 800 480 " ] &&
		ok "screendump $1: 800x480" || bad "screendump $1: $(head -n 2 "$ppm" | tr '\n' ' ')"
	pnmtopng -compression 9 "$ppm" >"$png"
}

# keys QCODE...: keys of qemu's PC keyboard, one after the other, as a
# person types them (kp_4, kp_enter...).
at_keys() {
	for k in "$@"; do
		qmp "{\"execute\":\"send-key\",\"arguments\":{\"keys\":[{\"type\":\"qcode\",\"data\":\"$k\"}]}}" \
			>/dev/null || bad "qemu did not press $k"
		sleep 0.3
	done
}

# The path of the host side of a pty chardev, from QMP.
qmp_pty() {
	qmp '{"execute":"query-chardev"}' | grep -o "\"filename\": *\"pty:[^\"]*\", *\"label\": *\"$1\"" |
		sed 's/.*pty:\([^"]*\)".*/\1/'
}

finish() {
	echo "$SCENARIO: $CHECKS checks, $FAILS failed"
	[ "$FAILS" -eq 0 ] && [ "$CHECKS" -gt 0 ]
}
