#!/bin/bash
# tests/run-all.sh: runs the host unit tests and the conformance programs
# (natively, then under monos) and prints every check as one line:
#   PASS name [variant, where]
#   FAIL name [variant, where]: why
# followed by "N passed, M failed" as the very last line. Exits 1 if any
# check failed or none ran. Called by `make test` (tests/tests.mk), which
# passes the lists below in the environment; the full output of every run
# goes to build/test.log.
#
# Environment:
#   UNIT_TESTS     host unit test binaries (they print PASS/FAIL lines themselves)
#   CONF_NAMES     conformance programs to run (tests/conformance/NAME.c)
#   CONF_VARIANTS  build variants (build/conformance/VARIANT/NAME)
#   TEST_WHERE     "native monos" (default), or one of them
#   TEST_JOBS      runs at once (default 2); output order does not depend on it
#   TEST_TIMEOUT   seconds per run (default 60)
#   MONOS          the host tool (default build/monos)
#   TEST_APPS      "none" skips tests/apps/run-apps.sh (real programs under
#                  monos, run after the conformance programs when WHERE has monos)
#
# A conformance program states how it is run in "// key: value" lines:
#   // test-args: ARGS        program arguments, shell words; @NOW@ is the host's epoch
#                             time, @REPEAT:N:TEXT@ is TEXT N times, and a word
#                             @MANY:N:TEXT@ is N arguments TEXT
#   // expect-exit: N         expected exit status (default 0)
#   // monos-args: OPTS       options for `monos run` (e.g. -m 512M)
#   // env: K=V               an environment variable (natively via env, in monos via -e)
#   // stdin: TEXT            a line of standard input (default: /dev/null)
#   // expect-line: TEXT      a line that must appear exactly in its standard output
#   // expect-count: N RE     exactly N lines of its standard output match the ERE RE
#   // expect-stderr-count: N RE   the same for its standard error
#   // run: NAME EXIT ARGS    one run of several, each with its own args and status
set -u
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
MONOS=${MONOS:-$BUILD/monos}
JOBS=${TEST_JOBS:-2}
TIMEOUT=${TEST_TIMEOUT:-60}
WHERE=${TEST_WHERE:-native monos}
CONF_NAMES=${CONF_NAMES:-$(cd tests/conformance && ls *.c 2>/dev/null | sed 's/\.c$//')}
CONF_VARIANTS=${CONF_VARIANTS:-glibc-static glibc-dynamic musl-static}
UNIT_TESTS=${UNIT_TESTS:-}
NATIVE_PATH=/usr/sbin:/usr/bin:/sbin:/bin

# Private scratch space, so that two `make test` in one tree do not collide;
# the log is written there and moved to build/test.log at the end.
mkdir -p "$BUILD"
WORK=$(mktemp -d "$BUILD/test-work.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
LOG=$WORK/test.log
: >"$LOG"
: >"$WORK/all.lines"

# ---- the job list: one entry per program run ------------------------------
# Parallel arrays indexed by job number.
J_KIND=() J_BIN=() J_NAME=() J_TAG=() J_EXIT=() J_ARGS=() J_MARGS=() J_ENV=()
J_STDIN=() J_EXPECT=() J_MULTI=() J_COUNT=()

add_job() { # kind bin name tag exit args margs env stdin expect multi counts
	local i=${#J_KIND[@]}
	J_KIND[i]=$1 J_BIN[i]=$2 J_NAME[i]=$3 J_TAG[i]=$4 J_EXIT[i]=$5 J_ARGS[i]=$6
	J_MARGS[i]=$7 J_ENV[i]=$8 J_STDIN[i]=$9 J_EXPECT[i]=${10} J_MULTI[i]=${11}
	J_COUNT[i]=${12:-}
}

# The value of every "// KEY: value" line of file $2, one per line.
meta() {
	sed -n "s|^// $1: \\{0,1\\}||p" "$2"
}

for u in $UNIT_TESTS; do
	add_job unit "$u" "$(basename "$u")" "unit" 0 "" "" "" /dev/null "" 0 ""
done

for where in native monos; do
	case " $WHERE " in *" $where "*) ;; *) continue ;; esac
	for name in $CONF_NAMES; do
		src=tests/conformance/$name.c
		if [ ! -f "$src" ]; then
			echo "run-all.sh: no such conformance program: $src" >&2
			exit 2
		fi
		margs=$(meta monos-args "$src" | tr '\n' ' ')
		env=$(meta env "$src")
		stdin=/dev/null
		if [ -n "$(meta stdin "$src")" ]; then
			stdin=$WORK/$name.stdin
			meta stdin "$src" >"$stdin"
		fi
		expect=""
		if [ -n "$(meta expect-line "$src")" ]; then
			expect=$WORK/$name.expect
			meta expect-line "$src" >"$expect"
		fi
		# "stdout N RE" / "stderr N RE", one per line.
		counts=$( (meta expect-count "$src" | sed 's/^/stdout /'
			meta expect-stderr-count "$src" | sed 's/^/stderr /') )
		runs=$(meta run "$src")
		for variant in $CONF_VARIANTS $(meta also "$src"); do
			bin=$BUILD/conformance/$variant/$name
			tag="$variant, $where"
			if [ -z "$runs" ]; then
				status=$(meta expect-exit "$src" | tail -n 1)
				add_job "$where" "$bin" "$name" "$tag" "${status:-0}" \
					"$(meta test-args "$src" | tail -n 1)" "$margs" "$env" \
					"$stdin" "$expect" 0 "$counts"
				continue
			fi
			while read -r run status args; do
				add_job "$where" "$bin" "$name.$run" "$tag" "$status" "$args" \
					"$margs" "$env" "$stdin" "$expect" 1 "$counts"
			done <<<"$runs"
		done
	done
done

# ---- running one job --------------------------------------------------------

# "killed by SIGSEGV" and the like for an exit status.
describe_status() {
	local s=$1 kind=$2
	case "$kind:$s" in
	monos:124 | native:124) echo "timed out after $TIMEOUT s" ; return ;;
	monos:125) echo "exit status 125 (monos failed or the kernel panicked)" ; return ;;
	monos:126) echo "exit status 126 (monos cannot run the program)" ; return ;;
	monos:127) echo "exit status 127 (program or QEMU not found)" ; return ;;
	esac
	if [ "$s" -gt 128 ] && [ "$s" -lt 160 ]; then
		echo "exit status $s (killed by SIG$(kill -l $((s - 128)) 2>/dev/null || echo $((s - 128))))"
	else
		echo "exit status $s"
	fi
}

# A line of a run's stderr for its FAIL message: monos's own report and the
# line after it ("monos: the program was killed by SIGSEGV / general
# protection ... at ADDR"), else the last non-empty line; printable, short.
stderr_excerpt() {
	local text
	text=$(grep -v '^[[:space:]]*$' "$1" 2>/dev/null | grep -m 1 -A 1 '^monos: ' | paste -sd '/' -)
	[ -n "$text" ] || text=$(grep -v '^[[:space:]]*$' "$1" 2>/dev/null | tail -n 1)
	printf '%s' "$text" | tr -s '[:space:]' ' ' | tr -cd '[:print:]' | cut -c1-240
}

# A run's output for the log, indented with "| " so that only the tagged
# lines count as checks there too; the middle of a very long one is left out.
log_output() {
	local n
	n=$(wc -l <"$1")
	if [ "$n" -le 600 ]; then
		cat "$1"
	else
		head -n 300 "$1"
		echo "... ($((n - 400)) lines left out)"
		tail -n 100 "$1"
	fi | sed 's/^/  | /'
}

# $1 with every @REPEAT:N:TEXT@ replaced by TEXT repeated N times.
expand_repeat() {
	local s=$1 rep len
	while [[ $s =~ @REPEAT:([0-9]+):([^@]*)@ ]]; do
		rep=${BASH_REMATCH[2]}
		len=$((BASH_REMATCH[1] * ${#rep}))
		while [ ${#rep} -lt $len ]; do
			rep=$rep$rep # doubling: bash's ${x//} is quadratic on long strings
		done
		s=${s/"${BASH_REMATCH[0]}"/${rep:0:len}}
	done
	printf '%s' "$s"
}

run_job() {
	local i=$1 kind=${J_KIND[$1]} bin=${J_BIN[$1]} name=${J_NAME[$1]} tag=${J_TAG[$1]}
	local out=$WORK/$i.out err=$WORK/$i.err lines=$WORK/$i.lines
	local -a args=() margs=() envs=() monos_env=()
	local status a

	local -a words=()
	eval "words=(${J_ARGS[$i]})"
	for a in "${words[@]}"; do
		if [[ $a =~ ^@MANY:([0-9]+):(.*)@$ ]]; then
			local k
			for ((k = 0; k < BASH_REMATCH[1]; k++)); do
				args+=("${BASH_REMATCH[2]}")
			done
		else
			a=${a//@NOW@/$(date +%s)}
			args+=("$(expand_repeat "$a")")
		fi
	done
	eval "margs=(${J_MARGS[$i]})"
	if [ -n "${J_ENV[$i]}" ]; then
		while IFS= read -r a; do
			a=$(expand_repeat "$a")
			envs+=("$a")
			monos_env+=(-e "$a")
		done <<<"${J_ENV[$i]}"
	fi

	# No core files; and Linux's default 8 MiB stack, so that a runaway
	# recursion ends in SIGSEGV the same way wherever the harness runs.
	ulimit -c 0
	ulimit -S -s 8192 2>/dev/null
	local started=$SECONDS
	if [ ! -x "$bin" ]; then
		echo "not built: $bin" >"$err"
		: >"$out"
		status=127
	elif [ "$kind" = unit ]; then
		timeout -k 5 "$TIMEOUT" "$bin" </dev/null 2>"$err" | cat >"$out"
		status=${PIPESTATUS[0]}
	elif [ "$kind" = native ]; then
		env -i PATH="$NATIVE_PATH" "${envs[@]}" timeout -k 5 "$TIMEOUT" \
			"$bin" "${args[@]}" <"${J_STDIN[$i]}" 2>"$err" | cat >"$out"
		status=${PIPESTATUS[0]}
	else
		# monos enforces --timeout itself; the outer limit is a backstop.
		timeout -k 5 $((TIMEOUT + 30)) "$MONOS" run --timeout "$TIMEOUT" \
			"${margs[@]}" "${monos_env[@]}" "$bin" "${args[@]}" \
			<"${J_STDIN[$i]}" 2>"$err" | cat >"$out"
		status=${PIPESTATUS[0]}
	fi

	# The program's own check lines, tagged with where they ran.
	awk -v tag="[$tag]" '
		/^(PASS|FAIL) / {
			if (match($0, /^(PASS|FAIL) [^ :]+/))
				print substr($0, 1, RLENGTH) " " tag substr($0, RLENGTH + 1)
		}' "$out" | tr -d '\r' >"$lines"
	local npass nfail why=""
	npass=$(grep -c '^PASS ' "$lines")
	nfail=$(grep -c '^FAIL ' "$lines")

	# Lines the program must have written exactly.
	if [ -n "${J_EXPECT[$i]}" ]; then
		local k=0 want
		while IFS= read -r want; do
			k=$((k + 1))
			if grep -Fxq -- "$want" "$out"; then
				echo "PASS ${name}.expect_line$k [$tag]"
			else
				echo "FAIL ${name}.expect_line$k [$tag]: no line \"$want\" in the output"
			fi
		done <"${J_EXPECT[$i]}" >>"$lines"
	fi

	# Lines of stdout or stderr counted by a pattern.
	if [ -n "${J_COUNT[$i]}" ]; then
		local k=0 stream n re file got
		while read -r stream n re; do
			k=$((k + 1))
			file=$out
			[ "$stream" = stderr ] && file=$err
			got=$(tr -d '\r' <"$file" | grep -cE -- "$re")
			if [ "$got" = "$n" ]; then
				echo "PASS ${name}.${stream}_count$k [$tag]"
			else
				echo "FAIL ${name}.${stream}_count$k [$tag]: $got lines match /$re/, expected $n"
			fi
		done <<<"${J_COUNT[$i]}" >>"$lines"
	fi

	# The run as a whole: its exit status, and the program's own check lines.
	local want=${J_EXIT[$i]} run_name=$name
	[ "${J_MULTI[$i]}" = 1 ] || [ "$kind" = unit ] || run_name=$name.completed
	if { [ "$kind" = unit ] || [ "${J_MULTI[$i]}" = 0 ]; } && [ "$want" = 0 ]; then
		# Exit 0 with no failed check, or 1 after reporting failed checks.
		if [ "$status" = 0 ] && [ "$nfail" = 0 ] && [ "$npass" -gt 0 ]; then
			:
		elif [ "$status" = 1 ] && [ "$nfail" -gt 0 ]; then
			:
		elif [ "$status" = 0 ] && [ "$nfail" -gt 0 ]; then
			why="exit status 0 after $nfail failed checks"
		elif [ "$status" = 0 ]; then
			why="printed no PASS/FAIL line"
		else
			why="$(describe_status "$status" "$kind") after $((npass + nfail)) check lines"
		fi
	elif [ "$status" != "$want" ]; then
		why="$(describe_status "$status" "$kind"), expected $(describe_status "$want" "$kind")"
	fi
	if grep -q $'\r' "$out"; then
		why="${why:+$why; }carriage return in the output (ONLCR on a non-terminal?)"
	fi
	if [ -n "$why" ]; then
		local tail_err
		tail_err=$(stderr_excerpt "$err")
		[ -n "$tail_err" ] && why="$why; stderr: $tail_err"
		echo "FAIL $run_name [$tag]: $why" >>"$lines"
	else
		echo "PASS $run_name [$tag]" >>"$lines"
	fi

	local shown_args="${args[*]}"
	[ ${#shown_args} -gt 300 ] && shown_args="${shown_args:0:300}... (${#args[@]} arguments)"
	{
		echo "=== $kind $tag: $bin $shown_args -> status $status in $((SECONDS - started)) s"
		log_output "$out"
		if [ -s "$err" ]; then
			echo "--- stderr"
			log_output "$err"
		fi
	} >"$WORK/$i.log"
	touch "$WORK/$i.done"
}

# ---- run them, JOBS at a time, and report in job order ---------------------
launch_all() {
	local i
	for i in "${!J_KIND[@]}"; do
		while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
			wait -n 2>/dev/null || true
		done
		run_job "$i" &
	done
	wait
}

launch_all &
launcher=$!

section=""
for i in "${!J_KIND[@]}"; do
	while [ ! -e "$WORK/$i.done" ]; do
		if ! kill -0 "$launcher" 2>/dev/null && [ ! -e "$WORK/$i.done" ]; then
			echo "FAIL ${J_NAME[$i]} [${J_TAG[$i]}]: the harness lost this run" \
				>"$WORK/$i.lines"
			: >"$WORK/$i.log"
			break
		fi
		sleep 0.05
	done
	if [ "${J_KIND[$i]}" != "$section" ]; then
		section=${J_KIND[$i]}
		case $section in
		unit) echo "== host unit tests" ;;
		native) echo "== conformance programs, native" ;;
		monos) echo "== conformance programs, under monos" ;;
		esac | tee -a "$LOG"
	fi
	cat "$WORK/$i.log" >>"$LOG"
	tee -a "$LOG" <"$WORK/$i.lines"
	cat "$WORK/$i.lines" >>"$WORK/all.lines"
done
wait "$launcher" 2>/dev/null

# Real programs from Debian packages (tests/apps): their PASS and FAIL lines
# count with the others, every run's output joins the log.
if [ -x tests/apps/run-apps.sh ] && [ "${TEST_APPS:-}" != none ] &&
	[[ " $WHERE " == *" monos "* ]]; then
	echo "== real programs, natively and under monos (tests/apps)" | tee -a "$LOG"
	BUILD="$BUILD" MONOS="$MONOS" TEST_JOBS="$JOBS" APPS_LOG="$WORK/apps.log" \
		tests/apps/run-apps.sh | tee "$WORK/apps.lines"
	apps_status=${PIPESTATUS[0]}
	cat "$WORK/apps.log" >>"$LOG" 2>/dev/null
	grep -E '^(PASS|FAIL) ' "$WORK/apps.lines" >>"$WORK/all.lines"
	if [ "$apps_status" != 0 ] && ! grep -q '^FAIL ' "$WORK/apps.lines"; then
		echo "FAIL apps: tests/apps/run-apps.sh exited $apps_status" | tee -a "$LOG" "$WORK/all.lines"
	fi
fi

passed=$(grep -c '^PASS ' "$WORK/all.lines" 2>/dev/null)
failed=$(grep -c '^FAIL ' "$WORK/all.lines" 2>/dev/null)
if [ "$failed" -gt 0 ]; then
	{
		echo "== failed checks (repeated from above)"
		sed -n 's/^FAIL /  /p' "$WORK/all.lines"
	} | tee -a "$LOG"
fi
echo "$passed passed, $failed failed" >>"$LOG"
mv -f "$LOG" "$BUILD/test.log"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
