#!/bin/sh
# Unit test of the network options of `monos run` (tools/monos/net.c): the QEMU words that
# --net and -p generate (--dry-run), their usage errors, and one real boot with --net user in
# which the kernel's monos.netprobe=arp sends an ARP request for QEMU's gateway 10.0.2.2 through
# virtio-net and logs the reply that arrives by interrupt. MONOS: the host tool (default
# build/monos; the kernel is the kernel.elf beside it). Prints PASS/FAIL lines, exits non-zero
# on a failure. The boots run on microvm (with and without ACPI) and q35.
top=$(cd "$(dirname "$0")/../.." && pwd) || exit 1
MONOS=${MONOS:-$top/build/monos}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
failed=0

pass() { echo "PASS net.$1"; }
fail() { echo "FAIL net.$1: $2"; failed=1; }

# A program that lives long enough (0.5 s) for the reply to arrive while it sleeps.
printf '#include <unistd.h>\nint main(void) { usleep(500000); return 0; }\n' >"$tmp/nap.c"
if ! cc -static -O2 -o "$tmp/nap" "$tmp/nap.c"; then
	echo "FAIL net.build: cannot build the test program"
	exit 1
fi

# dry NAME WANT... : the dry-run command line of the options before "--" contains each WANT.
dry() {
	name=$1
	shift
	args=
	while [ "$1" != "--" ]; do args="$args $1"; shift; done
	shift
	out=$("$MONOS" run --dry-run $args "$tmp/nap" 2>&1) || { fail "$name" "exit $?: $out"; return; }
	for want in "$@"; do
		case "$out" in
		*"$want"*) ;;
		*) fail "$name" "no '$want' in: $out"; return ;;
		esac
	done
	pass "$name"
}

# usage NAME MESSAGE OPTIONS... : exit 125 with MESSAGE on stderr.
usage() {
	name=$1 msg=$2
	shift 2
	err=$("$MONOS" run --dry-run "$@" "$tmp/nap" 2>&1 >/dev/null)
	code=$?
	case "$code:$err" in
	125:*"$msg"*) pass "$name" ;;
	*) fail "$name" "exit $code, stderr: $err" ;;
	esac
}

dry user --net user -- " -netdev user,id=net0 " \
	" -global virtio-mmio.force-legacy=false -device virtio-net-device,netdev=net0"
dry forwards -p 8080:80 -p 5353:53/udp -p 2222:22/tcp -- \
	" -netdev user,id=net0,hostfwd=tcp:127.0.0.1:8080-:80,hostfwd=udp:127.0.0.1:5353-:53,hostfwd=tcp:127.0.0.1:2222-:22 "
dry q35 -M q35 --net user -- " -device virtio-net-pci,netdev=net0,disable-legacy=on"
dry pc -M pc -p 80:8080 -- "hostfwd=tcp:127.0.0.1:80-:8080 -device virtio-net-pci,netdev=net0"
dry tap --net tap=tap7 -- " -netdev tap,id=net0,ifname=tap7,script=no,downscript=no "
dry kernel_arg --kernel-arg monos.netprobe=arp -- " monos.netprobe=arp'"
for opts in "" "--net none" "-p 80:80 --net none"; do
	if [ "$opts" = "-p 80:80 --net none" ]; then
		usage forward_needs_user "need --net user" -p 80:80 --net none
		continue
	fi
	out=$("$MONOS" run --dry-run $opts "$tmp/nap" 2>&1)
	case "$out" in
	*netdev*|*virtio-net*) fail "none${opts:+_flag}" "$out" ;;
	*) pass "none${opts:+_flag}" ;;
	esac
done
usage forward_port_zero "-p 0:80: expected HOST:GUEST" -p 0:80
usage forward_port_big "-p 80:65536: expected" -p 80:65536
usage forward_proto "-p 80:80/sctp: expected" -p 80:80/sctp
usage forward_no_colon "-p 80: expected" -p 80
usage net_unknown "--net bridge: expected none, user or tap=IFACE" --net bridge
usage net_tap_empty "--net tap=: expected" --net tap=
usage tap_then_forward "port forwards need --net user" --net tap=tap0 -p 80:80

# boot NAME WANT OPTIONS... : the real kernel with --net user and monos.netprobe=arp runs the
# program; its exit status is 0 and the log has WANT and the gateway's MAC (52:55:0a:00:02:02 in
# QEMU's user networking), which arrived by the device's interrupt.
boot() {
	name=$1 want=$2
	shift 2
	err=$("$MONOS" run --verbose --timeout 60 --net user --kernel-arg monos.netprobe=arp "$@" \
		"$tmp/nap" 2>&1)
	code=$?
	case "$code:$err" in
	0:*"netprobe: 10.0.2.2 is at 52:55:0a:00:02:02"*)
		case "$err" in
		*"$want"*) pass "$name" ;;
		*) fail "$name" "no '$want' in the log" ;;
		esac ;;
	*) fail "$name" "exit $code; log: $(echo "$err" | grep -E 'virtio|netprobe|ioapic|panic' | tr '\n' '|')" ;;
	esac
}

# microvm: virtio-mmio found in the DSDT, its interrupt through the second I/O APIC.
boot arp_microvm "virtio-net: mmio mac 52:54:00:12:34:56"
# microvm without ACPI: the device from virtio_mmio.device= on the command line, the I/O APIC
# at its standard address.
boot arp_microvm_no_acpi "virtio_mmio.device=512@0xfeb00e00:12" --qemu-arg=-M --qemu-arg=microvm,acpi=off
# 1000 frames each way through 128-entry queues: transmit slots and receive buffers reused.
boot arp_flood_microvm "netprobe: 1000 replies to 1000 requests" --kernel-arg monos.netprobe=arp:1000
boot arp_flood_q35 "netprobe: 1000 replies to 1000 requests" -M q35 --kernel-arg monos.netprobe=arp:1000
# q35: virtio-pci with MSI-X; a virtio-rng beside it seeds the kernel's generator.
boot arp_q35_rng "virtio-rng: pci: 64 bytes mixed" -M q35 \
	--qemu-arg=-device --qemu-arg=virtio-rng-pci,disable-legacy=on
exit $failed
