#!/bin/bash
# The export on real file systems, as the leader's USB stick gets it: a
# tmpfs or ext4 "stick" mounted in a private mount namespace. Written and
# read back; checked with sha256sum as an office could; full, read-only
# and failing sticks refused in one sentence, with nothing left that looks
# complete and the station's database untouched. (This kernel has no FAT:
# a real FAT stick is the emulated-hardware rig's.)
if [ "$(id -u)" != 0 ]; then
	echo "SKIPPED: $0 mounts test sticks and needs root (CI runs it as root)"
	exit 77
fi
# Mounts made here vanish with the namespace, whatever happens.
if [ -z "${FS_PRIVATE_MOUNTS:-}" ]; then
	exec env FS_PRIVATE_MOUNTS=1 unshare -m --propagation private bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

CFG="$TOP/config/demo.ini"
DB="$TMP/station.db"
STICK="$TMP/stick"
mkdir -p "$STICK"

# A station that ran for a while: readings, a pump run, events; and a few
# farm records.
start s --config "$CFG" --db "$DB" --clock 2026-06-01T05:00 --clock-speed 600
wait_for s "1 Độ ẩm đất"
press s KP2 KP1 KP3 KP0 KPEnter KPEnter KPEnter
expect s "Bơm đang chạy: 1" "a pump runs"
expect s "Bơm đang chạy: 0" "its 30 minutes end by themselves" "$(station_wait 1800 600)"
stop_station "$DB" TERM
wait_for s "[exit 0]"
sql "$DB" "INSERT INTO lots(code, day, seq) VALUES ('PT01-260601-01', '2026-06-01', 1);
	INSERT INTO records(kind, day, zone, zone_name, product, product_name, organic, amount, unit,
		method, who, who_name, entered_at)
	VALUES ('fertilize', '2026-05-30', 'mit', 'Mít ruột đỏ', 'npk', 'NPK 20-20-15 Đầu Trâu', 0,
		2.5, 'kg', 'venturi', 'tu', 'Anh Tư', 1780110000);
	INSERT INTO records(kind, day, zone, zone_name, crop, kg, grade, buyer, lot_code, who,
		who_name, entered_at)
	VALUES ('harvest', '2026-06-01', 'mit', 'Mít ruột đỏ', 'Mít', 120.5, 'A', 'Cty Xanh',
		'PT01-260601-01', 'tu', 'Anh Tư', 1780272000);"
db_sum=$(sha256sum <"$DB")
runs=$(sql "$DB" "SELECT count(*) FROM pump_runs")

export_to() {
	"$BIN" --config "$CFG" --db "$DB" --clock 2026-06-01T08:00 export --to "$1" 2>&1
}

# 1. A tmpfs stick.
mount -t tmpfs -o size=16m stick "$STICK"
out=$(export_to "$STICK")
rc=$?
[ $rc = 0 ] && [ "$out" = "Đã ghi và đọc lại để kiểm tra: $STICK/PT01_2026-06-01" ] &&
	ok "export: written and read back" || bad "export rc=$rc: $out"
[ "$(ls "$STICK")" = "PT01_2026-06-01" ] && ok "one folder, named for the station and the day" ||
	bad "stick holds: $(ls "$STICK")"
F="$STICK/PT01_2026-06-01"
(cd "$F" && sha256sum --quiet -c manifest.txt) && ok "sha256sum -c manifest.txt: every file matches" ||
	bad "manifest checksums"
n=$(grep -c '^[0-9a-f]\{64\}  ' "$F/manifest.txt")
[ "$n" = 13 ] && ok "manifest lists 13 files (tiet-kiem.csv with them)" || bad "manifest lists $n files"
bom=1
for f in "$F"/*.csv; do
	[ "$(head -c 3 "$f" | od -An -tx1 | tr -d ' ')" = efbbbf ] || bom=0
	grep -q $'[^\r]$' "$f" && bom=0
done
[ $bom = 1 ] && ok "every CSV: UTF-8 BOM and CRLF" || bad "a CSV without BOM or CRLF"
lines=$(($(wc -l <"$F/nhat-ky-tuoi.csv") - 1))
[ "$lines" = "$runs" ] && ok "irrigation diary: $runs runs" || bad "irrigation diary has $lines rows, database $runs"
# The diary keeps when the relay really went off (at 600 times speed a
# timer 10 ms late on a busy machine is a tenth of a station minute): the
# row says what the database holds, in the reader's words.
row=$(sql "$DB" "SELECT strftime('%d/%m/%Y %H:%M', started, 'unixepoch', 'localtime') || ';' ||
	strftime('%d/%m/%Y %H:%M', ended, 'unixepoch', 'localtime') || ';' ||
	replace(printf('%.1f', (ended - started) / 60.0), '.', ',') FROM pump_runs WHERE id = 1")
grep -q "^PT01;1;Bơm 1;Mít ruột đỏ;bằng tay;Nguyễn Văn Ba;$row;" "$F/nhat-ky-tuoi.csv" &&
	ok "irrigation row in Vietnamese, dates dd/mm/yyyy, decimal comma ($row)" || bad "irrigation row ($row): $(sed -n 2p "$F/nhat-ky-tuoi.csv")"
grep -q "PT01-260601-01" "$F/truy-xuat-PT01-260601-01.csv" &&
	grep -q "NPK 20-20-15 Đầu Trâu" "$F/truy-xuat-PT01-260601-01.csv" && ok "traceability sheet for the lot" ||
	bad "traceability sheet"
[ "$(sqlite3 "$F/sao-luu.db" 'PRAGMA integrity_check; SELECT count(*) FROM pump_runs')" = "ok
$runs" ] && ok "the database copy is whole" || bad "database copy"
[ "$(sha256sum <"$DB")" = "$db_sum" ] && ok "station database untouched" || bad "station database changed"

# 2. Again the same day: a second folder; the first is kept.
out=$(export_to "$STICK")
[ -d "$STICK/PT01_2026-06-01_2" ] && [ -d "$F" ] && ok "second export the same day: PT01_2026-06-01_2" ||
	bad "second export: $out; $(ls "$STICK")"

# 3. At the office: no configuration, the database says which station.
out=$("$BIN" --db "$DB" --clock 2026-06-02T09:00 export --to "$STICK" 2>&1)
[ $? = 0 ] && [ -d "$STICK/PT01_2026-06-02" ] && ok "export without a configuration" || bad "office export: $out"
umount "$STICK"

# 4. A stick too small: refused before anything is written.
mount -t tmpfs -o size=64k stick "$STICK"
out=$(export_to "$STICK")
rc=$?
[ $rc = 1 ] && echo "$out" | grep -q "^USB chỉ còn trống 0,[0-9] MB; bản chép cần khoảng [0-9,]* MB" &&
	ok "small stick: one sentence with the room needed" || bad "small stick rc=$rc: $out"
[ -z "$(ls "$STICK")" ] && ok "small stick: nothing written" || bad "small stick holds $(ls "$STICK")"
umount "$STICK"

# 5. A stick that fills up half-way (no more files: inodes run out).
mount -t tmpfs -o size=16m,nr_inodes=5 stick "$STICK"
out=$(export_to "$STICK")
rc=$?
[ $rc = 1 ] && [ "$out" = "USB đã đầy. Hãy xóa bớt tệp cũ trên máy tính, hoặc dùng USB lớn hơn." ] &&
	ok "full half-way: one sentence" || bad "full half-way rc=$rc: $out"
[ -z "$(ls "$STICK")" ] && ok "full half-way: what was written is removed" || bad "full stick holds $(ls -R "$STICK")"
umount "$STICK"

# 6. A read-only stick.
mount -t tmpfs -o size=16m,ro stick "$STICK"
out=$(export_to "$STICK")
rc=$?
[ $rc = 1 ] && echo "$out" | grep -q "^Không ghi được vào USB: USB đang khóa chỉ đọc" &&
	ok "read-only stick: one sentence" || bad "read-only rc=$rc: $out"
umount "$STICK"

# 7. A stick that fails under the writes, as one pulled out does (EIO):
# ext4 on a loop device whose backing file cannot grow.
BACK="$TMP/back"
mkdir -p "$BACK"
mount -t tmpfs -o size=4m back "$BACK"
truncate -s 64M "$BACK/img"
mkfs.ext4 -q -F -E lazy_itable_init=1,lazy_journal_init=1 "$BACK/img"
LOOP=$(losetup -f --show "$BACK/img")
if [ -n "$LOOP" ] && mount "$LOOP" "$STICK"; then
	avail=$(df --output=avail -B1 "$BACK" | tail -n 1)
	head -c $((avail - 40000)) /dev/zero >"$BACK/fill"
	out=$(export_to "$STICK")
	rc=$?
	[ $rc = 1 ] && [ "$out" = "USB đã bị rút ra, hoặc không trả lời, trước khi chép xong. Hãy cắm lại và chép lại." ] &&
		ok "failing stick (EIO): one sentence" || bad "failing stick rc=$rc: $out"
	complete=$(ls "$STICK" | grep '^PT01' | grep -v '_CHUA-XONG$')
	[ -z "$complete" ] && ok "failing stick: no folder that looks complete" || bad "failing stick holds $complete"
	umount "$STICK"
	losetup -d "$LOOP"
else
	bad "no loop device for the failing stick"
fi
umount "$BACK"
[ "$(sha256sum <"$DB")" = "$db_sum" ] && ok "station database untouched by every failure" || bad "station database changed"

finish
