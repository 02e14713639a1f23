#!/bin/bash
# A new version and new settings from the office, on a stick, at the
# console as a leader meets them: the home screen says what the stick
# brings (8), a good version and good settings are offered with what they
# do and what would change, in words, behind the manager's PIN, and handed
# to the installer (the request and the checked files in the station's
# folder, the pumps stopped); an unsigned package, an older version, one
# for another board, a package changed after it was signed, settings with
# a mistake or for another station are each refused in one sentence; the
# installer's word is said once, and a version it took back is an alarm.
# The installer itself (root, dpkg, systemd) is tests/test_updater.c and
# the emulated-hardware rig's; here a test plays its answers. Sticks are
# tmpfs mounts in a private mount namespace, so it needs root.
if [ "$(id -u)" != 0 ]; then
	echo "SKIPPED: $0 mounts test sticks and needs root (CI runs it as root)"
	exit 77
fi
if [ -z "${FS_PRIVATE_MOUNTS:-}" ]; then
	exec env FS_PRIVATE_MOUNTS=1 unshare -m --propagation private bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
CHECK="$(dirname "$BIN")/tests/screencheck"
command -v dpkg-deb >/dev/null || { echo "SKIPPED: no dpkg-deb here"; exit 77; }

DB="$TMP/station.db"
STICK="$TMP/stick"
NEXT="$TMP/next"
CFG="$TMP/farm.ini"
UPDATER="$TMP/updater"
HANDOVER="$TMP/update"
mkdir -p "$STICK" "$NEXT" "$UPDATER"
sed "s|^code = PT01 .*|&\nusb_mount = $STICK|" "$TOP/config/demo.ini" >"$CFG"
# The office's key; the station is given its public half.
fs() { $EMU "$BIN" --lang en "$@"; }
fs release-key new "$TMP/office.key" >/dev/null || { bad "release-key new"; finish; exit 1; }
export FIELDSTATION_RELEASE_KEY=$TMP/office.key.pub
export FIELDSTATION_OFFICE_KEY=$TMP/none.pub
export FIELDSTATION_UPDATER_DIR=$UPDATER
running=$($EMU "$BIN" --version | cut -d' ' -f2)
# The station's board, as dpkg names it (make e2e ARCH=... runs another's).
case $(LC_ALL=C readelf -h "$BIN" | sed -n 's/^ *Machine: *//p') in
*AArch64*) arch=arm64 ;;
ARM) arch=armhf ;;
*) arch=$(dpkg --print-architecture) ;;
esac

# deb VERSION ARCH: a package of the station's name, version and board.
deb() {
	local d="$TMP/pkg-$1-$2"
	mkdir -p "$d/DEBIAN" "$d/usr/bin"
	printf 'Package: fieldstation\nVersion: %s\nArchitecture: %s\nMaintainer: t <t@t>\nDescription: t\n' \
		"$1" "$2" >"$d/DEBIAN/control"
	echo "$1" >"$d/usr/bin/fieldstation"
	dpkg-deb -Zgzip --root-owner-group -b "$d" "$TMP/fieldstation_$1_$2.deb" >/dev/null
	echo "$TMP/fieldstation_$1_$2.deb"
}
# fresh: an empty stick at $NEXT, for the office to write to; plug: it
# goes into the station whole, as a stick from the office does.
fresh() {
	umount "$NEXT" 2>/dev/null
	mount -t tmpfs -o size=16m stick "$NEXT"
}
plug() {
	umount "$STICK" 2>/dev/null
	mount --move "$NEXT" "$STICK"
}
unplug() { umount "$STICK"; }
# checked NAME COLS ROWS WHAT: the screen, once drawn at that size (a
# resized terminal shows what it held, cut, until the station draws
# again), is whole, inside its border, with its keys.
fits() { screen "$1" | "$CHECK" "$2" "$3" >/dev/null; }
checked() {
	if until_true 5 fits "$1" "$2" "$3"; then
		ok "$4: whole, inside its border, with its keys"
	else
		bad "$4: $(screen "$1" | "$CHECK" "$2" "$3")" "$1"
	fi
}

start o --service --config "$CFG" --db "$DB" --clock 2026-06-01T05:00
expect o "5 Chép ra USB" "home screen"
[ -f "$HANDOVER/home" ] && [ "$(cut -d' ' -f1 "$HANDOVER/home")" -gt 0 ] &&
	ok "the station marked that it reached its home screen (update/home: $(cut -d' ' -f1 "$HANDOVER/home"))" ||
	bad "no update/home mark" "$(ls -la "$HANDOVER" 2>&1)"

# Nothing on a stick yet: Settings, 7 says which version runs and which key.
press o KP6 KP1 KP2 KP3 KP4 KPEnter KP1 KP2 KP3 KP4 KPEnter
expect o "7 Từ văn phòng (USB)" "Settings lists what comes from the office"
press o KP7
expect_words o "Cắm USB của văn phòng vào trạm" "no stick: it says to plug in the office's stick"
fp=$(sed -n 's/^public: //p' "$TMP/office.key.pub")
expect_words o "Đang chạy bản $running ($arch)" "and which version runs, for which board"
expect_words o "khóa phát hành" "and the key it takes them from"
press o KP/

# A good new version.
fresh
fs publish-update "$(deb 9.9.9 "$arch")" --to "$NEXT" --key "$TMP/office.key" >/dev/null ||
	bad "publish-update"
plug
expect o "Có bản mới 9.9.9 — 8 để cài" "home: \"Có bản mới 9.9.9 — 8 để cài\" once the stick is in"
# A pump runs: installing stops it.
press o KP2 KP1 KP6 KP0 KPEnter KPEnter KPEnter
expect o "Bơm 1 đã chạy" "a pump started"
press o KP/
press o KP8
expect_words o "1 Cài bản mới 9.9.9 (đang chạy $running)" "8: the version offered, and the one running"
press o KP1
expect_words o "sao lưu dữ liệu, cài bản 9.9.9 và tự khởi động lại" "1: what installing does"
expect_words o "tự trở về bản $running" "and that it comes back by itself"
expect_words o "1 bơm đang chạy: sẽ được tắt" "and that the running pump will be stopped"
expect o "Enter: cài (mã PIN quản lý)" "Enter installs, with the PIN"
t resize-window -t o -x 40 -y 12
checked o 40 12 "the version's question at 40x12"
t resize-window -t o -x 50 -y 15
press o KPEnter
expect o "Mã PIN quản lý:" "Enter: the manager's PIN"
press o KP1 KP2 KP3 KP5 KPEnter
expect_words o "Sai mã PIN: còn 4 lần thử" "a wrong PIN is refused, with the tries left"
[ ! -e "$HANDOVER/request" ] && ok "and nothing is handed over" || bad "a request after a wrong PIN"
press o KP1 KP2 KP3 KP4 KPEnter
expect_words o "Đang cài bản 9.9.9" "the right PIN: installing"
expect_words o "Đừng tắt điện" "and not to switch the power off"
grep -qx 'what: update' "$HANDOVER/request" &&
	grep -qx "boot: $(cat /proc/sys/kernel/random/boot_id)" "$HANDOVER/request" &&
	ok "the request for the installer: an update, of this boot" || bad "request: $(cat "$HANDOVER/request" 2>&1)"
cmp -s "$HANDOVER/fieldstation.deb" "$STICK/fieldstation-update/fieldstation_9.9.9_$arch.deb" &&
	cmp -s "$HANDOVER/fieldstation.update" "$STICK/fieldstation-update/fieldstation_9.9.9_$arch.update" &&
	ok "the package and its signed description copied whole to the card" ||
	bad "staged files: $(ls -la "$HANDOVER")"
[ "$(sql "$DB" "SELECT count(*) FROM pump_runs WHERE ended IS NULL")" = 0 ] &&
	[ "$(sql "$DB" "SELECT end_reason FROM pump_runs ORDER BY id DESC LIMIT 1")" = shutdown ] &&
	ok "the pump was stopped before it was handed over (end_reason shutdown)" ||
	bad "runs: $(sql "$DB" "SELECT id, ended, end_reason FROM pump_runs")"
checked o 50 15 "the installing screen at 50x15"

# The installer refuses it (it checks again, as root): the screen says why.
printf 'id: t-1\nwhat: update\noutcome: refused\nwhy: older\nfrom: %s\nto: 9.9.9\ndetail: \nwhen: 1780000000\n' \
	"$running" >"$UPDATER/result.tmp" && mv "$UPDATER/result.tmp" "$UPDATER/result"
expect_words o "Bộ cài không cài bản 9.9.9: không mới hơn cái trạm đang có. Không có gì thay đổi." \
	"the installer's refusal, in one sentence"
press o KP/

# What must not be offered, each with its sentence on screen 8.
refused() {
	local what=$1 want=$2
	expect o "USB không dùng được — 8 xem vì sao" "$what: not offered; home says 8 tells why"
	press o KP8
	expect_words o "$want" "$what: $want"
	press o KP/
	# Pulled out, and seen so, before the next stick: else the next
	# check could read this one's refusal.
	unplug
	until_true 10 eval '! on_screen o "USB không dùng được"' ||
		bad "$what: the refusal stays once the stick is pulled out" o
}
fresh
mkdir "$NEXT/fieldstation-update" && cp "$(deb 9.9.9 "$arch")" "$NEXT/fieldstation-update/"
plug
refused "an unsigned package" "Gói trên USB không có tệp mô tả có chữ ký: không cài."
fresh
fs publish-update "$(deb 0.0.9 "$arch")" --to "$NEXT" --key "$TMP/office.key" >/dev/null
plug
refused "an older version" "Bản 0.0.9 trên USB cũ hơn bản đang chạy ($running): không cài."
other=arm64
[ "$arch" = arm64 ] && other=armhf
fresh
fs publish-update "$(deb 9.9.9 $other)" --to "$NEXT" --key "$TMP/office.key" >/dev/null
plug
refused "another board's" "Bản 9.9.9 trên USB dành cho bo mạch $other; trạm này là $arch: không cài."
fresh
fs publish-update "$(deb 9.9.9 "$arch")" --to "$NEXT" --key "$TMP/office.key" >/dev/null
printf 'X' | dd of="$NEXT/fieldstation-update/fieldstation_9.9.9_$arch.deb" bs=1 seek=200 conv=notrunc 2>/dev/null
plug
refused "a package changed after it was signed" \
	"Không cài được bản 9.9.9 trên USB: tệp của nó không giống tệp đã ký: bị hỏng hoặc bị sửa."
fs release-key new "$TMP/stranger.key" >/dev/null
fresh
fs publish-update "$(deb 9.9.9 "$arch")" --to "$NEXT" --key "$TMP/stranger.key" >/dev/null
plug
refused "a package signed by another key" "không được ký bằng khóa phát hành của hợp tác xã"
expect o "5 Chép ra USB" "the home screen, the stick pulled out"
expect_not o "— 8" "the stick gone: nothing about it on the home screen"

# New settings: a pump's power, a new zone with its own pump.
sed -e 's/^power_kw = 1.5$/power_kw = 2.2/' "$CFG" >"$TMP/new.ini"
cat >>"$TMP/new.ini" <<'INI'

[zone.sr]
name = Sầu riêng
pump = p3

[pump.p3]
name = Bơm giếng
driver = sim
power_kw = 3
INI
grep -q '^power_kw = 2.2$' "$TMP/new.ini" || bad "the new settings lack the new power"
fresh
fs publish-settings "$TMP/new.ini" --to "$NEXT" --key "$TMP/office.key" >/dev/null || bad "publish-settings"
plug
expect o "Có cấu hình mới — 8 để xem" "home: new settings — 8"
press o KP8
expect_words o "1 Cấu hình mới: 3 thay đổi" "8: the settings, with how many changes"
press o KP1
expect_words o "Bơm 1: công suất (kW) 1.5 → 2.2" "what changes, in words: the pump's power"
expect_words o "Thêm khu tưới: Sầu riêng" "a new zone, by its name"
expect_words o "Thêm máy bơm: Bơm giếng" "a new pump, by its name"
expect o "Enter: dùng (mã PIN quản lý)" "Enter uses them, with the PIN"
t resize-window -t o -x 40 -y 12
checked o 40 12 "the settings' changes at 40x12"
t resize-window -t o -x 50 -y 15
press o KPEnter KP1 KP2 KP3 KP4 KPEnter
expect_words o "Đang đổi sang cấu hình mới" "the PIN: the settings handed over"
grep -qx 'what: settings' "$HANDOVER/request" && cmp -s "$HANDOVER/settings.ini" "$TMP/new.ini" &&
	ok "the request and the checked file, as signed, on the card" || bad "settings request: $(ls -la "$HANDOVER")"
press o KP/

# Settings with a mistake `check` finds: refused with the line and key.
sed -e 's/^max_minutes = 90$/max_minutes = 9x/' "$CFG" >"$TMP/bad.ini"
grep -q '^max_minutes = 9x$' "$TMP/bad.ini" || bad "no mistake made in bad.ini"
fs publish-settings "$TMP/bad.ini" --to "$STICK" --key "$TMP/office.key" 2>"$TMP/err" &&
	bad "publish-settings signed a file with a mistake" ||
	ok "the office's publish-settings refuses it: $(cat "$TMP/err")"

# The installer's word once the station is back: installed, or taken back.
unplug
stop_station "$DB" TERM
wait_for o "[exit 0]"
printf 'id: t-2\nwhat: update\noutcome: installed\nwhy: \nfrom: 0.0.1\nto: %s\ndetail: \nwhen: 1780000000\n' \
	"$running" >"$UPDATER/result"
start p --service --config "$CFG" --db "$DB" --clock 2026-06-01T06:00
expect p "Đã cài bản mới $running (trước là 0.0.1)." "started again: the installer's word, once"
[ "$(sql "$DB" "SELECT count(*) FROM events WHERE kind = 'installer' AND source = 'installed'")" = 1 ] &&
	ok "and kept in the event log" || bad "events: $(sql "$DB" "SELECT kind, source FROM events")"
printf 'id: t-3\nwhat: update\noutcome: rolled-back\nwhy: crashed\nfrom: %s\nto: 9.9.9\ndetail: \nwhen: 1780000100\n' \
	"$running" >"$UPDATER/result.tmp" && mv "$UPDATER/result.tmp" "$UPDATER/result"
expect_words p "9 Báo động (1): Bản 9.9.9" "a version taken back is an alarm on the home screen (whole, or in a few words where it does not fit)"
press p KP9
expect_words p "Bản 9.9.9 cứ khởi động là dừng: trạm đã trở về bản $running và dữ liệu như trước khi cài." "9: the whole sentence"
press p KP/
stop_station "$DB" TERM
wait_for p "[exit 0]"
start q --service --config "$CFG" --db "$DB" --clock 2026-06-01T07:00
expect q "5 Chép ra USB" "started again"
expect_not q "Đã cài bản mới" "the installer's word is not said twice" 2
stop_station "$DB" TERM
wait_for q "[exit 0]"

# Records a newer version changed the format of, which the installer then
# could not put back as they were: the version that came back cannot read
# them. It says to call the technician, and never to update to the
# version that failed. With any other word from the installer, or once
# the records the installer kept for the technician are gone (put back),
# it says what it always says of a newer database.
schema=$(sql "$DB" "PRAGMA user_version")
sql "$DB" "PRAGMA user_version = $((schema + 1))"
# newer NAME HOUR: the station started on it as the board's service.
newer() {
	start "$1" --service --config "$CFG" --db "$DB" --clock "2026-06-01T$2:00"
}
# gone NAME: stopped.
gone() {
	stop_station "$DB" TERM
	wait_for "$1" "[exit 0]"
}
# result ID FROM: the installer's word, an update from FROM that failed
# with the records not put back.
result() {
	printf 'id: %s\nwhat: update\noutcome: failed\nwhy: restore\nfrom: %s\nto: 9.9.10\ndetail: disk I/O error\nwhen: 1780000200\n' \
		"$1" "$2" >"$UPDATER/result.tmp" && mv "$UPDATER/result.tmp" "$UPDATER/result"
}
update_this="do bản fieldstation mới hơn tạo; hãy cập nhật bản này."
newer r 08
expect_words r "$update_this" "a newer database, the last update taken back whole: 'update this one'"
gone r
result t-4 "$running"
mkdir -p "$HANDOVER"
cp "$DB" "$HANDOVER/before-update.db"
newer s 09
expect_words s "Trạm đã trở về bản $running, nhưng không đưa lại được dữ liệu như trước khi cài (disk I/O error): hãy gọi kỹ thuật viên." \
	"records left newer by an update taken back: call the technician, in one sentence"
words_on_screen s "hãy cập nhật" && bad "and not 'update this one'" s || ok "and not 'update this one'"
# Editing the settings mends no records: the last line says what does.
expect_words s "Xử lý xong thì khởi động lại máy, trạm sẽ chạy lại." \
	"and, last, that the board is restarted once that is done"
words_on_screen s "được sửa xong" && bad "and not that the settings file is to be corrected" s ||
	ok "and not that the settings file is to be corrected"
gone s
result t-5 0.0.1
newer u 10
expect_words u "$update_this" "an update from another version that failed: 'update this one'"
gone u
result t-6 "$running"
rm "$HANDOVER/before-update.db"
newer v 11
expect_words v "$update_this" "the records the installer kept are gone (put back since): 'update this one'"
gone v
[ "$(sql "$DB" "PRAGMA user_version")" = $((schema + 1)) ] &&
	ok "the records are left as they are, for the technician" || bad "the database was changed"

umount "$STICK" "$NEXT" 2>/dev/null
finish
