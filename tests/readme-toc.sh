#!/bin/bash
# README.md's list of contents against its headings: every entry leads
# to a heading (as GitHub makes anchors: lower case, punctuation dropped,
# spaces to hyphens, a repeat numbered -1, -2), and every section after
# the list (##) is in it.
set -u
export LC_ALL=C.UTF-8
readme=${1:-"$(dirname "$0")/../README.md"}
fails=0

anchor() {
	local s=${1,,}
	printf '%s' "$s" | sed -E 's/[^[:alnum:] _-]//g; s/ /-/g'
}

# Headings outside fenced code, as "level<TAB>text".
headings() {
	awk '/^```/ { fenced = !fenced; next }
	     !fenced && /^#+ / { n = match($0, /^#+/); print RLENGTH "\t" substr($0, RLENGTH + 2) }' "$readme"
}

declare -A count=() have=()
while IFS=$'\t' read -r level text; do
	a=$(anchor "$text")
	if [ -n "${count[$a]:-}" ]; then
		have["$a-${count[$a]}"]=1
		count[$a]=$((count[$a] + 1))
	else
		have[$a]=1
		count[$a]=1
	fi
done < <(headings)

declare -A listed=()
while IFS= read -r line; do
	a=$(printf '%s' "$line" | sed -nE 's/^ *- \[.*\]\(#(.*)\)$/\1/p')
	[ -n "$a" ] || continue
	listed[$a]=1
	[ -n "${have[$a]:-}" ] || { echo "README.md: the contents list \"$line\", which leads to no heading"; fails=$((fails + 1)); }
done < <(sed -n '/^## Contents$/,/^## /p' "$readme")

after=0
while IFS=$'\t' read -r level text; do
	[ "$text" = Contents ] && { after=1; continue; }
	[ "$after" = 1 ] && [ "$level" = 2 ] || continue
	[ -n "${listed[$(anchor "$text")]:-}" ] ||
		{ echo "README.md: the section \"$text\" is not in the contents"; fails=$((fails + 1)); }
done < <(headings)

[ "$fails" = 0 ] && echo "README.md: the contents and the headings agree" || exit 1
