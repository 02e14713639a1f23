#!/bin/bash
# The station as the board's service, with a stand-in for systemd's
# notification socket: it says when it is ready, pings the watchdog from
# its loop (and stops when the loop hangs); on the shipped template it
# names every key to fill, on the screen and for the journal, and waits
# instead of ending into a loop of restarts; filled in, it starts by
# itself, a missing relay board and RS485 adapter each one sentence.
. "$(dirname "$0")/lib.sh"

LISTEN=$(dirname "$BIN")/tests/notify_listen
SOCK_PATH="$TMP/notify.sock"
LOG="$TMP/notify.log"
"$LISTEN" "$SOCK_PATH" >"$LOG" &
LISTENER=$!
trap 'kill $LISTENER 2>/dev/null; cleanup' EXIT
until_true 5 test -S "$SOCK_PATH" || bad "the notification socket was not made"
# As systemd starts it: WatchdogSec=0.9s here, to see pings quickly.
AS_SERVICE="env NOTIFY_SOCKET=$SOCK_PATH WATCHDOG_USEC=900000"
pings() { grep -c ' WATCHDOG=1$' "$LOG"; }
# more_pings N M: at least M pings after the first N.
more_pings() { [ "$(pings)" -ge $(($1 + $2)) ]; }
# largest_gap N: the longest time between two pings after the first N,
# in the listener's milliseconds.
largest_gap() {
	awk -v n="$1" '/ WATCHDOG=1$/ { i++; if (i > n + 1 && $1 - t > m) m = $1 - t; t = $1 } END { print m + 0 }' "$LOG"
}
pid_of() { pgrep -f "^$BIN .*--db $1( |\$)" | head -n 1; }

# The demo farm: ready once the home screen is up, with the station's name.
RUNNER="$AS_SERVICE $RUNNER" start demo --service --config "$TOP/config/demo.ini" --db "$TMP/demo.db" \
	--clock 2026-06-01T09:40
expect demo "1 Độ ẩm đất" "the demo farm runs as a service"
until_true 5 grep -q 'READY=1' "$LOG"
grep -qx '[0-9]* READY=1 STATUS=HTX Phước Thiện - trạm 1' "$LOG" &&
	ok "it tells the service manager it is ready, with its name as status" || bad "notify: $(cat "$LOG")"
# Five pings in a row, each within WatchdogSec of the one before (a slow
# runner slows the loop as much).
a=$(pings)
until_true 3 more_pings "$a" 5
gap=$(largest_gap "$a")
[ $(($(pings) - a)) -ge 5 ] && [ "$gap" -lt $((900 * SCALE)) ] &&
	ok "the loop pings the watchdog within its 0,9 s ($(($(pings) - a)) pings, at most $gap ms apart)" ||
	bad "watchdog pings: $(($(pings) - a)), at most $gap ms apart"
# A hung station: its loop stops, and so do the pings; systemd kills it
# after WatchdogSec and ExecStopPost switches its relays off.
pid=$(pid_of "$TMP/demo.db")
kill -STOP "$pid"
a=$(pings)
# A stopped process sends nothing however slow the runner: a plain sleep
# of more than twice WatchdogSec, the time systemd would give it.
sleep 2
b=$(pings)
[ "$a" = "$b" ] && ok "a hung loop pings no more" || bad "pings while stopped: $a -> $b"
kill -CONT "$pid"
until_true 2 more_pings "$b" 1 && ok "and pings again once it turns" || bad "no pings after SIGCONT"
stop_station "$TMP/demo.db" TERM
expect demo "[exit 0]" "SIGTERM ends it"

# The shipped template, as the package installs it.
CFG="$TMP/fieldstation.ini"
cp "$TOP/config/template.ini" "$CFG"
: >"$LOG"
RUNNER="$AS_SERVICE $RUNNER" start tpl --service --config "$CFG" --db "$TMP/station.db" "2>$TMP/journal"
expect tpl "Trạm chưa chạy được." "on the unfilled template the station says it cannot start"
expect_words tpl "Tệp $CFG chưa được điền: viết giá trị của trạm thay cho dấu \"?\" ở [station] name (dòng 13), [station] code (dòng 14)" \
	"in Vietnamese, naming the keys to fill with their lines"
expect_words tpl "[pump.p1] chip (dòng 38), [pump.p1] line (dòng 39)" "every key, the relay's too"
expect_words tpl "Trạm sẽ tự chạy khi tệp $CFG được sửa xong." "and what happens next"
grep -qF "Tệp $CFG chưa được điền" "$TMP/journal" && ok "the same sentence goes to the journal" ||
	bad "journal: $(cat "$TMP/journal")"
grep -q "READY=1 STATUS=Tệp $CFG chưa được điền" "$LOG" &&
	ok "the service manager counts it started, with the sentence as status: no start timeout" ||
	bad "notify: $(cat "$LOG")"
expect_not tpl "[exit" "it waits: it has not ended into a restart in 3 s" 3
a=$(pings)
until_true 3 more_pings "$a" 5
gap=$(largest_gap "$a")
[ $(($(pings) - a)) -ge 5 ] && [ "$gap" -lt $((900 * SCALE)) ] &&
	ok "and it keeps the watchdog fed while it waits ($(($(pings) - a)) pings, at most $gap ms apart)" ||
	bad "pings while waiting: $(($(pings) - a)), at most $gap ms apart"
[ ! -e "$TMP/station.db" ] && ok "no database is made from an unfilled template" || bad "a database was made"

# Filled in, for a board whose relay board and RS485 adapter are not there.
sed -i 's/^name = ? .*/name = Trạm thử/; s/^code = ? .*/code = TT01/; s/^name = ? .*; tên khu.*/name = Mít ruột đỏ/' "$CFG"
sed -i 's/^crop = ? .*/crop = Mít/; s/^chip = ? .*/chip = gpiochip9/; s/^line = ? .*/line = 17/' "$CFG"
sed -i 's/^power_kw = ? .*/power_kw = 1,5/; s|^port = ? .*|port = /dev/ttyUSB9|; s/^model = ? .*/model = soil-0000/' "$CFG"
sed -i 's/^name = ? .*/name = Lê Văn Tư/' "$CFG"
if grep -q '= ?' "$CFG"; then bad "test: still unfilled: $(grep -n '= ?' "$CFG")"; fi
# The file is whole and good now, but the technician is not done: a second
# zone follows a moment later. The station reads the file once it has
# stayed the same for two seconds, so it starts with both. (It looks at
# the file every 0.3 s here, a third of WatchdogSec: a station that
# started on the first change it saw would start without the second.)
sleep 1
cat >>"$CFG" <<'INI'

[zone.khu2]
name = Tiêu
crop = Tiêu
pump = p2

[pump.p2]
name = Bơm 2
driver = sim
power_kw = 0,75
max_minutes = 60
INI
expect tpl "1 Độ ẩm đất" "once the file is saved the station starts by itself" 15
expect_words tpl 'Không có cổng nối tiếp /dev/ttyUSB9 (bộ chuyển RS485 đã cắm chưa?)' \
	"a missing RS485 adapter is one sentence on the screen"
expect tpl "Báo động: 2" "the missing relay board and the lost sensor are alarms"
press tpl KP9
expect tpl "Báo động 1/2" "9 shows them"
screen tpl | grep -q "Bơm 1 không dùng được" || press tpl KP+
expect_words tpl 'Bơm 1 không dùng được: Không có chip GPIO "gpiochip9" trên bo mạch này' \
	"the relay board's in one sentence"
press tpl KP0
grep -qxF 'Bơm 1 không dùng được: Không có chip GPIO "gpiochip9" trên bo mạch này (lệnh gpiodetect liệt kê các chip).' \
	"$TMP/journal" && ok "and in the journal" || bad "journal: $(cat "$TMP/journal")"
grep -qxF 'Không có cổng nối tiếp /dev/ttyUSB9 (bộ chuyển RS485 đã cắm chưa?): 1 cảm biến của cổng này báo mất kết nối cho tới khi cắm lại.' \
	"$TMP/journal" && ok "a missing RS485 adapter too" || bad "journal: $(cat "$TMP/journal")"
grep -q 'READY=1 STATUS=Trạm thử' "$LOG" && ok "ready again, with the farm's name" || bad "notify: $(cat "$LOG")"
press tpl KP2
expect_line tpl "^ *1 Bơm 1 +không dùng được *$" "the pumps screen marks pump 1 unavailable, on its row"
expect_line tpl "^ *2 Bơm 2 +tắt *$" "and lists pump 2, added a moment after the file was first whole"
stop_station "$TMP/station.db" TERM
expect tpl "[exit 0]" "SIGTERM ends it"

# While it waits, SIGTERM (systemctl stop) ends it at once, cleanly.
cp "$TOP/config/template.ini" "$CFG"
RUNNER="$AS_SERVICE $RUNNER" start tpl2 --service --config "$CFG" --db "$TMP/station2.db"
expect tpl2 "Trạm chưa chạy được." "waiting again"
pkill -TERM -f "^$BIN --service --config $CFG --db $TMP/station2.db"
expect tpl2 "[exit 0]" "SIGTERM while waiting ends it cleanly" 5

# Without --service (a technician in a shell) it says why and ends.
start shell --config "$CFG" --db "$TMP/station3.db"
expect shell "[exit 1]" "without --service an unfilled template ends with status 1"
expect_words shell "chưa được điền" "after saying why"

finish
