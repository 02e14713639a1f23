#!/bin/bash
# The export as an office opens it in a spreadsheet, with names a
# configuration allows that look like values: station code 0101, a buyer
# 0912345678 (a telephone number), a grade 1/6 and a worker =1+2. The
# CSVs are opened in LibreOffice Calc (headless) as on a Vietnamese PC set
# up like Excel: ';' between fields, UTF-8, language vi-VN (decimal
# comma, dates day first), special numbers detected, formulas evaluated
# and not; every cell is read back with an independent reader
# (tests/e2e/sheets.py: Python's zipfile and XML) and compared with what
# the CSV says and with the station's own records.
. "$(dirname "$0")/lib.sh"

if ! command -v python3 >/dev/null; then
	echo "SKIPPED: $0 reads the spreadsheets with python3 (scripts/install-deps.sh)"
	exit 77
fi
CFG="$TMP/0101.ini"
DB="$TMP/station.db"
sed 's/^code = PT01 .*/code = 0101/
/^\[grade\.1\]/,/^name/s/^name = .*/name = 1\/6/
/^\[buyer\.minhphat\]/,/^name/s/^name = .*/name = 0912345678/
/^\[worker\.ba\]/,/^name/s/^name = .*/name = =1+2/' "$TOP/config/demo.ini" >"$CFG"

# A pump run and a harvest on the keypad, as the leader makes them.
start s --config "$CFG" --db "$DB" --clock 2026-06-01T06:00
wait_for s "1 Độ ẩm đất"
press s KP2 KP1 KP3 KP0 KPEnter KPEnter KPEnter
expect s "Bơm đang chạy: 1" "a pump runs"
press s KP/ KP4 KP1 KPEnter KP2
expect s "Bao nhiêu ký?" "a harvest of Vú sữa"
press s KP1 KP2 KP5 KP0 KP. KP5 KPEnter
expect s "1 1/6" "the grade 1/6 is in the list"
press s KP1
expect s "2 0912345678" "the buyer 0912345678 is in the list"
press s KP2
expect s "1 =1+2" "the worker =1+2 is in the list"
press s KP1
expect s "Cây trồng: Vú sữa" "the harvest at one look: its crop"
expect s "Khối lượng: 1.250,5 kg" "and its weight"
press s KPEnter
expect s "Mã lô: 0101-260601-01" "the lot code of station 0101"
stop_station "$DB" TERM
wait_for s "[exit 0]"

# Around the harvest on Vú sữa, as if entered at the station: a
# fertilizing before it, a spray whose interval ended, a spray recorded
# at 15:51 the same day, and a spray dated the day before but recorded
# after the harvest, whose interval covers it; runs of its pump before
# and after.
at() { date -d "2026-$1" +%s; }
sql "$DB" "INSERT INTO records(kind, day, zone, zone_name, product, product_name, organic, amount,
		unit, method, who, who_name, entered_at)
	VALUES ('fertilize', '2026-05-30', 'vusua', 'Vú sữa Hoàng Kim', 'huuco',
		'Phân hữu cơ vi sinh Sông Gianh', 1, 400, 'kg', 'hand', 'hoa', 'Trần Thị Hoa',
		$(at '05-30 10:00'));
	INSERT INTO records(kind, day, zone, zone_name, product, product_name, organic, amount, unit,
		target, phi_days, harvest_from, who, who_name, entered_at)
	VALUES ('spray', '2026-05-28', 'vusua', 'Vú sữa Hoàng Kim', 'daukhoang',
		'Dầu khoáng SK Enspray 99EC', 1, 250, 'ml', 'Rệp sáp', 1, '2026-05-29', 'hoa',
		'Trần Thị Hoa', $(at '05-28 16:00')),
	('spray', '2026-06-01', 'vusua', 'Vú sữa Hoàng Kim', 'daukhoang',
		'Dầu khoáng SK Enspray 99EC', 1, 300, 'ml', 'Rệp sáp', 1, '2026-06-02', 'hoa',
		'Trần Thị Hoa', $(at '06-01 15:51')),
	('spray', '2026-05-31', 'vusua', 'Vú sữa Hoàng Kim', 'namxanh', 'Nấm xanh Metarhizium', 1,
		500, 'g', 'Bọ trĩ', 3, '2026-06-03', 'hoa', 'Trần Thị Hoa', $(at '06-01 16:00'));
	INSERT INTO pump_runs(pump, zone, reason, started, planned_end, ended, end_reason, power_kw,
		kwh_offpeak, kwh_normal, kwh_peak, cost_offpeak, cost_normal, cost_peak, cost_at_peak)
	VALUES ('p2', 'vusua', 'manual', $(at '06-01 04:00'), $(at '06-01 04:20'), $(at '06-01 04:20'),
		'done', 1.1, 0.367, 0, 0, 477, 0, 0, 1335),
	('p2', 'vusua', 'manual', $(at '06-01 09:00'), $(at '06-01 09:20'), $(at '06-01 09:20'),
		'done', 1.1, 0, 0.367, 0, 0, 729, 0, 1335);"

mkdir -p "$TMP/usb"
out=$("$BIN" --config "$CFG" --db "$DB" --clock 2026-06-01T08:00 export --to "$TMP/usb" 2>&1)
F="$TMP/usb/0101_2026-06-01"
[ $? = 0 ] && [ -d "$F" ] && ok "exported" || bad "export: $out"
mark=$'\u200b'
grep -q "^${mark}0101;1;Bơm 1;" "$F/nhat-ky-tuoi.csv" &&
	ok "the station code 0101 is marked as text in the diary" || bad "diary: $(sed -n 2p "$F/nhat-ky-tuoi.csv")"
grep -q ";${mark}1\/6;${mark}0912345678;${mark}=1+2;" "$F/thu-hoach.csv" &&
	ok "grade, buyer and worker marked as text, no apostrophe" || bad "harvests: $(cat "$F/thu-hoach.csv")"

# LibreOffice, with a profile of its own; the import settings of the
# office's PC (the filter's options: separator 59 ';', text delimiter 34,
# UTF-8 76, from line 1, standard columns, vi-VN 1066, quoted fields not
# forced to text, special numbers detected, spaces kept, and last
# whether formulas are evaluated).
if ! command -v soffice >/dev/null; then
	echo "SKIP the CSVs in LibreOffice: no soffice (scripts/install-deps.sh --all installs libreoffice-calc-nogui)"
else
	for ev in false true; do
		soffice --headless --norestore "-env:UserInstallation=file://$TMP/lo-profile" \
			--infilter="Text - txt - csv (StarCalc):59,34,76,1,,1066,false,true,false,false,false,-1,$ev" \
			--convert-to xlsx --outdir "$TMP/lo-$ev" "$F"/*.csv >"$TMP/lo-$ev.log" 2>&1
		n=$(ls "$TMP/lo-$ev"/*.xlsx 2>/dev/null | wc -l)
		[ "$n" = "$(ls "$F"/*.csv | wc -l)" ] && ok "LibreOffice opened the $n CSVs (formulas evaluated: $ev)" ||
			bad "LibreOffice made $n sheets: $(cat "$TMP/lo-$ev.log")"
		for f in "$F"/*.csv; do
			b=$(basename "$f" .csv)
			sheets_check csv-as-read "$f" "$TMP/lo-$ev/$b.xlsx" "$b.csv (formulas evaluated: $ev)"
		done
		sheets_check harvest-cells "$TMP/lo-$ev/thu-hoach.xlsx" "$DB" "thu-hoach.csv in LibreOffice ($ev)"
	done
fi

# The workbook beside the CSVs, read back with Python's zipfile and XML
# and compared with the CSVs and with the station's database.
[ -f "$F/so-ghi-chep.xlsx" ] && grep -q "  so-ghi-chep.xlsx\$" "$F/manifest.txt" &&
	ok "the workbook is in the folder and its signed manifest" || bad "no workbook: $(ls "$F")"
sheets_check workbook "$F/so-ghi-chep.xlsx" "$F" "$DB" 2026-06-01T08:00 "$CFG"
# And a spreadsheet program reads its cells as typed: LibreOffice saves
# it again, and the cells it kept are compared once more.
if command -v soffice >/dev/null; then
	soffice --headless --norestore "-env:UserInstallation=file://$TMP/lo-profile" \
		--convert-to xlsx --outdir "$TMP/lo-book" "$F/so-ghi-chep.xlsx" >"$TMP/lo-book.log" 2>&1
	[ -f "$TMP/lo-book/so-ghi-chep.xlsx" ] && ok "LibreOffice opens the workbook" ||
		bad "LibreOffice: $(cat "$TMP/lo-book.log")"
	sheets_check workbook-cells "$TMP/lo-book/so-ghi-chep.xlsx" "$F" "the workbook as LibreOffice read it"
fi

# Texts from anywhere (a station's database merged at the office holds
# what its sender put there, a configuration what its writer did):
# control bytes, an escape sequence, bytes
# that are not UTF-8, what XML cannot hold, a CR LF, a "_x0041_" that a
# spreadsheet would read as "A", and texts longer than Excel's 32767
# characters in a cell. The workbook is whole, each cell what it should
# be, and LibreOffice opens it.
python3 - "$DB" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
spray = ("INSERT INTO records(kind, day, zone, zone_name, product, product_name, organic,"
         " amount, unit, target, phi_days, harvest_from, who, who_name, entered_at)"
         " VALUES ('spray', '2026-05-20', 'vusua', ?, 'x', ?, 1, 250, 'ml', ?, 1, '2026-05-21',"
         " 'hoa', ?, 1779300000)")
db.execute(spray, ("Vú\x1b[31m sữa\x07", "Dầu khoáng " + "ạ" * 40000,
                   "Rệp\r\nsáp _x0041_ \uffff\ufffe\u202e hết", "Hoa\x00 ẩn"))
db.execute(spray, (b"Khu \xff\xfe \xed\xa0\x80 \xc0\xaf", "\U0001F600" * 20000, "Rầy\rnâu", "\x9b2J"))
db.commit()
EOF
# And a station name that a configuration allows.
sed "s/^name = HTX Phước Thiện - trạm 1/name = HTX $(printf '\xef\xbf\xbf') _x0041_ $(printf '\xef\xbf\xbe')/" \
	"$CFG" >"$TMP/hostile.ini"
mkdir -p "$TMP/usb2"
out=$("$BIN" --config "$TMP/hostile.ini" --db "$DB" --clock 2026-06-01T09:00 export --to "$TMP/usb2" 2>&1)
H="$TMP/usb2/0101_2026-06-01"
[ -f "$H/so-ghi-chep.xlsx" ] && ok "exported with hostile texts" || bad "export: $out"
sheets_check hostile "$H/so-ghi-chep.xlsx" "$DB" "$TMP/hostile.ini" "so-ghi-chep.xlsx with hostile texts"
if command -v soffice >/dev/null; then
	soffice --headless --norestore "-env:UserInstallation=file://$TMP/lo-profile" \
		--convert-to xlsx --outdir "$TMP/lo-hostile" "$H/so-ghi-chep.xlsx" >"$TMP/lo-hostile.log" 2>&1
	sheets_check hostile "$TMP/lo-hostile/so-ghi-chep.xlsx" "$DB" "$TMP/hostile.ini" "hostile texts as LibreOffice read them"
fi

finish
