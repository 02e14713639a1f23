#!/bin/bash
# A new version from a stick, put in place by the package's own installer
# (/usr/lib/fieldstation/fieldstation-update, as root) with the real dpkg,
# in the bookworm chroot of tests/deb-install.sh (build-deb-rootfs/, made
# by debootstrap the first time). No service manager runs in a chroot: a
# stand-in systemctl (below) starts the unit's own ExecStart as its user on
# a terminal, starts it again when it ends (Restart=always) and counts
# those restarts; that a version reached its home screen is the station's
# own mark (update/home). Checked, each from what dpkg and the records
# show: a version that stops at every start and damages the records (the
# version before, made again into a package, and the records as they were
# come back by themselves), a good update, a downgrade and another board's
# package refused by the installer itself, a power cut in the middle of
# dpkg (the next run at boot goes back), new settings, another station's,
# and settings the station cannot start with (taken back), the station's
# user left owning its records.
#   tests/deb-update.sh build-deb-amd64/fieldstation_0.1.0_amd64.deb
set -u
DEB=$(realpath "${1:?usage: tests/deb-update.sh PACKAGE.deb}")
. "$(dirname "$0")/lib-chroot.sh"
chroot_base sqlite3
root=$(mktemp -d /tmp/fs-deb-update.XXXXXX)
cleanup() {
	chroot "$root" systemctl stop fieldstation.service >/dev/null 2>&1
	umount "$root/dev/pts" "$root/proc" 2>/dev/null
	rm -rf "$root"
}
trap cleanup EXIT
cp -a "$base/." "$root/"
mount -t proc proc "$root/proc"
mkdir -p "$root/dev/pts"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$root/dev/pts"
rm -f "$root/dev/ptmx" && ln -s pts/ptmx "$root/dev/ptmx"
in_root() { chroot "$root" env LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
cp "$DEB" "$root/tmp/"
pkg=/tmp/$(basename "$DEB")
version=$(dpkg-deb -f "$DEB" Version)

in_root apt-get update -qq >/dev/null 2>&1
out=$(in_root apt-get install -y -qq --no-install-recommends -t bookworm-backports "$pkg" 2>&1) ||
	{ bad "apt install" "$out"; exit 1; }

# The cooperative's release key, made with the installed program, its
# public half where a package built with RELEASE_KEY= puts it.
in_root fieldstation release-key new /root/release.key >/dev/null ||
	{ bad "release-key new"; exit 1; }
cp "$root/root/release.key.pub" "$root/usr/share/fieldstation/release-key.pub"
# A farm the station can run: the demo's, on the simulator.
cp "$root/usr/share/fieldstation/demo.ini" "$root/etc/fieldstation/fieldstation.ini"

# systemctl for fieldstation.service, as much of it as the installer uses.
cat >"$root/usr/local/bin/systemctl" <<'SH'
#!/bin/bash
# A stand-in for systemd's systemctl in a chroot: start, stop and show of
# fieldstation.service. The unit's ExecStart runs as its User on a
# terminal of 50x15; when it ends it is started again a second later and
# NRestarts counts it, until a stop; a start made by hand counts from 0
# again, as systemd does.
S=/run/fake-systemd
mkdir -p "$S" && chmod 1777 "$S"
unit=/lib/systemd/system/fieldstation.service
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
user=$(sed -n 's/^User=//p' "$unit")
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
supervise() {
	while [ ! -e "$S/stopping" ]; do
		runuser -u "$user" -- env TERM=linux LANG=C.UTF-8 script -qec \
			"stty cols 50 rows 15; echo \$\$ >$S/pid; exec $exec_start" /dev/null \
			</dev/null >/dev/null 2>&1
		rm -f "$S/pid"
		[ -e "$S/stopping" ] && break
		echo $(($(cat "$S/restarts" 2>/dev/null || echo 0) + 1)) >"$S/restarts"
		sleep 1
	done
}
verb=
for a in "$@"; do
	case $a in start | stop | show | restart) verb=$a ;; esac
done
super=$(cat "$S/super" 2>/dev/null)
case $verb in
stop | restart)
	if alive "$super"; then
		touch "$S/stopping"
		pid=$(cat "$S/pid" 2>/dev/null)
		alive "$pid" && kill -TERM "$pid"
		while alive "$super"; do sleep 0.1; done
	fi
	rm -f "$S/stopping" "$S/pid" "$S/super"
	[ "$verb" = stop ] && exit 0
	;;
esac
case $verb in
start | restart)
	alive "$super" && exit 0
	echo 0 >"$S/restarts"
	# Holding none of the caller's descriptors, as a unit started by
	# systemd: the caller waits for the end of systemctl's output.
	(
		for fd in /proc/self/fd/*; do
			fd=${fd##*/}
			[ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
		done
		exec </dev/null >/dev/null 2>&1
		supervise
	) &
	echo $! >"$S/super"
	;;
show)
	pid=$(cat "$S/pid" 2>/dev/null)
	if alive "$pid"; then
		echo "ActiveState=active"
		echo "SubState=running"
		echo "MainPID=$pid"
	else
		alive "$super" && echo "ActiveState=activating" || echo "ActiveState=inactive"
		echo "SubState=dead"
		echo "MainPID=0"
	fi
	echo "NRestarts=$(cat "$S/restarts" 2>/dev/null || echo 0)"
	;;
*) exit 1 ;;
esac
SH
chmod 755 "$root/usr/local/bin/systemctl"

DATA=$root/var/lib/fieldstation
DB=$DATA/station.db
RESULT=$root/var/lib/fieldstation-update/result
boot=$(cat /proc/sys/kernel/random/boot_id)
# home_by: has the station's process (the unit's main one) marked that it
# reached its home screen?
home_by() {
	local pid
	pid=$(in_root systemctl show fieldstation.service | sed -n 's/^MainPID=//p')
	[ "${pid:-0}" -gt 0 ] && [ "$(cut -d' ' -f1 "$DATA/update/home" 2>/dev/null)" = "$pid" ]
}
wait_home() {
	for _ in $(seq 150); do home_by && return 0; sleep 0.2; done
	return 1
}
installed() { in_root dpkg-query -W -f='${db:Status-Abbrev}${Version}' fieldstation; }
field() { sed -n "s/^$1: //p" "$RESULT"; }
# deb VERSION [ARCH [crash]]: the package again under another version
# (and board); crash: a program that damages the records and stops
# (tests/remake-deb.sh).
deb() {
	local out="/tmp/fieldstation_$1_${2:-$arch}${3:+-$3}.deb"
	"$(dirname "$0")/remake-deb.sh" "$DEB" "$root$out" --version "$1" --arch "${2:-$arch}" ${3:+--$3}
	echo "$out"
}
# offer PACKAGE: what the console does once the manager said yes (the
# package and its signed description from the stick, and the request, in
# the station's folder as its user; tests/e2e/office.sh checks the
# console writes exactly this); then the installer runs, as systemd runs
# it when the request appears.
offer() {
	rm -rf "$root/tmp/stick" && mkdir "$root/tmp/stick"
	in_root fieldstation publish-update "$1" --to /tmp/stick --key /root/release.key >/dev/null ||
		{ bad "publish-update $1"; return 1; }
	# A stick is mounted for the group plugdev, which the station is in.
	chmod -R a+rX "$root/tmp/stick"
	local u=/var/lib/fieldstation/update
	in_root runuser -u fieldstation -- sh -c "umask 027; mkdir -p $u &&
		cp /tmp/stick/fieldstation-update/*.deb $u/fieldstation.deb &&
		cp /tmp/stick/fieldstation-update/*.update $u/fieldstation.update &&
		printf 'what: update\nboot: %s\n' $boot >$u/request" || { bad "handover"; return 1; }
}
install() { in_root /usr/lib/fieldstation/fieldstation-update --trial-seconds 60 "$@" >"$root/tmp/updater.log" 2>&1; }

in_root systemctl start fieldstation.service
wait_home && ok "the station $version runs and reaches its home screen (the stand-in service manager)" ||
	{ bad "the station does not start in the chroot" "$(ls -la "$DATA" "$DATA/update" 2>&1)"; exit 1; }
in_root systemctl stop fieldstation.service
sqlite3 "$DB" "INSERT INTO events (t, kind, source, detail) VALUES (1780000000, 'note', 'test', 'before the update')" ||
	bad "a record to keep"
chown --reference="$DB" "$DB"-* 2>/dev/null
in_root systemctl start fieldstation.service
wait_home || bad "the station does not start again"
before=$(sqlite3 "$DB" "SELECT count(*) FROM events")
program=$(md5sum <"$root/usr/bin/fieldstation")

# A version that damages the records and stops at each start.
offer "$(deb 9.0.0 "$arch" crash)" && install
[ "$(field outcome) $(field why)" = "rolled-back crashed" ] &&
	ok "a version that stops at each start is taken back: rolled-back, crashed" ||
	bad "crashing version: $(cat "$RESULT" 2>&1)" "$(tail -n 20 "$root/tmp/updater.log")"
[ "$(installed)" = "ii $version" ] && ok "dpkg has $version again, installed whole (ii)" ||
	bad "dpkg after the rollback: $(installed)"
[ "$(md5sum <"$root/usr/bin/fieldstation")" = "$program" ] &&
	ok "the program is the one from before, from the package made again of what dpkg had installed" ||
	bad "the program after the rollback differs"
v=$(in_root dpkg --verify fieldstation 2>&1 | grep -v ' c /etc/')
[ -z "$v" ] && ok "dpkg --verify: every file of the package as dpkg lists it" || bad "dpkg --verify" "$v"
[ "$(sqlite3 "$DB" "PRAGMA integrity_check")" = ok ] &&
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM events WHERE detail = 'before the update'")" = 1 ] &&
	! grep -q damaged "$DB" &&
	ok "the records as they were before: whole, the note kept, the damage gone" ||
	bad "records after the rollback: $(sqlite3 "$DB" "PRAGMA integrity_check" 2>&1)"
owner=$(chroot "$root" stat -c %U:%G /var/lib/fieldstation/station.db)
[ "$owner" = fieldstation:fieldstation ] && ok "the records still the station's own" ||
	bad "records owned by $owner"
wait_home && ok "the station runs again and reached its home screen" || bad "not running after the rollback"
[ "$(stat -c %a "$RESULT")" = 644 ] &&
	ok "the result is readable by the station (0644), for it to say once" || bad "result: $(stat -c %a "$RESULT")"

# A good new version.
offer "$(deb 9.1.0)" && install
[ "$(field outcome)" = installed ] && [ "$(field from)" = "$version" ] && [ "$(field to)" = 9.1.0 ] &&
	ok "a good version is installed: installed, $version -> 9.1.0" ||
	bad "good version: $(cat "$RESULT" 2>&1)" "$(tail -n 20 "$root/tmp/updater.log")"
[ "$(installed)" = "ii 9.1.0" ] && ok "dpkg has 9.1.0" || bad "dpkg: $(installed)"
wait_home && ok "the new version runs and reached its home screen" || bad "9.1.0 not running"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM events WHERE detail = 'before the update'")" = 1 ] &&
	ok "the records kept" || bad "records after the update"
[ ! -e "$DATA/update/request" ] && [ ! -e "$DATA/update/fieldstation.deb" ] &&
	ok "the request and the package handed over are gone" || bad "left in update/: $(ls "$DATA/update")"

# Refused by the installer itself: an older version, another board's.
other=arm64
[ "$arch" = arm64 ] && other=armhf
for v in "9.0.5 $arch older" "9.2.0 $other architecture"; do
	set -- $v
	offer "$(deb "$1" "$2")" && install
	[ "$(field outcome) $(field why)" = "refused $3" ] && [ "$(installed)" = "ii 9.1.0" ] &&
		ok "$1 for $2: refused ($3), 9.1.0 stays" || bad "$1 $2: $(cat "$RESULT") $(installed)"
done
home_by && ok "and the station ran on meanwhile" || bad "the station stopped for a refused package"

# A power cut while dpkg installs, at a few moments after dpkg starts:
# the installer and dpkg killed at once, the station gone; at the next
# boot the installer goes back, or, once it had written that dpkg was
# done, goes on with the new version's trial. The last cut waits for
# that step, so that the trial's path is taken however slow dpkg is.
pkgs=$(deb 9.3.0)
for after in 0 0.3 0.8 1.5 3 trial; do
	offer "$pkgs"
	setsid chroot "$root" env LANG=C.UTF-8 /usr/lib/fieldstation/fieldstation-update --trial-seconds 60 \
		>"$root/tmp/updater.log" 2>&1 &
	leader=$!
	cut=
	for _ in $(seq 600); do
		if [ "$after" = trial ]; then
			grep -qx 'state: trial' "$root/var/lib/fieldstation-update/state" 2>/dev/null &&
				cut=1
		elif grep -qx 'state: install' "$root/var/lib/fieldstation-update/state" 2>/dev/null &&
			pgrep -g "$leader" -x dpkg >/dev/null; then
			sleep "$after"
			cut=1
		fi
		if [ -n "$cut" ]; then
			kill -KILL -- "-$leader" 2>/dev/null
			break
		fi
		sleep 0.05
	done
	wait "$leader" 2>/dev/null
	# What the cut left, read once nothing of the installer runs.
	if [ -n "$cut" ]; then
		cut=$(installed)
		step=$(sed -n 's/^state: //p' "$root/var/lib/fieldstation-update/state" 2>/dev/null)
	fi
	when="${after}s into dpkg"
	[ "$after" = trial ] && when="in the trial"
	# What the power took too: the station (stopped by the installer
	# before dpkg; killed all the same should it run), and /run.
	for f in super pid; do
		p=$(cat "$root/run/fake-systemd/$f" 2>/dev/null)
		[ -n "$p" ] && kill -KILL "$p" 2>/dev/null
	done
	rm -rf "$root/run/fake-systemd"
	if [ -z "$cut" ]; then
		bad "the moment of the cut ($when) was never seen" "$(cat "$root/var/lib/fieldstation-update/state" 2>&1)"
		continue
	fi
	install
	# Cut after the installer had finished: the boot starts the unit,
	# which is enabled, with nothing left for the installer to do.
	[ -n "$step" ] || in_root systemctl start fieldstation.service
	# The installer judges by the step it wrote, not by dpkg: a cut
	# after dpkg wrote "ii" but before the installer wrote "trial" (dpkg
	# still at its triggers, or the installer not yet woken) is a cut
	# in the install, and goes back like any other.
	if [ "$step" = trial ] || { [ -z "$step" ] && [ "$cut" = "ii 9.3.0" ]; }; then
		# The installer had written the trial, or finished it: the new
		# version's trial goes on.
		[ "$(field outcome)" = installed ] && [ "$(installed)" = "ii 9.3.0" ] && wait_home &&
			ok "power cut $when (installer at: ${step:-done}): the next boot tries 9.3.0 again, installed" ||
			bad "after the cut $when (installer at: ${step:-done}): $(cat "$RESULT") $(installed)" \
				"$(tail -n 20 "$root/tmp/updater.log")"
		break
	fi
	[ "$(field outcome) $(field why)" = "rolled-back power-cut" ] && [ "$(installed)" = "ii 9.1.0" ] &&
		wait_home &&
		ok "power cut $when (dpkg then: $cut): the next boot goes back to 9.1.0, whole, and the station starts" ||
		bad "after the cut $when: $(cat "$RESULT") $(installed)" "$(tail -n 20 "$root/tmp/updater.log")"
done

# New settings from the office: a pump's power. Then settings for another
# station, which the installer refuses by itself.
settings() {
	rm -rf "$root/tmp/stick" && mkdir "$root/tmp/stick"
	in_root fieldstation publish-settings "$1" --to /tmp/stick --key /root/release.key >/dev/null ||
		{ bad "publish-settings $1"; return 1; }
	chmod -R a+rX "$root/tmp/stick"
	local u=/var/lib/fieldstation/update
	in_root runuser -u fieldstation -- sh -c "umask 027; mkdir -p $u &&
		cp /tmp/stick/fieldstation-settings/*.ini $u/settings.ini &&
		cp /tmp/stick/fieldstation-settings/*.settings $u/settings.settings &&
		printf 'what: settings\nboot: %s\n' $boot >$u/request" || { bad "handover"; return 1; }
}
INI=$root/etc/fieldstation/fieldstation.ini
cp "$INI" "$root/tmp/old.ini"
sed 's/^power_kw = 1.5$/power_kw = 2.2/' "$INI" >"$root/tmp/new.ini"
grep -q '^power_kw = 2.2$' "$root/tmp/new.ini" || bad "no pump of 1.5 kW in the demo farm"
settings /tmp/new.ini && install
[ "$(field what) $(field outcome)" = "settings installed" ] && cmp -s "$INI" "$root/tmp/new.ini" &&
	ok "new settings are in place: installed" ||
	bad "settings: $(cat "$RESULT")" "$(tail -n 20 "$root/tmp/updater.log")"
kept=$(ls "$INI".old-* 2>/dev/null | head -n 1)
[ -n "$kept" ] && cmp -s "$kept" "$root/tmp/old.ini" && [ "$(field detail)" = "${kept#"$root"}" ] &&
	ok "the old ones kept beside them (${kept#"$root"}), as the result says" || bad "old settings: '$kept'"
wait_home && ok "the station runs with them and reached its home screen" || bad "not running on the new settings"
sed 's/^code = PT01 /code = PT02 /' "$root/tmp/new.ini" >"$root/tmp/other.ini"
settings /tmp/other.ini && install
[ "$(field outcome) $(field why)" = "refused station" ] && cmp -s "$INI" "$root/tmp/new.ini" &&
	ok "settings for another station: refused (station), nothing changed" ||
	bad "another station's settings: $(cat "$RESULT")"

# Settings every check passes but the station cannot start with (its
# records in a folder that is not there): taken back by themselves.
sed 's|^code = PT01 .*|&\ndatabase = /var/lib/fieldstation/nowhere/station.db|' "$root/tmp/new.ini" >"$root/tmp/bad.ini"
grep -q '^database = ' "$root/tmp/bad.ini" || bad "no database line in bad.ini"
sleep 1
settings /tmp/bad.ini && install
[ "$(field what) $(field outcome)" = "settings rolled-back" ] && cmp -s "$INI" "$root/tmp/new.ini" &&
	ok "settings the station cannot start with are taken back ($(field why)): the ones before are in place" ||
	bad "settings that do not start: $(cat "$RESULT")" "$(tail -n 20 "$root/tmp/updater.log")"
wait_home && ok "and the station runs with them again" || bad "not running after the settings' rollback"

echo "deb-update: $CHECKS checks, $FAILS failed"
[ "$FAILS" -eq 0 ]
