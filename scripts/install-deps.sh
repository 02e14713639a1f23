#!/bin/sh
# Installs the Debian packages that fieldstation builds and tests with.
# A quick no-op when everything is there; needs root otherwise.
#   scripts/install-deps.sh               build and test on this machine
#   scripts/install-deps.sh --all         and the rig, fuzzing, sanitizers
#   scripts/install-deps.sh --deb         and what `make deb` needs
#   scripts/install-deps.sh --cross ARCH  a cross toolchain for ARCH (arm64,
#                                         armhf), the target's libraries and
#                                         qemu-user to run its tests
set -eu

# The libraries the station links with (their -dev packages), and cmocka
# for the tests; a cross build needs them for the target. libgpiod-dev
# must be version 2. libxlsxwriter's pkg-config file asks for -lz too.
LIBS="libncurses-dev libsqlite3-dev libserialport-dev libgpiod-dev
libcmocka-dev libinih-dev libcrypt-dev libqrencode-dev libsodium-dev
libxlsxwriter-dev zlib1g-dev libespeak-ng-dev libmosquitto-dev"

# Packages every build and test needs. The console fonts are made from
# Terminus Font (xfonts-terminus) with pcf2bdf and bdf2psf; the tests read
# the exported spreadsheets back with Python's own modules, and measure
# the voice's sound with sox. The voice speaks with eSpeak NG's own data
# (espeak-ng-data: the Vietnamese voices), named here although
# libespeak-ng1 brings it, since without it the station is mute. The
# office link's tests start Debian's Mosquitto broker on loopback, make
# their certificates with openssl, as scripts/office-ca.sh does for a
# cooperative, and listen and publish as others would with Mosquitto's
# command-line clients.
PACKAGES="make gcc pkg-config gettext tmux sqlite3 procps tzdata qrencode
xfonts-terminus pcf2bdf bdf2psf python3 sox espeak-ng-data mosquitto mosquitto-clients openssl
$LIBS"

# Extra packages for the emulated-hardware rig, fuzzing and sanitizers
# (`scripts/install-deps.sh --all`), LibreOffice Calc without its
# windows, which opens the exported CSVs as an office's PC does (about
# 300 MB, a minute to install), and debootstrap, which makes the bookworm
# image of the rig's systemd scenario; qemu-utils (qemu-img) lays an overlay
# on that image that a power cut in the guest leaves for its next boot,
# and openssl signs settings there that bypass the office's check.
EXTRA="clang libclang-rt-14-dev valgrind qemu-system-x86 qemu-utils openssl linux-source-6.1
busybox-static mtools dosfstools fdisk bc bison flex libelf-dev xz-utils
util-linux e2fsprogs zbar-tools kbd netpbm libreoffice-calc-nogui debootstrap"

# Building the Debian package (`make deb`) and checking it.
DEB="debhelper dpkg-dev fakeroot lintian debootstrap"

want="$PACKAGES"
arch=""
while [ $# -gt 0 ]; do
	case $1 in
	--all) want="$want $EXTRA" ;;
	--deb) want="$want $DEB" ;;
	--cross)
		arch=${2:-}
		[ -n "$arch" ] || { echo "--cross wants an architecture: arm64 or armhf" >&2; exit 2; }
		shift
		;;
	*) echo "usage: scripts/install-deps.sh [--all] [--deb] [--cross ARCH]" >&2; exit 2 ;;
	esac
	shift
done

triplet=""
if [ -n "$arch" ]; then
	case $arch in
	arm64) triplet=aarch64-linux-gnu ;;
	armhf) triplet=arm-linux-gnueabihf ;;
	*) echo "--cross: arm64 or armhf, not \"$arch\"" >&2; exit 2 ;;
	esac
	# The target's libraries with their multiarch pkg-config
	# ($triplet-pkg-config, from pkgconf:ARCH), and qemu-user for its tests.
	want="$want crossbuild-essential-$arch qemu-user-static pkgconf:$arch"
	for p in $LIBS; do want="$want $p:$arch"; done
fi

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done

gpiod_ok() {
	# The relay driver needs the libgpiod v2 API, on the target too.
	pkg-config --atleast-version=2.0 libgpiod 2>/dev/null || return 1
	[ -z "$triplet" ] || "$triplet-pkg-config" --atleast-version=2.0 libgpiod 2>/dev/null
}

if [ -z "$missing" ] && gpiod_ok; then
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	echo "Missing packages:$missing" >&2
	echo "Run as root: sudo scripts/install-deps.sh ${*:-}" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
. /etc/os-release
gpiod_from=""
if [ "${VERSION_CODENAME:-}" = bookworm ]; then
	# libgpiod v2 is in bookworm-backports only.
	list=/etc/apt/sources.list.d/bookworm-backports.list
	if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		# The same mirror the machine already uses for bookworm.
		mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources \
			2>/dev/null | grep -v security | head -n 1)
		[ -n "$mirror" ] || mirror=$(sed -n 's/^deb  *\(http[^ ]*\)  *bookworm .*/\1/p' \
			/etc/apt/sources.list 2>/dev/null | head -n 1)
		echo "deb ${mirror:-http://deb.debian.org/debian} bookworm-backports main" >"$list"
	fi
	gpiod_from="-t bookworm-backports"
fi
if [ -n "$arch" ] && ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
	dpkg --add-architecture "$arch"
fi

apt-get update -qq
# libgpiod-dev is installed on its own below, from backports on bookworm.
missing=$(echo "$missing" | tr ' ' '\n' | grep -v '^libgpiod-dev' | tr '\n' ' ')
# shellcheck disable=SC2086
[ -z "${missing# }" ] || apt-get install -y -qq --no-install-recommends $missing
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $gpiod_from libgpiod-dev ${arch:+libgpiod-dev:$arch}
gpiod_ok || { echo "libgpiod 2 could not be installed" >&2; exit 1; }
