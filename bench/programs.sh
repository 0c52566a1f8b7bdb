#!/usr/bin/env bash
# `make bench`, after boot.sh: three more comparisons on the same QEMU machine, appended to
# build/bench/report.txt (and printed):
#   1. a dynamic glibc hello (tsc_hello.c built as a PIE): instructions from reset to main();
#   2. python3 -c 'print("hello")' with tsc_probe.so preloaded: instructions from reset to the
#      program's start (the probe's constructor) and to its exit (the probe's destructor);
#   3. the static tsc_hello from a plain image and from one with a 100 MiB file added, at -m 512M:
#      what the size of the initramfs costs each kernel before main() (Linux unpacks the cpio
#      into its rootfs; monos parses it in place).
# For 1 and 2 Linux boots the very image `monos run --save-image` wrote for the monos run, with
# a static /init appended (linux_init.c) that executes what the image's manifest says: the same
# files, argv, environment and working directory on both sides.
# monos boots each configuration twice (under 2 s each), Linux once (9 to 16 s under TCG):
# together about 70 s. Exits 1 when a side failed to run a program (after reporting why).
# Usage: programs.sh STATIC_HELLO DYNAMIC_HELLO TSC_PROBE.so LINUX_INIT
# env: MONOS, MONOS_KERNEL (as for boot.sh); LINUX_BENCH_TIMEOUT (default here 90 s per boot).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
bench=$root/bench
out=$root/build/bench
usage="usage: programs.sh STATIC_HELLO DYNAMIC_HELLO TSC_PROBE.so LINUX_INIT"
hello=$(realpath "${1:?$usage}") dyn=$(realpath "${2:?$usage}")
probe=$(realpath "${3:?$usage}") init=$(realpath "${4:?$usage}")
monos=${MONOS:-$root/build/monos}
kernel=${MONOS_KERNEL:-$root/build/kernel.elf}
# A boot takes 8 to 15 s; a Linux that runs out of memory hangs instead of rebooting.
export LINUX_BENCH_TIMEOUT=${LINUX_BENCH_TIMEOUT:-90}
python=/usr/bin/python3
pyargs=(-c 'print("hello")')
# python3's image is 38 MB: Linux, which holds the cpio and its unpacked copy at once, runs out
# of memory at 128M ("System is deadlocked on memory"), so both sides get 256M.
mem_dyn=128M mem_py=256M mem_size=512M
big_mib=100
mkdir -p "$out"
failed=0
declare -A tsc=() bytes=() wall=()


diff_of() { [[ -n ${1:-} && -n ${2:-} ]] && echo $(( $1 - $2 )) || true; }
row() { printf '%-34s %15s %15s %12s\n' "$@"; }

# record KEY LOG: tsc[KEY.main|ctor|exit] from the tsc_at_*= lines the program printed.
record() {
	local k v
	for k in main ctor exit; do
		v=$(sed -n "s/^tsc_at_$k=\([0-9][0-9]*\).*/\1/p" "$2" | head -n1)
		[[ -z $v ]] || tsc[$1.$k]=$v
	done
}
fail() { # SIDE LOG
	failed=1
	say "$1 did not run the program; the end of $2:"
	tail -n 15 "$2" | sed 's/^/    /' >&2
}

# boot_monos NAME RUN MEM PROGRAM [MONOS-OPTION... [-- ARG...]]: one `monos run`; its image is
# kept as NAME.cpio (for Linux and for its size). Sets tsc[NAME.monos.RUN.*], wall[...].
boot_monos() {
	local name=$1 i=$2 mem=$3 prog=$4 log=$out/$1-monos-$2.log w
	shift 4
	say "booting monos: $name ($i/2)"
	if w=$("$bench/run-monos.sh" "$monos" "$prog" "$mem" "$log" "$@"); then
		record "$name.monos.$i" "$log"
		wall[$name.monos.$i]=$w
	else
		fail monos "$log"
	fi
	[[ ! -s $out/$name.cpio ]] || bytes[$name.monos]=$(stat -c %s "$out/$name.cpio")
}

# boot_linux NAME MEM CPIO [norandom]: one Linux boot. Sets tsc[NAME.linux.*], wall[...].
boot_linux() {
	local name=$1 log=$out/$1-linux.log w
	say "booting linux: $name"
	bytes[$name.linux]=$(stat -c %s "$3")
	if w=$("$bench/run-linux.sh" "$vmlinuz" "$3" "$2" "$log" ${4:-}); then
		record "$name.linux" "$log"
		wall[$name.linux]=$w
	else
		fail linux "$log"
	fi
}

have_monos=1
[[ -x $monos && -s $kernel ]] || { have_monos=0 failed=1; say "monos: $monos or $kernel missing ('make all' failed?)"; }
vmlinuz=$("$bench/linux.sh") || { vmlinuz=; failed=1; say "no Linux kernel to compare against"; }

# What Linux needs on top of monos's image: the launcher as /init, /dev/console (char 5:1:
# without it init has no stdout) and /dev/null (the launcher's stdin, as under monos).
# Linux reads concatenated newc archives as one.
printf 'dir /dev 0755\nnod /dev/console 0600 c 5 1\nnod /dev/null 0666 c 1 3\nfile /init %s 0755\n' \
	"$init" | "$bench/mkcpio.sh" "$out/linux-launcher.cpio"
# linux_cpio NAME: NAME-linux.cpio, monos's image of NAME with the launcher appended.
linux_cpio() { cat "$out/$1.cpio" "$out/linux-launcher.cpio" >"$out/$1-linux.cpio"; }

# --- 1, 2: the dynamic programs --------------------------------------------------------------
for name in dyn python; do
	rm -f "$out/$name.cpio"
	for i in 1 2; do
		(( have_monos )) || break
		case $name in
		dyn)    boot_monos dyn "$i" "$mem_dyn" "$dyn" - --save-image "$out/dyn.cpio" ;;
		python) boot_monos python "$i" "$mem_py" "$python" - -e LD_PRELOAD=/tsc_probe.so \
				--add "$probe:/tsc_probe.so" --save-image "$out/python.cpio" -- "${pyargs[@]}" ;;
		esac
	done
	# The image is written before the VM starts: Linux can run it even when monos failed.
	if [[ -n $vmlinuz && -s $out/$name.cpio ]]; then
		linux_cpio "$name"
		boot_linux "$name" "$([[ $name == dyn ]] && echo "$mem_dyn" || echo "$mem_py")" "$out/$name-linux.cpio"
	fi
done

# --- 3: boot cost vs image size ----------------------------------------------------------------
# No host randomness on either side (--no-aslr; nokaslr, no RDRAND, fixed RTC: see
# run-linux.sh), so that the growth is the image's alone, not run-to-run noise.
big=$out/big-${big_mib}M.bin
head -c "${big_mib}M" /dev/urandom >"$big"	# random: nothing in the way compresses it
for i in 1 2; do
	(( have_monos )) || break
	boot_monos plain "$i" "$mem_size" "$hello" norandom --save-image "$out/plain.cpio"
	boot_monos big "$i" "$mem_size" "$hello" norandom --add "$big:/big.bin" --save-image "$out/big.cpio"
done
if [[ -n $vmlinuz ]]; then
	# Linux's side as in boot.sh: the program as /init, and /dev/console.
	printf 'dir /dev 0755\nnod /dev/console 0600 c 5 1\nfile /init %s 0755\n' "$hello" |
		"$bench/mkcpio.sh" "$out/plain-linux.cpio"
	echo "file /big.bin $big 0644" | "$bench/mkcpio.sh" "$out/big-file.cpio"
	cat "$out/plain-linux.cpio" "$out/big-file.cpio" >"$out/big-linux.cpio"
	boot_linux plain "$mem_size" "$out/plain-linux.cpio" norandom
	boot_linux big "$mem_size" "$out/big-linux.cpio" norandom
fi
# 300 MB nobody needs once measured (the bytes are recorded); a rerun makes them again.
rm -f "$big" "$out/big.cpio" "$out/big-file.cpio" "$out/big-linux.cpio"

# --- report -----------------------------------------------------------------------------------
# tri LABEL MONOS LINUX: a row with the ratio Linux/monos.
tri() { row "$1" "$(fmt "${2:-}")" "$(fmt "${3:-}")" "$(ratio "${3:-}" "${2:-}")"; }
# wallrow LABEL NAME: monos's run 1 and Linux's boot in seconds; the ratio from hundredths.
wallrow() {
	local m=${wall[$2.monos.1]:-} l=${wall[$2.linux]:-}
	row "$1" "$(secs "$m")" "$(secs "$l")" "$(ratio "${l/./}" "${m/./}")"
}
py_run_monos=$(diff_of "${tsc[python.monos.1.exit]:-}" "${tsc[python.monos.1.ctor]:-}")
py_run_linux=$(diff_of "${tsc[python.linux.exit]:-}" "${tsc[python.linux.ctor]:-}")
grow_monos=$(diff_of "${tsc[big.monos.1.main]:-}" "${tsc[plain.monos.1.main]:-}")
grow_linux=$(diff_of "${tsc[big.linux.main]:-}" "${tsc[plain.linux.main]:-}")
pyver=$("$python" --version 2>&1 || true)

{
	echo
	echo "Dynamic programs: Linux boots the image 'monos run --save-image' wrote, plus a static /init"
	echo "that executes the image's manifest (same argv, environment, cwd). monos twice, Linux once."
	row "" monos Linux Linux/monos
	tri "dynamic hello: reset->main() run 1" "${tsc[dyn.monos.1.main]:-}" "${tsc[dyn.linux.main]:-}"
	tri "  run 2" "${tsc[dyn.monos.2.main]:-}" ""
	tri "python3: reset->start (ctor) run 1" "${tsc[python.monos.1.ctor]:-}" "${tsc[python.linux.ctor]:-}"
	tri "  run 2" "${tsc[python.monos.2.ctor]:-}" ""
	tri "python3: reset->exit run 1" "${tsc[python.monos.1.exit]:-}" "${tsc[python.linux.exit]:-}"
	tri "  run 2" "${tsc[python.monos.2.exit]:-}" ""
	tri "python3: start->exit (the program)" "$py_run_monos" "$py_run_linux"
	tri "image bytes: dynamic hello" "${bytes[dyn.monos]:-}" "${bytes[dyn.linux]:-}"
	tri "image bytes: python3" "${bytes[python.monos]:-}" "${bytes[python.linux]:-}"
	wallrow "host wall-clock: dynamic hello" dyn
	wallrow "host wall-clock: python3" python
	echo "dynamic hello: tsc_hello.c as a PIE, -m $mem_dyn. python3: $python ($pyver) ${pyargs[*]},"
	echo "  LD_PRELOAD=/tsc_probe.so (start = the probe's constructor, exit = its destructor), -m $mem_py"
	echo "  on both sides (Linux runs out of memory at 128M holding the cpio and its unpacked copy)."
	echo "  The image leaves out __pycache__, so both sides compile the modules python imports."
	echo
	echo "Boot cost vs image size: static tsc_hello, -m $mem_size, no host randomness (*), plain image and"
	echo "with a ${big_mib} MiB random file added (monos: --add; Linux: appended to its initramfs)."
	row "" monos Linux Linux/monos
	tri "reset->main(), plain image run 1" "${tsc[plain.monos.1.main]:-}" "${tsc[plain.linux.main]:-}"
	tri "  run 2" "${tsc[plain.monos.2.main]:-}" ""
	tri "reset->main(), +${big_mib} MiB file run 1" "${tsc[big.monos.1.main]:-}" "${tsc[big.linux.main]:-}"
	tri "  run 2" "${tsc[big.monos.2.main]:-}" ""
	tri "  growth (run 1)" "$grow_monos" "$grow_linux"
	tri "image bytes: plain" "${bytes[plain.monos]:-}" "${bytes[plain.linux]:-}"
	tri "image bytes: +${big_mib} MiB file" "${bytes[big.monos]:-}" "${bytes[big.linux]:-}"
	wallrow "host wall-clock: +${big_mib} MiB file" big
	echo "image bytes: monos's image (file data page-aligned) against Linux's cpio (/init, /dev)."
	echo "wall-clock: monos's includes writing the image (--save-image: no cache)."
	(( ! failed )) || echo "FAILED: a side did not run a program (see build/bench/*-monos-*.log, *-linux.log)"
} | tee -a "$out/report.txt"

exit "$failed"
