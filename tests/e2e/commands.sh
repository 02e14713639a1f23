#!/bin/bash
# The commands for scripts and the office: --help, --version, status,
# check, and their refusals.
. "$(dirname "$0")/lib.sh"

CFG="$TOP/config/demo.ini"
DB="$TMP/station.db"

out=$("$BIN" --version)
[[ "$out" =~ ^fieldstation\ [0-9]+\.[0-9]+\.[0-9]+$ ]] && ok "--version: $out" || bad "--version: $out"
out=$("$BIN" --help)
[ $? = 0 ] && echo "$out" | grep -q -- "--clock-speed" && echo "$out" | grep -q "Cách dùng" &&
	ok "--help in Vietnamese" || bad "--help: $out"
words=$(echo "$out" | grep -oE '\b(FILE|FOLDER|PUMP|SECONDS|LOT|CODE|DB|OPTION|COMMAND)\b' | sort -u | tr '\n' ' ')
[ -z "$words" ] && echo "$out" | grep -q "^  pump-test BƠM \[SỐ_GIÂY\] " &&
	ok "--help in one language: the arguments' names too" || bad "--help mixes English: $words"
out=$("$BIN" --help --lang en 2>&1)
out=$("$BIN" --lang en --help)
echo "$out" | grep -q "^Usage: fieldstation" && ok "--help in English" || bad "--help en: $out"
"$BIN" --bogus >/dev/null 2>&1
[ $? = 2 ] && ok "unknown option: exit 2" || bad "unknown option"
out=$("$BIN" --config "$CFG" frobnicate 2>&1)
[ $? = 2 ] && echo "$out" | grep -q 'Không có lệnh "frobnicate"' && ok "unknown command named" || bad "unknown command: $out"

# check before the station ever ran: the config is good, no database yet.
out=$("$BIN" --config "$CFG" --db "$DB" check)
[ $? = 0 ] && echo "$out" | grep -q "Cấu hình .*: tốt (2 khu, 4 cảm biến, 2 bơm)" &&
	ok "check: good config, no database yet" || bad "check: $out"

# Run the station for a while with a pump on, then ask for status.
start s --config "$CFG" --db "$DB" --clock 2026-06-01T05:00 --clock-speed 600
wait_for s "1 Độ ẩm đất"
press s KP2 KP1 KP9 KP0 KPEnter KPEnter KPEnter
expect s "Bơm đang chạy: 1" "pump started for status"
# Readings reach the card every ten station minutes (a second here).
QUANTITY=(moisture "soil temperature" EC pH "air temperature" humidity)
newest() {
	rsql "$DB" "SELECT printf('%.1f', value) FROM r
		WHERE sensor = '$1' AND quantity = '${QUANTITY[$2]}' ORDER BY t DESC LIMIT 1"
}
stored() { [ -n "$(newest soil1 0)" ] && [ -n "$(newest air 5)" ]; }
until_true "$(station_wait 1200 600)" stored || bad "no readings stored"
# Each value as stored, in the station's words: decimal comma, units.
# The station writes on meanwhile: status is asked again until no batch
# came between the look at the database and its own.
snapshot() { echo "$(newest soil1 0) $(newest air 4) $(newest air 5)"; }
for _ in 1 2 3 4 5; do
	before=$(snapshot)
	out=$("$BIN" --config "$CFG" --db "$DB" --clock 2026-06-01T05:30 status)
	rc=$?
	[ "$(snapshot)" = "$before" ] && break
done
[ $rc = 0 ] && ok "status runs beside the station" || bad "status rc"
read -r soil temp hum <<<"$(echo "$before" | tr . ,)"
end=$(sql "$DB" "SELECT strftime('%H:%M', planned_end, 'unixepoch', 'localtime') FROM pump_runs
	WHERE pump = 'p1' AND ended IS NULL")
echo "$out" | grep -q "^HTX Phước Thiện - trạm 1 (PT01)  01/06/2026 05:30  Giờ thấp điểm$" &&
	ok "status: station, time, tariff band" || bad "status header: $out"
echo "$out" | grep -q "^  đầu đo 1 – Mít ruột đỏ: $soil%" && ok "status: soil1's newest moisture with a decimal comma ($soil%)" ||
	bad "status soil ($soil): $out"
echo "$out" | grep -q "^  đầu đo 4 – không khí: $temp °C $hum%" && ok "status: the air's newest reading ($temp °C $hum%)" ||
	bad "status air ($temp $hum): $out"
echo "$out" | grep -qx "  Bơm 1: đang chạy đến $end (bằng tay)" && ok "status: pump 1 on until $end, by hand" ||
	bad "status p1 (until $end): $out"
echo "$out" | grep -qx "  Bơm 2: tắt" && ok "status: pump 2 off" || bad "status p2: $out"
out=$("$BIN" --config "$CFG" --db "$DB" --lang en status)
echo "$out" | grep -Eq "^  probe 1 – Mít ruột đỏ: [0-9]+\.[0-9]%" && ok "status in English: decimal point" || bad "status en: $out"
out=$("$BIN" --config "$CFG" --db "$DB" check)
[ $? = 0 ] && echo "$out" | grep -q "Cơ sở dữ liệu .*: tốt" && ok "check: database good while running" || bad "check db: $out"
stop_station "$DB" TERM
wait_for s "[exit 0]"

# A damaged database: check says so and exits 3 (the console's own
# check after its first screen reads that as damage).
cp "$DB" "$TMP/broken.db"
size=$(stat -c %s "$TMP/broken.db")
dd if=/dev/urandom of="$TMP/broken.db" bs=1 seek=$((size / 2)) count=2048 conv=notrunc status=none
dd if=/dev/zero of="$TMP/broken.db" bs=1 seek=4096 count=4096 conv=notrunc status=none
out=$("$BIN" --config "$CFG" --db "$TMP/broken.db" check)
rc=$?
[ $rc = 3 ] && echo "$out" | grep -q "LỖI" && ok "check finds the damage (exit 3)" || bad "check damaged: rc=$rc $out"

# status on a database whose runs and readings cannot be read: a pump
# that runs is never said to be off, nor a sensor to have no reading,
# and the exit status says that something is wrong.
cp "$DB" "$TMP/unread.db"
sql "$TMP/unread.db" "UPDATE pump_runs SET ended = NULL, end_reason = NULL
	WHERE id = (SELECT max(id) FROM pump_runs WHERE pump = 'p1')"
out=$("$BIN" --config "$CFG" --db "$TMP/unread.db" status 2>&1)
echo "$out" | grep -Eq "^  Bơm 1: đang chạy đến" && ok "status: an open run is a running pump" ||
	bad "status open run: $out"
page=$(sql "$TMP/unread.db" "PRAGMA page_size")
for root in $(sql "$TMP/unread.db" "SELECT rootpage FROM sqlite_schema
		WHERE tbl_name IN ('pump_runs', 'readings_packed') AND rootpage > 0"); do
	dd if=/dev/zero of="$TMP/unread.db" bs="$page" seek=$((root - 1)) count=1 conv=notrunc \
		status=none
done
out=$("$BIN" --config "$CFG" --db "$TMP/unread.db" status 2>"$TMP/status.err")
rc=$?
[ $rc = 1 ] && ok "status: exit 1 when the database cannot be read" || bad "status unread: rc=$rc"
echo "$out" | grep -Eq "^  Bơm 1: không rõ: không đọc được cơ sở dữ liệu$" &&
	echo "$out" | grep -Eq "^  Bơm 2: không rõ: không đọc được cơ sở dữ liệu$" &&
	ok "status: pumps not known, not off" || bad "status pumps unread: $out"
echo "$out" | grep -Eq "^  đầu đo 1 – Mít ruột đỏ: không rõ: không đọc được cơ sở dữ liệu$" &&
	ok "status: readings not known, not missing" || bad "status readings unread: $out"
grep -q "^Không đọc được các lần chạy bơm trong cơ sở dữ liệu: " "$TMP/status.err" &&
	grep -q "^Không đọc được số đo trong cơ sở dữ liệu: " "$TMP/status.err" &&
	ok "status: says what it could not read" || bad "status stderr: $(cat "$TMP/status.err")"

# status and check refuse what is not a station database.
echo "not a database" >"$TMP/junk.db"
out=$("$BIN" --config "$CFG" --db "$TMP/junk.db" status 2>&1)
[ $? = 1 ] && echo "$out" | grep -q "không phải cơ sở dữ liệu của trạm" && ok "status refuses junk" || bad "status junk: $out"
out=$("$BIN" --config "$TMP/missing.ini" check 2>&1)
[ $? = 1 ] && echo "$out" | grep -q "LỖI" && ok "check: missing config is a fault" || bad "check missing cfg: $out"

finish
