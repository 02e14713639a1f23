#!/bin/bash
# A month of random hands: the station on the simulator at 600 times real
# speed, driven on the keypad by random hands weighted towards real use
# (looking at moisture, the pumps and the books, farm records, pumps by
# hand, schedules, a few keys mashed), for DAYS days of station time. Now
# and then a sensor drops out (a simulated probe falls silent or answers
# nonsense after some polls), a stick comes and goes (a tmpfs mounted at
# usb_mount, pulled out before or after its copy), the clock is set (from
# Settings, or asked at a start with the board's clock behind), and the
# station is killed with SIGKILL and started again.
# Throughout: the station's memory (VmRSS; its own part, RssAnon, printed
# beside) and its open files (/proc/PID/fd) stay flat; its database stays
# within its size budget; no relay stays on longer than its pump's longest
# run (--sim-relays); every screen met is drawn whole
# (build/tests/screencheck: nothing cut, nothing over the border, its line
# of keys there) and the station never ends by itself. At the end:
# integrity_check, every record confirmed on the screen is in the
# database, every run ended within its pump's limit.
# Seeded: the seed and the command that replays the run are printed.
#   tests/soak.sh [DAYS]   (make soak: 30 days, 72 minutes; SOAK_SEED)
# Sticks need root (a private mount namespace); without it there are none,
# and the run says so.
if [ "$(id -u)" = 0 ] && [ -z "${FS_PRIVATE_MOUNTS:-}" ]; then
	exec env FS_PRIVATE_MOUNTS=1 unshare -m --propagation private bash "$0" "$@"
fi
. "$(dirname "$0")/e2e/lib.sh"

DAYS=${1:-30}
SEED=${SOAK_SEED:-$(date +%s)}
RANDOM=$SEED
SPEED=600
COLS=50
ROWS=15
CHECK="$(cd "$(dirname "$BIN")" && pwd)/tests/screencheck"
[ -x "$CHECK" ] || { bad "$CHECK is missing: make helpers"; finish; exit 1; }
DB="$TMP/station.db"
RELAYS="$TMP/relays"
STICK="$TMP/stick"
SAMPLES="$TMP/samples"
OVERRUNS="$TMP/overruns"
mkdir -p "$RELAYS" "$STICK"
: >"$SAMPLES"
: >"$SAMPLES.fds"
: >"$OVERRUNS"
STICKS=0
[ -n "${FS_PRIVATE_MOUNTS:-}" ] && STICKS=1
[ $STICKS = 1 ] || echo "NOTE: not root: no sticks in this run"
# The budget for the database: at most three times what it holds (the
# bytes of its rows, from dbstat) and 2 MB, its -wal at most 8 MB.
DB_FACTOR=3
DB_SLACK=$((2 * 1024 * 1024))
WAL_MAX=$((8 * 1024 * 1024))
# Memory and open files of each process that ran six station hours, from
# its third hour on, both at quiet moments on the home screen: at most
# 2.5 MB more resident (SQLite's page caches warming, what a first copy
# to a stick leaves, some room), and no more open files (open_files).
# What a copy or a workbook takes while it works is printed, not judged.
RSS_GROWTH_KB=2560
WARM_S=$((3 * 3600))
JUDGED_S=$((6 * 3600))
# The longest each pump may run (max_minutes of config/demo.ini), as real
# seconds at this speed, and some slack for the poll of the relay files.
declare -A LONGEST=([p1]=$((90 * 60 / SPEED + 3)) [p2]=$((60 * 60 / SPEED + 3)))

# A configuration for each part of the run: the demo farm, its stick at
# usb_mount, readings written every 10 station minutes, a backup every
# 12 station hours; now and then a probe that drops out.
config() {
	local cfg="$TMP/farm-$1.ini" sensor fault
	CFG_FILE=$cfg
	sed -e 's/^flush_minutes *=.*/flush_minutes = 10/' \
		-e "s|^code = PT01 .*|&\nusb_mount = $STICK\nbackup_hours = 12|" \
		"$TOP/config/demo.ini" >"$cfg"
	if [ $((RANDOM % 5)) -lt 2 ]; then
		sensor=$(printf 'soil1\nsoil2\nsoil3\nair\n' | sed -n "$((RANDOM % 4 + 1))p")
		fault=$(printf 'silent\nbad_frame\nbad_value\n' | sed -n "$((RANDOM % 3 + 1))p")
		sed -i "s|^\[sensor\.$sensor\]|&\nsim_fault = $fault\nsim_fault_after = $((RANDOM % 300))|" "$cfg"
		DROPOUTS+=("$sensor:$fault")
	fi
}

epoch_of() { date -d "$1" +%s; }

# The station's clock, read off its status line.
station_now() {
	local d
	d=$(screen s | grep -oE '[0-9]{2}/[0-9]{2}/[0-9]{4} [0-9]{2}:[0-9]{2}' | tail -n 1)
	[ -n "$d" ] || return 1
	epoch_of "${d:6:4}-${d:3:2}-${d:0:2} ${d:11:5}"
}

newest_moment() {
	local newest=0 q n
	for q in "SELECT max(t) FROM events" "SELECT max(entered_at) FROM records" \
		 "SELECT max(max(started, coalesce(ended, 0))) FROM pump_runs" \
		 "SELECT max(t) FROM readings" "SELECT max(last) FROM readings_packed"; do
		n=$(sql "$DB" "$q" 2>/dev/null)
		[ -n "$n" ] && [ "$n" -gt "$newest" ] && newest=$n
	done
	echo "$newest"
}

# The keypad keys of a number, a date...
keys_of() {
	local s=$1 i out=()
	for ((i = 0; i < ${#s}; i++)); do
		case ${s:i:1} in
		.) out+=(KP.) ;;
		[0-9]) out+=("KP${s:i:1}") ;;
		esac
	done
	echo "${out[@]}"
}

# Keys as a hand presses them: a little time between them.
hand() {
	local k
	for k in "$@"; do
		t send-keys -t s "$k"
		sleep "0.0$((RANDOM % 9 + 1))"
	done
}

pick() { local a=("$@"); echo "${a[RANDOM % ${#a[@]}]}"; }

SCREENS=0
BAD_SCREENS=0
# Reads the screen as it now is: drawn whole, and the station alive.
look() {
	local shown out
	sleep 0.15
	shown=$(screen s)
	SCREENS=$((SCREENS + 1))
	if grep -q '^\[exit' <<<"$shown" || grep -qF '[exit ' <<<"$shown"; then
		bad "the station ended by itself after: $ACTION" s
		CRASHED=1
		return 1
	fi
	if ! out=$("$CHECK" $COLS $ROWS <<<"$shown" 2>&1); then
		BAD_SCREENS=$((BAD_SCREENS + 1))
		[ $BAD_SCREENS -le 10 ] && bad "after $ACTION: $out" s
	fi
	LAST_SCREEN=$shown
}

# Home, from wherever random hands left it (leaving what was typed).
home() {
	hand KP/
	sleep 0.15
	if on_screen s "Enter: bỏ đi"; then
		hand KPEnter
	fi
}

SAVED=()	# "kind amount": records the screen confirmed
COUNTER=0
next_amount() {
	COUNTER=$((COUNTER + 1))
	# 1,1 2,1 ... unique over a month: COUNTER tenths above 1.
	echo "$((COUNTER / 10 + 1)).$((COUNTER % 10))"
}

saved_if_shown() {
	local kind=$1 amount=$2 what=$3
	if wait_for s "Đã lưu: ${amount/./,} $what" 1; then
		SAVED+=("$kind $amount")
		DONE[$kind]=$((${DONE[$kind]:-0} + 1))
	fi
}

declare -A DONE=() TRIED=()
DROPOUTS=()
PIN_SET=0

act_look() {
	home
	case $((RANDOM % 9)) in
	0) hand KP1 "KP$((RANDOM % 2 + 1))" $(pick KP+ KP- KP+ KP0) ;;
	1) hand KP1 ;;
	2) hand KP2 KP8 $(pick KP+ KP- KP1 KP2) ;;
	3) hand KP2 KP7 ;;
	4) hand KP3 "KP$((RANDOM % 2 + 3))" $(pick KP+ KP- KP1) ;;
	5) hand KP4 KP2 $(pick KP+ KP- KP1) ;;
	6) hand KP2 KP9 ;;
	7) hand KP* ;;
	8) hand KP2 ;;
	esac
}

act_fertilize() {
	local amount
	amount=$(next_amount)
	home
	# Bón phân: today, Mít ruột đỏ, NPK, the amount, châm phân, Ba.
	hand KP3 KP1 KPEnter KP1 KP1 $(keys_of "$amount") KPEnter KP1 KP1 KPEnter
	saved_if_shown fertilize "$amount" "kg"
}

act_harvest() {
	local kg
	kg=$(next_amount)
	home
	# Thu hoạch: today, Vú sữa Hoàng Kim, the kilograms, grade, buyer, Ba.
	hand KP4 KP1 KPEnter KP2 $(keys_of "$kg") KPEnter "KP$((RANDOM % 3 + 1))" KP1 KP1 KPEnter
	saved_if_shown harvest "$kg" "kg"
}

act_pump() {
	home
	# A pump by hand for a while, by someone; yes in peak hours.
	hand KP2 "KP$((RANDOM % 2 + 1))" $(keys_of $((RANDOM % 45 + 1))) KPEnter "KP$((RANDOM % 4 + 1))" KPEnter
	sleep 0.2
	on_screen s "Vẫn mở" && hand KPEnter
}

act_stop() {
	home
	hand KP2 "KP$((RANDOM % 2 + 1))"
	sleep 0.2
	on_screen s "ngay?" && hand KPEnter
}

act_schedule() {
	home
	# A schedule: zone 1 at 05:30 for 45 minutes, every day (the crawl's).
	hand KP2 KP7 KP1 KP3 KPEnter KP0 KP5 KP3 KP0 KPEnter KP4 KP5 KPEnter KPEnter KP1 KP1 KPEnter KPEnter
}

act_moisture() {
	home
	hand KP2 KP9 "KP$((RANDOM % 2 + 1))" KPEnter KP1 KPEnter
}

act_mash() {
	local keys=(KP0 KP1 KP2 KP3 KP4 KP5 KP6 KP7 KP8 KP9 KPEnter KP+ KP- KP* KP. BSpace KP/) n i out=()
	n=$((RANDOM % 10 + 3))
	for ((i = 0; i < n; i++)); do out+=("${keys[RANDOM % ${#keys[@]}]}"); done
	hand "${out[@]}"
}

# Into Settings: the manager's PIN, chosen the first time. Its hash
# (yescrypt) takes 16 MB for a moment: the samples say when.
settings() {
	home
	hand KP6
	sleep 0.2
	echo "busy $ACTION-pin" >"$TMP/phase"
	if on_screen s "Chưa có mã PIN quản lý"; then
		hand KP1 KP2 KP3 KP4 KPEnter KP1 KP2 KP3 KP4 KPEnter
		PIN_SET=1
	elif on_screen s "Mã PIN"; then
		hand KP1 KP2 KP3 KP4 KPEnter
	fi
	sleep 0.2
	echo "busy $ACTION" >"$TMP/phase"
}

act_clock() {
	local now d
	settings
	hand KP3
	now=$(station_now) || return
	# Forward by one to six hours, as a technician sets a slow clock.
	d=$(date -d "@$((now + (RANDOM % 6 + 1) * 3600))" +%d%m%Y%H%M)
	wait_for s "Ngày giờ hiện tại" 2 || return
	hand $(keys_of "$d") KPEnter
	if wait_for s "đúng không" 2; then
		hand KPEnter
		wait_for s "Đã chỉnh đồng hồ" 2 && CLOCK_SETS=$((CLOCK_SETS + 1))
	fi
}

# A stick plugged in; the copy; pulled out, now and then before its end.
act_stick() {
	[ $STICKS = 1 ] || return
	mountpoint -q "$STICK" || mount -t tmpfs -o size=64m stick "$STICK" || return
	home
	hand KP5
	if [ $((RANDOM % 4)) = 0 ]; then
		sleep "0.$((RANDOM % 10))"
		STICKS_PULLED=$((STICKS_PULLED + 1))
	elif wait_for s "Có thể rút USB ra." 30; then
		STICKS_COPIED=$((STICKS_COPIED + 1))
	fi
	look
	umount "$STICK" 2>/dev/null || umount -l "$STICK"
}

# A start: with the clock right, or (now and then) behind what the
# station wrote, as a board without a real-time clock boots; then the
# date and time are typed in as asked.
start_station() {
	local newest clock behind=0 cfg
	newest=$(newest_moment)
	[ "$newest" -gt 0 ] || newest=$(epoch_of 2026-06-01T05:00)
	clock=$((newest + 120))
	if [ "$STARTS" -gt 0 ] && [ $((RANDOM % 6)) = 0 ]; then
		clock=$((newest - (RANDOM % 48 + 1) * 3600))
		behind=1
	fi
	config "$STARTS"
	cfg=$CFG_FILE
	STARTS=$((STARTS + 1))
	rm -f "$RELAYS"/*.on
	start s --config "$cfg" --db "$DB" --clock "$(date -d "@$clock" +%Y-%m-%dT%H:%M)" \
		--clock-speed $SPEED --seed $((SEED % 100000 + STARTS)) --sim-relays "$RELAYS"
	if [ $behind = 1 ]; then
		if wait_for s "Ngày giờ hiện tại" 20; then
			# The right time: just after what the station wrote.
			hand $(keys_of "$(date -d "@$((newest + 300))" +%d%m%Y%H%M)") KPEnter
			wait_for s "đúng không" 5 && hand KPEnter
			wait_for s "Đã chỉnh đồng hồ" 5 && CLOCK_SETS=$((CLOCK_SETS + 1))
		else
			bad "a clock behind was not asked for" s
		fi
	fi
	wait_for s "1 Độ ẩm đất" 20 || home
	wait_for s "1 Độ ẩm đất" 20 || { bad "the station did not start" s; return 1; }
	PID=$(pgrep -f "^$BIN .*--db $DB( |\$)" | head -n 1)
	echo "$PID" >"$TMP/pid"
}

# How many files a station process has open, but for one: after a copy
# to a stick, SQLite keeps the descriptor of that copy's own read-only
# connection to the database open (closing it would drop the locks the
# station's connection holds on the same file, as POSIX locks belong to
# the process), and the next copy takes it up again. That one read-only
# descriptor of the database is not counted; any other is.
open_files() {
	local line n=0 kept=0 fd k v
	while read -r line; do
		case $line in
		*" -> "*) ;;
		*) continue ;;
		esac
		n=$((n + 1))
		[ $kept = 0 ] && [ "${line##* -> }" = "$DB" ] || continue
		fd=${line% -> *}
		fd=${fd##* }
		while read -r k v; do
			# The mode's last octal digit: 0 (or 4) is read-only.
			[ "$k" = flags: ] && [[ $v == *[04] ]] && kept=1
		done <"/proc/$1/fdinfo/$fd" 2>/dev/null
	done < <(ls -l "/proc/$1/fd" 2>/dev/null)
	echo $((n - kept))
}

# No child process of the station's (the one thread's list).
quiet() {
	local kids=
	read -r kids <"/proc/$1/task/$1/children" 2>/dev/null
	[ -z "$kids" ]
}

# Every second, while the soak runs: memory, open files, relays.
sampler() {
	local pid rss anon fds p v since now phase
	declare -A on_since=()
	while [ -e "$TMP/sampling" ]; do
		pid=$(cat "$TMP/pid" 2>/dev/null)
		now=$(now_us)
		if [ -n "$pid" ] && [ -d "/proc/$pid" ]; then
			# Resident in all, and of it what is the process's own (the
			# heap, not the libraries' pages): a leak grows the second.
			read -r rss anon < <(awk '/^VmRSS:/ { r = $2 } /^RssAnon:/ { a = $2 }
				END { print r, a }' "/proc/$pid/status" 2>/dev/null)
			phase=$(cat "$TMP/phase" 2>/dev/null)
			# Open files are compared at a quiet moment: no child of the
			# station running (the voice saying something, the database
			# check), before and after the count, as each holds a
			# descriptor of the station's while it runs (a pidfd, a pipe).
			[ "$phase" = home ] && ! quiet "$pid" && phase=home-busy
			fds=$(open_files "$pid")
			[ "$phase" = home ] && ! quiet "$pid" && phase=home-busy
			[ -n "$rss" ] && echo "$now $pid $rss $anon $fds $phase" >>"$SAMPLES"
			# What the open files are, on the home screen: what grew is named.
			[ "$phase" = home ] && echo "$now $pid $fds $(cd "/proc/$pid/fd" 2>/dev/null &&
				for f in $(ls | sort -n); do printf '%s=%s ' "$f" "$(readlink "$f")"; done)" >>"$SAMPLES.fds"
			for p in p1 p2; do
				v=$(head -c 1 "$RELAYS/$p" 2>/dev/null)
				if [ "$v" = 1 ]; then
					since=${on_since[$p]:-$now}
					on_since[$p]=$since
					if [ $(((now - since) / 1000000)) -gt "${LONGEST[$p]}" ]; then
						echo "$p on for $(((now - since) / 1000000)) s (pid $pid)" >>"$OVERRUNS"
						on_since[$p]=$now
					fi
				else
					unset "on_since[$p]"
				fi
			done
		else
			on_since=()
		fi
		sleep 1
	done
}

# Station time run so far, from real time at this speed.
RUN_US=0
CLOCK_SETS=0 STICKS_COPIED=0 STICKS_PULLED=0 KILLS=0 STOPS=0 STARTS=0 CRASHED=0
budget_checks=0

check_db_size() {
	local used size wal
	used=$(sql "$DB" "SELECT sum(payload) FROM dbstat" 2>/dev/null)
	size=$(stat -c %s "$DB")
	wal=$(stat -c %s "$DB-wal" 2>/dev/null || echo 0)
	[ -n "$used" ] || return
	budget_checks=$((budget_checks + 1))
	DB_SIZE=$size DB_USED=$used
	[ "$wal" -gt "${WAL_PEAK:-0}" ] && WAL_PEAK=$wal
	if [ "$size" -gt $((used * DB_FACTOR + DB_SLACK)) ]; then
		bad "the database is $size bytes for $used bytes of rows"
	fi
	[ "$wal" -le $WAL_MAX ] || bad "the -wal is $wal bytes"
}

TOTAL_US=$((DAYS * 86400 * 1000000 / SPEED))
if [ "$DAYS" -le 2 ]; then
	SEG_MIN=$((86400 / 5)) SEG_SPAN=$((86400 / 2))	# a few parts a day
else
	SEG_MIN=86400 SEG_SPAN=$((9 * 86400))		# one to ten days
fi
touch "$TMP/sampling"
sampler &
SAMPLER=$!
ACTIONS=(look look look look look look look look look look look look fertilize fertilize
	fertilize fertilize harvest harvest pump pump pump pump stop stop schedule moisture mash
	mash mash mash idle idle idle idle idle idle stick stick clock)
started_at=$(date +%s)
while [ $RUN_US -lt $TOTAL_US ] && [ $CRASHED = 0 ]; do
	start_station || break
	echo start >"$TMP/phase"
	seg_us=$(((SEG_MIN + (RANDOM * 32768 + RANDOM) % SEG_SPAN) * 1000000 / SPEED))
	seg_start=$(now_us)
	next_budget=0
	while [ $(($(now_us) - seg_start)) -lt $seg_us ] && [ $((RUN_US + $(now_us) - seg_start)) -lt $TOTAL_US ]; do
		ACTION=$(pick "${ACTIONS[@]}")
		TRIED[$ACTION]=$((${TRIED[$ACTION]:-0} + 1))
		# The samples name the action under way: the busiest is named.
		echo "busy $ACTION" >"$TMP/phase"
		case $ACTION in
		idle) sleep "$((RANDOM % 3)).$((RANDOM % 10))" ;;
		*) "act_$ACTION" ;;
		esac
		look || break
		# Each action with the station's minute it ended in (YYYYMMDDhhmm;
		# the one before ended when it began): a run that ended late is
		# placed among them.
		minute=$(grep -oE '[0-9]{2}/[0-9]{2}/[0-9]{4} [0-9]{2}:[0-9]{2}' <<<"$LAST_SCREEN" | tail -n 1)
		[ -n "$minute" ] && echo "$(now_us) $ACTION ${minute:6:4}${minute:3:2}${minute:0:2}${minute:11:2}${minute:14:2}" >>"$TMP/actions"
		# Back home after a while: its open files counted there.
		if [ $((RANDOM % 8)) = 0 ]; then
			home
			home
			sleep 0.3
			on_screen s "1 Độ ẩm đất" && echo home >"$TMP/phase"
			sleep 1.1
			echo "busy home" >"$TMP/phase"
		fi
		if [ "$(now_us)" -gt $next_budget ]; then
			check_db_size
			next_budget=$(($(now_us) + 20000000))
		fi
	done
	RUN_US=$((RUN_US + $(now_us) - seg_start))
	[ $CRASHED = 1 ] && break
	echo stop >"$TMP/phase"
	# The end of a part: the power cut (SIGKILL) or a clean stop.
	if [ $((RANDOM % 4)) != 0 ]; then
		stop_station "$DB" KILL
		wait_for s "[exit 137]" 10 || bad "not killed" s
		KILLS=$((KILLS + 1))
	else
		stop_station "$DB" TERM
		wait_for s "[exit 0]" 20 || bad "did not stop on SIGTERM" s
		STOPS=$((STOPS + 1))
	fi
	echo "  $((RUN_US * SPEED / 86400000000)) of $DAYS days: $STARTS starts, ${#SAVED[@]} records confirmed ($(($(date +%s) - started_at)) s)"
done
rm -f "$TMP/sampling"
wait "$SAMPLER"
mountpoint -q "$STICK" && umount -l "$STICK"

# The last start: runs cut by the last kill are closed, relays off.
start_station && {
	for p in p1 p2; do
		[ "$(head -c 1 "$RELAYS/$p" 2>/dev/null)" = 1 ] && bad "relay $p on after the last start"
	done
	stop_station "$DB" TERM
	wait_for s "[exit 0]" 20 || bad "the last stop" s
}

# What the month left.
[ "$(sql "$DB" "PRAGMA integrity_check")" = ok ] && ok "integrity_check" || bad "integrity_check fails"
lost=0
for rec in "${SAVED[@]}"; do
	read -r kind amount <<<"$rec"
	if [ "$kind" = fertilize ]; then
		n=$(sql "$DB" "SELECT count(*) FROM records WHERE kind = 'fertilize' AND amount = $amount")
	else
		n=$(sql "$DB" "SELECT count(*) FROM records WHERE kind = 'harvest' AND kg = $amount")
	fi
	[ "$n" -ge 1 ] || { lost=$((lost + 1)); bad "$kind $amount confirmed on the screen, not in the database"; }
done
[ $lost = 0 ] && ok "every one of ${#SAVED[@]} records confirmed on the screen is in the database"
n=$(sql "$DB" "SELECT count(*) FROM pump_runs WHERE ended IS NULL")
[ "$n" = 0 ] && ok "no run left open" || bad "$n runs left open"
# The station's timer ends a run within a loop's turn of its end: a few
# milliseconds, which at 600 times are seconds of station time. A tenth
# of a second of real time is the limit.
late=$((SPEED / 10))
past="ended > planned_end + $late OR ended - started > (CASE pump WHEN 'p1' THEN 90 ELSE 60 END) * 60 + $late"
n=$(sql "$DB" "SELECT count(*) FROM pump_runs WHERE $past")
[ "$n" = 0 ] && ok "no run in the diary went past its end by more than 0.1 s of real time ($(sql "$DB" "SELECT count(*) FROM pump_runs") runs, latest end $(sql "$DB" "SELECT coalesce(max(ended - planned_end), 0) FROM pump_runs WHERE ended IS NOT NULL") station s after its planned end)" ||
	bad "$n runs past their end: $(sql "$DB" "SELECT id, pump, started, planned_end, ended, end_reason FROM pump_runs WHERE $past LIMIT 5")"
# What the hands were doing when each late run should have ended.
sql "$DB" "SELECT id, strftime('%Y%m%d%H%M', planned_end, 'unixepoch', 'localtime')
	FROM pump_runs WHERE $past LIMIT 5" |
	while IFS='|' read -r id m; do
		echo "  run $id should have ended in the minute $m, during: $(awk -v m="$m" '
			prev != "" && prev <= m && m <= $3 { printf "%s ", $2 } { prev = $3 }' "$TMP/actions")"
	done
[ -s "$OVERRUNS" ] && bad "relays on past their pump's longest run: $(head -n 5 "$OVERRUNS")" ||
	ok "no relay stayed on past its pump's longest run"
check_db_size
[ $budget_checks -gt 0 ] && ok "the database kept within its budget ($budget_checks checks; at the end $DB_SIZE bytes for $DB_USED bytes of rows, -wal at most ${WAL_PEAK:-0} bytes)"
[ $BAD_SCREENS = 0 ] && ok "every one of $SCREENS screens read was drawn whole" ||
	bad "$BAD_SCREENS of $SCREENS screens were not drawn whole"

# Memory and open files of each process, from its first station day on.
flat=$(awk -v warm=$((WARM_S * 1000000 / SPEED)) -v judged=$((JUDGED_S * 1000000 / SPEED)) -v grow=$RSS_GROWTH_KB '
	{ t = $1; pid = $2; rss = $3; anon = $4; fds = $5; phase = $6
	  if (!(pid in first)) first[pid] = t
	  last[pid] = t
	  if (t - first[pid] < warm) next
	  # Memory, like open files, is judged at quiet moments on the home
	  # screen: a copy to a stick or a workbook takes megabytes while it
	  # works and gives them back; what stays is what grows.
	  if (!(pid in peak) || rss > peak[pid]) { peak[pid] = rss; peakin[pid] = NF > 6 ? $7 : phase; peakanon[pid] = anon }
	  if (phase == "home") {
	    if (!(pid in base)) { base[pid] = rss; lo[pid] = rss; home0[pid] = fds; abase[pid] = anon; alo[pid] = anon }
	    if (rss > hi[pid]) hi[pid] = rss
	    if (rss < lo[pid]) lo[pid] = rss
	    if (anon > ahi[pid]) ahi[pid] = anon
	    if (anon < alo[pid]) alo[pid] = anon
	    if (fds > homehi[pid]) homehi[pid] = fds
	  }
	  n[pid]++ }
	END {
	  for (p in base) {
	    if (last[p] - first[p] < judged) continue
	    printf "pid %s: %d samples, VmRSS at home %d..%d kB (from %d; %d at the busiest, in %s)", p, n[p], lo[p], hi[p], base[p], peak[p], peakin[p]
	    printf ", its own (RssAnon) %d..%d kB (from %d; %d at the busiest)", alo[p], ahi[p], abase[p], peakanon[p]
	    printf ", open files at home %d..%d\n", home0[p], homehi[p]
	    if (hi[p] - base[p] > grow) printf "GROWTH %s rss\n", p
	    if ((p in home0) && homehi[p] > home0[p]) printf "GROWTH %s fds\n", p
	  }
	}' "$SAMPLES")
echo "$flat" | grep -v '^GROWTH'
if grep -q '^GROWTH' <<<"$flat"; then
	bad "memory or open files grew: $(grep '^GROWTH' <<<"$flat" | tr '\n' ' ')"
	# What the open files were at home: the first count and the most.
	for p in $(awk '$3 == "fds" { print $2 }' <<<"$flat"); do
		awk -v p="$p" '$2 == p { if (!seen[$3]++) print "  pid " p ", " $3 " open at home, t=" $1 ":", substr($0, index($0, $4)) }' "$SAMPLES.fds"
	done
elif ! grep -q '^pid.*open files at home' <<<"$flat"; then
	bad "open files were never counted on the home screen at a quiet moment"
elif grep -q '^pid' <<<"$flat"; then
	ok "memory and open files stayed flat in every process that ran six station hours"
else
	bad "no process ran six station hours: memory and open files not judged"
fi
cp "$SAMPLES" "$TOP/build/soak-$SEED.samples" 2>/dev/null
cp "$SAMPLES.fds" "$TOP/build/soak-$SEED.fds" 2>/dev/null
cp "$TMP/actions" "$TOP/build/soak-$SEED.actions" 2>/dev/null
sqlite3 "$DB" ".backup '$TOP/build/soak-$SEED.db'" 2>/dev/null

echo "seed $SEED: $DAYS station days at ${SPEED}x in $(($(date +%s) - started_at)) s"
echo "replay: SOAK_SEED=$SEED tests/soak.sh $DAYS"
echo "actions: $(for a in "${!TRIED[@]}"; do printf '%s %s, ' "$a" "${TRIED[$a]}"; done)"
echo "records confirmed: fertilize ${DONE[fertilize]:-0}, harvest ${DONE[harvest]:-0}"
echo "starts $STARTS (killed $KILLS, stopped $STOPS), clock set $CLOCK_SETS times"
echo "sticks: $STICKS_COPIED copied, $STICKS_PULLED pulled out early; sensors dropping out: ${#DROPOUTS[@]} parts (${DROPOUTS[*]})"
echo "diary: $(sql "$DB" "SELECT count(*) FROM pump_runs") runs, $(sql "$DB" "SELECT count(*) FROM records") records, $(sql "$DB" "SELECT count(*) FROM events WHERE alarm") alarms"
finish
