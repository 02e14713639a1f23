#!/bin/bash
# A stick made by an attacker, at the station and at the office: links to
# the station's database and backups named like its unfinished copies,
# links, a FIFO and a device node inside, a folder 10,000 deep, names with
# control bytes, a manifest that leaves its folder, a 4 GB sparse copy, a
# trigger named sqlite_x, a 30 MB text. Each is refused or left alone with
# a sentence in Vietnamese; nothing outside the stick is touched; the
# station's database, its backups and the office's database are as they
# were (integrity_check ok, the same rows). The office trusts the station:
# what it refuses here is refused for what is in the folder, and the
# copies with a trigger or a long text are signed by the station's own key
# (a stolen card).
#
# As root, the console copies to an ext4 "stick" on a loop device that
# scripts/fieldstation-stick mounts (nosymfollow, nodev, nosuid, noexec),
# in a private mount namespace; the rest runs without root, and what needs
# it (the mount, a device node) is skipped, loudly, without it.
if [ "$(id -u)" = 0 ] && [ -z "${FS_PRIVATE_MOUNTS:-}" ]; then
	exec env FS_PRIVATE_MOUNTS=1 unshare -m --propagation private bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

VAR="$TMP/var"
DB="$VAR/station.db"
CFG="$TMP/farm.ini"
MEDIA="$TMP/media"
mkdir -p "$VAR" "$MEDIA"
sed "s|^code = PT01 .*|&\nusb_mount = $MEDIA/usb-stick|" "$TOP/config/demo.ini" >"$CFG"

# The rows a farmer keeps: irrigation runs, farm records, events, daily
# moisture. (A running station adds events and readings of its own.)
counts() { sql "$1" "SELECT (SELECT count(*) FROM pump_runs), (SELECT count(*) FROM records),
	(SELECT count(*) FROM events), (SELECT count(*) FROM readings_daily)"; }
whole() { [ "$(sql "$1" "PRAGMA integrity_check")" = ok ]; }
sums() { (cd "$1" && sha256sum -- *); }
uid=

# The station runs a while: a pump, readings, and its first backup.
start s --config "$CFG" --db "$DB" --clock 2026-06-01T05:00 --clock-speed 600
expect s "5 Chép ra USB" "the station runs"
press s KP2 KP1 KP2 KP0 KPEnter KPEnter KPEnter
expect s "Bơm đang chạy: 1" "a pump runs"
wait_for s "Bơm đang chạy: 0" 20
stop_station "$DB" TERM
wait_for s "[exit 0]"
[ -n "$(ls "$VAR/backups" 2>/dev/null)" ] && ok "the station made a backup: $(ls "$VAR/backups")" ||
	bad "no backup in $VAR/backups"
uid=$(sql "$DB" "SELECT value FROM meta WHERE key = 'station_uid'")
before=$(counts "$DB")
backups_before=$(sums "$VAR/backups")

# deep DIR: a folder 10,000 deep under DIR (perl is in every Debian).
deep() { perl -e 'chdir $ARGV[0] or die; for (1 .. 10000) { mkdir "a" or die; chdir "a" or die }' "$1"; }
depth() { perl -e 'my $n = 0; chdir $ARGV[0] or die; while (chdir "a") { $n++ } print $n' "$1"; }
# mark DIR: the mark this station writes first into an unfinished folder,
# forged with its uid (which every manifest prints).
mark() { printf 'fieldstation export, unfinished\nuid: %s\nfolder: %s\n' "$uid" "$(basename "$1")" >"$1/.fieldstation-export"; }

# plant STICK: every trap for the station's clean-up of unfinished folders.
plant() {
	local s=$1
	ln -s "$VAR" "$s/PT01_a_CHUA-XONG"
	ln -s "$VAR/backups" "$s/PT01_b_CHUA-XONG"
	mkdir "$s/PT01_c_CHUA-XONG"
	mark "$s/PT01_c_CHUA-XONG"
	ln -s "$DB" "$s/PT01_c_CHUA-XONG/nhat-ky-tuoi.csv"
	ln -s "$VAR/backups/$(ls "$VAR/backups" | head -n 1)" "$s/PT01_c_CHUA-XONG/sao-luu.db.tmp"
	mkdir "$s/PT01_d_CHUA-XONG"
	mark "$s/PT01_d_CHUA-XONG"
	mkfifo "$s/PT01_d_CHUA-XONG/manifest.txt"
	if [ "$(id -u)" = 0 ]; then
		mknod "$s/PT01_d_CHUA-XONG/bon-phan.csv" c 1 5
	fi
	mkdir "$s/PT01_e_CHUA-XONG"
	deep "$s/PT01_e_CHUA-XONG"
	mkdir "$s/PT01_$(printf '\033[41m')_CHUA-XONG"
	echo "the stick's own" >"$s/PT01_$(printf '\033[41m')_CHUA-XONG/nhat-ky-tuoi.csv"
}

# untouched STICK WHAT: the station is as it was, and the traps too.
untouched() {
	local s=$1 what=$2
	[ -f "$DB" ] && whole "$DB" && [ "$(counts "$DB")" = "$before" ] &&
		ok "$what: station.db is whole, the same rows ($before)" ||
		bad "$what: station.db is now $(counts "$DB"), was $before"
	[ "$(sums "$VAR/backups")" = "$backups_before" ] && ok "$what: every backup is there, unchanged" ||
		bad "$what: backups now $(ls "$VAR/backups")"
	[ -L "$s/PT01_a_CHUA-XONG" ] && [ -L "$s/PT01_b_CHUA-XONG" ] &&
		[ -L "$s/PT01_c_CHUA-XONG/nhat-ky-tuoi.csv" ] && [ -p "$s/PT01_d_CHUA-XONG/manifest.txt" ] &&
		[ -f "$s/PT01_$(printf '\033[41m')_CHUA-XONG/nhat-ky-tuoi.csv" ] &&
		ok "$what: the stick's links, FIFO and folders are left as they were" ||
		bad "$what: the stick now holds $(ls -R "$s" | head -20)"
	[ "$(depth "$s/PT01_e_CHUA-XONG")" = 10000 ] && ok "$what: the folder 10,000 deep too" ||
		bad "$what: the deep folder is $(depth "$s/PT01_e_CHUA-XONG") deep"
}

LEFT="USB có 6 thư mục chép dở mà trạm không nhận ra là của mình: để nguyên."

# At the station, on the console: the stick mounted by the shipped helper.
if [ "$(id -u)" = 0 ] && truncate -s 64M "$TMP/stick.img" && mkfs.ext4 -q -F "$TMP/stick.img" &&
	LOOP=$(losetup -f --show "$TMP/stick.img"); then
	M="$MEDIA/usb-${LOOP#/dev/}"
	sed -i "s|^usb_mount = .*|usb_mount = $M|" "$CFG"
	start c --config "$CFG" --db "$DB" --clock 2026-06-05T06:00 --clock-speed 60
	expect c "5 Chép ra USB" "the console runs"
	FIELDSTATION_MEDIA="$MEDIA" ACTION=add MDEV="${LOOP#/dev/}" "$TOP/scripts/fieldstation-stick"
	expect c "Đã cắm USB" "the stick, mounted by fieldstation-stick, is seen"
	plant "$M"
	# The kernel itself follows no link on it.
	out=$(cat "$M/PT01_a_CHUA-XONG/station.db" 2>&1 >/dev/null)
	echo "$out" | grep -q "Too many levels of symbolic links" &&
		ok "mounted nosymfollow: a link on the stick leads nowhere" ||
		bad "a link on the stick was followed: $out"
	press c KP5
	expect c "Có thể rút USB ra." "5: copied and read back" 30
	expect_words c "$LEFT" "the folders not its own are named in one sentence, left as they are"
	[ -d "$M/PT01_2026-06-05" ] && (cd "$M/PT01_2026-06-05" && sha256sum --quiet -c manifest.txt) &&
		ok "its own folder is whole on the stick" || bad "the stick holds $(ls "$M")"
	stop_station "$DB" TERM
	wait_for c "[exit 0]"
	# The console wrote its own events and readings meanwhile.
	before=$(counts "$DB" | cut -d'|' -f1,2)'|'$(counts "$DB" | cut -d'|' -f3,4)
	untouched "$M" "the console's copy"
	FIELDSTATION_MEDIA="$MEDIA" "$TOP/scripts/fieldstation-stick" remove "${LOOP#/dev/}"
	losetup -d "$LOOP"
else
	echo "SKIPPED: the console's copy to an ext4 stick mounted by fieldstation-stick (needs root and a loop device)"
fi

# The same with fieldstation export, into a folder no mount protects:
# the station itself follows no link.
PLAIN="$TMP/plain"
mkdir -p "$PLAIN"
plant "$PLAIN"
[ "$(id -u)" = 0 ] || echo "SKIPPED: a device node on the stick (mknod needs root)"
before=$(counts "$DB")
out=$(timeout 60 "$BIN" --config "$CFG" --db "$DB" --clock 2026-06-06T06:00 export --to "$PLAIN" 2>&1)
rc=$?
[ $rc = 0 ] && echo "$out" | grep -qF "$LEFT" && ok "fieldstation export: written, the others named and left" ||
	bad "fieldstation export rc=$rc: $out"
untouched "$PLAIN" "fieldstation export"
EXPORTED="$PLAIN/PT01_2026-06-06"

# At the office: an office that trusts the station and holds its rows,
# then the stick.
OFFICE="$TMP/office/hop-tac-xa.db"
mkdir -p "$TMP/office"
out=$("$BIN" trust --into "$OFFICE" --yes "$EXPORTED" 2>&1 && "$BIN" merge --into "$OFFICE" "$EXPORTED" 2>&1)
[ $? = 0 ] && ok "the office trusts the station and merges its own folder (exit 0)" || bad "first merge: $out"
station_rows=$(counts "$DB" | cut -d'|' -f1,2)
[ "$(counts "$OFFICE" | cut -d'|' -f1,2)" = "$station_rows" ] && [ "${station_rows%%|*}" -ge 1 ] &&
	ok "the office holds the station's runs and records ($station_rows)" ||
	bad "office $(counts "$OFFICE"), station $(counts "$DB")"
office_before=$(counts "$OFFICE")
STICK="$TMP/stick"
mkdir -p "$STICK"
# folder NAME: a copy of the genuine export, to be spoilt.
folder() { cp -a "$EXPORTED" "$STICK/$1"; echo "$STICK/$1"; }
f=$(folder PT01_1-fifo) && rm "$f/manifest.txt" && mkfifo "$f/manifest.txt"
if [ "$(id -u)" = 0 ]; then
	f=$(folder PT01_2-device) && rm "$f/sao-luu.db" && mknod "$f/sao-luu.db" c 1 5
fi
f=$(folder PT01_3-sparse) && truncate -s 4G "$f/sao-luu.db"
f=$(folder PT01_4-parent) && sed -i 's|  bon-phan.csv$|  ../../var/station.db|' "$f/manifest.txt"
f=$(folder "PT01_5-$(printf '\033]2;owned\007')")
ln -s "$EXPORTED" "$STICK/PT01_6-link"
mkdir "$STICK/PT01_7-deep" && deep "$STICK/PT01_7-deep"
# What the station's own key signs (a stolen card: its database and key
# copied): a trigger named sqlite_x put in through writable_schema, and a
# 30 MB event detail, each exported by the real program.
mkdir -p "$TMP/thief"
cp "$DB" "$TMP/thief/station.db" && cp "$VAR/station.key" "$TMP/thief/station.key"
sql "$TMP/thief/station.db" "PRAGMA writable_schema = ON;
	INSERT INTO sqlite_schema(type, name, tbl_name, rootpage, sql) VALUES ('trigger', 'sqlite_x',
	'events', 0, 'CREATE TRIGGER sqlite_x AFTER INSERT ON events BEGIN DELETE FROM pump_runs; END')"
"$BIN" --config "$CFG" --db "$TMP/thief/station.db" --clock 2026-06-07T06:00 export --to "$STICK" >/dev/null
cp "$DB" "$TMP/thief/station.db"
sql "$TMP/thief/station.db" "UPDATE events SET detail = hex(zeroblob(15 * 1024 * 1024)) WHERE id = 1"
"$BIN" --config "$CFG" --db "$TMP/thief/station.db" --clock 2026-06-08T06:00 export --to "$STICK" >/dev/null
[ -d "$STICK/PT01_2026-06-07" ] && [ -d "$STICK/PT01_2026-06-08" ] &&
	ok "the station's key signed a copy with a sqlite_x trigger, and one with a 30 MB text" ||
	bad "the thief's exports: $(ls "$STICK")"
out=$(timeout 60 "$BIN" merge --into "$OFFICE" "$STICK" 2>&1)
rc=$?
[ $rc = 1 ] && ok "merge: every folder refused (exit 1), none hung" || bad "merge rc=$rc: $out"
refused() { # WHAT SENTENCE
	echo "$out" | grep -F "bị từ chối:" | grep -qF -- "$2" && ok "$1: $2" || bad "$1: no \"$2\" in: $out"
}
refused "a FIFO named manifest.txt" "manifest.txt không phải là tệp thường (có thể là FIFO, thiết bị hoặc thư mục): không mở nó"
if [ "$(id -u)" = 0 ]; then
	refused "a device node for the copy" "sao-luu.db không phải là tệp thường"
else
	echo "SKIPPED: a device node at the office (mknod needs root)"
fi
refused "a 4 GB sparse copy, read no further than its size" "sao-luu.db không còn như lúc chép ra"
refused "a manifest naming ../" "tệp kê khai không hợp lệ"
refused "a folder named with an escape sequence" "tên của nó có ký tự điều khiển, thứ mà trạm không bao giờ ghi"
refused "a link to a folder off the stick" "đây là một liên kết (symlink), thứ mà trạm không bao giờ ghi: không đi theo nó"
refused "a trigger named sqlite_x" "các bảng không phải của một trạm"
refused "a 30 MB event detail" "trong đó có một đoạn chữ dài hơn 64 KB, điều mà trạm không bao giờ ghi"
whole "$OFFICE" && [ "$(counts "$OFFICE")" = "$office_before" ] &&
	ok "the office's database is whole, the same rows ($office_before)" || bad "the office changed"
[ -z "$(ls -A "$TMP/office" | grep -v '^hop-tac-xa.db')" ] &&
	ok "nothing was left beside it (no copy of the 4 GB file)" || bad "the office holds $(ls -A "$TMP/office")"
finish
