# Shared by tests/deb-install.sh and tests/deb-update.sh (bash, on the
# host): the checks and their count, and the Debian bookworm the package
# goes into, made by debootstrap from Debian's mirror the first time and
# kept in build-deb-rootfs/ beside the package's folder (each script
# copies it and works in the copy).
#
# A script that cannot run here (not root, a tool missing, a package for
# another board) exits 77: skipped, not passed. With FIELDSTATION_NO_SKIP
# set (CI, as root), where every test must run, it fails instead.
#   DEB=PACKAGE.deb; . tests/lib-chroot.sh; chroot_base TOOL...
CHECKS=0
FAILS=0
ok() { CHECKS=$((CHECKS + 1)); echo "ok   $1"; }
bad() { CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && echo "$2" | sed 's/^/     | /'; }

# skip WHY: this script cannot run here.
skip() {
	if [ -n "${FIELDSTATION_NO_SKIP:-}" ]; then
		echo "FAIL $(basename "$0") cannot run here, where every test must (FIELDSTATION_NO_SKIP): $1"
		exit 1
	fi
	echo "SKIP $(basename "$0"): $1"
	exit 77
}

# chroot_base TOOL...: root, debootstrap and each TOOL here, and DEB for
# this machine's architecture; sets arch, mirror and base (the bookworm
# made once, its apt pointed at bookworm-backports too).
chroot_base() {
	local tool
	[ -f "$DEB" ] || { echo "FAIL no package $DEB (make deb)"; exit 1; }
	[ "$(id -u)" = 0 ] || skip "it needs root (chroot, mounts, dpkg)"
	for tool in debootstrap "$@"; do
		command -v "$tool" >/dev/null || skip "it needs $tool (scripts/install-deps.sh --all)"
	done
	arch=$(dpkg-deb -f "$DEB" Architecture)
	[ "$arch" = "$(dpkg --print-architecture)" ] || skip "a $arch package is installed on its board"
	mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null |
		grep -v security | head -n 1)
	mirror=${mirror:-http://deb.debian.org/debian}
	base=$(dirname "$(dirname "$DEB")")/build-deb-rootfs
	if [ ! -x "$base/usr/bin/apt-get" ]; then
		rm -rf "$base"
		debootstrap --variant=minbase bookworm "$base" "$mirror" >"$base.log" 2>&1 ||
			{ tail "$base.log"; echo "FAIL debootstrap"; exit 1; }
		echo "deb $mirror bookworm-backports main" >"$base/etc/apt/sources.list.d/backports.list"
	fi
}
