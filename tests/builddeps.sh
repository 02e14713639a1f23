#!/bin/bash
# Every library the Makefile links (its PKGS, found through pkg-config) is
# in debian/control's Build-Depends by the name of the Debian package that
# ships its .pc file, so that a package built from the source alone finds
# what the program needs. make deb runs it before building.
#   tests/builddeps.sh PKG_CONFIG MODULE...
set -u
PC=${1:?usage: tests/builddeps.sh PKG_CONFIG MODULE...}
shift
control=$(dirname "$0")/../debian/control
# Build-Depends as one line of names, without versions or architectures.
want=$(sed -n '/^Build-Depends:/,/^[A-Z][A-Za-z-]*:/p' "$control" | sed '$d' |
	sed 's/^Build-Depends://' | tr ',' '\n' | sed 's/(.*)//; s/\[.*\]//; s/ //g' | grep -v '^$')
fails=0
for m in "$@"; do
	dir=$("$PC" --variable=pcfiledir "$m" 2>/dev/null)
	pc="$dir/$m.pc"
	[ -n "$dir" ] && [ -e "$pc" ] || { echo "FAIL $m: no $m.pc through $PC"; fails=$((fails + 1)); continue; }
	pkg=$(dpkg -S "$(readlink -f "$pc")" 2>/dev/null | head -n 1 | cut -d: -f1)
	[ -n "$pkg" ] || pkg=$(dpkg -S "$pc" 2>/dev/null | head -n 1 | cut -d: -f1)
	if [ -z "$pkg" ]; then
		echo "FAIL $m: $pc belongs to no Debian package"
		fails=$((fails + 1))
	elif ! echo "$want" | grep -qx "$pkg"; then
		echo "FAIL $m: debian/control's Build-Depends lacks $pkg (it ships $m.pc)"
		fails=$((fails + 1))
	fi
done
[ "$fails" = 0 ] && echo "ok   debian/control's Build-Depends has every library the Makefile links ($*)"
exit $((fails > 0))
