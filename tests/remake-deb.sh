#!/bin/bash
# The station's package made again as the tests of updates need it: under
# another version or for another board, with the cooperative's release
# key in it (what `make deb RELEASE_KEY=FILE.pub` puts there), or as a
# version that cannot start: its program adds a line to the records (so
# that only the backup brings them back whole) and stops at once, every
# time, as a broken build would. Used by tests/deb-update.sh (in its
# chroot) and the VM rig's systemd scenario (tests/vm/systemd.sh).
#   tests/remake-deb.sh FROM.deb TO.deb [--version V] [--arch A] [--release-key FILE.pub] [--crash]
set -eu
from=$(realpath "${1:?usage: tests/remake-deb.sh FROM.deb TO.deb [--version V] [--arch A] [--release-key FILE.pub] [--crash]}")
to=${2:?usage: tests/remake-deb.sh FROM.deb TO.deb ...}
shift 2
version= arch= key= crash=
while [ $# -gt 0 ]; do
	case $1 in
	--version) version=$2; shift ;;
	--arch) arch=$2; shift ;;
	--release-key) key=$(realpath "$2"); shift ;;
	--crash) crash=1 ;;
	*) echo "remake-deb: what is $1?" >&2; exit 2 ;;
	esac
	shift
done
d=$(mktemp -d /tmp/fs-remake-deb.XXXXXX)
trap 'rm -rf "$d"' EXIT
dpkg-deb -R "$from" "$d/p"
[ -z "$version" ] || sed -i "s/^Version: .*/Version: $version/" "$d/p/DEBIAN/control"
[ -z "$arch" ] || sed -i "s/^Architecture: .*/Architecture: $arch/" "$d/p/DEBIAN/control"
if [ -n "$key" ]; then
	grep -q '^public: [0-9a-f]\{64\}$' "$key" || { echo "remake-deb: $key is not a release key's public file" >&2; exit 1; }
	install -D -m 644 "$key" "$d/p/usr/share/fieldstation/release-key.pub"
fi
if [ -n "$crash" ]; then
	printf '#!/bin/sh\necho damaged >>%s\necho "fieldstation: cannot start" >&2\nexit 1\n' \
		/var/lib/fieldstation/station.db >"$d/p/usr/bin/fieldstation"
fi
(cd "$d/p" && find usr -type f -exec md5sum {} + | sort -k 2 >DEBIAN/md5sums)
dpkg-deb --root-owner-group -Zgzip -b "$d/p" "$to" >/dev/null
