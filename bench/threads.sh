#!/usr/bin/env bash
# `make bench`, after programs.sh: thread operations, monos vs Linux, appended to
# build/bench/report.txt. One static program (bench/tsc_threads.c) reads the TSC around N
# iterations of each operation; under -icount shift=0,sleep=off that is instructions (of all
# CPUs), so it prints instructions per operation:
#   create_join     pthread_create + pthread_join of a thread that returns at once (N = 200)
#   futex_pingpong  a round trip between two threads through two futex words (N = 2000)
#   yield_1         sched_yield() with one thread (N = 10000)
#   yield_2         sched_yield() with two threads pinned to CPU 0 (N = 10000 each)
# monos runs it with `monos run --icount --smp 1` and `--smp 2`, twice each (under a second
# apiece); Linux boots it as /init of an initramfs (as boot.sh does) with -smp 1, once (10 to
# 20 s under TCG). The target, from the threads issue: every monos figure at most half of
# Linux's, checked on both monos runs. Linux with -smp 2 is tried only with
# BENCH_THREADS_LINUX_SMP2=1: Linux 6.1 does not finish bringing up its second CPU under
# QEMU 7.2's -icount (bench/README.md), and the attempt would cost the whole timeout.
# Exits 1 when a side failed to run the program (after reporting why).
# Usage: threads.sh TSC_THREADS
# env: MONOS, MONOS_KERNEL (as for boot.sh); BENCH_OUT (instead of build/bench: its logs and the
#      report it appends to); LINUX_BENCH_TIMEOUT (default here 90 s per boot);
#      BENCH_THREADS_LINUX_SMP2=1.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

one_program_settings	# root, bench, out, monos, kernel, mem (lib.sh)
prog=$(realpath "${1:?usage: threads.sh TSC_THREADS}")
ops=(create_join futex_pingpong yield_1 yield_2)
declare -A label=(
	[create_join]="pthread_create+join"
	[futex_pingpong]="futex round trip"
	[yield_1]="sched_yield, 1 thread"
	[yield_2]="sched_yield, 2 threads"
)
declare -A iters=([create_join]=200 [futex_pingpong]=2000 [yield_1]=10000 [yield_2]=10000)
# The issue's targets: these (op, smp) pairs; the other smp 2 figures are for information.
declare -A target=([create_join.1]=1 [futex_pingpong.1]=1 [futex_pingpong.2]=1 [yield_1.1]=1 [yield_2.1]=1)
failed=0
declare -A val=() faillog=() wall=()


row() { printf '%-38s %15s %15s %12s   %s\n' "$@"; }

# record KEY LOG: val[KEY.OP] from the threads_OP= lines the program printed.
record() {
	local op v
	for op in "${ops[@]}" pingpong_cpus; do
		v=$(sed -n "s/^threads_$op=\([0-9,-][0-9,-]*\).*/\1/p" "$2" | head -n1)
		[[ -z $v ]] || val[$1.$op]=$v
	done
}
fail() { # KEY LOG
	failed=1
	faillog[$1]=$2
	local side smp run
	IFS=. read -r side smp run <<<"$1"
	say "$side did not run the program (smp $smp, run $run); the end of $2:"
	tail -n 15 "$2" | sed 's/^/    /' >&2
}

# --- monos: --smp 1 and --smp 2, twice each --------------------------------------------------
if [[ -x $monos && -s $kernel ]]; then
	for smp in 1 2; do
		for i in 1 2; do
			log=$out/threads-monos-smp$smp-$i.log
			say "running monos: threads, --smp $smp ($i/2)"
			monos_run "monos.$smp.$i" "$log" "$smp"
		done
	done
else
	failed=1
	say "monos: $monos or $kernel missing ('make all' failed?)"
fi

# --- Linux: the program as /init, and /dev/console for its stdout ----------------------------
linux_smps=(1)
[[ ${BENCH_THREADS_LINUX_SMP2:-0} == 0 ]] || linux_smps+=(2)
linux_pkg=
if vmlinuz=$("$bench/linux.sh"); then
	linux_pkg=$(basename "$vmlinuz" | sed 's/^vmlinuz-/linux-image-/')
	cpio=$out/threads-linux.cpio
	printf 'dir /dev 0755\nnod /dev/console 0600 c 5 1\nfile /init %s 0755\n' "$prog" |
		"$bench/mkcpio.sh" "$cpio"
	for smp in "${linux_smps[@]}"; do
		log=$out/threads-linux-smp$smp.log
		say "booting linux: threads, -smp $smp"
		linux_run "linux.$smp.1" "$log" "$smp"
	done
else
	failed=1
	say "no Linux kernel to compare against"
fi

# --- report -----------------------------------------------------------------------------------
# cell SIDE SMP RUN OP: the figure, "failed" when that run failed, "-" when it did not run.
cell() {
	local v=${val[$1.$2.$3.$4]:-}
	if [[ -n $v ]]; then group "$v"
	elif [[ -n ${faillog[$1.$2.$3]:-} ]]; then echo failed
	elif [[ $1 == linux && $2 == 2 && ${BENCH_THREADS_LINUX_SMP2:-0} == 0 ]]; then echo "not run (**)"
	else echo -
	fi
}
# verdict OP SMP: met when both monos runs are at most half of Linux's figure.
verdict() {
	local l=${val[linux.$2.1.$1]:-} m i
	for i in 1 2; do
		[[ -z ${faillog[monos.$2.$i]:-} ]] || { echo "failed"; return; }
	done
	[[ -n $l ]] || { echo "- (no Linux figure)"; return; }
	for i in 1 2; do
		m=${val[monos.$2.$i.$1]:-}
		[[ -n $m ]] || { echo "-"; return; }
		(( 2 * m <= l )) || { echo MISSED; return; }
	done
	echo met
}

{
	echo
	echo "Threads: $(basename "$prog") (static glibc), instructions per operation = TSC difference over N"
	echo "iterations (after warm-up) / N; all CPUs' instructions count. monos: 'monos run --icount"
	echo "--smp S', twice each; Linux: ${linux_pkg:-unavailable}, the program as /init, -smp $(IFS=/; echo "${linux_smps[*]}"), once. -m $mem."
	row "" monos Linux Linux/monos "monos target"
	for op in "${ops[@]}"; do
		for smp in 1 2; do
			t=
			[[ -z ${target[$op.$smp]:-} ]] || t="<= 0.5x Linux: $(verdict "$op" "$smp")"
			row "${label[$op]}, smp $smp, run 1" "$(cell monos "$smp" 1 "$op")" "$(cell linux "$smp" 1 "$op")" \
				"$(ratio "${val[linux.$smp.1.$op]:-}" "${val[monos.$smp.1.$op]:-}")" "$t"
			row "  run 2" "$(cell monos "$smp" 2 "$op")" "" \
				"$(ratio "${val[linux.$smp.1.$op]:-}" "${val[monos.$smp.2.$op]:-}")" ""
		done
	done
	row "host wall-clock, smp 1, run 1" "$(secs "${wall[monos.1.1]:-}")" "$(secs "${wall[linux.1.1]:-}")" \
		"$(ratio "$(tr -d . <<<"${wall[linux.1.1]:-}")" "$(tr -d . <<<"${wall[monos.1.1]:-}")")" ""
	row "futex round trip: CPUs of A,B, smp 2" "${val[monos.2.1.pingpong_cpus]:--} / ${val[monos.2.2.pingpong_cpus]:--}" \
		"${val[linux.2.1.pingpong_cpus]:--}" "" ""
	echo "N: create+join ${iters[create_join]}, futex round trip ${iters[futex_pingpong]}, sched_yield ${iters[yield_1]} (2 threads: both pinned to CPU 0,"
	echo "  N calls each; per call = total / 2N). Target (the threads issue): each monos run at most half"
	echo "  of Linux's figure, for create+join, both yields at smp 1 and the round trip at smp 1 and 2;"
	echo "  the other smp 2 rows are for information."
	if [[ ${BENCH_THREADS_LINUX_SMP2:-0} == 0 ]]; then
		echo "(**) Linux with -smp 2 is not booted: Linux 6.1 hangs bringing up its second CPU under QEMU's"
		echo "  -icount (after 'x86: Booting SMP configuration:'); BENCH_THREADS_LINUX_SMP2=1 tries it."
	fi
	if (( failed )); then
		echo "FAILED: a side did not run the program:"
		for k in $(printf '%s\n' "${!faillog[@]}" | sort); do
			IFS=. read -r side smp run <<<"$k"
			echo "  $side, smp $smp, run $run: ${faillog[$k]#$root/}"
			tail -n 8 "${faillog[$k]}" | sed 's/^/      /'
		done
	fi
} | tee -a "$out/report.txt"

exit "$failed"
