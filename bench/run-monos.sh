#!/usr/bin/env bash
# Runs the bench program once under monos (`monos run --icount`) and writes its output to LOG.
# Prints the host wall-clock seconds of the whole `monos run` (packing the initramfs, QEMU start
# to exit); exits 0 when the program ran (printed "hello") and monos returned 0.
# Usage: run-monos.sh MONOS PROGRAM MEM LOG [norandom|-] [MONOS-OPTION... [-- ARG...]]
#        (MONOS_BENCH_TIMEOUT: seconds, default 30)
# norandom: --no-aslr, the one input that changes monos's instruction count from run to run;
# "-" keeps the default machine. bench/programs.sh passes more `monos run` options (-e, --add,
# --save-image) and, after "--", the program's arguments.
set -euo pipefail

monos=${1:?usage: run-monos.sh MONOS PROGRAM MEM LOG [norandom|-] [MONOS-OPTION... [-- ARG...]]}
prog=${2:?} mem=${3:?} log=${4:?}
shift 4
opts=(--icount) args=()
[[ ${1:-} != norandom ]] || opts+=(--no-aslr)
(( $# == 0 )) || shift
while (( $# )) && [[ $1 != -- ]]; do opts+=("$1"); shift; done
(( $# == 0 )) || { shift; args=("$@"); }

start=${EPOCHREALTIME/./}
status=0
timeout "${MONOS_BENCH_TIMEOUT:-30}" "$monos" run "${opts[@]}" -m "$mem" "$prog" "${args[@]}" </dev/null >"$log" 2>&1 || status=$?
end=${EPOCHREALTIME/./}
printf '%d.%02d\n' $(( (end - start) / 1000000 )) $(( (end - start) % 1000000 / 10000 ))

case $status in
0)   ;;
124) echo "monos: timed out after ${MONOS_BENCH_TIMEOUT:-30} s" >>"$log" ;;
*)   echo "monos: exited with status $status" >>"$log" ;;
esac
(( status == 0 )) && grep -q '^hello' "$log"
