#!/bin/sh
# Builds the rig's kernel once and prints the path of its bzImage. The
# build is kept under $B/vm/, keyed by kernel.config and the version of
# Debian's linux-source-6.1, so it is rebuilt only when either changes.
#   tests/vm/kernel.sh [NAME]   the kernel with tests/vm/kernel-NAME.config
#                               added (a scenario that needs more, built
#                               and kept apart so the others never wait)
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-$TOP/build}
case $B in /*) ;; *) B=$TOP/$B ;; esac
FRAGMENT=$TOP/tests/vm/kernel.config
TARBALL=/usr/src/linux-source-6.1.tar.xz
if [ $# -gt 0 ]; then
	extra=$TOP/tests/vm/kernel-$1.config
	[ -f "$extra" ] || { echo "kernel: no $extra" >&2; exit 1; }
	FRAGMENT=$B/vm/kernel-$1.fragment
	mkdir -p "$B/vm"
	cat "$TOP/tests/vm/kernel.config" "$extra" >"$FRAGMENT"
fi

version=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) || {
	echo "kernel: linux-source-6.1 is not installed (scripts/install-deps.sh --all)" >&2
	exit 1
}
key=$({ cat "$FRAGMENT"; echo "linux-source-6.1 $version"; } | sha256sum | cut -c1-16)
out=$B/vm/kernel-$key
if [ -f "$out/bzImage" ]; then
	echo "$out/bzImage"
	exit 0
fi

work=$B/vm/kernel-work.$$
log=$B/vm/kernel-$key.log
mkdir -p "$work/src" "$work/obj"
trap 'rm -rf "$work"' EXIT
echo "kernel: building linux-source-6.1 $version with tests/vm/kernel${1:+ and kernel-$1}.config" \
	"(a few minutes, once; log in $log)" >&2
{
	tar -xJf "$TARBALL" -C "$work/src" --strip-components=1
	make -C "$work/src" O="$work/obj" tinyconfig
	"$work/src/scripts/kconfig/merge_config.sh" -m -O "$work/obj" \
		"$work/obj/.config" "$FRAGMENT"
	make -C "$work/src" O="$work/obj" olddefconfig
} >"$log" 2>&1 || { echo "kernel: configuration failed; see $log" >&2; exit 1; }

# Every option of the fragment must survive olddefconfig as written.
missing=$(grep '^CONFIG_' "$FRAGMENT" | while read -r opt; do
	grep -qx "$opt" "$work/obj/.config" || echo "$opt"
done)
if [ -n "$missing" ]; then
	echo "kernel: options not set as kernel.config asks (a typo or a missing dependency):" >&2
	echo "$missing" | sed 's/^/  /' >&2
	exit 1
fi

make -C "$work/src" O="$work/obj" -j"${KERNEL_JOBS:-2}" bzImage >>"$log" 2>&1 ||
	{ echo "kernel: build failed; see $log" >&2; exit 1; }
mkdir -p "$out"
cp "$work/obj/.config" "$out/config"
cp "$work/obj/arch/x86/boot/bzImage" "$out/bzImage.tmp"
mv "$out/bzImage.tmp" "$out/bzImage"
echo "$out/bzImage"
