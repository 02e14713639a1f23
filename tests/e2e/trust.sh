#!/bin/bash
# Stations sign what they export, and the office merges only the stations
# it trusts. A station makes its key at its first start and shows the
# key's fingerprint; the office holds a new station's folder until its
# person compares that fingerprint and says yes on the terminal; then it
# merges. A copy of a station's database exported with another key is
# refused as forged, the office database as it was; a card copied into a
# second board is told on that board's screen, by check, and at the
# office; a damaged key is a sentence, never a silent new one; a new key
# made on purpose is trusted again with --new-key.
. "$(dirname "$0")/lib.sh"

CFG="$TOP/config/demo.ini"
DB="$TMP/station.db"
KEY="$TMP/station.key"
OFFICE="$TMP/office/hop-tac-xa.db"
STICK="$TMP/stick"
mkdir -p "$STICK" "$TMP/office"
# The station's board, as its serial number would say.
export FIELDSTATION_BOARD=10000000a1b2c3d4

# Every table's rows and SQLite's own check: what an auditor compares.
office_state() {
	sql "$OFFICE" "PRAGMA integrity_check"
	for t in $(sql "$OFFICE" "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"); do
		echo "$t $(sql "$OFFICE" "SELECT count(*) FROM \"$t\"")"
	done
	sha256sum <"$OFFICE"
}
# A file's bytes as one line of hex.
hex_of() { od -An -tx1 -v "$1" | tr -d ' \n'; }

# 1. The first start makes the key beside the database, for the station
#    alone; its fingerprint is on the screen and in status.
start s --config "$CFG" --db "$DB" --clock 2026-06-01T05:00 --clock-speed 600
wait_for s "1 Độ ẩm đất"
press s KP2 KP1 KP2 KP0 KPEnter KPEnter KPEnter
expect s "Bơm đang chạy: 1" "a pump runs"
[ "$(stat -c %a "$KEY")" = 600 ] && ok "the key is made at the first start, mode 0600, beside the database" ||
	bad "key: $(ls -l "$TMP")"
press s KP/ KP6 KP2 KP4 KP6 KP8 KPEnter KP2 KP4 KP6 KP8 KPEnter KP1
expect s "Vân tay khóa: " "the station's info screen shows its key's fingerprint"
fp=$(screen s | sed -n 's/^ *Vân tay khóa: \([0-9A-F-]*\).*/\1/p')
status_fp=$("$BIN" --config "$CFG" --db "$DB" status | sed -n 's/^Vân tay khóa ký: //p')
[ ${#fp} = 19 ] && [ "$fp" = "$status_fp" ] && ok "status shows the same fingerprint ($fp)" ||
	bad "screen '$fp', status '$status_fp'"
press s KP/
# The run ends by itself: the diary exported holds a whole run.
expect s "Bơm đang chạy: 0" "its 20 minutes end by themselves" "$(station_wait 1200 600)"
stop_station "$DB" TERM
wait_for s "[exit 0]"
out=$("$BIN" --config "$CFG" --db "$DB" check)
[ $? = 0 ] && echo "$out" | grep -qF "Khóa ký $KEY: tốt (vân tay $fp, tạo trên bo mạch này)" &&
	ok "check: the key is good, made on this board" || bad "check: $out"
out=$("$BIN" --config "$CFG" --db "$DB" --clock 2026-06-01T08:00 export --to "$STICK" 2>&1)
[ $? = 0 ] && ok "exported" || bad "export: $out"
F="$STICK/PT01_2026-06-01"
seed=$(sed -n 's/^seed: //p' "$KEY")
[ ${#seed} = 64 ] && ! hex_of "$DB" | grep -q "$seed" && ! hex_of "$F/sao-luu.db" | grep -q "$seed" &&
	! grep -rqF "$seed" "$STICK" "$DB" && ok "the secret is neither in the database nor on the stick" ||
	bad "the secret leaked"
tail -n 1 "$F/manifest.txt" | grep -Eq '^# signature: [0-9a-f]{128}$' &&
	(cd "$F" && sha256sum --quiet -c manifest.txt) && ok "the manifest is signed, and sha256sum -c still checks it" ||
	bad "manifest: $(tail -n 3 "$F/manifest.txt")"

# 2. At the office, a station never trusted: held, with its code and
#    fingerprint, exit 3; nothing merged, the folder as it was.
folder_sum() { (cd "$1" && sha256sum ./* | sha256sum); }
before=$(folder_sum "$F")
out=$("$BIN" merge --into "$OFFICE" "$STICK" 2>&1)
rc=$?
[ $rc = 3 ] && echo "$out" | grep -qF "PT01_2026-06-01: tạm giữ: trạm PT01 chưa được tin cậy ở đây; vân tay khóa của trạm là $fp." &&
	ok "a new station is held, with its code and fingerprint (exit 3)" || bad "held rc=$rc: $out"
[ "$(sql "$OFFICE" "SELECT count(*) FROM pump_runs")" = 0 ] && [ "$(folder_sum "$F")" = "$before" ] &&
	ok "held: nothing merged, the folder as it was" || bad "a held folder was touched"

# 3. Trusting asks the office person on the terminal; a script says --yes.
out=$("$BIN" trust --into "$OFFICE" "$F" </dev/null 2>&1)
[ $? = 1 ] && echo "$out" | grep -q "hãy xác nhận tại màn hình dòng lệnh, hoặc thêm --yes" &&
	ok "without a terminal, trust asks for --yes" || bad "trust without a terminal: $out"
for answer in k c; do
	t new-session -d -s tr -x 120 -y 30 "$BIN trust --into $OFFICE $F; echo \"[exit \$?]\"; sleep 600"
	expect tr "Gõ c rồi Enter để tin cậy" "trust asks ($answer)"
	screen tr | grep -qF "Trạm: PT01 (HTX Phước Thiện - trạm 1)" && screen tr | grep -qF "Vân tay khóa: $fp" &&
		ok "it shows the code and the fingerprint to compare" || bad "trust screen" tr
	t send-keys -t tr "$answer" Enter
	if [ $answer = k ]; then
		expect tr "[exit 1]" "anything but c: not trusted"
		[ "$(sql "$OFFICE" "SELECT count(*) FROM trusted_stations")" = 0 ] && ok "and nothing recorded" ||
			bad "trusted without a yes"
	else
		expect tr "Đã tin cậy trạm PT01 (vân tay $fp)" "c: trusted"
		expect tr "[exit 0]" "exit 0"
	fi
	t kill-session -t tr
done
[ "$(sql "$OFFICE" "SELECT code || ' ' || fingerprint || ' ' || trusted_by || ' ' || (trusted_at > 0) FROM trusted_stations")" = "PT01 $fp $(id -un) 1" ] &&
	ok "the office keeps the station, its fingerprint, who trusted it and when" ||
	bad "trusted: $(sql "$OFFICE" "SELECT * FROM trusted_stations")"
out=$("$BIN" merge --into "$OFFICE" "$STICK" 2>&1)
[ $? = 0 ] && echo "$out" | grep -q "PT01_2026-06-01: trạm PT01" &&
	[ "$(sql "$OFFICE" "SELECT count(*) FROM pump_runs")" = "$(sql "$DB" "SELECT count(*) FROM pump_runs")" ] &&
	ok "merged once trusted" || bad "merge after trust: $out"

# 4. Forged: station 1's copy taken off a stick, its readings raised, and
#    exported again from another fieldstation (its uid, another key).
cp "$F/sao-luu.db" "$TMP/thief.db"
sql "$TMP/thief.db" "UPDATE readings_daily SET mean = 99, max = 99; DELETE FROM meta WHERE key = 'signing_key'"
mkdir -p "$TMP/stick2"
out=$("$BIN" --config "$CFG" --db "$TMP/thief.db" export --to "$TMP/stick2" 2>&1)
[ $? = 0 ] && ok "a copy exported with another key" || bad "thief export: $out"
before=$(office_state)
out=$("$BIN" merge --into "$OFFICE" "$TMP/stick2" 2>&1)
rc=$?
[ $rc = 1 ] && [ "$(echo "$out" | wc -l)" = 1 ] &&
	echo "$out" | grep -q ": bị từ chối: thư mục xưng là trạm PT01 nhưng được ký bằng khóa khác với khóa đã tin cậy ở đây (.*khóa đã tin cậy: $fp): có thể là giả mạo, không gộp gì từ thư mục này.$" &&
	ok "forged: refused in one sentence (exit 1)" || bad "forged rc=$rc: $out"
after=$(office_state)
[ "$after" = "$before" ] && echo "$after" | head -n 1 | grep -qx ok &&
	ok "the office database as it was: integrity ok, same rows, same bytes" || bad "office changed: $after"

# 5. One byte changed in a trusted station's folder, or its signature
#    taken away: refused.
cp -r "$F" "$TMP/changed"
printf 'X' | dd of="$TMP/changed/nhat-ky-tuoi.csv" bs=1 seek=40 conv=notrunc status=none
out=$("$BIN" merge --into "$OFFICE" "$TMP/changed" 2>&1)
[ $? = 1 ] && echo "$out" | grep -q "nhat-ky-tuoi.csv không còn như lúc chép ra" &&
	ok "a byte changed in a file: refused" || bad "changed file: $out"
cp -r "$F" "$TMP/unsigned"
sed -i '/^# signature: /d' "$TMP/unsigned/manifest.txt"
out=$("$BIN" merge --into "$OFFICE" "$TMP/unsigned" 2>&1)
[ $? = 1 ] && echo "$out" | grep -q "thư mục không có chữ ký" && ok "no signature: refused" ||
	bad "unsigned: $out"
cp -r "$F" "$TMP/edited"
sed -i 's/^# name: .*/# name: Trạm khác/' "$TMP/edited/manifest.txt"
out=$("$BIN" merge --into "$OFFICE" "$TMP/edited" 2>&1)
[ $? = 1 ] && echo "$out" | grep -q "chữ ký không khớp với manifest.txt" && ok "the manifest edited: refused" ||
	bad "edited manifest: $out"
[ "$(office_state)" = "$before" ] && ok "and the office database as it was" || bad "office changed by a refusal"

# 6. The station's card copied into a second board: its screen and check
#    say so, and the office holds what it exports.
mkdir -p "$TMP/clone"
cp "$DB" "$TMP/clone/station.db"
cp -p "$KEY" "$TMP/clone/station.key"
t set-environment -g FIELDSTATION_BOARD 10000000ffee0011
start c --config "$CFG" --db "$TMP/clone/station.db" --clock 2026-06-02T05:00
expect_words c "Thẻ nhớ này đang chạy trên bo mạch khác: có thể là bản sao." "the second board's screen says its card may be a copy"
press c KP6 KP2 KP4 KP6 KP8 KPEnter KP1
expect_words c "Khóa ký tạo trên bo mạch khác" "and its info screen"
stop_station "$TMP/clone/station.db" TERM
wait_for c "[exit 0]"
out=$(FIELDSTATION_BOARD=10000000ffee0011 "$BIN" --config "$CFG" --db "$TMP/clone/station.db" check)
[ $? = 1 ] && echo "$out" | grep -q "Khóa ký .*: LỖI: Khóa ký của thẻ nhớ này được tạo trên bo mạch khác" &&
	ok "check on the second board: a fault (exit 1)" || bad "clone check: $out"
mkdir -p "$TMP/stick3"
FIELDSTATION_BOARD=10000000ffee0011 "$BIN" --config "$CFG" --db "$TMP/clone/station.db" --clock 2026-06-02T08:00 \
	export --to "$TMP/stick3" >/dev/null 2>&1
before=$(office_state)
out=$("$BIN" merge --into "$OFFICE" "$TMP/stick3" 2>&1)
[ $? = 3 ] && echo "$out" | grep -q "tạm giữ: khóa của trạm PT01 đến từ một bo mạch chưa từng thấy" &&
	ok "the office holds the same key from a second board (exit 3)" || bad "clone merge: $out"
[ "$(office_state)" = "$before" ] && ok "nothing of it merged" || bad "clone merged"

# 7. A damaged key: a sentence, no copy, no silent new key.
echo "hỏng" >"$TMP/clone/station.key"
chmod 600 "$TMP/clone/station.key"
out=$("$BIN" --config "$CFG" --db "$TMP/clone/station.db" check)
[ $? = 1 ] && echo "$out" | grep -q "Khóa ký .*/clone/station.key bị hỏng" && ok "check: a damaged key is a fault" ||
	bad "damaged key check: $out"
out=$("$BIN" --config "$CFG" --db "$TMP/clone/station.db" export --to "$TMP/stick3" 2>&1)
[ $? = 1 ] && echo "$out" | grep -q "^Chưa chép gì: Khóa ký .* bị hỏng" &&
	[ "$(cat "$TMP/clone/station.key")" = "hỏng" ] && [ "$(ls "$TMP/stick3" | wc -l)" = 1 ] &&
	ok "a damaged key: nothing copied, the file left as it was" || bad "damaged key export: $out"
rm "$TMP/clone/station.key"
out=$("$BIN" --config "$CFG" --db "$TMP/clone/station.db" export --to "$TMP/stick3" 2>&1)
[ $? = 1 ] && echo "$out" | grep -q "Mất khóa ký .*, dù trạm này đã từng có (vân tay $fp)" &&
	[ ! -e "$TMP/clone/station.key" ] && ok "a lost key: told, and no new key made" || bad "lost key: $out"

# 8. A new key made on purpose: the office refuses it as another key
#    until told with --new-key.
out=$("$BIN" --config "$CFG" --db "$DB" new-key --yes)
fp2=$(echo "$out" | sed -n 's/^Đã tạo khóa ký mới: vân tay \([0-9A-F-]*\).*/\1/p')
[ ${#fp2} = 19 ] && [ "$fp2" != "$fp" ] && ls "$TMP" | grep -q '^station.key.old-' &&
	ok "new-key: a new key, the old one kept aside" || bad "new-key: $out"
mkdir -p "$TMP/stick4"
"$BIN" --config "$CFG" --db "$DB" --clock 2026-06-03T08:00 export --to "$TMP/stick4" >/dev/null
out=$("$BIN" merge --into "$OFFICE" "$TMP/stick4" 2>&1)
[ $? = 1 ] && echo "$out" | grep -q "giả mạo" && ok "the new key is refused until trusted" || bad "new key merge: $out"
out=$("$BIN" trust --into "$OFFICE" --yes "$TMP/stick4/PT01_2026-06-03" 2>&1)
[ $? = 1 ] && echo "$out" | grep -q -- "--new-key" && ok "trust says it needs --new-key" || bad "trust: $out"
out=$("$BIN" trust --into "$OFFICE" --yes --new-key "$TMP/stick4/PT01_2026-06-03" 2>&1)
[ $? = 0 ] && [ "$(sql "$OFFICE" "SELECT fingerprint || ' ' || replaced FROM trusted_stations")" = "$fp2 $fp" ] &&
	ok "trusted with --new-key; the office remembers the key it replaced" || bad "trust --new-key: $out"
out=$("$BIN" merge --into "$OFFICE" "$TMP/stick4" 2>&1)
[ $? = 0 ] && ok "and merged" || bad "merge after new key: $out"

finish
