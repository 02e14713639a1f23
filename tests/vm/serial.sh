#!/bin/bash
# The sensor bus on a real UART: the guest's second 8250 (ttyS1) is joined
# by qemu to a pseudo-terminal on this host.
. "$(dirname "$0")/lib.sh"

vm_start -chardev pty,id=s1 -serial chardev:s1
PTY=$(qmp_pty s1)
[ -c "$PTY" ] && ok "ttyS1's far end is $PTY on the host" || bad "no pty for ttyS1 (query-chardev)"

# The pty drops what the guest sends while nothing here holds it open.
at_open_line() {
	exec {LINE}<>"$PTY"
	stty -F "$PTY" raw -echo
}

# at_hear TEXT...: the guest sent TEXT down ttyS1; answer it.
at_hear() {
	local got
	if IFS= read -r -t 5 got <&"$LINE" && [ "$got" = "$*" ]; then
		ok "the host hears what the guest wrote to /dev/ttyS1"
	else
		bad "the host heard \"${got:-nothing}\" on $PTY, not \"$*\""
	fi
	echo "chào trạm, đây là máy chủ" >&"$LINE"
}

vm_serve 120
finish
