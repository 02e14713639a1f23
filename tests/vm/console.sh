#!/bin/bash
# The screen's console as on a board: the station on tty1 of a framebuffer
# of 800x480, with the station's 16x32 font loaded by kbd's setfont, the
# home screen in Vietnamese, a harvest typed on the keypad (qemu's PC
# keyboard), its lot code in big digits and as a QR code. qemu's
# screendump keeps each screen as build/vm/console-NAME.png (what README
# shows, from docs/), and a QR reader reads the lot code off the picture
# of the real console. Its kernel adds tests/vm/kernel-console.config to
# the rig's and is kept apart: make hwtest HWTEST=console.
VM_KERNEL=$("$(dirname "$0")/kernel.sh" console) || exit 1
export VM_KERNEL
. "$(dirname "$0")/lib.sh"

for tool in pnmtopng zbarimg; do
	command -v "$tool" >/dev/null ||
		{ bad "no $tool here (scripts/install-deps.sh --all)"; finish; exit 1; }
done

VM_APPEND=video=800x480 vm_start -vga std
vm_serve 180

lot="PT01-$(date +%y%m%d)-01"
got=$(zbarimg -q --raw "$B/vm/console-qr.png" 2>/dev/null)
[ "$got" = "$lot" ] && ok "a QR reader reads $lot off the screenshot of tty1" ||
	bad "zbarimg read \"$got\" off console-qr.png, not $lot"
finish
