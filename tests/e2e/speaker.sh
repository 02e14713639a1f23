#!/bin/bash
# The speaker program (fieldstation-speak) without a loudspeaker: what it
# says is written to a WAV file and measured with sox (how long, how
# loud, not silence) for each voice, speed and loudness; and the sound
# device path is played through ALSA's file plugin, which writes what a
# sound card would have played, so that it is measured too. A missing
# device and a hung one are what the station must survive: the status
# that says so, and a program that waits until it is killed.
. "$(dirname "$0")/lib.sh"

SPEAK="$(dirname "$BIN")/fieldstation-speak"
[ -x "$SPEAK" ] || { echo "FAIL $SPEAK is missing: make"; exit 1; }
command -v sox >/dev/null || { echo "FAIL sox is missing: scripts/install-deps.sh"; exit 1; }
# No PulseAudio, whatever this machine runs: ALSA as on the board.
export PULSE_SERVER=unix:/nonexistent

SENTENCE="Độ ẩm đất. Khu một, Mít ruột đỏ: ba mươi tám phẩy ba phần trăm, vừa đủ."

# stat FILE [RAW]: sox's figures of a WAV (or of raw 16-bit mono at 22050
# Hz, what eSpeak NG makes) as "seconds rms max".
stat() {
	local f=$1 fmt=()
	[ "${2:-}" = raw ] && fmt=(-t raw -r 22050 -e signed -b 16 -c 1)
	sox "${fmt[@]}" "$f" -n stat 2>&1 | awk '
		/^Length \(seconds\)/ { len = $3 }
		/^RMS +amplitude/ { rms = $3 }
		/^Maximum amplitude/ { max = $3 }
		END { printf "%s %s %s\n", len, rms, max }'
}

# within V LO HI: LO <= V <= HI.
within() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'; }

# Each voice says the sentence in a few seconds, loud enough, and
# speaking most of the time.
for voice in vi-VN-x-south vi vi-VN-x-central; do
	$EMU "$SPEAK" --voice "$voice" --wav "$TMP/$voice.wav" -- "$SENTENCE"
	rc=$?
	read -r len rms max <<<"$(stat "$TMP/$voice.wav")"
	if [ "$rc" = 0 ] && within "$len" 3 9 && within "$rms" 0.05 1 && within "$max" 0.3 1; then
		ok "$voice says the sentence in $len s (RMS $rms, peak $max)"
	else
		bad "$voice: exit $rc, $len s, RMS $rms, peak $max"
	fi
	# Not silence: over a tenth of a second, the voice is heard in most
	# of them (the pauses at the commas are short).
	loud=$(sox "$TMP/$voice.wav" -t dat - 2>/dev/null | awk '
		!/^;/ { n++; s += $2 * $2; if (n == 2205) { w++; if (sqrt(s / n) > 0.02) l++; n = 0; s = 0 } }
		END { printf "%d %d\n", l, w }')
	read -r l w <<<"$loud"
	if [ "${w:-0}" -gt 0 ] && [ $((l * 100 / w)) -ge 60 ]; then
		ok "$voice: voice in $l of $w tenths of a second"
	else
		bad "$voice: voice in only ${l:-0} of ${w:-0} tenths of a second"
	fi
done
$EMU "$SPEAK" --voice en --wav "$TMP/en.wav" -- "Soil moisture. Zone one: thirty-eight point three percent."
read -r len rms max <<<"$(stat "$TMP/en.wav")"
within "$len" 2 8 && within "$rms" 0.05 1 && ok "English says its sentence in $len s" ||
	bad "English: $len s, RMS $rms"

# Slower is longer, quieter is quieter: the settings reach the sound.
$EMU "$SPEAK" --rate 115 --wav "$TMP/slow.wav" -- "$SENTENCE"
$EMU "$SPEAK" --rate 170 --wav "$TMP/fast.wav" -- "$SENTENCE"
read -r slow _ <<<"$(stat "$TMP/slow.wav")"
read -r fast _ <<<"$(stat "$TMP/fast.wav")"
ratio=$(awk -v a="$slow" -v b="$fast" 'BEGIN { printf "%.2f", a / b }')
within "$ratio" 1.2 2 && ok "slow ($slow s) is longer than fast ($fast s): $ratio times" ||
	bad "slow $slow s, fast $fast s"
$EMU "$SPEAK" --volume 20 --wav "$TMP/quiet.wav" -- "$SENTENCE"
$EMU "$SPEAK" --volume 100 --wav "$TMP/loud.wav" -- "$SENTENCE"
read -r _ quiet _ <<<"$(stat "$TMP/quiet.wav")"
read -r _ loud _ <<<"$(stat "$TMP/loud.wav")"
ratio=$(awk -v a="$quiet" -v b="$loud" 'BEGIN { printf "%.2f", a / b }')
within "$ratio" 0.1 0.35 && ok "loudness 20 is $ratio of loudness 100 (RMS $quiet, $loud)" ||
	bad "loudness 20: RMS $quiet, 100: RMS $loud"

# The sound device's path: ALSA's default device as a file plugin that
# appends what it is given, as a sound card would play it.
mkdir -p "$TMP/home"
cat >"$TMP/home/.asoundrc" <<EOF
pcm.!default {
	type file
	slave.pcm "null"
	file "|cat >>$TMP/played.raw"
	format "raw"
}
EOF
HOME="$TMP/home" $EMU "$SPEAK" -- "$SENTENCE"
rc=$?
read -r played rms _ <<<"$(stat "$TMP/played.raw" raw)"
read -r wav _ <<<"$(stat "$TMP/vi-VN-x-south.wav")"
ratio=$(awk -v a="$played" -v b="$wav" 'BEGIN { printf "%.2f", a / b }')
if [ "$rc" = 0 ] && within "$ratio" 0.9 1.1 && within "$rms" 0.05 1; then
	ok "the sound device got the same sentence: $played s (the WAV: $wav s)"
else
	bad "the sound device: exit $rc, $played s, RMS $rms (the WAV: $wav s)"
fi
HOME="$TMP/home" $EMU "$SPEAK" --check && ok "--check: the device opens" || bad "--check on the device"

# No sound card: exit 3, which the station says in Cài đặt.
mkdir -p "$TMP/nocard"
printf 'pcm.!default { type hw card 99 }\n' >"$TMP/nocard/.asoundrc"
HOME="$TMP/nocard" $EMU "$SPEAK" -- "xin chào" 2>/dev/null
rc=$?
[ "$rc" = 3 ] && ok "no sound card: exit 3" || bad "no sound card: exit $rc"
HOME="$TMP/nocard" $EMU "$SPEAK" --check 2>/dev/null
rc=$?
[ "$rc" = 3 ] && ok "--check without a card: exit 3" || bad "--check without a card: exit $rc"

# A device that never answers (a FIFO nobody reads): the program waits,
# and only a kill ends it, as the station's deadline does.
mkfifo "$TMP/stuck"
mkdir -p "$TMP/hung"
sed "s|file .*|file \"$TMP/stuck\"|" "$TMP/home/.asoundrc" >"$TMP/hung/.asoundrc"
rc=$( (HOME="$TMP/hung" timeout -s KILL 3 $EMU "$SPEAK" -- "xin chào"; echo $?) 2>/dev/null)
[ "$rc" = 137 ] && ok "a hung device holds the program until it is killed" ||
	bad "a hung device: exit $rc"

# Bad arguments, a voice that is not there.
$EMU "$SPEAK" --rate 9999 -- x 2>/dev/null
rc=$?
[ "$rc" = 2 ] && ok "a speed out of range: exit 2" || bad "--rate 9999: exit $rc"
$EMU "$SPEAK" --voice no-such-voice --wav "$TMP/x.wav" -- x 2>/dev/null
rc=$?
[ "$rc" = 4 ] && ok "no such voice: exit 4" || bad "--voice no-such-voice: exit $rc"

finish
