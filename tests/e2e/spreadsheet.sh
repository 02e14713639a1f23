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
SHEETS="python3 $TOP/tests/e2e/sheets.py"

# The checks of sheets.py, counted as this script's own.
py_checks() {
	local out rc
	out=$($SHEETS "$@" 2>&1)
	rc=$?
	echo "$out"
	CHECKS=$((CHECKS + $(grep -c '^\(ok  \|FAIL\) ' <<<"$out")))
	FAILS=$((FAILS + $(grep -c '^FAIL ' <<<"$out")))
	[ $rc = 0 ] || grep -q '^FAIL ' <<<"$out" || bad "sheets.py $1 failed (exit $rc)"
}

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
			py_checks csv-as-read "$f" "$TMP/lo-$ev/$b.xlsx" "$b.csv (formulas evaluated: $ev)"
		done
		py_checks harvest-cells "$TMP/lo-$ev/thu-hoach.xlsx" "$DB" "thu-hoach.csv in LibreOffice ($ev)"
	done
fi

finish
