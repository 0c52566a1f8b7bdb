#!/usr/bin/env bash
# The soak test of issue 6: redis-server under monos answers redis-benchmark (50 clients) for
# SOAK_SECONDS (default 600) over a tap, with zero errors, while the kernel's free memory stays
# flat. The kernel logs its free memory every 10 s (monos.memlog=10); the figure taken after the
# first minute is the baseline, and the lowest one after it may not fall more than
# SOAK_DRIFT_KIB (default 1024) below it. Prints one summary line per check and exits non-zero
# on a failure. Needs root (it creates the tap monos-soak, 192.168.72.1/24, and removes it).
# Usage: bench/soak.sh [SECONDS]   (MONOS: the host tool, default build/monos)
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
MONOS=${MONOS:-$root/build/monos}
seconds=${1:-${SOAK_SECONDS:-600}}
drift_max=${SOAK_DRIFT_KIB:-1024}
tap=monos-soak host_ip=192.168.72.1 guest_ip=192.168.72.2
out=${SOAK_DIR:-$root/build/bench}/soak
mkdir -p "$out"

need=()
command -v redis-server >/dev/null || need+=(redis-server)
command -v redis-benchmark >/dev/null || need+=(redis-tools)
command -v ip >/dev/null || need+=(iproute2)
if (( ${#need[@]} )); then
	echo "soak: installing ${need[*]}" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >&2 ||
		{ echo "soak: could not install ${need[*]}" >&2; exit 1; }
fi
[[ -x $MONOS ]] || { echo "soak: $MONOS not found (make first)" >&2; exit 1; }

if ! ip link show "$tap" >/dev/null 2>&1; then
	ip tuntap add dev "$tap" mode tap && ip addr add "$host_ip/24" dev "$tap" ||
		{ echo "soak: cannot create the tap $tap (root and /dev/net/tun needed)" >&2; exit 1; }
	trap 'ip link del "$tap" 2>/dev/null' EXIT
fi
ip link set "$tap" up

"$MONOS" run --verbose --timeout $((seconds + 120)) --net "tap=$tap" \
	--kernel-arg "monos.ip=$guest_ip/24" --kernel-arg monos.memlog=10 \
	/usr/bin/redis-server --protected-mode no --save '' --appendonly no >"$out/guest.log" 2>&1 &
guest=$!
for i in $(seq 1 100); do
	[[ $(redis-cli -h $guest_ip ping 2>/dev/null) == PONG ]] && break
	kill -0 $guest 2>/dev/null || break
	sleep 0.2
done
[[ $(redis-cli -h $guest_ip ping 2>/dev/null) == PONG ]] ||
	{ echo "FAIL soak: redis-server did not answer; see $out/guest.log"; kill $guest; exit 1; }

start=$(date +%s) rounds=0 errors=0 requests=0
: >"$out/benchmark.log"
while (( $(date +%s) - start < seconds )); do
	rounds=$((rounds + 1))
	if ! timeout 120 redis-benchmark -h $guest_ip -c 50 -n 20000 -t set,get,incr,lpush,lpop -q \
		>"$out/round.log" 2>&1; then
		errors=$((errors + 1))
	fi
	tr '\r' '\n' <"$out/round.log" | grep -v 'rps=' | grep . >>"$out/benchmark.log"
	if grep -qiE 'error|reset|refused|closed' "$out/round.log"; then
		errors=$((errors + 1))
		grep -iE 'error|reset|refused|closed' "$out/round.log" | head -3 >&2
	fi
	requests=$((requests + 5 * 20000))
done
elapsed=$(( $(date +%s) - start ))
redis-cli -h $guest_ip shutdown nosave >/dev/null 2>&1
wait $guest
status=$?

# memlog lines: "memlog: T s free F KiB of M KiB"
baseline=$(awk '/^memlog:/ && $2 >= 60 { print $5; exit }' "$out/guest.log")
lowest=$(awk '/^memlog:/ && $2 >= 60 { if (min == "" || $5 < min) min = $5 } END { print min }' \
	"$out/guest.log")
last=$(awk '/^memlog:/ { f = $5 } END { print f }' "$out/guest.log")
failed=0
echo "soak: $rounds rounds of redis-benchmark (50 clients, 5 tests x 20000 requests) in ${elapsed} s, $requests requests"
if (( errors )); then
	echo "FAIL soak.errors: $errors rounds with errors (see $out/benchmark.log)"
	failed=1
else
	echo "PASS soak.errors: none"
fi
if [[ -z $baseline ]]; then
	echo "FAIL soak.memory: no memlog figure after 60 s (see $out/guest.log)"
	failed=1
elif (( baseline - lowest > drift_max )); then
	echo "FAIL soak.memory: free memory fell from $baseline KiB (at 60 s) to $lowest KiB"
	failed=1
else
	echo "PASS soak.memory: free $baseline KiB at 60 s, lowest $lowest KiB after, $last KiB at the end (allowed drift $drift_max KiB)"
fi
if (( status != 0 )); then
	echo "FAIL soak.exit: the guest exited $status (see $out/guest.log)"
	failed=1
fi
exit $failed
