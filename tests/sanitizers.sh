#!/bin/bash
# The unit tests and the end-to-end tests once more, with the station's
# memory watched: under ASan and UBSan (a build of their own) or under
# valgrind's memcheck. Any report either writes fails the run, and is shown.
#   tests/sanitizers.sh asan BUILD_FOLDER       (make test-asan)
#   tests/sanitizers.sh valgrind BUILD_FOLDER   (make test-valgrind)
#   tests/sanitizers.sh valgrind BUILD_FOLDER unit
#                       the unit tests alone (make test-valgrind-unit, in CI)
# SAN_E2E="hostile records ..." runs only those end-to-end scripts (CI's
# choice: the ones that read what comes from outside and write records).
set -u
mode=$1
only=${3:-}
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=$TOP/$2
REPORTS=$B/reports
export FIELDSTATION_BIN=$B/fieldstation
rm -rf "$REPORTS"
mkdir -p "$REPORTS"
# The station also runs as nobody in one test.
chmod 1777 "$REPORTS"

case $mode in
asan)
	export ASAN_OPTIONS="log_path=$REPORTS/asan:detect_leaks=1:strict_string_checks=1"
	# The sound libraries' own leaks in fieldstation-speak (tests/lsan.supp).
	export LSAN_OPTIONS="suppressions=$TOP/tests/lsan.supp:print_suppressions=0"
	export UBSAN_OPTIONS="log_path=$REPORTS/ubsan:print_stacktrace=1:halt_on_error=1"
	RUN=()
	;;
valgrind)
	RUN=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect
	     --show-leak-kinds=definite,indirect --log-file="$REPORTS/memcheck.%p")
	# The console in tmux runs under it too (tests/e2e/lib.sh).
	export FIELDSTATION_RUNNER="${RUN[*]}"
	;;
*)
	echo "usage: $0 asan|valgrind BUILD_FOLDER" >&2
	exit 2
	;;
esac

fail=0

# Until every station process of this build has ended and written its
# report: a console stopped by its test exits a moment later.
settle() {
	local i=0
	while pgrep -f "$FIELDSTATION_BIN" >/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

for t in "$B"/tests/test_*; do
	case $t in *.d) continue ;; esac
	echo "== $t"
	"${RUN[@]}" "$t" || { echo "FAILED: $t"; fail=1; }
done

if [ "$only" = unit ]; then
	for f in "$REPORTS"/*; do
		[ -s "$f" ] || continue
		echo "== report $f"
		cat "$f"
		fail=1
	done
	[ $fail -eq 0 ] && echo "$mode: no finding in the unit tests" || echo "$mode: FAILED"
	exit $fail
fi

# A script that cannot run here exits 77: skipped, and said so.
skipped=""
for t in "$TOP"/tests/e2e/*.sh; do
	case $(basename "$t") in lib*.sh) continue ;; esac
	if [ -n "${SAN_E2E:-}" ] && ! [[ " $SAN_E2E " == *" $(basename "$t" .sh) "* ]]; then
		continue
	fi
	echo "== $t"
	bash "$t" 2>&1 | tee "$B/san-script.log"
	rc=${PIPESTATUS[0]}
	if [ $rc = 77 ]; then
		echo "SKIPPED: $t"
		skipped="$skipped $(basename "$t")"
	elif [ $rc != 0 ]; then
		echo "FAILED: $t"
		fail=1
	elif grep -q '^SKIP' "$B/san-script.log"; then
		# A part of it could not run here.
		skipped="$skipped $(basename "$t")(part)"
	fi
	settle
done
if [ -n "$skipped" ]; then
	echo "$mode: skipped:$skipped"
	# As in make e2e: where every script must run (CI, as root), a skip
	# is a failure.
	[ -z "${FIELDSTATION_NO_SKIP:-}" ] || { echo "$mode: FAILED: skipped where every one must run (FIELDSTATION_NO_SKIP)"; fail=1; }
fi

# The commands, on a database the console made and wrote a record into.
echo "== commands"
(
	. "$TOP/tests/e2e/lib.sh"
	CFG="$TOP/config/demo.ini"
	DB="$TMP/station.db"
	start c --config "$CFG" --db "$DB" --clock 2026-06-10T08:00
	wait_for c "1 Độ ẩm đất" 60 || bad "the console started" c
	press c KP4 KP1 KPEnter KP2 KP9 KP0 KPEnter KP1 KP1 KP1 KPEnter
	wait_for c "Đã lưu" 30 && ok "a harvest saved" || bad "a harvest saved" c
	press c KP/ KP2 KP1 KPEnter KPEnter KPEnter
	wait_for c "Bơm đang chạy: 1" 30 && ok "a pump running" || bad "a pump running" c
	stop_station "$DB" TERM
	wait_for c "[exit 0]" 60 && ok "the console ended" || bad "the console ended" c
	for cmd in check status "trace PT01-260610-01" "trace PT01-260610-01 $TMP/lot.csv" \
		   "export --to $TMP" "reset-pin PT01" relays-off "pump-test p1" --help; do
		# shellcheck disable=SC2086
		"${RUN[@]}" "$BIN" --config "$CFG" --db "$DB" --clock 2026-06-10T09:00 $cmd \
			>"$TMP/out" 2>&1
		rc=$?
		[ $rc -le 2 ] && ok "$cmd (exit $rc)" || { bad "$cmd: exit $rc"; cat "$TMP/out"; }
	done
	finish
) || fail=1
settle

for f in "$REPORTS"/*; do
	[ -s "$f" ] || continue
	echo "== report $f"
	cat "$f"
	fail=1
done
if [ $fail -eq 0 ]; then
	echo "$mode: no finding"
else
	echo "$mode: FAILED"
fi
exit $fail
