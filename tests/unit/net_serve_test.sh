#!/bin/bash
# Unit test of the guest's network stack over virtio-net (kernel/net/netif_virtio.c) with QEMU's
# user network: the guest takes 10.0.2.15 by DHCP before the program starts, then
#   tcp_serve     a guest TCP echo server reached from the host through -p HOST:GUEST,
#   udp_serve     a guest UDP echo server reached through -p HOST:GUEST/udp,
#   tcp_connect   a guest client connecting to a host listener through 10.0.2.2 (the host),
#   tcp_connect_static  the same with monos.ip=10.0.2.77/24,10.0.2.2 instead of DHCP,
#   tcp6_connect  the same over IPv6 to fec0::2, with the address the guest autoconfigured,
#   tcp_many      15 host clients at once, 500 round trips each, against one guest epoll server
#                 (found two bugs: a lost device notification that left frames queued in the
#                 virtio ring, and kfree leaking big blocks; both ended in a stall or ENOMEM).
# The peers are tests/unit/net_peer.c, built static for the guest and run natively on the host.
# Host side uses bash's /dev/tcp and /dev/udp only. MONOS: the host tool (default build/monos).
# Prints PASS/FAIL lines, exits non-zero on a failure.
top=$(cd "$(dirname "$0")/../.." && pwd) || exit 1
MONOS=${MONOS:-$top/build/monos}
tmp=$(mktemp -d) || exit 1
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
failed=0

pass() { echo "PASS net_serve.$1"; }
fail() { echo "FAIL net_serve.$1: $2"; failed=1; }

if ! cc -static -O2 -o "$tmp/peer" "$top/tests/unit/net_peer.c"; then
	echo "FAIL net_serve.build: cannot build tests/unit/net_peer.c"
	exit 1
fi

# A host port nobody listens on, from a range unlikely to be in use; differs per run.
free_port() {
	local p=$(( 20000 + (RANDOM % 20000) ))
	while (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; do p=$((p + 1)); done
	echo $p
}

# guest NAME OPTIONS... -- ARGS... : starts the guest in the background; its log in $tmp/NAME.log.
guest() {
	local name=$1
	shift
	local opts=()
	while [ "$1" != "--" ]; do opts+=("$1"); shift; done
	shift
	"$MONOS" run --verbose --timeout 60 "${opts[@]}" "$tmp/peer" "$@" >"$tmp/$name.out" \
		2>"$tmp/$name.log" &
	guest_pid=$!
}

# finish NAME: waits for the guest; fails NAME unless it exited 0.
finish() {
	wait $guest_pid
	local code=$?
	[ $code = 0 ] && return 0
	fail "$1" "guest exit $code; log: $(grep -hE 'net:|virtio|panic|exit|monos:' "$tmp/$1.out" \
		"$tmp/$1.log" | tr '\n' '|')"
	return 1
}

# The host connects until the guest's server answers (before it listens, QEMU accepts the host's
# connection and closes it once the guest refuses its own).
port=$(free_port)
guest tcp_serve -p $port:7 -- tcp-echo 7
reply=
for i in $(seq 1 120); do
	reply=$( (exec 3<>/dev/tcp/127.0.0.1/$port && printf 'hello from the host\n' >&3 &&
		timeout 10 head -n1 <&3) 2>/dev/null)
	[ -n "$reply" ] && break
	kill -0 $guest_pid 2>/dev/null || break
	sleep 0.25
done
if [ "$reply" != "hello from the host" ]; then
	kill $guest_pid 2>/dev/null
	fail tcp_serve "reply '$reply'"
	wait $guest_pid
else
	# The kernel's log (--verbose) is on the console, the guest's stdout.
	if finish tcp_serve; then
		if grep -q "net: en0 10.0.2.15 netmask 255.255.255.0 gateway 10.0.2.2 (DHCP" \
			"$tmp/tcp_serve.out"; then
			pass tcp_serve
		else
			fail tcp_serve "no DHCP address in the kernel's log"
		fi
	fi
fi

# UDP: a datagram sent before the guest listens is answered by a port unreachable (the
# connected socket's read then fails), so each try uses a fresh socket; an answer to an earlier
# try may go to a closed socket, so the guest echoes every datagram until "stop". dd reads the whole
# datagram at once (bash's read takes one byte, and a datagram's rest is lost).
port=$(free_port)
guest udp_serve -p $port:7/udp -- udp-echo 7
reply=
for i in $(seq 1 120); do
	reply=$( (exec 3<>/dev/udp/127.0.0.1/$port && printf 'datagram\n' >&3 &&
		timeout 1 dd bs=512 count=1 <&3) 2>/dev/null)
	[ -n "$reply" ] && break
	kill -0 $guest_pid 2>/dev/null || break
done
if [ "$reply" != "datagram" ]; then
	kill $guest_pid 2>/dev/null
	fail udp_serve "reply '$reply'"
	wait $guest_pid
else
	for i in $(seq 1 20); do
		(exec 3<>/dev/udp/127.0.0.1/$port && printf 'stop\n' >&3) 2>/dev/null
		sleep 0.2
		kill -0 $guest_pid 2>/dev/null || break
	done
	finish udp_serve && pass udp_serve
fi

# connect NAME WANT OPTIONS... : the guest connects out to a host listener (10.0.2.2 is the
# host's 127.0.0.1 in QEMU's user network) and prints its answer; the kernel logs WANT.
connect() {
	local name=$1 want=$2
	shift 2
	local port=$(free_port)
	"$tmp/peer" tcp-answer $port >"$tmp/answer.out" 2>&1 &
	local answer_pid=$!
	for i in $(seq 1 50); do grep -q listening "$tmp/answer.out" && break; sleep 0.1; done
	guest $name --net user "$@" -- tcp-ask ${connect_to:-10.0.2.2} $port
	if finish $name; then
		if ! grep -qx pong "$tmp/$name.out"; then
			fail $name "no pong in: $(tr '\n' '|' <"$tmp/$name.out")"
		elif ! grep -qF "$want" "$tmp/$name.out"; then
			fail $name "no '$want' in the kernel's log"
		else
			pass $name
		fi
	fi
	kill $answer_pid 2>/dev/null
	wait $answer_pid 2>/dev/null
}
connect tcp_connect "net: en0 10.0.2.15 netmask 255.255.255.0 gateway 10.0.2.2 (DHCP"
# monos.ip= instead of DHCP (QEMU's user network answers any address of 10.0.2.0/24).
connect tcp_connect_static "net: en0 10.0.2.77/24,10.0.2.2 (static)" \
	--kernel-arg monos.ip=10.0.2.77/24,10.0.2.2
# IPv6 beyond the link: the guest's fec0::/64 address comes from QEMU's router advertisement
# (stateless autoconfiguration); fec0::2 is the host.
connect_to=fec0::2 connect tcp6_connect "virtio-net"
# Many connections at once, once the guest's server listens (its "listening" line).
port=$(free_port)
guest tcp_many -p $port:7 -- tcp-echo-many 7 15
for i in $(seq 1 120); do
	grep -q listening "$tmp/tcp_many.out" && break
	kill -0 $guest_pid 2>/dev/null || break
	sleep 0.25
done
if ! timeout 60 "$tmp/peer" tcp-clients 127.0.0.1 $port 15 500 >"$tmp/clients.out" 2>&1; then
	kill $guest_pid 2>/dev/null
	fail tcp_many "host: $(tr '\n' '|' <"$tmp/clients.out") guest: $(tr '\n' '|' <"$tmp/tcp_many.out" | tail -c 300)"
	wait $guest_pid
elif finish tcp_many; then
	if grep -q "echoed 7500 messages on 15 connections" "$tmp/tcp_many.out"; then
		pass tcp_many
	else
		fail tcp_many "guest: $(grep -E 'echoed|stalled' "$tmp/tcp_many.out")"
	fi
fi
exit $failed
