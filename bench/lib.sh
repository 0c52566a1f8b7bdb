# Shared by the bench scripts (boot.sh, programs.sh, threads.sh): messages and the number
# formats of their reports. Sourced, not run.

say() { echo "bench: $*" >&2; }

# 6034659798 -> 6,034,659,798
group() {
	local n=$1
	while [[ $n =~ ^([0-9]+)([0-9]{3})(.*)$ ]]; do n="${BASH_REMATCH[1]},${BASH_REMATCH[2]}${BASH_REMATCH[3]}"; done
	echo "$n"
}

# a/b as "N.Nx" (or "-" when either is unknown)
ratio() {
	[[ -n $1 && -n $2 && $2 != 0 ]] || { echo -; return; }
	local r
	r=$(awk -v a="$1" -v b="$2" 'BEGIN { r = a / b; printf(r >= 100 ? "%.0f\n" : "%.1f\n", r) }')
	echo "$(group "$r")x"
}

# A number grouped, or "-" when unknown; seconds with their unit, or "-".
fmt() { [[ -n ${1:-} ]] && group "$1" || echo "-"; }
secs() { [[ -n ${1:-} ]] && echo "$1 s" || echo "-"; }
