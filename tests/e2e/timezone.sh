#!/bin/bash
# Station time is the zone of [station] timezone (Asia/Ho_Chi_Minh by
# default), whatever the board's own TZ: the same station run under
# TZ=Asia/Ho_Chi_Minh, TZ=UTC and TZ=America/New_York shows the same
# screens, keeps the same record dates and lot codes, runs a schedule at
# the same hour and writes the same export, byte for byte. A zone the
# system does not have is refused naming the file, the line and the key.
. "$(dirname "$0")/lib.sh"

CFG="$TOP/config/demo.ini"
ZONES="Asia/Ho_Chi_Minh UTC America/New_York"

# zone_start NAME TZ ARGS...: the station under that system time zone
# (given on its command line: a tmux server keeps the environment it
# started with).
zone_start() {
	local name=$1 zone=$2 runner=$RUNNER
	shift 2
	RUNNER="env TZ=$zone $runner"
	start "$name" "$@"
	RUNNER=$runner
}

# db_of TZ: each zone's run has its own database.
db_of() { echo "$TMP/$(echo "$1" | tr '/' '_').db"; }

for zone in $ZONES; do
	z=$(echo "$zone" | tr '/' '_')
	DB=$(db_of "$zone")
	# Monday 1 June 2026, 06:30 on the farm: 23:30 on 31 May in UTC,
	# 19:30 on 31 May in New York.
	zone_start "$z" "$zone" --config "$CFG" --db "$DB" --clock 2026-06-01T06:30
	if ! wait_for "$z" "1 Độ ẩm đất"; then
		bad "TZ=$zone: the station did not start" "$z"
		continue
	fi
	settled "$z" "$TMP/$z.home"
	# A harvest on the keypad: its day and lot code are the farm's.
	press "$z" KP4 KP1 KPEnter KP1 KP1 KP2 KP0 KPEnter KP1 KP1 KP1
	wait_for "$z" "Ngày: 01/06/2026" || bad "TZ=$zone: the harvest's summary" "$z"
	press "$z" KPEnter
	expect "$z" "Đã lưu: 120 kg, mã lô PT01-260601-01." "TZ=$zone: the harvest of 01/06 is lot PT01-260601-01"
	settled "$z" "$TMP/$z.saved"
	# A schedule at 05:00 every day, on the keypad.
	press "$z" KP/ KP2 KP7 KP9 KP1 KPEnter KP0 KP5 KP0 KP0 KPEnter KP2 KP0 KPEnter KPEnter
	expect_words "$z" "Đã lưu lịch: Mít ruột đỏ, mỗi ngày 05:00, 20 phút." "TZ=$zone: a schedule for 05:00"
	stop_station "$DB" TERM
	wait_for "$z" "[exit 0]"

	# 18:01: peak hours on the farm, whatever the board's zone says
	# (11:01 in UTC would be normal hours).
	zone_start "$z" "$zone" --config "$CFG" --db "$DB" --clock 2026-06-01T18:01
	expect "$z" "01/06/2026 18:01 Giờ cao điểm" "TZ=$zone: 18:01 is peak hours"
	settled "$z" "$TMP/$z.peak"
	stop_station "$DB" TERM
	wait_for "$z" "[exit 0]"

	# The next morning at 04:50, 600 times faster: the schedule runs at
	# 05:00 farm time.
	zone_start "$z" "$zone" --config "$CFG" --db "$DB" --clock 2026-06-02T04:50 --clock-speed 600
	expect "$z" "Bơm đang chạy: 1" "TZ=$zone: the scheduled run starts" 30
	expect "$z" "Bơm đang chạy: 0" "TZ=$zone: and ends after its 20 minutes" 20
	stop_station "$DB" TERM
	wait_for "$z" "[exit 0]"
	t=$(sql "$DB" "SELECT strftime('%Y-%m-%d %H:%M', scheduled_for, 'unixepoch', '+7 hours') || ' ' ||
		strftime('%H:%M', started, 'unixepoch', '+7 hours') FROM pump_runs WHERE reason = 'schedule'")
	[ "$t" = "2026-06-02 05:00 05:00" ] && ok "TZ=$zone: the schedule ran at 05:00 farm time" ||
		bad "TZ=$zone: scheduled run at: $t"
	r=$(sql "$DB" "SELECT day || ' ' || lot_code FROM records WHERE kind = 'harvest'")
	[ "$r" = "2026-06-01 PT01-260601-01" ] && ok "TZ=$zone: the harvest is kept on 01/06/2026" ||
		bad "TZ=$zone: harvest row: $r"

	# What the office gets from this station's own database.
	mkdir -p "$TMP/export-$z"
	out=$(TZ=$zone "$BIN" --config "$CFG" --db "$DB" --clock 2026-06-02T08:00 export --to "$TMP/export-$z" 2>&1)
	[ "$out" = "Đã ghi và đọc lại để kiểm tra: $TMP/export-$z/PT01_2026-06-02" ] &&
		ok "TZ=$zone: exported into PT01_2026-06-02" || bad "TZ=$zone: export: $out"
done

# The Vietnamese station's diary, read on a board under each zone.
for zone in $ZONES; do
	z=$(echo "$zone" | tr '/' '_')
	cp "$(db_of Asia/Ho_Chi_Minh)" "$TMP/diary-$z.db"
	zone_start "d$z" "$zone" --config "$CFG" --db "$TMP/diary-$z.db" --clock 2026-06-02T08:00
	wait_for "d$z" "1 Độ ẩm đất"
	press "d$z" KP2 KP8
	expect "d$z" "theo lịch" "TZ=$zone: the irrigation diary"
	settled "d$z" "$TMP/$z.diary"
	press "d$z" KP1
	expect "d$z" "Lý do: theo lịch" "TZ=$zone: the scheduled run's details"
	settled "d$z" "$TMP/$z.run"
	stop_station "$TMP/diary-$z.db" TERM
done
grep -q "02/06 05:00" "$TMP/Asia_Ho_Chi_Minh.diary" && ok "the diary lists the run at 02/06 05:00" ||
	bad "diary: $(cat "$TMP/Asia_Ho_Chi_Minh.diary")"

# The screens under every zone are the farm's, cell for cell.
for zone in UTC America/New_York; do
	z=$(echo "$zone" | tr '/' '_')
	for what in home saved peak diary run; do
		if cmp -s "$TMP/Asia_Ho_Chi_Minh.$what" "$TMP/$z.$what"; then
			ok "TZ=$zone: the $what screen is the same as in Vietnam"
		else
			bad "TZ=$zone: the $what screen differs: $(diff "$TMP/Asia_Ho_Chi_Minh.$what" "$TMP/$z.$what" | tr '\n' ' ')"
		fi
	done
done
grep -q "01/06/2026 06:30 Giờ bình thường" "$TMP/Asia_Ho_Chi_Minh.home" &&
	ok "the home screen shows 06:30 on 01/06/2026" || bad "home screen: $(cat "$TMP/Asia_Ho_Chi_Minh.home")"

# Every CSV the same, and the manifest's times.
REF=$TMP/export-Asia_Ho_Chi_Minh/PT01_2026-06-02
grep -q "^PT01;1;01/06/2026;Mít ruột đỏ;Mít;PT01-260601-01;120,0;" "$REF/thu-hoach.csv" &&
	ok "the harvest diary says 01/06/2026" || bad "harvest diary: $(cat "$REF/thu-hoach.csv")"
grep -q ";02/06/2026 05:00;02/06/2026 05:" "$REF/nhat-ky-tuoi.csv" &&
	ok "the irrigation diary says 02/06/2026 05:00" || bad "irrigation diary: $(cat "$REF/nhat-ky-tuoi.csv")"
for zone in UTC America/New_York; do
	z=$(echo "$zone" | tr '/' '_')
	F=$TMP/export-$z/PT01_2026-06-02
	same=1
	for csv in "$REF"/*.csv; do
		# At 600 times speed, how many readings were taken before the
		# station stopped and the minute a run ended are a timer's
		# luck: those files are compared by their days and starts.
		fields=
		case $csv in
		*/bao-dong-va-su-kien.csv) continue ;;
		*/do-am-dat-hang-ngay.csv) fields=1-4 ;;
		*/nhat-ky-tuoi.csv) fields=1-7,13 ;;
		esac
		# What watering saved: its periods, zones and figures, and the
		# runs each period counts (its hours and kWh are the runs' luck).
		if [ "$(basename "$csv")" = tiet-kiem.csv ]; then
			[ "$(cut -d';' -f1-3 "$csv")" = "$(cut -d';' -f1-3 "$F/tiet-kiem.csv")" ] &&
				[ "$(grep ';;Số lần;' "$csv")" = "$(grep ';;Số lần;' "$F/tiet-kiem.csv")" ]
		elif [ -n "$fields" ]; then
			[ "$(cut -d';' -f$fields "$csv")" = "$(cut -d';' -f$fields "$F/$(basename "$csv")")" ]
		else
			cmp -s "$csv" "$F/$(basename "$csv")"
		fi || { same=0; bad "TZ=$zone: $(basename "$csv") differs"; }
	done
	[ "$(grep '^# made:\|^# from:' "$REF/manifest.txt")" = "$(grep '^# made:\|^# from:' "$F/manifest.txt")" ] ||
		{ same=0; bad "TZ=$zone: the manifest's times differ: $(grep '^# made:\|^# from:' "$F/manifest.txt")"; }
	[ "$same" = 1 ] && ok "TZ=$zone: the export's CSVs and times are the same as in Vietnam"
done
grep -q '^# made: 2026-06-02T08:00:00+0700$' "$REF/manifest.txt" &&
	ok "the manifest's times are the farm's, +07:00" || bad "manifest: $(head -12 "$REF/manifest.txt")"

# One database, exported under each zone: the same files, byte for byte.
DB=$(db_of Asia/Ho_Chi_Minh)
for zone in $ZONES; do
	z=$(echo "$zone" | tr '/' '_')
	mkdir -p "$TMP/one-$z"
	TZ=$zone "$BIN" --config "$CFG" --db "$DB" --clock 2026-06-02T08:00 export --to "$TMP/one-$z" >/dev/null 2>&1
done
diff -r "$TMP/one-Asia_Ho_Chi_Minh" "$TMP/one-UTC" >/dev/null &&
	diff -r "$TMP/one-Asia_Ho_Chi_Minh" "$TMP/one-America_New_York" >/dev/null &&
	ok "one database exported under three system zones: identical folders" ||
	bad "one database, three zones: $(diff -r "$TMP/one-Asia_Ho_Chi_Minh" "$TMP/one-UTC" | head -5)"
# At the office, without a configuration: still the farm's time.
mkdir -p "$TMP/office"
TZ=UTC "$BIN" --db "$DB" --clock 2026-06-02T08:00 export --to "$TMP/office" >/dev/null 2>&1
cmp -s "$TMP/office/PT01_2026-06-02/thu-hoach.csv" "$TMP/one-Asia_Ho_Chi_Minh/PT01_2026-06-02/thu-hoach.csv" &&
	ok "the office's export without a configuration keeps the farm's dates" ||
	bad "office export: $(ls -R "$TMP/office")"

# The key itself: a station set to UTC shows the same moments in UTC.
sed 's|^code = PT01 .*|&\ntimezone = UTC|' "$CFG" >"$TMP/utc.ini"
out=$(TZ=Asia/Ho_Chi_Minh "$BIN" --config "$TMP/utc.ini" --db "$DB" check)
echo "$out" | grep -q "^Giờ của trạm: [0-9/]* [0-9:]*, múi giờ UTC$" && ok "check names the station's time zone" || bad "check: $out"
mkdir -p "$TMP/utc"
TZ=Asia/Ho_Chi_Minh "$BIN" --config "$TMP/utc.ini" --db "$DB" --clock 2026-06-02T01:00 export --to "$TMP/utc" >/dev/null 2>&1
utc=$(sql "$DB" "SELECT strftime('%d/%m/%Y %H:%M', entered_at, 'unixepoch') FROM records
	WHERE lot_code = 'PT01-260601-01'")
case $utc in 31/05/2026\ 23:*) ;; *) bad "the harvest was not entered on 31/05/2026 23:xx UTC: $utc" ;; esac
grep -q ";PT01-260601-01;120,0;.*;$utc;" "$TMP/utc/PT01_2026-06-02/thu-hoach.csv" &&
	ok "timezone = UTC: the harvest was written at $utc" ||
	bad "UTC harvest diary: $(cat "$TMP/utc/PT01_2026-06-02/thu-hoach.csv")"
grep -q '^# made: 2026-06-02T01:00:00+0000$' "$TMP/utc/PT01_2026-06-02/manifest.txt" &&
	ok "timezone = UTC: the manifest says +00:00" || bad "UTC manifest: $(head -12 "$TMP/utc/PT01_2026-06-02/manifest.txt")"

# A zone the system does not know: file, line and key, in Vietnamese;
# the console does not start.
for bad_zone in "Asia/Sai_Gon" "../../../etc/passwd" "Asia"; do
	sed "s|^code = PT01 .*|&\ntimezone = $bad_zone|" "$CFG" >"$TMP/bad.ini"
	line=$(grep -n '^timezone' "$TMP/bad.ini" | cut -d: -f1)
	out=$("$BIN" --config "$TMP/bad.ini" --db "$TMP/bad.db" check 2>&1)
	rc=$?
	echo "$out" | grep -qF "$TMP/bad.ini, dòng $line: timezone = \"$bad_zone\"" && [ $rc = 1 ] &&
		ok "timezone = $bad_zone is refused naming file, line $line and key" || bad "bad zone $bad_zone: rc=$rc $out"
done
start b --config "$TMP/bad.ini" --db "$TMP/bad.db"
expect b "[exit 1]" "the console refuses to start on it"
[ ! -e "$TMP/bad.db" ] && ok "and creates no database" || bad "a database was made"

finish
