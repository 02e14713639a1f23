#!/bin/bash
# The station's voice, with keypad keys only and no loudspeaker: each
# thing it says is written, in words, to --speech-log, and the sound goes
# the real way, to ALSA's default device, here a file plugin that keeps
# what a sound card would have played (measured with sox). * twice reads
# a screen; a pump's start and stop and a record saved are said without
# asking, an alarm too and again until it is acknowledged, never in quiet
# hours unless allowed; Cài đặt, Giọng đọc changes it, and says what the
# sound device did: none, working, or hung (then the station carries on).
. "$(dirname "$0")/lib.sh"

CFG="$TOP/config/demo.ini"
command -v sox >/dev/null || { echo "FAIL sox is missing: scripts/install-deps.sh"; exit 1; }
# No PulseAudio, whatever this machine runs: ALSA, as on the board. HOME
# is where ALSA finds the test's device (~/.asoundrc).
export PULSE_SERVER=unix:/nonexistent
export HOME="$TMP/home"
mkdir -p "$HOME"
cat >"$HOME/.asoundrc" <<EOF
pcm.!default {
	type file
	slave.pcm "null"
	file "|cat >>$TMP/played.raw"
	format "raw"
}
EOF

# lines FILE: how many lines it has.
lines() { [ -e "$1" ] && wc -l <"$1" || echo 0; }
# new_line FILE N [SECONDS]: until FILE has more than N lines; the last
# one in $SAID.
more_lines() { [ "$(lines "$1")" -gt "$2" ]; }
new_line() {
	SAID=""
	until_true "${3:-5}" more_lines "$1" "$2" || return 1
	SAID=$(tail -n 1 "$1")
}

# screen_clock NAME: the time on the status line, in seconds since 1970.
screen_clock() {
	local d
	d=$(screen "$1" | grep -oE '^[0-9]{2}/[0-9]{2}/[0-9]{4} [0-9]{2}:[0-9]{2}' | tail -n 1)
	[ -n "$d" ] && date -d "${d:6:4}-${d:3:2}-${d:0:2} ${d:11:5}" +%s
}
# clock_past NAME T: the station's clock shows T or later.
clock_past() { local c; c=$(screen_clock "$1") && [ "$c" -ge "$2" ]; }

# speak NAME LOG: * twice on the screen of NAME; the sentence in $SAID.
speak() {
	local n
	n=$(lines "$2")
	press "$1" KP*
	wait_for "$1" "*: đọc to" 5 || wait_for "$1" "*: read aloud" 1
	press "$1" KP*
	new_line "$2" "$n"
}

# expect_said WHAT EXPECTED: $SAID is EXPECTED, word for word.
expect_said() {
	if [ "$SAID" = "$2" ]; then ok "$1"; else bad "$1: said \"$SAID\", not \"$2\""; fi
}
# expect_said_like WHAT REGEX
expect_said_like() {
	if [[ $SAID =~ $2 ]]; then ok "$1"; else bad "$1: said \"$SAID\""; fi
}
# Numbers, dates and codes are said in words: no digit is left.
expect_words_only() {
	if [ -n "$SAID" ] && ! [[ $SAID =~ [0-9%°] ]]; then ok "$1: in words"; else bad "$1: \"$SAID\""; fi
}

# raw_stat: how long the sound device has played, in seconds, and how
# loud (RMS).
raw_stat() {
	sox -t raw -r 22050 -e signed -b 16 -c 1 "$TMP/played.raw" -n stat 2>&1 |
		awk '/^Length \(seconds\)/ { l = $3 } /^RMS +amplitude/ { r = $3 } END { print l, r }'
}
raw_bytes() { [ -e "$TMP/played.raw" ] && stat -c %s "$TMP/played.raw" || echo 0; }
played_more() { [ "$(raw_bytes)" -gt "$1" ]; }

DB="$TMP/a.db"
LOG="$TMP/a.said"
start a --config "$CFG" --db "$DB" --clock 2026-06-10T08:00 --speech-log "$LOG"
expect a "2 Máy bơm" "the station runs"

# The home screen read aloud: the station's name, each choice with its
# number, the date and time, the tariff band, pumps and alarms.
before=$(raw_bytes)
speak a "$LOG"
expect_said_like "* twice reads the home screen" \
	"^hợp tác xã Phước Thiện, trạm một\. một: Độ ẩm đất\. hai: Máy bơm\. ba: Bón phân, phun thuốc\. bốn: Thu hoạch\. năm: Chép ra u ét bê\. sáu: Cài đặt\. ngày mười tháng sáu năm hai ngàn không trăm hai mươi sáu, tám giờ( một phút)?, Giờ bình thường\. Bơm đang chạy: không, Báo động: không\.$"
if until_true 10 played_more "$before"; then
	read -r seconds rms <<<"$(raw_stat)"
	awk -v s="$seconds" -v r="$rms" 'BEGIN { exit !(s >= 8 && s <= 40 && r >= 0.05) }' &&
		ok "and the sound device played it: $seconds s, RMS $rms" ||
		bad "the sound device played $seconds s, RMS $rms"
else
	bad "nothing reached the sound device"
fi
expect a "2 Máy bơm" "the screen is the home screen again"

# The soil moisture: each zone's number and judgement, the air.
press a KP1
expect a "Độ ẩm đất" "1 opens the moisture"
speak a "$LOG"
expect_said_like "the moisture screen read aloud" \
	"^Độ ẩm đất\. một: Mít ruột đỏ, [^,]+ phần trăm, (vừa đủ|quá khô|quá ướt), .*hai: Vú sữa Hoàng Kim, [^,]+ phần trăm, .*Không khí: [^,]+ độ xê, độ ẩm [^,]+ phần trăm\.$"
expect_words_only "the moisture screen"

# A question with a number in it, in a field: * twice still reads it.
press a KP/ KP2 KP1
expect a "Chạy bao nhiêu phút?" "a pump's minutes are asked"
speak a "$LOG"
expect_said "the question and its value" \
	"Máy bơm. Bơm một. Chạy bao nhiêu phút? ba mươi phút. cộng, trừ: đổi, một đến chín mươi, en-tơ: tiếp."
expect a "Chạy bao nhiêu phút?" "and the field is still there"

# A pump's start and stop are said without asking.
n=$(lines "$LOG")
press a KPEnter KPEnter KPEnter
expect a "Bơm 1 đã chạy — tự tắt sau 30 phút" "the pump runs"
new_line "$LOG" "$n"
expect_said "its start is said" "Bơm một đã chạy, tự tắt sau ba mươi phút"
n=$(lines "$LOG")
press a KP1 KPEnter
expect a "Bơm 1 đã tắt." "stopped"
new_line "$LOG" "$n"
expect_said "its stop is said" "Bơm một đã tắt."

# A harvest saved: its lot code spelled, in its three parts.
n=$(lines "$LOG")
press a KP/ KP4 KP1 KPEnter KP2 KP1 KP2 KP5 KP0 KP. KP5 KPEnter KP1 KP2 KP1 KPEnter
expect a "PT01-260610-01" "a harvest gets its lot code"
new_line "$LOG" "$n"
expect_said "Đã lưu with the lot code spelled" \
	"Đã lưu: một ngàn hai trăm năm mươi phẩy năm ký, mã lô pê tê không một, hai sáu không sáu một không, không một."
speak a "$LOG"
expect_said_like "the lot code's screen says the code once, whole" \
	"^Ghi thu hoạch\. Mã lô: pê tê không một, hai sáu không sáu một không, không một\. Ghi mã này lên thùng hàng"
press a KPEnter

# Cài đặt, Giọng đọc: the sound device works here.
press a KP/ KP6 KP1 KP2 KP3 KP4 KPEnter KP1 KP2 KP3 KP4 KPEnter KP8
expect a "1 Giọng đọc: bật" "Cài đặt, 8 opens the voice"
expect a "Loa phát được" "and says the sound device works"
n=$(lines "$LOG")
press a KP4
expect a "Độ lớn: 100%" "4 makes it louder"
new_line "$LOG" "$n"
expect_said "and a sample is said" \
	"Đây là giọng đọc của trạm: giọng miền Nam, tốc độ vừa, độ lớn một trăm phần trăm."
press a KP1
expect a "1 Giọng đọc: tắt" "1 turns the voice off"
press a KP/
expect a "2 Máy bơm" "home"
n=$(lines "$LOG")
press a KP* KP*
expect a "Giọng đọc đang tắt" "* twice then says on the screen that the voice is off"
press a KP2 KP1 KPEnter KPEnter KPEnter
expect a "Bơm 1 đã chạy" "a pump starts"
press a KP1 KPEnter
expect a "Bơm 1 đã tắt." "and stops"
[ "$(lines "$LOG")" = "$n" ] && ok "with the voice off nothing is said" ||
	bad "with the voice off: $(tail -n 1 "$LOG")"
stop_station "$DB" TERM
expect a "[exit 0]" "the station stops"
r=$(sql "$DB" "SELECT value FROM meta WHERE key = 'voice'; SELECT value FROM meta WHERE key = 'voice.volume';" | tr '\n' ' ')
[ "$r" = "off 100 " ] && ok "the settings are the station's, in its database" || bad "meta: $r"
r=$(sql "$DB" "SELECT detail FROM events WHERE kind = 'voice_set' ORDER BY id DESC LIMIT 1")
[ "$r" = "off 100% normal south quiet 21:00-05:00 night_alarms no repeat 10" ] &&
	ok "the event log keeps what was set" || bad "voice_set: $r"

# English, with --lang en: the catalogue's words and English numbers.
start en --config "$CFG" --db "$TMP/en.db" --clock 2026-06-10T08:00 --lang en --speech-log "$TMP/en.said"
expect en "2 Pumps" "in English"
speak en "$TMP/en.said"
expect_said_like "the home screen in English" \
	"^H T X Phước Thiện, trạm one\. one: Soil moisture\. two: Pumps\. .* June ten, twenty twenty-six, eight o'clock.*Pumps on: zero, Alarms: zero\.$"

# No sound card: a sentence in Cài đặt, and the station runs as before.
mkdir -p "$TMP/nocard"
printf 'pcm.!default { type hw card 99 }\n' >"$TMP/nocard/.asoundrc"
RUNNER="env HOME=$TMP/nocard $RUNNER" start nc --config "$CFG" --db "$TMP/nc.db" --clock 2026-06-10T08:00 --speech-log "$TMP/nc.said"
expect nc "2 Máy bơm" "a station without a sound card starts"
press nc KP6 KP1 KP2 KP3 KP4 KPEnter KP1 KP2 KP3 KP4 KPEnter KP8
expect_words nc "Không có thiết bị âm thanh: không nghe được gì." "Cài đặt says there is no sound device"
r=$(sql "$TMP/nc.db" "SELECT detail FROM events WHERE kind = 'voice_failed'")
[ "$r" = no_device ] && ok "once in the event log" || bad "voice_failed: '$r'"

# An alarm: said at once, and again each 10 minutes of station time
# until it is acknowledged. The demo farm with probe 3 falling silent.
awk '/^\[sensor.soil3\]/ { print; print "sim_fault = silent"; print "sim_fault_after = 2"; next } { print }' \
	"$CFG" >"$TMP/alarm.ini"
start al --config "$TMP/alarm.ini" --db "$TMP/al.db" --clock 2026-06-10T08:00 --clock-speed 60 \
	--speech-log "$TMP/al.said"
expect al "2 Máy bơm" "a farm with a probe that falls silent"
alarm_said() { grep -qxF "Báo động: Mất kết nối đầu đo ba, Vú sữa Hoàng Kim: không trả lời." "$TMP/al.said" 2>/dev/null; }
until_true "$(station_wait 600 60)" alarm_said && ok "the new alarm is said" ||
	bad "no alarm said: $(cat "$TMP/al.said" 2>/dev/null)"
repeated() { grep -c "^Báo động chưa xác nhận: Mất kết nối đầu đo ba, Vú sữa Hoàng Kim: không trả lời\.$" "$TMP/al.said"; }
again() { [ "$(repeated)" -ge "$1" ]; }
until_true "$(station_wait 720 60)" again 1 && ok "and said again while not acknowledged" ||
	bad "not said again: $(cat "$TMP/al.said")"
press al KP9 KPEnter
expect al "Báo động: 0" "9, Enter acknowledges it"
count=$(repeated)
# Fifteen station minutes after it was acknowledged, by the station's
# own clock: past the ten minutes in which it would be said again.
acked=$(sql "$TMP/al.db" "SELECT max(acked) FROM events WHERE alarm AND acked IS NOT NULL")
[ -n "$acked" ] || bad "no acknowledgement in the event log"
until_true "$(station_wait 900 60)" clock_past al $((${acked:-9999999999} + 900)) ||
	bad "the station's clock did not reach 15 minutes after the acknowledgement" al
[ "$(repeated)" = "$count" ] &&
	ok "an acknowledged alarm is not said again (acknowledged $(date -d "@${acked:-0}" +%H:%M), now $(date -d "@$(screen_clock al)" +%H:%M))" ||
	bad "said again after it was acknowledged"

# In quiet hours (21:00 to 05:00) the same alarm is not said; what a
# person asks is.
start qu --config "$TMP/alarm.ini" --db "$TMP/qu.db" --clock 2026-06-10T22:00 --clock-speed 60 \
	--speech-log "$TMP/qu.said"
expect qu "Báo động: 1" "at 22:00 the alarm comes"
# Twelve station minutes after the alarm, by the station's own clock:
# past the ten minutes in which it would be said again.
raised=$(sql "$TMP/qu.db" "SELECT min(t) FROM events WHERE alarm")
[ -n "$raised" ] || bad "no alarm in the event log"
until_true "$(station_wait 720 60)" clock_past qu $((${raised:-9999999999} + 720)) ||
	bad "the station's clock did not reach 12 minutes after the alarm" qu
! grep -q "Báo động" "$TMP/qu.said" 2>/dev/null &&
	ok "and is not said in quiet hours (raised $(date -d "@${raised:-0}" +%H:%M), now $(date -d "@$(screen_clock qu)" +%H:%M))" ||
	bad "said in quiet hours: $(cat "$TMP/qu.said")"
speak qu "$TMP/qu.said"
expect_said_like "* twice is said in quiet hours" "^hợp tác xã Phước Thiện"
# Alarms in quiet hours allowed: said again within ten minutes.
press qu KP6 KP1 KP2 KP3 KP4 KPEnter KP1 KP2 KP3 KP4 KPEnter KP8
expect qu "Báo động giờ yên lặng: không đọc" "the voice's settings"
press qu KP3
expect qu "Báo động giờ yên lặng: có đọc" "3 allows alarms in quiet hours"
night() { grep -q "^Báo động chưa xác nhận" "$TMP/qu.said"; }
until_true "$(station_wait 720 60)" night && ok "then the alarm is said at night" ||
	bad "not said at night when allowed"

# A sound device that never answers (a FIFO nobody reads): the screen
# answers at once, a new utterance cuts the stuck one, and after its
# deadline Cài đặt says the device did not answer.
mkdir -p "$TMP/hung"
mkfifo "$TMP/stuck"
sed "s|file .*|file \"$TMP/stuck\"|" "$HOME/.asoundrc" >"$TMP/hung/.asoundrc"
RUNNER="env HOME=$TMP/hung $RUNNER" start hu --config "$CFG" --db "$TMP/hu.db" --clock 2026-06-10T08:00 --speech-log "$TMP/hu.said"
expect hu "2 Máy bơm" "a station with a hung sound device"
pid=$(pgrep -f "^([^ ]*(valgrind|qemu-[a-z0-9_]*-static)[^ ]* .*)?$BIN .*--db $TMP/hu.db( |\$)")
speakers() { pgrep -P "$pid" -f fieldstation-speak | wc -l; }
press hu KP* KP*
has_speaker() { [ "$(speakers)" -ge 1 ]; }
until_true 5 has_speaker && ok "the speaker is stuck on the device" || bad "no speaker process"
press hu KP2
expect hu "7 Lịch tưới" "the screen answers while the voice is stuck" 2
press hu KP1 KPEnter KPEnter KPEnter
expect hu "Bơm 1 đã chạy" "a pump starts while the voice is stuck" 2
one_speaker() { [ "$(speakers)" = 1 ]; }
until_true 5 one_speaker && ok "the start cut the stuck utterance: one speaker, not two" ||
	bad "$(speakers) speakers"
press hu KP1 KPEnter
expect hu "Bơm 1 đã tắt." "and stops"
press hu KP/ KP6 KP1 KP2 KP3 KP4 KPEnter KP1 KP2 KP3 KP4 KPEnter KP8
expect_words hu "Thiết bị âm thanh không trả lời" "after its deadline Cài đặt says the device did not answer" 40
no_speaker() { [ "$(speakers)" = 0 ]; }
until_true 5 no_speaker && ok "and no speaker is left" || bad "$(speakers) speakers left"
r=$(sql "$TMP/hu.db" "SELECT count(*) FROM events WHERE kind = 'voice_failed' AND detail = 'device_hung'")
[ "$r" = 1 ] && ok "the event log keeps it" || bad "device_hung events: $r"

finish
