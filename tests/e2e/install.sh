#!/bin/bash
# make install as a technician runs it on a board: it installs no Debian
# package (no compiler, no test tool), and the installed station finds its
# Vietnamese words wherever PREFIX put it, whatever it was built for.
. "$(dirname "$0")/lib.sh"

B=$(dirname "$BIN")
out=$(make -C "$TOP" -n install B="$B" 2>&1)
if ! echo "$out" | grep -q "install-deps\|apt-get"; then
	ok "make install runs no package installation"
else
	bad "make install would install packages: $(echo "$out" | grep "install-deps\|apt-get")"
fi

for prefix in /usr /opt/fs; do
	root="$TMP/root${prefix//\//_}"
	if ! make -C "$TOP" -s install B="$B" PREFIX="$prefix" DESTDIR="$root" >"$TMP/install.out" 2>&1; then
		bad "make install PREFIX=$prefix: $(cat "$TMP/install.out")"
		continue
	fi
	help=$(cd / && $EMU "$root$prefix/bin/fieldstation" --help 2>&1 | head -n 1)
	[ "$help" = "Cách dùng: fieldstation [TÙY CHỌN]... [LỆNH]" ] &&
		ok "installed under $prefix, the station speaks Vietnamese" || bad "PREFIX=$prefix: '$help'"
	out=$(cd / && $EMU "$root$prefix/bin/fieldstation" --config "$root/etc/fieldstation/fieldstation.ini" check 2>&1)
	case $out in
	*"chưa được điền"*"[station] code (dòng 14)"*) ok "its first configuration is the template, refused until filled in" ;;
	*) bad "the first configuration under $prefix: $out" ;;
	esac
	[ -f "$root$prefix/share/fieldstation/demo.ini" ] && ok "the demo farm is under $prefix/share/fieldstation" ||
		bad "no demo farm under $prefix"
	grep -qx "ExecStart=$prefix/bin/fieldstation .*" "$root/etc/systemd/system/fieldstation.service" &&
		ok "the unit runs $prefix/bin/fieldstation" ||
		bad "unit under $prefix: $(grep ^Exec "$root/etc/systemd/system/fieldstation.service")"
done

finish
