#!/bin/bash
# At the office: two stations' sticks, held until the office trusts each
# station (its code and key's fingerprint as the station shows them),
# then merged into one database, merged again without a row twice, the
# combined CSVs written from it, and a folder that is not a whole station
# export refused with its reason.
. "$(dirname "$0")/lib.sh"

STICK="$TMP/stick"
OFFICE="$TMP/office/hop-tac-xa.db"
mkdir -p "$STICK" "$TMP/office"
sed 's/^code = PT01 .*/code = PT02/; s/^name = HTX Phước Thiện - trạm 1/name = HTX Phước Thiện - trạm 2/' \
	"$TOP/config/demo.ini" >"$TMP/pt02.ini"

# Each station runs a while, a pump on, then its leader exports.
for n in 1 2; do
	cfg="$TOP/config/demo.ini"
	[ $n = 2 ] && cfg="$TMP/pt02.ini"
	start s$n --config "$cfg" --db "$TMP/st$n.db" --clock 2026-06-01T05:00 --clock-speed 600
	wait_for s$n "1 Độ ẩm đất"
	press s$n KP2 KP1 KP2 KP0 KPEnter KPEnter KPEnter
	expect s$n "Bơm đang chạy: 1" "station $n: a pump runs"
	expect s$n "Bơm đang chạy: 0" "station $n: its 20 minutes end by themselves" "$(station_wait 1200 600)"
	stop_station "$TMP/st$n.db" TERM
	wait_for s$n "[exit 0]"
	out=$("$BIN" --config "$cfg" --db "$TMP/st$n.db" --clock 2026-06-01T08:00 export --to "$STICK")
	[ $? = 0 ] && ok "station $n exported" || bad "station $n export: $out"
done
runs=$(($(sql "$TMP/st1.db" "SELECT count(*) FROM pump_runs") + $(sql "$TMP/st2.db" "SELECT count(*) FROM pump_runs")))

# Neither station is trusted here yet: both held with their codes and
# their keys' fingerprints as the stations show them, exit 3, nothing
# merged, the stick as it was.
stick_sum() { (cd "$STICK" && find . -type f -exec sha256sum {} + | sort | sha256sum); }
before=$(stick_sum)
out=$("$BIN" merge --into "$OFFICE" "$STICK" 2>&1)
rc=$?
held=0
for n in 1 2; do
	cfg="$TOP/config/demo.ini"
	[ $n = 2 ] && cfg="$TMP/pt02.ini"
	fp=$("$BIN" --config "$cfg" --db "$TMP/st$n.db" status | sed -n 's/^Vân tay khóa ký: //p')
	[ ${#fp} = 19 ] && echo "$out" | grep -qF "PT0${n}_2026-06-01: tạm giữ: trạm PT0$n chưa được tin cậy ở đây; vân tay khóa của trạm là $fp." &&
		held=$((held + 1))
done
[ $rc = 3 ] && [ $held = 2 ] && ok "both held, with code and fingerprint (exit 3)" || bad "held rc=$rc: $out"
echo "$out" | grep -qF "fieldstation trust --into $OFFICE $STICK/PT01_2026-06-01" &&
	ok "the report says how to trust it" || bad "no trust command: $out"
[ "$(sql "$OFFICE" "SELECT count(*) FROM pump_runs") $(sql "$OFFICE" "SELECT count(*) FROM stations")" = "0 0" ] &&
	[ "$(stick_sum)" = "$before" ] && ok "nothing merged, the stick as it was" || bad "a held folder was merged"
# The office person trusts both; a script says --yes.
for n in 1 2; do
	out=$("$BIN" trust --into "$OFFICE" --yes --by "chị Hạnh" "$STICK/PT0${n}_2026-06-01" 2>&1)
	[ $? = 0 ] && echo "$out" | grep -q "Đã tin cậy trạm PT0$n" && ok "station $n trusted" ||
		bad "trust $n: $out"
done
[ "$(sql "$OFFICE" "SELECT group_concat(t, ',') FROM (SELECT code || ' ' || trusted_by AS t FROM trusted_stations ORDER BY code)")" = "PT01 chị Hạnh,PT02 chị Hạnh" ] &&
	ok "the office keeps whom it trusts, and who said so" || bad "trusted: $(sql "$OFFICE" "SELECT * FROM trusted_stations")"

# The stick's root holds both folders.
out=$("$BIN" merge --into "$OFFICE" "$STICK" 2>&1)
rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "PT01_2026-06-01: trạm PT01 (HTX Phước Thiện - trạm 1)" &&
	echo "$out" | grep -q "PT02_2026-06-01: trạm PT02 (HTX Phước Thiện - trạm 2)" &&
	ok "merge: both stations" || bad "merge rc=$rc: $out"
echo "$out" | grep -q "lần tưới: 1 mới" && ok "merge says what is new" || bad "merge report: $out"
[ "$(sql "$OFFICE" "SELECT count(*) FROM pump_runs")" = "$runs" ] && ok "office: $runs irrigation runs" ||
	bad "office runs: $(sql "$OFFICE" "SELECT count(*) FROM pump_runs"), stations had $runs"

# Again, and the folders one by one: nothing twice.
for k in 1 2; do
	out=$("$BIN" merge --into "$OFFICE" "$STICK" "$STICK/PT01_2026-06-01" 2>&1)
	[ $? = 0 ] && [ "$(echo "$out" | grep -c "không có gì mới: đã gộp trước đây")" = 3 ] &&
		ok "merged again ($k): nothing new" || bad "merge again: $out"
done
[ "$(sql "$OFFICE" "SELECT count(*) FROM pump_runs")" = "$runs" ] &&
	[ "$(sql "$OFFICE" "SELECT count(*) FROM events")" = "$(($(sql "$TMP/st1.db" "SELECT count(*) FROM events") + $(sql "$TMP/st2.db" "SELECT count(*) FROM events")))" ] &&
	ok "no row twice" || bad "rows doubled"

# The combined CSVs.
out=$("$BIN" --db "$OFFICE" --clock 2026-06-02T08:00 export --to "$TMP/office")
[ $? = 0 ] && [ -d "$TMP/office/TONG-HOP_2026-06-02" ] && ok "office export: TONG-HOP_2026-06-02" ||
	bad "office export: $out"
F="$TMP/office/TONG-HOP_2026-06-02"
[ "$(grep -c '^PT01;' "$F/nhat-ky-tuoi.csv")" -ge 1 ] && [ "$(grep -c '^PT02;' "$F/nhat-ky-tuoi.csv")" -ge 1 ] &&
	[ "$(($(wc -l <"$F/nhat-ky-tuoi.csv") - 1))" = "$runs" ] &&
	ok "combined irrigation diary: both stations, every run once" || bad "combined diary: $(cat "$F/nhat-ky-tuoi.csv")"
grep -q "^PT02;01/06/2026;Mít ruột đỏ;soil1;" "$F/do-am-dat-hang-ngay.csv" &&
	ok "combined daily moisture with zone names" || bad "combined moisture: $(head -3 "$F/do-am-dat-hang-ngay.csv")"
(cd "$F" && sha256sum --quiet -c manifest.txt) && ok "office folder checks with sha256sum" || bad "office manifest"
# The same workbook as a station's, for all the stations together: read
# back independently, its sheets the combined CSVs cell for cell, its
# first sheet naming both stations.
grep -q "  so-ghi-chep.xlsx\$" "$F/manifest.txt" && ok "office workbook in the manifest" || bad "office workbook: $(ls "$F")"
if command -v python3 >/dev/null; then
	sheets_check workbook "$F/so-ghi-chep.xlsx" "$F" "$OFFICE" 2026-06-02T08:00
else
	echo "SKIP the office workbook's cells: no python3 (scripts/install-deps.sh)"
fi

# Refused: a folder whose database copy was changed, and one not an export.
cp -r "$STICK/PT01_2026-06-01" "$TMP/changed"
sql "$TMP/changed/sao-luu.db" "DELETE FROM pump_runs"
out=$("$BIN" merge --into "$OFFICE" "$TMP/changed" 2>&1)
rc=$?
[ $rc = 1 ] && echo "$out" | grep -q "changed: bị từ chối: sao-luu.db không còn như lúc chép ra" &&
	ok "changed copy refused, with the reason" || bad "changed copy rc=$rc: $out"
out=$("$BIN" merge --into "$OFFICE" "$TMP/office" 2>&1)
[ $? = 1 ] && ok "a folder without exports: exit 1 ($out)" || bad "no exports: $out"
out=$("$BIN" merge --into "$TMP/st1.db" "$STICK" 2>&1)
[ $? = 1 ] && echo "$out" | grep -q "cơ sở dữ liệu riêng của một trạm" &&
	ok "a station's own database is not merged into" || bad "into a station: $out"
[ "$(sql "$OFFICE" "SELECT count(*) FROM pump_runs")" = "$runs" ] && ok "refusals merged nothing" ||
	bad "office changed by a refusal"

# A station started on the office's database says so and writes nothing
# into it: no start, no run closed.
events=$(sql "$OFFICE" "SELECT count(*) FROM events")
start office --config "$TOP/config/demo.ini" --db "$OFFICE" --clock 2026-06-03T05:00
expect_words office "hop-tac-xa.db là cơ sở dữ liệu của văn phòng, gộp từ các trạm: không chạy trạm trên nó được." \
	"a station will not run on the office's database, and says why"
expect office "[exit 1]" "the console ends with 1 on the office's database"
[ "$(sql "$OFFICE" "SELECT count(*) FROM events")" = "$events" ] &&
	[ "$(sql "$OFFICE" "SELECT count(*) FROM pump_runs")" = "$runs" ] &&
	ok "the office's database is as it was" || bad "the office's database changed under a station"

finish
