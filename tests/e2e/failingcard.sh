#!/bin/bash
# The memory card fails under the running station, through the test card
# (build/tests/libcardvfs.so, tests/cardvfs.c): at a write it answers
# EIO, is full (ENOSPC) or is remounted read-only (EROFS); a sync answers
# EIO; a read answers EIO (the backup reads the whole card). Each time the
# station says so in one line, refuses a new record in words before it is
# begun, waters on (a run starts, ends on time, its relay goes off), and
# when the card works again takes it up by itself: the line goes, the run
# made meanwhile is in the diary, a record is saved again. What was saved
# before the fault is there, and the database is sound. And a card that
# cannot be read when the station starts is said, its database not taken
# for damaged.
. "$(dirname "$0")/lib.sh"

CARD="$(cd "$(dirname "$BIN")" && pwd)/tests/libcardvfs.so"
[ -e "$CARD" ] || { bad "no $CARD (make helpers)"; finish; exit 1; }
CTL="$TMP/card-control"
LOG="$TMP/card.log"
DB="$TMP/station.db"
RELAYS="$TMP/relays"
CFG="$TMP/farm.ini"
SPEED=600
mkdir -p "$RELAYS"
# Readings every station minute and a backup every station hour: the
# card is written all the time, and read whole now and then.
sed -e 's/^flush_minutes *=.*/flush_minutes = 1/' -e "s|^code = PT01 .*|&\nbackup_hours = 1|" \
	"$TOP/config/demo.ini" >"$CFG"

card() {
	printf '%s\n' "$@" >"$CTL.tmp"
	mv "$CTL.tmp" "$CTL"
}

keys_of() {
	local s=$1 i out=()
	for ((i = 0; i < ${#s}; i++)); do
		case ${s:i:1} in
		.) out+=(KP.) ;;
		*) out+=("KP${s:i:1}") ;;
		esac
	done
	echo "${out[@]}"
}

on_card() {
	local at_start=${2:-}
	# The card under the runner too (valgrind passes LD_PRELOAD on).
	RUNNER="env LD_PRELOAD=$CARD CARDVFS_CONTROL=$CTL CARDVFS_LOG=$LOG"
	[ -n "$at_start" ] && RUNNER="$RUNNER CARDVFS='$at_start'"
	RUNNER="$RUNNER ${FIELDSTATION_RUNNER:-}"
	start f --config "$CFG" --db "$DB" --clock "$1" --clock-speed $SPEED --sim-relays "$RELAYS"
	RUNNER=${FIELDSTATION_RUNNER:-}
}

relay() { head -c 1 "$RELAYS/$1" 2>/dev/null; }
relay_is() { [ "$(relay "$1")" = "$2" ]; }
runs_ended() { sql "$DB" "SELECT count(*) FROM pump_runs WHERE ended IS NOT NULL"; }
runs_ended_are() { [ "$(runs_ended)" = "$1" ]; }

# Two months of readings first, so that a backup reads what is not in
# memory.
on_card 2026-06-10T06:00
expect f "1 Độ ẩm đất" "the station starts on the test card"
stop_station "$DB" TERM
wait_for f "[exit 0]" 20 || bad "the station stops" f
sql "$DB" "WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < 86400)
	INSERT OR IGNORE INTO readings(t, sensor, quantity, value)
	SELECT $(date -d 2026-06-10T06:00 +%s) - n * 60, s.id, 0, 30 + (n % 600) / 20.0
	FROM i, sensors s WHERE s.code LIKE 'soil%'" 2>/dev/null
on_card 2026-06-10T06:10
expect f "1 Độ ẩm đất" "it starts again"

# After the last Enter of a run by hand: the run, or the peak-hours
# question that asks once more.
started_or_asked() { on_screen f "Bơm đang chạy: 1" || words_on_screen f "Vẫn mở Bơm 1?"; }

# fault WHAT COMMAND LINE REFUSAL AMOUNT
fault() {
	local what=$1 command=$2 line=$3 refusal=$4 amount=$5 again ended failed_before wait_line=20
	again=$((${amount%.*} + 1)).${amount#*.}
	press f KP/ KP3 KP1 KPEnter KP1 KP1 $(keys_of "$amount") KPEnter KP1 KP1 KPEnter
	expect f "Đã lưu: ${amount/./,} kg NPK" "$what: a record saved before the card fails"
	press f KP/
	failed_before=$(grep -c "the card fails" "$LOG")
	card "$command"
	# The backup that reads the card comes once a station hour.
	[[ $command == "fail read"* ]] && wait_line=$(station_wait 3600 $SPEED)
	expect f "$line" "$what: the screen says it in one line" "$wait_line"
	[ "$(grep -c "the card fails" "$LOG")" -gt "$failed_before" ] && ok "$what: the card did fail" ||
		bad "$what: the card never failed"

	# A new record is refused in words, before anything is typed.
	press f KP3 KP1
	expect_words f "$refusal" "$what: a new record is refused in words"
	expect_not f "Làm ngày nào?" "$what: the form does not even begin"
	press f KP/

	# Watering goes on: pump 1 for 30 minutes (three seconds here),
	# by Ba; yes once more in peak hours.
	ended=$(runs_ended)
	press f KP2 KP1 KP3 KP0 KPEnter KP1 KPEnter
	until_true 10 started_or_asked
	words_on_screen f "Vẫn mở Bơm 1?" && press f KPEnter
	expect f "Bơm đang chạy: 1" "$what: a pump still starts"
	until_true 5 relay_is p1 1 && ok "$what: its relay is on" || bad "$what: relay p1 is $(relay p1)"
	expect f "Bơm đang chạy: 0" "$what: and stops by itself" "$(station_wait 1800 $SPEED)"
	until_true 5 relay_is p1 0 && ok "$what: its relay is off" || bad "$what: relay p1 is $(relay p1)"
	press f KP/

	# The card works again: no key pressed, the station takes it up.
	card heal
	until_true 20 eval '! on_screen f "$line"' && ok "$what: the line goes by itself" ||
		bad "$what: \"$line\" stays" f
	until_true 20 runs_ended_are $((ended + 1)) && ok "$what: the run made meanwhile is in the diary" ||
		bad "$what: $(runs_ended) runs in the diary, not $((ended + 1))"
	press f KP/ KP3 KP1 KPEnter KP1 KP1 $(keys_of "$again") KPEnter KP1 KP1 KPEnter
	expect f "Đã lưu: ${again/./,} kg NPK" "$what: records are saved again"
	press f KP/
	[ "$(sql "$DB" "SELECT count(*) FROM records WHERE amount = $amount")" = 1 ] &&
		ok "$what: the record saved before is kept" || bad "$what: the record of $amount is gone"
}

# The Vietnamese words, as the farmer reads them.
EIO_LINE="Thẻ nhớ bị lỗi: không lưu thêm được"
EIO_NO="Thẻ nhớ bị lỗi: không lưu thêm được gì. Những gì đã lưu vẫn còn."
FULL_LINE="Thẻ nhớ đầy: không lưu thêm được"
FULL_NO="Thẻ nhớ đầy: không lưu thêm được gì. Những gì đã lưu vẫn còn."
RO_LINE="Thẻ nhớ chỉ còn đọc được: không lưu thêm được"
RO_NO="Thẻ nhớ không ghi được nữa: không lưu thêm được gì. Những gì đã lưu vẫn còn."
fault "a write answers EIO" "fail write EIO 3" "$EIO_LINE" "$EIO_NO" 11.5
fault "the card is full" "fail write ENOSPC 2" "$FULL_LINE" "$FULL_NO" 21.5
fault "the card is remounted read-only" "fail write EROFS 1" "$RO_LINE" "$RO_NO" 31.5
fault "a sync answers EIO" "fail sync EIO 1" "$EIO_LINE" "$EIO_NO" 41.5
fault "a read answers EIO" "fail read EIO 1" "$EIO_LINE" "$EIO_NO" 51.5

[ "$(sql "$DB" "PRAGMA integrity_check")" = ok ] && ok "the database is sound" ||
	bad "integrity_check fails"
n=$(sql "$DB" "SELECT count(*) FROM records WHERE amount IN (11.5, 12.5, 21.5, 22.5, 31.5, 32.5,
	41.5, 42.5, 51.5, 52.5)")
[ "$n" = 10 ] && ok "every record saved is there" || bad "$n of 10 records"
stop_station "$DB" TERM
wait_for f "[exit 0]" 20 && ok "the station stops cleanly" || bad "the station did not stop" f
saved=$(sql "$DB" "SELECT count(*) FROM records")

# A card that cannot be read when the station starts: said in a sentence;
# its database is not taken for damaged and set aside.
on_card "$(date -d "@$(($(sql "$DB" "SELECT max(t) FROM events") + 120))" +%Y-%m-%dT%H:%M)" \
	"fail read EIO 1"
expect_words f "thẻ nhớ bị lỗi" "a card that cannot be read at start is said"
expect f "[exit 1]" "and the station does not start on it"
ls "$TMP"/station.db.damaged-* >/dev/null 2>&1 && bad "the database was set aside as damaged" ||
	ok "the database is not set aside as damaged"
[ "$(relay p1)$(relay p2)" = 00 ] && ok "no relay is on" || bad "relays: $(relay p1)$(relay p2)"
on_card "$(date -d "@$(($(sql "$DB" "SELECT max(t) FROM events") + 120))" +%Y-%m-%dT%H:%M)"
expect f "1 Độ ẩm đất" "the card readable again, the station starts"
[ "$(sql "$DB" "SELECT count(*) FROM records")" = "$saved" ] && ok "with all its records ($saved)" ||
	bad "records: $(sql "$DB" "SELECT count(*) FROM records"), $saved before"
stop_station "$DB" TERM
wait_for f "[exit 0]" 20 || bad "the station did not stop" f

finish
