# Shared by the end-to-end tests of the real serial drivers: simulated
# probes (tests/sim_probe.c) on pseudo-terminals that libserialport will
# open. libserialport wants a port listed under /sys/class/tty and modem
# lines, which a pseudo-terminal lacks: as root, in a private mount
# namespace, each pty is bind-mounted over an existing tty node (/dev/tty10)
# and a test-only preload (tests/ptyioctl.c) answers the modem-line
# requests. A test begins:
#
#   . "$(dirname "$0")/libpty.sh"
#   pty_namespace "$0" "$@"     # root and a private mount namespace, or SKIP
#   . "$(dirname "$0")/lib.sh"
#   pty_setup

pty_namespace() {
	local me
	me=$(basename "$1")
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP $me: needs root (a private mount namespace and a bind mount over a tty node); CI runs it as root"
		exit 77
	fi
	if [ -z "${FS_PTY_NS:-}" ]; then
		if ! unshare -m --propagation private true 2>/dev/null; then
			echo "SKIP $me: this machine refuses a private mount namespace (unshare -m)"
			exit 77
		fi
		FS_PTY_NS=1 exec unshare -m --propagation private bash "$@"
	fi
}

# pty_node [NAME...]: the first of these tty nodes that libserialport
# accepts (a /dev node with a /sys/class/tty entry), in NODE; made from
# its sysfs entry if the machine has no /dev node for it. 1 if none.
pty_node() {
	local n
	NODE=""
	for n in "$@"; do
		if [ -e "/sys/class/tty/$n" ] && [ -c "/dev/$n" ] && ! grep -qx "/dev/$n" "$TMP/nodes" 2>/dev/null; then
			NODE=/dev/$n
			echo "$NODE" >>"$TMP/nodes"
			return 0
		fi
	done
	for n in "$@"; do
		if [ -e "/sys/class/tty/$n/dev" ] && [ ! -e "/dev/$n" ]; then
			NODE=/dev/$n
			mknod "$NODE" c $(tr ':' ' ' <"/sys/class/tty/$n/dev") || return 1
			echo "$NODE" >>"$TMP/nodes"
			echo "$NODE" >>"$TMP/made"
			return 0
		fi
	done
	return 1
}

pty_setup() {
	HELP_DIR="$(dirname "$BIN")/tests"
	SIM="$HELP_DIR/sim_probe"
	PRELOAD="$HELP_DIR/libptyioctl.so"
	trap pty_cleanup EXIT
}

pty_cleanup() {
	local f
	for f in "$TMP"/*.pid; do
		[ -e "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	[ -e "$TMP/nodes" ] && while read -r n; do umount -l "$n" 2>/dev/null; done <"$TMP/nodes"
	[ -e "$TMP/made" ] && while read -r n; do rm -f "$n"; done <"$TMP/made"
	cleanup
}

# plug NAME NODE LINK SIM_PROBE_ARGS...: a simulated line appears at NODE,
# and LINK (what a configuration names, like /dev/serial/by-id/...) leads
# to it. Commands go to it with: probe NAME COMMAND.
plug() {
	local name=$1 node=$2 link=$3
	shift 3
	rm -f "$TMP/$name.pty" "$TMP/$name.ctl"
	mkfifo "$TMP/$name.ctl"
	"$SIM" --pty "$TMP/$name.pty" --control "$TMP/$name.ctl" --seed $$ "$@" \
		</dev/null 2>>"$TMP/$name.log" &
	echo $! >"$TMP/$name.pid"
	for _ in $(seq 50); do [ -s "$TMP/$name.pty" ] && break; sleep 0.1; done
	mount --bind "$(cat "$TMP/$name.pty")" "$node" || { echo "bind mount over $node failed"; exit 1; }
	[ -n "$link" ] && ln -sfn "$node" "$link"
}

# unplug NAME NODE LINK: the adapter is pulled out; its link goes too.
unplug() {
	local name=$1 node=$2 link=$3
	[ -n "$link" ] && rm -f "$link"
	kill "$(cat "$TMP/$name.pid")"
	wait "$(cat "$TMP/$name.pid")" 2>/dev/null
	rm -f "$TMP/$name.pid"
	umount -l "$node"
}

probe() {
	local name=$1
	shift
	echo "$*" >"$TMP/$name.ctl"
}

# start_preloaded NAME ARGS...: the station at 50x15 with the preload.
start_preloaded() {
	local name=$1
	shift
	t new-session -d -s "${name}_new" -x 50 -y 15 \
		"LD_PRELOAD=$PRELOAD ASAN_OPTIONS=verify_asan_link_order=0 $BIN $*; echo \"[exit \$?]\"; sleep 600"
	t kill-session -t "=$name" 2>/dev/null
	t rename-session -t "=${name}_new" "$name"
}
