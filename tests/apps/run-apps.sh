#!/bin/bash
# tests/apps/run-apps.sh: runs real programs from Debian packages (coreutils,
# busybox-static, python3, sqlite3, lua5.4), unmodified, as tests/apps/cases
# lists them: each natively first (the reference), then under monos. Prints one
# line per case:
#   PASS apps.NAME
#   FAIL apps.NAME: why
#   SKIP apps.NAME: known monos bug: why     (a case marked known-fail that fails)
# then "apps: N passed, M failed, K skipped in T s". Exits 1 if a case failed.
# tests/run-all.sh calls it after the conformance programs and counts its PASS
# and FAIL lines; it also runs alone:
#   tests/apps/run-apps.sh [NAME...]        only the cases named
#
# Environment:
#   MONOS          the host tool (default $BUILD/monos, BUILD default build)
#   TEST_JOBS      cases at once (default 2); the output order does not depend on it
#   APPS_TIMEOUT   seconds per run (default 120), monos's --timeout
#   APPS_LOG       where every run's output goes (default $BUILD/apps.log)
#   APPS_CASES     the case file (default tests/apps/cases)
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD

BUILD=${BUILD:-build}
[[ $BUILD == /* ]] || BUILD=$ROOT/$BUILD
MONOS=${MONOS:-$BUILD/monos}
[[ $MONOS == /* ]] || MONOS=$ROOT/$MONOS
JOBS=${TEST_JOBS:-2}
TIMEOUT=${APPS_TIMEOUT:-120}
CASES=${APPS_CASES:-tests/apps/cases}
DATA=$ROOT/tests/apps/data
NATIVE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin # monos's default PATH
APPS_LOG=${APPS_LOG:-$BUILD/apps.log}

mkdir -p "$BUILD"
WORK=$(mktemp -d "$BUILD/apps-work.XXXXXX") || exit 2
trap 'rm -rf "$WORK"' EXIT

# ---- the cases: parallel arrays indexed by case number ---------------------
C_NAME=() C_RUN=() C_STDIN=() C_EXIT=() C_SAME=() C_LINES=() C_MATCHES=() C_KNOWN=()

bad_cases() {
	echo "FAIL apps.cases: $CASES:$1: $2"
	echo "apps: 0 passed, 1 failed, 0 skipped"
	exit 1
}

# Logical lines: a line that begins with a tab continues the one before it.
logical=() where=()
n=0
while IFS= read -r line || [ -n "$line" ]; do
	n=$((n + 1))
	if [[ $line == $'\t'* ]] && [ ${#logical[@]} -gt 0 ]; then
		logical[-1]+=$'\n'${line:1}
		continue
	fi
	[[ $line =~ ^[[:space:]]*(#|$) ]] && continue
	logical+=("$line") where+=("$n")
done <"$CASES"

c=-1
for k in "${!logical[@]}"; do
	line=${logical[k]} at=${where[k]}
	key=${line%% *} value=""
	[[ $line == *" "* ]] && value=${line#* }
	if [ "$key" != case ] && [ $c -lt 0 ]; then
		bad_cases "$at" "\"$key\" before the first \"case\""
	fi
	case $key in
	case)
		[[ $value =~ ^[A-Za-z0-9._-]+$ ]] || bad_cases "$at" "bad case name \"$value\""
		for name in "${C_NAME[@]}"; do
			[ "$name" = "$value" ] && bad_cases "$at" "case $value twice"
		done
		c=$((c + 1))
		C_NAME[c]=$value C_RUN[c]="" C_STDIN[c]=/dev/null C_EXIT[c]=0 C_SAME[c]=0
		C_LINES[c]="" C_MATCHES[c]="" C_KNOWN[c]=""
		;;
	run) C_RUN[c]=$value ;;
	stdin)
		[ -f "$DATA/$value" ] || bad_cases "$at" "no file tests/apps/data/$value"
		C_STDIN[c]=$DATA/$value
		;;
	exit)
		[[ $value =~ ^[0-9]+$ ]] || bad_cases "$at" "exit wants a number"
		C_EXIT[c]=$value
		;;
	same-output) C_SAME[c]=1 ;;
	line) C_LINES[c]+=$value$'\n' ;;
	match) C_MATCHES[c]+=$value$'\n' ;;
	known-fail)
		[ -n "$value" ] || bad_cases "$at" "known-fail wants a reason"
		C_KNOWN[c]=$value
		;;
	*) bad_cases "$at" "unknown key \"$key\"" ;;
	esac
done
for c in "${!C_NAME[@]}"; do
	[ -n "${C_RUN[c]}" ] || bad_cases "?" "case ${C_NAME[c]} has no run line"
done

# The cases to run: all, or those named on the command line.
selected=()
if [ $# -eq 0 ]; then
	selected=("${!C_NAME[@]}")
else
	for want in "$@"; do
		found=""
		for c in "${!C_NAME[@]}"; do
			[ "${C_NAME[c]}" = "$want" ] && found=$c
		done
		[ -n "$found" ] || { echo "run-apps.sh: no case $want in $CASES" >&2; exit 2; }
		selected+=("$found")
	done
fi

# ---- running one case ---------------------------------------------------------

# Copies stdin to stdout with every FROM (a literal string) written as TO;
# pairs of arguments. Also ends a last line without a newline.
replace() {
	awk 'BEGIN { for (i = 1; i < ARGC; i += 2) { from[i] = ARGV[i]; to[i] = ARGV[i + 1] }
		     n = ARGC; ARGC = 1 }
	     { for (i = 1; i < n; i += 2) {
		       out = ""
		       while ((p = index($0, from[i])) > 0) {
			       out = out substr($0, 1, p - 1) to[i]; $0 = substr($0, p + length(from[i]))
		       }
		       $0 = out $0
	       }
	       print }' "$@"
}

describe_status() {
	case $1 in
	124) echo "timed out (exit status 124)" ;;
	125) echo "exit status 125 (monos failed or the kernel panicked)" ;;
	126) echo "exit status 126 (monos cannot run the program)" ;;
	127) echo "exit status 127 (program or QEMU not found)" ;;
	*)
		if [ "$1" -gt 128 ] && [ "$1" -lt 160 ]; then
			echo "exit status $1 (killed by SIG$(kill -l $(($1 - 128)) 2>/dev/null))"
		else
			echo "exit status $1"
		fi ;;
	esac
}

# A short printable excerpt of line $2 of file $1 (or its first lines).
excerpt() {
	sed -n "${2}p" "$1" | tr -cd '[:print:]' | cut -c1-100
}

# "stdout differs ... at line L: host "A", monos "B"" when files $2 and $3
# differ ($1 names the stream).
first_difference() {
	local what=$1 host=$2 guest=$3 l
	cmp -s "$host" "$guest" && return
	l=$(cmp "$host" "$guest" 2>&1 | sed -n 's/.*line \([0-9]*\).*/\1/p')
	[ -n "$l" ] || l=$(($(wc -l <"$host") + 1)) # one file is a prefix of the other
	echo "$what differs from the host's at line $l: host \"$(excerpt "$host" "$l")\", monos \"$(excerpt "$guest" "$l")\""
}

run_case() {
	local c=$1 dir=$WORK/$1 name=apps.${C_NAME[$1]} want=${C_EXIT[$1]}
	local -a words=() native=() guest=() add=() why=() host_why=()
	local w nstatus gstatus started took
	mkdir -p "$dir/tmp" "$dir/home"
	eval "words=(${C_RUN[c]})"
	if [[ ${C_RUN[c]} == *@DATA@* ]]; then
		cp -R --preserve=mode "$DATA" "$dir/data"
		add=(--add "$DATA:/data")
	fi
	for w in "${words[@]}"; do
		w=${w//@TMP@/$dir/tmp} && native+=("${w//@DATA@/$dir/data}")
	done
	for w in "${words[@]}"; do
		w=${w//@TMP@//tmp} && guest+=("${w//@DATA@//data}")
	done

	# Natively, in a clean environment; the scratch paths written as the guest's.
	(cd "$dir/tmp" && env -i PATH="$NATIVE_PATH" HOME="$dir/home" TMPDIR="$dir/tmp" \
		timeout -k 5 "$TIMEOUT" "${native[@]}" <"${C_STDIN[c]}" >"$dir/n.raw" 2>"$dir/n.rawerr")
	nstatus=$?
	replace "$dir/tmp" /tmp "$dir/data" /data <"$dir/n.raw" >"$dir/n.out"
	replace "$dir/tmp" /tmp "$dir/data" /data <"$dir/n.rawerr" >"$dir/n.err"

	# Under monos, from / so that the image holds no working directory of ours;
	# monos enforces --timeout itself, the outer limit is a backstop.
	started=$EPOCHREALTIME
	(cd / && timeout -k 5 $((TIMEOUT + 30)) "$MONOS" run --timeout "$TIMEOUT" "${add[@]}" \
		"${guest[@]}" <"${C_STDIN[c]}" >"$dir/g.raw" 2>"$dir/g.rawerr")
	gstatus=$?
	took=$(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
	replace <"$dir/g.raw" >"$dir/g.out"
	replace <"$dir/g.rawerr" >"$dir/g.err"
	# A case that ends by a signal: monos's kernel reports the death on stderr,
	# where Linux leaves it to the shell (bash's "Segmentation fault" is not in
	# the host run's stderr either), so that report and what follows it are
	# not compared.
	[ "$want" -gt 128 ] && sed -i '/^monos: the program was killed by /,$d' "$dir/g.err"

	# The host run must behave as the case says, or the case itself is wrong.
	[ "$nstatus" = "$want" ] ||
		host_why+=("the host run: $(describe_status "$nstatus"), expected $want$(
			w=$(excerpt "$dir/n.err" 1) && [ -n "$w" ] && echo "; stderr: $w")")

	[ "$gstatus" = "$want" ] || why+=("$(describe_status "$gstatus"), expected $want")
	if [ "${C_SAME[c]}" = 1 ]; then
		w=$(first_difference stdout "$dir/n.out" "$dir/g.out") && [ -n "$w" ] && why+=("$w")
	fi
	w=$(first_difference stderr "$dir/n.err" "$dir/g.err") && [ -n "$w" ] && why+=("$w")
	while IFS= read -r w; do
		[ -n "$w" ] || continue
		grep -Fxq -- "$w" "$dir/g.out" || why+=("no line \"$w\" in the output")
	done <<<"${C_LINES[c]}"
	while IFS= read -r w; do
		[ -n "$w" ] || continue
		grep -Eq -- "$w" "$dir/g.out" || why+=("no line matches /$w/")
	done <<<"${C_MATCHES[c]}"
	# (sqlite3's csv mode writes CRLF itself; a CR the host does not write is
	# monos's ONLCR where no terminal is)
	grep -q $'\r' "$dir/g.raw" && ! grep -q $'\r' "$dir/n.raw" &&
		why+=("carriage return in the output, none on the host")

	local result
	if [ ${#host_why[@]} -gt 0 ]; then
		result="FAIL $name: $(IFS=';'; echo "${host_why[*]}")"
	elif [ ${#why[@]} -eq 0 ]; then
		result="PASS $name"
		[ -n "${C_KNOWN[c]}" ] && result+=" (marked known-fail in $CASES, but passes: remove the mark)"
	elif [ -n "${C_KNOWN[c]}" ]; then
		result="SKIP $name: known monos bug: ${C_KNOWN[c]}"
	else
		result="FAIL $name: $(printf '%s; ' "${why[@]}" | sed 's/; $//')"
	fi
	result=$(printf '%s' "$result" | tr '\n' ' ' | tr -cd '[:print:]')

	{
		echo "=== $name: ${guest[*]} -> host status $nstatus, monos status $gstatus in $took s"
		local f
		for f in n.out:"host stdout" n.err:"host stderr" g.out:"monos stdout" g.err:"monos stderr"; do
			[ -s "$dir/${f%%:*}" ] || continue
			echo "--- ${f#*:}"
			sed 's/^/  | /' "$dir/${f%%:*}"
		done
		[ ${#why[@]} -gt 0 ] && [ -n "${C_KNOWN[c]}" ] && printf '  now: %s\n' "${why[@]}"
		echo "$result"
	} >"$dir.log"
	echo "$took" >"$dir.time"
	echo "$result" >"$dir.result"
}

# ---- run them, JOBS at a time, and report in case order -------------------
launch_all() {
	local c
	for c in "${selected[@]}"; do
		while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
			wait -n 2>/dev/null || true
		done
		run_case "$c" &
	done
	wait
}

begun=$EPOCHREALTIME
: >"$APPS_LOG"
launch_all &
launcher=$!
for c in "${selected[@]}"; do
	while [ ! -e "$WORK/$c.result" ]; do
		if ! kill -0 "$launcher" 2>/dev/null && [ ! -e "$WORK/$c.result" ]; then
			echo "FAIL apps.${C_NAME[c]}: the runner lost this case" >"$WORK/$c.result"
			cp "$WORK/$c.result" "$WORK/$c.log"
			break
		fi
		sleep 0.05
	done
	cat "$WORK/$c.log" >>"$APPS_LOG"
	cat "$WORK/$c.result"
done
wait "$launcher" 2>/dev/null

passed=$(cat "$WORK"/*.result | grep -c '^PASS ')
failed=$(cat "$WORK"/*.result | grep -c '^FAIL ')
skipped=$(cat "$WORK"/*.result | grep -c '^SKIP ')
slowest=$(for c in "${selected[@]}"; do
	[ -e "$WORK/$c.time" ] && echo "$(cat "$WORK/$c.time") ${C_NAME[c]}"
done | sort -rn | head -n 3 | awk '{ printf "%s%s %s s", sep, $2, $1; sep = ", " }')
total=$(awk -v a="$begun" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
summary="apps: $passed passed, $failed failed, $skipped skipped in $total s ($JOBS at a time; slowest: $slowest)"
echo "$summary" >>"$APPS_LOG"
echo "$summary"
[ "$failed" -eq 0 ]
