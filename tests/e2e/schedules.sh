#!/bin/bash
# Watering schedules (lịch tưới) entered on the keypad, in Vietnamese, on
# the simulator; then the station starts again just before their time with
# the clock running 600 times faster: a schedule runs at its time; one
# that falls in peak hours moves and says so; overlaps, impossible times
# and minutes beyond the pump's limit are refused in words.
. "$(dirname "$0")/lib.sh"

CFG="$TOP/config/demo.ini"
DB="$TMP/station.db"

# Monday 1 June 2026, 04:00: off-peak (2026 windows: peak 17:30-22:30).
start s --config "$CFG" --db "$DB" --clock 2026-06-01T04:00
expect s "1 Độ ẩm đất" "the station runs"
press s KP2
expect s "7 Lịch tưới" "the pump screen offers schedules"
press s KP7
expect s "Chưa có lịch tưới nào." "no schedules yet"
expect s "9 Thêm lịch" "and a key to add one"

# 9: a new schedule. Zone 1, every day, 05:00, 20 minutes.
press s KP9
expect s "Khu nào?" "the zone is asked first"
press s KP1
expect s "Tưới những ngày nào?" "then the days"
expect s "[x] [x] [x] [x] [x] [x] [x]" "every day to begin with"
press s KP8
expect s "[x] [x] [x] [x] [x] [x] [ ]" "8 takes Sunday off"
press s KPEnter
expect s "Bắt đầu lúc mấy giờ?" "then the time"
press s KP2 KP5 KP6 KP0 KPEnter
expect s "Giờ từ 00:00 đến 23:59" "25:60 is refused in words"
press s BSpace BSpace BSpace BSpace KP0 KP5 KP0 KP0 KPEnter
expect s "Tưới bao nhiêu phút?" "then the minutes"
press s KP0 KPEnter
expect s "Nhỏ nhất được phép là 1." "zero minutes are refused"
press s BSpace KP9 KP5 KPEnter
expect s "95 là quá nhiều (tối đa 90)." "95 minutes, past pump 1's 90, are refused"
press s BSpace BSpace KP2 KP0 KPEnter
expect_words s "Lưu lịch: Mít ruột đỏ, T2–T7 05:00, 20 phút?" "the schedule is read back before saving"
press s KPEnter
expect_words s "Đã lưu lịch: Mít ruột đỏ, T2–T7 05:00, 20 phút." "saved, in one line"
expect s "T2–T7 05:00, 20 phút" "listed"
n=$(sql "$DB" "SELECT count(*) FROM schedules WHERE zone = 'mit' AND days = 126 AND start_min = 300 AND minutes = 20")
[ "$n" = 1 ] && ok "the schedule is in the database" || bad "schedule row: $n"

# An overlapping schedule on the other pump: one pump at a time here.
press s KP9 KP2 KPEnter KP0 KP5 KP1 KP0 KPEnter KPEnter KPEnter
expect_words s "Trùng giờ với lịch Mít ruột đỏ (T2–T7 05:00, 20 phút): chỉ được chạy 1 bơm cùng lúc." "an overlap is refused in words"
expect s "Bắt đầu lúc mấy giờ?" "and the time is asked again"
n=$(sql "$DB" "SELECT count(*) FROM schedules")
[ "$n" = 1 ] && ok "nothing was saved" || bad "schedules after overlap: $n"
stop_station "$DB" TERM
wait_for s "[exit 0]"

# 04:50, ten times faster: at 05:00 pump 1 starts by itself, and stops
# after 20 minutes.
start s --config "$CFG" --db "$DB" --clock 2026-06-01T04:50 --clock-speed 600
expect s "Bơm đang chạy: 1" "the scheduled run starts at 05:00" "$(station_wait 600 600)"
expect s "Bơm đang chạy: 0" "and ends by itself" "$(station_wait 1200 600)"
# Asked for 05:00 to the second; started then (in that minute, however
# slow the machine), not before; its 20 minutes planned and run whole.
five=$(date -d "2026-06-01T05:00" +%s)
n=$(sql "$DB" "SELECT count(*) FROM pump_runs WHERE reason = 'schedule' AND zone = 'mit'
	AND end_reason = 'done' AND scheduled_for = $five AND started >= $five AND started < $five + 60
	AND planned_end - started = 1200 AND ended >= planned_end")
[ "$n" = 1 ] && ok "the diary has it: asked for 05:00, not started before, 20 minutes, by schedule" ||
	bad "scheduled run in the diary: $(sql "$DB" 'SELECT * FROM pump_runs')"
press s KP2 KP8
expect s "theo lịch" "the diary screen shows why it ran"
press s KP1
expect s "Lý do: theo lịch" "and its details"
expect s "Kết thúc: chạy đủ giờ" "how it ended"
stop_station "$DB" TERM
wait_for s "[exit 0]"

# Monday 21:00, in peak hours until 22:30. A schedule for 21:50 moves.
DB2="$TMP/peak.db"
start p --config "$CFG" --db "$DB2" --clock 2026-06-01T21:00
expect p "1 Độ ẩm đất" "a second station, at 21:00"
press p KP2 KP7 KP9 KP2 KPEnter KP2 KP1 KP5 KP0 KPEnter KP3 KP0 KPEnter
expect_words p "Có ngày rơi vào giờ cao điểm: khi đó sẽ dời, ví dụ từ 21:50 sang 22:30 ngày 01/06/2026." "saving says that peak hours will move it"
press p KPEnter
expect_words p "Đã lưu lịch: Vú sữa Hoàng Kim, mỗi ngày 21:50, 30 phút." "saved"
stop_station "$DB2" TERM
wait_for p "[exit 0]"
start p --config "$CFG" --db "$DB2" --clock 2026-06-01T21:40 --clock-speed 600
press p KP2
expect_words p "Sắp tưới: Vú sữa Hoàng Kim lúc 22:30 (lịch 21:50, dời vì giờ cao điểm)" "the pump screen shows the moved run"
expect_line p "^ *2 Bơm 2 +tắt *$" "nothing runs in peak hours"
expect p "Bơm đang chạy: 1" "it runs at 22:30" "$(station_wait 3000 600)"
t=$(sql "$DB2" "SELECT strftime('%H:%M', started, 'unixepoch', '+7 hours') || ' ' || strftime('%H:%M', scheduled_for, 'unixepoch', '+7 hours') FROM pump_runs")
[ "$t" = "22:30 21:50" ] && ok "the diary keeps both times: ran 22:30, asked 21:50" || bad "moved run: $t"
press p KP8 KP1
expect_words p "Theo lịch 21:50, đã dời (giờ cao điểm hoặc bơm bận)" "the diary says it was moved"
press p KP0 KP0
n=$(sql "$DB2" "SELECT count(*) FROM events WHERE kind = 'schedule_moved' AND source = 'vusua'")
[ "$n" = 1 ] && ok "the move is in the event log" || bad "schedule_moved events: $n"

# Change the schedule to 23:00, then delete it.
press p KP7 KP1
expect p "1 Sửa" "a schedule can be changed"
press p KP1 KP2 KPEnter KP2 KP3 KP0 KP0 KPEnter KPEnter KPEnter
expect_words p "Đã lưu lịch: Vú sữa Hoàng Kim, mỗi ngày 23:00, 30 phút." "changed"
press p KP1 KP2
expect_words p "Xóa lịch Vú sữa Hoàng Kim, mỗi ngày 23:00, 30 phút?" "deleting asks first"
press p KPEnter
expect p "Đã xóa lịch." "deleted"
n=$(sql "$DB2" "SELECT count(*) FROM schedules")
[ "$n" = 0 ] && ok "no schedule left" || bad "schedules: $n"
stop_station "$DB2" TERM
wait_for p "[exit 0]"

# The smallest screen, and a farm of twelve zones: the zones come a page
# at a time, and the editor fits 40x12.
cp "$CFG" "$TMP/big.ini"
for i in 3 4 5 6 7 8 9 10 11 12; do
	printf '\n[zone.z%d]\nname = Khu %d\npump = p2\n' "$i" "$i" >>"$TMP/big.ini"
done
start_sized small 40 12 --config "$TMP/big.ini" --db "$TMP/small.db" --clock 2026-06-01T04:00
press small KP2 KP7 KP9
expect small "1 Mít ruột đỏ" "40x12: the first zones"
expect small "+/-:" "40x12: and a way to the others"
expect_not small "Khu 12" "40x12: not all on one page"
press small KP+
expect small "Khu 12" "40x12: + shows the next zones"
n=$(screen small | grep -oE '^ [0-9] Khu 12' | grep -oE '[0-9]' | head -n 1)
press small "KP$n"
expect small "Khu 12" "40x12: a zone of the second page is picked"
expect small "Tưới những ngày nào?" "40x12: the days question"
expect small "[x] [x] [x] [x] [x] [x] [x]" "40x12: the days fit"
press small KPEnter
expect small "[ 05:00 ]" "40x12: the time"
press small KPEnter KP1 KP0 KPEnter KPEnter
expect small "Đã lưu lịch: Khu 12" "40x12: saved for zone 12"
n=$(sql "$TMP/small.db" "SELECT count(*) FROM schedules WHERE zone = 'z12'")
[ "$n" = 1 ] && ok "the schedule is zone 12's" || bad "z12 schedules: $n"

finish
