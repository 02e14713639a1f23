#!/bin/bash
# Power cuts, again and again: the station runs on the simulator in tmux
# with a fast clock, is driven with keypad keys (farm records, pump runs,
# exports), and is killed with SIGKILL at a random moment; then it starts
# again. After every cut: the database passes PRAGMA integrity_check,
# every record whose "Đã lưu" was on the screen before the cut is there,
# every run the cut left open is closed and marked as cut by the power,
# and no relay is on after the restart (the simulated relays show their
# state in files, as a GPIO line shows its value).
# Exports go to a tmpfs "stick" in a private mount namespace, which needs
# root; without root there are no exports, and the run says so.
#   tests/crashtest.sh [CYCLES]   (make crashtest; CRASH_SEED repeats a run)
if [ "$(id -u)" = 0 ] && [ -z "${FS_PRIVATE_MOUNTS:-}" ]; then
	exec env FS_PRIVATE_MOUNTS=1 unshare -m --propagation private bash "$0" "$@"
fi
. "$(dirname "$0")/e2e/lib.sh"

CYCLES=${1:-1000}
SEED=${CRASH_SEED:-$(date +%s)}
RANDOM=$SEED
SPEED=600
DB="$TMP/station.db"
CFG="$TMP/farm.ini"
RELAYS="$TMP/relays"
STICK="$TMP/stick"
mkdir -p "$RELAYS" "$STICK"
# The demo farm, with readings written (and rolled up) every station
# minute: at 600 times, ten times a second, so that cuts fall in them.
sed -e 's/^poll_seconds *=.*/poll_seconds = 10/' -e 's/^flush_minutes *=.*/flush_minutes = 1/' \
	-e "s|^code = PT01 .*|&\nusb_mount = $STICK|" "$TOP/config/demo.ini" >"$CFG"
EXPORTS=0
if [ -n "${FS_PRIVATE_MOUNTS:-}" ] && mount -t tmpfs -o size=512m stick "$STICK"; then
	EXPORTS=1
else
	echo "NOTE: not root: no exports are cut in this run"
fi
# A tmux server that outlives the station's sessions.
t new-session -d -s keeper "sleep 86400"

confirmed=0 lost=0 cut_runs=0 unclosed=0 relays_cut=0 relays_left=0 broken=0
exports_whole=0 exports_cut=0 exports_bad=0
declare -A seen_actions=()
# Records seen saved: "fertilize AMOUNT" or "harvest KG LOT".
expect_records=()

# The keypad keys that type a number.
keys_of() {
	local s=$1 i out=()
	for ((i = 0; i < ${#s}; i++)); do
		case ${s:i:1} in
		.) out+=(KP.) ;;
		*) out+=("KP${s:i:1}") ;;
		esac
	done
	echo "${out[@]}"
}

# All the keys at once, as fast as a keypad can send them.
burst() {
	t send-keys -t s "$@"
}

# The next start: past the newest moment in the database, so that the
# station's clock is never behind what it wrote. Readings on their way in
# are in the pending file (fieldstation readings shows them); the note
# that a pump ran is there too, at most a batch (ten station minutes)
# after them: fifteen minutes past the newest is past it.
next_clock() {
	local newest reading
	newest=$(sql "$DB" "SELECT max(coalesce((SELECT max(t) FROM events), 0),
		coalesce((SELECT last FROM readings_packed ORDER BY t DESC LIMIT 1), 0),
		coalesce((SELECT max(entered_at) FROM records), 0),
		coalesce((SELECT max(max(started, coalesce(ended, 0))) FROM pump_runs), 0))" 2>/dev/null)
	reading=$("$BIN" --db "$DB" readings 2>/dev/null | tail -n 1 | cut -f 1)
	[ -n "$reading" ] && [ "$reading" -gt "${newest:-0}" ] && newest=$reading
	[ -n "$newest" ] && [ "$newest" -gt 0 ] || newest=$(date -d 2026-06-01T05:00 +%s)
	date -d "@$((newest + 900))" +%Y-%m-%dT%H:%M
}

start_station() {
	start s --config "$CFG" --db "$DB" --clock "$(next_clock)" --clock-speed $SPEED \
		--sim-relays "$RELAYS"
	wait_for s "1 Độ ẩm đất" 20 || { bad "the station did not start again" s; return 1; }
}

# What the last cut must have left, checked once the station is back.
check_after_restart() {
	local open_before=$1 r n f
	for f in "$RELAYS"/*; do
		if [ "$(head -c 1 "$f")" != 0 ]; then
			relays_left=$((relays_left + 1))
			bad "cycle $cycle: relay $(basename "$f") is on after the restart"
		fi
	done
	for r in $open_before; do
		n=$(sql "$DB" "SELECT count(*) FROM pump_runs WHERE id = $r AND ended IS NOT NULL
			AND end_reason = 'power_cut' AND ended >= started AND ended <= planned_end")
		[ "$n" = 1 ] || { unclosed=$((unclosed + 1)); bad "cycle $cycle: run $r not closed as cut"; }
	done
	n=$(sql "$DB" "SELECT count(*) FROM pump_runs WHERE ended IS NULL")
	[ "$n" = 0 ] || { unclosed=$((unclosed + 1)); bad "cycle $cycle: $n runs open after the restart"; }
}

# What must be in the database right after the cut.
check_after_cut() {
	local rec kind amount lot n
	if [ "$(sql "$DB" "PRAGMA integrity_check")" != ok ]; then
		broken=$((broken + 1))
		bad "cycle $cycle: integrity_check fails"
	fi
	for rec in "${expect_records[@]}"; do
		read -r kind amount lot <<<"$rec"
		if [ "$kind" = fertilize ]; then
			n=$(sql "$DB" "SELECT count(*) FROM records WHERE kind = 'fertilize' AND amount = $amount")
		else
			n=$(sql "$DB" "SELECT count(*) FROM records WHERE kind = 'harvest' AND kg = $amount
				AND lot_code = '$lot'")
		fi
		[ "$n" = 1 ] || { lost=$((lost + 1)); bad "cycle $cycle: $kind $amount $lot lost ($n)"; }
	done
	# A folder on the stick that has its real name is whole.
	for f in "$STICK"/*/; do
		[ -d "$f" ] || continue
		case $f in
		*_CHUA-XONG/) exports_cut=$((exports_cut + 1)) ;;
		*) if (cd "$f" && sha256sum --quiet -c manifest.txt >/dev/null 2>&1); then
			exports_whole=$((exports_whole + 1))
		   else
			exports_bad=$((exports_bad + 1))
			bad "cycle $cycle: $(basename "$f") looks finished but does not check"
		   fi ;;
		esac
	done
	rm -rf "${STICK:?}"/*
	# Lot codes stay unique whatever was cut.
	n=$(sql "$DB" "SELECT count(*) - count(DISTINCT lot_code) FROM records
		WHERE lot_code IS NOT NULL AND corrects IS NULL")
	[ "$n" = 0 ] || bad "cycle $cycle: $n lot codes given twice"
}

# The screen's "Đã lưu" line for this cycle's record, if it was shown.
note_saved() {
	local shown=$1 kind=$2 amount=$3 lot
	grep -qF "Đã lưu" <<<"$shown" || return 0
	if [ "$kind" = harvest ]; then
		lot=$(grep -oE 'PT01-[0-9]{6}-[0-9]{2}' <<<"$shown" | head -n 1)
		[ -n "$lot" ] || return 0
	fi
	expect_records+=("$kind $amount ${lot:-}")
	confirmed=$((confirmed + 1))
}

start_station || exit 1
# Years of hourly readings already, so that an export takes long enough
# to be cut in the middle.
stop_station "$DB" TERM
wait_for s "[exit 0]" 10
sql "$DB" "WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < 17520)
	INSERT OR IGNORE INTO readings_hourly(sensor, quantity, t, n, min, mean, max)
	SELECT s.id, q.q, $(date -d 2026-06-01T05:00 +%s) / 3600 * 3600 - n * 3600, 60,
	       25 + n % 9, 30 + (n % 600) / 20.0, 45 - n % 7
	FROM i, sensors s, (SELECT 0 AS q UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) q
	WHERE s.code LIKE 'soil%'"
start_station || exit 1
started_at=$(date +%s)
for ((cycle = 1; cycle <= CYCLES; cycle++)); do
	# A number no other cycle types: 1,0 to 101,0 and on.
	amount=$((cycle / 10 + 1)).$((cycle % 10))
	kind=""
	wait=$((RANDOM % 2500))
	case $((RANDOM % (6 + EXPORTS))) in
	0 | 1)
		action=record kind=fertilize
		# Bón phân: today, Mít ruột đỏ, NPK, the amount, châm phân, Ba.
		burst KP/ KP3 KP1 KPEnter KP1 KP1 $(keys_of "$amount") KPEnter KP1 KP1 KPEnter
		;;
	2)
		action=harvest kind=harvest
		# Thu hoạch: today, Vú sữa Hoàng Kim, the kilograms, grade 1, buyer 1, Ba.
		burst KP/ KP4 KP1 KPEnter KP2 $(keys_of "$amount") KPEnter KP1 KP1 KP1 KPEnter
		;;
	3 | 4)
		action=run
		# Máy bơm: pump 1 for its 30 minutes (three seconds here), by Ba,
		# and yes once more when the run meets peak hours.
		burst KP/ KP2 KP1 KPEnter KPEnter KPEnter KPEnter
		;;
	5)
		action=idle	# readings being written and rolled up
		;;
	6)
		action=export
		# Chép ra USB: one key; cut mostly while it writes.
		burst KP/ KP5
		wait=$((RANDOM % 800))
		;;
	esac
	seen_actions[$action]=$((${seen_actions[$action]:-0} + 1))
	# The cut: anywhere from before the first key is read to well after
	# the last (a run lasts three seconds).
	sleep "$((wait / 1000)).$(printf '%03d' $((wait % 1000)))"
	shown=$(screen s)
	stop_station "$DB" KILL
	wait_for s "[exit 137]" 10 || { bad "cycle $cycle: not killed" s; break; }
	[ -n "$kind" ] && note_saved "$shown" "$kind" "$amount"
	for f in "$RELAYS"/*; do
		[ "$(head -c 1 "$f")" = 1 ] && relays_cut=$((relays_cut + 1))
	done
	open_runs=$(sql "$DB" "SELECT id FROM pump_runs WHERE ended IS NULL")
	cut_runs=$((cut_runs + $(wc -w <<<"$open_runs")))
	check_after_cut
	start_station || break
	check_after_restart "$open_runs"
	[ $((cycle % 50)) = 0 ] && echo "  $cycle cycles, $confirmed records confirmed, $lost lost ($(($(date +%s) - started_at)) s)"
done
stop_station "$DB" TERM
wait_for s "[exit 0]" 10 || bad "the station did not stop on SIGTERM" s

[ $EXPORTS = 1 ] && umount "$STICK"
records=$(sql "$DB" "SELECT count(*) FROM records")
runs=$(sql "$DB" "SELECT count(*) FROM pump_runs")
echo "seed $SEED, clock ${SPEED}x, $(($(date +%s) - started_at)) s"
echo "actions cut: $(for a in "${!seen_actions[@]}"; do printf '%s %s, ' "$a" "${seen_actions[$a]}"; done)"
echo "database: $records records, $runs pump runs"
echo "cycles: $((cycle - 1))"
echo "records confirmed: $confirmed"
echo "records lost: $lost"
echo "runs cut: $cut_runs, left open or unmarked: $unclosed"
echo "relays on at the cut: $relays_cut, on after the restart: $relays_left"
echo "integrity_check failures: $broken"
echo "exports on the stick at the cut: $exports_whole whole (checked), $exports_cut unfinished, $exports_bad broken"
[ $((cycle - 1)) = "$CYCLES" ] && [ $lost = 0 ] && [ $unclosed = 0 ] && [ $relays_left = 0 ] &&
	[ $broken = 0 ] && [ $exports_bad = 0 ] && [ $FAILS = 0 ]
