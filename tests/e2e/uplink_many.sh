#!/bin/bash
# Fifty stations into one office over one broker (Debian's Mosquitto on
# loopback): each station's day (four runs, twenty-four events of which
# four alarms, its roll-ups) sent as its link sends it, in batches of ten
# rows, all fifty interleaved; the office merges every batch once, keeps
# each station's rows apart, and says how long it took (a figure for the
# README's sizing, not a timed check).
. "$(dirname "$0")/lib.sh"

command -v mosquitto >/dev/null || {
	echo "SKIPPED: $0 needs the mosquitto package (scripts/install-deps.sh)"
	exit 77
}
LOAD="$TOP/build/tests/linkload"
[ -x "$LOAD" ] || { echo "FAIL: $LOAD is not built (make helpers)"; exit 1; }
N=50
OFFICE="$TMP/office.db"
mkdir -p "$TMP/stations"
BROKER_PID=""
OFFICE_PID=""
stop_ours() {
	[ -n "$OFFICE_PID" ] && kill "$OFFICE_PID" 2>/dev/null
	[ -n "$BROKER_PID" ] && kill "$BROKER_PID" 2>/dev/null
	cleanup
}
trap stop_ours EXIT

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$TMP/broker.conf" <<EOF
listener $PORT 127.0.0.1
allow_anonymous true
persistence true
persistence_location $TMP/
max_queued_messages 100000
user $(id -un)
EOF
mosquitto -c "$TMP/broker.conf" >"$TMP/broker.log" 2>&1 &
BROKER_PID=$!
until_true 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" 2>/dev/null
start_office() {
	"$BIN" office --broker "127.0.0.1:$PORT" --into "$OFFICE" >>"$TMP/office.log" 2>&1 &
	OFFICE_PID=$!
	until_true 5 grep -q "đã nối với máy chủ" "$TMP/office.log"
}
# The office's session at the broker first: what comes while it is off waits.
start_office
kill "$OFFICE_PID"
wait "$OFFICE_PID" 2>/dev/null
out=$($EMU "$LOAD" "$OFFICE" "$TMP/stations" 127.0.0.1 "$PORT" $N 10)
[ $? = 0 ] && ok "$N stations sent their days: $out" || bad "linkload: $out"
batches=$(echo "$out" | sed -n 's/.* stations, \([0-9]*\) batches.*/\1/p')
begin=$(now_us)
start_office
all_merged() { [ "$(grep -c "đã gộp" "$TMP/office.log")" -ge "${batches:-1}" ]; }
until_true 60 all_merged
took=$(( ($(now_us) - begin) / 1000 ))
merged=$(grep -c "đã gộp" "$TMP/office.log")
[ "$merged" = "$batches" ] && ok "the office merged all $batches batches once, in ${took} ms (starting it included)" ||
	bad "merged $merged of $batches: $(grep -v 'đã gộp' "$TMP/office.log" | tail -3)"
kill "$OFFICE_PID"
wait "$OFFICE_PID" 2>/dev/null
OFFICE_PID=""

[ "$(sql "$OFFICE" "SELECT count(*) FROM stations")" = $N ] && ok "$N stations at the office" ||
	bad "stations: $(sql "$OFFICE" "SELECT count(*) FROM stations")"
per=$(sql "$OFFICE" "SELECT group_concat(DISTINCT r || '/' || e || '/' || a || '/' || d) FROM (SELECT s.id,
	(SELECT count(*) FROM origins o JOIN pump_runs p ON p.id = o.id WHERE o.tbl = 'pump_runs' AND o.station = s.id AND p.ended IS NOT NULL) AS r,
	(SELECT count(*) FROM origins o WHERE o.tbl = 'events' AND o.station = s.id) AS e,
	(SELECT count(*) FROM origins o JOIN events v ON v.id = o.id WHERE o.tbl = 'events' AND o.station = s.id AND v.alarm) AS a,
	(SELECT count(*) FROM readings_daily d JOIN sensors x ON x.id = d.sensor WHERE x.code = s.uid || ':soil1') AS d
	FROM stations s)")
[ "$per" = "4/24/4/$(sql "$TMP/stations/S001.db" "SELECT count(*) FROM readings_daily")" ] &&
	ok "every station: its 4 ended runs, 24 events, 4 alarms and its days, no more ($per)" || bad "per station: $per"
[ "$(sql "$OFFICE" "SELECT count(*) FROM pump_runs")" = $((N * 4)) ] &&
	[ "$(sql "$OFFICE" "SELECT count(*) FROM events")" = $((N * 24)) ] &&
	ok "no row twice: $((N * 4)) runs, $((N * 24)) events" || bad "totals: $(sql "$OFFICE" "SELECT count(*) FROM pump_runs"), $(sql "$OFFICE" "SELECT count(*) FROM events")"
ok "the office database: $(( $(stat -c %s "$OFFICE") / 1024 )) KB for $N stations' day"
finish
