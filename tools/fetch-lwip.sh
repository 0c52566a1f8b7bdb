#!/bin/bash
# tools/fetch-lwip.sh DEST: puts lwIP's sources (Debian's source package lwip, pinned version)
# unpacked in DEST/src, once. The package comes from the machine's own Debian archive through
# `apt-get source`, with a private sources list derived here from the machine's apt
# configuration (each `deb` entry turned into `deb-src`), so the host's apt state is never
# touched and no archive's name is written anywhere. The .orig tarball's sha256 must match the
# value pinned below. Later runs find DEST/src/.ok and do nothing (no network needed).
set -euo pipefail

VERSION=2.1.3+dfsg1-2
ORIG=lwip_2.1.3+dfsg1.orig.tar.xz
ORIG_SHA256=0a8276d09fc4e97bbba2f953d74af2388fc2195ea156be9d7589e297a68fde24

dest=${1:?usage: fetch-lwip.sh DEST}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)   # apt resolves relative Dir:: paths against /etc/apt
[ -f "$dest/src/.ok" ] && exit 0
mkdir -p "$dest"
# Two builds in one checkout may ask at once: one fetches, the other waits and finds it done.
exec 9>"$dest/.lock"
flock 9
[ -f "$dest/src/.ok" ] && exit 0

die() { echo "fetch-lwip: $*" >&2; exit 1; }
command -v dpkg-source >/dev/null || die "dpkg-source missing (apt-get install dpkg-dev, or run tools/install-deps.sh)"

work="$dest/apt"
rm -rf "$work" "$dest/src" "$dest/src.tmp"
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/parts" "$work/get"

# One-line sources: every `deb` line becomes `deb-src`.
: > "$work/sources.list"
if [ -f /etc/apt/sources.list ]; then
	sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' /etc/apt/sources.list >> "$work/sources.list"
fi
for f in /etc/apt/sources.list.d/*.list; do
	[ -f "$f" ] || continue
	sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" >> "$work/sources.list"
done
# deb822 sources: keep the stanzas whose Types include deb, with Types: deb-src.
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	awk 'BEGIN { RS = ""; ORS = "\n\n" }
		{ keep = 0; out = ""; n = split($0, l, "\n")
		  for (i = 1; i <= n; i++) {
			if (l[i] ~ /^[[:space:]]*#/) continue
			if (l[i] ~ /^Types:/) {
				if (l[i] ~ /[[:space:]]deb([[:space:]]|$)/) keep = 1
				l[i] = "Types: deb-src"
			}
			if (l[i] ~ /^Enabled:[[:space:]]*no/) keep = 0
			out = out l[i] "\n"
		  }
		  if (keep) print out }' "$f" > "$work/parts/$(basename "$f")"
done
if ! grep -q . "$work/sources.list" && ! cat "$work"/parts/*.sources 2>/dev/null | grep -q .; then
	die "no deb entries in /etc/apt/sources.list or /etc/apt/sources.list.d to derive deb-src from"
fi

apt_opts=(
	-o "Dir::Etc::SourceList=$work/sources.list"
	-o "Dir::Etc::SourceParts=$work/parts"
	-o "Dir::State::Lists=$work/lists"
	-o "Dir::Cache=$work/cache"
	-o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
	-o "APT::Sandbox::User=root"
	-q
)
apt-get "${apt_opts[@]}" update >"$work/update.log" 2>&1 ||
	{ cat "$work/update.log" >&2; die "apt-get update failed (no network and no cached copy in $dest/src?)"; }
(cd "$work/get" && apt-get "${apt_opts[@]}" source --download-only "lwip=$VERSION") >"$work/source.log" 2>&1 ||
	{ cat "$work/source.log" >&2; die "apt-get source lwip=$VERSION failed (no network and no cached copy in $dest/src?)"; }

[ -f "$work/get/$ORIG" ] || die "$ORIG not among the downloaded files"
sum=$(sha256sum "$work/get/$ORIG" | cut -d' ' -f1)
[ "$sum" = "$ORIG_SHA256" ] || die "$ORIG: sha256 $sum, expected $ORIG_SHA256"

# Only the pinned upstream tarball is used (Debian's patches concern its own packaging).
mkdir -p "$dest/src.tmp"
tar -xJf "$work/get/$ORIG" -C "$dest/src.tmp" --strip-components=1
[ -f "$dest/src.tmp/src/core/tcp.c" ] || die "$ORIG does not hold src/core/tcp.c"
mv "$dest/src.tmp" "$dest/src"
rm -rf "$work"
touch "$dest/src/.ok"
