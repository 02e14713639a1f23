#!/bin/bash
# The moisture screen on the simulator, with keypad keys only: zones in
# large digits with their judgement, a probe that stops answering and one
# that reads nonsense marked within two polls and logged while the others
# go on, a zone's probes and its chart over a day, a week, a month and a
# year of history, pages of zones on a 40x12 screen.
. "$(dirname "$0")/lib.sh"

DB="$TMP/station.db"
CFG="$TMP/farm.ini"

# The demo farm, with soil2 reading nonsense and soil3 going silent after
# answering three polls, and a third zone that has no probe at all;
# readings written every minute.
awk '
	/^flush_minutes/ { print "flush_minutes = 1"; next }
	/^\[sensor.soil2\]/ { print; print "sim_fault = bad_value"; print "sim_fault_after = 3"; next }
	/^\[sensor.soil3\]/ { print; print "sim_fault = silent"; print "sim_fault_after = 3"; next }
	/^\[sensor.air\]/ { print "[zone.moi]"; print "name = Khu mới trồng"; print "" }
	{ print }
' "$TOP/config/demo.ini" >"$CFG"

# A year of history for soil1, as the roll-ups keep it: 33 % every day,
# and the last week hour by hour at 35 %.
start mk --config "$CFG" --db "$DB" --clock 2026-06-01T05:00
expect mk "1 Độ ẩm đất" "the station makes its database"
stop_station "$DB" TERM
wait_for mk "[exit 0]"
sql "$DB" "
	WITH RECURSIVE d(day) AS (SELECT 20240 UNION ALL SELECT day + 1 FROM d WHERE day < 20604)
	INSERT INTO readings_daily SELECT (SELECT id FROM sensors WHERE code = 'soil1'), 0, day,
		1440, 31, 33, 35 FROM d;
	WITH RECURSIVE h(t) AS (SELECT 1780246800 - 7 * 86400 UNION ALL SELECT t + 3600 FROM h
		WHERE t < 1780246800 - 3600)
	INSERT INTO readings_hourly SELECT (SELECT id FROM sensors WHERE code = 'soil1'), 0, t,
		60, 34, 35, 36 FROM h;"

# A poll a second: 60 s of station time each real second.
start vi --config "$CFG" --db "$DB" --clock 2026-06-01T05:00 --clock-speed 60
expect vi "1 Độ ẩm đất" "the station starts"
press vi KP1
expect vi "1 Mít ruột đỏ" "zone 1 with its number"
expect vi "2 Vú sữa Hoàng Kim" "zone 2"
expect vi "vừa đủ" "the judgement in words"
expect vi "vừa xong" "how old the reading is"
expect vi "Không khí: " "the air"
# The value itself is in large digits: three rows of half blocks.
n=$(screen vi | grep -c "▀")
[ "$n" -ge 4 ] && ok "values drawn in large digits" || bad "no large digits" vi

# After three polls soil3 (the star apple zone's only probe) goes silent
# and soil2 reads 6553,5 %: marked at once, logged, the rest go on.
expect vi "Mất kết nối cảm biến" "the silent probe's zone: not answering" 8
expect vi "1 cảm biến không đọc được" "the zone with one bad probe of two says so"
n=$(sql "$DB" "SELECT count(*) FROM events WHERE kind = 'sensor_lost' AND source = 'soil3' AND detail = 'không trả lời' AND alarm = 1")
[ "$n" = 1 ] && ok "lost probe logged once, as an alarm" || bad "sensor_lost events: $n"
n=$(sql "$DB" "SELECT count(*) FROM events WHERE kind = 'sensor_bad_value' AND source = 'soil2' AND detail = 'độ ẩm đất 6.553,5% không thể đúng'")
[ "$n" = 1 ] && ok "nonsense value logged with the value" || bad "sensor_bad_value events: $n"
expect vi "Báo động: 2" "two alarms on the status line"
# The alarms name each probe by its number and place, and say what is
# wrong in words with the value.
press vi KP/ KP9
expect vi "Báo động 1/2" "9 opens the alarms"
w1=$(screen_words vi)
press vi KP+
expect vi "Báo động 2/2" "+ shows the other"
both="$w1 $(screen_words vi)"
case $both in *"Mất kết nối đầu đo 3 – Vú sữa Hoàng Kim: không trả lời."*)
	ok "the lost probe's alarm in words" ;; *) bad "lost probe's alarm: $both" ;; esac
case $both in *"Giá trị không thể đúng từ đầu đo 2 – Mít ruột đỏ: độ ẩm đất 6.553,5% không thể đúng."*)
	ok "the wrong value's alarm, with the value" ;; *) bad "bad value's alarm: $both" ;; esac
case $both in *soil*) bad "an id on the alarms: $both" ;; *) ok "no sensor id on the alarms" ;; esac
press vi KP/ KP1
expect vi "Không khí:" "back to the zones"
press vi KP1
expect vi "Đầu đo 2: giá trị sai" "in the zone: which probe reads nonsense"
expect_line vi "Đầu đo 1: [0-9]+,[0-9]%" "and the good one, with its value (not marked)"
# The zone's value and its good probe's, from one drawing of the screen.
zone_is_probe1() {
	local s
	s=$(screen vi)
	zone=$(grep -F "Mít ruột đỏ" <<<"$s" | head -n 1 | grep -oE '[0-9]+,[0-9]' | head -n 1)
	probe1=$(grep -oE "Đầu đo 1: [0-9]+,[0-9]%" <<<"$s" | grep -oE '[0-9]+,[0-9]')
	[ -n "$zone" ] && [ "$zone" = "$probe1" ]
}
until_true 10 zone_is_probe1 && ok "the zone's value is its good probe's ($zone %)" ||
	bad "zone value '${zone:-}', probe 1 '${probe1:-}'" vi
# Within two polls: the lost probe's last reading and its alarm.
# A batch after the alarm reaches the database (every station minute).
LOST="SELECT t FROM events WHERE kind = 'sensor_lost' AND source = 'soil3'"
after_lost() {
	local lost
	lost=$(sql "$DB" "$LOST")
	[ -n "$lost" ] && [ "$(rsql "$DB" "SELECT count(*) FROM r WHERE t > $lost")" -gt 0 ]
}
until_true "$(station_wait 180 60)" after_lost || bad "no readings written after soil3 was lost"
last=$(rsql "$DB" "SELECT max(t) FROM r WHERE sensor = 'soil3'")
gap=$(sql "$DB" "SELECT e.t - ${last:-0} FROM events e WHERE e.kind = 'sensor_lost' AND e.source = 'soil3'")
[ -n "$gap" ] && [ "$gap" -le 120 ] && ok "lost within two polls of its last reading (${gap} s)" ||
	bad "lost after ${gap} s"
n=$(rsql "$DB" "SELECT count(*) FROM r WHERE sensor = 'soil2' AND quantity = 'moisture' AND value > 100")
[ "$n" = 0 ] && ok "nothing kept of the nonsense" || bad "$n nonsense readings stored"

# The chart: 24 hours, then + for 7 days, 30 days and a year of history.
expect vi "24 giờ +" "the chart's span, and + to change it"
expect vi "bây giờ" "the chart ends now"
press vi KP+
expect vi "- 7 ngày +" "+: a week"
press vi KP+
expect vi "- 30 ngày +" "+: a month"
press vi KP+
expect vi "- 1 năm" "+: a year"
expect vi "06/2025" "the year starts a year ago"
expect_not vi "Không có số đo" "a year of history is drawn"
n=$(screen vi | grep -c "█")
[ "$n" -ge 2 ] && ok "the year's bars" || bad "no bars" vi
press vi KP- KP- KP-
expect vi "24 giờ +" "- goes back to 24 hours"
press vi KP0
expect vi "2 Vú sữa Hoàng Kim" "0 goes back to the zones"

# A zone without probes says so, and its chart is empty.
press vi KP3
expect vi "Khu mới trồng" "the third zone opens"
expect vi "Không có số đo trong khoảng này." "its chart is empty, in words"
press vi KP0 KP0
expect vi "1 Độ ẩm đất" "and back home"
stop_station "$DB" TERM
wait_for vi "[exit 0]"

# 40x12: two zones a page, + turns it; the zone fits its probes and chart.
start_sized small 40 12 --config "$CFG" --db "$TMP/small.db" --clock 2026-06-01T05:00 --clock-speed 60
expect small "1 Độ ẩm đất" "40x12: the station starts"
press small KP1
expect small "2 Vú sữa Hoàng Kim" "40x12: two zones on the first page"
expect small "+/-: trang 1/2" "40x12: a second page, said"
expect small "Không khí:" "40x12: the air too"
press small KP+
expect small "1 Khu mới trồng" "40x12: + shows the third zone"
press small KP-
press small KP1
expect small "Đầu đo 2:" "40x12: the zone's second probe"
expect small "24 giờ +" "40x12: and its chart"
long=0
while IFS= read -r line; do
	[ "$(LC_ALL=C.UTF-8 bash -c 'echo ${#1}' _ "$line")" -gt 40 ] && long=$((long + 1))
done < <(screen small)
[ "$long" = 0 ] && ok "40x12: nothing drawn past the edge" || bad "40x12: $long lines too long" small

finish
