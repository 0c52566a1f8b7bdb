#!/usr/bin/env bash
# Installs what `make bench` needs on Debian (bookworm) when it is missing: QEMU, a C compiler
# with static glibc, the network bench's servers and clients (redis, nginx, wrk, curl, ip), and
# dpkg-deb/apt-get (always there on Debian). Installs nothing when all is present, so it costs
# nothing on a prepared machine.
set -euo pipefail

missing=()
command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
command -v gcc >/dev/null || missing+=(gcc)
[[ -e /usr/lib/x86_64-linux-gnu/libc.a ]] || missing+=(libc6-dev)
command -v timeout >/dev/null || missing+=(coreutils)
command -v awk >/dev/null || missing+=(mawk)
# bench/net.sh: the servers, their clients on the host, and ip(8) for the tap.
command -v redis-server >/dev/null || missing+=(redis-server)
command -v redis-benchmark >/dev/null || missing+=(redis-tools)
[[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
command -v ip >/dev/null || missing+=(iproute2)
command -v dpkg-deb >/dev/null || { echo "bench: dpkg-deb not found: the bench needs Debian" >&2; exit 1; }
command -v apt-get >/dev/null || { echo "bench: apt-get not found: the bench needs Debian" >&2; exit 1; }

(( ${#missing[@]} == 0 )) && exit 0
if (( EUID != 0 )); then
	echo "bench: missing packages: ${missing[*]} (run as root, or: apt-get install ${missing[*]})" >&2
	exit 1
fi
echo "bench: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 ||
	{ apt-get update -q >&2 && apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; }
