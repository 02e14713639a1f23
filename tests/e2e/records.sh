#!/bin/bash
# Farm records on the keypad, in Vietnamese: one fertilizing, one
# spraying and one harvest with its lot code, refusals in words, the
# pre-harvest interval and the manager's override, the books, a
# correction, a lot's trace, and a record that survives kill -9 right
# after "Đã lưu".
. "$(dirname "$0")/lib.sh"

CFG="$TOP/config/demo.ini"
DB="$TMP/station.db"

# Wednesday 10 June 2026, 08:00.
start r --config "$CFG" --db "$DB" --clock 2026-06-10T08:00
expect r "3 Bón phân, phun thuốc" "records menu on the home screen"

# Bón phân: day, zone, product, amount, method, who; one look; Enter.
press r KP3
expect r "1 Ghi bón phân" "fertilizing menu"
press r KP1
expect r "Làm ngày nào?" "the day is asked first"
expect r "10/06/2026 >  hôm nay" "today by default"
press r KP- KP+ KPEnter
expect r "Khu nào?" "then the zone"
press r KP1
expect r "1 NPK 20-20-15 Đầu Trâu" "products are a numbered list"
press r KP1
expect r "[  ] kg" "the amount shows its unit"
expect r "tối đa 300 kg" "and its plausible maximum"
press r KPEnter
expect r "Hãy nhập một số trước." "an empty amount is refused in words"
press r KP3 KP5 KP0 KPEnter
expect r "350 kg là quá nhiều (tối đa 300 kg)." "an implausible amount is refused in words"
press r BSpace BSpace BSpace KP5 KP0 KP. KP5
press r KP.
expect r "Đã có dấu thập phân rồi." "a second point is refused"
press r KPEnter
expect r "Bón cách nào?" "method"
press r KP1
expect r "Ai làm?" "who did it, from the workers list"
press r KP1
expect r "Lượng: 50,5 kg" "one look at the record before saving: the amount"
expect r "Cách bón: châm phân (venturi)" "and how it was given"
expect r "Người làm: Nguyễn Văn Ba" "with who did it"
press r KPEnter
expect r "Đã lưu: 50,5 kg NPK 20-20-15 Đầu Trâu cho Mít" "fertilizing saved"

# An organic zone refuses a synthetic fertilizer, and says why.
press r KP1 KPEnter KP2 KP1
expect r "Vú sữa Hoàng Kim là khu hữu cơ: NPK 20-20-15 Đầu" "organic zone refuses NPK"
press r KP0
expect r "Chưa ghi: hãy chọn sản phẩm đã dùng." "0: another product is chosen"
press r KP4 KP5 KP0 KP0 KPEnter KP2 KP2 KPEnter
expect r "Đã lưu: 500 kg Phân hữu cơ vi sinh Sông Gianh" "organic fertilizer on the organic zone"

# Phun thuốc: the earliest harvest day is computed and shown.
press r KP2 KPEnter KP1
expect r "Phun thuốc gì?" "spraying asks for the product"
press r KP1 KP2 KP5 KP0 KPEnter
expect r "Phun trừ gì?" "then the pest"
press r KP1 KP2
expect r "Cách ly 7 ngày, thu hoạch: 17/06/2026" "earliest harvest day shown"
press r KPEnter
expect r "Đã lưu. Mít ruột đỏ được thu hoạch từ" "spraying saved"

# Thu hoạch inside the interval: refused unless the manager allows it.
press r KP/ KP4 KP1 KPEnter KP1
expect r "Mít ruột đỏ đang trong thời gian cách ly" "harvest inside the interval is refused"
expect r "Radiant 60SC" "naming the spray"
press r KPEnter
expect r "Chưa có mã PIN quản lý" "no override without a manager PIN"
press r KP0
expect r "Chưa lưu: chờ hết thời gian cách ly" "refusal kept"

# A harvest on the organic zone: kg with the decimal point, grade, buyer.
press r KP2
expect r "Bao nhiêu ký?" "kilograms asked (one crop: no question)"
press r KP1 KP2 KP5 KP0 KP. KP5 KPEnter
expect r "Phân loại nào?" "grade"
press r KP1
expect r "Bán cho ai?" "buyer"
press r KP2 KP3
expect r "Cây trồng: Vú sữa" "the harvest at one look: the crop"
expect r "Khối lượng: 1.250,5 kg" "and its weight, thousands grouped"
press r KPEnter
expect r "Mã lô: PT01-260610-01" "the lot code"
expect r "Đã lưu: 1.250,5 kg, mã lô PT01-260610-01." "harvest saved"
# Large characters: two lines of three rows of half blocks, the code's
# two parts.
block_rows() { [ "$(screen r | grep -cE '^ *[█▀▄][█▀▄ ]+$')" -ge 6 ]; }
until_true 10 block_rows && ok "the lot code in large characters: six rows of blocks" ||
	bad "the lot code in large characters" r
# Power cut right after "Đã lưu".
stop_station "$DB" KILL
wait_for r "[exit 137]" 10 && ok "killed with SIGKILL after Đã lưu" || bad "not killed" r
n=$(sql "$DB" "SELECT count(*) FROM records WHERE kind = 'harvest' AND lot_code = 'PT01-260610-01' AND kg = 1250.5")
[ "$n" = 1 ] && ok "the harvest survived kill -9" || bad "harvest after kill -9: $n"
sql "$DB" "PRAGMA integrity_check" | grep -qx ok && ok "database intact" || bad "integrity"

# Back again: the books, newest first.
start r --config "$CFG" --db "$DB" --clock 2026-06-10T09:00
expect r "1 Độ ẩm đất" "station back after the cut"
press r KP4 KP2
expect_words r "1 10/06 PT01-260610-01 1.250,5 kg Vú sữa Hoàng Kim" "harvest book after the restart, the zone whole"
press r KP/ KP3 KP3
expect_words r "1 10/06 Vú sữa Hoàng Kim 500 kg Phân hữu cơ vi sinh Sông Gianh" "fertilizing book, newest first, nothing cut"
expect_words r "2 10/06 Mít ruột đỏ 50,5 kg NPK 20-20-15 Đầu Trâu" "and the first one second"
# Ten older fertilizings (as if logged in May): the book turns pages.
for d in 10 11 12 13 14 15 16 17 18 19; do
	sql "$DB" "INSERT INTO records(kind, day, zone, zone_name, product, product_name, organic,
		amount, unit, method, who, who_name, entered_at) VALUES ('fertilize', '2026-05-$d',
		'mit', 'Mít ruột đỏ', 'ure', 'Urê Phú Mỹ', 0, $d, 'kg', 'hand', 'tu', 'Lê Văn Tư',
		strftime('%s', '2026-05-$d 10:00'))"
done
press r KP0 KP3
expect r " trên 12   +/-: lật" "twelve records make more than a page"
shown() { screen r | grep -o '[0-9]*-[0-9]* trên 12' | head -n 1; }
case $(shown) in 1-*) ok "page 1 starts with the newest ($(shown))" ;; *) bad "first page: $(shown)" r ;; esac
expect_words r "1 10/06 Vú sữa Hoàng Kim 500 kg" "newest first on page 1"
expect_not r "10/05" "the oldest are not on page 1"
press r KP+
expect r "-12 trên 12" "+ turns to the last page"
expect r "10/05 Mít ruột đỏ 10 kg Urê Phú Mỹ" "the oldest on the last page"
press r KP+
expect r "Đây là trang cuối." "no page past the last"
press r KP-
expect_line r " 1-[0-9]+ trên 12" "- turns back to the first page"
case $(shown) in 1-*) ok "- turns back ($(shown))" ;; *) bad "after -: $(shown)" r ;; esac
press r KP0 KP4
expect r "10/06 Mít ruột đỏ 250 ml Radiant 60SC" "spraying book"
press r KP1
expect r "Cách ly 7 ngày, thu hoạch: 17/06/2026" "a spray's details"
when=$(sql "$DB" "SELECT strftime('%d/%m/%Y %H:%M', entered_at, 'unixepoch', 'localtime')
	FROM records WHERE kind = 'spray' AND product = 'radiant' ORDER BY id LIMIT 1")
expect_words r "Người làm: Trần Thị Hoa; ghi lúc $when" "who entered it and when ($when), wrapped, not cut"

# Corrections need the manager's PIN: set it first in Settings.
press r KP/ KP6
expect r "Chưa có mã PIN quản lý. Hãy chọn một mã" "first PIN is chosen in Settings"
press r KP1 KP3 KP5 KP7 KPEnter
expect r "Nhập lại mã PIN đó một lần nữa:" "typed twice"
press r KP1 KP3 KP5 KP7 KPEnter
expect r "Đã đặt mã PIN quản lý." "PIN set"
h=$(sql "$DB" "SELECT value FROM meta WHERE key = 'manager_pin'")
case "$h" in '$y$'*) ok "only a yescrypt hash is stored";; *) bad "stored PIN: $h";; esac
press r KP/ KP6 KP9 KP9 KP9 KP9 KPEnter
expect_words r "Sai mã PIN: còn 4 lần thử, sau đó mã PIN bị từ chối trong 5 phút." "a wrong PIN is refused, saying how many tries are left"
press r KP/

# Correct the harvest: 1250,5 should have been 1205,5.
press r KP4 KP2 KP1 KP1
expect r "Mã PIN quản lý:" "a correction asks for the PIN"
press r KP1 KP3 KP5 KP7 KPEnter
expect r "Làm ngày nào?" "the correction starts from the old record"
press r KPEnter KPEnter KP1 KP2 KP0 KP5 KP. KP5 KPEnter KPEnter KPEnter KPEnter
expect r "Sửa ghi chép số" "the correction says what it corrects"
press r KPEnter
expect r "Đã lưu: 1.205,5 kg, mã lô PT01-260610-01." "correction saved, same lot code"
expect_words r "1 10/06 PT01-260610-01 1.205,5 kg Vú sữa Hoàng Kim [bản sửa]" "the correction in the book"
expect_words r "2 10/06 PT01-260610-01 1.250,5 kg Vú sữa Hoàng Kim [đã sửa]" "the old record stays, marked corrected"
n=$(sql "$DB" "SELECT count(*) FROM records WHERE kind = 'harvest'")
[ "$n" = 2 ] && ok "both records are kept" || bad "harvest rows: $n"

# The manager allows a harvest inside the interval: recorded.
press r KP0 KP1 KPEnter KP1
expect r "đang trong thời gian cách ly" "interval again"
press r KPEnter KP1 KP3 KP5 KP7 KPEnter
expect r "Quản lý đã cho phép thu hoạch" "the manager allowed it"
press r KP8 KP0 KP0 KPEnter KP2 KP1 KP4
expect r "Cách ly: quản lý đã cho phép." "the override shows before saving"
press r KPEnter
expect r "Mã lô: PT01-260610-02" "second lot of the day"

# + shows the lot as a QR code: module for module what libqrencode's own
# qrencode command makes of the code (level M, one-module margin).
qrencode -l M -m 0 -t ASCII "PT01-260610-02" | sed 's/##/1/g; s/  /0/g' >"$TMP/qr-want"
press r KP+
qr_from_screen() {
	screen r | head -n 12 | sed 's/█/3/g; s/▀/1/g; s/▄/2/g' | while IFS= read -r l; do
		l="$l                         "
		l="${l:1:23}"
		top="" bot=""
		for ((i = 0; i < 23; i++)); do
			case "${l:i:1}" in
			3) top+=1 bot+=1 ;;
			1) top+=1 bot+=0 ;;
			2) top+=0 bot+=1 ;;
			*) top+=0 bot+=0 ;;
			esac
		done
		echo "$top"
		echo "$bot"
	done
}
# Until the QR code is drawn (a scaled deadline): the screen is read
# after +, not before.
qr_shown() {
	qr_from_screen >"$TMP/qr-screen"
	sed -n '2,22p' "$TMP/qr-screen" | cut -c2-22 >"$TMP/qr-got"
	cmp -s "$TMP/qr-got" "$TMP/qr-want"
}
if [ "$(wc -l <"$TMP/qr-want")" = 21 ] && until_true 10 qr_shown; then
	ok "the QR code on screen is the lot code's"
else
	bad "QR code differs from qrencode's" r
fi
sed -n '1p;23p' "$TMP/qr-screen" | grep -q 1 && bad "the QR code's margin is not light" || ok "QR code has its light margin"
# And a QR reader reads it: the screen's modules, eight pixels each, with
# the quiet zone a phone finds around a screen.
if command -v zbarimg >/dev/null; then
	{
		echo "P1 $(((23 + 6) * 8)) $(((23 + 6) * 8))"
		{ for i in 1 2 3; do printf '%023d\n' 0; done
		  sed -n '1,23p' "$TMP/qr-screen"
		  for i in 1 2 3; do printf '%023d\n' 0; done; } |
		while IFS= read -r row; do
			row="000${row}000" px=""
			for ((i = 0; i < 29; i++)); do px+="${row:i:1}${row:i:1}${row:i:1}${row:i:1}${row:i:1}${row:i:1}${row:i:1}${row:i:1}"; done
			for i in 1 2 3 4 5 6 7 8; do echo "$px"; done
		done
	} >"$TMP/qr.pbm"
	got=$(zbarimg -q --raw "$TMP/qr.pbm" 2>/dev/null)
	[ "$got" = "PT01-260610-02" ] && ok "a QR reader (zbarimg) reads the lot code off the screen" ||
		bad "zbarimg read \"$got\""
else
	echo "SKIP (part) records.sh: no zbarimg, the QR code is not read back (scripts/install-deps.sh --all)"
fi
press r KPEnter
n=$(sql "$DB" "SELECT count(*) FROM records r JOIN records s ON s.id = r.phi_override WHERE r.lot_code = 'PT01-260610-02' AND s.product = 'radiant'")
[ "$n" = 1 ] && ok "the override is recorded with the spray" || bad "override: $n"

# Trace the lot: what was done to its zone in the season.
press r KP3 KP1
expect r "Mã lô: PT01-260610-02" "trace of the lot"
expect r "Mùa vụ: 11/02/2026 - 10/06/2026" "its season"
expect r "10/05 Bón Urê Phú Mỹ 10 kg" "the season's first fertilizing"
press r KP+
expect r "10/06 Bón NPK 20-20-15 Đầu Trâu 50,5 kg" "the fertilizing"
expect r "10/06 Phun Radiant 60SC 250 ml (Rệp sáp)" "the spraying"
expect r "trong cách ly: quản lý cho phép" "the spray the manager overrode, as the harvest screen judged it"
expect r "Tưới: 0 lần" "irrigation totals"
expect_not r "Phân hữu cơ vi sinh" "another zone's fertilizing is not in it"

# The same sheet as a file, for the office, beside the running station.
out=$("$BIN" --config "$CFG" --db "$DB" trace PT01-260610-02 "$TMP/lot.csv")
[ $? = 0 ] && [ -s "$TMP/lot.csv" ] && ok "trace ends well (exit 0) and writes the sheet" || bad "trace: $out"
head -c 3 "$TMP/lot.csv" | od -An -tx1 | grep -q "ef bb bf" && ok "sheet starts with a BOM for spreadsheets" || bad "no BOM"
grep -q "Phiếu truy xuất mã lô;PT01-260610-02" "$TMP/lot.csv" && ok "sheet names the lot" || bad "sheet: $(head -c 300 "$TMP/lot.csv")"
grep -q "^Ghi chú;Thu hoạch trong thời gian cách ly, quản lý đã cho phép" "$TMP/lot.csv" && ok "sheet tells of the override" || bad "sheet override"
grep -q "^10/06/2026;Phun thuốc;Radiant 60SC;không;250;ml;Rệp sáp;7;17/06/2026;Trần Thị Hoa;10/06/2026 [0-9:]*;thu hoạch trong thời gian cách ly: quản lý đã cho phép bằng mã PIN"$'\r'"\?\$" "$TMP/lot.csv" &&
	ok "sheet lists the spray with its interval, overridden by the manager" || bad "sheet spray: $(cat "$TMP/lot.csv")"
grep -q "Phân hữu cơ vi sinh" "$TMP/lot.csv" && bad "sheet has another zone's record" || ok "sheet keeps to the lot's zone"
"$BIN" --config "$CFG" --db "$DB" trace PT01-000000-09 2>"$TMP/err"
[ $? = 1 ] && grep -q "Không có mã lô PT01-000000-09" "$TMP/err" && ok "an unknown lot is named" || bad "unknown lot: $(cat "$TMP/err")"

# What was logged on the keypad, read back from the export for the office.
mkdir -p "$TMP/usb"
out=$("$BIN" --config "$CFG" --db "$DB" --clock 2026-06-10T10:00 export --to "$TMP/usb" 2>&1)
E="$TMP/usb/PT01_2026-06-10"
[ -d "$E" ] && ok "export written beside the running station" || bad "export: $out"
grep -q ";10/06/2026;Mít ruột đỏ;NPK 20-20-15 Đầu Trâu;không;50,50;kg;châm phân (venturi);;Nguyễn Văn Ba;10/06/2026 08:00;" "$E/bon-phan.csv" &&
	ok "export: the fertilizing as entered" || bad "bon-phan.csv: $(cat "$E/bon-phan.csv")"
grep -q ";10/06/2026;Mít ruột đỏ;Radiant 60SC;không;Rệp sáp;250,00;ml;7;17/06/2026;;Trần Thị Hoa;" "$E/phun-thuoc.csv" &&
	ok "export: the spraying with its interval" || bad "phun-thuoc.csv: $(cat "$E/phun-thuoc.csv")"
n=$(grep -c ";PT01-260610-01;" "$E/thu-hoach.csv")
[ "$n" = 2 ] && ok "export: the harvest and its correction, both" || bad "thu-hoach.csv: $(cat "$E/thu-hoach.csv")"
when=$(sql "$DB" "SELECT strftime('%d/%m/%Y %H:%M', entered_at, 'unixepoch', 'localtime')
	FROM records WHERE lot_code = 'PT01-260610-01' AND corrects IS NOT NULL")
grep -q ";PT01-260610-01;1205,5;Loại 1 (xuất khẩu);Vựa trái cây Minh Phát;Lê Văn Tư;$when;[0-9]" "$E/thu-hoach.csv" &&
	ok "export: the correction points at the old record" || bad "correction: $(cat "$E/thu-hoach.csv")"
spray_no=$(grep "Radiant 60SC" "$E/phun-thuoc.csv" | cut -d';' -f2)
grep -q ";PT01-260610-02;800,0;.*;không;;$spray_no"$'\r'"\?\$" "$E/thu-hoach.csv" &&
	ok "export: the override names the spray" || bad "override: $(cat "$E/thu-hoach.csv")"
grep -q "Radiant 60SC" "$E/truy-xuat-PT01-260610-02.csv" && ok "export: the lot's traceability sheet" ||
	bad "truy-xuat: $(ls "$E")"

# A forgotten PIN is reset from the board's shell, once the station is
# stopped and with its code; Settings asks anew.
out=$("$BIN" --config "$CFG" --db "$DB" reset-pin PT01 2>&1)
[ $? = 1 ] && echo "$out" | grep -q "hãy dừng trạm trước" && ok "reset-pin waits for the station to stop" ||
	bad "reset-pin while running: $out"
stop_station "$DB" TERM
wait_for r "[exit 0]"
"$BIN" --config "$CFG" --db "$DB" --clock 2026-06-10T10:30 reset-pin PT01 | grep -q "chọn mã mới trong Cài đặt" &&
	ok "reset-pin" || bad "reset-pin"
start r --config "$CFG" --db "$DB" --clock 2026-06-10T10:30
wait_for r "1 Độ ẩm đất"
press r KP6
expect r "Chưa có mã PIN quản lý. Hãy chọn một mã" "Settings ask for a new PIN after the reset"

finish
