#!/usr/bin/env bash
# Writes a cpio "newc" archive (the initramfs format Linux reads) from a short spec on stdin,
# so the bench needs neither GNU cpio nor root (mknod) to put /dev/console in an image.
# Spec lines, in the style of Linux's usr/gen_init_cpio:
#   dir  /dev 0755
#   nod  /dev/console 0600 c 5 1
#   file /init HOST_PATH 0755
# Usage: mkcpio.sh OUT.cpio < spec
set -euo pipefail

out=${1:?usage: mkcpio.sh OUT.cpio < spec}
ino=1

# One newc header: magic, then 13 eight-digit hex fields, then the NUL-terminated name
# padded to a multiple of 4 (header is 110 bytes).
header() { # name mode filesize rdevmajor rdevminor
	local name=$1 mode=$2 size=$3 rmaj=$4 rmin=$5
	local namesize=$(( ${#name} + 1 ))
	printf '070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x' \
		"$ino" "$mode" 0 0 1 0 "$size" 0 0 "$rmaj" "$rmin" "$namesize" 0
	printf '%s\0' "$name"
	pad $(( 110 + namesize ))
	ino=$(( ino + 1 ))
}
pad() { # bytes-so-far: NULs up to the next multiple of 4
	local n=$(( (4 - $1 % 4) % 4 ))
	(( n == 0 )) || head -c "$n" /dev/zero
}

{
	while read -r kind path a b c d; do
		[[ -z $kind || $kind == \#* ]] && continue
		path=${path#/}		# newc names are relative: "init", "dev/console"
		case $kind in
		dir)  header "$path" $(( 0040000 | 8#$a )) 0 0 0 ;;
		nod)  [[ $b == c ]] || { echo "mkcpio: only char devices: $path" >&2; exit 1; }
		      header "$path" $(( 0020000 | 8#$a )) 0 "$c" "$d" ;;
		file) [[ -r $a ]] || { echo "mkcpio: cannot read $a" >&2; exit 1; }
		      size=$(stat -c %s "$a")
		      header "$path" $(( 0100000 | 8#$b )) "$size" 0 0
		      cat "$a"; pad "$size" ;;
		*)    echo "mkcpio: unknown spec line: $kind $path" >&2; exit 1 ;;
		esac
	done
	ino=0
	header TRAILER!!! 0 0 0 0
} > "$out"
