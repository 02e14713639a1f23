#!/bin/bash
# An organic zone where a product that is not organic was really used: it
# is recorded, with the manager's PIN and a reason, instead of being
# impossible; the zone is not organic from that day, on its screens, on
# its lots' sheets and in the export; the record is never changed, and a
# removal as a mistake is a record of its own.
. "$(dirname "$0")/lib.sh"

CFG="$TOP/config/demo.ini"
DB="$TMP/station.db"

# Wednesday 10 June 2026, 08:00.
start o --config "$CFG" --db "$DB" --clock 2026-06-10T08:00
expect o "3 Bón phân, phun thuốc" "the station runs"
press o KP6 KP1 KP3 KP5 KP7 KPEnter KP1 KP3 KP5 KP7 KPEnter
expect o "Đã đặt mã PIN quản lý." "a manager's PIN is set"

# Radiant on the organic star apple zone: asked, not refused.
press o KP/ KP3 KP2 KPEnter
expect o "Khu nào?" "spraying: which zone"
press o KP2
expect o "Phun thuốc gì?" "which product"
press o KP1
expect_words o "Vú sữa Hoàng Kim là khu hữu cơ: Radiant 60SC không phải sản phẩm hữu cơ. Nếu đã thật sự dùng, quản lý ghi lại bằng mã PIN và lý do, và Vú sữa Hoàng Kim không còn là khu hữu cơ từ 10/06/2026." \
	"what it means, before anything"
expect o "Enter: quản lý ghi lại (PIN)   0: chọn lại" "and the two answers"
press o KPEnter
expect o "Mã PIN quản lý:" "the manager's PIN"
press o KP9 KP9 KP9 KP9 KPEnter
expect_words o "Sai mã PIN: còn 4 lần thử" "a wrong PIN is refused"
press o KP1 KP3 KP5 KP7 KPEnter
expect o "Vì sao đã dùng Radiant 60SC?" "then why"
expect o "1 sâu bệnh mà sản phẩm hữu cơ không trị được" "from a list of reasons"
press o KP1
expect o "Liều lượng bao nhiêu?" "the form goes on: the dose"
press o KP2 KP0 KP0 KPEnter KP1 KP2
expect_words o "Hữu cơ: Vú sữa Hoàng Kim không còn là khu hữu cơ từ 10/06/2026; quản lý cho phép: sâu bệnh mà sản phẩm hữu cơ không trị được." \
	"the record's last look says what it does to the zone"
press o KPEnter
expect o "Đã lưu." "saved"
r=$(sql "$DB" "SELECT product || ' ' || organic || ' ' || organic_override FROM records WHERE kind = 'spray'")
[ "$r" = "radiant 0 outbreak" ] && ok "the record keeps the product and why" || bad "record: $r"

# The zone says so: in the records' list of zones and on its own screen.
press o KP1 KPEnter
expect_words o "2 Vú sữa Hoàng Kim (không còn hữu cơ từ 10/06/2026)" "the zones to log on say it"
press o KP/ KP1 KP2
expect_words o "Không còn hữu cơ từ 10/06/2026 (phiếu số 1)." "the zone's own screen says since when"

# From that day NPK goes on it without asking.
press o KP/ KP3 KP1 KPEnter KP2 KP1
expect o "Bao nhiêu?" "NPK taken on the zone no longer organic"
press o KP5 KP0 KPEnter KP2 KP1 KPEnter
expect_words o "Đã lưu: 50 kg NPK 20-20-15 Đầu Trâu cho Vú sữa Hoàng Kim." "saved without the PIN"
n=$(sql "$DB" "SELECT count(*) FROM records WHERE organic_override IS NOT NULL")
[ "$n" = 1 ] && ok "only the first needed the manager" || bad "records with leave: $n"

# The spray's book entry says it.
press o KP/ KP3 KP4 KP1
expect_words o "Không hữu cơ trên khu hữu cơ, ghi bằng mã PIN quản lý: sâu bệnh mà sản phẩm hữu cơ không trị được." \
	"the spraying book shows the manager's leave"

# A harvest of the zone ten days later: its lot's sheet says it.
stop_station "$DB" TERM
expect o "[exit 0]" "stopped"
start h --config "$CFG" --db "$DB" --clock 2026-06-20T09:00
press h KP4 KP1 KPEnter KP2 KP8 KP0 KPEnter KP1 KP1 KP1 KPEnter
expect h "Mã lô: PT01-260620-01" "a harvest and its lot"
press h KPEnter KP3 KP1
expect_words h "Không còn hữu cơ từ 10/06/2026: đã dùng Radiant 60SC (phiếu số 1)" "the lot's trace says the zone is not organic"
"$BIN" --config "$CFG" --db "$DB" trace PT01-260620-01 "$TMP/lot.csv" >/dev/null 2>&1
grep -q "Hữu cơ;Không còn hữu cơ từ 10/06/2026: đã dùng Radiant 60SC (phiếu số 1), quản lý cho phép: sâu bệnh mà sản phẩm hữu cơ không trị được." "$TMP/lot.csv" &&
	ok "and so does its sheet for the buyer" || bad "lot sheet: $(cat "$TMP/lot.csv")"

# The export carries why, and the harvest the day the zone stopped being organic.
stop_station "$DB" TERM
expect h "[exit 0]" "stopped again"
mkdir -p "$TMP/stick"
"$BIN" --config "$CFG" --db "$DB" --clock 2026-06-20T10:00 export --to "$TMP/stick" >/dev/null 2>&1
E=$(ls -d "$TMP"/stick/PT01_* | head -n 1)
grep -q ";Radiant 60SC;không;.*;sâu bệnh mà sản phẩm hữu cơ không trị được" "$E/phun-thuoc.csv" &&
	ok "export: the spray and why the manager allowed it" || bad "phun-thuoc.csv: $(cat "$E/phun-thuoc.csv")"
grep -q ";PT01-260620-01;.*;10/06/2026;" "$E/thu-hoach.csv" &&
	ok "export: the harvest's zone not organic from 10/06/2026" || bad "thu-hoach.csv: $(cat "$E/thu-hoach.csv")"

# A removal as a mistake is a record of its own; the zone's standing
# then follows the NPK, which stands.
start v --config "$CFG" --db "$DB" --clock 2026-06-20T11:00
press v KP3 KP4 KP1 KP2 KP1 KP3 KP5 KP7 KPEnter KPEnter KPEnter
expect_words v "Đã lưu: ghi chép số 1 được đánh dấu ghi nhầm." "the spray removed as a mistake"
r=$(sql "$DB" "SELECT organic_override FROM records WHERE id = 1")
[ "$r" = outbreak ] && ok "the removed record is kept as it was" || bad "record 1 now: $r"
press v KP/ KP1 KP2
expect_words v "Không còn hữu cơ từ 10/06/2026 (phiếu số 2)." "the zone is not organic from the NPK that stands"

finish
