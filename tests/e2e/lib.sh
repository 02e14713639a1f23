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
TMP=$(mktemp -d /tmp/fs-e2e.XXXXXX)
SOCK="fs-e2e-$$"
FAILS=0
CHECKS=0
export TZ=${TZ:-Asia/Ho_Chi_Minh}

t() { tmux -L "$SOCK" "$@"; }

cleanup() {
	t kill-server 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

# start NAME [fieldstation arguments...]: a 50x15 screen like the shed's.
start() {
	local name=$1
	shift
	start_sized "$name" 50 15 "$@"
}

start_sized() {
	local name=$1 cols=$2 rows=$3
	shift 3
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

# wait_for NAME TEXT [SECONDS]: until TEXT is on the screen.
wait_for() {
	local name=$1 text=$2 limit=${3:-10} i=0
	while [ "$i" -lt $((limit * 10)) ]; do
		screen "$name" | grep -qF -- "$text" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
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

# expect_words NAME TEXT WHAT: TEXT is on the screen, perhaps wrapped.
expect_words() {
	local i=0 limit=${4:-10}
	while [ "$i" -lt $((limit * 10)) ]; do
		screen_words "$1" | grep -qF -- "$2" && { ok "$3"; return 0; }
		sleep 0.1
		i=$((i + 1))
	done
	bad "$3: no \"$2\"" "$1"
}

# expect_not NAME TEXT WHAT: the screen does not show TEXT.
expect_not() {
	if screen "$1" | grep -qF -- "$2"; then bad "$3: \"$2\" is shown" "$1"; else ok "$3"; fi
}

# The value after a label on the screen, e.g. the moisture of a zone.
value_after() {
	screen "$1" | grep -F -- "$2" | head -n 1 | grep -oE '[0-9]+,[0-9]' | head -n 1 | tr ',' '.'
}

sql() { sqlite3 -cmd '.timeout 2000' "$@"; }

finish() {
	echo "$CHECKS checks, $FAILS failed"
	[ "$FAILS" -eq 0 ]
}
