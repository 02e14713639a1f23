#!/bin/bash
# One rule for every key, as README's key table says it, walked through
# every kind of field: in a number, time, date or PIN field digits (0 too)
# type, the first digit replaces a pre-filled value, Backspace deletes
# one character and goes back only from an empty field; elsewhere 0 and
# Backspace go back; / goes home, asking first when a finished record or
# schedule would be lost; Enter after "Đã lưu" starts nothing. The key
# line under every screen says which.
. "$(dirname "$0")/lib.sh"

CFG="$TOP/config/demo.ini"
DB="$TMP/station.db"
FIELD_KEYS="Backspace: xóa/quay lại   *: trợ giúp"
OTHER_KEYS="0: quay lại   /: về đầu   *: trợ giúp"

start k --config "$CFG" --db "$DB" --clock 2026-06-01T07:00
expect k "1 Độ ẩm đất" "station started"

# A number field with a pre-filled value: a pump's minutes, [ 30 ].
press k KP2 KP1
expect k "[ 30 ] phút" "a pump's minutes, pre-filled"
expect k "$FIELD_KEYS" "the key line says what Backspace does in a field"
press k KP7 KP0
expect k "[ 70 ] phút" "the first digit replaces 30, and 0 types: 70"
press k KP*
expect k "0-9: gõ số    Enter: xong" "the help says digits type here"
expect_not k "0 hoặc Backspace: quay lại" "and not that 0 goes back"
press k KP1
press k BSpace
expect k "[ 7 ] phút" "Backspace deletes one digit"
press k BSpace
expect k "[  ] phút" "and the next"
expect k "Chạy bao nhiêu phút?" "still in the field"
press k BSpace
expect k "7 Lịch tưới" "Backspace on the empty field goes back to the pumps"
expect k "$OTHER_KEYS" "where the key line says 0 goes back"
press k KP0
expect k "1 Độ ẩm đất" "elsewhere 0 goes back"

# A time field with a pre-filled time: a new schedule starts at 05:00.
press k KP2 KP7 KP9 KP1 KPEnter
expect k "[ 05:00 ]" "a schedule's time, pre-filled"
press k BSpace
expect k "[ 05:0_ ]" "Backspace deletes the last digit of 05:00"
press k BSpace BSpace BSpace
expect k "[ __:__ ]" "four Backspaces clear it"
expect k "Bắt đầu lúc mấy giờ?" "and stay in the time field"
press k KP0 KP6 KP3 KP0
expect k "[ 06:30 ]" "typed again, 0 a digit"
press k KPEnter
expect k "[ 30 ] phút" "then the minutes, pre-filled"
press k KP2 KP0 KPEnter
expect_words k "Lưu lịch: Mít ruột đỏ" "a finished schedule is shown"
press k KP/
expect_words k "Những gì vừa nhập chưa được lưu. Bỏ đi và về màn hình chính?" "/ asks before a finished schedule is dropped"
expect k "Enter: bỏ đi   0: ở lại" "with one key for each answer"
press k KP0
expect_words k "Lưu lịch: Mít ruột đỏ" "0 stays with the schedule"
press k KPEnter
expect_words k "Đã lưu lịch: Mít ruột đỏ" "Enter saves it"
press k KP/
expect k "1 Độ ẩm đất" "/ goes home at once when nothing would be lost"

# A record: its weight, and the whole record before it is saved.
press k KP4 KP1 KPEnter KP1
expect k "Bao nhiêu ký?" "a harvest's weight"
press k KP1 KP2 KP0 KP0 KPEnter
expect k "Phân loại nào?" "typed"
press k KP0
expect k "[ 1200 ] kg" "0 goes back to the weight, pre-filled"
press k BSpace
expect k "[ 120 ] kg" "Backspace edits it: [ 1200 ] kg is not left"
press k BSpace BSpace BSpace
expect k "[  ] kg" "three more clear it"
expect k "Bao nhiêu ký?" "still on the weight"
press k KP9 KP0 KP0 KPEnter KP1 KP1 KP1
expect k "Khối lượng: 900 kg" "the finished record"
press k KP/
expect_words k "Những gì vừa nhập chưa được lưu." "/ asks before a finished record is dropped"
press k KPEnter
expect k "Đã bỏ, không lưu gì." "Enter drops it and says so"
expect k "1 Độ ẩm đất" "home"
[ "$(sql "$DB" "SELECT count(*) FROM records")" = 0 ] && ok "nothing was saved" ||
	bad "a dropped record was saved"

# Enter after "Đã lưu" starts nothing.
press k KP3 KP1 KPEnter KP1 KP1 KP4 KP0 KPEnter KP1 KP1
expect k "Enter: Lưu" "a fertilizing record to save"
press k KPEnter
expect k "Đã lưu: 40 kg NPK" "saved"
# The second Enter clears the word "Đã lưu" and does nothing else: once
# the word is gone the key was taken, and a form it began would be drawn.
press k KPEnter
expect_gone k "Đã lưu: 40 kg NPK" "a second Enter clears \"Đã lưu\""
expect k "1 Ghi bón phân" "it stays on the menu"
expect_not k "Làm ngày nào?" "a second Enter does not start another record"
[ "$(sql "$DB" "SELECT count(*) FROM records")" = 1 ] && ok "one record" || bad "records: $(sql "$DB" "SELECT count(*) FROM records")"
press k KP/

# The PIN and the date, on the small screen.
stop_station "$DB" TERM
wait_for k "[exit 0]"
start_sized k 40 12 --config "$CFG" --db "$DB" --clock 2026-06-01T08:00
expect k "1 Độ ẩm đất" "again at 40x12"
press k KP6
expect k "Mã PIN mới:" "a PIN is chosen"
expect k "$FIELD_KEYS" "the field's key line fits 40 columns"
press k KP0
expect k "[ * ]" "0 is a digit of the PIN"
press k BSpace
expect k "[ ]" "Backspace deletes it"
press k BSpace
expect k "1 Độ ẩm đất" "Backspace on the empty PIN goes back"
press k KP6 KP1 KP2 KP3 KP0 KPEnter KP1 KP2 KP3 KP0 KPEnter KP3
expect k "[ __/__/____ __:__ ]" "the date field"
press k KP0
expect k "[ 0_/__/____ __:__ ]" "0 types in the date"
press k BSpace BSpace
expect k "1 Thông tin trạm" "Backspace clears it, then goes back"
expect k "$OTHER_KEYS" "the key line fits 40 columns too"
press k KP/
expect k "1 Độ ẩm đất" "/ goes home"

finish
