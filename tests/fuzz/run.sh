#!/bin/bash
# Runs each libFuzzer target for SECONDS, one after the other, from its
# seed corpus in tests/fuzz/NAME/, and prints what it did. A crash or a
# hang is kept in BUILD/fuzz/artifacts/NAME/ and fails the run: add it to
# tests/fuzz/NAME/ (make unit replays that folder) and fix the code.
#   tests/fuzz/run.sh BUILD SECONDS NAME...
set -u
B=$1 SECONDS_EACH=$2
shift 2
TOP=$(cd "$(dirname "$0")/../.." && pwd)
fail=0
printf '%-10s %8s %12s %8s %6s %7s %s\n' target seconds runs "runs/s" cov corpus found
for name in "$@"; do
	corpus=$B/fuzz/corpus/$name art=$B/fuzz/artifacts/$name log=$B/fuzz/$name.log
	mkdir -p "$corpus" "$art"
	start=$(date +%s)
	"$B/fuzz/fuzz_$name" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=1024 \
		-print_final_stats=1 -artifact_prefix="$art/" "$corpus" "$TOP/tests/fuzz/$name" \
		>"$log" 2>&1
	rc=$?
	took=$(($(date +%s) - start))
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2)
	corp=$(grep -oE 'corp: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2)
	found=$(find "$art" -type f | wc -l)
	printf '%-10s %8s %12s %8s %6s %7s %s\n' "$name" "$took" "${runs:-?}" \
		"$(( ${runs:-0} / (took > 0 ? took : 1) ))" "${cov:-?}" "${corp:-?}" "$found"
	if [ $rc -ne 0 ] || [ "$found" -gt 0 ]; then
		fail=1
		echo "  $name: exit $rc; see $log and $art/"
		grep -E '^==[0-9]+==ERROR|^SUMMARY|runtime error|deadly signal|timeout' "$log" | head -n 5 |
			sed 's/^/  /'
	fi
done
exit $fail
