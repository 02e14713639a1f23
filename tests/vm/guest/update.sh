# The guest half of the systemd scenario's updates, read by systemd.sh: a
# new version and new settings from the office's sticks (made and signed
# on the host by tests/vm/systemd.sh), seen on tty1 and chosen on the
# keypad as the farmer does, put in place by the package's own installer
# (fieldstation-update.service, started by its .path unit when the station
# writes its request) with the real dpkg under systemd 252. updates runs
# in the first boot and ends by asking the host to cut the power in the
# middle of dpkg; after_the_cut runs in the boot after, and ends with a cut
# in the new version's trial; after_the_second_cut in the third boot.

UPDATER=/var/lib/fieldstation-update
HANDOVER=/var/lib/fieldstation/update
RELAYS=/var/lib/fieldstation/relays
read -r running arch other </rig/versions
PIN="kp_1 kp_2 kp_3 kp_4 kp_enter"

installed() { dpkg-query -W -f '${db:Status-Abbrev}${Version}' fieldstation 2>/dev/null | tr -s ' '; }
field() { sed -n "s/^$1: //p" "$UPDATER/result" 2>/dev/null; }
installer() { systemctl show -p "$1" --value fieldstation-update.service; }
installer_done() { [ "$(installer ActiveState)" != activating ] && [ -s "$UPDATER/result" ] && [ "$(field id)" != "$1" ]; }
step() { sed -n 's/^state: //p' "$UPDATER/state" 2>/dev/null; }
mounted() { grep -q ' /media/usb-sda ' /proc/mounts; }
# The sentence the farmer reads, on tty1 within SECONDS.
see() {
	if wait_until "${3:-20}" on_tty1 "$1"; then
		ok "$2"
	else
		bad "$2: tty1 lacks \"$1\"" "$(tty1_text)"
	fi
}
plug() {
	host plug "$1"
	wait_until 20 mounted || bad "the stick $1 is not mounted at /media/usb-sda (the package's udev rule)"
}
pull() {
	host pull
	wait_until 20 eval '! mounted' || bad "the stick's mount stays once it is pulled out"
}
records() { sql "SELECT count(*) FROM pump_runs"; }
whole() { [ "$(sql 'PRAGMA integrity_check')" = ok ]; }
# ready_and_stays VERSION SECONDS: the service is active (READY=1, home
# screen) with VERSION installed, and the same process SECONDS later.
ready_and_stays() {
	local pid restarts
	wait_until 60 named || return 1
	pid=$(prop MainPID) restarts=$(prop NRestarts)
	sleep "$2"
	[ "$(installed)" = "ii $1" ] && active && named && [ "$(prop MainPID)" = "$pid" ] &&
		[ "$(prop NRestarts)" = "$restarts" ]
}
# accept VERSION: 8, 1, Enter and the manager's PIN, on the keypad.
accept() {
	host keys kp_8
	see "1 Cài bản mới $1 (đang chạy" "8 offers version $1 and names the one running"
	host keys kp_1
	see "Enter: cài (mã PIN quản lý)" "1 says what installing does; Enter installs, with the PIN"
	host keys kp_enter
	see "Mã PIN quản lý:" "Enter asks for the manager's PIN" 10
	host keys $PIN
	see "Đang cài bản $1" "the PIN: installing $1"
}

updates() {
	local before id t0 seen max n sentence line
	stamp "updates: the station runs $running"

	# The pumps' relays as the station drives them (a file each, 1 on,
	# 0 off: this machine has no GPIO chip), through the unit's own
	# command line in a drop-in, which an upgrade of the package keeps.
	mkdir -p /etc/systemd/system/fieldstation.service.d "$RELAYS"
	chown fieldstation:fieldstation "$RELAYS"
	printf '[Service]\nExecStart=\nExecStart=/usr/bin/fieldstation --service --config %s --sim-relays %s\n' \
		"$CONF" "$RELAYS" >/etc/systemd/system/fieldstation.service.d/relays.conf
	systemctl daemon-reload
	systemctl restart "$UNIT"
	wait_until 60 named || bad "the station did not start with its relays shown" "$(prop StatusText)"
	# The manager's PIN, set on the first visit to Settings.
	host keys kp_6 $PIN $PIN
	see "7 Từ văn phòng (USB)" "Settings, with the manager's PIN set: 7 Từ văn phòng (USB)"
	host keys kp_divide
	wait_until 10 on_tty1 " 1 Độ ẩm đất"

	# --- Not offered: each says why, and nothing is installed ---------------------
	for s in "unsigned|Gói trên USB không có tệp mô tả có chữ ký: không cài." \
		"older|Bản 0.0.9 trên USB cũ hơn bản đang chạy ($running): không cài." \
		"board|Bản 0.2.0 trên USB dành cho bo mạch $other; trạm này là $arch: không cài."; do
		plug "${s%%|*}"
		see "USB không dùng được — 8 xem vì sao" "the ${s%%|*} stick: not offered; home says 8 tells why"
		host keys kp_8
		see "${s#*|}" "8: ${s#*|}"
		[ "$(installed)" = "ii $running" ] && [ ! -e "$HANDOVER/request" ] &&
			[ ! -e "$UPDATER/result" ]
		so $? "nothing installed: dpkg has $(installed), no request, no word from the installer"
		host keys kp_divide
		pull
		wait_until 10 eval '! on_tty1 "USB không dùng được"' ||
			bad "the refusal stays on the home screen once the stick is out" "$(tty1_text)"
	done
	stamp "three sticks refused"

	# --- A version that stops at every start ---------------------------------------
	before=$(records)
	plug crash
	see "Có bản mới 0.3.0 — 8 để cài" "home: Có bản mới 0.3.0 — 8 để cài"
	accept 0.3.0
	pull
	t0=$(uptime_s)
	# The installer's steps and systemd's restart count, each change of
	# either as it happens (NRestarts moves at most once in RestartSec).
	trace= last=
	while ! installer_done ""; do
		n="$(step):$(prop NRestarts)"
		[ "$n" = "$last" ] || trace="$trace $n@$(awk "BEGIN { printf \"%.0f\", $(uptime_s) - $t0 }")s"
		last=$n
		awk "BEGIN { exit !($(uptime_s) - $t0 > 300) }" && break
	done
	took=$(awk "BEGIN { printf \"%.0f\", $(uptime_s) - $t0 }")
	[ "$(field outcome) $(field why)" = "rolled-back crashed" ]
	so $? "0.3.0 is taken back by itself, $took s after the PIN: $(field outcome), $(field why)" \
		"$(cat "$UPDATER/result" 2>&1; journalctl -u fieldstation-update -b --no-pager -o cat | tail -n 15)"
	# The trial gives up at the 3rd stop counted from where NRestarts
	# stood when it began (dpkg's postinst may have started the new
	# version already; systemd counts from 0 again only after a start
	# from stopped, which the trial takes as its lowest count seen). The
	# count it began from lies between the last one seen while dpkg
	# worked and the first seen in the trial; the count it gave up at is
	# the first seen once it went back (the service is stopped at once).
	at() { echo "$trace" | tr ' ' '\n' | grep "^$1:" | sed -n "$2" | cut -d: -f2 | cut -d@ -f1; }
	from_lo=$(at install '$p') from_hi=$(at trial 1p) gave_up=$(at rollback 1p)
	[ -n "$from_lo" ] && [ -n "$from_hi" ] && [ -n "$gave_up" ] &&
		[ $((gave_up - 3)) -ge "$from_lo" ] && [ $((gave_up - 3)) -le "$from_hi" ]
	so $? "its trial gave up on the 3rd stop systemd counted: NRestarts ${from_lo}…${from_hi} at its start, $gave_up at the end (steps:$trace)" \
		"$(journalctl -u fieldstation -b --no-pager -o cat | grep -E 'Scheduled restart|Main process exited' | tail -n 8)"
	ready_and_stays "$running" 5
	so $? "$running runs again: dpkg has $(installed), the service ready (READY=1) and the same process 5 s later"
	whole && [ "$(records)" = "$before" ] && ! grep -q damaged "$DB"
	so $? "the records as they were: whole, $before pump runs, the damage the broken version did gone"
	see "9 Báo động" "tty1's home screen has an alarm for it"
	host keys kp_9
	see "Bản 0.3.0 cứ khởi động là dừng: trạm đã trở về bản $running và dữ liệu như trước khi cài." \
		"9: Bản 0.3.0 cứ khởi động là dừng: trạm đã trở về bản $running …"
	host keys kp_divide
	stamp "the broken version taken back"

	# --- A good version, accepted while a pump runs ---------------------------------
	host keys kp_2 kp_2 kp_enter kp_1 kp_enter kp_divide
	wait_until 10 running 1 && [ "$(cat "$RELAYS/p2" 2>/dev/null)" = 1 ]
	so $? "pump 2 runs: its relay on ($RELAYS/p2: $(cat "$RELAYS/p2" 2>&1))"
	run=$(sql "SELECT id FROM pump_runs WHERE pump = 'p2' AND ended IS NULL")
	before=$(records)
	id=$(field id)
	plug good
	see "Có bản mới 0.2.0 — 8 để cài" "home: Có bản mới 0.2.0 — 8 để cài"
	host keys kp_8 kp_1
	see "1 bơm đang chạy: sẽ được tắt" "1 says the running pump will be stopped"
	host keys kp_enter $PIN
	see "Đang cài bản 0.2.0" "the PIN: installing 0.2.0"
	if wait_until 60 eval '[ "$(step)" = install ]'; then
		[ "$(cat "$RELAYS/p2")" = 0 ] && [ "$(prop ActiveState)" != active ]
		so $? "while dpkg installs, the station is stopped and pump 2's relay off ($RELAYS/p2: $(cat "$RELAYS/p2"))"
	else
		bad "the installer was never seen installing" "$(cat "$UPDATER/state" 2>&1)"
	fi
	pull
	wait_until 240 installer_done "$id"
	[ "$(field outcome)" = installed ] && [ "$(field from) $(field to)" = "$running 0.2.0" ]
	so $? "the installer (started by fieldstation-update.path): installed, $running → 0.2.0" \
		"$(cat "$UPDATER/result" 2>&1; journalctl -u fieldstation-update -b --no-pager -o cat | tail -n 15)"
	ready_and_stays 0.2.0 5
	so $? "0.2.0 runs: dpkg has $(installed), the service ready (READY=1, STATUS=$name), the same process 5 s later, no restart"
	[ "$(sql "SELECT end_reason FROM pump_runs WHERE id = ${run:-0}")" = shutdown ]
	so $? "the pump's run ended as the station stopped for the installer (end_reason $(sql "SELECT end_reason FROM pump_runs WHERE id = ${run:-0}"))"
	whole && [ "$(records)" = "$before" ]
	so $? "the records kept: whole, $before pump runs"
	see "Đã cài bản mới 0.2.0 (trước là $running)." "tty1 says it: Đã cài bản mới 0.2.0 (trước là $running)."
	stamp "0.2.0 installed"

	# --- Settings from the office: one with a mistake, then good ones ----------------
	cp "$CONF" /tmp/bad.ini
	sed -i '/^\[pump.p2\]/,/^\[/ s/^max_minutes = 60$/max_minutes = 6x/' /tmp/bad.ini
	line=$(grep -n '^max_minutes = 6x$' /tmp/bad.ini | cut -d: -f1)
	[ -n "$line" ] || bad "no mistake made in the settings"
	host settings_stick settings-bad "$(base64 -w0 /tmp/bad.ini)"
	plug settings-bad
	see "USB không dùng được — 8 xem vì sao" "settings signed with a mistake in them: not offered"
	host keys kp_8
	sentence="Cấu hình trên USB có lỗi: USB fieldstation-settings/PT01.ini, dòng $line: max_minutes"
	see "$sentence" "8 names the line and the key: $sentence …"
	cmp -s "$CONF" /tmp/bad.ini && bad "the settings with the mistake are in place"
	[ ! -e "$HANDOVER/request" ]
	so $? "nothing changed, nothing asked of the installer"
	host keys kp_divide
	pull
	stamp "settings with a mistake refused"
	cp "$CONF" /tmp/good.ini
	sed -i '/^\[pump.p2\]/,/^\[/ s/^power_kw = 0,75$/power_kw = 1,1/' /tmp/good.ini
	grep -q '^power_kw = 1,1$' /tmp/good.ini || bad "no change made in the settings"
	host settings_stick settings-good "$(base64 -w0 /tmp/good.ini)"
	id=$(field id)
	plug settings-good
	see "Có cấu hình mới — 8 để xem" "good settings: Có cấu hình mới — 8 để xem"
	host keys kp_8 kp_1
	see "Bơm 2: công suất (kW)" "1 shows the change in words: Bơm 2: công suất (kW) …"
	host keys kp_enter
	see "Mã PIN quản lý:" "Enter asks for the manager's PIN" 10
	host keys $PIN
	see "Đang đổi sang cấu hình mới" "the PIN: the new settings go in"
	pull
	wait_until 120 installer_done "$id"
	[ "$(field what) $(field outcome)" = "settings installed" ] && cmp -s "$CONF" /tmp/good.ini
	so $? "the installer put them in place: $(field what) $(field outcome)" "$(cat "$UPDATER/result" 2>&1)"
	kept=$(ls "$CONF".old-* 2>/dev/null | head -n 1)
	[ -n "$kept" ] && ! grep -q '^power_kw = 1,1$' "$kept"
	so $? "the old ones are kept: $kept"
	ready_and_stays 0.2.0 3
	so $? "the station runs with them: ready, and stays"
	# (The file's name may break at its "-" on the screen.)
	see "Đã dùng cấu hình mới; cấu hình cũ được giữ ở ${kept%-*}-" "tty1 says it: Đã dùng cấu hình mới; cấu hình cũ được giữ ở $kept."
	stamp "settings changed"

	# --- The power cut in the middle of dpkg -----------------------------------------
	before=$(records)
	id=$(field id)
	plug cut
	see "Có bản mới 0.4.0 — 8 để cài" "home: Có bản mới 0.4.0 — 8 để cài"
	host keys kp_8 kp_1 kp_enter $PIN
	see "Đang cài bản 0.4.0" "the PIN: installing 0.4.0"
	if wait_until 120 eval '[ "$(step)" = install ] && pgrep -x dpkg >/dev/null'; then
		sleep 1
		# Everything the installer runs, frozen where it is, then the power.
		systemctl kill -s STOP fieldstation-update.service
		stamp "the power goes 1 s into dpkg (dpkg has $(installed))"
		# What to compare with after the cut goes to the host, which
		# gives it back on the next boot's command line (a file here
		# would go with the page cache, unless synced with the rest).
		host powercut "$before" "$(installed | tr ' ' _)" "$id"
		sleep 60
	fi
	bad "the installer was never seen running dpkg for 0.4.0" "$(cat "$UPDATER/state" 2>&1)"
}

# The note the boot before gave the host: rignote=A,B,C.
note() { sed -n 's/.*rignote=\([^ ]*\).*/\1/p' /proc/cmdline; }
# The installer's run at this boot has left a result other than id.
boot_run_done() { wait_until 240 installer_done "$1"; }

# The boot after the cut in dpkg: the installer's run at boot finishes
# what the cut left, and the station starts, old or new, never neither.
# Then the power goes again, in the trial of the same new version.
after_the_cut() {
	local before cut id
	IFS=, read -r before cut id <<NOTE
$(note)
NOTE
	stamp "the power is back; dpkg had $cut when it went"
	boot_run_done "$id"
	[ "$(field outcome) $(field why)" = "rolled-back power-cut" ] && [ "$(installed)" = "ii 0.2.0" ]
	so $? "fieldstation-update.service at boot went back: $(field outcome), $(field why); dpkg has $(installed)" \
		"$(cat "$UPDATER/result" 2>&1; journalctl -u fieldstation-update -b --no-pager -o cat | tail -n 15)"
	ready_and_stays 0.2.0 5
	so $? "0.2.0 runs: ready (READY=1) and the same process 5 s later"
	whole && [ "$(records)" = "$before" ]
	so $? "the records as before: whole, $before pump runs"
	see "Mất điện khi đang cài bản 0.4.0: trạm đã trở về bản 0.2.0" "tty1 says it: Mất điện khi đang cài bản 0.4.0: trạm đã trở về bản 0.2.0 …"
	v=$(dpkg --verify fieldstation 2>&1 | grep -v ' c /etc/')
	[ -z "$v" ]
	so $? "dpkg --verify: every file of 0.2.0 as dpkg lists it" "$v"
	stamp "back after the cut"

	# --- The power cut in the trial: dpkg done, the new version starting ----------------
	id=$(field id)
	host keys kp_divide
	plug cut
	see "Có bản mới 0.4.0 — 8 để cài" "0.4.0 offered again"
	host keys kp_8 kp_1 kp_enter $PIN
	see "Đang cài bản 0.4.0" "the PIN: installing 0.4.0 again"
	if wait_until 180 eval '[ "$(step)" = trial ]'; then
		systemctl kill -s STOP fieldstation-update.service fieldstation.service
		stamp "the power goes in the trial (dpkg has $(installed))"
		host powercut "$(records)" "$(installed | tr ' ' _)" "$id"
		sleep 60
	fi
	bad "the installer was never seen in the trial of 0.4.0" "$(cat "$UPDATER/state" 2>&1)"
}

# The boot after the cut in the trial: the installer's run at boot tries
# the new version again, which starts, and keeps it.
after_the_second_cut() {
	local before cut id
	IFS=, read -r before cut id <<NOTE
$(note)
NOTE
	stamp "the power is back; it went in the trial, dpkg had $cut"
	boot_run_done "$id"
	[ "$(field outcome) $(field from) $(field to)" = "installed 0.2.0 0.4.0" ] && [ "$(installed)" = "ii 0.4.0" ]
	so $? "fieldstation-update.service at boot went on with the trial: $(field outcome), $(field from) → $(field to); dpkg has $(installed)" \
		"$(cat "$UPDATER/result" 2>&1; journalctl -u fieldstation-update -b --no-pager -o cat | tail -n 15)"
	ready_and_stays 0.4.0 5
	so $? "0.4.0 runs: ready (READY=1) and the same process 5 s later"
	whole && [ "$(records)" = "$before" ]
	so $? "the records as before: whole, $before pump runs"
	see "Đã cài bản mới 0.4.0 (trước là 0.2.0)." "tty1 says it: Đã cài bản mới 0.4.0 (trước là 0.2.0)."
	stamp "0.4.0 installed after the cut"
}
