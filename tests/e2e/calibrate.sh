#!/bin/bash
# A raw analog probe calibrated on the keypad, on the simulator: before,
# the zone says the probe is not calibrated; the two points are taken (a
# pair too close refused in words), saved with the date, and every
# reading after gives soil moisture on the straight line through them;
# the calibration outlives a restart; Settings, Sensors shows it all.
. "$(dirname "$0")/lib.sh"

DB="$TMP/station.db"
CFG="$TMP/farm.ini"
# The star apple zone's probe is a capacitive one on a microcontroller
# (simulated), reporting its raw count; readings written every minute.
sed -e 's/^model = soil-jxct/model = soil-analog/' -e 's/^flush_minutes = .*/flush_minutes = 1/' \
	"$TOP/config/demo.ini" >"$CFG"

start vi --config "$CFG" --db "$DB" --clock 2026-06-01T05:00 --clock-speed 60
expect vi "1 Độ ẩm đất" "the station starts"
press vi KP1
expect vi "chưa hiệu chuẩn" "an uncalibrated probe's zone says so"
press vi KP2
expect vi "Đầu đo 3: số thô " "in the zone: the probe's raw count"
raw=$(screen vi | grep -o "Đầu đo 3: số thô [0-9.]*" | grep -o "[0-9.]*$" | tr -d .)
[ -n "$raw" ] && [ "$raw" -gt 250 ] && [ "$raw" -lt 600 ] && ok "a plausible count ($raw)" || bad "count '$raw'" vi

# Settings (a first manager PIN), 5: calibrate probes.
press vi KP/ KP6 KP2 KP4 KP6 KP8 KPEnter KP2 KP4 KP6 KP8 KPEnter
expect vi "5 Hiệu chuẩn đầu đo" "settings: calibrate probes"
press vi KP5
expect vi "1 soil3 (Vú sữa Hoàng Kim): chưa hiệu chuẩn" "the probe to calibrate, not yet done"
press vi KP1
expect vi "soil3, bước 1/2: khô" "step 1: dry"
expect vi "Rút đầu đo khỏi đất, lau khô" "what to do, in words"
expect vi "Số đo bây giờ: " "the live count"
live=$(screen vi | grep -o "Số đo bây giờ: [0-9]*" | grep -o "[0-9]*$")
expect vi "[ $live ]" "Enter would take the live count"
# In the air this probe reads 560; the simulator's probe is in the soil,
# so the technician types what the probe showed in the air.
press vi KP5 KP6 KP0 KPEnter
expect vi "soil3, bước 2/2: trong nước" "step 2: in water"
press vi KP5 KP5 KP5 KPEnter
expect vi "Hai số đo gần như bằng nhau" "two counts too close: refused in words"
expect vi "soil3, bước 2/2: trong nước" "and still at step 2"
press vi KP2 KP9 KP8 KPEnter
expect vi "Lưu hiệu chuẩn soil3: khô 560, trong nước 298?" "asked once before it is saved"
press vi KPEnter
expect vi "Đã hiệu chuẩn soil3: khô 560, trong nước 298." "one line says what was done"
expect vi "1 soil3 (Vú sữa Hoàng Kim): 01/06/2026" "the probe's calibration and its date"
n=$(sql "$DB" "SELECT count(*) FROM calibrations c JOIN sensors s ON s.id = c.sensor
	WHERE s.code = 'soil3' AND c.dry = 560 AND c.wet = 298
	AND date(c.made_at, 'unixepoch', 'localtime') = '2026-06-01'")
[ "$n" = 1 ] && ok "saved in the database with its date" || bad "calibration rows: $n"
n=$(sql "$DB" "SELECT count(*) FROM events WHERE kind = 'calibration' AND source = 'soil3'")
[ "$n" = 1 ] && ok "and in the event log" || bad "calibration events: $n"

# From the next poll (a station minute): soil moisture on the line
# through the points.
press vi KP/ KP1
expect vi "Vú sữa Hoàng Kim" "the zones again"
calibrated() { ! on_screen vi "chưa hiệu chuẩn"; }
if until_true "$(station_wait 60 60)" calibrated; then ok "the zone has its moisture"; else bad "the zone still waits for a calibration" vi; fi
press vi KP2
expect_line vi "Đầu đo 3: [0-9]+,[0-9]%" "the probe in its zone, in percent"
expect_not vi "số thô" "says moisture, not a count"
m=$(screen vi | grep -o "Đầu đo 3: [0-9]*,[0-9]%" | grep -o "[0-9]*,[0-9]" | tr , .)
[ -n "$m" ] && ok "the probe's moisture: $m %" || bad "no moisture for soil3" vi
# Readings reach the database each station minute. Each is checked
# against what two-point calibration means, not against the station's
# own arithmetic: 0 % at the dry count 560, 100 % in water at 298, on
# the straight line between (shown to a tenth: within 0.05).
PAIRS="FROM r m JOIN r ON r.t = m.t AND r.sensor = m.sensor
	WHERE m.sensor = 'soil3' AND m.quantity = 'moisture' AND r.quantity = 'raw'"
stored() { [ "$(rsql "$DB" "SELECT count(*) $PAIRS")" -ge 2 ]; }
until_true "$(station_wait 180 60)" stored
pairs=$(rsql "$DB" "SELECT count(*) $PAIRS")
wrong=$(rsql "$DB" "SELECT count(*) $PAIRS
	AND abs(m.value - max(0.0, min(100.0, 100.0 * (560 - r.value) / (560 - 298)))) > 0.05")
[ "$pairs" -ge 2 ] && [ "$wrong" = 0 ] && ok "each reading on the line through 560 (0 %) and 298 (100 %) ($pairs readings)" ||
	bad "calibrated readings: $pairs, $wrong wrong"

# The calibration outlives a restart; Sensors tells a technician all.
stop_station "$DB" TERM
wait_for vi "[exit 0]"
start vi --config "$CFG" --db "$DB" --clock 2026-06-01T06:00 --clock-speed 60
expect vi "1 Độ ẩm đất" "started again"
press vi KP1 KP2
expect_line vi "Đầu đo 3: [0-9]+,[0-9]%" "still calibrated after a restart: the probe in percent"
expect_not vi "số thô" "and not as a count"
press vi KP/ KP6 KP2 KP4 KP6 KP8 KPEnter KP4
expect vi "3 soil3: đọc được" "Settings, Sensors: every sensor and its state"
press vi KP3
expect vi "soil3: soil-analog" "a sensor's model"
expect vi "Khu: Vú sữa Hoàng Kim" "its zone"
expect vi "Hiệu chuẩn: khô 560, trong nước 298 (01/06/2026)" "its calibration"
expect vi "Số đo cuối:" "its last values"

# Backspace edits the count shown, as in every number field, and steps
# back out of a calibration from the empty field; nothing is saved.
press vi KP0 KP0 KP5 KP1
expect vi "soil3, bước 1/2: khô" "a second calibration begins"
expect_line vi '\[ [0-9]+ \]' "the live count fills the field"
field_count() { screen vi | grep -oE '\[ [0-9]* \]' | head -n 1 | tr -dc '0-9'; }
before=$(field_count)
press vi BSpace
one_less() { count=$(field_count); [ -n "$count" ] && [ ${#count} = $((${#before} - 1)) ]; }
until_true 10 one_less && ok "Backspace deletes one digit of the count ($before, $count left)" ||
	bad "the count after Backspace: '$count' (it was $before)" vi
expect vi "soil3, bước 1/2: khô" "and stays on the step"
expect_stays vi "[ $count ]" "the count stops following the probe once edited"
for _ in $(seq 1 ${#count}); do press vi BSpace; done
expect vi "[  ]" "the count cleared digit by digit"
press vi BSpace
expect vi "Đầu đo nào?" "Backspace on the empty count goes back to the probes"
n=$(sql "$DB" "SELECT count(*) FROM calibrations")
[ "$n" = 1 ] && ok "nothing saved by going back" || bad "calibrations: $n"

finish
