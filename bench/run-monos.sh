#!/usr/bin/env bash
# Runs the bench program once under monos (`monos run --icount`) and writes its output to LOG.
# Prints the host wall-clock seconds of the whole `monos run` (packing the initramfs, QEMU start
# to exit); exits 0 when the program ran (printed "hello") and monos returned 0.
# Usage: run-monos.sh MONOS PROGRAM MEM LOG [norandom]   (MONOS_BENCH_TIMEOUT: seconds, default 30)
# norandom: --no-aslr, the one input that changes monos's instruction count from run to run.
set -euo pipefail

monos=${1:?usage: run-monos.sh MONOS PROGRAM MEM LOG [norandom]} prog=${2:?} mem=${3:?} log=${4:?}
opts=(--icount)
[[ ${5:-} != norandom ]] || opts+=(--no-aslr)

start=${EPOCHREALTIME/./}
status=0
timeout "${MONOS_BENCH_TIMEOUT:-30}" "$monos" run "${opts[@]}" -m "$mem" "$prog" </dev/null >"$log" 2>&1 || status=$?
end=${EPOCHREALTIME/./}
printf '%d.%02d\n' $(( (end - start) / 1000000 )) $(( (end - start) % 1000000 / 10000 ))

case $status in
0)   ;;
124) echo "monos: timed out after ${MONOS_BENCH_TIMEOUT:-30} s" >>"$log" ;;
*)   echo "monos: exited with status $status" >>"$log" ;;
esac
(( status == 0 )) && grep -q '^hello' "$log"
