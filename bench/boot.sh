#!/usr/bin/env bash
# `make bench`: boots the same static program under monos and under Debian's Linux 6.1 on the same
# QEMU machine, and reports monos against Linux as ratios: instructions from reset to main()
# (the guest TSC under -icount shift=0, read by the program), host wall-clock per boot, kernel image
# size, and the smallest -m that still runs the program. Writes the report to stdout and to
# build/bench/report.txt; exits 1 when either side failed to run (after reporting why).
# Usage: boot.sh PROGRAM
# env: BENCH_LINUX_MEM=0 skips the Linux memory bisection (whose answer is cached in
#      cache/linux/min-mem-*; delete those files to bisect again); MONOS, MONOS_KERNEL.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
bench=$root/bench
out=$root/build/bench
prog=$(realpath "${1:?usage: boot.sh PROGRAM}")
monos=${MONOS:-$root/build/monos}		# overridable to test the bench itself
kernel=${MONOS_KERNEL:-$root/build/kernel.elf}
mem=128M				# the machine both sides boot on for the headline figures
mkdir -p "$out"
failed=0

verdict() { # value limit: "met" / "MISSED" / "" when unknown
	[[ -n $1 ]] || { echo "-"; return; }
	(( $1 <= $2 )) && echo met || echo MISSED
}
tsc_of() { sed -n 's/^tsc_at_main=\([0-9][0-9]*\).*/\1/p' "$1" | head -n1; }

# boot SIDE MEM LOG [norandom]: one boot; prints its wall seconds; status 0 when the program ran.
boot() {
	case $1 in
	linux) "$bench/run-linux.sh" "$vmlinuz" "$cpio" "$2" "$3" ${4:-} ;;
	monos) "$bench/run-monos.sh" "$monos" "$prog" "$2" "$3" ${4:-} ;;
	esac
}

# min_mem SIDE: the smallest size in MiB (2..128) with which the program still runs, by
# bisection; assumes that more memory never hurts and that 128 MiB works (checked before).
min_mem() {
	local lo=1 hi=128 mid
	while (( hi - lo > 1 )); do
		mid=$(( (lo + hi) / 2 ))
		if boot "$1" "${mid}M" "$out/$1-mem.log" >/dev/null; then hi=$mid; else lo=$mid; fi
	done
	echo "$hi"
}

# measure SIDE: four boots at $mem, each kind twice to show what repeats: runs 1 and 2 on the
# default machine (the headline), runs 3 and 4 with no randomness from the host (norandom).
# Sets tsc_SIDE_N, wall_SIDE_N and ok_SIDE (1 when every boot ran the program).
measure() {
	local side=$1 i wall log variant
	eval "ok_$side=1"
	for i in 1 2 3 4; do
		variant=$( (( i <= 2 )) || echo norandom)
		log=$out/$side-$i.log
		say "booting $side ($i/4${variant:+, $variant})"
		if wall=$(boot "$side" "$mem" "$log" $variant) && [[ -n $(tsc_of "$log") ]]; then
			eval "tsc_${side}_$i=$(tsc_of "$log") wall_${side}_$i=$wall"
		else
			eval "ok_$side=0 faillog_$side=$log"
			say "$side did not run the program; the end of $log:"
			tail -n 15 "$log" | sed 's/^/    /' >&2
			return
		fi
	done
}

for side in linux monos; do
	for i in 1 2 3 4; do eval "tsc_${side}_$i= wall_${side}_$i="; done
	eval "ok_$side=0 mem_$side= faillog_$side="
done
linux_pkg= why_monos=

# --- Linux: Debian's kernel, the program as /init (and /dev/console for its stdout) ---------
cpio=$out/linux-init.cpio
if vmlinuz=$("$bench/linux.sh"); then
	linux_pkg=$(basename "$vmlinuz" | sed 's/^vmlinuz-/linux-image-/')
	printf 'dir /dev 0755\nnod /dev/console 0600 c 5 1\nfile /init %s 0755\n' "$prog" |
		"$bench/mkcpio.sh" "$cpio"
	measure linux
	if (( ok_linux )) && [[ ${BENCH_LINUX_MEM:-1} != 0 ]]; then
		# The bisection costs about a minute of Linux boots, and its answer depends only on the
		# kernel, the program and QEMU: keep it in the cache beside the kernel.
		key=$( { sha256sum "$vmlinuz" "$prog" | cut -d' ' -f1; qemu-system-x86_64 --version | head -n1; } |
			sha256sum | cut -c1-16)
		memcache=$(dirname "$(dirname "$vmlinuz")")/min-mem-$key
		if [[ -s $memcache ]]; then
			mem_linux="$(<"$memcache") (cached)"
		else
			say "bisecting the smallest -m for linux (once; the answer is cached)"
			mem_linux=$(min_mem linux)
			echo "$mem_linux" >"$memcache"
		fi
	fi
else
	say "no Linux kernel to compare against"
fi

# --- monos: the same program through `monos run --icount` ------------------------------------
if [[ ! -x $monos || ! -s $kernel ]]; then
	why_monos="build/monos or build/kernel.elf missing ('make all' failed?)"
	say "monos: $why_monos"
else
	measure monos
	if (( ok_monos )); then
		say "bisecting the smallest -m for monos"
		mem_monos=$(min_mem monos)
	else
		why_monos="did not run the program; the end of ${faillog_monos#$root/}:"
	fi
fi
(( ok_linux && ok_monos )) || failed=1
# The QEMU command `monos run` chose, so the reader can check that both sides boot the same machine.
monos_cmd=$( [[ -x $monos ]] && "$monos" run --dry-run --icount -m "$mem" "$prog" 2>/dev/null |
	grep -o -- ' -M .* -kernel' | sed 's/ -kernel$//; s/^ //' || true)

# --- report -----------------------------------------------------------------------------------
kbytes=$( [[ -s $kernel ]] && stat -c %s "$kernel" || true)
lbytes=$( [[ -n ${vmlinuz:-} && -s $vmlinuz ]] && stat -c %s "$vmlinuz" || true)
spread() { [[ -n $1 && -n $2 ]] && echo $(( $1 > $2 ? $1 - $2 : $2 - $1 )) || true; }
row() { printf '%-34s %15s %15s %12s   %s\n' "$@"; }

{
	echo "monos vs Linux on the same QEMU: $(qemu-system-x86_64 --version | head -n1 | sed 's/ (.*//')"
	echo "machine: -M microvm -cpu max -m $mem, TCG, -icount shift=0,sleep=off (guest TSC = instructions since reset)"
	echo "program: $(basename "$prog") (static glibc) reads the TSC first thing in main()"
	echo "Linux:   ${linux_pkg:-unavailable} (Debian), the program as /init of an initramfs"
	[[ -z $monos_cmd ]] || echo "monos:   $monos_cmd"
	echo
	row "" monos Linux Linux/monos "monos target"
	row "instructions reset->main() run 1" "$(fmt "$tsc_monos_1")" "$(fmt "$tsc_linux_1")" \
		"$(ratio "$tsc_linux_1" "$tsc_monos_1")" "<= 1,000,000 $(verdict "$tsc_monos_1" 1000000)"
	row "instructions reset->main() run 2" "$(fmt "$tsc_monos_2")" "$(fmt "$tsc_linux_2")" \
		"$(ratio "$tsc_linux_2" "$tsc_monos_2")" ""
	row "  difference between runs 1 and 2" "$(fmt "$(spread "$tsc_monos_1" "$tsc_monos_2")")" \
		"$(fmt "$(spread "$tsc_linux_1" "$tsc_linux_2")")" "" ""
	row "no host randomness (*), run 3" "$(fmt "$tsc_monos_3")" "$(fmt "$tsc_linux_3")" \
		"$(ratio "$tsc_linux_3" "$tsc_monos_3")" ""
	row "no host randomness (*), run 4" "$(fmt "$tsc_monos_4")" "$(fmt "$tsc_linux_4")" \
		"$(ratio "$tsc_linux_4" "$tsc_monos_4")" ""
	row "  difference between runs 3 and 4" "$(fmt "$(spread "$tsc_monos_3" "$tsc_monos_4")")" \
		"$(fmt "$(spread "$tsc_linux_3" "$tsc_linux_4")")" "" ""
	row "host wall-clock per boot, run 1" "$(secs "$wall_monos_1")" "$(secs "$wall_linux_1")" \
		"$(ratio "${wall_linux_1/./}" "${wall_monos_1/./}")" ""
	row "host wall-clock per boot, run 2" "$(secs "$wall_monos_2")" "$(secs "$wall_linux_2")" \
		"$(ratio "${wall_linux_2/./}" "${wall_monos_2/./}")" ""
	row "kernel image bytes" "$(fmt "$kbytes")" "$(fmt "$lbytes")" \
		"$(ratio "$lbytes" "$kbytes")" "<= 614,400 (600 KiB) $(verdict "$kbytes" 614400)"
	row "smallest -m that runs it (MiB)" "${mem_monos:--}" "${mem_linux:--}" \
		"$(ratio "${mem_linux% *}" "$mem_monos")" "<= 8 $(verdict "$mem_monos" 8)"
	echo
	echo "kernel image: monos build/kernel.elf (ELF, uncompressed); Linux vmlinuz (bzImage, compressed)."
	echo "(*) runs 3-4: monos with --no-aslr; Linux with -cpu max,-rdrand,-rdseed, nokaslr and"
	echo "    -rtc base=2020-01-01,clock=vm. Under TCG RDRAND hands the guest the host's randomness;"
	echo "    ASLR/KASLR and the host-time RTC steer the boot, so runs 1-2 may differ a little."
	echo "wall-clock: the whole run, QEMU start to exit (monos: the whole 'monos run'), on this host."
	if [[ -n $tsc_monos_1 && -n $tsc_linux_1 ]]; then
		if (( tsc_monos_1 <= tsc_linux_1 )); then
			echo "monos reaches main() in $(ratio "$tsc_linux_1" "$tsc_monos_1") fewer instructions than Linux."
		else
			echo "monos needs $(ratio "$tsc_monos_1" "$tsc_linux_1") more instructions than Linux to reach main()."
		fi
	fi
	(( ok_linux )) || echo "Linux: FAILED (see build/bench/linux-*.log)"
	[[ -z $why_monos ]] || echo "monos: FAILED: $why_monos"
	[[ -z $faillog_monos ]] || tail -n 8 "$faillog_monos" | sed 's/^/    /'
} | tee "$out/report.txt"

exit "$failed"
