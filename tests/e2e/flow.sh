#!/bin/bash
# Flow sensors in the pumps' lines, on the simulated farm with the clock
# 600 times faster: water that flows lets a run go on; a dry source stops
# the pump a few minutes in with an alarm that stays on the home screen
# until it is acknowledged, and the diary says why the run ended; a flow
# sensor that stops answering is logged and stops nothing.
. "$(dirname "$0")/lib.sh"

# Pump 1 and pump 2 each with a flow sensor; pump 2's source is dry.
# flow_sensor = ... goes in after each pump's power_kw line.
farm() {
	sed -e "/^\[pump.p1\]/,/^$/s/^power_kw = .*/&\nflow_sensor = flow1\nmin_flow = 20/" \
		-e "/^\[pump.p2\]/,/^$/s/^power_kw = .*/&\nflow_sensor = flow2\nmin_flow = 20\nflow_grace_seconds = 90/" \
		-e 's/^flush_minutes = .*/flush_minutes = 1/' \
		"$TOP/config/demo.ini"
	printf '\n[sensor.flow1]\ndriver = sim\nmodel = flow\n%s\n' "$1"
	printf '\n[sensor.flow2]\ndriver = sim\nmodel = flow\nsim_fault = no_water\n'
}
farm "" >"$TMP/dry.ini"
if "$BIN" check --config "$TMP/dry.ini" --db "$TMP/check.db" >/dev/null; then
	ok "a farm with flow sensors checks clean"
else
	bad "dry.ini: $("$BIN" check --config "$TMP/dry.ini" --db "$TMP/check.db" 2>&1 | head -3)"
fi

DB="$TMP/dry.db"
# Monday 1 June 2026, 06:00: normal hours.
start s --config "$TMP/dry.ini" --db "$DB" --clock 2026-06-01T06:00 --clock-speed 600
expect s "1 Độ ẩm đất" "the station runs"

# Pump 1: water flows, the run goes its ten minutes.
press s KP2 KP1 KP1 KP0 KPEnter KP1 KPEnter
expect s "Bơm đang chạy: 1" "pump 1 runs"
expect s "Bơm đang chạy: 0" "and ends" "$(station_wait 600 600)"
# Planned for its ten minutes to the second, and ended no sooner: a busy
# machine may end it a little late.
r=$(sql "$DB" "SELECT end_reason || ' ' || (planned_end - started = 600 AND ended >= planned_end)
	FROM pump_runs WHERE pump = 'p1'")
[ "$r" = "done 1" ] && ok "water flowed: the run went its ten minutes" || bad "pump 1 run: '$r'"
expect s "Báo động: 0" "no alarm"
n=$(rsql "$DB" "SELECT count(*) FROM r WHERE sensor = 'flow1' AND quantity = 'flow' AND value > 30")
[ "${n:-0}" -ge 1 ] && ok "the flow while it ran is stored with the readings ($n)" || bad "flow1 readings: $n"

# Pump 2: the source is dry.
press s KP/ KP2 KP2 KP3 KP0 KPEnter KP1 KPEnter
expect s "Bơm đang chạy: 1" "pump 2 runs"
expect s "Báo động: 1" "within minutes an alarm" "$(station_wait 600 600)"
expect s "Bơm đang chạy: 0" "and the pump was stopped"
# The pump screen says what is true now: the sentence that it runs is
# gone, and the pump says why it stopped.
expect_words s "2 Bơm 2 tắt Vú sữa Hoàng Kim: dừng lúc" "pump 2 off, its zone and when it stopped"
expect_words s ", đã tắt: không có nước chảy" "and why"
expect_not s "Bơm 2 đã chạy" "the message that it runs went with the run"
r=$(sql "$DB" "SELECT end_reason FROM pump_runs WHERE pump = 'p2'")
[ "$r" = no_flow ] && ok "the run ended for want of water" || bad "pump 2 run end: '$r'"
# 90 s of grace, then two readings in a row below 20 l/min: the pump
# stops at the first minute after the second, with one alarm. From the
# stored readings, not from a window of minutes.
RUN="(SELECT started, ended FROM pump_runs WHERE pump = 'p2')"
LOW="SELECT r.t FROM r, $RUN p
	WHERE r.sensor = 'flow2' AND r.quantity = 'flow' AND r.t >= p.started + 90 AND r.t <= p.ended"
second=$(rsql "$DB" "$LOW AND r.value < 20 ORDER BY r.t LIMIT 1 OFFSET 1")
r=$(rsql "$DB" "SELECT ($second <= p.ended AND p.ended <= $second + 60) || ' ' ||
	(SELECT count(*) FROM events WHERE kind = 'no_flow' AND source = 'p2') || ' ' ||
	(SELECT count(*) FROM ($LOW AND r.t <= $second AND r.value >= 20)) FROM $RUN p")
[ -n "$second" ] && [ "$r" = "1 1 0" ] &&
	ok "stopped at the minute after the second low reading, past the grace ($(sql "$DB" "SELECT ended - started FROM $RUN")s)" ||
	bad "pump 2 stop: second low reading at '$second', checks '$r'"
press s KP/
expect_words s "9 Báo động (1): Bơm 2: không có nước chảy" "the home screen shows the alarm"
expect_stays s "9 Báo động (1)" "it stays there (twenty station minutes)"
press s KP9
expect s "Báo động 1/1" "9 opens the alarm"
expect_words s "lưu lượng 0,0 l/ph, cần ít nhất 20,0" "the flow read and the least expected"
expect_words s "nguồn nước cạn, bể ống hay nghẹt béc? Đã tắt bơm" "what it may be, and that the pump is off"
press s KPEnter
expect s "Đã xem hết báo động." "acknowledged"
expect s "Báo động: 0" "the status line agrees"
n=$(sql "$DB" "SELECT count(*) FROM events WHERE kind = 'no_flow' AND source = 'p2' AND acked IS NOT NULL")
[ "$n" = 1 ] && ok "the event log keeps the alarm and its acknowledgement" || bad "no_flow events: $n"
press s KP/ KP2 KP8 KP1
expect s "Kết thúc: đã tắt: không có nước chảy" "the diary says why the run ended"

# Settings, Sensors: the flow sensor, in pump 1's line, with its reading.
press s KP/ KP6 KP2 KP4 KP6 KP8 KPEnter KP2 KP4 KP6 KP8 KPEnter KP4
expect s "flow1: đọc được" "the sensors list the flow sensor"
n=$(screen s | grep -o "[0-9] flow1" | head -1 | cut -c1)
press s "KP${n:-3}"
expect s "Trên đường ống của Bơm 1" "in pump 1's line"
expect_line s "[0-9]+,[0-9] l/ph" "its litres a minute"
stop_station "$DB" TERM
wait_for s "[exit 0]"
mkdir -p "$TMP/out"
out=$("$BIN" export --config "$TMP/dry.ini" --db "$DB" --to "$TMP/out" 2>&1) &&
	ok "the station exports" || bad "export: $out"
copy=$(ls "$TMP"/out/*/sao-luu.db 2>/dev/null | head -n 1)
n=$([ -n "$copy" ] && rsql "$copy" "SELECT count(*) FROM r WHERE sensor = 'flow1' AND quantity = 'flow'")
[ "${n:-0}" -ge 1 ] &&
	[ "$n" = "$(rsql "$DB" "SELECT count(*) FROM r WHERE sensor = 'flow1' AND quantity = 'flow'")" ] &&
	ok "the export's copy has every flow reading ($n)" || bad "flow readings in the copy: '${n:-}'"
grep -q "không có nước chảy" "$TMP"/out/*/nhat-ky-tuoi.csv && ok "the exported diary says why the run ended" ||
	bad "no reason in the export"
# The office takes the station's copy: its flow roll-ups (its sensors are
# named station:code there) and the dry run.
out=$("$BIN" trust --into "$TMP/office.db" --yes "$TMP/out"/*_20* 2>&1) && ok "the office trusts the station" ||
	bad "trust: $out"
out=$("$BIN" merge --into "$TMP/office.db" "$TMP/out" 2>&1) && ok "the office merges it" ||
	bad "merge: $out"
r=$(sql "$TMP/office.db" "SELECT (SELECT count(*) FROM readings_daily d JOIN sensors s ON s.id = d.sensor
	WHERE s.code LIKE '%:flow1' AND d.quantity = 8) || ' ' ||
	(SELECT end_reason FROM pump_runs WHERE pump = 'p2')")
[ "$r" = "1 no_flow" ] && ok "with the day's flow and the run's end ($r)" || bad "office: '$r'"

# A flow sensor that stops answering: logged as lost, the run goes on.
farm $'sim_fault = silent\nsim_fault_after = 2' >"$TMP/lost.ini"
DB2="$TMP/lost.db"
start l --config "$TMP/lost.ini" --db "$DB2" --clock 2026-06-01T06:00 --clock-speed 600
expect l "1 Độ ẩm đất" "a station whose flow sensor will go quiet"
# Quiet after two polls: lost, and logged, before the pump starts.
lost() { [ "$(sql "$DB2" "SELECT count(*) FROM events WHERE kind = 'sensor_lost' AND source = 'flow1'")" -ge 1 ]; }
until_true "$(station_wait 600 600)" lost || bad "flow1 was never lost"
press l KP2 KP1 KP1 KP0 KPEnter KP1 KPEnter
expect l "Bơm đang chạy: 1" "pump 1 runs"
expect l "Bơm đang chạy: 0" "and ends" "$(station_wait 600 600)"
r=$(sql "$DB2" "SELECT end_reason || ' ' || (planned_end - started = 600 AND ended >= planned_end)
	FROM pump_runs WHERE pump = 'p1'")
[ "$r" = "done 1" ] && ok "a lost flow sensor stops no water" || bad "pump 1 run: '$r'"
n=$(sql "$DB2" "SELECT count(*) FROM events WHERE kind = 'sensor_lost' AND source = 'flow1'")
[ "$n" = 1 ] && ok "the lost sensor is in the event log" || bad "sensor_lost flow1: $n"
n=$(sql "$DB2" "SELECT count(*) FROM events WHERE kind = 'no_flow'")
[ "$n" = 0 ] && ok "and raises no flow alarm" || bad "no_flow events: $n"
stop_station "$DB2" TERM
wait_for l "[exit 0]"

finish
