#!/bin/bash
# Manual runs as a farmer makes them, in Vietnamese: who starts the pump,
# fertigation recorded with the run, a second question in peak hours that
# says why, the diary with energy and cost, this month's summary.
. "$(dirname "$0")/lib.sh"

CFG="$TOP/config/demo.ini"
DB="$TMP/station.db"

# 1234567 -> 1.234.567 (or with the separator given).
group() { echo "$1" | sed ":a; s/\B[0-9]\{3\}\>/${2:-.}&/; ta"; }

# Monday 1 June 2026, 16:40: normal hours; peak from 17:30.
start s1 --config "$CFG" --db "$DB" --clock 2026-06-01T16:40 --clock-speed 60
expect s1 "1 Độ ẩm đất" "the station runs"
press s1 KP2 KP1
expect s1 "Chạy bao nhiêu phút?" "minutes are asked"
press s1 KP2 KP0 KPEnter
expect s1 "Ai mở bơm?" "then who starts it"
expect s1 "3 Lê Văn Tư" "from the workers of the configuration"
press s1 KP3
expect_words s1 "Mở Bơm 1 trong 20 phút? (Lê Văn Tư)" "the question names the worker"
expect s1 "1: có, kèm châm phân" "fertigation is offered"
press s1 KP1
expect s1 "Châm phân gì?" "which fertilizer"
expect s1 "1 NPK 20-20-15 Đầu Trâu" "fertilizers from the configuration"
expect_not s1 "Radiant" "no pesticides among them"
press s1 KP1
expect s1 "Châm bao nhiêu?" "how much"
press s1 KP9 KP9 KP9 KP9 KPEnter
expect s1 "là quá nhiều" "an implausible amount is refused"
press s1 BSpace BSpace BSpace BSpace KP5 KP. KP5 KPEnter
expect_words s1 "Bơm 1 đã chạy — tự tắt sau 20 phút. Đã ghi châm phân: NPK 20-20-15 Đầu Trâu 5,5 kg." "the run and the fertilizing record, in one line"
expect s1 "Bơm đang chạy: 1" "pump 1 runs"
r=$(sql "$DB" "SELECT r.kind || ' ' || r.zone || ' ' || r.product || ' ' || r.amount || ' ' || r.method || ' ' || r.who_name || ' ' || p.who FROM records r JOIN pump_runs p ON p.record = r.id")
[ "$r" = "fertilize mit npk 5.5 venturi Lê Văn Tư Lê Văn Tư" ] && ok "the fertilizing record is tied to the run" || bad "fertigation record: '$r'"

# Stop it by hand, a few minutes later.
# (The pumps screen counts its minutes down: three of its twenty gone.)
expect_line s1 "Bơm 1 .*đang chạy, còn (1[0-7]|[0-9]) phút" "three minutes later it still runs" \
	"$(station_wait 300 60)"
press s1 KP1
expect s1 "Tắt Bơm 1 ngay?" "a running pump asks to stop"
press s1 KPEnter
expect s1 "Bơm 1 đã tắt." "stopped"

# Pump 2 for 60 minutes at 16:4x runs into peak hours at 17:30.
press s1 KP2 KP6 KP0 KPEnter KP1 KPEnter
expect_words s1 "Giờ cao điểm bắt đầu lúc 17:30" "a second question: peak hours are coming"
expect_words s1 "tính 3.640 đ một kWh. Vẫn mở Bơm 2?" "with the price"
press s1 KP0
expect s1 "Đã hủy, không thay đổi gì." "0 cancels"
expect s1 "Bơm đang chạy: 0" "nothing runs"
[ "$(sql "$DB" "SELECT count(*) FROM pump_runs WHERE pump = 'p2'")" = 0 ] && ok "pump 2 was not started: no run in the diary" ||
	bad "pump 2 runs: $(sql "$DB" "SELECT * FROM pump_runs WHERE pump = 'p2'")"
stop_station "$DB" TERM
expect s1 "[exit 0]" "SIGTERM stops the station"

# 18:00 is peak hours: the question says so, Enter starts it anyway.
start s2 --config "$CFG" --db "$DB" --clock 2026-06-01T18:00 --clock-speed 60
expect s2 "Giờ cao điểm" "18:00 is peak hours"
press s2 KP2 KP2 KP1 KP0 KPEnter KP1 KPEnter
expect_words s2 "Đang giờ cao điểm đến 22:30: điện 3.640 đ một kWh thay vì 1.987 đ. Vẫn mở Bơm 2?" "in peak hours the second question says why"
press s2 KPEnter
expect s2 "Bơm 2 đã chạy — tự tắt sau 10 phút" "started by hand in peak hours"
expect s2 "Bơm đang chạy: 0" "it ends by itself after 10 minutes" 20

# The diary: newest first, two lines each; a number shows everything.
press s2 KP8
expect s2 "Nhật ký tưới" "the diary"
at() { sql "$DB" "SELECT strftime('%d/%m %H:%M', started, 'unixepoch', 'localtime') FROM pump_runs WHERE id = $1"; }
expect s2 "1 $(at 2)" "the peak-hours run first ($(at 2))"
expect s2 "Bơm 2, 10 phút" "its pump and minutes"
expect s2 "2 $(at 1)" "the morning's run below ($(at 1))"
press s2 KP1
expect s2 "Lý do: bằng tay" "by hand"
expect s2 "Người mở: Nguyễn Văn Ba" "who"
expect s2 "Kết thúc: chạy đủ giờ" "ended when its time was up"
# Its energy and cost from the seconds the diary holds (a loaded runner
# ends it a second or two late at 60 times the speed), at 1,1 kW and
# 3.640 đ a kWh of peak hours.
secs=$(sql "$DB" "SELECT ended - started FROM pump_runs WHERE id = 2")
late=$(sql "$DB" "SELECT (planned_end - started) || ' ' || (ended - planned_end) FROM pump_runs WHERE id = 2")
read -r planned after <<<"$late"
[ "$planned" = 600 ] && [ "$after" -ge 0 ] && [ "$after" -le 20 ] && ok "it ran its 10 minutes ($secs s)" ||
	bad "run 2: planned $planned s, ended $after s after"
kwh2=$(awk -v s="$secs" 'BEGIN { printf "%.2f", 1.1 * s / 3600 }' | tr . ,)
kwh3=$(awk -v s="$secs" 'BEGIN { printf "%.3f", 1.1 * s / 3600 }' | tr . ,)
cost2=$(awk -v s="$secs" 'BEGIN { printf "%.0f", 1.1 * s / 3600 * 3640 }')
expect s2 "Giờ cao điểm: $kwh2 kWh, $cost2 đ" "its energy and cost, all in peak hours (1,1 kW for $secs s)"
expect s2 "Tiền: $cost2 đ (nếu giờ cao điểm: $cost2 đ)" "its cost"
press s2 KP0 KP2
expect s2 "Kết thúc: tắt bằng tay" "the first run was stopped by hand"
expect s2 "Châm phân: NPK 20-20-15 Đầu Trâu 5,5 kg" "with its fertigation"
press s2 KP0 KP9
expect s2 "Tháng 06/2026" "this month's summary"
expect s2 "Số lần: 2" "two runs"
cost=$(sql "$DB" "SELECT printf('%d', round(sum(cost_offpeak + cost_normal + cost_peak))) FROM pump_runs")
expect s2 "Tiền điện: $(group "$cost") đ" "the cost adds up the diary ($cost)"
normal=$(sql "$DB" "SELECT printf('%d', round(sum(kwh_offpeak + kwh_normal + kwh_peak) * 1987)) FROM pump_runs")
expect s2 "Nếu giá bình thường: $(group "$normal") đ" "the same kWh at the normal price ($normal)"
expect s2 "Tự chạy (không ai phải mở): 0" "both runs were started by hand: none ran by itself"
peak=$(sql "$DB" "SELECT printf('%d', round(sum(cost_at_peak))) FROM pump_runs")
[ "$peak" -gt "$cost" ] && ok "peak prices would have cost more ($peak > $cost)" || bad "at peak $peak, paid $cost"
expect s2 "Nếu giờ cao điểm: $(group "$peak") đ" "and what it would have cost in peak hours ($peak)"
press s2 KP4
expect s2 "Tháng 05/2026" "4 shows May"
expect s2 "Số lần: 0" "which had none"
# A diary that cannot be read is said so, never shown as a month of zeros.
sql "$DB" "ALTER TABLE pump_runs RENAME TO pump_runs_away"
press s2 KP6
expect_words s2 "Không đọc được nhật ký tưới trên thẻ nhớ" "a diary that cannot be read is said"
expect_not s2 "Số lần:" "and no month of zeros is shown"
sql "$DB" "ALTER TABLE pump_runs_away RENAME TO pump_runs"
press s2 KP4 KP6
expect s2 "Số lần: 2" "read again, June has its two runs"

# The exported diary carries the same energy, cost and fertigation.
stop_station "$DB" TERM
expect s2 "[exit 0]" "and again"
mkdir -p "$TMP/stick"
$EMU "$BIN" --config "$CFG" --db "$DB" --clock 2026-06-01T19:00 export --to "$TMP/stick" >/dev/null 2>&1
F=$(ls -d "$TMP"/stick/PT01_* 2>/dev/null | head -n 1)
row=$(grep "^PT01;1;Bơm 1;" "$F/nhat-ky-tuoi.csv" | tr -d '\r')
rec=$(sql "$DB" "SELECT record FROM pump_runs WHERE id = 1")
case "$row" in
*";tắt bằng tay;"*";1,50;"*";$rec") ok "the export has the run's kW, energy, cost and its fertilizing record ($row)" ;;
*) bad "exported run: '$row'" ;;
esac
row=$(grep "^PT01;2;Bơm 2;" "$F/nhat-ky-tuoi.csv" | tr -d '\r')
case "$row" in
*";0,000;0,000;$kwh3;0;0;$cost2;$cost2;$cost2;;;;;") ok "the peak-hours run: its kWh and cost in the peak column ($kwh3 kWh, $cost2 đ)" ;;
*) bad "exported peak run: '$row' ($kwh3 kWh, $cost2 đ)" ;;
esac

# English.
start en --config "$CFG" --db "$DB" --clock 2026-06-01T19:00 --lang en
press en KP2 KP8 KP9
expect en "Month 06/2026" "English summary"
expect en "Paid: $(group "$cost" ,) VND" "costs in English"

# The peak-hours question left on the screen while peak hours end: it
# becomes the plain one, never an empty question; Enter starts.
start pk --config "$CFG" --db "$TMP/peak.db" --clock 2026-06-01T22:27 --clock-speed 60
press pk KP2 KP2 KP1 KP0 KPEnter KP1 KPEnter
expect_words pk "Đang giờ cao điểm đến 22:30" "at 22:27 the question says peak hours"
expect pk "01/06/2026 22:3" "the clock passes 22:30" 10
expect_words pk "Mở Bơm 2 trong 10 phút?" "then the plain question, not an empty one"
press pk KPEnter
expect pk "Bơm 2 đã chạy — tự tắt sau 10 phút" "Enter starts it"

finish
