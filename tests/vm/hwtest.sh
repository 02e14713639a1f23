#!/bin/bash
# make hwtest: build or reuse the rig's kernel, pack the initramfs once,
# run each scenario named, print every check and a total.
#   tests/vm/hwtest.sh SCENARIO...     e.g. tests/vm/hwtest.sh gpio usb
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
export B=${B:-build}
[ $# -gt 0 ] || { echo "usage: tests/vm/hwtest.sh SCENARIO... (boot, gpio, meter, serial, usb, console, systemd)" >&2; exit 2; }

VM_KERNEL=$("$TOP/tests/vm/kernel.sh") || exit 1
VM_INITRD=$("$TOP/tests/vm/initramfs.sh") || exit 1
export VM_KERNEL VM_INITRD

checks=0
fails=0
failed=
for s in "$@"; do
	if [ ! -f "$TOP/tests/vm/$s.sh" ]; then
		echo "FAIL no scenario tests/vm/$s.sh"
		fails=$((fails + 1))
		continue
	fi
	log=$TOP/$B/vm/$s.log
	case $B in /*) log=$B/vm/$s.log ;; esac
	bash "$TOP/tests/vm/$s.sh" 2>&1 | tee "$log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || failed="$failed $s"
	n=$(sed -n "s/^$s: \([0-9]*\) checks, \([0-9]*\) failed$/\1 \2/p" "$log")
	[ -n "$n" ] || { n="1 1"; echo "FAIL $s: it ended without its total"; }
	checks=$((checks + ${n% *}))
	fails=$((fails + ${n#* }))
done
echo "hwtest: $checks checks, $fails failed${failed:+ (in$failed)}"
[ "$fails" -eq 0 ] && [ -z "$failed" ]
