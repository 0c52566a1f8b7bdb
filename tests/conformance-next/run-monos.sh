#!/bin/bash
# tests/conformance-next/run-monos.sh [NAME...]: runs the programs that
# build-native.sh built ($OUT/VARIANT/NAME) under monos ($MONOS, default
# /tmp/ctest-build/monos) with their "// monos-args:", "// env:" and
# "// test-args:" lines, as tests/run-all.sh would.
set -u
cd "$(dirname "$0")"
OUT=${OUT:-/tmp/ctest-next}
MONOS=${MONOS:-/tmp/ctest-build/monos}
names=${*:-$(ls *.c | sed 's/\.c$//')}
rc=0
for n in $names; do
	menv=()
	while IFS= read -r e; do [ -n "$e" ] && menv+=(-e "$e"); done < <(sed -n 's|^// env: \{0,1\}||p' "$n.c")
	eval "margs=($(sed -n 's|^// monos-args: \{0,1\}||p' "$n.c" | tr '\n' ' '))"
	eval "args=($(sed -n 's|^// test-args: \{0,1\}||p' "$n.c" | tail -n 1))"
	want=$(sed -n 's|^// expect-exit: \{0,1\}||p' "$n.c" | tail -n 1)
	want=${want:-0}
	for v in glibc-static glibc-static-pie musl-static; do
		out=$(timeout 120 "$MONOS" run --timeout 60 "${margs[@]}" "${menv[@]}" \
			"$OUT/$v/$n" "${args[@]}" </dev/null 2>/tmp/ctest-next-$n-$v.err)
		status=$?
		npass=$(grep -c '^PASS ' <<<"$out")
		nfail=$(grep -c '^FAIL ' <<<"$out")
		grep -v '^PASS ' <<<"$out" | sed "s/^/  [$v] /"
		[ "$status" != "$want" ] && [ "$status" != 1 ] && tail -n 3 /tmp/ctest-next-$n-$v.err | sed "s/^/  [$v stderr] /"
		echo "$n [$v, monos]: exit $status$([ "$want" != 0 ] && echo " (expected $want)"), $npass passed, $nfail failed"
		[ "$status" = "$want" ] && [ "$nfail" = 0 ] || rc=1
	done
done
exit $rc
