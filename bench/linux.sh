#!/usr/bin/env bash
# Fetches the Linux kernel the bench compares against: Debian's linux-image-6.1.*-amd64 (what the
# linux-image-amd64 metapackage depends on), into the cache ($MONOS_CACHE, default cache/ at the
# repo root, never committed). Prints the path of its vmlinuz on stdout; progress goes to stderr.
# LINUX_PKG=linux-image-6.1.0-NN-amd64 pins another package.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${MONOS_CACHE:-$root/cache}/linux
mkdir -p "$cache"

# The package linux-image-amd64 depends on, e.g. linux-image-6.1.0-56-amd64.
resolve() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n1
}

pkg=${LINUX_PKG:-}
if [[ -z $pkg ]]; then
	pkg=$(resolve)
	if [[ -z $pkg ]] && (( EUID == 0 )); then
		echo "bench: apt lists know no linux-image-amd64; running apt-get update" >&2
		apt-get update -q >&2 || true
		pkg=$(resolve)
	fi
fi
if [[ -z $pkg ]]; then
	# Offline or no lists: fall back to a kernel fetched earlier.
	cached=$(ls "$cache"/boot/vmlinuz-6.1.* 2>/dev/null | sort -V | tail -n1 || true)
	[[ -n $cached ]] || { echo "bench: cannot resolve linux-image-amd64 (apt-get update?) and no cached kernel in $cache" >&2; exit 1; }
	echo "bench: using cached $(basename "$cached") (could not resolve linux-image-amd64)" >&2
	echo "$cached"; exit 0
fi
[[ $pkg == linux-image-6.1.*-amd64 ]] ||
	{ echo "bench: linux-image-amd64 depends on $pkg, not 6.1.*: set LINUX_PKG=linux-image-6.1.0-NN-amd64" >&2; exit 1; }

# apt-get download into the cache. Stale lists name a package the mirror no longer has: then
# update the lists once, resolve again and retry.
fetch() { (cd "$cache" && apt-get download -qq -o APT::Sandbox::User=root "$1" >&2); }

vmlinuz=$cache/boot/vmlinuz-${pkg#linux-image-}
if [[ ! -s $vmlinuz ]]; then
	echo "bench: fetching $pkg into $cache" >&2
	rm -f "$cache"/linux-image-*.deb
	if ! fetch "$pkg"; then
		[[ -z ${LINUX_PKG:-} ]] && (( EUID == 0 )) || { echo "bench: apt-get download $pkg failed" >&2; exit 1; }
		echo "bench: download failed; running apt-get update and retrying" >&2
		apt-get update -q >&2 || true
		pkg=$(resolve)
		vmlinuz=$cache/boot/vmlinuz-${pkg#linux-image-}
		fetch "$pkg" || { echo "bench: apt-get download $pkg failed" >&2; exit 1; }
	fi
	deb=$(ls "$cache"/"$pkg"_*.deb | head -n1)
	# Only the kernel image: the package's 400 MB of modules are of no use to an initramfs boot.
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$cache" "./boot/$(basename "$vmlinuz")"
	[[ -s $vmlinuz ]] || { echo "bench: $deb holds no $(basename "$vmlinuz")" >&2; exit 1; }
	rm -f "$deb"
fi
echo "$vmlinuz"
