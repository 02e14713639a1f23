#!/bin/bash
# The package installed, used and removed as on a fresh Debian board,
# in a bookworm chroot made by debootstrap (as root, with Debian's mirror;
# kept in build-deb-rootfs/ for the next run, and copied for each).
# No service manager runs in a chroot: that the unit starts is shown in
# a VM (README, "Cài lên bo mạch"); here, what dpkg and the maintainer
# scripts do: dependencies from the archive, the user and its groups, the
# data folder, the template refused as the user reads it, removal that
# keeps the records and drives the relays off, purge that removes them.
#   tests/deb-install.sh build-deb-amd64/fieldstation_0.1.0_amd64.deb
set -u
DEB=$(realpath "${1:?usage: tests/deb-install.sh PACKAGE.deb}")
. "$(dirname "$0")/lib-chroot.sh"
chroot_base
root=$(mktemp -d /tmp/fs-deb-root.XXXXXX)
cleanup() {
	umount "$root/proc" 2>/dev/null
	rm -rf "$root"
}
trap cleanup EXIT
cp -a "$base/." "$root/"
mount -t proc proc "$root/proc"
cp "$DEB" "$root/tmp/"
in_root() { chroot "$root" env LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
pkg=/tmp/$(basename "$DEB")

# apt takes its dependencies from the archive (libgpiod 2 from backports).
in_root apt-get update -qq >/dev/null 2>&1
if out=$(in_root apt-get install -y -qq --no-install-recommends -t bookworm-backports "$pkg" 2>&1); then
	ok "apt installs the package and its dependencies"
else
	bad "apt install" "$out"
	exit 1
fi
in_root dpkg -l build-essential gcc make tmux libcmocka0 2>/dev/null | grep -q '^ii' &&
	bad "a build or test tool came with it" || ok "no compiler or test tool came with it"

getent_root() { chroot "$root" getent "$@"; }
user=$(getent_root passwd fieldstation)
case $user in
fieldstation:x:*:*:*:/var/lib/fieldstation:/usr/sbin/nologin) ok "a system user fieldstation ($user)" ;;
*) bad "user: '$user'" ;;
esac
[ "$(chroot "$root" id -u fieldstation)" -lt 1000 ] && ok "a system account (uid below 1000)" || bad "uid"
groups=" $(chroot "$root" id -nG fieldstation) "
for g in gpio dialout plugdev audio; do
	case $groups in *" $g "*) ;; *) bad "fieldstation is not in $g:$groups" ;; esac
done
ok "in the groups of the GPIO chips, serial ports, sticks and sound devices:$groups"
getent_root group gpio | grep -q '^gpio:x:[0-9]*:' && ok "the group gpio was made (Debian has none)" || bad "no gpio group"
[ "$(chroot "$root" stat -c '%a %U:%G' /var/lib/fieldstation)" = "750 fieldstation:fieldstation" ] &&
	ok "/var/lib/fieldstation is the station's alone (750)" || bad "data folder: $(chroot "$root" stat -c '%a %U:%G' /var/lib/fieldstation)"
[ -L "$root/etc/systemd/system/multi-user.target.wants/fieldstation.service" ] &&
	ok "the service is enabled for the next boot" || bad "the service is not enabled"
grep -q '^SUBSYSTEM=="gpio", KERNEL=="gpiochip\[0-9\]\*", GROUP="gpio", MODE="0660"' \
	"$root/lib/udev/rules.d/60-fieldstation-gpio.rules" && ok "a udev rule gives the GPIO chips to gpio" ||
	bad "gpio udev rule"

# As the user the service runs as, on the template the package installed.
out=$(in_root runuser -u fieldstation -- fieldstation --config /etc/fieldstation/fieldstation.ini check 2>&1)
rc=$?
case "$rc $out" in
"1 "*"Tệp /etc/fieldstation/fieldstation.ini chưa được điền"*"[station] code (dòng 14)"*)
	ok "the user reads the template, refused in Vietnamese with the keys to fill" ;;
*) bad "check on the template: $rc" "$out" ;;
esac
in_root runuser -u fieldstation -- touch /var/lib/fieldstation/records &&
	ok "the user writes its records folder" || bad "the user cannot write /var/lib/fieldstation"
in_root runuser -u nobody -- ls /var/lib/fieldstation >/dev/null 2>&1 &&
	bad "another user reads the records" || ok "another user cannot read it"
out=$(in_root runuser -u fieldstation -- fieldstation --config /usr/share/fieldstation/demo.ini \
	--db /var/lib/fieldstation/demo.db check 2>&1)
[ $? = 0 ] && ok "the demo farm checks good as the user" || bad "demo.ini" "$out"

# Removal: relays off (the template cannot name them: it says so, and
# the removal goes on), records and the configuration kept.
if out=$(in_root apt-get remove -y -qq fieldstation 2>&1); then
	ok "apt remove succeeds"
else
	bad "apt remove" "$out"
fi
echo "$out" | grep -q 'chưa được điền' && ok "its prerm ran relays-off (which says why it could not on the template)" ||
	bad "prerm relays-off" "$out"
[ -e "$root/var/lib/fieldstation/records" ] && ok "the records stay after removal" || bad "records gone on remove"
[ -e "$root/etc/fieldstation/fieldstation.ini" ] && ok "and so does the configuration" || bad "config gone on remove"
[ ! -e "$root/usr/bin/fieldstation" ] && ok "the program is gone" || bad "the program is still there"
out=$(in_root apt-get purge -y -qq fieldstation 2>&1)
[ ! -e "$root/var/lib/fieldstation" ] && ok "purge removes the records" || bad "records after purge" "$out"
[ ! -e "$root/etc/fieldstation/fieldstation.ini" ] && ok "and the configuration" || bad "config after purge"

echo "deb-install: $CHECKS checks, $FAILS failed"
[ "$FAILS" -eq 0 ]
