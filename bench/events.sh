#!/usr/bin/env bash
# `make bench`, after threads.sh: time and event operations, monos vs Linux, appended to
# build/bench/report.txt. One static program (bench/tsc_events.c) reads the TSC around N calls of
# each operation; under -icount shift=0,sleep=off that is instructions, so it prints
# instructions per call:
#   vdso_clock_gettime     libc's clock_gettime(CLOCK_MONOTONIC), served by the vDSO (N = 20000)
#   syscall_clock_gettime  syscall(SYS_clock_gettime, CLOCK_MONOTONIC) (N = 20000)
#   epoll_wait_ready       epoll_wait(timeout 0) on a level-triggered eventfd that stays readable
#                          (N = 10000)
#   signal_roundtrip       kill(getpid(), SIGUSR1) with a handler: send, delivery, handler,
#                          rt_sigreturn (N = 2000)
# and which clocksource Linux chose (its vDSO reads the clock itself only with tsc or kvm-clock;
# with another it makes the system call). monos runs it with `monos run --icount --smp 1`, twice;
# Linux boots it as /init of an initramfs (as boot.sh does) with -smp 1, once. Targets, from the
# signals/vDSO/event issue: the vDSO clock_gettime within 1.2x of Linux's, every other figure
# at most half of Linux's, checked on both monos runs. A row the kernel cannot run yet (its
# setup call fails) is reported as n/a.
# Exits 1 when a side failed to run the program (after reporting why).
# Usage: events.sh TSC_EVENTS
# env: MONOS, MONOS_KERNEL (as for boot.sh); BENCH_OUT (instead of build/bench: its logs and the
#      report it appends to); LINUX_BENCH_TIMEOUT (default here 90 s per boot).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

one_program_settings	# root, bench, out, monos, kernel, mem (lib.sh)
prog=$(realpath "${1:?usage: events.sh TSC_EVENTS}")
ops=(vdso_clock_gettime syscall_clock_gettime epoll_wait_ready signal_roundtrip)
declare -A label=(
	[vdso_clock_gettime]="clock_gettime, vDSO (libc)"
	[syscall_clock_gettime]="clock_gettime, syscall"
	[epoll_wait_ready]="epoll_wait, ready eventfd"
	[signal_roundtrip]="signal round trip"
)
declare -A iters=([vdso_clock_gettime]=20000 [syscall_clock_gettime]=20000 [epoll_wait_ready]=10000
	[signal_roundtrip]=2000)
# The issue's targets: monos / Linux at most this (as a fraction: numerator/denominator).
declare -A limit_num=([vdso_clock_gettime]=12 [syscall_clock_gettime]=1 [epoll_wait_ready]=1 [signal_roundtrip]=1)
declare -A limit_den=([vdso_clock_gettime]=10 [syscall_clock_gettime]=2 [epoll_wait_ready]=2 [signal_roundtrip]=2)
declare -A limit_text=([vdso_clock_gettime]="<= 1.2x Linux" [syscall_clock_gettime]="<= 0.5x Linux"
	[epoll_wait_ready]="<= 0.5x Linux" [signal_roundtrip]="<= 0.5x Linux")
failed=0
declare -A val=() faillog=() wall=()

row() { printf '%-38s %15s %15s %12s   %s\n' "$@"; }

# record KEY LOG: val[KEY.OP] from the events_OP= lines the program printed ("n/a ..." kept).
record() {
	local op v
	for op in "${ops[@]}" clocksource; do
		v=$(sed -n "s/^events_$op=\(.*\)/\1/p" "$2" | head -n1 | tr -d '\r')
		[[ -z $v ]] || val[$1.$op]=$v
	done
}
fail() { # KEY LOG
	failed=1
	faillog[$1]=$2
	local side run
	IFS=. read -r side run <<<"$1"
	say "$side did not run the program (run $run); the end of $2:"
	tail -n 15 "$2" | sed 's/^/    /' >&2
}
is_num() { [[ ${1:-} =~ ^[0-9]+$ ]]; }

# --- monos: --smp 1, twice ---------------------------------------------------------------------
if [[ -x $monos && -s $kernel ]]; then
	for i in 1 2; do
		log=$out/events-monos-$i.log
		say "running monos: events ($i/2)"
		monos_run "monos.$i" "$log" 1
	done
else
	failed=1
	say "monos: $monos or $kernel missing ('make all' failed?)"
fi

# --- Linux: the program as /init, and /dev/console for its stdout ----------------------------
linux_pkg=
if vmlinuz=$("$bench/linux.sh"); then
	linux_pkg=$(basename "$vmlinuz" | sed 's/^vmlinuz-/linux-image-/')
	cpio=$out/events-linux.cpio
	printf 'dir /dev 0755\nnod /dev/console 0600 c 5 1\ndir /sys 0755\nfile /init %s 0755\n' "$prog" |
		"$bench/mkcpio.sh" "$cpio"
	log=$out/events-linux.log
	say "booting linux: events, -smp 1"
	linux_run "linux.1" "$log" 1
else
	failed=1
	say "no Linux kernel to compare against"
fi

# --- report -----------------------------------------------------------------------------------
cell() { # SIDE RUN OP
	local v=${val[$1.$2.$3]:-}
	if is_num "$v"; then group "$v"
	elif [[ -n $v ]]; then echo "${v%% *}"	# "n/a": the reason is in the log
	elif [[ -n ${faillog[$1.$2]:-} ]]; then echo failed
	else echo -
	fi
}
# verdict OP: met when both monos runs are within the op's limit of Linux's figure.
verdict() {
	local l=${val[linux.1.$1]:-} m i
	for i in 1 2; do
		[[ -z ${faillog[monos.$i]:-} ]] || { echo failed; return; }
	done
	is_num "$l" || { echo "- (no Linux figure)"; return; }
	for i in 1 2; do
		m=${val[monos.$i.$1]:-}
		is_num "$m" || { echo "- (n/a on monos)"; return; }
		(( m * ${limit_den[$1]} <= l * ${limit_num[$1]} )) || { echo MISSED; return; }
	done
	echo met
}
num() { is_num "${1:-}" && echo "$1" || echo; }

{
	echo
	echo "Events: $(basename "$prog") (static glibc), instructions per call = TSC difference over N"
	echo "calls (after warm-up) / N. monos: 'monos run --icount --smp 1', twice; Linux:"
	echo "${linux_pkg:-unavailable}, the program as /init, -smp 1, once. -m $mem."
	row "" monos Linux Linux/monos "monos target"
	for op in "${ops[@]}"; do
		row "${label[$op]}, run 1" "$(cell monos 1 "$op")" "$(cell linux 1 "$op")" \
			"$(ratio "$(num "${val[linux.1.$op]:-}")" "$(num "${val[monos.1.$op]:-}")")" \
			"${limit_text[$op]}: $(verdict "$op")"
		row "  run 2" "$(cell monos 2 "$op")" "" \
			"$(ratio "$(num "${val[linux.1.$op]:-}")" "$(num "${val[monos.2.$op]:-}")")" ""
	done
	row "clocksource" "TSC (vDSO)" "${val[linux.1.clocksource]:--}" "" ""
	row "host wall-clock, run 1" "$(secs "${wall[monos.1]:-}")" "$(secs "${wall[linux.1]:-}")" \
		"$(ratio "$(tr -d . <<<"${wall[linux.1]:-}")" "$(tr -d . <<<"${wall[monos.1]:-}")")" ""
	echo "N: clock_gettime ${iters[vdso_clock_gettime]} each way, epoll_wait ${iters[epoll_wait_ready]}, signal round trip ${iters[signal_roundtrip]}."
	echo "  Linux's vDSO reads the clock itself only on the tsc and kvm-clock clocksources; on any other"
	echo "  it makes the system call, and its 'vDSO' row is then a syscall's cost."
	for k in $(printf '%s\n' "${!val[@]}" | sort); do
		[[ ${val[$k]} != n/a\ * ]] || echo "  n/a: $k: ${val[$k]#n/a }"
	done
	if (( failed )); then
		echo "FAILED: a side did not run the program:"
		for k in $(printf '%s\n' "${!faillog[@]}" | sort); do
			echo "  $k: ${faillog[$k]#$root/}"
			tail -n 8 "${faillog[$k]}" | sed 's/^/      /'
		done
	fi
} | tee -a "$out/report.txt"

exit "$failed"
