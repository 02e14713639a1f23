#!/bin/bash
# Every screen, and every step of every form, read as the farmer reads
# it: at 40x12 and 50x15, in Vietnamese and in English, on the demo farm
# and on a farm whose names are all long (tests/e2e/longnames.ini). On
# each screen nothing may be cut off (the station ends what it cuts in
# "…"), nothing may run into the outer columns, and the line of keys must
# be there (build/tests/screencheck judges one screen). The clock runs at
# its own pace; each key waits for the screen to change, not for a time.
. "$(dirname "$0")/lib.sh"

CHECK="$(dirname "$BIN")/tests/screencheck"
[ -x "$CHECK" ] || { echo "FAIL $CHECK is missing: make helpers"; exit 1; }

# The walks, each from the home screen. Keys: digits, E (Enter), B
# (Backspace), + - . * and /; "*" opens a screen's help and the next key
# closes it. Both farms have the same shape where a walk depends on it:
# zone 1 is not organic and has one crop, zone 2 is organic, pump 1
# waters zone 1; the manager's PIN is chosen in the first walk.
WALKS=(
	"settings, choosing the PIN: 6 1 2 3 4 E 1 2 3 4 E * * 1 0 2 1 2 3 4 E 1 2 3 4 E 3 * * 2 B B 4 * * 1 0 + 0 5 0 6 * * 0 0"
	"moisture: 1 * * + - 1 * * + + + - 0 2 0 0"
	"a pump by hand, with fertigation: 2 * * 1 * * 5 E * * + - E * * 1 * * + - 1 * * 5 E 2 1 E"
	"a pump by hand: 2 2 5 E 1 E 2 E"
	"schedules: 2 7 * * 9 * * 1 * * 3 E * * 0 5 3 0 E * * 4 5 E * * E 1 1 E E 0 6 0 0 E E * * E 1 2 * * 0 + 0 0"
	"diary, and what watering saved by month and season: 2 8 * * 1 * * + - 0 9 * * + - 4 6 5 + 4 * * 0 0"
	"watering by moisture: 2 9 * * 1 * * E 1 E 2 0 0 0"
	"fertilizing: 3 * * 1 * * - + E * * 1 * * + - 1 * * 1 2 . 5 E * * 1 * * 1 * * E"
	"spraying: 3 2 E 1 1 2 5 0 E * * 1 1 E"
	"a product not organic on an organic zone: 3 2 E 2 1 * * E 1 2 3 4 E * * 1 2 0 0 E 1 1 * * E 1 E 0 0 / 1 2"
	"the fertilizing book, a correction and a removal: 3 3 * * 1 * * + - 1 1 2 3 4 E E E E 1 5 E E E * * + - E 1 2 1 2 3 4 E * * E * * E"
	"the spraying book: 3 4 1 0 + - 0 0"
	"a harvest: 4 * * 1 E 2 1 2 5 0 . 5 E * * 1 2 1 E + + E"
	"a harvest of several crops: 4 1 E 3 2 9 0 0 E 2 1 1 E"
	"a harvest inside the interval: 4 1 E 1 * * E 1 2 3 4 E 8 0 E 1 1 1 E E"
	"the harvest book and a trace: 4 2 * * 1 * * 3 * * + - 0 0 0 3 * * 1 + 0 0"
	"copy to USB: 5 * * 0"
	"calibrating a probe: 6 1 2 3 4 E 5 * * 1 * * 5 6 0 E * * 3 0 0 E * * E"
	"from the office, no stick in: 6 1 2 3 4 E 7 * * 0 0"
	"alarms: 9 * * + E 0"
	"the voice: 6 1 2 3 4 E 8 * * 1 1 * * 2 * * 2 2 3 0 E * * 0 5 0 0 E 3 3 + - 0 0"
)

# The organic pepper farm (config/pepper.ini): its tanks, a dosing run
# through the line, stopping it with a flush, and what the diary and the
# tanks' book then show.
PEPPER_WALKS=(
	"a tank filled: 3 5 * * 1 * * 1 * * 1 2 E * * 1 0 0 E * * 4 5 . 1 E * * - + E * * E * * E"
	"a tank with nothing to throw away: 3 5 2 2 0 0"
	"a dosing run: 2 1 * * 2 * * 2 1 E * * + - E * * E * * E"
	"the dose stopped, the pipes flushed: 2 1 * * 1"
	"the diary of it: 2 8 1 + + + + + 0 0"
	"what watering saved, each zone: 2 8 9 + + + + 5 + + + 0 0"
	"a tank's book after the dose: 3 5 1 + - 0 0"
)

# Tmux's names for the keys of a walk.
keyname() {
	case $1 in
	E) echo KPEnter ;;
	B) echo BSpace ;;
	+) echo KP+ ;;
	-) echo KP- ;;
	.) echo KP. ;;
	\*) echo KP* ;;
	/) echo KP/ ;;
	[0-9]) echo "KP$1" ;;
	esac
}

# Each station is driven through a tmux control-mode client: a command
# and its answer on a pipe, with no program started per key.
#   ctl COMMAND: runs it; its output in $OUT.
ctl() {
	local line inblock=0
	# The client ends with its session: the station is gone.
	[ -n "${CTL[1]:-}" ] || { OUT=""; return 1; }
	OUT=""
	printf '%s\n' "$1" 2>/dev/null >&"${CTL[1]}" || return 1
	while IFS= read -r line <&"${CTL[0]}"; do
		case $line in
		%begin*) inblock=1; OUT=""; continue ;;
		%end* | %error*) [ $inblock = 1 ] && return 0 ;;
		esac
		[ $inblock = 1 ] && OUT+="$line"$'\n'
	done
	return 1
}

pause() { read -r -t "$1" -u 7 || :; }

# press_and_read KEY: $SCREEN once the key has changed the screen and it
# has stopped changing (a key that changes nothing waits two seconds,
# scaled; a loaded machine may take that long to answer one that does).
# GONE is set when the client has no answer: the screen went away.
press_and_read() {
	local before end
	ctl "capture-pane -p -t $NAME" || { GONE=1; return; }
	before=$OUT
	ctl "send-keys -t $NAME $(keyname "$1")" || { GONE=1; return; }
	end=$(deadline_us 2)
	while [ "$(now_us)" -lt "$end" ]; do
		pause 0.02
		ctl "capture-pane -p -t $NAME" || { GONE=1; return; }
		[ "$OUT" != "$before" ] && break
	done
	SCREEN=$OUT
	while :; do
		pause 0.03
		ctl "capture-pane -p -t $NAME" || { GONE=1; return; }
		[ "$OUT" = "$SCREEN" ] && break
		SCREEN=$OUT
	done
}

# tmux_gone WHERE: true, with WHERE in $TMP/NAME.gone, when the station's
# tmux server has ended. A station that ends leaves its session (the
# "[exit N]" line), so a session gone is tmux's own end, not the station's.
tmux_gone() {
	t has-session -t "=$NAME" 2>/dev/null && return 1
	echo "$1" >"$TMP/$NAME.gone"
}

# lost WHERE: the station's screen went away at WHERE: 3 when tmux itself
# ended, or else a fault.
lost() {
	tmux_gone "$1" && return 3
	echo "the station's screen went away $1" >>"$TMP/$NAME.faults"
}

# crawl_station FARM LANG COLS ROWS: every walk on one station; faults go
# to $TMP/NAME.faults (each fault once, with where it was met), the
# screens' titles to $TMP/NAME.titles. 3 when tmux's server ended under it.
crawl_station() {
	local farm=$1 lang=$2 cols=$3 rows=$4 home walk label keys path faults f end
	local set=WALKS
	[ "$(basename "$farm")" = pepper.ini ] && set=PEPPER_WALKS
	local -n walks=$set
	home="2 Máy bơm"
	[ "$lang" = en ] && home="2 Pumps"
	set +f		# a walk cut short leaves "*" a key
	rm -rf "$TMP/$NAME".*
	# Its database in a folder of its own: its backups beside it go
	# with it, should it be crawled again.
	mkdir "$TMP/$NAME.d"
	GONE=
	mkfifo "$TMP/$NAME.never"
	exec 7<>"$TMP/$NAME.never"
	start_sized "$NAME" "$cols" "$rows" --config "$farm" --db "$TMP/$NAME.d/station.db" \
		--lang "$lang" --clock 2026-06-10T08:00 --speech-log "$TMP/$NAME.said"
	if ! wait_for "$NAME" "$home" 10; then
		tmux_gone "before its home screen" && return 3
		{ echo "station did not start"; screen "$NAME" | sed 's/^/    | /'; } >>"$TMP/$NAME.faults"
		return
	fi
	# The client itself is the coproc, so that killing it ends it: left
	# alone, it keeps its server from ever exiting.
	coproc CTL { exec tmux -L "$SOCK" -C attach -t "=$NAME" 2>&1; }
	ctl "refresh-client -f no-output" || { lost "at its start"; return; }
	for walk in "${walks[@]}"; do
		label=${walk%%:*}
		keys=${walk#*:}
		path=""
		set -f		# "*" is a key here, not a pattern
		for k in $keys; do
			path="$path $k"
			press_and_read "$k"
			# The screen gone: said at once, not two seconds a key
			# until the walks are done.
			[ -z "$GONE" ] || { lost "at $label:$path"; return; }
			printf '%s' "$SCREEN" | sed -n '1s/^ *//; 1s/ *$//; 1p' >>"$TMP/$NAME.titles"
			printf '== %s:%s\n%s' "$label" "$path" "$SCREEN" >>"$TMP/$NAME.screens"
			faults=$(printf '%s' "$SCREEN" | "$CHECK" "$cols" "$rows") && continue
			while IFS= read -r f; do
				grep -qxF -- "$f" "$TMP/$NAME.seen" 2>/dev/null && continue
				echo "$f" >>"$TMP/$NAME.seen"
				{
					echo "$f"
					echo "    after: $label:$path"
					printf '%s' "$SCREEN" | sed 's/^/    | /'
				} >>"$TMP/$NAME.faults"
			done <<<"$faults"
		done
		set +f
		press_and_read /
		[ -z "$GONE" ] || { lost "at $label: /"; return; }
		end=$(deadline_us 5)
		while [ "$(now_us)" -lt "$end" ]; do
			case $SCREEN in *"$home"*) break ;; esac
			pause 0.05
			ctl "capture-pane -p -t $NAME"
			SCREEN=$OUT
		done
		case $SCREEN in
		*"$home"*) ;;
		*) echo "the walk \"$label\" did not end on the home screen" >>"$TMP/$NAME.faults" ;;
		esac
	done
	[ -n "${CRAWL_SCREENS:-}" ] && cp "$TMP/$NAME".screens "$TMP/$NAME".said "$CRAWL_SCREENS"/
	kill "${CTL_PID:-}" 2>/dev/null
}

# crawl FARM LANG COLS ROWS: one station crawled, in a tmux server of its
# own. tmux 3.3a's server has crashed under the crawl's control-mode
# clients (a segfault in tmux, at a client's attach and once mid-walk),
# taking every station it held: a server apiece keeps that to one
# station, which is crawled once more from the start. A second end of
# tmux is a fault.
crawl() {
	local where
	# A client gone: its pipe's write fails, rather than end the crawl.
	trap '' PIPE
	NAME=$(basename "${1%.ini}")_${2}_${3}x${4}
	SOCK="$SOCK-$NAME"
	crawl_station "$@"
	if [ $? = 3 ]; then
		where=$(cat "$TMP/$NAME.gone")
		echo "crawl $NAME: tmux's server ended $where; crawled again" >&2
		kill "${CTL_PID:-}" 2>/dev/null
		t kill-server 2>/dev/null
		# The station ends on the hang-up: gone before another is
		# started on the same files.
		for _ in $(seq 50); do
			pgrep -f -- "--db $TMP/$NAME.d/station.db" >/dev/null || break
			sleep 0.1
		done
		pkill -KILL -f -- "--db $TMP/$NAME.d/station.db" 2>/dev/null
		crawl_station "$@"
		[ $? = 3 ] && echo "tmux's server ended twice, the second time $(cat "$TMP/$NAME.gone")" >>"$TMP/$NAME.faults"
	fi
	t kill-server 2>/dev/null
}

# Each crawl's tmux server goes with the test, however it ends.
crawl_cleanup() {
	local s
	for s in "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$SOCK"-*; do
		[ -S "$s" ] && tmux -S "$s" kill-server 2>/dev/null
	done
	cleanup
}
trap crawl_cleanup EXIT

FARMS=("$TOP/config/demo.ini" "$TOP/tests/e2e/longnames.ini" "$TOP/config/pepper.ini")
for farm in "${FARMS[@]}"; do
	for lang in vi en; do
		for size in "40 12" "50 15"; do
			crawl "$farm" "$lang" $size &
		done
	done
done
wait

for farm in "${FARMS[@]}"; do
	for lang in vi en; do
		for size in 40x12 50x15; do
			f=$(basename "${farm%.ini}")_${lang}_$size
			if [ -s "$TMP/$f.faults" ]; then
				bad "$f: $(grep -c '^[^ ]' "$TMP/$f.faults") faults on its screens"
				sed 's/^/     /' "$TMP/$f.faults"
			else
				ok "$f: every screen whole, inside its border, with its keys"
			fi
		done
	done
done

# "*" twice read each screen aloud (the words in $NAME.said, one line
# each, with the pumps' and records' confirmations), every number, date,
# time and code in words: no digit, % or ° is left for the synthesiser.
for farm in "${FARMS[@]}"; do
	# The pairs of "*" in the walks this farm took.
	if [ "$(basename "$farm")" = pepper.ini ]; then
		pairs=$(printf '%s\n' "${PEPPER_WALKS[@]}" | grep -o '\* \*' | wc -l)
	else
		pairs=$(printf '%s\n' "${WALKS[@]}" | grep -o '\* \*' | wc -l)
	fi
	for lang in vi en; do
		for size in 40x12 50x15; do
			f=$(basename "${farm%.ini}")_${lang}_$size
			said=$(grep -c . "$TMP/$f.said" 2>/dev/null || echo 0)
			left=$(grep '[0-9%°]' "$TMP/$f.said" 2>/dev/null | head -n 3)
			if [ "$said" -ge "$pairs" ] && [ -z "$left" ]; then
				ok "$f: $said things said, $pairs screens read aloud, all in words"
			else
				bad "$f: $said things said for $pairs screens read aloud${left:+; not in words: $left}"
			fi
		done
	done
done

# Every screen of the table was visited (in English, its title is the
# one in the source; the home screen's is the station's name).
titles=$(cat "$TMP"/*_en_*.titles 2>/dev/null | sort -u)
missing=""
while IFS= read -r title; do
	grep -qxF -- "$title" <<<"$titles" || missing="$missing \"$title\""
done < <(grep -ho 'title = N_("[^"]*")\|, N_("[^"]*"), [a-z_]*enter' "$TOP"/screens/*.c |
	sed 's/.*N_("\([^"]*\)").*/\1/' | sort -u)
[ -z "$missing" ] && ok "every screen of the table was visited" ||
	bad "screens never visited:$missing"

finish
