#!/bin/bash
# A database damaged on the card (pages overwritten, as a failing SD card
# does): the station says so in one sentence, keeps the damaged file
# aside, and goes on from its newest good local backup, telling to when
# the data now run. Backups are made on the schedule of the config.
. "$(dirname "$0")/lib.sh"

DB="$TMP/station.db"
CFG="$TMP/farm.ini"
# A backup every station hour: every six seconds at 600 times.
sed "s|^code = PT01 .*|&\nbackup_hours = 1\nbackup_keep = 2|" "$TOP/config/demo.ini" >"$CFG"

start d --config "$CFG" --db "$DB" --clock 2026-06-01T05:00 --clock-speed 600
expect d "1 Độ ẩm đất" "station started"
press d KP3 KP1 KPEnter KP1 KP1 KP5 KP0 KPEnter KP1 KP1 KPEnter
expect d "Đã lưu: 50 kg NPK" "a fertilizing record saved"
ls "$TMP/backups/" | grep -q '^station-2026-06-01-0[45][0-9][0-9]\.db$' &&
	ok "a backup at start, named for the station time" || bad "backups: $(ls "$TMP/backups")"
# Wait for the backup of the next hour, which holds the record.
for _ in $(seq 1 150); do
	[ "$(ls "$TMP/backups" | grep -c '^station-.*\.db$')" -ge 2 ] && break
	sleep 0.1
done
newest=$(ls "$TMP/backups" | grep '^station-.*\.db$' | tail -n 1)
[ -n "$newest" ] && [ "$(sql "$TMP/backups/$newest" "SELECT count(*) FROM records")" = 1 ] &&
	ok "the hourly backup $newest holds the record" || bad "backup $newest: no record"
sleep 7
n=$(ls "$TMP/backups" | grep -c '^station-.*\.db$')
[ "$n" = 2 ] && ok "backup_keep = 2: two kept" || bad "$n backups: $(ls "$TMP/backups")"
stop_station "$DB" TERM
wait_for d "[exit 0]" 10
sql "$DB" "PRAGMA integrity_check" | grep -qx ok && ok "sound before the damage" || bad "integrity"
newest=$(ls "$TMP/backups" | grep '^station-.*\.db$' | tail -n 1)
runs_to=$(sql "$TMP/backups/$newest" "SELECT strftime('%d/%m/%Y %H:%M', max(t), 'unixepoch', 'localtime')
	FROM (SELECT max(t) AS t FROM events UNION ALL SELECT max(t) FROM readings
	      UNION ALL SELECT max(entered_at) FROM records)")

# The card fails: five pages in the middle overwritten.
head -c 20480 /dev/urandom | dd of="$DB" bs=4096 seek=2 conv=notrunc status=none
sql "$DB" "PRAGMA quick_check" 2>&1 | grep -qx ok && bad "the damage was not damage" || ok "the database is damaged"

start d --config "$CFG" --db "$DB" --clock 2026-06-01T09:00 --clock-speed 600
expect d "Dữ liệu bị hỏng, đã cất riêng; đã lấy lại từ bản" "one sentence: damaged, kept aside,"
expect d "sao lưu, dữ liệu có đến $runs_to." "restored from a backup, the date the data now run to"
expect d "Báo động: 1" "and an alarm to acknowledge"
aside=$(ls "$TMP" | grep '^station\.db\.damaged-20260601-09')
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

finish
