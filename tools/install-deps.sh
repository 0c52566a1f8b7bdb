#!/bin/bash
# tools/install-deps.sh: installs the Debian (bookworm) packages that building
# monos and running `make test` need, only those that are missing. Cheap when
# everything is there (one dpkg-query), so `make test` runs it every time its
# stamp is stale. Needs root only when something has to be installed.
set -euo pipefail

packages=(
	gcc             # kernel, host tool, conformance programs (glibc variants)
	make
	libc6-dev       # glibc headers and the static libc.a/libm.a
	musl-tools      # musl-gcc: the musl-static conformance variant
	linux-libc-dev  # Linux UAPI headers (kernel build, musl conformance builds)
	binutils        # ld, nm, objcopy
	gawk            # the kernel's generated tables
	cpio
	dpkg-dev        # dpkg-source, for apt-get source lwip (tools/fetch-lwip.sh)
	qemu-system-x86 # qemu-system-x86_64 runs monos
	coreutils       # timeout, used by the test harness; ls, cat, ... in tests/apps
	# Real programs that tests/apps/run-apps.sh runs under monos.
	python3
	sqlite3
	lua5.4
	busybox-static
	# Servers that tests/unit/net_apps_test.sh runs under monos, and its host-side clients.
	nginx
	memcached
	redis-server
	redis-tools     # redis-cli
	curl
)

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null; then
		sudo=(sudo)
	else
		echo "install-deps: not root; as root run: apt-get install ${missing[*]}" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
