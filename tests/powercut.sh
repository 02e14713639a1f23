#!/bin/bash
# Power cuts inside the station's own writes. The station runs on the
# simulator at 600 times real speed over the test card
# (build/tests/libcardvfs.so, tests/cardvfs.c), which at a write, sync or
# truncation picked at random within what the moment's work does drops
# every write not yet synced, whole or torn at 512-byte or 4096-byte
# sectors, and stops the station as a power cut does. The moments:
#   record      a fertilizing record's save
#   harvest     a harvest's save and its lot code
#   run-start   a pump started by hand (now and then with fertigation:
#               the run and its record in one transaction)
#   run-end     a short run's minutes and its end
#   rollup      readings written with their hourly and daily roll-ups,
#               across an hour's end
#   checkpoint  the write-ahead log copied into the database, as the
#               station stops
#   backup      the weekly backup's copy
#   migration   a database of an older schema brought up to date
# After each cut, on a copy of what the card kept: PRAGMA
# integrity_check, and every record whose "Đã lưu" was on the screen is
# there; every backup under its real name passes integrity_check too.
# Then the station starts again on the card as the cut left it: every
# run the cut left open is closed and marked as cut by the power, and no
# relay is on (--sim-relays). A moment whose work ended before its cut
# came is stopped with SIGTERM instead, and the card says how many
# writes it made, so that the next cut of that kind falls inside it.
#   tests/powercut.sh [CUTS]   (make powercut; POWERCUT_SEED repeats a
#                               run, POWERCUT_ONLY=record,backup picks)
. "$(dirname "$0")/e2e/lib.sh"

CUTS=${1:-400}
SEED=${POWERCUT_SEED:-$(date +%s)}
RANDOM=$SEED
SPEED=600
CARD="$(cd "$(dirname "$BIN")" && pwd)/tests/libcardvfs.so"
[ -e "$CARD" ] || { echo "no $CARD: make helpers"; exit 1; }
DB="$TMP/station.db"
OLD="$TMP/old/station.db"
RELAYS="$TMP/relays"
CTL="$TMP/card-control"
LOG="$TMP/card.log"
mkdir -p "$RELAYS" "$TMP/old" "$TMP/copy"
KINDS=(record harvest run-start run-end rollup checkpoint backup migration)
[ -n "${POWERCUT_ONLY:-}" ] && IFS=, read -r -a KINDS <<<"$POWERCUT_ONLY"

# Quiet: readings wait in memory for an hour, no backup, so that what
# the card counts after a key is that key's work. Busy: readings and
# their roll-ups every station minute, a backup every station hour.
QUIET="$TMP/quiet.ini"
BUSY="$TMP/busy.ini"
sed -e 's/^flush_minutes *=.*/flush_minutes = 60/' -e "s|^code = PT01 .*|&\nbackup_hours = 0|" \
	"$TOP/config/demo.ini" >"$QUIET"
sed -e 's/^poll_seconds *=.*/poll_seconds = 10/' -e 's/^flush_minutes *=.*/flush_minutes = 1/' \
	-e "s|^code = PT01 .*|&\nbackup_hours = 1|" "$TOP/config/demo.ini" >"$BUSY"

# Each kind's window: how many writes, syncs and truncations its work
# makes (the card counts them when a moment ends uncut), and which
# files it counts (part of a path; $ anchors at its end).
declare -A WINDOW=([record]=80 [harvest]=80 [run-start]=40 [run-end]=40 [rollup]=60
	[checkpoint]=40 [backup]=400 [migration]=4000)
declare -A MATCH=([checkpoint]='station.db$' [backup]='/backups/')
declare -A cuts=() uncut=()
cycles=0 confirmed=0 lost=0 broken=0 backups_checked=0 backups_bad=0 cut_runs=0 unclosed=0
relays_cut=0 relays_left=0 not_started=0
expect_records=()

# A command for the card, whole, at its next call.
card() {
	printf '%s\n' "$@" >"$CTL.tmp"
	mv "$CTL.tmp" "$CTL"
}

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

burst() { t send-keys -t s "$@"; }

# Past the newest moment in a database and its pending file: the clock
# is never behind what the station wrote. With "hour", the last minute of an hour.
next_clock() {
	local db=$1 newest=0 q n
	for q in "SELECT max(t) FROM events" "SELECT max(entered_at) FROM records" \
		 "SELECT max(max(started, coalesce(ended, 0))) FROM pump_runs" \
		 "SELECT max(t) FROM readings" "SELECT max(last) FROM readings_packed"; do
		n=$(sql "$db" "$q" 2>/dev/null)
		[ -n "$n" ] && [ "$n" -gt "$newest" ] && newest=$n
	done
	[ "$newest" -gt 0 ] || newest=$(date -d 2026-06-01T05:00 +%s)
	# What waits in the pending file (readings, a running pump's last
	# minute) is not in the database yet: it holds at most three hours.
	newest=$((newest + 3 * 3600 + 120))
	[ "${2:-}" = hour ] && newest=$(((newest / 3600 + 1) * 3600 - 60))
	date -d "@$newest" +%Y-%m-%dT%H:%M
}

# start_station DB CONFIG [CLOCK] [COMMANDS]: on the card; COMMANDS for
# it from the first call (a cut during the start-up).
start_station() {
	local db=$1 cfg=$2 clock=${3:-} at_start=${4:-}
	rm -f "$CTL"
	[ -n "$clock" ] || clock=$(next_clock "$db")
	RUNNER="env LD_PRELOAD=$CARD CARDVFS_CONTROL=$CTL CARDVFS_LOG=$LOG CARDVFS_SEED=$((SEED * 1000 + cycles))"
	[ -n "$at_start" ] && RUNNER="$RUNNER CARDVFS='$at_start'"
	start s --config "$cfg" --db "$db" --clock "$clock" --clock-speed $SPEED --sim-relays "$RELAYS"
	RUNNER=""
}

home_shown() { wait_for s "1 Độ ẩm đất" 30; }

# How the station ended: its exit status once it has ended.
ended() { screen s | grep -oE '\[exit [0-9]+\]' | tail -n 1 | tr -dc 0-9; }

# wait_end SECONDS [TEXT]: until the station ends (0), or TEXT is shown
# (1); 2 when neither came.
wait_end() {
	local limit=$1 text=${2:-} i
	for ((i = 0; i < limit * 10; i++)); do
		[ -n "$(ended)" ] && return 0
		[ -n "$text" ] && screen s | grep -qF -- "$text" && return 1
		sleep 0.1
	done
	return 2
}

cuts_so_far() {
	local n
	n=$(grep -c 'cut at a' "$LOG" 2>/dev/null)
	echo "${n:-0}"
}

# The moment ended before its cut: stop the station, and learn from the
# card how many calls the moment made.
stop_uncut() {
	local kind=$1
	card uncut
	stop_station "$2" TERM
	wait_for s "[exit" 30 || bad "cycle $cycles: $kind: the station did not stop" s
}

learn_window() {
	local n
	n=$(sed -n "/note cycle $cycles /,\$p" "$LOG" | grep -oE 'no cut \(([0-9]+) matching' |
		tail -n 1 | tr -dc 0-9)
	[ -n "$n" ] && [ "$n" -gt 0 ] && WINDOW[$1]=$n
	uncut[$1]=$((${uncut[$1]:-0} + 1))
}

# What the card kept, copied aside as it is: the database and its log.
copy_of() {
	rm -f "$TMP/copy/"*
	cp "$1" "$TMP/copy/station.db"
	[ -e "$1-wal" ] && cp "$1-wal" "$TMP/copy/station.db-wal"
	echo "$TMP/copy/station.db"
}

# The screen's "Đã lưu" of this amount, if it was shown.
note_saved() {
	local shown kind=$2 amount=$3 lot=""
	shown=$(tr '\n' ' ' <<<"$1" | tr -s ' ')
	if [ "$kind" = harvest ]; then
		lot=$(grep -oE "Đã lưu: ${amount/./,} kg, mã lô PT01-[0-9]{6}-[0-9]{2}" <<<"$shown" |
			grep -oE 'PT01-[0-9]{6}-[0-9]{2}')
		[ -n "$lot" ] || return 0
	elif [ "$kind" = fertigation ]; then
		grep -qF "Đã ghi châm phân: NPK 20-20-15 Đầu Trâu ${amount/./,} kg" <<<"$shown" || return 0
		kind=fertilize
	else
		grep -qF "Đã lưu: ${amount/./,} kg" <<<"$shown" || return 0
	fi
	expect_records+=("$kind $amount $lot")
	confirmed=$((confirmed + 1))
}

# After a cut or a stop: the database as the card kept it.
check_card() {
	local db=$1 copy rec kind amount lot n f
	copy=$(copy_of "$db")
	if [ "$(sql "$copy" "PRAGMA integrity_check")" != ok ]; then
		broken=$((broken + 1))
		bad "cycle $cycles: integrity_check fails on what the card kept"
		cp "$copy" "$TMP/../powercut-broken-$cycles.db" 2>/dev/null
	fi
	if [ "$db" = "$DB" ]; then
		for rec in "${expect_records[@]}"; do
			read -r kind amount lot <<<"$rec"
			if [ "$kind" = fertilize ]; then
				n=$(sql "$copy" "SELECT count(*) FROM records WHERE kind = 'fertilize' AND amount = $amount")
			else
				n=$(sql "$copy" "SELECT count(*) FROM records WHERE kind = 'harvest' AND kg = $amount AND lot_code = '$lot'")
			fi
			[ "$n" = 1 ] || { lost=$((lost + 1)); bad "cycle $cycles: $kind $amount $lot lost ($n)"; }
		done
	else
		n=$(sql "$copy" "SELECT count(*) FROM records")
		[ "$n" = "$OLD_RECORDS" ] || { lost=$((lost + 1)); bad "cycle $cycles: migration: $n of $OLD_RECORDS records"; }
	fi
	# A backup under its real name is whole: a restore would take it.
	for f in "$(dirname "$db")"/backups/*.db; do
		[ -e "$f" ] || continue
		backups_checked=$((backups_checked + 1))
		cp "$f" "$TMP/copy/backup.db"
		[ "$(sql "$TMP/copy/backup.db" "PRAGMA integrity_check" 2>&1)" = ok ] ||
			{ backups_bad=$((backups_bad + 1)); bad "cycle $cycles: backup $(basename "$f") is damaged"; }
	done
	open_runs=$(sql "$copy" "SELECT id FROM pump_runs WHERE ended IS NULL")
}

# Once the station is back: relays off, the runs the cut left open
# closed as cut by the power.
check_restart() {
	local db=$1 r n f
	for f in "$RELAYS"/*; do
		[ "$(head -c 1 "$f")" = 0 ] ||
			{ relays_left=$((relays_left + 1)); bad "cycle $cycles: relay $(basename "$f") on after the restart"; }
	done
	for r in $open_runs; do
		n=$(sql "$db" "SELECT count(*) FROM pump_runs WHERE id = $r AND ended IS NOT NULL
			AND end_reason = 'power_cut' AND ended >= started AND ended <= planned_end")
		[ "$n" = 1 ] || { unclosed=$((unclosed + 1)); bad "cycle $cycles: run $r not closed as cut"; }
	done
	n=$(sql "$db" "SELECT count(*) FROM pump_runs WHERE ended IS NULL")
	[ "$n" = 0 ] || { unclosed=$((unclosed + 1)); bad "cycle $cycles: $n runs open after the restart"; }
}

# One moment of a kind, on the station running on DB; ends with the
# station stopped, by the cut or by SIGTERM.
moment() {
	local kind=$1 db=$DB amount amount1 shown rec="" w=${WINDOW[$1]} m=${MATCH[$1]:-}
	# Numbers no other moment types: 1,0 and 1,1 to 101,8 and 101,9...
	amount=$((cycles / 5 + 1)).$((cycles % 5 * 2))
	amount1=$((cycles / 5 + 1)).$((cycles % 5 * 2 + 1))
	case $kind in
	record | harvest)
		# Two in a row, the cut in either: one cut in the second finds
		# the first confirmed. Bón phân: today, Mít ruột đỏ, NPK, the
		# amount, châm phân, Ba. Thu hoạch: today, Vú sữa Hoàng Kim,
		# the kilograms, grade 1, buyer 1, Ba.
		card "note cycle $cycles $kind" "cut-within $w $m"
		for amount in "$amount" "$amount1"; do
			if [ "$kind" = record ]; then
				burst KP/ KP3 KP1 KPEnter KP1 KP1 $(keys_of "$amount") KPEnter KP1 KP1 KPEnter
				rec=fertilize
			else
				burst KP/ KP4 KP1 KPEnter KP2 $(keys_of "$amount") KPEnter KP1 KP1 KP1 KPEnter
				rec=harvest
			fi
			wait_end 5 "Đã lưu: ${amount/./,} kg"
			[ -n "$(ended)" ] && break
			note_saved "$(screen s)" "$rec" "$amount"
			rec=""
		done
		;;
	run-start)
		if [ $((RANDOM % 3)) = 0 ]; then
			# Pump 1 for 20 minutes by Lê Văn Tư, with fertigation:
			# NPK, the amount. In peak hours, yes once more.
			burst KP/ KP2 KP1 KP2 KP0 KPEnter KP3
			wait_for s "kèm châm phân" 5
			card "note cycle $cycles $kind fertigation" "cut-within $w $m"
			burst KP1 KP1 $(keys_of "$amount") KPEnter
			wait_end 2 "Vẫn mở"
			[ $? = 1 ] && burst KPEnter
			rec=fertigation
		else
			card "note cycle $cycles $kind" "cut-within $w $m"
			burst KP/ KP2 KP1 KPEnter KPEnter KPEnter KPEnter
		fi
		wait_end 5 "Bơm đang chạy: 1"
		[ $? = 1 ] && sleep 0.5	# its first minutes noted
		;;
	run-end)
		# Pump 2 for 2 minutes (0.2 s here), by Ba; yes in peak hours.
		burst KP/ KP2 KP2 KP2 KPEnter KP1 KPEnter KPEnter
		if wait_for s "Bơm đang chạy: 1" 5; then
			card "note cycle $cycles $kind" "cut-within $w $m"
		fi
		wait_end 5 "Bơm đang chạy: 0"
		;;
	rollup)
		# The station started a minute before an hour's end.
		card "note cycle $cycles $kind" "cut-within $w $m"
		wait_end 2
		;;
	checkpoint)
		# What the log holds, copied into the database as it stops.
		sleep "0.$((RANDOM % 10))"
		card "note cycle $cycles $kind" "cut-within $w $m"
		stop_station "$db" TERM
		wait_end 10
		;;
	backup)
		# Due an hour after the last one (six seconds here), once the
		# check of the whole database, at idle priority, has found it
		# sound: seconds on a quiet machine, more on a busy one.
		card "note cycle $cycles $kind" "cut-within $w $m"
		wait_end 30
		;;
	migration)
		db=$OLD
		wait_end 30 "1 Độ ẩm đất"
		;;
	esac
	shown=$(screen s)
	if [ "$(cuts_so_far)" = "$before" ]; then
		[ -z "$(ended)" ] && stop_uncut "$kind" "$db"
		learn_window "$kind"
		[ "$(ended)" = 0 ] || bad "cycle $cycles: $kind: the station ended by itself ($(ended))" s
	else
		cuts[$kind]=$((${cuts[$kind]:-0} + 1))
		for f in "$RELAYS"/*; do
			[ "$(head -c 1 "$f")" = 1 ] && relays_cut=$((relays_cut + 1))
		done
	fi
	[ -n "$rec" ] && note_saved "$shown" "$rec" "$amount"
	check_card "$db"
	cut_runs=$((cut_runs + $(wc -w <<<"$open_runs")))
}

# A database two schema versions old, with the readings of two months
# and two records typed on the keypad: what a station updated in the
# field starts on.
make_old() {
	local t0 newest
	start s --config "$QUIET" --db "$OLD" --clock 2026-05-20T07:00 --clock-speed $SPEED
	home_shown || { bad "the template station did not start" s; return 1; }
	burst KP3 KP1 KPEnter KP1 KP1 KP1 KP2 KPEnter KP1 KP1 KPEnter
	wait_for s "Đã lưu" 10 || bad "the template's record" s
	burst KP/ KP4 KP1 KPEnter KP2 KP3 KP4 KPEnter KP1 KP1 KP1 KPEnter
	wait_for s "Đã lưu" 10 || bad "the template's harvest" s
	stop_station "$OLD" TERM
	wait_for s "[exit 0]" 20
	mv "$OLD" "$OLD.template"
	t0=$(date -d 2026-05-20T07:00 +%s)
	# Back to version 6: what later versions made goes; the raw
	# readings and the roll-ups keyed by sensor, as they were.
	{
		# (SQLite's own table of AUTOINCREMENT counters cannot go: it is
		# emptied.)
		sql "$OLD.template" "SELECT 'DROP TABLE ' || name || ';' FROM sqlite_schema WHERE type = 'table'
			AND name NOT IN ('meta', 'sensors', 'readings', 'pump_runs', 'records', 'lots', 'events',
			'stations', 'origins', 'names', 'schedules', 'calibrations', 'port_choices')
			AND name NOT LIKE 'sqlite%'
			UNION ALL SELECT 'DELETE FROM sqlite_sequence;' FROM sqlite_schema WHERE name = 'sqlite_sequence'"
		# and the columns later versions added (a migration that adds
		# one must drop it here too).
		cat <<-EOF
		ALTER TABLE pump_runs DROP COLUMN litres;
		ALTER TABLE records DROP COLUMN organic_override;
		ALTER TABLE pump_runs DROP COLUMN wetting_minutes;
		ALTER TABLE pump_runs DROP COLUMN dosing_minutes;
		ALTER TABLE pump_runs DROP COLUMN flushing_minutes;
		CREATE TABLE IF NOT EXISTS readings(t INTEGER NOT NULL,
		  sensor INTEGER NOT NULL REFERENCES sensors(id), quantity INTEGER NOT NULL,
		  value REAL NOT NULL, PRIMARY KEY (t, sensor, quantity)) WITHOUT ROWID;
		WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < 86400)
		INSERT OR IGNORE INTO readings(t, sensor, quantity, value)
		  SELECT $t0 - n * 60, s.id, 0, 30 + (n % 600) / 20.0 FROM i, sensors s WHERE s.code LIKE 'soil%';
		CREATE TABLE readings_hourly(sensor INTEGER NOT NULL REFERENCES sensors(id),
		  quantity INTEGER NOT NULL, t INTEGER NOT NULL, n INTEGER NOT NULL,
		  min REAL NOT NULL, mean REAL NOT NULL, max REAL NOT NULL,
		  PRIMARY KEY (sensor, quantity, t)) WITHOUT ROWID;
		CREATE TABLE readings_daily(sensor INTEGER NOT NULL REFERENCES sensors(id),
		  quantity INTEGER NOT NULL, day INTEGER NOT NULL, n INTEGER NOT NULL,
		  min REAL NOT NULL, mean REAL NOT NULL, max REAL NOT NULL,
		  PRIMARY KEY (sensor, quantity, day)) WITHOUT ROWID;
		INSERT INTO readings_hourly SELECT sensor, quantity, t - t % 3600, count(*), min(value),
		  avg(value), max(value) FROM readings GROUP BY sensor, quantity, t - t % 3600;
		INSERT INTO readings_daily SELECT sensor, quantity,
		  CAST(julianday(date(t, 'unixepoch', 'localtime')) - 2440587.5 AS INTEGER) AS d,
		  sum(n), min(min), sum(mean * n) / sum(n), max(max) FROM readings_hourly GROUP BY sensor, quantity, d;
		PRAGMA user_version = 6;
		PRAGMA journal_mode = DELETE;
		VACUUM;
		EOF
	} | sql "$OLD.template" >/dev/null || { bad "the old database"; return 1; }
	OLD_RECORDS=$(sql "$OLD.template" "SELECT count(*) FROM records")
	[ "$OLD_RECORDS" = 2 ] || bad "the old database has $OLD_RECORDS records, not 2"
	LATEST=$(sql "$DB" "PRAGMA user_version")
}

t new-session -d -s keeper "sleep 86400"
cycles=0
start_station "$DB" "$QUIET" 2026-06-01T05:00
home_shown || { bad "the station did not start" s; finish; exit 1; }
# Two months of readings, so that a backup and a checkpoint take a while.
stop_station "$DB" TERM
wait_for s "[exit 0]" 20
sql "$DB" "WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < 86400)
	INSERT OR IGNORE INTO readings(t, sensor, quantity, value)
	SELECT $(date -d 2026-06-01T05:00 +%s) - n * 60, s.id, 0, 30 + (n % 600) / 20.0
	FROM i, sensors s WHERE s.code LIKE 'soil%'" 2>/dev/null
make_old || { finish; exit 1; }
started_at=$(date +%s)
for ((cycles = 1; cycles <= CUTS; cycles++)); do
	kind=${KINDS[RANDOM % ${#KINDS[@]}]}
	before=$(cuts_so_far)
	case $kind in
	migration)
		cp "$OLD.template" "$OLD"
		rm -f "$OLD-wal" "$OLD-shm"
		start_station "$OLD" "$BUSY" "" \
			"note cycle $cycles $kind;cut-within ${WINDOW[$kind]} station.db"
		;;
	rollup) start_station "$DB" "$BUSY" "$(next_clock "$DB" hour)" ;;
	checkpoint | backup) start_station "$DB" "$BUSY" ;;
	*) start_station "$DB" "$QUIET" ;;
	esac
	if [ "$kind" != migration ] && ! home_shown; then
		not_started=$((not_started + 1))
		bad "cycle $cycles: the station did not start" s
		break
	fi
	[ "$kind" != migration ] && [ "$cycles" -gt 1 ] && check_restart "$DB"
	moment "$kind"
	if [ "$kind" = migration ]; then
		# Again without a cut: it comes up to date with what it had.
		start_station "$OLD" "$QUIET"
		home_shown || { bad "cycle $cycles: the migrated station did not start" s; break; }
		check_restart "$OLD"
		[ "$(sql "$OLD" "PRAGMA user_version")" = "$LATEST" ] ||
			bad "cycle $cycles: migrated to version $(sql "$OLD" "PRAGMA user_version"), not $LATEST"
		[ "$(sql "$OLD" "SELECT count(*) FROM records")" = "$OLD_RECORDS" ] ||
			{ lost=$((lost + 1)); bad "cycle $cycles: records lost in the migration"; }
		stop_station "$OLD" TERM
		wait_for s "[exit 0]" 20
		open_runs=""
	fi
	[ $((cycles % 25)) = 0 ] &&
		echo "  $cycles moments, $(cuts_so_far) cut, $confirmed records confirmed, $lost lost ($(($(date +%s) - started_at)) s)"
done
cycles=$((cycles - 1))
start_station "$DB" "$QUIET"
home_shown && check_restart "$DB"
stop_station "$DB" TERM
wait_for s "[exit 0]" 20 || bad "the station did not stop on SIGTERM" s

# The backups after the cuts: an older backup brought half way up to
# date, left unfinished by a cut, is finished by the next backup, which is
# whole; the station is not stuck on it.
resumed=""
newest_backup() { ls -1 "$TMP/backups" 2>/dev/null | grep -E '^station-.*\.db$' | tail -n 1; }
[ -e "$TMP/backups/.station-unfinished.db" ] && resumed=" (over the one a cut left unfinished)"
before=$(newest_backup)
cycles=$((cycles + 1))
start_station "$DB" "$BUSY"
home_shown && card "note cycle $cycles final backup" uncut
for ((i = 0; i < 300; i++)); do
	[ "$(newest_backup)" != "$before" ] && [ ! -e "$TMP/backups/.station-unfinished.db" ] && break
	sleep 0.1
done
stop_station "$DB" TERM
wait_for s "[exit 0]" 20 || bad "the station did not stop on SIGTERM" s
after=$(newest_backup)
said=$(sql "$DB" "SELECT detail FROM events WHERE kind = 'backup' ORDER BY id DESC LIMIT 1")
if [ -n "$after" ] && [ "$after" != "$before" ] && [ ! -e "$TMP/backups/.station-unfinished.db" ]; then
	cp "$TMP/backups/$after" "$TMP/copy/backup.db"
	# Nothing is typed in this last start: the backup holds every record.
	if [ "$(sql "$TMP/copy/backup.db" "PRAGMA integrity_check")" = ok ] &&
		[ "$(sql "$TMP/copy/backup.db" "PRAGMA user_version")" = "$LATEST" ] &&
		[ "$(sql "$TMP/copy/backup.db" "SELECT count(*) FROM records")" = \
			"$(sql "$DB" "SELECT count(*) FROM records")" ]; then
		ok "the backup after the cuts is whole$resumed: $said"
	else
		bad "the backup after the cuts ($after) is damaged, old or short of records"
	fi
else
	bad "no backup was made after the cuts ($before, then ${after:-none})"
fi

# What the cuts were: inside a transaction when the card held unsynced
# writes of the log (a commit), of the database (a checkpoint or a
# migration's) or of a backup; torn when some of them were kept and
# some lost.
summary=$(awk '
	/note cycle/ { kind = $6 }
	/cut at a/ {
		n++; inside = 0; torn = 0
		for (i = 1; i <= NF; i++) if ($i ~ /:[0-9]+\/[0-9]+$/) {
			split($i, a, ":"); split(a[2], b, "/")
			if (b[2] > 0) inside = 1
			if (b[1] > 0 && b[1] < b[2]) torn = 1
		}
		match($0, /tear [a-z0-9]+/); tear[substr($0, RSTART + 5, RLENGTH - 5)]++
		if (inside) { in_tx++; where[kind]++ }
		if (torn) torn_n++
	}
	END {
		printf "cuts: %d, inside a transaction: %d, torn: %d\n", n, in_tx, torn_n
		printf "tear:"; for (m in tear) printf " %s %d", m, tear[m]; printf "\n"
		printf "inside a transaction, by moment:"; for (k in where) printf " %s %d", k, where[k]; printf "\n"
	}' "$LOG")
cp "$LOG" "$TOP/build/powercut-$SEED.log" 2>/dev/null
echo "seed $SEED, clock ${SPEED}x, $(($(date +%s) - started_at)) s; replay: POWERCUT_SEED=$SEED tests/powercut.sh $CUTS"
echo "moments: $cycles; cut: $(for k in "${!cuts[@]}"; do printf '%s %s ' "$k" "${cuts[$k]}"; done)"
echo "ended before their cut (stopped): $(for k in "${!uncut[@]}"; do printf '%s %s ' "$k" "${uncut[$k]}"; done)"
echo "$summary"
echo "records confirmed: $confirmed, lost: $lost"
echo "runs cut: $cut_runs, left open or unmarked: $unclosed"
echo "relays on at the cut: $relays_cut, on after the restart: $relays_left"
echo "integrity_check failures: $broken; backups checked: $backups_checked, damaged: $backups_bad"
[ "$(cuts_so_far)" -gt 0 ] && ok "the card cut the power $(cuts_so_far) times" || bad "no cut came"
[ $lost = 0 ] && ok "no confirmed record lost" || bad "$lost confirmed records lost"
[ $broken = 0 ] && [ $backups_bad = 0 ] && ok "every database and backup passes integrity_check" ||
	bad "damaged: $broken databases, $backups_bad backups"
[ $unclosed = 0 ] && ok "every run cut is closed as cut" || bad "$unclosed runs left open"
[ $relays_left = 0 ] && ok "no relay on after a restart" || bad "$relays_left relays on after a restart"
finish
