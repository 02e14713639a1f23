# Shared by the end-to-end tests: run the real station in tmux on the
# simulator, press keypad keys, read the screen as a farmer would.
# Sourced by bash scripts; each test runs in its own tmux server.

set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN="${FIELDSTATION_BIN:-$TOP/build/fieldstation}"
# A command the console runs under (make test-valgrind sets valgrind).
RUNNER="${FIELDSTATION_RUNNER:-}"
# What runs a station built for another board (make e2e ARCH=armhf sets
# qemu-user): the commands a test runs directly go through it too.
EMU="${FIELDSTATION_EMU:-}"
# Every deadline is scaled for a slow runner: valgrind (ten times),
# qemu-user (five), and FIELDSTATION_WAIT_SCALE for a loaded machine.
# A check waits for what it checks and passes as soon as it sees it: a
# longer deadline costs nothing when all is well.
SCALE=${FIELDSTATION_WAIT_SCALE:-1}
case "$RUNNER" in *valgrind*) SCALE=$((SCALE * 10)) ;; esac
[ -n "$EMU" ] && SCALE=$((SCALE * 5))
TMP=$(mktemp -d /tmp/fs-e2e.XXXXXX)
SOCK="fs-e2e-$$"
FAILS=0
CHECKS=0
export TZ=${TZ:-Asia/Ho_Chi_Minh}

t() { tmux -L "$SOCK" "$@"; }

cleanup() {
	t kill-server 2>/dev/null
	# The stations end on the hang-up, writing their last pages first.
	for _ in $(seq 50); do
		pgrep -f -- "$TMP/" >/dev/null || break
		sleep 0.1
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

# start NAME [fieldstation arguments...]: a 50x15 screen like the shed's.
start() {
	local name=$1
	shift
	start_sized "$name" 50 15 "$@"
}

# A slow runner slows the simulated clock as much (--clock-speed 600 is
# 60 under valgrind): what a test asserts in station time (a schedule's
# minute, a run's end) holds however long the station takes to start.
start_sized() {
	local name=$1 cols=$2 rows=$3 a args=()
	shift 3
	while [ $# -gt 0 ]; do
		a=$1
		shift
		if [ "$a" = --clock-speed ] && [ $# -gt 0 ]; then
			args+=("$a" "$(( $1 / SCALE > 0 ? $1 / SCALE : 1 ))")
			shift
		else
			args+=("$a")
		fi
	done
	set -- "${args[@]}"
	# The new session first: killing a server's last session ends the
	# server, and a new session could race its exit.
	t new-session -d -s "${name}_new" -x "$cols" -y "$rows" \
		"$RUNNER $BIN $*; echo \"[exit \$?]\"; sleep 600"
	t kill-session -t "=$name" 2>/dev/null
	t rename-session -t "=${name}_new" "$name"
}

screen() { t capture-pane -p -J -t "$1" 2>/dev/null; }

# stop_station DB SIGNAL: signal the station that uses DB (not its shell).
stop_station() {
	pkill "-$2" -f "^([^ ]*(valgrind|qemu-[a-z0-9_]*-static)[^ ]* .*)?$BIN .*--db $1( |\$)"
}

# press NAME KEY...: tmux key names (KP1, KPEnter, BSpace...).
press() {
	local name=$1
	shift
	for k in "$@"; do
		t send-keys -t "$name" "$k"
		sleep 0.15
	done
}

# Microseconds of the wall clock, and that plus SECONDS (scaled).
now_us() { echo "${EPOCHREALTIME//[!0-9]/}"; }
deadline_us() { echo $(( $(now_us) + $1 * SCALE * 1000000 )); }

# until_true SECONDS COMMAND...: runs COMMAND until it succeeds, for at
# most SECONDS (scaled); its last status.
until_true() {
	local end
	end=$(deadline_us "$1")
	shift
	while ! "$@"; do
		[ "$(now_us)" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# station_wait STATION_SECONDS SPEED: the real seconds to allow for that
# much station time at --clock-speed SPEED (slowed as start_sized slows
# it), with room to start and draw (wait_for and the expects scale it
# again for the runner).
station_wait() {
	local speed=$(( $2 / SCALE > 0 ? $2 / SCALE : 1 ))
	echo $(( ($1 + speed - 1) / speed + 5 ))
}

on_screen() { screen "$1" | grep -qF -- "$2"; }

# wait_for NAME TEXT [SECONDS]: until TEXT is on the screen.
wait_for() {
	until_true "${3:-10}" on_screen "$1" "$2"
}

ok() {
	CHECKS=$((CHECKS + 1))
	echo "ok   $1"
}

bad() {
	CHECKS=$((CHECKS + 1))
	FAILS=$((FAILS + 1))
	echo "FAIL $1"
	[ -n "${2:-}" ] && screen "$2" | sed 's/^/     | /'
}

# expect NAME TEXT WHAT: the screen shows TEXT (waiting a little).
expect() {
	if wait_for "$1" "$2" "${4:-10}"; then ok "$3"; else bad "$3: no \"$2\"" "$1"; fi
}

# The screen's words as one line: a sentence the station wrapped over
# several rows reads whole.
screen_words() {
	screen "$1" | sed 's/^ *//; s/ *$//' | tr '\n' ' ' | tr -s ' '
}

words_on_screen() { screen_words "$1" | grep -qF -- "$2"; }

# expect_words NAME TEXT WHAT: TEXT is on the screen, perhaps wrapped.
expect_words() {
	if until_true "${4:-10}" words_on_screen "$1" "$2"; then ok "$3"; else bad "$3: no \"$2\"" "$1"; fi
}

line_on_screen() { screen "$1" | grep -qE -- "$2"; }

# expect_line NAME REGEX WHAT: one row of the screen matches REGEX (an
# extended one): a pump's own row, not any row.
expect_line() {
	if until_true "${4:-10}" line_on_screen "$1" "$2"; then ok "$3"; else bad "$3: no row like /$2/" "$1"; fi
}

# expect_not NAME TEXT WHAT [SECONDS]: TEXT does not come on the screen
# in SECONDS (one unless told; scaled): long enough for it to have been
# drawn had it been there. Better still, wait first for what is shown
# instead, which tells that the screen is drawn.
expect_not() {
	local end
	end=$(deadline_us "${4:-1}")
	while :; do
		if on_screen "$1" "$2"; then
			bad "$3: \"$2\" is shown" "$1"
			return
		fi
		[ "$(now_us)" -lt "$end" ] || break
		sleep 0.1
	done
	ok "$3"
}

off_screen() { ! on_screen "$1" "$2"; }

# expect_gone NAME TEXT WHAT [SECONDS]: TEXT leaves the screen (waiting a
# little): a key that clears it was taken, and what it drew is drawn.
expect_gone() {
	if until_true "${4:-10}" off_screen "$1" "$2"; then ok "$3"; else bad "$3: \"$2\" stays" "$1"; fi
}

# expect_stays NAME TEXT WHAT [SECONDS]: TEXT is on the screen and stays
# there for SECONDS (two unless told; scaled).
expect_stays() {
	local end
	if ! wait_for "$1" "$2"; then
		bad "$3: no \"$2\"" "$1"
		return
	fi
	end=$(deadline_us "${4:-2}")
	while [ "$(now_us)" -lt "$end" ]; do
		if ! on_screen "$1" "$2"; then
			bad "$3: \"$2\" went away" "$1"
			return
		fi
		sleep 0.1
	done
	ok "$3"
}

# settled NAME FILE [SECONDS]: the screen into FILE once it is drawn
# whole, two readings a tenth of a second apart alike (five seconds
# unless told; scaled), for a screen kept to compare cell for cell.
same_twice() {
	local a
	a=$(screen "$1")
	sleep 0.1
	[ "$a" = "$(screen "$1")" ] && printf '%s\n' "$a" >"$2"
}
settled() { until_true "${3:-5}" same_twice "$1" "$2" || screen "$1" >"$2"; }

# The value after a label on the screen, e.g. the moisture of a zone.
value_after() {
	screen "$1" | grep -F -- "$2" | head -n 1 | grep -oE '[0-9]+,[0-9]' | head -n 1 | tr ',' '.'
}

sql() { sqlite3 -cmd '.timeout 2000' "$@"; }

# rsql DB QUERY: QUERY on the database DB with its raw readings as a
# table r(t, time, sensor, quantity, value), sensor its code and quantity
# its name (moisture, soil temperature, EC, pH, air temperature,
# humidity, raw, pressure, flow), from `fieldstation readings`: the
# station keeps them packed. r is a TEMP table: DB is only read.
rsql() {
	$EMU "$BIN" --db "$1" readings >"$TMP/readings.tsv" || return 1
	sqlite3 -cmd '.timeout 2000' \
		-cmd "CREATE TEMP TABLE r(t INTEGER, time TEXT, sensor TEXT, quantity TEXT, value REAL)" \
		-cmd ".mode tabs" -cmd ".import $TMP/readings.tsv r" -cmd ".mode list" "$1" "$2"
}

# sheets_check COMMAND ARGS...: the checks of tests/e2e/sheets.py, which
# reads exported spreadsheets back independently of the station (Python's
# zipfile, XML, csv and sqlite3), counted as this script's own.
sheets_check() {
	local out rc
	out=$(python3 "$TOP/tests/e2e/sheets.py" "$@" 2>&1)
	rc=$?
	echo "$out"
	CHECKS=$((CHECKS + $(grep -c '^\(ok  \|FAIL\) ' <<<"$out")))
	FAILS=$((FAILS + $(grep -c '^FAIL ' <<<"$out")))
	if [ $rc != 0 ] && ! grep -q '^FAIL ' <<<"$out"; then
		bad "sheets.py $1 failed (exit $rc)"
	fi
}

finish() {
	echo "$CHECKS checks, $FAILS failed"
	[ "$FAILS" -eq 0 ]
}
