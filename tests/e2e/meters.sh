#!/bin/bash
# Pulse water meters in the pumps' lines, on the simulated farm with the
# clock 600 times faster: a run's litres in the diary, on the screen and
# in the export; a meter sending noise is an alarm, never water; a meter
# that counts no water stops the pump like a dry flow sensor.
. "$(dirname "$0")/lib.sh"

# Pump 1 with a meter (40 l/min on the simulator, 450 pulses a litre);
# pump 2's meter as the test says.
farm() {
	sed -e "/^\[pump.p1\]/,/^$/s/^power_kw = .*/&\nmeter = m1\nmin_flow = 20/" \
		-e "/^\[pump.p2\]/,/^$/s/^power_kw = .*/&\nmeter = m2\nmin_flow = 20/" \
		"$TOP/config/demo.ini"
	printf '\n[meter.m1]\nname = Đồng hồ giếng\ndriver = sim\npulses_per_litre = 450\n'
	printf '\n[meter.m2]\nname = Đồng hồ hồ\ndriver = sim\npulses_per_litre = 450\n%s\n' "$1"
}
farm "sim_fault = noise" >"$TMP/noise.ini"
out=$("$BIN" check --config "$TMP/noise.ini" --db "$TMP/check.db" 2>&1) &&
	ok "a farm with meters checks clean" || bad "noise.ini: $out"
# A meter without its pulses a litre is refused in one sentence.
sed 's/^pulses_per_litre = 450$//' "$TMP/noise.ini" >"$TMP/bad.ini"
out=$("$BIN" check --config "$TMP/bad.ini" --db "$TMP/check.db" 2>&1)
echo "$out" | grep -q "pulses_per_litre" && ok "a meter without pulses_per_litre is refused in one sentence" ||
	bad "bad.ini: $out"

DB="$TMP/noise.db"
# Monday 1 June 2026, 06:00: normal hours.
start s --config "$TMP/noise.ini" --db "$DB" --clock 2026-06-01T06:00 --clock-speed 600
expect s "1 Độ ẩm đất" "the station runs"

# Pump 1: ten minutes at 40 l/min is 400 litres, counted to the pulse,
# and the loop's lateness at 600 times the speed (a millisecond is 0,6 s):
# the litres are the relay's time on, which the diary's seconds bound.
press s KP2 KP1 KP1 KP0 KPEnter KP1 KPEnter
expect s "Bơm đang chạy: 1" "pump 1 runs"
expect s "Bơm đang chạy: 0" "and ends" 10
r=$(sql "$DB" "SELECT end_reason, planned_end - started = 600 AND ended >= planned_end,
	litres * 1.5 > ended - started - 0.01,
	litres * 1.5 < ended - started + 1 FROM pump_runs WHERE pump = 'p1'")
L=$(sql "$DB" "SELECT printf('%.1f', litres) FROM pump_runs WHERE pump = 'p1'")
[ "$r" = "done|1|1|1" ] && ok "the diary has the litres its meter counted: 40 a minute of its run ($L)" ||
	bad "pump 1 run: '$r' ($L litres)"
expect s "Báo động: 0" "no alarm"
press s KP/ KP2 KP8 KP1
shown=$(printf '%.0f' "$L")
m3=$(sql "$DB" "SELECT replace(printf('%.2f', litres / 1000), '.', ',') FROM pump_runs WHERE pump = 'p1'")
expect s "Nước: $shown lít ($m3 m³)" "the run in the diary shows its water in litres and m³"

# Pump 2: its meter sends thousands of pulses a second.
press s KP/ KP2 KP2 KP5 KP0 KPEnter KP1 KPEnter
expect s "Bơm đang chạy: 1" "pump 2 runs"
expect s "Báo động: 1" "a noisy meter raises an alarm" 10
expect s "Bơm đang chạy: 0" "the run goes its time" 10
r=$(sql "$DB" "SELECT end_reason, printf('%.1f', litres) FROM pump_runs WHERE pump = 'p2'")
[ "$r" = "done|0.0" ] && ok "noise is not water, and not a dry line either ($r)" || bad "pump 2 run: '$r'"
n=$(sql "$DB" "SELECT count(*) FROM events WHERE kind = 'meter_noise' AND source = 'm2'")
[ "$n" = 1 ] && ok "the noise is said once a run" || bad "meter_noise events: $n"
press s KP/
expect_words s "9 Báo động (1): Đồng hồ nước Đồng hồ hồ báo nhiễu" \
	"the home screen says which meter sends noise"
press s KP9
expect_words s "Đồng hồ nước Đồng hồ hồ (trên đường ống của Bơm 2) báo 5.000 xung trong một giây" \
	"the alarm says whose line it is in and how many pulses"
expect_words s "đó là nhiễu từ dây điện, không tính là nước" "the alarm says it is not counted as water"
press s KPEnter
expect s "Đã xem hết báo động." "acknowledged"
stop_station "$DB" TERM
wait_for s "[exit 0]"

# The diary on the narrow screen, and in the export.
# Later than the runs above (the clock is never behind the diary).
start_sized n 40 12 --config "$TMP/noise.ini" --db "$DB" --clock 2026-06-01T12:00
expect n "1 Độ ẩm đất" "the station on 40x12"
press n KP2 KP8 KP2 KP+ KP+ KP+
expect_words n "Nước: $shown lít ($m3 m³)" "the water fits the narrow screen"
stop_station "$DB" TERM
wait_for n "[exit 0]"
mkdir -p "$TMP/out"
out=$("$BIN" export --config "$TMP/noise.ini" --db "$DB" --to "$TMP/out" 2>&1) &&
	ok "the export runs" || bad "export: $out"
f=$(find "$TMP/out" -name nhat-ky-tuoi.csv | head -1)
col=$(head -1 "$f" | tr ';' '\n' | grep -n "Nước (lít)" | cut -d: -f1)
[ -n "$col" ] && ok "the exported diary has its water column" || bad "no water column: $(head -1 "$f")"
v=$(grep ";Bơm 1;" "$f" | cut -d';' -f"${col:-1}")
[ "$v" = "${L/./,}" ] && ok "with pump 1's litres ($v)" || bad "exported litres: '$v', not $L"

# The office takes the station's copy: each run's water with it.
out=$("$BIN" trust --into "$TMP/office.db" --yes "$TMP/out"/*_20* 2>&1) && ok "the office trusts the station" ||
	bad "trust: $out"
out=$("$BIN" merge --into "$TMP/office.db" "$TMP/out" 2>&1) && ok "the office merges it" || bad "merge: $out"
r=$(sql "$TMP/office.db" "SELECT group_concat(pump || '=' || printf('%.1f', litres), ' ') FROM
	(SELECT pump, litres FROM pump_runs ORDER BY pump)")
[ "$r" = "p1=$L p2=0.0" ] && ok "with each run's litres ($r)" || bad "office runs: '$r'"

# What it saved: the month's water against the same month a year before
# to the same day and hour (a run of 2000 litres on 1 June 2025 at 07:00,
# put in the diary for the purpose, and one of 1000 on 20 June 2025,
# after the day this June has reached: not set against it).
for d in "2025-06-01 00:00" "2025-06-20 00:00"; do
	l=$([ "$d" = "2025-06-01 00:00" ] && echo 2000 || echo 1000)
	sql "$DB" "INSERT INTO pump_runs(pump, zone, reason, started, planned_end, ended, end_reason, litres)
		SELECT pump, zone, 'schedule', strftime('%s', '$d'), strftime('%s', '$d') + 1800,
		strftime('%s', '$d') + 1800, 'done', $l FROM pump_runs WHERE pump = 'p1' LIMIT 1" >/dev/null
done
# The figures as a farmer would add them up: m³ to one decimal, then the
# change in whole percent.
now=$(sql "$DB" "SELECT replace(printf('%.1f', sum(litres) / 1000.0), '.', ',') FROM pump_runs
	WHERE started >= strftime('%s', '2026-01-01')")
pct=$(sql "$DB" "SELECT printf('%+d', CAST(round((round(sum(litres) / 1000.0, 1) - 2.0) * 100 / 2.0)
	AS INTEGER)) FROM pump_runs WHERE started >= strftime('%s', '2026-01-01')")
mit=$(sql "$DB" "SELECT replace(printf('%.1f', sum(litres) / 1000.0), '.', ',') FROM pump_runs
	WHERE started >= strftime('%s', '2026-01-01') AND pump = 'p1'")
pctm=$(sql "$DB" "SELECT printf('%+d', CAST(round((round(sum(litres) / 1000.0, 1) - 2.0) * 100 / 2.0)
	AS INTEGER)) FROM pump_runs WHERE started >= strftime('%s', '2026-01-01') AND pump = 'p1'")
# The soil never dry enough for watering by moisture to start a pump.
sed -e 's/^moisture_low = [0-9]*/moisture_low = 5/; s/^moisture_critical = [0-9]*/moisture_critical = 2/' \
	"$TMP/noise.ini" >"$TMP/saved.ini"
# Mít had a schedule: 30 minutes every day at 05:00.
sql "$DB" "INSERT INTO schedules(zone, days, start_min, minutes, changed)
	VALUES ('mit', 127, 300, 30, strftime('%s', '2026-05-01'))" >/dev/null

# page_to NAME TEXT: + until TEXT is on the screen (a few pages at most),
# waiting on each page a scaled second for it to be drawn.
page_to() {
	for _ in 1 2 3 4 5; do
		until_true 1 words_on_screen "$1" "$2" && return 0
		press "$1" KP+
	done
	until_true 1 words_on_screen "$1" "$2"
}

start_sized y 40 12 --config "$TMP/saved.ini" --db "$DB" --clock 2026-06-01T13:00
expect y "1 Độ ẩm đất" "the station again on 40x12"
press y KP2 KP8
expect y "9 Tưới tiết kiệm được" "the diary offers what watering saved on 9"
press y KP9
expect y "Tháng 06/2026" "this month"
expect y "4: tháng trước  5: theo mùa" "its keys are on the screen"
expect_words y "Nước: $now m³ (năm trước 2,0 m³, $pct%)" \
	"the month's water against a year before to the same day ($now m³, $pct%)"
expect y "Tự chạy (không ai phải mở): 0" "runs nobody had to start: none this month"
page_to y "Từng khu:" && ok "+ pages to each zone" || bad "no zones' page" y
page_to y "Mít ruột đỏ: nước: $mit m³ (năm trước 2,0 m³, $pctm%)" &&
	ok "Mít's water against a year before ($mit m³, $pctm%)" || bad "Mít's water" y
page_to y "Vú sữa Hoàng Kim: nước: 0,0 m³" && ok "Vú sữa's water: its meter counted none" ||
	bad "Vú sữa's water" y
press y KP4 KP4 KP4 KP4 KP4 KP4 KP4 KP4 KP4 KP4 KP4 KP4
expect y "Tháng 06/2025" "twelve months back with 4"
expect y "Số lần: 2" "June 2025: two runs"
expect y "Tự chạy (không ai phải mở): 2" "both a schedule's"
expect y "4/6: tháng trước/sau  5: theo mùa" "and 6 is offered to come back"
press y KP6
expect y "Tháng 07/2025" "6: the month after"
press y KP5
expect y "Mùa mưa 05/2026–10/2026" "5: the season, the rainy one, May to October"
expect y "4: mùa trước  5: theo tháng" "its keys on the screen"
press y KP4
expect y "Mùa khô 11/2025–04/2026" "4: the dry season before"
press y KP5
expect y "Tháng 06/2026" "5 again: this month"
# Both zones watered by soil moisture from the keypad: Mít's schedule is
# kept with the switch, though it is deleted; Vú sữa had none.
press y KP/ KP2 KP9
expect y "Tưới theo độ ẩm" "the by-moisture screen"
press y KP1 KPEnter
expect_words y "Mít ruột đỏ: bật" "Mít by moisture"
press y KP2 KPEnter
expect_words y "Vú sữa Hoàng Kim: bật" "Vú sữa by moisture"
stop_station "$DB" TERM
wait_for y "[exit 0]"
sql "$DB" "DELETE FROM schedules" >/dev/null
n=$(sql "$DB" "SELECT count(*) FROM pump_runs WHERE reason = 'moisture'")
[ "$n" = 0 ] && ok "moisture started no pump (the soil is not dry)" || bad "moisture runs: $n"
# Three days later: its schedule would have run on 2, 3 and 4 June, 30
# minutes each at 1,5 kW: 2,25 kWh.
start_sized y 50 15 --config "$TMP/saved.ini" --db "$DB" --clock 2026-06-04T13:00
expect y "1 Độ ẩm đất" "the station three days later, on 50x15"
press y KP2 KP8 KP9
expect y "Tháng 06/2026" "this month's savings"
page_to y "Mít ruột đỏ: điện khi tưới theo độ ẩm: 0,00 kWh (lịch cũ 2,25 kWh, -100%)" &&
	ok "Mít's kWh by moisture against its old schedule (2,25 kWh)" || bad "Mít against its schedule" y
page_to y "Mít ruột đỏ: nước khi tưới theo độ ẩm: 0,0 m³" &&
	ok "and its water, none by moisture" || bad "Mít's water by moisture" y
page_to y "Vú sữa Hoàng Kim: so với lịch cũ: chưa có lịch cũ để so" &&
	ok "Vú sữa: no old schedule to compare, said so" || bad "Vú sữa's old schedule" y
# 5 twice: the month again from its first page.
press y KP5
expect y "Mùa mưa 05/2026–10/2026" "the season"
press y KP5
expect y "Tháng 06/2026" "the month again"
page_to y "Tiết kiệm nhờ chọn giờ:" || bad "no saving by the hours chosen" y
screen_kwh=$(screen_words y | grep -o "Tiết kiệm nhờ chọn giờ: [0-9.]* đ" | grep -o "[0-9.]* đ")
stop_station "$DB" TERM
wait_for y "[exit 0]"

# The export's savings file: the screen's figures.
rm -rf "$TMP/out2"
mkdir -p "$TMP/out2"
out=$("$BIN" export --config "$TMP/saved.ini" --db "$DB" --clock 2026-06-04T13:00 --to "$TMP/out2" 2>&1) &&
	ok "the export runs" || bad "export: $out"
f=$(find "$TMP/out2" -name tiet-kiem.csv | head -1)
[ -n "$f" ] && ok "beside the diaries: tiet-kiem.csv" || bad "no tiet-kiem.csv: $(ls "$TMP"/out2/*)"
row() { grep "^$1;$2;$3;" "$f" | head -1 | tr -d '\r'; }
r=$(row "Tháng 06\/2026" "Mít ruột đỏ" "điện khi tưới theo độ ẩm")
[ "$r" = "Tháng 06/2026;Mít ruột đỏ;điện khi tưới theo độ ẩm;0,00;kWh;2,25;lịch cũ;-100;" ] &&
	ok "the sheet's Mít against its old schedule, as the screen" || bad "tiet-kiem.csv: '$r'"
r=$(row "Tháng 06\/2026" "Vú sữa Hoàng Kim" "so với lịch cũ")
[ "$r" = "Tháng 06/2026;Vú sữa Hoàng Kim;so với lịch cũ;;;;;;chưa có lịch cũ để so" ] &&
	ok "and Vú sữa without one" || bad "tiet-kiem.csv: '$r'"
r=$(row "Tháng 06\/2026" "Mít ruột đỏ" "nước")
[ "$r" = "Tháng 06/2026;Mít ruột đỏ;nước;$mit;m³;2,0;năm trước;${pctm#+};" ] &&
	ok "Mít's water against a year before, as the screen ($mit m³)" || bad "tiet-kiem.csv: '$r'"
saved=$(row "Tháng 06\/2026" "" "Tiết kiệm nhờ chọn giờ" | cut -d';' -f4)
[ -n "$screen_kwh" ] && [ "$(printf "%s đ" "$(echo "$saved" | sed ':a;s/\B[0-9]\{3\}\>/.&/;ta')")" = "$screen_kwh" ] &&
	ok "what the hours chosen saved, the screen's ($screen_kwh)" || bad "saved: sheet '$saved', screen '$screen_kwh'"
r=$(grep -c "^Mùa mưa 05/2026–10/2026;" "$f")
[ "$r" -gt 0 ] && ok "the season's figures too ($r rows)" || bad "no season in tiet-kiem.csv"
m=$(find "$TMP/out2" -name manifest.txt | head -1)
grep -q "tiet-kiem.csv" "$m" && ok "the manifest lists it" || bad "manifest: $(cat "$m")"
# The office takes the folder: the savings file is checked as any file
# is, and nothing of it becomes a record there.
out=$("$BIN" trust --into "$TMP/office2.db" --yes "$TMP/out2"/*_20* 2>&1) && ok "the office trusts it" ||
	bad "trust: $out"
out=$("$BIN" merge --into "$TMP/office2.db" "$TMP/out2" 2>&1) && ok "the office merges the folder with tiet-kiem.csv" ||
	bad "merge: $out"
n=$(sql "$TMP/office2.db" "SELECT (SELECT count(*) FROM sqlite_schema WHERE name = 'moisture_switches'),
	(SELECT count(*) FROM moisture_switches)")
[ "$n" = "1|0" ] && ok "a station's switches to moisture are not merged as records" || bad "office switches: $n"

# A meter that counts nothing: the source is dry.
farm "sim_fault = no_water" >"$TMP/dry.ini"
DB2="$TMP/dry.db"
start d --config "$TMP/dry.ini" --db "$DB2" --clock 2026-06-01T06:00 --clock-speed 600
expect d "1 Độ ẩm đất" "a station whose pump 2 draws from a dry source"
press d KP2 KP2 KP3 KP0 KPEnter KP1 KPEnter
expect d "Bơm đang chạy: 1" "pump 2 runs"
expect d "Báo động: 1" "within minutes an alarm" 10
expect d "Bơm đang chạy: 0" "and the pump was stopped"
r=$(sql "$DB2" "SELECT end_reason, ended - started FROM pump_runs WHERE pump = 'p2'")
# A window of seconds, not an exact one: the meter's two windows of 30 s
# after its 60 s of grace are timed on the station's steady clock and
# stored nowhere, and at 600 times the speed each turn of the loop may
# be late by most of a station minute. So: no sooner than 120 s, and
# before 300 s.
case $r in
no_flow\|1[2-9]?|no_flow\|2[0-9]?) ok "stopped for want of water after its grace and two windows ($r s)" ;;
*) bad "pump 2 run: '$r'" ;;
esac
press d KP/
expect_words d "9 Báo động (1): Bơm 2: không có nước chảy" "the home screen says no water flows"
press d KP9
expect_words d "Bơm 2: không có nước chảy (lưu lượng 0,0 l/ph, cần ít nhất 20,0)" \
	"the alarm gives the flow and what was expected"
stop_station "$DB2" TERM
wait_for d "[exit 0]"

finish
