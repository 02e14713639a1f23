#!/bin/bash
# The office link, with Debian's Mosquitto on loopback as the cooperative's
# broker (TLS, the cooperative's CA, a certificate per station, the ACL of
# scripts/): a station runs most of a day at speed while the broker is
# stopped and started again, the office is killed and started again, the
# station is killed and started again; batches are delivered twice and out
# of order; a station with a certificate of another CA gets nothing in; a
# station's batch under another station's topic, and a batch changed on
# its way, are refused. Each time the office database is held against the
# station's: the same rows, none twice, and nothing lost (what the office
# lacks still waits in the station's outbox). The stick and the link carry
# the same records into the one office without a row twice.
. "$(dirname "$0")/lib.sh"

command -v mosquitto >/dev/null && command -v openssl >/dev/null &&
	command -v mosquitto_pub >/dev/null && command -v mosquitto_sub >/dev/null || {
	echo "SKIPPED: $0 needs the mosquitto, mosquitto-clients and openssl packages (scripts/install-deps.sh)"
	exit 77
}
MOSQUITTO=$(command -v mosquitto)
PKI="$TMP/pki"
BROKER_DIR="$TMP/broker"
OFFICE="$TMP/office/htx.db"
mkdir -p "$PKI" "$BROKER_DIR" "$TMP/office" "$TMP/stick"
BROKER_PID=""
OFFICE_PID=""
stop_ours() {
	[ -n "$OFFICE_PID" ] && kill "$OFFICE_PID" 2>/dev/null
	[ -n "$BROKER_PID" ] && kill "$BROKER_PID" 2>/dev/null
	cleanup
}
trap stop_ours EXIT

# The cooperative's CA and everyone's certificates, as the office makes
# them; and a CA of nobody's, with a certificate for PT01.
"$TOP/scripts/office-ca.sh" ca "$PKI"
"$TOP/scripts/office-ca.sh" broker "$PKI" localhost 127.0.0.1
for n in PT01 PT02 office audit; do "$TOP/scripts/office-ca.sh" client "$PKI" $n; done
"$TOP/scripts/office-ca.sh" ca "$PKI/rogue"
"$TOP/scripts/office-ca.sh" client "$PKI/rogue" PT01
[ -s "$PKI/PT01.crt" ] && [ -s "$PKI/rogue/PT01.crt" ] && ok "certificates made" || bad "certificates"

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The example configuration, on this port and in these folders.
sed -e "s|^listener 8883|listener $PORT 127.0.0.1|" \
	-e "s|/etc/mosquitto/fieldstation/mosquitto.acl|$BROKER_DIR/acl|" \
	-e "s|/etc/mosquitto/fieldstation/|$PKI/|" \
	-e "s|/var/lib/mosquitto/|$BROKER_DIR/|" "$TOP/scripts/mosquitto.conf" >"$BROKER_DIR/mosquitto.conf"
# Run by root, mosquitto would become the mosquitto user, who cannot read
# this test's keys.
echo "user $(id -un)" >>"$BROKER_DIR/mosquitto.conf"
{ cat "$TOP/scripts/mosquitto.acl"; printf '\nuser audit\ntopic read fieldstation/+/records\n'; } >"$BROKER_DIR/acl"
start_broker() {
	"$MOSQUITTO" -c "$BROKER_DIR/mosquitto.conf" >>"$BROKER_DIR/log" 2>&1 &
	BROKER_PID=$!
	until_true 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" 2>/dev/null
}
stop_broker() {
	kill "$BROKER_PID"
	wait "$BROKER_PID" 2>/dev/null
	BROKER_PID=""
}
start_office() {
	"$BIN" office --broker "127.0.0.1:$PORT" --into "$OFFICE" --ca "$PKI/ca.crt" \
		--cert "$PKI/office.crt" --key "$PKI/office.key" >>"$TMP/office.log" 2>&1 &
	OFFICE_PID=$!
}
# A client of the broker's as the command-line tools are: NAME's certificate.
as() {
	local who=$1 ca=$PKI/ca.crt dir=$PKI
	shift
	[ "$who" = rogue ] && { dir=$PKI/rogue; who=PT01; }
	"$@" -h 127.0.0.1 -p "$PORT" --cafile "$ca" --cert "$dir/$who.crt" --key "$dir/$who.key" -q 1
}

uplink() { # uplink CODE CERT_DIR: a station's config with its [uplink]
	sed "s/^code = PT01 .*/code = $1/" "$TOP/config/demo.ini"
	printf '\n[uplink]\nhost = 127.0.0.1\nport = %s\nca_file = %s\ncert_file = %s/%s.crt\nkey_file = %s/%s.key\nbatch = 40\nresend_seconds = 5\n' \
		"$PORT" "$PKI/ca.crt" "$2" "$1" "$2" "$1"
}
uplink PT01 "$PKI" >"$TMP/pt01.ini"
uplink PT02 "$PKI/rogue" | sed "s|$PKI/rogue/PT02|$PKI/rogue/PT01|" >"$TMP/pt02.ini"
ST="$TMP/st1.db"

# A wrong [uplink] is told with its line.
{ cat "$TMP/pt01.ini"; echo "username = pt01"; } >"$TMP/bad.ini"
out=$("$BIN" --config "$TMP/bad.ini" check 2>&1)
[ $? != 0 ] && echo "$out" | grep -qF "bad.ini, dòng $(grep -n '^username' "$TMP/bad.ini" | cut -d: -f1): [uplink]: username và password phải đi cùng nhau" &&
	ok "a username without its password is told with its line" || bad "bad [uplink]: $out"

# The station's clock a little after the newest it wrote: a station
# started again carries on (a clock behind what it wrote logs nothing).
after_newest() {
	date -d "@$(($(sql "$ST" "SELECT max((SELECT max(t) FROM events),
		(SELECT coalesce(max(coalesce(ended, alive, started)), 0) FROM pump_runs),
		(SELECT coalesce(max(last), 0) FROM readings_packed))") + 1800))" +%Y-%m-%dT%H:%M
}
# A pump run of 20 minutes from the keypad, started and ended.
started_or_asked() { on_screen s1 "Bơm đang chạy: 1" || words_on_screen s1 "Vẫn mở Bơm 1?"; }
water() {
	press s1 KP/
	wait_for s1 "1 Độ ẩm đất"
	press s1 KP2 KP1 KP2 KP0 KPEnter
	wait_for s1 "Ai mở bơm?"
	press s1 KPEnter
	wait_for s1 "Mở Bơm 1 trong 20 phút?"
	press s1 KPEnter
	# At 900 times the clock, peak hours may come within the 20 minutes:
	# a second question, started all the same.
	until_true 10 started_or_asked
	words_on_screen s1 "Vẫn mở Bơm 1?" && press s1 KPEnter
	expect s1 "Bơm đang chạy: 1" "$1: a pump runs"
	expect s1 "Bơm đang chạy: 0" "$1: its 20 minutes end by themselves" 5
	WATERED=$((WATERED + 1))
}
WATERED=0

# The station starts once with no broker to be found: it runs as ever and
# keeps what it writes. Its leader's first stick lets the office trust it.
start s1 --config "$TMP/pt01.ini" --db "$ST" --clock 2026-06-01T21:30 --clock-speed 600
wait_for s1 "1 Độ ẩm đất"
outbox_waits() { [ "$(sql "$ST" "SELECT count(*) FROM outbox WHERE sent IS NULL")" -gt 0 ]; }
until_true 10 outbox_waits &&
	ok "offline: what the station writes waits in its outbox" || bad "no outbox rows"
stop_station "$ST" TERM
wait_for s1 "[exit 0]"
"$BIN" --config "$TMP/pt01.ini" --db "$ST" --clock "$(after_newest)" export --to "$TMP/stick" >/dev/null &&
	"$BIN" trust --into "$OFFICE" --yes --by "chị Hạnh" "$TMP/stick/PT01_2026-06-01" >/dev/null &&
	ok "the office trusts PT01 from its stick" || bad "export or trust"

start_broker
start_office
start s1 --config "$TMP/pt01.ini" --db "$ST" --clock "$(after_newest)" --clock-speed 900
start s2 --config "$TMP/pt02.ini" --db "$TMP/st2.db" --clock 2026-06-01T21:00 --clock-speed 600
wait_for s1 "1 Độ ẩm đất"
until_true 15 grep -q "PT01 .*đã gộp" "$TMP/office.log" &&
	ok "the office merges the station's batches" || bad "nothing merged: $(tail -3 "$TMP/office.log")"

# Two batches as they travel, for delivering again later.
for b in b1 b2; do
	as audit mosquitto_sub -t fieldstation/PT01/records -C 1 -N -W $((10 * SCALE)) >"$TMP/$b" &
	sub=$!
	water "$b"
	wait $sub
done
[ -s "$TMP/b1" ] && [ -s "$TMP/b2" ] && ok "two batches seen on their way" || bad "no batches seen"

# The broker stops mid-transfer and comes back.
water "before the broker stops"
# stop_broker returns once the broker has ended: the run is made and its
# batch published while there is none.
stop_broker
water "while the broker is stopped"
start_broker
# The office is killed while it merges, and comes back.
water "before the office is killed"
kill -9 "$OFFICE_PID"
wait "$OFFICE_PID" 2>/dev/null
start_office
# The station is killed while it publishes, and comes back where it was.
water "before the station is killed"
stop_station "$ST" KILL
wait_for s1 "[exit 137]"
start s1 --config "$TMP/pt01.ini" --db "$ST" --clock "$(after_newest)" --clock-speed 900
wait_for s1 "1 Độ ẩm đất"
water "after the station came back"

# Delivered twice, and out of order; a batch changed on its way; a
# station's batch under another's topic; another's topic refused by the
# broker's ACL.
as PT01 mosquitto_pub -t fieldstation/PT01/records -f "$TMP/b2"
as PT01 mosquitto_pub -t fieldstation/PT01/records -f "$TMP/b1"
python3 -c 'import sys; d = bytearray(open(sys.argv[1], "rb").read()); d[-100] ^= 1; open(sys.argv[2], "wb").write(d)' \
	"$TMP/b1" "$TMP/b1.changed"
as PT01 mosquitto_pub -t fieldstation/PT01/records -f "$TMP/b1.changed"
as PT02 mosquitto_pub -t fieldstation/PT02/records -f "$TMP/b1"
as PT02 mosquitto_pub -t fieldstation/PT01/records -f "$TMP/b1"
out=$(as rogue mosquitto_pub -t fieldstation/PT01/records -m x 2>&1)
[ $? != 0 ] && ok "a certificate of another CA cannot connect" || bad "rogue certificate connected: $out"
until_true 10 grep -q "PT01 .*bị từ chối: nó không được ký bằng khóa của trạm" "$TMP/office.log" &&
	ok "a batch changed on its way is refused" || bad "changed batch: $(tail -3 "$TMP/office.log")"
until_true 10 grep -q "PT02 .*bị từ chối: nó đến dưới topic của trạm PT02, nhưng nó là của trạm PT01" "$TMP/office.log" &&
	ok "PT01's batch under PT02's topic is refused" || bad "other topic: $(tail -3 "$TMP/office.log")"
[ "$(grep -c "PT02 .*bị từ chối" "$TMP/office.log")" = 1 ] &&
	ok "PT02's batch under PT01's topic never reached the office (the broker's ACL)" ||
	bad "ACL: $(grep PT02 "$TMP/office.log")"

# The station stops once the office has nearly all; the office has what
# the station confirmed.
nearly_all_confirmed() {
	[ "$(sql "$ST" "SELECT count(*) < 3 AND count(*) FILTER (WHERE tbl = 'pump_runs') = 0 FROM outbox")" = 1 ]
}
until_true 20 nearly_all_confirmed
stop_station "$ST" TERM
wait_for s1 "[exit 0]"
kill "$OFFICE_PID"
wait "$OFFICE_PID" 2>/dev/null
OFFICE_PID=""

# The office against the station: every row the station wrote is in the
# office as it is at the station, once, or still waits in the outbox.
compare() {
	python3 - "$ST" "$OFFICE" <<'EOF'
import sqlite3, sys
st = sqlite3.connect(sys.argv[1])
of = sqlite3.connect(sys.argv[2])
uid = st.execute("SELECT value FROM meta WHERE key = 'station_uid'").fetchone()[0]
sid = of.execute("SELECT id FROM stations WHERE uid = ?", (uid,)).fetchone()[0]
waiting = set(st.execute("SELECT tbl, k1 FROM outbox"))
problems, counts = [], []
for t, cols in (("records", "kind, day, zone, amount, kg, entered_at"),
		("pump_runs", "pump, zone, reason, started, planned_end, ended, end_reason, kwh_peak"),
		("events", "t, kind, source, detail, alarm, acked"),
		("calibrations", "dry, wet, made_at")):
	mine = {r[0]: r[1:] for r in st.execute(f"SELECT id, {cols} FROM {t}")}
	theirs = {}
	for r in of.execute(f"SELECT o.origin_id, {', '.join('x.' + c.strip() for c in cols.split(','))}"
			    f" FROM {t} x JOIN origins o ON o.tbl = '{t}' AND o.id = x.id WHERE o.station = ?", (sid,)):
		if r[0] in theirs:
			problems.append(f"{t} {r[0]} twice")
		theirs[r[0]] = r[1:]
	n = of.execute(f"SELECT count(*) FROM {t} x JOIN origins o ON o.tbl = '{t}' AND o.id = x.id"
		       f" WHERE o.station = ?", (sid,)).fetchone()[0]
	if n != len(theirs):
		problems.append(f"{t}: {n} rows for {len(theirs)} ids")
	for i, row in mine.items():
		if (t, i) in waiting:
			continue
		if i not in theirs:
			problems.append(f"{t} {i} lost")
		elif theirs[i] != row:
			problems.append(f"{t} {i}: office {theirs[i]} station {row}")
	for i in theirs:
		if i not in mine:
			problems.append(f"{t} {i} made up")
	counts.append(f"{t}={len(theirs)}/{len(mine)}")
mine = {r[:3]: r[3:] for r in st.execute(
	"SELECT d.day, s.code, d.quantity, d.n, d.min, d.max FROM readings_daily d JOIN sensors s ON s.id = d.sensor")}
theirs = {}
for r in of.execute("SELECT d.day, substr(s.code, 34), d.quantity, d.n, d.min, d.max FROM readings_daily d"
		    " JOIN sensors s ON s.id = d.sensor WHERE s.code LIKE ? || ':%'", (uid,)):
	theirs[r[:3]] = r[3:]
waiting_days = {k for t, k in waiting if t == "readings_daily"}
for k, v in mine.items():
	if k[0] in waiting_days:
		continue
	if theirs.get(k) != v:
		problems.append(f"day {k}: office {theirs.get(k)} station {v}")
counts.append(f"days={len(theirs)}/{len(mine)}")
print(" ".join(counts))
for p in problems[:10]:
	print("PROBLEM", p)
sys.exit(1 if problems else 0)
EOF
}
out=$(compare)
[ $? = 0 ] && ok "the office holds the station's rows, none twice, none lost ($out)" || bad "office against station: $out"
[ "$(sql "$OFFICE" "SELECT count(*) FROM pump_runs WHERE ended IS NOT NULL")" = "$WATERED" ] &&
	[ "$(sql "$OFFICE" "SELECT count(*) FROM readings_daily")" -gt 0 ] &&
	ok "the runs, their ends and the days' roll-ups reached the office" || bad "too little: $out"

# The station with a certificate of nobody's CA sent nothing, lost nothing.
stop_station "$TMP/st2.db" TERM
wait_for s2 "[exit 0]"
[ "$(sql "$TMP/st2.db" "SELECT count(*) FROM outbox WHERE sent IS NULL")" -gt 0 ] &&
	[ "$(sql "$TMP/st2.db" "SELECT count(*) FROM outbox WHERE sent IS NOT NULL")" = 0 ] &&
	[ "$(sql "$OFFICE" "SELECT count(*) FROM stations WHERE code = 'PT02'")" = 0 ] &&
	ok "PT02 with a rogue certificate: all waits at the station, nothing at the office" ||
	bad "PT02: $(sql "$TMP/st2.db" "SELECT count(*), count(sent) FROM outbox")"

# The stick carries the same records again: nothing twice.
before=$(sql "$OFFICE" "SELECT (SELECT count(*) FROM events) || ' ' || (SELECT count(*) FROM pump_runs) || ' ' || (SELECT count(*) FROM readings_daily)")
rm -rf "$TMP/stick"/*
"$BIN" --config "$TMP/pt01.ini" --db "$ST" --clock "$(after_newest)" export --to "$TMP/stick" >/dev/null
"$BIN" merge --into "$OFFICE" "$TMP/stick" >/dev/null 2>&1
out=$(compare)
[ $? = 0 ] && [ "$(sql "$ST" "SELECT count(*) FROM events")" = "$(sql "$OFFICE" "SELECT count(*) FROM events")" ] &&
	ok "stick after link: the same rows once ($before, then $out)" || bad "stick after link: $out"

# Cài đặt, 1: when the office last had everything.
start s1 --config "$TMP/pt01.ini" --db "$ST" --clock "$(after_newest)"
wait_for s1 "1 Độ ẩm đất"
press s1 KP6 KP2 KP4 KP6 KP8 KPEnter KP2 KP4 KP6 KP8 KPEnter KP1
expect_words s1 "chờ gửi về văn phòng" "the station's settings say what waits for the office"
finish
