#!/bin/bash
# Text from outside never reaches a terminal as control bytes: a station
# name with escape sequences in a copy's database, a folder named with
# them on a stick, merged at the office; such a path on the station's
# screen; and a configuration holding them, a NUL byte or a broken section
# header is refused on its line, with its key, before anything starts.
. "$(dirname "$0")/lib.sh"

CFG="$TOP/config/demo.ini"
DB="$TMP/st.db"
STICK="$TMP/stick"
OFFICE="$TMP/office/hop-tac-xa.db"
ESC=$'\e'
BEL=$'\a'
mkdir -p "$STICK" "$TMP/office"

# no_controls FILE WHAT: FILE holds no C0 control byte but line ends (CRLF
# in a CSV), no DEL, no C1 control (U+0080-U+009F) and no right-to-left
# override.
no_controls() {
	if LC_ALL=C grep -qP '[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80\xae' "$1"; then
		bad "$2: control bytes: $(od -c "$1" | grep -m3 -E '033|007|302')"
	else
		ok "$2"
	fi
}

# A station whose database was given a hostile name (on another board, or
# by whoever had the card) exports it, and the office merges it.
start s --config "$CFG" --db "$DB" --clock 2026-06-01T05:00 --clock-speed 600
wait_for s "1 Độ ẩm đất"
press s KP2 KP1 KP2 KP0 KPEnter KPEnter KPEnter
expect s "Bơm đang chạy: 1" "a pump runs, for the diary"
expect s "Bơm đang chạy: 0" "its 20 minutes end" "$(station_wait 1200 600)"
stop_station "$DB" TERM
wait_for s "[exit 0]"
hostile="${ESC}]2;pwned${BEL}${ESC}[41mTrạm ác"$'\xe2\x80\xae'"xe.exe"
sql "$DB" "UPDATE meta SET value = '$hostile' WHERE key = 'station_name'"
sql "$DB" "UPDATE names SET name = 'Mít${ESC}[2J$(printf '\xc2\x9b')31m' WHERE kind = 'zone' AND id = 'mit'"
out=$("$BIN" --db "$DB" --clock 2026-06-01T08:00 export --to "$STICK" 2>&1)
[ $? = 0 ] && ok "exported" || bad "export: $out"
F="$STICK/PT01_2026-06-01"
grep -qF "# name: �]2;pwned��[41mTrạm ác�xe.exe" "$F/manifest.txt" &&
	ok "manifest.txt: the name on one line, each control as �" || bad "manifest: $(cat "$F/manifest.txt")"
no_controls "$F/manifest.txt" "manifest.txt: no control byte"
# A folder whose name carries a title, a colour and a bell.
evil="$STICK/PT01_${ESC}]2;owned${BEL}${ESC}[31m_HONG"
mkdir "$evil" && cp "$F/manifest.txt" "$evil/"

# The office trusts the station first; its name is shown cleaned there too.
"$BIN" trust --into "$OFFICE" --yes "$F" >"$TMP/trust.out" 2>&1 && ok "the office trusts the station" ||
	bad "trust: $(cat "$TMP/trust.out")"
no_controls "$TMP/trust.out" "trust printed no control byte"
grep -qF "Trạm: PT01 (�]2;pwned��[41mTrạm ác�xe.exe)" "$TMP/trust.out" &&
	ok "trust: the name shown, each control as �" || bad "trust name: $(cat "$TMP/trust.out")"
"$BIN" merge --into "$OFFICE" "$STICK" >"$TMP/merge.out" 2>&1
rc=$?
[ $rc = 1 ] && ok "merge: the damaged folder refused (exit 1)" || bad "merge rc=$rc: $(cat "$TMP/merge.out")"
no_controls "$TMP/merge.out" "merge printed no control byte"
grep -qF "PT01_2026-06-01: trạm PT01 (�]2;pwned��[41mTrạm ác�xe.exe)" "$TMP/merge.out" &&
	ok "merge: the name shown, each control as �" || bad "merge name: $(cat "$TMP/merge.out")"
grep -qF "PT01_�]2;owned��[31m_HONG: bị từ chối" "$TMP/merge.out" &&
	ok "merge: the refused folder's name shown cleaned" || bad "merge refusal: $(cat "$TMP/merge.out")"
# The office's combined files, opened with cat by someone at the office.
out=$("$BIN" --db "$OFFICE" --clock 2026-06-02T08:00 export --to "$TMP/office" 2>&1)
[ $? = 0 ] && ok "office export" || bad "office export: $out"
for f in "$TMP/office/TONG-HOP_2026-06-02"/*.csv "$TMP/office/TONG-HOP_2026-06-02/manifest.txt"; do
	no_controls "$f" "office export: $(basename "$f") clean"
done
grep -qF "Mít�[2J�31m" "$TMP/office/TONG-HOP_2026-06-02/nhat-ky-tuoi.csv" &&
	ok "office irrigation diary: the zone's name cleaned" ||
	bad "diary: $(cat "$TMP/office/TONG-HOP_2026-06-02/nhat-ky-tuoi.csv")"

# On the station's screen every text passes one cleaner: here a database
# whose path holds a title, a colour and a bell, shown in Thông tin trạm.
odd="$TMP/a${ESC}]2;owned${BEL}${ESC}[41mb"
mkdir "$odd"
start i --config "$CFG" --db "'$odd/st.db'" --clock 2026-06-01T05:00
wait_for i "1 Độ ẩm đất"
press i KP6 KP2 KP4 KP6 KP8 KPEnter KP2 KP4 KP6 KP8 KPEnter KP1
expect_words i "a�]2;owned��[41mb/st.db" "the screen shows the path, each control as �"
[ "$(t display-message -p -t i '#{pane_title}')" != owned ] && ok "the terminal's title unchanged" ||
	bad "the title was set by the path"
t capture-pane -e -p -t i | grep -qP '\x1b\[[0-9;]*41m' && bad "a red background from the path" i ||
	ok "no colour from the path"
t send-keys -t i C-c
expect i "[exit 0]" "Ctrl-C ends the station"

# The configuration: refused on its line, with its key, nothing started.
sed "s/^name = HTX Phước Thiện - trạm 1$/name = HTX${ESC}]2;pwned${BEL}${ESC}[41m/" "$CFG" >"$TMP/esc.ini"
line=$(grep -n "^name = HTX" "$TMP/esc.ini" | cut -d: -f1)
"$BIN" --config "$TMP/esc.ini" --db "$DB" status >"$TMP/status.out" 2>&1
rc=$?
[ $rc = 1 ] && grep -qF "$TMP/esc.ini, dòng $line: name có một ký tự điều khiển (U+001B)" "$TMP/status.out" &&
	ok "status: the escape in a name refused on its line (exit 1)" || bad "status: rc=$rc $(cat "$TMP/status.out")"
no_controls "$TMP/status.out" "status printed no control byte"

sed "s/^max_minutes = 90$/max_minutes = 9\x00 0/" "$CFG" >"$TMP/nul.ini"
line=$(grep -an "^max_minutes = 9" "$TMP/nul.ini" | head -n 1 | cut -d: -f1)
start nul --config "$TMP/nul.ini" --db "$TMP/nul.db"
expect nul "[exit 1]" "a NUL byte: the station does not start (exit 1)"
expect_words nul "nul.ini, dòng $line: max_minutes có một byte NUL" "a NUL byte: file, line and key"
[ ! -e "$TMP/nul.db" ] && ok "a NUL byte: nothing made" || bad "a database was made"

sed "s/^\[zone.vusua\]$/[zone.vusua/" "$CFG" >"$TMP/header.ini"
line=$(grep -n "^\[zone.vusua$" "$TMP/header.ini" | cut -d: -f1)
out=$("$BIN" --config "$TMP/header.ini" check 2>&1)
[ $? = 1 ] && echo "$out" | grep -qF "header.ini, dòng $line: tên mục thiếu dấu ] đóng" &&
	ok "a header without ]: its own line named" || bad "header: $out"

finish
