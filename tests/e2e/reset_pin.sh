#!/bin/bash
# A forgotten manager's PIN reset from the board's shell: refused while the
# station runs, refused without the station's code typed on a terminal (or
# given by a script), refused for a database that is not there; then the
# next person in Settings chooses a new PIN. status, trace and export say
# plainly that a mistyped database is not there, and make none.
. "$(dirname "$0")/lib.sh"

CFG="$TOP/config/demo.ini"
DB="$TMP/station.db"
hash() { sql "$DB" "SELECT value FROM meta WHERE key = 'manager_pin'"; }

# The installer chose a PIN in Settings.
start s --config "$CFG" --db "$DB" --clock 2026-06-01T05:00
wait_for s "1 Độ ẩm đất"
press s KP6
expect_words s "Chưa có mã PIN quản lý" "Settings asks for a first PIN"
press s KP2 KP4 KP6 KP8 KPEnter KP2 KP4 KP6 KP8 KPEnter
expect s "Đã đặt mã PIN quản lý." "PIN set"
before=$(hash)
[[ "$before" == \$y\$* ]] && ok "a yescrypt hash is kept" || bad "hash: $before"

# While the console runs it holds the station's lock: one sentence.
out=$("$BIN" --config "$CFG" --db "$DB" reset-pin PT01 2>&1)
rc=$?
[ $rc = 1 ] && echo "$out" | grep -qF "Trạm đang chạy trên $DB: hãy dừng trạm trước" &&
	ok "refused while the station runs (exit 1)" || bad "running: rc=$rc $out"
[ "$(hash)" = "$before" ] && ok "PIN kept while running" || bad "PIN changed while running"
stop_station "$DB" TERM
wait_for s "[exit 0]"

# No terminal and no code: nobody to ask, nothing done.
out=$("$BIN" --config "$CFG" --db "$DB" reset-pin </dev/null 2>&1)
rc=$?
[ $rc = 2 ] && echo "$out" | grep -qF "fieldstation reset-pin MÃ_TRẠM" &&
	ok "no terminal: asks for the code as an argument (exit 2)" || bad "no terminal: rc=$rc $out"
# A script's wrong code.
out=$("$BIN" --config "$CFG" --db "$DB" reset-pin PT02 2>&1)
rc=$?
[ $rc = 1 ] && echo "$out" | grep -qF "Đó không phải mã của trạm này: mã PIN vẫn giữ nguyên" &&
	ok "wrong code given: refused (exit 1)" || bad "wrong code: rc=$rc $out"
[ "$(hash)" = "$before" ] && ok "PIN kept after refusals" || bad "PIN changed by a refusal"

# On the terminal: the station is named, the code asked; a wrong one is
# refused, the right one (in small letters too) forgets the PIN.
start r --config "$CFG" --db "$DB" --clock 2026-06-01T05:40 reset-pin
expect_words r "Trạm HTX Phước Thiện - trạm 1, cơ sở dữ liệu $DB." "the station and its database named"
expect_words r "gõ mã trạm (phần đầu của mã lô) rồi nhấn Enter:" "the code asked"
t send-keys -t r "PT09" Enter
expect r "[exit 1]" "wrong code typed: exit 1"
expect_words r "Đó không phải mã của trạm này" "wrong code typed: said"
[ "$(hash)" = "$before" ] && ok "PIN kept after a wrong code" || bad "PIN changed by a wrong code"
start r --config "$CFG" --db "$DB" --clock 2026-06-01T05:40 reset-pin
wait_for r "rồi nhấn Enter:"
t send-keys -t r "pt01" Enter
expect r "[exit 0]" "right code typed: exit 0"
expect_words r "Đã xóa mã PIN quản lý: hãy chọn mã mới trong Cài đặt." "PIN forgotten, said"
[ -z "$(hash)" ] && ok "the hash is gone" || bad "hash still: $(hash)"
[ "$(sql "$DB" "SELECT count(*) FROM events WHERE kind = 'pin_reset'")" = 1 ] &&
	ok "the event log keeps the reset" || bad "no pin_reset event"

# The next person in Settings chooses a new PIN.
start s --config "$CFG" --db "$DB" --clock 2026-06-01T06:00
wait_for s "1 Độ ẩm đất"
press s KP6
expect_words s "Chưa có mã PIN quản lý" "Settings asks for a new PIN"
stop_station "$DB" TERM
wait_for s "[exit 0]"

# A mistyped --db: said plainly, and no empty database left behind.
typo="$TMP/statoin.db"
out=$("$BIN" --config "$CFG" --db "$typo" reset-pin PT01 2>&1)
rc=$?
[ $rc = 1 ] && echo "$out" | grep -qF "Không có cơ sở dữ liệu $typo: hãy kiểm tra đường dẫn" &&
	ok "reset-pin: no database there (exit 1)" || bad "reset-pin typo: rc=$rc $out"
out=$("$BIN" --config "$CFG" --db "$typo" status 2>&1)
rc=$?
[ $rc = 1 ] && echo "$out" | grep -qF "Không có cơ sở dữ liệu $typo" &&
	! echo "$out" | grep -q "unable to open" && ok "status: no database there, plainly" ||
	bad "status typo: rc=$rc $out"
out=$("$BIN" --config "$CFG" --db "$typo" trace PT01-260601-01 2>&1)
[ $? = 1 ] && echo "$out" | grep -qF "Không có cơ sở dữ liệu $typo" && ok "trace: no database there" ||
	bad "trace typo: $out"
mkdir -p "$TMP/stick"
out=$("$BIN" --db "$typo" export --to "$TMP/stick" 2>&1)
[ $? = 1 ] && echo "$out" | grep -qF "Không có cơ sở dữ liệu $typo" && ok "export: no database there" ||
	bad "export typo: $out"
ls "$TMP"/statoin* >/dev/null 2>&1 && bad "something made at the typo: $(ls "$TMP"/statoin*)" ||
	ok "nothing made at the mistyped path"
[ -z "$(ls -A "$TMP/stick")" ] && ok "nothing written to the stick" || bad "stick: $(ls "$TMP/stick")"

finish
