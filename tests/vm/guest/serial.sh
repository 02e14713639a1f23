# The guest half of serial.sh.
. /rig/lib.sh

check "a second 8250 UART (16550A) is /dev/ttyS1" grep -q "^1: uart:16550A" /proc/tty/driver/serial

exec 3<>/dev/ttyS1
stty raw -echo 9600 <&3
host open_line
echo "xin chào từ ttyS1" >&3
host hear xin chào từ ttyS1
if read -r -t 5 reply <&3 && [ "$reply" = "chào trạm, đây là máy chủ" ]; then
	ok "the guest reads the host's answer from /dev/ttyS1"
else
	bad "the guest read \"$reply\" from /dev/ttyS1"
fi
exec 3<&-
