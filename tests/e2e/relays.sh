#!/bin/bash
# The commands around GPIO relays: relays-off (what the service manager
# runs after the station's process ends), pump-test (a technician's check
# of one pump's wiring), and the station's refusal to start on relays it
# cannot drive. This machine has no GPIO chip: real lines are proven in
# the emulated-hardware rig; here every refusal is checked for its words.
. "$(dirname "$0")/lib.sh"

CFG="$TOP/config/demo.ini"
# Both pumps on GPIO, on a chip this machine does not have.
sed 's/^driver = sim  *; gpiod | sim$/driver = gpiod/; /^\[pump.p2\]/,/^$/s/^driver = sim$/driver = gpiod/' \
	"$CFG" >"$TMP/gpio.ini"
[ "$(grep -c '^driver = gpiod' "$TMP/gpio.ini")" = 2 ] && ok "a configuration with two GPIO pumps" ||
	bad "test config: $(grep -n driver "$TMP/gpio.ini")"

out=$("$BIN" --config "$CFG" relays-off 2>&1)
rc=$?
[ $rc = 0 ] && [ "$out" = "Không bơm nào dùng rơ-le GPIO: không có gì để tắt." ] &&
	ok "relays-off with simulated pumps: nothing to do, exit 0" || bad "relays-off sim: rc=$rc $out"

out=$("$BIN" --config "$TMP/gpio.ini" relays-off 2>&1)
rc=$?
[ $rc = 1 ] && ok "relays-off on a missing chip: exit 1" || bad "relays-off rc=$rc"
echo "$out" | grep -qxF 'Bơm 1 (gpiochip0 chân 17, kích mức thấp): CHƯA tắt được: Không có chip GPIO "gpiochip0" trên bo mạch này (lệnh gpiodetect liệt kê các chip).' &&
	ok "relays-off names the pump, its wiring and the missing chip" || bad "relays-off p1: $out"
echo "$out" | grep -q '^Bơm 2 (gpiochip0 chân 27, kích mức thấp): CHƯA tắt được' &&
	ok "relays-off goes on to the next pump after a failure" || bad "relays-off p2: $out"
out=$("$BIN" --config "$TMP/gpio.ini" --lang en relays-off 2>&1)
echo "$out" | grep -q '^Bơm 1 (gpiochip0 line 17, active low): NOT switched off: There is no GPIO chip "gpiochip0"' &&
	ok "relays-off in English" || bad "relays-off en: $out"

# pump-test: a pump, and a few seconds.
out=$("$BIN" --config "$CFG" pump-test 2>&1)
[ $? = 2 ] && echo "$out" | grep -qF "pump-test cần tên một bơm" && ok "pump-test without a pump: exit 2" || bad "pump-test no args: $out"
out=$("$BIN" --config "$CFG" pump-test p9 2>&1)
[ $? = 1 ] && echo "$out" | grep -qF "Không có mục [pump.p9] trong $CFG." && ok "pump-test of a pump not configured" || bad "pump-test p9: $out"
out=$("$BIN" --config "$CFG" pump-test p1 2>&1)
[ $? = 1 ] && [ "$out" = "Bơm 1 là bơm mô phỏng: không có rơ-le để thử." ] && ok "pump-test of a simulated pump" || bad "pump-test sim: $out"
for s in 0 301 abc 1.5; do
	out=$("$BIN" --config "$TMP/gpio.ini" pump-test p1 "$s" 2>&1)
	[ $? = 1 ] && echo "$out" | grep -qF "Thử từ 1 đến 300 giây, không phải \"$s\"." && ok "pump-test refuses $s seconds" || bad "pump-test $s: $out"
done
out=$("$BIN" --config "$TMP/gpio.ini" pump-test p1 3 2>&1)
[ $? = 1 ] && echo "$out" | grep -qF 'Bơm 1 (gpiochip0 chân 17, kích mức thấp): Không có chip GPIO "gpiochip0"' &&
	ok "pump-test on a missing chip says so" || bad "pump-test missing chip: $out"

# Two pumps on one line would switch each other.
sed '/^\[pump.p2\]/,/^$/s/^line = 27$/line = 17/' "$TMP/gpio.ini" >"$TMP/same.ini"
line=$(grep -n '^\[pump.p2\]' "$TMP/same.ini" | cut -d: -f1)
out=$("$BIN" --config "$TMP/same.ini" check 2>&1)
[ $? = 1 ] && echo "$out" | grep -qF "dòng $line: [pump.p2]: chân 17 của gpiochip0 đã là rơ-le của [pump.p1]" &&
	ok "two pumps on one GPIO line are refused" || bad "same line: $out"

# Relays it cannot drive leave those pumps unavailable, each with its
# sentence; the console, the records and the sensors go on.
start gpio --config "$TMP/gpio.ini" --db "$TMP/gpio.db" "2>$TMP/gpio.err"
expect gpio "1 Độ ẩm đất" "the station starts without its relays"
expect_words gpio '9 Báo động (2): Bơm 2 không dùng được' "each is an alarm on the home screen"
expect gpio "6 Cài đặt" "and the whole menu is still there"
press gpio KP9
expect_words gpio 'Bơm 2 không dùng được: Không có chip GPIO "gpiochip0" trên bo mạch này' \
	"9 says which pump cannot be used, and why"
press gpio KP0
grep -qxF 'Bơm 2 không dùng được: Không có chip GPIO "gpiochip0" trên bo mạch này (lệnh gpiodetect liệt kê các chip).' \
	"$TMP/gpio.err" && ok "and a sentence for the journal (standard error)" || bad "stderr: $(cat "$TMP/gpio.err")"
press gpio KP2
expect_line gpio "^ *1 Bơm 1 +không dùng được *$" "the pumps screen marks pump 1 unavailable, on its row"
expect_line gpio "^ *2 Bơm 2 +không dùng được *$" "and pump 2"
press gpio KP1
expect_words gpio 'Bơm 1 không dùng được: Không có chip GPIO "gpiochip0"' "a pump that cannot be used is refused in one sentence"
expect_not gpio "Chạy bao nhiêu phút?" "and no run is asked for"
press gpio KP/
expect gpio "1 Độ ẩm đất" "the rest of the station works"
stop_station "$TMP/gpio.db" TERM
expect gpio "[exit 0]" "SIGTERM ends it cleanly"

# Injectors on GPIO: relays-off drives them off first, before the pumps,
# so that no product goes into a line whose water stops; one that cannot
# be set up is an alarm, and its pump still waters.
sed -e '/^\[injector.cham[12]\]/,/^$/s/^driver = sim$/driver = gpiod/' \
	-e '/^\[pump.p1\]/,/^$/s/^driver = sim$/driver = gpiod/' \
	-e '/^\[meter.m1\]/,/^$/s/^driver = sim$/driver = gpiod/' \
	"$TOP/config/pepper.ini" >"$TMP/inj.ini"
out=$("$BIN" --config "$TMP/inj.ini" relays-off 2>&1)
rc=$?
first=$(echo "$out" | head -n 2 | cut -d'(' -f1 | tr '\n' '|')
[ $rc = 1 ] && [ "$first" = "Bơm châm phân |Bơm châm thuốc |" ] &&
	echo "$out" | sed -n 3p | grep -q '^Bơm giếng (gpiochip0 chân 17, kích mức thấp): CHƯA tắt được' &&
	ok "relays-off: the injectors first, then the pump" || bad "relays-off injectors: rc=$rc $out"
sed -i -e '/^\[pump.p1\]/,/^$/s/^driver = gpiod$/driver = sim/' \
	-e '/^\[meter.m1\]/,/^$/s/^driver = gpiod$/driver = sim/' "$TMP/inj.ini"
start inj --config "$TMP/inj.ini" --db "$TMP/inj.db" --clock 2026-06-02T07:00 "2>$TMP/inj.err"
expect inj "1 Độ ẩm đất" "a station whose injectors cannot be set up starts"
expect_words inj 'Bơm châm phân không dùng được: Không có chip GPIO "gpiochip0"' \
	"the screen says which injector cannot be used"
press inj KP9
expect_words inj "Bơm vẫn tưới nước thường; không châm qua nó được" "its alarm says the pump still waters"
press inj KP/ KP2 KP1 KP2
expect_words inj "1 [ ] Bơm châm phân: không dùng được" "the dose offers it as unavailable"
press inj KP1
expect_words inj 'Bơm châm phân không dùng được: Không có chip GPIO "gpiochip0"' "and refuses it in words"
press inj KP0 KP1 KPEnter KPEnter KPEnter
expect inj "Bơm giếng đã chạy" "the pump waters plain water"
stop_station "$TMP/inj.db" TERM
expect inj "[exit 0]" "SIGTERM ends it cleanly"

# Relays go off before the database is opened: a station killed with both
# pumps on, started again on a database it cannot open, switches them off.
mkdir -p "$TMP/relays"
echo 1 >"$TMP/relays/p1"
echo 1 >"$TMP/relays/p2"
echo "not a database" >"$TMP/junk.db"
start junk --config "$CFG" --db "$TMP/junk.db" --sim-relays "$TMP/relays"
if wait_for junk "[exit 1]" 10 && screen junk | grep -qF "$TMP/junk.db" &&
	[ "$(cat "$TMP/relays/p1" "$TMP/relays/p2" | tr -d '\n')" = 00 ]; then
	ok "relays off before the database: a database that cannot be opened leaves no pump on"
else
	bad "relays and a database that cannot be opened: p1=$(cat "$TMP/relays/p1") p2=$(cat "$TMP/relays/p2")" junk
fi

# The service unit: relays off before the start and after the end, by
# the command above, from the same configuration.
UNIT="$TOP/scripts/fieldstation.service"
# A relay board that is not there makes relays-off fail: "-" keeps that
# from failing the unit (the station starts, those pumps unavailable).
grep -qx 'ExecStopPost=-/usr/bin/fieldstation --config /etc/fieldstation/fieldstation.ini relays-off' "$UNIT" &&
	ok "the unit drives relays off after the process ends" || bad "unit ExecStopPost"
grep -qx 'ExecStartPre=-/usr/bin/fieldstation --config /etc/fieldstation/fieldstation.ini relays-off' "$UNIT" &&
	ok "and before it starts" || bad "unit ExecStartPre"
grep -qx 'ExecStart=/usr/bin/fieldstation --service --config /etc/fieldstation/fieldstation.ini' "$UNIT" &&
	ok "the station runs as the service (notifications, the watchdog, faults on the screen)" ||
	bad "unit ExecStart"
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$TMP/unit"
	sed "s|/usr/bin/fieldstation|$BIN|" "$UNIT" >"$TMP/unit/fieldstation.service"
	out=$(systemd-analyze verify "$TMP/unit/fieldstation.service" 2>&1)
	[ -z "$out" ] && ok "systemd-analyze verify finds nothing wrong in the unit" || bad "unit: $out"
else
	echo "SKIP (part) relays.sh: systemd-analyze is not installed, the unit's syntax is not checked"
fi

finish
