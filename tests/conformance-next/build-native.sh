#!/bin/bash
# tests/conformance-next/build-native.sh [NAME...]: builds the programs here
# the three ways tests/tests.mk builds tests/conformance/ (into
# $OUT/VARIANT/NAME, default /tmp/ctest-next), then runs each natively as the
# harness would (env -i, only PATH and the "// env:" variables, "// test-args:").
# Prints the FAIL lines and a summary per program and variant; a run passes
# with no FAIL line and the "// expect-exit:" status (default 0).
set -u
cd "$(dirname "$0")"
OUT=${OUT:-/tmp/ctest-next}
CFLAGS="-O2 -g -std=gnu11 -Wall -Wextra -Wno-unused-parameter -I../conformance"
MUSL_INC=$OUT/musl-include
mkdir -p "$MUSL_INC"
ln -sfn /usr/include/linux "$MUSL_INC/linux"
ln -sfn /usr/include/asm-generic "$MUSL_INC/asm-generic"
ln -sfn "/usr/include/$(gcc -print-multiarch)/asm" "$MUSL_INC/asm"

names=${*:-$(ls *.c | sed 's/\.c$//')}
rc=0
for n in $names; do
	mkdir -p "$OUT/glibc-static" "$OUT/glibc-static-pie" "$OUT/musl-static"
	gcc -static $CFLAGS -o "$OUT/glibc-static/$n" "$n.c" -lm || { rc=1; continue; }
	gcc -static-pie -fPIE $CFLAGS -o "$OUT/glibc-static-pie/$n" "$n.c" -lm || { rc=1; continue; }
	musl-gcc -static $CFLAGS -idirafter "$MUSL_INC" -o "$OUT/musl-static/$n" "$n.c" -lm ||
		{ rc=1; continue; }
	envs=()
	while IFS= read -r e; do [ -n "$e" ] && envs+=("$e"); done < <(sed -n 's|^// env: \{0,1\}||p' "$n.c")
	eval "args=($(sed -n 's|^// test-args: \{0,1\}||p' "$n.c" | tail -n 1))"
	want=$(sed -n 's|^// expect-exit: \{0,1\}||p' "$n.c" | tail -n 1)
	want=${want:-0}
	for v in glibc-static glibc-static-pie musl-static; do
		out=$( (ulimit -c 0; ulimit -S -s 8192
			env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "${envs[@]}" \
			timeout 60 "$OUT/$v/$n" "${args[@]}" </dev/null) 2>&1)
		status=$?
		npass=$(grep -c '^PASS ' <<<"$out")
		nfail=$(grep -c '^FAIL ' <<<"$out")
		grep -v '^PASS ' <<<"$out" | sed "s/^/  [$v] /"
		echo "$n [$v]: exit $status$([ "$want" != 0 ] && echo " (expected $want)"), $npass passed, $nfail failed"
		[ "$status" = "$want" ] && [ "$nfail" = 0 ] || rc=1
	done
done
exit $rc
