# Shared by the bench scripts (boot.sh, programs.sh, threads.sh, events.sh): messages and the
# number formats of their reports; for threads.sh and events.sh also their settings and one run
# of their program on each side. Sourced, not run.

say() { echo "bench: $*" >&2; }

# 6034659798 -> 6,034,659,798
group() {
	local n=$1
	while [[ $n =~ ^([0-9]+)([0-9]{3})(.*)$ ]]; do n="${BASH_REMATCH[1]},${BASH_REMATCH[2]}${BASH_REMATCH[3]}"; done
	echo "$n"
}

# a/b as "N.Nx" (or "-" when either is unknown)
ratio() {
	[[ -n $1 && -n $2 && $2 != 0 ]] || { echo -; return; }
	local r
	r=$(awk -v a="$1" -v b="$2" 'BEGIN { r = a / b; printf(r >= 100 ? "%.0f\n" : "%.1f\n", r) }')
	echo "$(group "$r")x"
}

# A number grouped, or "-" when unknown; seconds with their unit, or "-".
fmt() { [[ -n ${1:-} ]] && group "$1" || echo "-"; }
secs() { [[ -n ${1:-} ]] && echo "$1 s" || echo "-"; }

# ---- threads.sh and events.sh: one static program, under monos and as Linux's /init ----------

# Their settings: root and bench (the tree), out (BENCH_OUT: elsewhere, to test the bench; else
# build/bench: the logs and the report), monos and kernel (MONOS; MONOS_KERNEL, else the
# kernel.elf beside monos, which `monos run` takes unless told otherwise), LINUX_BENCH_TIMEOUT
# (90 s per boot unless set) and mem, the guest memory of every run. Creates out.
one_program_settings() {
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	bench=$root/bench
	out=${BENCH_OUT:-$root/build/bench}
	monos=${MONOS:-$root/build/monos}
	kernel=${MONOS_KERNEL:-$(dirname "$monos")/kernel.elf}
	export LINUX_BENCH_TIMEOUT=${LINUX_BENCH_TIMEOUT:-90}
	mem=128M
	mkdir -p "$out"
}

# One run of $prog, logged to LOG: when it ran, its figures go through the caller's record KEY
# LOG and its wall seconds to wall[KEY]; when not, to the caller's fail KEY LOG.
# monos_run KEY LOG SMP: `monos run` with --smp SMP (run-monos.sh adds --icount).
monos_run() {
	local w
	if w=$(MONOS_BENCH_TIMEOUT=${MONOS_BENCH_TIMEOUT:-60} \
		"$bench/run-monos.sh" "$monos" "$prog" "$mem" "$2" - --kernel "$kernel" --smp "$3"); then
		record "$1" "$2"
		wall[$1]=$w
	else
		fail "$1" "$2"
	fi
}

# linux_run KEY LOG SMP: Linux ($vmlinuz) booted with $cpio as its initramfs, -smp SMP.
linux_run() {
	local w
	if w=$(LINUX_BENCH_SMP=$3 "$bench/run-linux.sh" "$vmlinuz" "$cpio" "$mem" "$2"); then
		record "$1" "$2"
		wall[$1]=$w
	else
		fail "$1" "$2"
	fi
}
