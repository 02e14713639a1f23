#!/bin/bash
# Bad input gets one clear sentence in the chosen language and a non-zero
# exit; a killed station comes back with its pumps off and its diary closed.
. "$(dirname "$0")/lib.sh"

CFG="$TOP/config/demo.ini"
DB="$TMP/station.db"

# expect_exit NAME TEXT CODE WHAT: the station refused to start, with TEXT
# on the screen and exit status CODE.
expect_exit() {
	local name=$1 text=$2 code=$3 what=$4
	# The sentence is broken between words at the terminal's width.
	if wait_for "$name" "[exit $code]" 10 && words_on_screen "$name" "$text"; then
		ok "$what"
	else
		bad "$what: want \"$text\" and exit $code" "$name"
	fi
}

# A terminal smaller than 40x12.
start_sized small 30 10 --config "$CFG" --db "$DB"
expect_exit small "Màn hình chỉ có 30x10; trạm cần ít nhất 40x12." 1 "too small a screen, in Vietnamese"
start_sized small_en 39 12 --config "$CFG" --db "$DB" --lang en
expect_exit small_en "The screen is 39x12; the station needs at least 40x12." 1 "too small a screen, in English"
[ ! -e "$DB" ] && ok "nothing was created before the refusal" || bad "database created by a refused start"

# A missing configuration file.
start nocfg --config "$TMP/none.ini" --db "$DB"
expect_exit nocfg "Không mở được tệp cấu hình $TMP/none.ini" 1 "missing configuration"

# A configuration with a wrong key: file, line and key, and no start.
sed 's/^moisture_low = 30 .*/moisture_lo = 30/' "$CFG" >"$TMP/typo.ini"
line=$(grep -n '^moisture_lo =' "$TMP/typo.ini" | cut -d: -f1)
start typo --config "$TMP/typo.ini" --db "$DB"
expect_exit typo "$TMP/typo.ini, dòng $line: khóa \"moisture_lo\" không có trong [zone.mit]" 1 "unknown key named with file and line"
start typo_en --config "$TMP/typo.ini" --db "$DB" --lang en
expect_exit typo_en "line $line: unknown key \"moisture_lo\" in [zone.mit]" 1 "the same in English"

# A zone that names a pump the file does not have.
sed 's/^pump = p2/pump = p9/' "$CFG" >"$TMP/nopump.ini"
start nopump --config "$TMP/nopump.ini" --db "$DB"
expect_exit nopump "[zone.vusua] ghi bơm \"p9\" nhưng không có mục [pump.p9]" 1 "pump missing from the config"

# A database that is not one, and one in a folder that does not exist.
echo "sổ tay, không phải cơ sở dữ liệu" >"$TMP/notes.db"
start notdb --config "$CFG" --db "$TMP/notes.db"
expect_exit notdb "bị hỏng hoặc không phải cơ sở dữ liệu của trạm" 1 "not a station database"
grep -q "sổ tay" "$TMP/notes.db" && ok "and the file is left as it was" || bad "file changed"
start nodir --config "$CFG" --db "$TMP/no/such/folder/station.db"
expect_exit nodir "Không mở được cơ sở dữ liệu $TMP/no/such/folder/station.db" 1 "database folder missing"

# A read-only database (as an unprivileged user when run as root).
mkdir -p "$TMP/ro" && chmod 755 "$TMP" "$TMP/ro"
# Make a real station database, then make it read-only.
start mk --config "$CFG" --db "$TMP/ro/station.db"
wait_for mk "1 Độ ẩm đất" 10
stop_station "$TMP/ro/station.db" TERM
wait_for mk "[exit 0]" 10
chmod 444 "$TMP/ro/station.db"
chmod 555 "$TMP/ro"
if [ "$(id -u)" = 0 ]; then
	# root writes through permissions: run as nobody, from copies that
	# nobody can reach wherever the checkout is.
	cp "$BIN" "$TMP/fieldstation" && cp "$CFG" "$TMP/farm.ini"
	cp -r "$(dirname "$BIN")/locale" "$TMP/locale"
	chmod -R a+rX "$TMP/fieldstation" "$TMP/farm.ini" "$TMP/locale"
	t kill-session -t ro 2>/dev/null
	t new-session -d -s ro -x 50 -y 15 \
		"setpriv --reuid=65534 --regid=65534 --clear-groups $TMP/fieldstation --config $TMP/farm.ini --db $TMP/ro/station.db; echo \"[exit \$?]\"; sleep 600"
else
	start ro --config "$CFG" --db "$TMP/ro/station.db"
fi
expect_exit ro "Không ghi được cơ sở dữ liệu $TMP/ro/station.db" 1 "read-only database"
chmod 755 "$TMP/ro"

# Two stations on one database would fight over the relays.
# Monday 05:00: out of peak hours, so that starting a pump asks nothing more.
start one --config "$CFG" --db "$DB" --clock 2026-06-01T05:00
expect one "1 Độ ẩm đất" "first station runs"
start two --config "$CFG" --db "$DB" --clock 2026-06-01T05:00
expect_exit two "Một chương trình trạm khác đang dùng $DB" 1 "a second station is refused"

# Pull the plug while pump 1 runs: kill -9, then start again.
press one KP2 KP1 KPEnter KPEnter KPEnter
expect one "Bơm đang chạy: 1" "pump 1 running before the power cut"
open_run() { [ "$(sql "$DB" "SELECT count(*) FROM pump_runs WHERE ended IS NULL")" = 1 ]; }
until_true 5 open_run
stop_station "$DB" KILL
wait_for one "[exit 137]" 10 && ok "killed with SIGKILL" || bad "not killed" one
n=$(sql "$DB" "SELECT count(*) FROM pump_runs WHERE ended IS NULL")
[ "$n" = 1 ] && ok "the run was left open by the kill" || bad "open runs after kill: $n"
sql "$DB" "PRAGMA integrity_check" | grep -qx ok && ok "database intact after SIGKILL" || bad "integrity after SIGKILL"
start again --config "$CFG" --db "$DB" --clock 2026-06-01T05:30
expect again "Bơm 1 đang chạy khi mất điện" "the power cut is reported after the restart"
expect again "Bơm đang chạy: 0" "no pump is on after the restart"
# Counted once the home screen is drawn down to its status line.
n=$(screen again | grep -o "khi mất điện" | wc -l)
[ "$n" = 1 ] && ok "and said once, on the alarm line" || bad "the power cut is said $n times" again
n=$(sql "$DB" "SELECT count(*) FROM pump_runs WHERE ended IS NULL")
[ "$n" = 0 ] && ok "the cut run is closed in the diary" || bad "open runs after restart: $n"
n=$(sql "$DB" "SELECT count(*) FROM pump_runs WHERE end_reason = 'power_cut' AND ended >= started")
[ "$n" = 1 ] && ok "and marked as cut by the power" || bad "power_cut runs: $n"

# The terminal shrinks while running: a sentence, then back to work.
t resize-window -t again -x 35 -y 10 2>/dev/null
expect_words again "Màn hình chỉ có 35x10; trạm cần ít nhất 40x12." "shrunk terminal is told its size and the size it needs, whole"
t resize-window -t again -x 50 -y 15 2>/dev/null
expect again "1 Độ ẩm đất" "grown again, the menu is back"

# No terminal at all.
out=$("$BIN" --config "$CFG" --db "$TMP/x.db" </dev/null 2>&1)
rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "cần một terminal" && ok "no terminal: a sentence" || bad "no terminal: rc=$rc $out"

finish
