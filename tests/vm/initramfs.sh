#!/bin/sh
# Packs the rig's initramfs: busybox, /init, the scenarios' guest scripts,
# and the station exactly as `make` built it (build/fieldstation, its
# catalogue and its console fonts), with the shared libraries that ldd
# names and the one it opens itself, the C.UTF-8 locale, tmux to give the console a terminal, and
# kbd's setfont. Prints the path of the image.
#
# Shared libraries rather than a static build: the guest then runs the very
# binary that the unit and end-to-end tests ran, and glibc's locale and
# gettext code behave as on the board, which a static glibc does not promise.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-$TOP/build}
case $B in /*) ;; *) B=$TOP/$B ;; esac
VM=$TOP/tests/vm
stage=$B/vm/initramfs
image=$B/vm/initramfs.gz

# Programs copied in with their libraries; the station's own come first.
STATION="$B/fieldstation"
TOOLS="$(command -v tmux) $(command -v sqlite3) $(command -v blkid) $(command -v setfont)"

for f in $STATION; do
	[ -x "$f" ] || { echo "initramfs: $f is missing; run make first" >&2; exit 1; }
done

rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/dev" "$stage/proc" "$stage/sys" "$stage/tmp" \
	"$stage/root" "$stage/mnt" "$stage/rig/build" "$stage/usr/bin"

cp /bin/busybox "$stage/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ -e "$stage/bin/$applet" ] || ln -s busybox "$stage/bin/$applet"
done

# copy_elf FILE DEST: the program and every library it loads, at the same
# paths as on this machine (the guest's dynamic loader looks there).
copy_elf() {
	cp "$1" "$2"
	ldd "$1" | grep -o '/[^ ]*' | while read -r lib; do
		mkdir -p "$stage$(dirname "$lib")"
		[ -e "$stage$lib" ] || cp -L "$lib" "$stage$lib"
	done
}

for f in $STATION; do
	copy_elf "$f" "$stage/rig/build/$(basename "$f")"
done
# The library the station opens only while it writes a workbook (dlopen:
# ldd does not name it), with its own.
for soname in libxlsxwriter.so.4; do
	lib=$(ldconfig -p | awk -v n="$soname" '$1 == n && /x86-64/ { print $NF; exit }')
	[ -n "$lib" ] || { echo "initramfs: $soname is missing (scripts/install-deps.sh)" >&2; exit 1; }
	mkdir -p "$stage$(dirname "$lib")"
	copy_elf "$lib" "$stage$lib"
done
mkdir -p "$stage/rig/build/locale/vi/LC_MESSAGES"
cp "$B/locale/vi/LC_MESSAGES/fieldstation.mo" "$stage/rig/build/locale/vi/LC_MESSAGES/"
for f in $TOOLS; do
	copy_elf "$f" "$stage/usr/bin/$(basename "$f")"
done

mkdir -p "$stage/usr/lib/locale" "$stage/usr/share/terminfo/t" "$stage/usr/share/terminfo/l"
cp -r /usr/lib/locale/C.utf8 "$stage/usr/lib/locale/"
for t in t/tmux t/tmux-256color l/linux; do
	cp "$(find /usr/share/terminfo /lib/terminfo -path "*/$t" 2>/dev/null | head -n 1)" \
		"$stage/usr/share/terminfo/$t"
done

# The screen's console fonts, which kbd's setfont loads.
mkdir -p "$stage/rig/fonts"
cp "$B"/fonts/fieldstation-*.psf.gz "$stage/rig/fonts/"

# The station's default time zone ([station] timezone), as tzdata has it.
mkdir -p "$stage/usr/share/zoneinfo/Asia"
cp -L /usr/share/zoneinfo/Asia/Ho_Chi_Minh "$stage/usr/share/zoneinfo/Asia/"

install -m 755 "$VM/init" "$stage/init"
cp "$VM"/guest/*.sh "$stage/rig/"
cp -r "$TOP/config" "$stage/rig/config"
mkdir -p "$stage/rig/scripts"
cp "$TOP/scripts/fieldstation.service" "$TOP/scripts/fieldstation-stick" "$stage/rig/scripts/"

(cd "$stage" && find . | sort | /bin/busybox cpio -o -H newc 2>/dev/null) |
	gzip -1 >"$image.tmp"
mv "$image.tmp" "$image"
echo "$image"
