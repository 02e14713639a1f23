# Shared by the guest halves of the scenarios (busybox sh, inside the VM):
# checks, asking the host, gpio-sim chips, the console in tmux.
# Each check prints one line, "ok   WHAT" or "FAIL WHAT", that the host
# counts; lines starting "     | " explain a failure.

ok() { echo "ok   $1"; }

# bad WHAT [DETAIL]: DETAIL (several lines) is shown under the failure.
bad() {
	echo "FAIL $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/     | /'
	return 0
}

# check WHAT COMMAND...: one check that passes when COMMAND succeeds.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}

# host ACTION [ARGS]: ask the host to do something, wait until it is done.
host() {
	local reply
	echo "@@ $*"
	if read -r -t 30 reply && [ "$reply" = "done $1" ]; then
		return 0
	fi
	bad "the host did not do \"$1\" (answer: \"$reply\")"
	return 1
}

# wait_until SECONDS COMMAND...: until COMMAND succeeds, every 50 ms.
wait_until() {
	local n=$(($1 * 20))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		usleep 50000
		n=$((n - 1))
	done
	return 1
}

# The console, in a 50x15 tmux like the shed's screen.
TMUX_SOCK=rig
t() { tmux -L "$TMUX_SOCK" "$@"; }

# console_start [fieldstation ARGS...]
console_start() {
	t kill-server 2>/dev/null
	t new-session -d -s s -x 50 -y 15 "fieldstation $*; echo \"[exit \$?]\"; sleep 600"
}

screen() { t capture-pane -p -J -t s 2>/dev/null; }

# press KEY...: tmux key names (KP1, KPEnter, BSpace...).
press() {
	for k in "$@"; do
		t send-keys -t s "$k"
		usleep 200000
	done
}

on_screen() { screen | grep -qF -- "$1"; }

# expect TEXT WHAT [SECONDS]: the screen shows TEXT.
expect() {
	if wait_until "${3:-10}" on_screen "$1"; then
		ok "$2"
	else
		bad "$2: no \"$1\" on the screen" "$(screen)"
	fi
}

# sim_chip NAME LABEL LINE_NAME...: a gpio-sim chip with one named line per
# LINE_NAME, as a relay board's connector is labelled. Sets SIM_CHIP (its
# name under /dev) and SIM_SYS (the sysfs folder of its sim_gpioN/value,
# the level the kernel sees on line N, and sim_gpioN/pull).
sim_chip() {
	local cfg=/sys/kernel/config/gpio-sim/$1 label=$2 i=0
	shift 2
	mkdir "$cfg" "$cfg/bank0"
	echo "$#" >"$cfg/bank0/num_lines"
	echo "$label" >"$cfg/bank0/label"
	for name in "$@"; do
		mkdir "$cfg/bank0/line$i"
		echo "$name" >"$cfg/bank0/line$i/name"
		i=$((i + 1))
	done
	echo 1 >"$cfg/live"
	SIM_CHIP=$(cat "$cfg/bank0/chip_name")
	SIM_SYS=/sys/devices/platform/$(cat "$cfg/dev_name")/$SIM_CHIP
}
