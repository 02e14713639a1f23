#!/bin/bash
# The home screen and the first steps a farmer takes, on the simulator,
# with keypad keys only, in Vietnamese and in English.
. "$(dirname "$0")/lib.sh"

DB="$TMP/station.db"
# The demo farm, with its USB stick looked for in a folder of the test's
# own, so that a stick plugged into this computer is left alone.
CFG="$TMP/farm.ini"
sed "s|^code = PT01 .*|&\nusb_mount = $TMP/stick|" "$TOP/config/demo.ini" >"$CFG"

# Monday 1 June 2026, 09:40: normal hours under the 2026 windows.
started=$(now_us)
start vi --config "$CFG" --db "$DB" --clock 2026-06-01T09:40 --clock-speed 60
expect vi "HTX Phước Thiện - trạm 1" "station name on the title line"
expect vi "1 Độ ẩm đất" "menu 1 in Vietnamese"
for item in "2 Máy bơm" "3 Bón phân, phun thuốc" "4 Thu hoạch" "5 Chép ra USB" "6 Cài đặt"; do
	expect vi "$item" "menu: $item"
done
# The time shown: 09:40 and as many station minutes as real seconds
# have passed since the start (60 times speed), no more.
shown_minutes() { screen vi | grep -oE '^01/06/2026 09:[0-9]{2} ' | grep -oE '[0-9]{2} $' | tr -d ' '; }
first=$(shown_minutes)
elapsed=$(( ($(now_us) - started + 999999) / 1000000 ))
if [ -n "$first" ] && [ "$((10#$first))" -ge 40 ] && [ "$((10#$first))" -le $((40 + elapsed)) ]; then
	ok "date dd/mm/yyyy and 24-hour time (01/06/2026 09:$first, $elapsed s after 09:40)"
else
	bad "date and time: 09:$first, $elapsed s after 09:40" vi
fi
expect vi "Giờ bình thường" "tariff band now"
expect vi "Bơm đang chạy: 0" "pumps running"
expect vi "Báo động: 0" "alarms"

# The simulated clock runs: a second at 60 times speed is a minute.
clock_moved() { later=$(shown_minutes); [ -n "$later" ] && [ "$((10#$later))" -gt "$((10#$first))" ]; }
if until_true 5 clock_moved; then ok "clock moves (09:$first -> 09:$later)"; else bad "clock moves (09:$first -> 09:${later:-})" vi; fi

# 1: soil moisture, live from the simulated probes.
press vi KP1
expect vi "Mít ruột đỏ" "moisture screen lists the jackfruit zone"
expect vi "Vú sữa Hoàng Kim" "and the star apple zone"
expect vi "Không khí:" "air temperature and humidity"
no_zone_waits() { ! on_screen vi "chưa có số đo"; }
if until_true 10 no_zone_waits; then ok "every zone has a reading"; else bad "a zone has no reading" vi; fi
# A zone's number opens it: its value in words beside its name.
press vi KP1
expect vi "Đầu đo 1:" "the jackfruit zone shows its probes, by number"
m=$(value_after vi "Mít ruột đỏ")
if [ -n "$m" ] && awk "BEGIN{exit !($m > 5 && $m < 60)}"; then ok "jackfruit moisture shown, between 5 and 60 % ($m %)"; else bad "jackfruit moisture '$m'" vi; fi
press vi KP0
expect vi "Vú sữa Hoàng Kim" "0 goes back to the zones"

# * explains the keys; any key closes the help.
press vi KP*
expect vi "Các phím ở màn hình này:" "help on *"
press vi KP5
expect vi "Không khí:" "the screen is back under the help"
expect_not vi "Các phím ở màn hình này:" "help closes on a key"

# 0 goes back home.
press vi KP0
expect vi "6 Cài đặt" "0 goes back to the home screen"

# 2: pumps. Start pump 1 for 30 minutes: digit, Enter, Enter.
press vi KP2
expect vi "Bơm 1" "pump list"
expect_line vi "^ *1 Bơm 1 +tắt *$" "pump 1 is off at start"
expect_line vi "^ *2 Bơm 2 +tắt *$" "pump 2 is off at start"
press vi KP1
expect vi "Chạy bao nhiêu phút?" "minutes are asked"
expect vi "[ 30 ] phút" "default minutes shown"
press vi KP+
expect vi "[ 35 ] phút" "+ adds five minutes"
press vi KP-
expect vi "[ 30 ] phút" "- takes five away"
press vi KPEnter
expect vi "Ai mở bơm?" "who starts it is asked"
press vi KP1
expect vi "Mở Bơm 1 trong 30 phút? (Nguyễn Văn Ba)" "start is confirmed first"
press vi KPEnter
expect vi "Bơm 1 đã chạy — tự tắt sau 30 phút" "one line says what was done"
expect vi "Bơm đang chạy: 1" "status line counts the running pump"
expect vi "đang chạy, còn" "the pump shows its time left"

# The zone's moisture rises while its pump runs.
press vi KP/ KP1 KP1
expect vi "Đầu đo 1:" "the jackfruit zone again"
before=$(value_after vi "Mít ruột đỏ")
risen() { after=$(value_after vi "Mít ruột đỏ"); [ -n "$after" ] && awk "BEGIN{exit !($after > $before + 0.5)}"; }
if [ -n "$before" ] && until_true "$(station_wait 600 60)" risen; then
	ok "moisture rises while watering ($before -> $after)"
else
	bad "moisture rises while watering ($before -> ${after:-})" vi
fi

# Only one pump at a time on this shed: pump 2 is refused in words
# before any question, naming the pump that runs and offering to stop it.
press vi KP/ KP2 KP2
expect_words vi "Chỉ được chạy 1 bơm cùng lúc, và Bơm 1 đang chạy (còn" "power supply limit explained, naming the running pump"
expect_words vi "Tắt bơm đó để mở Bơm 2?" "and offering to stop it"
expect_not vi "Chạy bao nhiêu phút?" "before any question"
press vi KP0
expect vi "Đã hủy, không thay đổi gì." "0 leaves pump 1 running"
expect vi "Bơm đang chạy: 1" "still one pump on"

# Stop pump 1 at once.
press vi KP1
expect vi "Tắt Bơm 1 ngay?" "stop is confirmed first"
press vi KPEnter
expect vi "Bơm 1 đã tắt." "pump stopped"
expect vi "Bơm đang chạy: 0" "nothing running"
expect_words vi "1 Bơm 1 tắt Mít ruột đỏ: dừng lúc" "the pump says when it stopped"
expect_words vi "tắt bằng tay" "and why"

# Pump 2 while pump 1 runs, and Enter: pump 1 stops, pump 2's minutes
# are asked.
press vi KP1 KPEnter KP1 KPEnter
expect vi "Bơm đang chạy: 1" "pump 1 on again"
expect_words vi "Mít ruột đỏ: bằng tay" "its zone and why it runs"
press vi KP2 KPEnter
expect vi "Bơm 1 đã tắt." "Enter stopped pump 1"
expect vi "Chạy bao nhiêu phút?" "and asks pump 2's minutes"
expect vi "Bơm 2" "for pump 2"
expect vi "Bơm đang chạy: 0" "nothing runs meanwhile"

# 5 without a stick: the USB screen asks for one.
press vi KP/ KP5
expect vi "Hãy cắm USB vào trạm." "USB screen: plug a stick in"
press vi KP0

# 6: settings, and what a technician reads out on the telephone.
press vi KP6
expect vi "Chưa có mã PIN quản lý" "settings ask for a first manager PIN"
press vi KP2 KP4 KP6 KP8 KPEnter KP2 KP4 KP6 KP8 KPEnter
expect vi "1 Thông tin trạm" "settings menu"
press vi KP1
expect vi "Trạm: HTX Phước Thiện - trạm 1 (PT01)" "station info: name and code"
v=$(sql "$DB" "PRAGMA user_version")
expect vi "(lược đồ $v)" "station info: database schema ($v)"
press vi KP/

# SIGTERM: the station stops, and the diary has the run with its end.
stop_station "$DB" TERM
expect vi "[exit 0]" "SIGTERM ends the station cleanly"
n=$(sql "$DB" "SELECT count(*) FROM pump_runs WHERE ended IS NOT NULL AND end_reason = 'by_hand'")
[ "$n" = 2 ] && ok "both runs are in the diary, ended by hand" || bad "diary runs ($n)"
n=$(rsql "$DB" "SELECT count(*) FROM r")
[ "$n" -gt 0 ] && ok "readings stored ($n)" || bad "readings stored ($n)"

# English.
start en --config "$CFG" --db "$TMP/en.db" --clock 2026-06-01T18:00 --lang en
expect en "1 Soil moisture" "English menu"
expect en "6 Settings" "English menu, last item"
expect en "Peak hours" "18:00 on a Monday is peak under the 2026 windows"
expect en "Pumps on: 0" "English status line"
press en KP1
expect en "Air:" "English moisture screen"

finish
