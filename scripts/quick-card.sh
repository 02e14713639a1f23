#!/bin/bash
# The quick card for the wall of the shed: one A5 page per menu of the
# home screen, drawn from the real screens. It starts the built console on
# the demo farm (a database of its own, a fixed clock, Vietnamese, 50x15
# like the shed's screen) in a tmux server of its own, opens each menu
# with keypad keys only, captures the menu and its help (*), and writes
# one printable HTML file. A menu that is not where the card says it is,
# or a screen without its title or its key line, fails the card with the
# screen it found: a changed screen breaks the card, it never goes stale.
#
#   scripts/quick-card.sh [--bin FIELDSTATION] [--config INI] [--out HTML]
#
# Defaults: build/fieldstation, config/demo.ini,
# build/quick-card/the-nhanh.html. Nothing is fetched; the station's own
# files are only read.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN="${FIELDSTATION_BIN:-$TOP/build/fieldstation}"
RUNNER="${FIELDSTATION_RUNNER:-}"
CONFIG="$TOP/config/demo.ini"
OUT="$TOP/build/quick-card/the-nhanh.html"
# Seconds to wait for a screen (a loaded machine or valgrind needs more).
WAIT=$(( 15 * ${FIELDSTATION_WAIT_SCALE:-1} ))
# The day shown on every screen of the card.
CLOCK=2026-06-01T07:00

while [ $# -gt 0 ]; do
	case $1 in
	--bin) BIN=$2; shift 2 ;;
	--config) CONFIG=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	*) echo "usage: $0 [--bin FIELDSTATION] [--config INI] [--out HTML]" >&2; exit 2 ;;
	esac
done

# The menus on the card, in the order of the home screen.
MENUS=("Độ ẩm đất" "Máy bơm" "Bón phân, phun thuốc" "Thu hoạch" "Chép ra USB")
KEYLINE="0: quay lại   /: về đầu   *: trợ giúp"
HOME_KEYLINE="*: trợ giúp"
HELP_HEAD="Các phím ở màn hình này:"
# The help's last row with the voice on, as a new station has it: a
# second * reads the screen aloud, any other key closes the help.
HELP_CLOSE="*: đọc to   phím khác: đóng"

[ -x "$BIN" ] || { echo "quick-card: no station at $BIN (make first)" >&2; exit 1; }
[ -r "$CONFIG" ] || { echo "quick-card: cannot read $CONFIG" >&2; exit 1; }

TMP=$(mktemp -d /tmp/fs-card.XXXXXX)
SOCK="fs-card-$$"
t() { tmux -u -L "$SOCK" "$@"; }
cleanup() {
	t kill-server 2>/dev/null
	for _ in $(seq 50); do
		pgrep -f -- "--db $TMP/" >/dev/null || break
		sleep 0.1
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

# A walk that does not reach its screen: no card, and why.
fail() {
	echo "quick-card: $1" >&2
	if [ -n "${2:-}" ]; then
		echo "quick-card: the screen was:" >&2
		sed 's/^/  | /' <<<"$2" >&2
	fi
	rm -f "$OUT"
	exit 1
}

# The screen as text: rows without trailing blanks, no control byte.
screen() {
	t capture-pane -p -t card 2>/dev/null | LC_ALL=C tr -d '\000-\010\013-\037\177'
}

# The first row that is not blank, trimmed.
title_of() { sed -n '/[^ ]/{s/^ *//; s/ *$//; p; q}' <<<"$1"; }

has_row() { grep -qxF -- "$2" <<<"$(sed 's/^ *//; s/ *$//' <<<"$1")"; }

# wait_screen TITLE ROW [ABSENT]: until the screen's first row is TITLE
# (any, if TITLE is empty),
# one of its rows is ROW, ABSENT is nowhere, and it holds still (two
# captures alike); sets SHOT. Fails if that never comes.
wait_screen() {
	local title=$1 row=$2 absent=${3:-} end=$((SECONDS + WAIT)) last=""
	SHOT=""
	while [ "$SECONDS" -le "$end" ]; do
		SHOT=$(screen)
		if { [ -z "$title" ] || [ "$(title_of "$SHOT")" = "$title" ]; } && has_row "$SHOT" "$row" &&
			{ [ -z "$absent" ] || ! grep -qF -- "$absent" <<<"$SHOT"; }; then
			[ "$SHOT" = "$last" ] && return 0
			last=$SHOT
		else
			last=""
		fi
		sleep 0.15
	done
	return 1
}

press() { t send-keys -t card "$1"; }

html() {
	sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g; s/"/\&quot;/g'"; s/'/\\&#39;/g" <<<"$1"
}

# The screen as drawn on the shed's: all its rows, every character escaped.
html_screen() {
	printf '<pre class="screen">%s</pre>\n' "$(html "$1")"
}

# The station on the demo farm, with its USB stick looked for in a
# folder of its own, so that a stick in this computer is left alone.
sed "s|^code = .*|&\nusb_mount = $TMP/stick|" "$CONFIG" >"$TMP/farm.ini"
export TZ=Asia/Ho_Chi_Minh
t new-session -d -s card -x 50 -y 15 \
	"$RUNNER $BIN --config $TMP/farm.ini --db $TMP/station.db --lang vi --clock $CLOCK; sleep 600" ||
	fail "cannot start tmux"

wait_screen "" "$HOME_KEYLINE" ||
	fail "the home screen did not come (its key line \"$HOME_KEYLINE\")" "$SHOT"
HOME_SHOT=$SHOT

# Each menu's key, as the home screen numbers it: all there before the walk.
KEYS=()
for title in "${MENUS[@]}"; do
	key=$(sed -n "s/^ \([1-9]\) $(sed 's/[][\.*^$/]/\\&/g' <<<"$title")\$/\1/p" <<<"$HOME_SHOT" | head -n 1)
	[ -n "$key" ] || fail "the home screen has no menu item \"$title\"" "$HOME_SHOT"
	KEYS+=("$key")
done

PAGES="$TMP/pages.html"
: >"$PAGES"
for i in "${!MENUS[@]}"; do
	title=${MENUS[$i]} key=${KEYS[$i]}

	press "KP$key"
	wait_screen "$title" "$KEYLINE" "chưa có số đo" ||
		fail "$key on the home screen did not open \"$title\" with its key line \"$KEYLINE\"" "$SHOT"
	menu=$SHOT
	press "KP*"
	wait_screen "$title" "$HELP_CLOSE" ||
		fail "* on \"$title\" did not show its help" "$SHOT"
	grep -qF -- "$HELP_HEAD" <<<"$SHOT" || fail "the help of \"$title\" has no \"$HELP_HEAD\"" "$SHOT"
	help=$SHOT
	# Any key closes the help; / then goes home.
	press KP5
	wait_screen "$title" "$KEYLINE" || fail "a key did not close the help of \"$title\"" "$SHOT"
	press KP/
	wait_screen "$(title_of "$HOME_SHOT")" "$HOME_KEYLINE" ||
		fail "/ on \"$title\" did not go home" "$SHOT"

	# What the keys do, in the screen's own words: its numbered rows
	# (up to the first wide gap, where a value starts), then its key line.
	{
		printf '<section class="page">\n<h1><kbd>%s</kbd> %s</h1>\n' "$key" "$(html "$title")"
		printf '<p>Ở màn hình chính, bấm <kbd>%s</kbd>:</p>\n' "$key"
		html_screen "$menu"
		printf '<ul class="keys">\n'
		sed -n 's/^ \([1-9]\) \(.*\)$/\1\t\2/p' <<<"$menu" | sed 's/   .*//' |
			while IFS=$'\t' read -r k what; do
				printf '<li><kbd>%s</kbd> %s</li>\n' "$k" "$(html "$what")"
			done
		# "0: quay lại   /: về đầu   *: trợ giúp": a key and its words,
		# three spaces apart.
		sed 's/^ *//; s/   */\n/g' <<<"$KEYLINE" | while IFS= read -r part; do
			printf '<li><kbd>%s</kbd> %s</li>\n' "$(html "${part%%:*}")" "$(html "${part#*: }")"
		done
		printf '</ul>\n<p>Bấm <kbd>*</kbd> thì màn hình giải thích các phím:</p>\n'
		html_screen "$help"
		printf '</section>\n'
	} >>"$PAGES"
done

mkdir -p "$(dirname "$OUT")" || fail "cannot make the folder of $OUT"
{
	cat <<'EOF'
<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>Thẻ nhanh – trạm đồng ruộng</title>
<style>
@page { size: A5; margin: 10mm; }
body { font-family: "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 11pt; margin: 0; }
.page { break-after: page; page-break-after: always; }
.page:last-child { break-after: auto; page-break-after: auto; }
h1 { font-size: 16pt; margin: 0 0 2mm; }
p { margin: 2mm 0 1mm; }
kbd { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-weight: bold;
      border: 1px solid #000; border-radius: 1mm; padding: 0 1.2mm; }
.screen { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 10.5pt;
          line-height: 1.15; width: 50ch; height: 17.25em; margin: 0; padding: 1.5mm 2mm;
          border: 0.6mm solid #000; border-radius: 1.5mm; white-space: pre; overflow: hidden; }
.keys { list-style: none; padding: 0; margin: 1.5mm 0; columns: 2; font-size: 10pt; }
.keys li { margin: 0.6mm 0; break-inside: avoid; }
@media screen { .page { border-bottom: 1px dashed #888; padding: 10mm 0; width: 128mm; margin: 0 auto; } }
</style>
</head>
<body>
EOF
	cat "$PAGES"
	printf '</body>\n</html>\n'
} >"$OUT.tmp" && mv -f "$OUT.tmp" "$OUT" || fail "cannot write $OUT"
echo "quick-card: ${#MENUS[@]} pages in $OUT"
