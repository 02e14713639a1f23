# The screen's console as on a board: the station on tty1, a framebuffer
# of 800x480 like the shed's 7-inch screen, its font loaded with kbd's
# setfont as the service does. What tty1 shows is read back from the
# kernel (/dev/vcsu1 holds each cell's character, /dev/vcs1 the glyph the
# font draws it with); the host presses the keypad's keys and takes
# screenshots.
. /rig/lib.sh

FONT=/rig/fonts/fieldstation-16x32.psf.gz

# Each cell of tty1 as a code point in hex, the rows joined: a line of
# the screen is found with hex_of.
cells() { od -An -v -tx4 /dev/vcsu1 | tr -s ' \n' '  '; }
hex_of() {
	printf '%s' "$1" | od -An -tx1 -v | tr -s ' \n' '  ' | {
		read -r bytes
		out=
		set -- $bytes
		while [ $# -gt 0 ]; do
			b=$((0x$1))
			if [ $b -lt 128 ]; then
				cp=$b; shift
			elif [ $b -lt 224 ]; then
				cp=$(((b & 31) << 6 | (0x$2 & 63))); shift 2
			else
				cp=$(((b & 15) << 12 | (0x$2 & 63) << 6 | (0x$3 & 63))); shift 3
			fi
			out="$out $(printf '%08x' $cp)"
		done
		echo "$out"
	}
}
shows() { cells | grep -qF -- "$(hex_of "$1")"; }

check "tty1 is on a framebuffer of 800x480" \
	[ "$(cat /sys/class/graphics/fb0/virtual_size 2>/dev/null)" = "800,480" ]
# The smaller font loads too: more room, 66x20 here.
setfont -C /dev/tty1 /rig/fonts/fieldstation-12x24.psf.gz 2>/tmp/setfont.err ||
	bad "setfont loads fieldstation-12x24" "$(cat /tmp/setfont.err)"
check "with the 12x24 font tty1 has 66 columns and 20 rows" \
	[ "$(stty -F /dev/tty1 size)" = "20 66" ]
if ! setfont -C /dev/tty1 "$FONT" 2>/tmp/setfont.err; then
	bad "setfont loads $FONT" "$(cat /tmp/setfont.err)"
fi
check "with the 16x32 font tty1 has 50 columns and 15 rows" \
	[ "$(stty -F /dev/tty1 size)" = "15 50" ]
# The loaded Unicode table, as the kernel holds it.
setfont -C /dev/tty1 -ou /tmp/unimap 2>/dev/null
fffd=$(grep -i 'U+fffd' /tmp/unimap | cut -f1)
check "the kernel holds the font's table ($(grep -c 'U+' /tmp/unimap) characters)" \
	[ "$(grep -c 'U+' /tmp/unimap)" -ge 240 ] && [ -n "$fffd" ]

# The station on tty1, as the service starts it.
(cd /tmp && TERM=linux setsid fieldstation --config /rig/config/demo.ini --db /tmp/station.db \
	</dev/tty1 >/dev/tty1 2>/tmp/station.err &)
if wait_until 20 shows " 1 Độ ẩm đất"; then
	ok "tty1 shows the home screen in Vietnamese (Độ ẩm đất)"
else
	bad "tty1 shows the home screen" "$(cat /tmp/station.err)"
fi
wait_until 5 shows "Bơm đang chạy: 0"
# A character the font lacks would be drawn with its glyph for U+FFFD.
glyph=$(printf '%02x' $((fffd)))
n=$(od -An -v -tx1 /dev/vcs1 | tr -s ' \n' '\n\n' | grep -c "^$glyph\$")
check "every character on tty1 has its own glyph (none is drawn as �)" [ "$n" = 0 ]
host screendump home

# A zone's moisture: the chart's half and full blocks, its dotted
# thresholds, °C and µS/cm; then / goes home.
host keys kp_1 kp_1
check "1 1 on the keypad shows the first zone's moisture chart" \
	wait_until 10 shows "µS/cm"
host screendump moisture
host keys kp_divide
check "/ on the keypad goes home" wait_until 5 shows " 1 Độ ẩm đất"

# A harvest on the keypad, and its lot code in big digits, then its QR
# code: the half and full blocks.
host keys kp_4 kp_1 kp_enter kp_1 kp_1 kp_2 kp_0 kp_enter kp_1 kp_1 kp_1 kp_enter
if wait_until 10 shows " Mã lô: PT01-"; then
	ok "the harvest is saved on tty1's keypad: Mã lô shown"
else
	bad "the lot code screen" "$(cat /tmp/station.err)"
fi
n=$(od -An -v -tx1 /dev/vcs1 | tr -s ' \n' '\n\n' | grep -c "^$glyph\$")
check "the big digits are half and full blocks, each with its glyph" \
	[ "$n" = 0 ] && shows "▀" && shows "▄" && shows "█"
host screendump lot
# + in the Linux console's application keypad: the QR code in its place.
host keys kp_add
qr_shown() { ! shows " Mã lô: PT01-" && shows "▀▄"; }
check "+ on the keypad shows the lot's QR code" wait_until 5 qr_shown
host screendump qr
