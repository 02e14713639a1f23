#!/bin/bash
# After January 2038: a 32-bit board (armhf) keeps 64-bit time, so a run,
# its fertilizing record, the diary, a restart and the export all carry
# 2039's dates, not 1969's. make test ARCH=armhf runs it under qemu-user.
. "$(dirname "$0")/lib.sh"

CFG="$TOP/config/demo.ini"
DB="$TMP/station.db"

# Saturday 1 January 2039, 05:00: off-peak, past 2^31 seconds.
start s1 --config "$CFG" --db "$DB" --clock 2039-01-01T05:00 --clock-speed 60
expect s1 "01/01/2039 05:0" "the home screen shows 2039"
expect_not s1 "1969" "and not 1969"
press s1 KP2 KP1
expect s1 "Chạy bao nhiêu phút?" "minutes are asked"
press s1 KP1 KPEnter
expect s1 "Ai mở bơm?" "who starts it"
press s1 KP1
expect s1 "1: có, kèm châm phân" "fertigation is offered"
press s1 KP1
expect s1 "Châm phân gì?" "which fertilizer"
press s1 KP1
expect s1 "Châm bao nhiêu?" "how much"
press s1 KP2 KPEnter
expect_words s1 "Bơm 1 đã chạy — tự tắt sau 1 phút. Đã ghi châm phân: NPK 20-20-15 Đầu Trâu 2 kg." \
	"a run with its fertilizing record, in 2039"
expect s1 "Bơm đang chạy: 0" "the run ends by itself after its minute" 20

# What the diary holds, in seconds since 1970: past 2^31 (2147483647).
t0=$(TZ=Asia/Ho_Chi_Minh date -d '2039-01-01 05:00' +%s)
# Its start is when the keys were pressed: some station minutes after
# 05:00, at 60 times the speed. Its planned end is its minute to the
# second; it ended at that second, or a turn of the loop late (at most
# ten station seconds at 60 times the speed).
row=$(sql "$DB" "SELECT started || ' ' || planned_end || ' ' || ended || ' ' || end_reason FROM pump_runs")
read -r started planned ended reason <<<"$row"
if [ "${started:-0}" -ge "$t0" ] && [ "$started" -lt $((t0 + 600)) ] && [ "$((planned - started))" = 60 ] &&
	[ "$ended" -ge "$planned" ] && [ "$((ended - planned))" -le 10 ] && [ "$reason" = "done" ]; then
	ok "the diary holds the run at 2039's seconds ($started, planned 60 s, ran $((ended - started)) s, $reason)"
else
	bad "the diary's run: '$row' (2039-01-01 05:00 is $t0)"
fi
rec=$(sql "$DB" "SELECT r.kind || ' ' || r.amount FROM records r JOIN pump_runs p ON p.record = r.id")
[ "$rec" = "fertilize 2.0" ] || [ "$rec" = "fertilize 2" ] && ok "the fertilizing record is tied to the run" ||
	bad "fertilizing record: '$rec'"

press s1 KP8
expect s1 "1 01/01 05:0" "the diary lists the run on 01/01"
stop_station "$DB" TERM
expect s1 "[exit 0]" "SIGTERM stops the station"

# Started again an hour later: the records read back in 2039, and the
# clock is not taken for one behind the records.
start s2 --config "$CFG" --db "$DB" --clock 2039-01-01T06:00 --clock-speed 60
expect s2 "01/01/2039 06:0" "started again in 2039"
expect_not s2 "Đặt ngày giờ" "the clock is not asked for"
press s2 KP2 KP8
expect s2 "1 01/01 05:0" "the run is read back with its date"
stop_station "$DB" TERM
expect s2 "[exit 0]" "and stopped again"

# The export: a folder listed, files written, read back; dated 2039.
mkdir -p "$TMP/stick"
$EMU "$BIN" --config "$CFG" --db "$DB" --clock 2039-01-01T07:00 export --to "$TMP/stick" >"$TMP/export.out" 2>&1
F=$(ls -d "$TMP"/stick/PT01_2039-01-01 2>/dev/null)
if [ -n "$F" ] && grep -q "^PT01;1;Bơm 1;Mít ruột đỏ;bằng tay;[^;]*;01/01/2039 05:0" "$F/nhat-ky-tuoi.csv"; then
	ok "the export is dated 2039 and its diary has the run on 01/01/2039"
else
	bad "export: $(cat "$TMP/export.out"); $(ls "$TMP/stick")"
fi
# The workbook too: its run starts on 01/01/2039, a date cell.
if command -v python3 >/dev/null; then
	sheets_check cell-at "$F/so-ghi-chep.xlsx" "Nhật ký tưới" G2 "01/01/2039 05:0"
else
	echo "SKIP the workbook's dates: no python3 (scripts/install-deps.sh)"
fi

finish
