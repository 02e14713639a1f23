#!/bin/bash
# "5 Chép ra USB" on the console, as a leader does it, with a tmpfs stick
# mounted at the configuration's usb_mount in a private mount namespace:
# the home screen notices the stick without a key; one key copies it; the
# screen says the stick may be pulled out only once it is read back; a
# stick pulled out mid-way, a read-only one and a small one each get one
# sentence; the pumps run on meanwhile; a station told to stop mid-copy
# stops cleanly. (This kernel has no FAT and no USB sticks: the
# emulated-hardware rig plugs real ones.)
if [ "$(id -u)" != 0 ]; then
	echo "SKIPPED: $0 mounts test sticks and needs root (CI runs it as root)"
	exit 77
fi
if [ -z "${FS_PRIVATE_MOUNTS:-}" ]; then
	exec env FS_PRIVATE_MOUNTS=1 unshare -m --propagation private bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
# Each start has a tmux session of its own: restarting the only one races
# with its server going away.

DB="$TMP/station.db"
STICK="$TMP/stick"
CFG="$TMP/farm.ini"
mkdir -p "$STICK"
sed "s|^code = PT01 .*|&\nusb_mount = $STICK|" "$TOP/config/demo.ini" >"$CFG"
grep -q "^usb_mount = $STICK" "$CFG" || { bad "usb_mount not set in $CFG"; finish; exit 1; }

start u --config "$CFG" --db "$DB" --clock 2026-06-01T05:00 --clock-speed 60
expect u "5 Chép ra USB" "home screen"
expect_not u "Đã cắm USB" "no stick at first"

# Plugged in: the home screen says so, without a key pressed.
mount -t tmpfs -o size=32m stick "$STICK"
expect u "Đã cắm USB" "home: \"Đã cắm USB\" once the stick is mounted"

# A pump runs through the copy.
press u KP2 KP1 KP6 KP0 KPEnter KPEnter KPEnter
expect u "Bơm 1 đã chạy" "pump started"
press u KP/
press u KP5
expect u "Có thể rút USB ra." "one key: copied and read back, then \"may be pulled out\"" 20
expect u "Thư mục PT01_2026-06-01 (13 tệp)" "the folder and its files"
expect u "Bơm đang chạy: 1" "a pump still runs after the copy"
[ "$(sql "$DB" "SELECT count(*) || ' ' || count(ended) FROM pump_runs")" = "1 0" ] &&
	ok "the pump ran on during the copy: its one run, not ended" ||
	bad "runs: $(sql "$DB" "SELECT id, pump, started, ended, end_reason FROM pump_runs")"
F="$STICK/PT01_2026-06-01"
(cd "$F" && sha256sum --quiet -c manifest.txt) && ok "the stick's folder checks with sha256sum" ||
	bad "manifest check: $(ls "$F")"
grep -q "^PT01;[0-9]*;Bơm 1;Mít ruột đỏ;bằng tay;" "$F/nhat-ky-tuoi.csv" &&
	ok "the running pump's run is in the diary" || bad "diary: $(cat "$F/nhat-ky-tuoi.csv")"

# Pulled out: the screen waits for the next one.
umount "$STICK"
expect u "Hãy cắm USB vào trạm." "stick gone: the screen asks for one"

# A read-only stick plugged in while the screen waits: copied at once,
# refused in one sentence.
mount -t tmpfs -o size=32m,ro stick "$STICK"
expect u "USB đang khóa chỉ đọc" "read-only stick: one sentence"
expect u "Enter: thử lại" "and the way to try again"
umount "$STICK"
expect u "Hãy cắm USB vào trạm." "waiting again"

# Too small.
mount -t tmpfs -o size=64k stick "$STICK"
expect u "USB chỉ còn trống" "small stick: the room it has and needs"
[ -z "$(ls "$STICK")" ] && ok "small stick: nothing written" || bad "small stick holds $(ls "$STICK")"
umount "$STICK"

# Pulled out in the middle of a long copy: years of hourly readings
# make one.
stop_station "$DB" TERM
wait_for u "[exit 0]"
sql "$DB" "WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < 96000)
	INSERT OR IGNORE INTO readings_hourly(sensor, quantity, t, n, min, mean, max)
	SELECT s.id, q.q, 1780246800 - n * 3600, 60, 25 + n % 9, 30 + (n % 600) / 20.0, 45 - n % 7
	FROM i, sensors s, (SELECT 0 AS q UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) q
	WHERE s.code LIKE 'soil%';"
start v --config "$CFG" --db "$DB" --clock 2026-06-02T05:00 --clock-speed 60
expect v "5 Chép ra USB" "started again on years of readings" 30
press v KP5
expect v "Hãy cắm USB vào trạm." "no stick: it asks for one"
# The station is held still while the stick goes, so that it goes
# mid-way. On a quick machine the copy may end before the hold: then the
# stick is pulled after a finished copy, and the test plugs it again.
pulled=""
for attempt in 1 2 3 4 5; do
	mount -t tmpfs -o size=512m stick "$STICK"
	wait_for v "Đang chép ra USB. Đừng rút USB ra." 20 || break
	stop_station "$DB" STOP
	bar=$(screen v | grep -cE '^ \[[= ]+\] +[0-9]+%$')
	umount -l "$STICK"
	stop_station "$DB" CONT
	if wait_for v "USB đã bị rút ra, hoặc không trả lời, trước khi" 20; then
		pulled=$attempt
		break
	fi
	echo "     (attempt $attempt: the copy ended before the pull; plugging again)"
	wait_for v "Hãy cắm USB vào trạm." 20
done
[ -n "$pulled" ] && ok "plugged in while waiting: the copy starts by itself" ||
	bad "no copy was caught mid-way in 5 attempts" v
[ "${bar:-0}" -ge 1 ] && ok "a bar shows the progress" || bad "no progress bar" v
[ -n "$pulled" ] && ok "pulled out mid-way: one sentence" || bad "pulled out mid-way" v
expect_not v "Có thể rút USB ra." "never \"may be pulled out\""

# Stopping a copy with 0, then Enter.
mount -t tmpfs -o size=512m stick "$STICK"
expect v "Đang chép ra USB" "plugged in again: copying"
# The key arrives while the copy is held still: it is the first thing the
# station sees when it goes on.
stop_station "$DB" STOP
press v KP0
stop_station "$DB" CONT
expect v "Dừng chép?" "0 asks before stopping"
written() { du -sb "$STICK" | cut -f1; }
before=$(written)
expect_stays v "Dừng chép?" "the question stays"
after=$(written)
[ "$before" = "$after" ] && ok "the copy waits while asking: nothing more written ($after bytes)" ||
	bad "written while asking: $before -> $after bytes"
press v KPEnter
expect v "Đã dừng chép." "stopped"
complete=$(ls "$STICK")
[ -z "$complete" ] && ok "stopped: nothing left on the stick" || bad "stick holds $complete"
press v KPEnter
expect v "Có thể rút USB ra." "Enter copies again, to the end" 60
[ -d "$STICK/PT01_2026-06-02" ] && ok "the year's copy is on the stick" || bad "stick holds $(ls "$STICK")"
press v KP/
expect v "Đã cắm USB" "home: still plugged in"

# Key 5 on NAME's console, then, as soon as the copy is under way (its
# folder on the stick, still marked unfinished), the station held still
# with SIGSTOP: on a fast machine a copy takes a fraction of a second, so
# the stick is looked at every few milliseconds from the key on, and the
# signal goes from this shell, not through a search of the processes.
# 1 when no copy came in 10 s.
NAP="$TMP/nap"
mkfifo "$NAP"
exec {nap}<>"$NAP"
copy_under_way() {
	local end=$((SECONDS + 10 * SCALE)) pid

	pid=$(pgrep -f "^([^ ]*(valgrind|qemu-[a-z0-9_]*-static)[^ ]* .*)?$BIN .*--db $DB( |\$)" | head -n 1)
	t send-keys -t "$1" KP5
	until compgen -G "$STICK/*_CHUA-XONG" >/dev/null; do
		[ "$SECONDS" -lt "$end" ] || return 1
		read -r -t 0.003 -u "$nap" || :
	done
	kill -STOP "$pid"
}

# Told to stop (as the service manager stops it) in the middle of a copy,
# with a pump running: a clean stop, the run closed, and nothing of the
# copy left that looks complete.
press v KP2 KP1 KP6 KP0 KPEnter KPEnter KPEnter
expect v "Bơm 1 đã chạy" "a pump runs before the next copy"
press v KP/
expect v "Đã cắm USB" "home, the stick still in"
copy_under_way v && ok "copying, when the station is told to stop" || bad "no copy under way: $(ls "$STICK")"
stop_station "$DB" TERM
stop_station "$DB" CONT
wait_for v "[exit "
expect v "[exit 0]" "stopped mid-copy: a clean stop"
left=$(ls "$STICK" | grep -vx "PT01_2026-06-02")
[ -z "$left" ] && ok "and only the finished copy is on the stick" || bad "stick holds $(ls "$STICK")"
r=$(sql "$DB" "SELECT ended IS NOT NULL, end_reason FROM pump_runs ORDER BY id DESC LIMIT 1")
[ "$r" = "1|shutdown" ] && ok "the pump's run ended with the stop ($r)" ||
	bad "runs: $(sql "$DB" "SELECT id, pump, started, ended, end_reason FROM pump_runs")"

# kill -9 in the middle of a copy, then start again: the half-written
# folder says it is unfinished, and the next copy clears it.
start t --config "$CFG" --db "$DB" --clock 2026-06-02T06:00 --clock-speed 60
expect t "Đã cắm USB" "started again, the stick seen"
copy_under_way t && ok "copying again" || bad "no copy under way: $(ls "$STICK")"
stop_station "$DB" KILL
wait_for t "[exit "
ls "$STICK" | grep -q "_CHUA-XONG$" && ok "killed mid-way: the folder is marked unfinished" ||
	bad "killed mid-way: stick holds $(ls "$STICK")"
start w --config "$CFG" --db "$DB" --clock 2026-06-02T08:00 --clock-speed 60
expect w "Đã cắm USB" "restarted: the stick is seen at once"
press w KP5
expect w "Có thể rút USB ra." "copied after the restart" 60
[ -z "$(ls "$STICK" | grep "_CHUA-XONG$")" ] && ok "the unfinished folder is gone" ||
	bad "stick holds $(ls "$STICK")"
stop_station "$DB" TERM
wait_for w "[exit 0]"
umount "$STICK"

# scripts/fieldstation-stick, as mdev would run it, on an ext4 "stick" on
# a loop device: mounted under the station's usb_mount, then removed.
truncate -s 64M "$TMP/stick.img"
mkfs.ext4 -q -F "$TMP/stick.img"
LOOP=$(losetup -f --show "$TMP/stick.img")
start x --config "$CFG" --db "$DB" --clock 2026-06-02T12:00 --clock-speed 60
expect x "5 Chép ra USB" "started for the mount script"
if [ -n "$LOOP" ] && FIELDSTATION_MEDIA="$STICK" ACTION=add MDEV="${LOOP#/dev/}" \
	"$TOP/scripts/fieldstation-stick"; then
	expect x "Đã cắm USB" "fieldstation-stick add: mounted, and seen"
	# Nothing on it runs or counts as a device, and no link on it is followed.
	opts=$(awk -v m="$STICK/usb-${LOOP#/dev/}" '$5 == m { print $6 }' /proc/self/mountinfo)
	missing=
	for o in nosuid nodev noexec nosymfollow; do
		case ",$opts," in *",$o,"*) ;; *) missing="$missing $o" ;; esac
	done
	[ -z "$missing" ] && ok "mounted $opts" || bad "mounted $opts, without$missing"
	press x KP5
	expect x "Có thể rút USB ra." "copied to the ext4 stick" 60
	FIELDSTATION_MEDIA="$STICK" "$TOP/scripts/fieldstation-stick" remove "$LOOP"
	expect x "Hãy cắm USB vào trạm." "fieldstation-stick remove: unmounted, and seen"
	grep -q " $STICK/usb-" /proc/self/mountinfo && bad "still mounted" || ok "nothing left mounted"
else
	bad "fieldstation-stick add $LOOP failed"
fi
[ -n "$LOOP" ] && losetup -d "$LOOP"
FIELDSTATION_MEDIA="$STICK" "$TOP/scripts/fieldstation-stick" add nothing-here 2>/dev/null
[ $? = 1 ] && ok "fieldstation-stick: no device, exit 1" || bad "fieldstation-stick on nothing"
stop_station "$DB" TERM
wait_for x "[exit 0]"
finish
