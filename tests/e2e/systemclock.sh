#!/bin/bash
# A board without a real-time clock boots on 1 January 1970, with real
# hardware in its configuration, so the station keeps the system clock.
# The farmer leaves the date screen and runs a pump by hand while logging
# waits; then NTP (or GPS, an RTC, a technician's `date`) sets the board's
# clock, and within a minute the station is released by itself: it says
# so, the running pump goes on for its minutes, and what waited is dated
# by the right clock. The system clock here is a test's (a preload,
# tests/fakeclock.c): the machine's own is never set.
. "$(dirname "$0")/lib.sh"

CFG="$TMP/board.ini"
DB="$TMP/station.db"
OFFSET="$TMP/clock-offset"
PRELOAD="$TOP/build/tests/libfakeclock.so"
[ -f "$PRELOAD" ] || { echo "FAIL $PRELOAD is missing: make helpers"; exit 1; }
RUNNER="env LD_PRELOAD=$PRELOAD FAKECLOCK_FILE=$OFFSET $RUNNER"

# The demo farm with its air sensor on an RS485 adapter that is not
# plugged in: hardware, so the system clock.
awk '/^\[sensor.air\]/ { print; print "driver = modbus"; print "port = /dev/fs-e2e-no-adapter";
	print "baud = 9600"; print "address = 1"; getline; next } { print }' \
	"$TOP/config/demo.ini" >"$CFG"

# 00:00 UTC on 1 January 1970 (08:00 in Bình Phước, then on UTC+8).
echo "-$(date +%s)" >"$OFFSET"
start c --config "$CFG" --db "$DB"
expect c "Ngày giờ hiện tại:" "a board at 1970 asks for the date"
expect_words c "Đồng hồ đang chỉ 01/01/1970 0" "saying what the clock says"
press c BSpace
expect c "1 Độ ẩm đất" "the date screen can be left"
expect_words c "7 Đồng hồ chậm: chưa ghi sổ, chưa tưới theo lịch." "home says logging waits"
press c KP2 KP1 KP5 KPEnter KPEnter
expect c "Mở Bơm 1 trong 5 phút?" "a pump by hand"
press c KPEnter
expect c "Bơm 1 đã chạy — tự tắt sau 5 phút" "runs"
press c KP/

# NTP sets the board's clock.
echo 0 >"$OFFSET"
set_at=$(date +%s)
expect_words c "Đồng hồ đã đúng lại ($(date +%d/%m/%Y)" "the station says it is released" 75
took=$(($(date +%s) - set_at))
[ "$took" -le 70 ] && ok "within a minute of the clock being set ($took s)" ||
	bad "released $took s after the clock was set"
expect_words c "trạm ghi sổ và tưới theo lịch trở lại." "logging and schedules go on"
expect c "$(date +%d/%m/%Y)" "the status line shows today"
expect_not c "7 Đồng hồ chậm" "home no longer says the clock is behind"
detail=$(sql "$DB" "SELECT detail FROM events WHERE kind = 'clock_released'")
case $detail in
"was 1970-01-01 0"?":"??", now $(date +%Y-%m-%d) "*" s; the system clock moved") ok "the event log keeps the jump" ;;
*) bad "clock_released event: '$detail'" ;;
esac
# Windows of real seconds: the station keeps the system clock here, which
# runs at real speed, and the pump was started at a moment the test does
# not know to the second. Its start moved with the clock: before the
# clock was set (by at most the five minutes this test may take), not in
# 1970; and the run's length is the real seconds it ran, three minutes at
# most.
started=$(sql "$DB" "SELECT started FROM pump_runs WHERE ended IS NULL")
[ -n "$started" ] && [ "$started" -ge $((set_at - 300)) ] && [ "$started" -le "$(date +%s)" ] &&
	ok "the running pump's start is dated by the right clock" || bad "the open run started at '$started'"
press c KP2
expect c "đang chạy, còn" "the pump still runs its minutes"
press c KP1
expect c "Tắt Bơm 1 ngay?" "and stops by hand"
press c KPEnter
expect c "Bơm 1 đã tắt." "stopped"
n=$(sql "$DB" "SELECT count(*) FROM pump_runs WHERE ended - started BETWEEN 0 AND 180")
[ "$n" = 1 ] && ok "the diary holds the run's true length" || bad "run lengths: $(sql "$DB" "SELECT ended - started FROM pump_runs")"
press c KP/ KP3 KP1 KPEnter KP1 KP1 KP4 KP0 KPEnter KP1 KP1 KPEnter
expect c "Đã lưu: 40 kg NPK" "records are taken"
stop_station "$DB" TERM
wait_for c "[exit 0]"
n=$(rsql "$DB" "SELECT count(*) FROM r WHERE t < 946684800")
[ "$n" = 0 ] && ok "no reading dated before 2000" || bad "$n readings dated in the past"
n=$(rsql "$DB" "SELECT count(*) FROM r WHERE t >= $((set_at - 300))")
[ "$n" -gt 0 ] && ok "readings of the morning written, dated today ($n)" || bad "no readings kept"
n=$(sql "$DB" "SELECT count(*) FROM records WHERE entered_at < 946684800")
[ "$n" = 0 ] && ok "no record dated 1970" || bad "$n records dated 1970"
[ "$(cat "$OFFSET")" = 0 ] && ok "nothing set the system clock but the test" || bad "the offset moved: $(cat "$OFFSET")"

finish
