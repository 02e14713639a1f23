#!/bin/bash
# A database damaged on the card (pages overwritten, as a failing SD card
# does): the station says so in one sentence, keeps the damaged file
# aside, and goes on from its newest good local backup, telling to when
# the data now run. Backups are made on the schedule of the config. Damage
# in the readings, checked after the first screen, is found there.
. "$(dirname "$0")/lib.sh"

DB="$TMP/station.db"
CFG="$TMP/farm.ini"
# A backup every station hour: every six seconds at 600 times.
sed "s|^code = PT01 .*|&\nbackup_hours = 1\nbackup_keep = 2|" "$TOP/config/demo.ini" >"$CFG"

start d --config "$CFG" --db "$DB" --clock 2026-06-01T05:00 --clock-speed 600
expect d "1 Độ ẩm đất" "station started"
backups() { ls "$TMP/backups" 2>/dev/null | grep '^station-.*\.db$'; }
has_backups() { [ "$(backups | wc -l)" -ge "$1" ]; }
# The event log has the station time each backup was made at.
BACKUP_EVENT="SELECT t FROM events WHERE kind = 'backup' ORDER BY t LIMIT 1"
logged() { [ -n "$(sql "$DB" "$BACKUP_EVENT")" ]; }
until_true 10 has_backups 1
until_true 10 logged
# Named for the station time it was made at, to the minute, before the
# next was due (backup_hours = 1).
first=$(backups | head -n 1)
want=$(sql "$DB" "SELECT strftime('station-%Y-%m-%d-%H%M.db', t, 'unixepoch', 'localtime') FROM ($BACKUP_EVENT)")
early=$(sql "$DB" "SELECT t < strftime('%s', '2026-06-01 05:00', 'utc') + 3600 FROM ($BACKUP_EVENT)")
[ -n "$first" ] && [ "$first" = "$want" ] && [ "$early" = 1 ] &&
	ok "a backup at start, named for the station time it was made at ($first)" ||
	bad "first backup: $(backups), the event log's: '$want' (in the first hour: '$early')"
press d KP3 KP1 KPEnter KP1 KP1 KP5 KP0 KPEnter KP1 KP1 KPEnter
expect d "Đã lưu: 50 kg NPK" "a fertilizing record saved"
# The backup of the next hour holds the record.
until_true "$(station_wait 3600 600)" has_backups 2
newest=$(backups | tail -n 1)
[ "$newest" != "$first" ] && [ "$(sql "$TMP/backups/$newest" "SELECT count(*) FROM records")" = 1 ] &&
	ok "the hourly backup $newest holds the record" || bad "backup $newest: no record"
# The hour after, a third: the oldest goes, two are kept.
rotated() { ! backups | grep -qxF "$first" && has_backups 2; }
if until_true "$(station_wait 3600 600)" rotated; then
	n=$(backups | wc -l)
	[ "$n" = 2 ] && ok "backup_keep = 2: the oldest ($first) went, two kept" ||
		bad "$n backups: $(backups)"
else
	bad "no rotation: $(backups)"
fi
stop_station "$DB" TERM
wait_for d "[exit 0]" 10
sql "$DB" "PRAGMA integrity_check" | grep -qx ok && ok "sound before the damage" || bad "integrity"
newest=$(ls "$TMP/backups" | grep '^station-.*\.db$' | tail -n 1)
runs_to=$(sql "$TMP/backups/$newest" "SELECT strftime('%d/%m/%Y %H:%M', max(t), 'unixepoch', 'localtime')
	FROM (SELECT max(t) AS t FROM events UNION ALL SELECT last FROM readings_packed
	      UNION ALL SELECT max(entered_at) FROM records)")

# The card fails: five pages in the middle overwritten.
head -c 20480 /dev/urandom | dd of="$DB" bs=4096 seek=2 conv=notrunc status=none
sql "$DB" "PRAGMA quick_check" 2>&1 | grep -qx ok && bad "the damage was not damage" || ok "the database is damaged"

start d --config "$CFG" --db "$DB" --clock 2026-06-01T09:00 --clock-speed 600
expect d "Dữ liệu bị hỏng, đã cất riêng; đã lấy lại từ bản" "one sentence: damaged, kept aside,"
expect d "sao lưu, dữ liệu có đến $runs_to." "restored from a backup, the date the data now run to"
expect d "Báo động: 1" "and an alarm to acknowledge"
aside=$(ls "$TMP" | grep '^station\.db\.damaged-20260601-09[0-9]*$')
[ -n "$aside" ] && ok "the damaged file is kept aside as $aside" || bad "no damaged file kept: $(ls "$TMP")"
[ -n "$aside" ] && ! sql "$TMP/$aside" "PRAGMA quick_check" 2>&1 | grep -qx ok &&
	ok "the kept file is the damaged one" || bad "the kept file is not the damaged one"
[ "$(sql "$DB" "SELECT count(*) FROM records WHERE amount = 50")" = 1 ] &&
	ok "the record is back from the backup" || bad "record not restored"
sql "$DB" "PRAGMA integrity_check" | grep -qx ok && ok "the restored database is sound" || bad "integrity"
# The station works on: another record.
press d KP3 KP1 KPEnter KP1 KP1 KP7 KP0 KPEnter KP1 KP1 KPEnter
expect d "Đã lưu: 70 kg NPK" "records are saved again"
stop_station "$DB" TERM
wait_for d "[exit 0]" 10 && ok "stops cleanly" || bad "did not stop" d
out=$("$BIN" --config "$CFG" --db "$DB" check)
echo "$out" | grep -q "tốt" && ok "fieldstation check: good" || bad "check: $out"

# Years of readings are checked after the first screen: damage there lets
# the station start as usual, is found a moment later, and takes the
# same road: set aside, the newest good backup, one sentence.
newest=$(ls "$TMP/backups" | grep '^station-.*\.db$' | tail -n 1)
records=$(sql "$TMP/backups/$newest" "SELECT count(*) FROM records")
first=$(sql "$DB" "SELECT pageno FROM dbstat WHERE name = 'readings_packed' AND pagetype = 'leaf'
	ORDER BY path LIMIT 1")
[ -n "$first" ] && [ "$first" -gt 1 ] && ok "the oldest readings are on page $first" || bad "no page: $first"
head -c 4096 /dev/urandom | dd of="$DB" bs=4096 seek=$((first - 1)) conv=notrunc status=none
"$BIN" --config "$CFG" --db "$DB" check >/dev/null
[ $? = 3 ] && ok "fieldstation check: damaged (exit 3)" || bad "check did not find the damage"
start d --config "$CFG" --db "$DB" --clock 2026-06-01T10:00 --clock-speed 60
expect d "1 Độ ẩm đất" "the station starts on its records"
expect_not d "Dữ liệu bị hỏng" "nothing said before the whole check"
expect_words d "Dữ liệu bị hỏng, đã cất riêng; đã lấy lại từ bản sao lưu" \
	"the check after the first screen finds the damage and restores" 30
aside=$(ls "$TMP" | grep '^station\.db\.damaged-20260601-10[0-9]*$')
[ -n "$aside" ] && ok "the damaged file is kept aside as $aside" || bad "not kept aside: $(ls "$TMP")"
[ "$(sql "$DB" "SELECT count(*) FROM records")" = "$records" ] &&
	ok "the records of the newest backup, $newest, are back" || bad "records: $(sql "$DB" "SELECT count(*) FROM records")"
sql "$DB" "PRAGMA integrity_check" | grep -qx ok && ok "the restored database is sound" || bad "integrity"
press d KP3 KP1 KPEnter KP1 KP1 KP8 KP0 KPEnter KP1 KP1 KPEnter
expect d "Đã lưu: 80 kg NPK" "and the station goes on"
stop_station "$DB" TERM
wait_for d "[exit 0]" 10 && ok "stops cleanly" || bad "did not stop" d
# The backup due at that start waited for the check: none was copied
# from the damaged database over a good one.
unsound=
for b in $(backups); do
	sql "$TMP/backups/$b" "PRAGMA integrity_check" 2>&1 | grep -qx ok || unsound="$unsound $b"
done
[ -z "$unsound" ] && ok "every backup is sound ($(backups | tr '\n' ' '))" || bad "damaged backups:$unsound"

# The power goes between setting a damaged database aside and putting
# its backup in place: no database at the next start, only the one set
# aside and the backups. The backup comes back, not an empty station.
newest=$(ls "$TMP/backups" | grep '^station-.*\.db$' | tail -n 1)
records=$(sql "$TMP/backups/$newest" "SELECT count(*) FROM records")
mv "$DB" "$TMP/station.db.damaged-20260601-110000"
rm -f "$DB-wal" "$DB-shm"
start d --config "$CFG" --db "$DB" --clock 2026-06-01T11:00 --clock-speed 60
expect d "Không thấy dữ liệu; đã lấy lại từ bản sao lưu" "a missing database: restored, said in one sentence"
expect d "Báo động: 1" "with an alarm"
[ "$records" -gt 0 ] && [ "$(sql "$DB" "SELECT count(*) FROM records")" = "$records" ] &&
	ok "the $records records of $newest are back" || bad "records: $(sql "$DB" "SELECT count(*) FROM records") of $records"
[ "$(sql "$DB" "SELECT detail FROM events WHERE kind = 'database_restored' ORDER BY t DESC LIMIT 1")" = \
  "$TMP/station.db.damaged-20260601-110000" ] && ok "the alarm names the file set aside" ||
	bad "alarm: $(sql "$DB" "SELECT detail FROM events WHERE kind = 'database_restored'")"
stop_station "$DB" TERM
wait_for d "[exit 0]" 10 && ok "stops cleanly" || bad "did not stop" d

finish
