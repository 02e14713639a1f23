#!/bin/bash
# Watering by soil moisture switched on from the keypad, on the simulated
# farm with the clock 600 times faster: the pump starts when the soil is
# below its low mark and stops at its high mark. A run during which the
# soil does not get wetter raises an alarm that stays on the home screen
# until it is acknowledged on the keypad.
. "$(dirname "$0")/lib.sh"

DB="$TMP/station.db"
# The jackfruit zone's soil (about 37-38 % here) is below a low mark of
# 40: it asks for water at once and has had enough at 42.
sed -e '/^\[zone.mit\]/,/^$/{s/^moisture_low = 30 .*/moisture_low = 40/; s/^moisture_high = 45 .*/moisture_high = 42/}' \
	"$TOP/config/demo.ini" >"$TMP/farm.ini"
grep -q '^moisture_low = 40' "$TMP/farm.ini" && ok "a farm whose jackfruit is dry" || bad "test config"

# Monday 1 June 2026, 06:00: normal hours.
start s --config "$TMP/farm.ini" --db "$DB" --clock 2026-06-01T06:00 --clock-speed 600
expect s "1 Độ ẩm đất" "the station runs"
press s KP2 KP9
expect s "Tưới theo độ ẩm" "the by-moisture screen"
expect s "1 Mít ruột đỏ: tắt (dưới 40% thì tưới, đến 42%)" "lists the zones, off, with their marks"
expect s "2 Vú sữa Hoàng Kim: tắt" "every zone"
expect s "Bơm đang chạy: 0" "no pump runs"
press s KP1
expect_words s "Tưới Mít ruột đỏ theo độ ẩm? Dưới 40% thì mở bơm; tắt khi đạt 42% hoặc sau 90 phút" "switching on explains what it does"
press s KPEnter
expect s "Mít ruột đỏ từ nay tưới theo độ ẩm." "switched on"
expect s "1 Mít ruột đỏ: bật" "and shown on"
expect s "Bơm đang chạy: 1" "the dry zone gets water at once" "$(station_wait 60 600)"
expect s "Bơm đang chạy: 0" "and the pump stops when the soil has enough" "$(station_wait 5400 600)"
r=$(sql "$DB" "SELECT reason || ' ' || end_reason || ' ' || (moisture_before < 40) || ' ' || (moisture_after >= 42) FROM pump_runs")
[ "$r" = "moisture moisture_high 1 1" ] && ok "the diary: by moisture, ended at the high mark ($r)" || bad "moisture run: $r"
press s KP0 KP8 KP1
expect s "Lý do: theo độ ẩm" "the diary screen says why"
expect s "Kết thúc: đất đã đủ ẩm" "and why it ended"
stop_station "$DB" TERM
wait_for s "[exit 0]"
n=$(sql "$DB" "SELECT value FROM meta WHERE key = 'by_moisture.mit'")
[ "$n" = yes ] && ok "the setting is kept" || bad "by_moisture.mit = $n"

# Star apple: water must raise its soil 10 points in 5 minutes, which the
# simulated drip line cannot: the alarm of a clogged nozzle or a burst pipe.
sed -e '/^\[zone.vusua\]/,/^$/s/^pump = p2$/pump = p2\nrise_percent = 10\nrise_minutes = 5/' \
	"$TOP/config/demo.ini" >"$TMP/slow.ini"
grep -q '^rise_percent = 10' "$TMP/slow.ini" && ok "a farm whose star apple must wet fast" || bad "slow.ini"
DB2="$TMP/slow.db"
start f --config "$TMP/slow.ini" --db "$DB2" --clock 2026-06-01T06:00 --clock-speed 600
expect f "1 Độ ẩm đất" "a station whose star apple needs a fast rise"
press f KP2 KP2 KP3 KP0 KPEnter KP1 KPEnter
expect f "Bơm đang chạy: 1" "pump 2 runs"
expect f "Báo động: 1" "within minutes an alarm" "$(station_wait 600 600)"
expect f "Bơm đang chạy: 0" "and the pump was stopped"
press f KP/
expect_words f "9 Báo động (1): Vú sữa Hoàng Kim: độ ẩm đất không tăng sau 5 phút tưới" "the home screen shows the alarm"
expect_stays f "9 Báo động (1)" "it stays there (twenty station minutes)"
press f KP9
expect f "Báo động 1/1" "9 opens the alarm"
expect_words f "nghẹt béc, bể ống hay hết nước? Đã tắt Bơm 2" "in full words"
expect f "Enter: đã biết" "and how to acknowledge it"
press f KPEnter
expect f "Đã xem hết báo động." "acknowledged"
expect f "Báo động: 0" "the status line agrees"
press f KP/
expect f "6 Cài đặt" "home"
expect_not f "9 Báo động" "the home screen is clear"
n=$(sql "$DB2" "SELECT count(*) FROM events WHERE kind = 'no_rise' AND source = 'vusua' AND acked IS NOT NULL")
[ "$n" = 1 ] && ok "the event log keeps the alarm and when it was acknowledged" || bad "no_rise events: $n"
r=$(sql "$DB2" "SELECT end_reason FROM pump_runs")
[ "$r" = no_rise ] && ok "the run ended for that reason" || bad "run end: $r"
stop_station "$DB2" TERM
wait_for f "[exit 0]"

# On the smallest screen the alarm still shows on the home screen.
start_sized small 40 12 --config "$TMP/slow.ini" --db "$TMP/small.db" --clock 2026-06-01T06:00 --clock-speed 600
# The soil read first: a run that starts before any reading has nothing
# to compare its rise with.
expect small "1 Độ ẩm đất" "40x12: the station runs"
press small KP1
expect small "Vú sữa Hoàng Kim" "40x12: the zones"
read_soil() { ! on_screen small "chưa có số đo"; }
until_true "$(station_wait 120 600)" read_soil || bad "40x12: no reading" small
press small KP/ KP2 KP2 KP3 KP0 KPEnter KP1 KPEnter
expect small "Báo động: 1" "40x12: the alarm comes" "$(station_wait 600 600)"
press small KP/
expect small "6 Cài đặt" "40x12: the whole menu"
expect_words small "9 Báo động (1): Vú sữa Hoàng Kim: độ ẩm đất không tăng sau" "40x12: and below it what happened, in a few words"
expect_not small "…" "40x12: nothing on it is cut short"

finish
