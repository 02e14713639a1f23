#!/bin/bash
# A board without a real-time clock boots with a date in the past: the
# station asks for the date and time before anything is logged, refuses
# what is not a date or is before the newest record, records that the
# clock was set and by how much, and then logs as before.
. "$(dirname "$0")/lib.sh"

CFG="$TOP/config/demo.ini"
DB="$TMP/station.db"

# A record on Wednesday 10 June 2026, 08:00.
start c --config "$CFG" --db "$DB" --clock 2026-06-10T08:00
expect c "1 Độ ẩm đất" "station started"
press c KP3 KP1 KPEnter KP1 KP1 KP4 KP0 KPEnter KP1 KP1 KPEnter
expect c "Đã lưu: 40 kg NPK" "a record on 10/06"
stop_station "$DB" TERM
wait_for c "[exit 0]"

# The power comes back and the board thinks it is 1 June.
start c --config "$CFG" --db "$DB" --clock 2026-06-01T05:00
expect c "Ngày giờ" "the date and time are asked at once"
expect c "Đồng hồ đang chỉ 01/06/2026 05:00, sớm hơn" "saying why"
expect c "[ __/__/____ __:__ ]" "twelve digits to type"
press c KP/
expect c "Ngày giờ hiện tại:" "/ does not leave it"
press c BSpace KP0
expect c "[ 0_/__/____ __:__ ]" "nor Backspace or 0: 0 is a digit"
press c BSpace
# Not a date.
press c KP3 KP2 KP0 KP6 KP2 KP0 KP2 KP6 KP0 KP9 KP3 KP0 KPEnter
expect c "Đây không phải ngày giờ" "32/06 is not a date"
for _ in 1 2 3 4 5 6 7 8 9 10 11 12; do press c BSpace; done
# Before the newest record.
press c KP1 KP0 KP0 KP6 KP2 KP0 KP2 KP6 KP0 KP7 KP0 KP0 KPEnter
expect c "là trước phiếu mới nhất" "a time before the newest record is refused"
n=$(sql "$DB" "SELECT count(*) FROM readings WHERE t < $(date -d 2026-06-10T00:00 +%s)")
[ "$n" = 0 ] && ok "no reading written under the wrong clock" || bad "$n readings dated before 10/06"
for _ in 1 2 3 4 5 6 7 8 9 10 11 12; do press c BSpace; done
press c KP1 KP0 KP0 KP6 KP2 KP0 KP2 KP6 KP0 KP9 KP3 KP0
expect c "[ 10/06/2026 09:30 ]" "typed as day/month/year hour:minute"
press c KPEnter
expect c "Đã chỉnh đồng hồ thành 10/06/2026 09:30: trước" "set,"
expect c "đó chậm 9 ngày 4 giờ 29 phút." "and by how much"
expect c "10/06/2026 09:3" "the status line shows the new time"
detail=$(sql "$DB" "SELECT detail FROM events WHERE kind = 'clock_set'")
case $detail in
"was 2026-06-01 05:0"*", +79"*" s; the station's own clock") ok "the event log keeps the old time and the difference" ;;
*) bad "clock_set event: '$detail'" ;;
esac
# Logging goes on, dated after its predecessor.
press c KP3 KP1 KPEnter KP1 KP1 KP4 KP5 KPEnter KP1 KP1 KPEnter
expect c "Đã lưu: 45 kg NPK" "records are saved again"
n=$(sql "$DB" "SELECT count(*) FROM records a JOIN records b ON b.id = a.id + 1 WHERE b.entered_at < a.entered_at")
[ "$n" = 0 ] && ok "no record dated before its predecessor" || bad "$n records out of order"
sleep 2
stop_station "$DB" TERM
wait_for c "[exit 0]"
# What was read before the clock was set is dated when it was read.
n=$(sql "$DB" "SELECT count(*) FROM readings WHERE t > $(date -d 2026-06-10T08:10 +%s)
	AND t < $(date -d 2026-06-10T09:29 +%s)")
[ "$n" = 0 ] && ok "no reading dated in the time the clock jumped over" || bad "$n readings in the jump"
n=$(sql "$DB" "SELECT count(*) FROM readings WHERE t >= $(date -d 2026-06-10T09:29 +%s)")
[ "$n" -gt 0 ] && ok "readings taken under the wrong clock written, re-dated ($n)" || bad "no readings kept"

# A right clock: no question.
start c --config "$CFG" --db "$DB" --clock 2026-06-10T10:00
expect c "1 Độ ẩm đất" "a right clock: no question"
expect_not c "Ngày giờ hiện tại" "the clock screen is not shown"

finish
