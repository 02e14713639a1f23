#!/bin/bash
# What a Debian package of the station holds (make deb runs it on the
# package it built): the files where the board expects them, the template
# as the one conffile, the unit that runs the station as its own user,
# the maintainer scripts' user, groups and relays, and dependencies on
# the libraries it links only. A package of this machine's architecture
# is also run from its unpacked tree: Vietnamese from the catalogue where
# it is installed, and the template refused with every key to fill.
#   tests/deb.sh build-deb-arm64/fieldstation_0.1.0_arm64.deb
set -u
DEB=${1:?usage: tests/deb.sh PACKAGE.deb}
TMP=$(mktemp -d /tmp/fs-deb.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
CHECKS=0
FAILS=0
ok() { CHECKS=$((CHECKS + 1)); echo "ok   $1"; }
bad() { CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); echo "FAIL $1"; }

arch=$(dpkg-deb -f "$DEB" Architecture)
version=$(dpkg-deb -f "$DEB" Version)
[ "$(basename "$DEB")" = "fieldstation_${version}_$arch.deb" ] && ok "named fieldstation_${version}_$arch.deb" ||
	bad "name $(basename "$DEB") for $version $arch"

depends=$(dpkg-deb -f "$DEB" Depends)
for lib in libc6 libgpiod3 libncursesw6 libsqlite3-0 libserialport0 libinih1 libqrencode4 libsodium23 libxlsxwriter4 libespeak-ng1 adduser kbd tzdata; do
	case ", $depends," in *", $lib "* | *", $lib,"*) ;; *) bad "Depends lacks $lib: $depends"; continue ;; esac
done
ok "Depends names the libraries it links ($depends)"
# The station speaks systemd's notification protocol itself (src/notify.c):
# libsystemd and the six libraries it loads held about 1 MB of its memory.
case ", $depends," in *", libsystemd0"*) bad "Depends on libsystemd0 again: $depends" ;;
*) ok "and not libsystemd0" ;; esac
wrong=$(echo "$depends" | tr ',' '\n' | grep -E '^ *(gcc|make|cmocka|libcmocka|tmux|.*-dev|pkg-?conf|gettext|debhelper|valgrind|clang)\b')
[ -z "$wrong" ] && ok "and no build or test tool" || bad "Depends on build or test tools: $wrong"

dpkg-deb -c "$DEB" | awk '{print $6}' | sed 's|^\./|/|' >"$TMP/files"
for f in /usr/bin/fieldstation /usr/share/locale/vi/LC_MESSAGES/fieldstation.mo \
	/etc/fieldstation/fieldstation.ini /usr/share/fieldstation/demo.ini \
	/lib/systemd/system/fieldstation.service /lib/udev/rules.d/60-fieldstation-gpio.rules \
	/lib/udev/rules.d/90-fieldstation-stick.rules /usr/lib/fieldstation/fieldstation-stick \
	/usr/lib/fieldstation/fieldstation-update /lib/systemd/system/fieldstation-update.service \
	/lib/systemd/system/fieldstation-update.path /usr/lib/fieldstation/fieldstation-speak \
	/usr/share/consolefonts/fieldstation-16x32.psf.gz /usr/share/doc/fieldstation/copyright \
	/usr/share/man/man1/fieldstation.1.gz; do
	grep -qx "$f" "$TMP/files" && ok "holds $f" || bad "no $f"
done
grep -q '^/usr/local\|^/var/lib/fieldstation\|^/etc/systemd\|^/etc/udev' "$TMP/files" &&
	bad "files where a package must not put them: $(grep '^/usr/local\|^/var/lib\|^/etc/systemd\|^/etc/udev' "$TMP/files")" ||
	ok "nothing under /usr/local, /etc/systemd, /etc/udev or the data folder"

dpkg-deb -e "$DEB" "$TMP/control"
[ "$(cat "$TMP/control/conffiles")" = /etc/fieldstation/fieldstation.ini ] &&
	ok "the configuration is the one conffile" || bad "conffiles: $(cat "$TMP/control/conffiles")"
grep -q 'adduser --quiet --system --group' "$TMP/control/postinst" &&
	grep -q -e '--home /var/lib/fieldstation .* fieldstation$' "$TMP/control/postinst" &&
	grep -q 'for group in gpio dialout plugdev audio' "$TMP/control/postinst" &&
	grep -q 'addgroup --quiet --system gpio' "$TMP/control/postinst" &&
	grep -q 'chmod 0750 /var/lib/fieldstation' "$TMP/control/postinst" &&
	ok "postinst: the user fieldstation in gpio, dialout, plugdev and audio; its data folder 0750" ||
	bad "postinst: $(cat "$TMP/control/postinst")"
grep -q 'relays-off' "$TMP/control/prerm" && ok "prerm drives the relays off" || bad "prerm"
# The installer may be the one running dpkg: enabled (at boot, and its
# path unit), never started, restarted or stopped by an upgrade.
grep -q "deb-systemd-helper .*enable 'fieldstation-update.service'" "$TMP/control/postinst" &&
	grep -q "deb-systemd-helper .*enable 'fieldstation-update.path'" "$TMP/control/postinst" &&
	! grep -q "deb-systemd-invoke .*'fieldstation-update.service'" "$TMP/control/postinst" &&
	! grep -q "deb-systemd-invoke .*restart.*fieldstation-update.service" "$TMP/control/prerm" &&
	ok "postinst enables the installer and its path unit, and never starts the installer" ||
	bad "the installer's unit in the maintainer scripts: $(grep -h fieldstation-update "$TMP/control/postinst" "$TMP/control/prerm")"
grep -q 'purge.*' "$TMP/control/postrm" && grep -q 'rm -rf /var/lib/fieldstation' "$TMP/control/postrm" &&
	ok "postrm removes the records only on purge" || bad "postrm"

dpkg-deb -x "$DEB" "$TMP/root"
unit="$TMP/root/lib/systemd/system/fieldstation.service"
for line in 'User=fieldstation' 'Type=notify' 'WatchdogSec=30' \
	'ExecStart=/usr/bin/fieldstation --service --config /etc/fieldstation/fieldstation.ini' \
	'ExecStopPost=-/usr/bin/fieldstation --config /etc/fieldstation/fieldstation.ini relays-off' \
	'CapabilityBoundingSet=CAP_SYS_TIME' 'ProtectSystem=strict' 'NoNewPrivileges=yes' \
	'PrivateTmp=yes' 'DevicePolicy=closed' 'DeviceAllow=char-gpiochip rw' 'DeviceAllow=/dev/tty1 rw' \
	'DeviceAllow=char-alsa rw' 'SupplementaryGroups=audio'; do
	grep -qxF "$line" "$unit" || bad "the unit lacks $line"
done
ok "the unit runs the station as fieldstation, notified, watched, hardened"
if command -v systemd-analyze >/dev/null; then
	sed -n 's/.*Overall exposure level for fieldstation.service: \([0-9.]*\).*/\1/p' \
		<(systemd-analyze security --offline=yes "$unit" 2>&1) >"$TMP/exposure"
	e=$(cat "$TMP/exposure")
	[ -n "$e" ] && awk "BEGIN { exit !($e <= 2.0) }" && ok "systemd-analyze security: exposure $e" ||
		bad "systemd-analyze security: exposure '$e'"
fi

key="$TMP/root/usr/share/fieldstation/release-key.pub"
if [ -e "$key" ]; then
	grep -q '^public: [0-9a-f]\{64\}$' "$key" && ok "holds the release key stations check updates against" ||
		bad "release-key.pub: $(cat "$key")"
else
	echo "SKIP no release key in the package (make deb RELEASE_KEY=FILE.pub): it takes no update from a stick"
fi

if [ "$arch" = "$(dpkg --print-architecture)" ]; then
	bin="$TMP/root/usr/bin/fieldstation"
	help=$(cd / && "$bin" --help 2>&1 | head -n 1)
	[ "$help" = "Cách dùng: fieldstation [TÙY CHỌN]... [LỆNH]" ] &&
		ok "the packaged station speaks Vietnamese" || bad "--help: $help"
	out=$("$bin" --config "$TMP/root/etc/fieldstation/fieldstation.ini" check 2>&1)
	case $out in
	*"chưa được điền"*"[station] code (dòng 14)"*"[pump.p1] chip"*) ok "its template refuses to run and names the keys to fill" ;;
	*) bad "check on the template: $out" ;;
	esac
	"$bin" --config "$TMP/root/usr/share/fieldstation/demo.ini" check >/dev/null 2>&1 &&
		ok "the demo farm it ships is a good configuration" || bad "demo.ini check"
	"$TMP/root/usr/lib/fieldstation/fieldstation-speak" --wav "$TMP/said.wav" -- "xin chào" &&
		[ "$(stat -c %s "$TMP/said.wav")" -gt 10000 ] &&
		ok "its speaker says a sentence ($(stat -c %s "$TMP/said.wav") bytes of WAV)" ||
		bad "the packaged fieldstation-speak"
fi

echo "deb: $CHECKS checks, $FAILS failed"
[ "$FAILS" -eq 0 ]
