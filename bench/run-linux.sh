#!/usr/bin/env bash
# Boots Debian's Linux once on the same QEMU machine monos uses, with the bench program as /init
# of an initramfs, and writes the console to LOG. Prints the host wall-clock seconds of the
# whole boot (QEMU start to exit); exits 0 when the program ran (printed "hello").
# Usage: run-linux.sh VMLINUZ INIT.cpio MEM LOG [norandom]   (LINUX_BENCH_TIMEOUT: seconds, default 180;
#        LINUX_BENCH_SMP=N: -smp N, for bench/threads.sh; unset: no -smp, QEMU's default of 1 CPU)
# norandom: no input from the host that changes from run to run, so the instruction count
# repeats exactly: no RDRAND/RDSEED (under TCG they hand the guest the host's randomness), no
# KASLR, and an RTC that starts at a fixed date and follows the virtual clock.
#
# When /init returns, Linux panics ("Attempted to kill init!"); panic=-1 reboots at once,
# reboot=t by a triple fault, which -no-reboot turns into QEMU's exit. (Linux's default chain on
# microvm -- ACPI, keyboard controller, then a jump into the firmware -- sometimes ends in the
# firmware booting the kernel again, which then halts, and QEMU never exits: seen with
# tsc_hello at -m 512M, norandom.) That is all after main(); the figure moves only through the
# longer command line (+151,391 instructions at 128M, norandom: 0.0025%), and the program stays
# the same binary monos runs.
set -euo pipefail

vmlinuz=${1:?usage: run-linux.sh VMLINUZ INIT.cpio MEM LOG [norandom]} cpio=${2:?} mem=${3:?} log=${4:?}
cpu=max rtc=() append= smp=()
[[ -z ${LINUX_BENCH_SMP:-} ]] || smp=(-smp "$LINUX_BENCH_SMP")
if [[ ${5:-} == norandom ]]; then
	cpu=max,-rdrand,-rdseed rtc=(-rtc base=2020-01-01,clock=vm) append=" nokaslr"
fi

start=${EPOCHREALTIME/./}
status=0
timeout "${LINUX_BENCH_TIMEOUT:-180}" qemu-system-x86_64 -M microvm -cpu "$cpu" -m "$mem" "${smp[@]}" \
	-nodefaults -no-user-config -nographic -no-reboot \
	-icount shift=0,sleep=off "${rtc[@]}" \
	-kernel "$vmlinuz" -initrd "$cpio" \
	-append "console=ttyS0 quiet panic=-1 reboot=t$append" \
	-serial stdio </dev/null >"$log" 2>&1 || status=$?
end=${EPOCHREALTIME/./}
printf '%d.%02d\n' $(( (end - start) / 1000000 )) $(( (end - start) % 1000000 / 10000 ))

(( status != 124 )) || { echo "linux: timed out after ${LINUX_BENCH_TIMEOUT:-180} s" >>"$log"; exit 1; }
grep -q '^hello' "$log"
