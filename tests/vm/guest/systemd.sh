# The guest half of systemd.sh: the package on Debian bookworm with its own
# kernel and systemd, as a technician installs it on a board. Runs as root
# under bash from the rig's disk (/rig), its lines on the serial console.
# Everything is read back from the system: systemd's properties and
# journal, /proc, the kernel's copy of tty1 (/dev/vcsu1, /dev/vcs1) and
# its console font, the station's database.

# lib.sh waits with busybox's usleep; Debian has sleep with fractions.
usleep() { sleep "0.$(printf '%06d' "$1")"; }
. /rig/lib.sh
export LANG=C.UTF-8

UNIT=fieldstation
CONF=/etc/fieldstation/fieldstation.ini
DB=/var/lib/fieldstation/station.db
FONT=/usr/share/consolefonts/fieldstation-16x32.psf.gz

prop() { systemctl show -p "$1" --value "$UNIT"; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }
journal() { journalctl -u "$UNIT" -b --no-pager "$@"; }
# As the station's user: a root sqlite3 could leave root's -wal and -shm
# files beside the station's database.
sql() { runuser -u fieldstation -- sqlite3 -cmd '.timeout 3000' "$DB" "$1"; }
# tty1 as the kernel holds it, one character a cell, the rows joined and
# runs of spaces squeezed, so that a wrapped sentence reads whole.
tty1_text() { iconv -f UTF-32LE -t UTF-8 /dev/vcsu1 | tr -s ' '; }
on_tty1() { tty1_text | grep -qF -- "$1"; }
# A cell holding code point HEX (e.g. 01b0 for ư) somewhere on tty1.
tty1_has_cp() { od -An -v -tx4 /dev/vcsu1 | tr -s ' ' '\n' | grep -qx "0000$1"; }
active() { [ "$(prop ActiveState)" = active ]; }
# so $? WHAT [DETAIL]: a check on the status of the command just before
# ($? comes first: it is expanded before any $(...) in WHAT runs).
so() { if [ "$1" = 0 ]; then ok "$2"; else bad "$2" "${3:-}"; fi; }
# stamp WHAT: the time since the guest's kernel started, in the log.
stamp() { echo "     | $(uptime_s) s: $1"; }
# A time span of systemd's (30s, 1min 30s) in whole seconds.
seconds_of() { systemd-analyze timespan "$1" | awk '/μs:/ { print int($2 / 1000000) }'; }
# ExecStopPost's last run as systemd recorded it: "PID CODE".
stop_post() {
	prop ExecStopPost | sed -n 's/.* pid=\([0-9]*\) ; code=\([a-z(]*[a-z)]*\) .*/\1 \2/p'
}

# Outside peak hours on the host's day, so that starting a pump asks
# nothing more whatever the hour the rig runs at; after a power cut, later
# than anything the boot before recorded (each ends within 15 minutes).
day=$(sed -n 's/.*rigday=\([0-9-]*\).*/\1/p' /proc/cmdline)
case $(cat /proc/cmdline) in
*rigboot=2*) date -s "$day 08:00:00 +0700" >/dev/null ;;
*rigboot=3*) date -s "$day 08:30:00 +0700" >/dev/null ;;
*) date -s "$day 07:00:00 +0700" >/dev/null ;;
esac

stamp "booted, the scenario starts"

name="HTX Phước Thiện - trạm 1"
named() { [ "$(prop StatusText)" = "$name" ]; }
running() { on_tty1 "Bơm đang chạy: $1"; }
# --- Removed, then purged (at the end of the last boot) --------------------
remove_and_purge() {
	systemctl start "$UNIT"
	wait_until 60 named || bad "the station did not start again" "$(prop StatusText)"
	runs=$(sql 'SELECT count(*) FROM pump_runs')
	out=$(dpkg -r fieldstation 2>&1)
	check "dpkg -r succeeds" [ "$(dpkg-query -W -f '${Status}' fieldstation 2>/dev/null)" = "deinstall ok config-files" ]
	case $out in
	*"Bơm 1 (gpiochip0 chân 17, kích mức thấp): CHƯA tắt được"*)
		ok "its prerm ran relays-off, which says pump 1's relay board is not there" ;;
	*) bad "prerm's relays-off" "$out" ;;
	esac
	! pgrep -u fieldstation >/dev/null
	so $? "the station is stopped: no process of fieldstation's user"
	check "the program is gone" [ ! -e /usr/bin/fieldstation ]
	check "the records stay: $runs pump runs in $DB" [ "$(sql 'SELECT count(*) FROM pump_runs')" = "$runs" ]
	check "and so does the farm's configuration" grep -q '^code = PT01$' "$CONF"
	dpkg -P fieldstation >/dev/null 2>&1
	check "dpkg -P removes the records" [ ! -e /var/lib/fieldstation ]
	check "and the configuration, with the settings the installer kept aside" [ ! -e /etc/fieldstation ]
	check "and the installer's folder (the version to go back to, the backup)" [ ! -e /var/lib/fieldstation-update ]
	getent passwd fieldstation >/dev/null
	so $? "the user fieldstation stays, as the postrm says (its files may be on a stick or a backup)"
	stamp "the end"
}

# After a power cut (tests/vm/systemd.sh boots the machine again): what
# the next boot made of it; after the second, the package removed.
rigboot=$(sed -n 's/.*rigboot=\([0-9]*\).*/\1/p' /proc/cmdline)
if [ "${rigboot:-1}" = 2 ]; then
	. /rig/update.sh
	after_the_cut
	exit 0
elif [ "${rigboot:-1}" = 3 ]; then
	. /rig/update.sh
	after_the_second_cut
	remove_and_purge
	exit 0
fi

sd=$(systemctl --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p')
[ "$(cat /proc/1/comm)" = systemd ] && case $(uname -r) in *-amd64) true ;; *) false ;; esac
so $? "booted Debian's kernel $(uname -r) with systemd $sd as PID 1"

# --- The package, from the .deb make deb built ------------------------------
deb=$(ls /rig/fieldstation_*_amd64.deb)
cp "$deb" /tmp/
t0=$(uptime_s)
if out=$(apt-get install -y --no-install-recommends "/tmp/${deb##*/}" 2>&1); then
	ok "apt installs ${deb##*/} with no network (its libraries are bookworm's, on the image)"
else
	bad "apt install ${deb##*/}" "$out"
	exit 1
fi
check "dpkg has it installed" [ "$(dpkg-query -W -f '${Status}' fieldstation 2>/dev/null)" = "install ok installed" ]

if wait_until 60 active; then
	ok "its postinst started the service: active (it sent READY=1), $(awk "BEGIN { printf \"%.1f\", $(uptime_s) - $t0 }") s after apt began"
else
	bad "the service is not active" "$(systemctl status --no-pager $UNIT 2>&1 | tail -n 15)"
	exit 1
fi
pid=$(prop MainPID)
status=/proc/$pid/status
fs_uid=$(id -u fieldstation)
check "the station runs as fieldstation (uid $fs_uid, real, effective, saved and file system)" \
	[ "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "$status")" = "$fs_uid $fs_uid $fs_uid $fs_uid" ]
caps=$(awk '/^Cap(Eff|Prm|Bnd|Amb):/ { printf "%s %s ", $1, $2 }' "$status")
check "its one capability is CAP_SYS_TIME: $caps" \
	[ "$caps" = "CapPrm: 0000000002000000 CapEff: 0000000002000000 CapBnd: 0000000002000000 CapAmb: 0000000002000000 " ]
check "with no new privileges and a seccomp filter ($(grep -E '^(NoNewPrivs|Seccomp):' "$status" | tr -s '\t\n' ' '))" \
	[ "$(awk '/^NoNewPrivs:/ { print $2 } /^Seccomp:/ { print $2 }' "$status" | tr '\n' ' ')" = "1 2 " ]
check "getty is off tty1 (the unit conflicts with it)" \
	[ "$(systemctl is-active getty@tty1.service)" != active ]

stamp "installed"

# --- The unfilled template ----------------------------------------------------
sentence="Tệp $CONF chưa được điền"
if wait_until 10 on_tty1 "$sentence"; then
	ok "tty1 says it: Trạm chưa chạy được. $sentence …"
else
	bad "tty1 does not show the template's sentence" "$(tty1_text)"
fi
check "tty1 lists a key to fill with its line: [station] code (dòng 14)" on_tty1 "[station] code (dòng 14)"
check "and says the station starts by itself once the file is saved" \
	on_tty1 "Trạm sẽ tự chạy khi tệp $CONF được sửa xong."
journal -o cat | grep -qF "$sentence" && ok "the journal has the same sentence" ||
	bad "the journal lacks the sentence" "$(journal -o cat | tail -n 10)"
case $(prop StatusText) in
*"$sentence"*) ok "and systemctl status shows it (STATUS=)" ;;
*) bad "StatusText: $(prop StatusText)" ;;
esac

# --- The unit's console font on tty1 ------------------------------------------
check "tty1 is on the bochs DRM framebuffer, 800x480 ($(cat /sys/class/graphics/fb0/name 2>/dev/null))" \
	[ "$(cat /sys/class/graphics/fb0/virtual_size 2>/dev/null)" = "800,480" ]
check "tty1 has 50 columns and 15 rows: a 16x32 font ($(stty -F /dev/tty1 size))" \
	[ "$(stty -F /dev/tty1 size)" = "15 50" ]
# The kernel's font of tty1 against the package's, glyph for glyph.
u32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }
setfont -C /dev/tty1 -O /tmp/tty1.psf 2>/tmp/setfont.err || bad "setfont -O reads tty1's font" "$(cat /tmp/setfont.err)"
zcat "$FONT" >/tmp/package.psf
if [ "$(od -An -tx1 -N4 /tmp/tty1.psf | tr -d ' ')" = 72b54a86 ]; then
	n=$(u32 /tmp/tty1.psf 16) size=$(u32 /tmp/tty1.psf 20)
	wh="$(u32 /tmp/tty1.psf 28)x$(u32 /tmp/tty1.psf 24)"
	pn=$(u32 /tmp/package.psf 16)
	[ "$wh" = 16x32 ] && { [ "$n" = 256 ] || [ "$n" = 512 ]; }
	so $? "tty1's font has $n glyphs of $wh (the console holds 256 or 512)"
	tail -c +$(($(u32 /tmp/tty1.psf 8) + 1)) /tmp/tty1.psf | head -c $((pn * size)) >/tmp/tty1.glyphs
	tail -c +$(($(u32 /tmp/package.psf 8) + 1)) /tmp/package.psf | head -c $((pn * size)) >/tmp/package.glyphs
	check "its $pn glyphs are the package's fieldstation-16x32, loaded by the unit's setfont" \
		cmp -s /tmp/tty1.glyphs /tmp/package.glyphs
else
	bad "tty1's font as setfont -O wrote it is not a PSF2 file"
fi
! journal -o cat | grep -qi 'setfont'
so $? "the journal has no complaint from setfont" "$(journal -o cat | grep -i setfont)"
setfont -C /dev/tty1 -ou /tmp/unimap 2>/dev/null
fffd=$(grep -i 'U+fffd' /tmp/unimap | cut -f1)
glyph_of() { grep -i "U+$1\b" /tmp/unimap | cut -f1; }
[ -n "$fffd" ] && [ -n "$(glyph_of 01b0)" ] && [ "$(glyph_of 01b0)" != "$fffd" ] &&
	[ -n "$(glyph_of 01a1)" ] && [ "$(glyph_of 01a1)" != "$fffd" ] &&
	[ -n "$(glyph_of 0111)" ] && [ "$(glyph_of 0111)" != "$fffd" ]
so $? "the kernel maps ư ơ đ to glyphs of their own, not �'s ($(glyph_of 01b0) $(glyph_of 01a1) $(glyph_of 0111), � $fffd)"
# A character the font lacks would be drawn with �'s glyph (a 256-glyph
# font: /dev/vcs1 holds each cell's glyph).
no_fffd() { [ "$(od -An -v -tx1 /dev/vcs1 | tr -s ' \n' '\n\n' | grep -c "^$(printf '%02x' $((fffd)))\$")" = 0 ]; }
check "no cell of tty1 is drawn with �'s glyph" no_fffd
host screendump template

# No restart loop: the waiting station pings the watchdog and stays,
# for longer than the watchdog's limit and two restart delays.
wd=$(seconds_of "$(prop WatchdogUSec)")
rs=$(seconds_of "$(prop RestartUSec)")
start_us=$(prop ExecMainStartTimestampMonotonic)
quiet_for=$((wd + 2 * rs))
settled() { [ "$(awk "BEGIN { print int($(uptime_s) * 1000000) }")" -ge $((start_us + quiet_for * 1000000)) ]; }
wait_until $((quiet_for + 30)) settled
[ "$(prop MainPID)" = "$pid" ] && [ "$(prop NRestarts)" = 0 ] && active &&
	! journal -o cat | grep -q 'Watchdog timeout'
so $? "after ${quiet_for} s on the template (WatchdogSec ${wd} s, RestartSec ${rs} s): the same process, no restart (NRestarts $(prop NRestarts)), no watchdog kill"
check "ExecStopPost has not run yet ($(stop_post))" [ "$(stop_post | cut -d' ' -f1)" = 0 ]

stamp "the template waited"

# --- The technician fills the template in ------------------------------------
wait_until 20 test -e /dev/ttyUSB0
[ -n "$(find /dev/serial/by-id -lname '*ttyUSB0' 2>/dev/null)" ] && [ -d /sys/bus/usb-serial/drivers/ftdi_sio ]
so $? "the USB serial adapter is /dev/ttyUSB0 (ftdi_sio), with its link in /dev/serial/by-id"
port=$(find /dev/serial/by-id -lname '*ttyUSB0' | head -n 1)
t0=$(uptime_s)
sed -i -e 's/^name = ? *; tên trạm.*/name = HTX Phước Thiện - trạm 1/' \
	-e 's/^code = ? .*/code = PT01\npoll_seconds = 5/' \
	-e 's/^name = ? *; tên khu tưới.*/name = Mít ruột đỏ/' \
	-e 's/^crop = ? .*/crop = Mít/' \
	-e 's/^chip = ? .*/chip = gpiochip0/' \
	-e 's/^line = ? .*/line = 17/' \
	-e 's/^power_kw = ? .*/power_kw = 1,5/' \
	-e "s|^port = ? .*|port = $port|" \
	-e 's/^model = ? .*/model = soil-jxct/' \
	-e 's/^name = ? *; người làm.*/name = Lê Văn Tư/' "$CONF"
# A second zone with a pump on the simulator (this machine has no GPIO
# chip: pump 1 on gpiochip0 shows what a board without its relay board
# does), and an air sensor on the UART.
cat >>"$CONF" <<'INI'

[zone.khu2]
name = Tiêu
crop = Tiêu
pump = p2

[pump.p2]
name = Bơm 2
driver = sim
power_kw = 0,75
max_minutes = 60

[sensor.kk1]
driver = modbus
port = /dev/ttyS1
address = 3
model = air-xymd02
INI
out=$(fieldstation check 2>&1)
case $out in
*"tốt (2 khu, 2 cảm biến, 2 bơm)"*) ok "fieldstation check: the filled-in file is good (2 khu, 2 cảm biến, 2 bơm)" ;;
*) bad "fieldstation check on the filled-in file" "$out" ;;
esac
if wait_until 30 named; then
	ok "the station started by itself $(awk "BEGIN { printf \"%.1f\", $(uptime_s) - $t0 }") s after the file was saved: READY=1 with STATUS=$name"
else
	bad "the station did not start on the filled-in file" "$(prop StatusText)"
fi
[ "$(prop MainPID)" = "$pid" ] && [ "$(prop NRestarts)" = 0 ] && active
so $? "in the same process, with no restart (NRestarts $(prop NRestarts))"
if wait_until 10 on_tty1 " 1 Độ ẩm đất"; then
	ok "tty1 shows the home screen in Vietnamese: $name, 1 Độ ẩm đất, 2 Máy bơm"
else
	bad "tty1 does not show the home screen" "$(tty1_text)"
fi
tty1_has_cp 01b0 && tty1_has_cp 01a1 && tty1_has_cp 0111
so $? "tty1 holds ư (Phước), ơ (Bơm) and đ (đất) in its cells"
check "and draws none of them with �'s glyph" no_fffd
missing="Bơm 1 không dùng được: Không có chip GPIO \"gpiochip0\" trên bo mạch này"
check "the missing relay board is an alarm on tty1's home screen: 9 Báo động (1): Bơm 1 không dùng được" \
	on_tty1 "9 Báo động (1): Bơm 1 không dùng được"
host keys kp_9
if wait_until 10 on_tty1 "$missing"; then
	ok "9 reads it whole: $missing…"
else
	bad "9 does not read the missing relay board" "$(tty1_text)"
fi
host keys kp_0
wait_until 10 on_tty1 " 1 Độ ẩm đất"
journal -o cat | grep -qF "$missing" && ok "and a sentence in the journal" ||
	bad "the journal lacks the missing chip" "$(journal -o cat | tail -n 10)"
check "its database is the station's own: $(stat -c '%U:%G %a' "$DB" 2>&1) (UMask=0027)" \
	[ "$(stat -c '%U:%G %a' "$DB")" = "fieldstation:fieldstation 640" ]
host screendump home

# --- The sensors through the sandbox's DeviceAllow ----------------------------
host keys kp_1
if wait_until 20 on_tty1 "Không khí: 29,3 °C, độ ẩm 78%"; then
	ok "the air sensor answers through /dev/ttyS1 (DeviceAllow=char-ttyS): Không khí: 29,3 °C, độ ẩm 78%"
else
	bad "no air reading through /dev/ttyS1" "$(tty1_text)"
fi
# Zone 1's page lists its probe's every reading.
host probe u1 1 set moisture 41.2
host keys kp_1
if wait_until 20 on_tty1 "Đầu đo 1: 41,2% 25,9 °C 380 µS/cm pH 6,4"; then
	ok "the soil probe answers through the USB adapter, $port (DeviceAllow=char-ttyUSB): Đầu đo 1: 41,2% 25,9 °C 380 µS/cm pH 6,4"
else
	bad "no soil reading through /dev/ttyUSB0" "$(tty1_text)"
fi
host screendump moisture
host keys kp_divide
wait_until 10 on_tty1 " 1 Độ ẩm đất"

# --- A pump runs; the station hangs -------------------------------------------
host keys kp_2 kp_2 kp_enter kp_1 kp_enter
if wait_until 10 running 1; then
	ok "pump 2 started on the keypad: Bơm đang chạy: 1"
else
	bad "pump 2 did not start" "$(tty1_text)"
fi
run=$(sql "SELECT id FROM pump_runs WHERE pump = 'p2' AND ended IS NULL")
pid=$(prop MainPID)
stamp "the station hangs"
# systemd's own trace of what it runs, for the hang and the restart.
systemd-analyze log-level debug
t0=$(uptime_s)
[ "$pid" -gt 1 ] && kill -STOP "$pid"
fired() { journal -o cat | grep -q 'Watchdog timeout'; }
if wait_until $((wd + 30)) fired; then
	t1=$(journal -o short-monotonic | grep -m 1 'Watchdog timeout' | sed 's/^\[ *\([0-9.]*\)\].*/\1/')
	after=$(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }")
	awk "BEGIN { exit !($after > 0 && $after <= $wd + 5) }"
	so $? "stopped (SIGSTOP), it was killed by the watchdog $after s later, within WatchdogSec ${wd} s and 5 s of slack"
else
	bad "no watchdog timeout $((wd + 30)) s after SIGSTOP" "$(journal -o cat | tail -n 10)"
fi
journal -o cat | grep -qF "Killing process $pid (fieldstation) with signal SIGABRT" &&
	ok "systemd killed that process with SIGABRT" || bad "no SIGABRT for $pid" "$(journal -o cat | tail -n 10)"
back() { active && [ "$(prop MainPID)" != "$pid" ] && [ "$(prop StatusText)" = "$name" ]; }
if wait_until 60 back; then
	ok "and started it again, ready (READY=1) $(awk "BEGIN { printf \"%.1f\", $(uptime_s) - $t0 }") s after the SIGSTOP; NRestarts $(prop NRestarts)"
else
	bad "the station did not come back" "$(systemctl status --no-pager $UNIT 2>&1 | tail -n 15)"
fi
systemd-analyze log-level info
stamp "the station is back"
# A new start clears ExecStopPost's record (systemctl show): systemd's
# trace says what it ran between the kill and the new start.
trace=$(journal -o cat | sed -n '/Main process exited, code=[a-z]*, status=6\/ABRT/,/Scheduled restart job/p')
echo "$trace" | grep -A 1 'Will spawn child (service_enter_stop_post)' |
	grep -qF "About to execute /usr/bin/fieldstation --config $CONF relays-off" &&
	echo "$trace" | grep -q 'Got final SIGCHLD for state stop-post'
so $? "once the hung process was gone, ExecStopPost ran relays-off to its end, before the restart ($(echo "$trace" |
	sed -n 's/.*Control process exited, \(code=[a-z]*, status=[^ ]*\).*/\1/p'), systemd's debug trace)" "$trace"
check "the run the hung station left open is closed as cut (end_reason $(sql "SELECT end_reason FROM pump_runs WHERE id = $run"))" \
	[ "$(sql "SELECT end_reason FROM pump_runs WHERE id = $run")" = power_cut ]
check "tty1 is back on the home screen with no pump running" wait_until 20 running 0
check "the database is whole" [ "$(sql 'PRAGMA integrity_check')" = ok ]

# --- systemctl stop, with a pump running --------------------------------------
host keys kp_2 kp_2 kp_enter kp_1 kp_enter
wait_until 10 running 1 || bad "pump 2 did not start again" "$(tty1_text)"
run=$(sql "SELECT id FROM pump_runs WHERE pump = 'p2' AND ended IS NULL")
before=$(stop_post | cut -d' ' -f1)
systemctl stop "$UNIT"
check "systemctl stop: the service is inactive ($(prop ActiveState))" [ "$(prop ActiveState)" = inactive ]
[ -n "$run" ] && [ "$(sql "SELECT end_reason FROM pump_runs WHERE id = $run")" = shutdown ]
so $? "the station ended the running pump's run itself (end_reason $(sql "SELECT end_reason FROM pump_runs WHERE id = ${run:-0}"))"
set -- $(stop_post)
[ "${1:-0}" -gt "$before" ] && [ "${2:-}" = exited ]
so $? "and ExecStopPost ran relays-off after it (pid ${1:-?}, ${2:-?})"

stamp "stopped"

# --- A new version and new settings from the office's sticks -------------------
# (tests/vm/guest/update.sh): it ends with the power cut, after which the
# next boot goes on above.
systemctl start "$UNIT"
wait_until 60 named || bad "the station did not start again" "$(prop StatusText)"
. /rig/update.sh
updates
