#!/usr/bin/env bash
# `make bench`, after events.sh: network servers, monos vs Linux, appended to
# build/bench/report.txt. The same unmodified Debian servers on the same QEMU machine (microvm,
# TCG, -smp 1, -m 256M, a virtio-net-device on the tap mtap1), each side booted once per server
# and run (NET_BENCH_RUNS rounds, default 2: monos then Linux, twice, so that a change in the
# host's load shows as a spread rather than as a ratio):
#   redis-server --protected-mode no --save ''  measured from the host by redis-benchmark, 50
#                                               clients: SET and GET, then SET and GET with -P 16
#   nginx (daemon off; master_process off;)     serving a 2.7 KB static file to wrk -t2 -c50
# monos boots `monos run --net tap=mtap1 --kernel-arg monos.ip=192.168.71.2/24`; Linux (Debian's
# 6.1, bench/linux.sh) boots the very image `monos run --save-image` wrote for that server, with
# bench/linux_init.c as /init, which loads virtio_ring, virtio, virtio_mmio, failover,
# net_failover and virtio_net (modules in Debian's kernel, taken from the same linux-image
# package) and sets 192.168.71.2/24 on eth0 before it execs the server. The figure is requests/s
# as the client reports it; the ratio is the mean of monos's runs over the mean of Linux's; the
# issue's target is >= 1.5x Linux.
# The tap is created (as root) when missing, with 192.168.71.1/24 on the host side; it is left
# in place for the next run.
# Exits 1 when a side failed to serve (after reporting what it has).
# Usage: net.sh LINUX_INIT   (the static bench/linux_init.c, built by bench.mk)
# env: MONOS, MONOS_KERNEL (as for boot.sh); BENCH_OUT (instead of build/bench: its logs, images
#      and the report it appends to); NET_BENCH_TAP/NET_BENCH_HOST/NET_BENCH_GUEST (mtap1,
#      192.168.71.1, 192.168.71.2; the prefix is /24); NET_BENCH_SECS (wrk's -d, default 10);
#      NET_BENCH_RUNS (rounds, default 2).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

one_program_settings	# root, bench, out, monos, kernel (lib.sh)
init=$(realpath "${1:?usage: net.sh LINUX_INIT}")
mem=256M
tap=${NET_BENCH_TAP:-mtap1}
host_ip=${NET_BENCH_HOST:-192.168.71.1}
guest_ip=${NET_BENCH_GUEST:-192.168.71.2}
secs=${NET_BENCH_SECS:-10}
runs=${NET_BENCH_RUNS:-2}
nginx_data=$root/tests/apps/data/nginx
# Requests per redis-benchmark row: a few seconds each on Linux under TCG (5,500 requests/s
# unpipelined, 36,000 with -P 16, here).
n_plain=20000 n_pipe=100000
rows=(redis_set redis_get redis_set_p16 redis_get_p16 nginx_wrk)
declare -A label=(
	[redis_set]="redis SET, 50 clients"
	[redis_get]="redis GET, 50 clients"
	[redis_set_p16]="redis SET, 50 clients, -P 16"
	[redis_get_p16]="redis GET, 50 clients, -P 16"
	[nginx_wrk]="nginx static file, wrk -t2 -c50"
)
failed=0
declare -A rps=() note=() faillog=() cpu_us=()
server_pid=

# ---- the tap -----------------------------------------------------------------------------------
ensure_tap() {
	if ! ip link show "$tap" >/dev/null 2>&1; then
		(( EUID == 0 )) || { say "no tap $tap, and only root can make one"; return 1; }
		say "creating tap $tap ($host_ip/24)"
		ip tuntap add dev "$tap" mode tap || return 1
	fi
	if ! ip -4 -o addr show dev "$tap" | grep -qw "$host_ip"; then
		(( EUID == 0 )) || { say "tap $tap has no $host_ip, and only root can set it"; return 1; }
		ip addr add "$host_ip/24" dev "$tap" || return 1
	fi
	ip link set "$tap" up 2>/dev/null || (( EUID != 0 )) || return 1
}

# ---- the servers -------------------------------------------------------------------------------
redis_args=(/usr/bin/redis-server --protected-mode no --save '')
nginx_args=(--add "$nginx_data/nginx.conf:/etc/nginx/nginx.conf"
	--add "$nginx_data/passwd:/etc/passwd" --add "$nginx_data/group:/etc/group"
	--add "$nginx_data/index.html:/srv/www/index.html" /usr/sbin/nginx -e stderr)
monos_net=(--net "tap=$tap" --kernel-arg "monos.ip=$guest_ip/24" -m "$mem" --smp 1 --kernel "$kernel")

# start_monos LOG ARGS...: the server under monos, in the background (server_pid).
start_monos() {
	local log=$1
	shift
	"$monos" run --timeout 300 "${monos_net[@]}" "$@" </dev/null >"$log" 2>&1 &
	server_pid=$!
}

# The TSC's rate as monos tells its kernel (monos.tsc_khz=, from the host); Linux gets the same
# figure. Without it Linux under TCG calibrates the TSC against a PIT that microvm lacks, often
# fails ("Unable to calibrate against PIT") and then hangs before /init on a loaded host; and
# with it alone its clocksource watchdog finds the TCG TSC skewed against jiffies and falls back
# to the jiffies clocksource (4 ms steps), so tsc=reliable, as monos, which trusts the TSC too.
tsc_khz() {
	"$monos" run --dry-run --kernel "$kernel" /bin/true 2>/dev/null |
		grep -o 'monos\.tsc_khz=[0-9]*' | head -n1 | cut -d= -f2
}

# start_linux LOG CPIO: Linux with the server's image and the launcher, in the background.
start_linux() {
	local append="console=ttyS0 quiet panic=-1 reboot=t"
	[[ -z $linux_tsc_khz ]] || append+=" tsc_early_khz=$linux_tsc_khz tsc=reliable"
	timeout 300 qemu-system-x86_64 -M microvm -accel tcg -cpu max -m "$mem" -smp 1 \
		-nodefaults -no-user-config -nographic -no-reboot \
		-kernel "$vmlinuz" -initrd "$2" -append "$append" \
		-serial stdio -netdev "tap,id=net0,ifname=$tap,script=no,downscript=no" \
		-global virtio-mmio.force-legacy=false -device virtio-net-device,netdev=net0 \
		</dev/null >"$1" 2>&1 &
	server_pid=$!
}

# stop_server: ends the guest (monos's host tool stops QEMU on SIGTERM; timeout passes it on).
stop_server() {
	[[ -n $server_pid ]] || return 0
	kill "$server_pid" 2>/dev/null || true
	wait "$server_pid" 2>/dev/null || true
	server_pid=
}
trap stop_server EXIT

# wait_ready CHECK...: until CHECK succeeds (60 s at most, and only while the guest runs).
wait_ready() {
	local deadline=$(( SECONDS + 60 ))
	while (( SECONDS < deadline )); do
		"$@" >/dev/null 2>&1 && return 0
		kill -0 "$server_pid" 2>/dev/null || return 1
		sleep 0.5
	done
	return 1
}
redis_up() { [[ $(timeout 3 redis-cli -h "$guest_ip" ping) == PONG ]]; }
nginx_up() { timeout 3 curl -sf -o /dev/null "http://$guest_ip/index.html"; }

# redis_cpu: the CPU seconds redis-server's main thread has used, system and user, as the guest
# kernel accounts them (getrusage(RUSAGE_THREAD), shown by INFO cpu): "SYS USER", or nothing.
redis_cpu() {
	timeout 5 redis-cli -h "$guest_ip" info cpu 2>/dev/null | tr -d '\r' | awk -F: '
		$1 == "used_cpu_sys_main_thread" { s = $2 } $1 == "used_cpu_user_main_thread" { u = $2 }
		END { if (s != "" && u != "") print s, u }'
}

# redis_rows SIDE LOG: the four redis-benchmark rows into rps[ROW.SIDE] (SIDE: monos.RUN or
# linux.RUN), and the server's CPU microseconds per request into cpu_us[ROW.SIDE] (system and
# user: "S U"); the client's output is appended to LOG.
redis_rows() {
	local side=$1 log=$2 row t p n line c0 c1
	for row in redis_set redis_get redis_set_p16 redis_get_p16; do
		t=${row#redis_} t=${t%_p16} p=1 n=$n_plain
		[[ $row != *_p16 ]] || p=16 n=$n_pipe
		echo "== redis-benchmark -c 50 -n $n -P $p -t $t" >>"$log"
		c0=$(redis_cpu)
		line=$(timeout 120 redis-benchmark -h "$guest_ip" -c 50 -n "$n" -P "$p" -t "$t" --csv \
			2>>"$log" | tee -a "$log" | grep -i "^\"$t\"" || true)
		c1=$(redis_cpu)
		if [[ $line =~ ^\"[A-Z]+\",\"([0-9.]+)\" ]]; then
			rps[$row.$side]=${BASH_REMATCH[1]%.*}
		else
			note[$row.$side]="no result (see $(basename "$log"))"
		fi
		[[ -z $c0 || -z $c1 ]] || cpu_us[$row.$side]=$(awk -v a="$c0" -v b="$c1" -v n="$n" 'BEGIN {
			split(a, x, " "); split(b, y, " ")
			printf("%.1f %.1f\n", (y[1] - x[1]) * 1e6 / n, (y[2] - x[2]) * 1e6 / n) }')
		echo "== server CPU us/request (sys user): ${cpu_us[$row.$side]:-?}" >>"$log"
	done
}

# nginx_row SIDE LOG: wrk's requests/s into rps[nginx_wrk.SIDE], its socket errors into note.
nginx_row() {
	local side=$1 log=$2 res v
	echo "== wrk -t2 -c50 -d${secs}s" >>"$log"
	res=$(timeout $(( secs + 60 )) wrk -t2 -c50 -d"${secs}s" "http://$guest_ip/index.html" 2>&1 || true)
	echo "$res" >>"$log"
	v=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' <<<"$res")
	[[ -z $v ]] || rps[nginx_wrk.$side]=${v%.*}
	v=$(grep -E 'Socket errors|Non-2xx' <<<"$res" | tr -s ' ' | tr '\n' ';' || true)
	[[ -z $v ]] || note[nginx_wrk.$side]=${v%;}
	[[ -n ${rps[nginx_wrk.$side]:-} ]] || note[nginx_wrk.$side]="no result (see $(basename "$log"))"
}

# serve KERNEL RUN SERVER: boots the server on KERNEL (monos|linux), waits until it answers,
# measures, stops the guest. A server that never answers fails that run.
serve() {
	local side=$1.$2 server=$3 log=$out/net-$3-$1-$2.log ready
	say "$1: $server (run $2/$runs)"
	if [[ $1 == monos ]]; then
		if [[ $server == redis ]]; then start_monos "$log" "${redis_args[@]}"
		else start_monos "$log" "${nginx_args[@]}"; fi
	else
		start_linux "$log" "$out/net-$server-linux.cpio"
	fi
	ready=${server}_up
	if ! wait_ready "$ready"; then
		failed=1
		faillog[$server.$side]=$log
		say "$side: $server never answered; the end of $log:"
		tail -n 15 "$log" | sed 's/^/    /' >&2
		stop_server
		return
	fi
	if [[ $server == redis ]]; then redis_rows "$side" "$log"; else nginx_row "$side" "$log"; fi
	stop_server
}

# ---- Linux: the kernel, its network modules, the images ----------------------------------------
# linux_modules DIR: the six modules the NIC needs, from the linux-image package of $vmlinuz,
# named so that their order is the load order; kept in the cache beside the kernel.
modnames=(drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_mmio
	net/core/failover drivers/net/net_failover drivers/net/virtio_net)
linux_modules() {
	local dir=$1 ver pkg deb m i=1
	[[ -s $dir/6-virtio_net.ko ]] && return 0
	ver=$(basename "$vmlinuz" | sed 's/^vmlinuz-//')
	pkg=linux-image-$ver
	say "fetching $pkg for its virtio_net modules"
	rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
	(cd "$dir.tmp" && apt-get download -qq -o APT::Sandbox::User=root "$pkg" >&2) || return 1
	deb=$(ls "$dir.tmp"/"$pkg"_*.deb | head -n1)
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir.tmp" \
		$(printf "./lib/modules/$ver/kernel/%s.ko " "${modnames[@]}") || return 1
	for m in "${modnames[@]}"; do
		mv "$dir.tmp/lib/modules/$ver/kernel/$m.ko" "$dir.tmp/$i-$(basename "$m").ko"
		i=$(( i + 1 ))
	done
	rm -rf "$dir.tmp/lib" "$deb"
	rm -rf "$dir" && mv "$dir.tmp" "$dir"
}

# linux_images: for each server, the image monos boots (--save-image, --dry-run: written, not
# run) followed by the launcher's archive (/init, /dev, the modules, /.bench/ip).
linux_images() {
	local mods=$1 m spec
	echo "$guest_ip/24" >"$out/net-ip"
	spec=$(printf 'dir /dev 0755\nnod /dev/console 0600 c 5 1\nnod /dev/null 0666 c 1 3\n'
		printf 'dir /.bench 0755\ndir /.bench/modules 0755\nfile /.bench/ip %s 0644\n' "$out/net-ip"
		for m in "$mods"/*.ko; do printf 'file /.bench/modules/%s %s 0644\n' "$(basename "$m")" "$m"; done
		printf 'file /init %s 0755\n' "$init")
	"$bench/mkcpio.sh" "$out/net-launcher.cpio" <<<"$spec" || return 1
	"$monos" run --dry-run --save-image "$out/net-redis.cpio" "${monos_net[@]}" "${redis_args[@]}" \
		>/dev/null || return 1
	"$monos" run --dry-run --save-image "$out/net-nginx.cpio" "${monos_net[@]}" "${nginx_args[@]}" \
		>/dev/null || return 1
	cat "$out/net-redis.cpio" "$out/net-launcher.cpio" >"$out/net-redis-linux.cpio"
	cat "$out/net-nginx.cpio" "$out/net-launcher.cpio" >"$out/net-nginx-linux.cpio"
}

# ---- run ---------------------------------------------------------------------------------------
missing=()
for t in redis-server redis-benchmark redis-cli nginx wrk curl qemu-system-x86_64; do
	command -v "$t" >/dev/null || [[ -x /usr/sbin/$t ]] || missing+=("$t")
done
linux_pkg= linux_tsc_khz= ok=1
if (( ${#missing[@]} )); then
	say "missing ${missing[*]} (bench/deps.sh installs them)"
	ok=0
elif ! ensure_tap; then
	say "no usable tap $tap"
	ok=0
elif [[ ! -x $monos || ! -s $kernel ]]; then
	say "monos: $monos or $kernel missing ('make all' failed?)"
	ok=0
fi
if (( ok )); then
	if vmlinuz=$("$bench/linux.sh") &&
		mods=$(dirname "$(dirname "$vmlinuz")")/net-modules-$(basename "$vmlinuz" | sed 's/^vmlinuz-//') &&
		linux_modules "$mods" && linux_images "$mods"; then
		linux_pkg=$(basename "$vmlinuz" | sed 's/^vmlinuz-/linux-image-/')
		linux_tsc_khz=$(tsc_khz || true)
	else
		say "no Linux kernel, modules or images to compare against"
		failed=1
	fi
	for (( run = 1; run <= runs; run++ )); do
		for server in redis nginx; do serve monos "$run" "$server"; done
		[[ -z $linux_pkg ]] || for server in redis nginx; do serve linux "$run" "$server"; done
	done
	rm -f "$out"/net-*.cpio
else
	failed=1
fi
for row in "${rows[@]}"; do
	for side in monos linux; do
		for (( run = 1; run <= runs; run++ )); do
			[[ -n ${rps[$row.$side.$run]:-} ]] || failed=1
		done
	done
done

# ---- report ------------------------------------------------------------------------------------
row() { printf '%-32s %17s %17s %11s   %s\n' "$@"; }
# runs ROW SIDE: the runs' figures, "a / b"; mean ROW SIDE: their mean (empty when one failed).
figures() {
	local r out=
	for (( r = 1; r <= runs; r++ )); do out+="${out:+ / }$(fmt "${rps[$1.$2.$r]:-}")"; done
	echo "$out"
}
# cpu_figures ROW SIDE: each run's "sys+user" total; cpu_mean ROW SIDE: their mean.
cpu_total() { [[ -n ${cpu_us[$1]:-} ]] && awk -v c="${cpu_us[$1]}" 'BEGIN { split(c, x, " "); printf("%.1f\n", x[1] + x[2]) }'; }
cpu_figures() {
	local r out=
	for (( r = 1; r <= runs; r++ )); do out+="${out:+ / }$(cpu_total "$1.$2.$r" || echo -)"; done
	echo "$out"
}
cpu_mean() {
	local r v sum=0
	for (( r = 1; r <= runs; r++ )); do
		v=$(cpu_total "$1.$2.$r") || return 0
		sum=$(awk -v a="$sum" -v b="$v" 'BEGIN { print a + b }')
	done
	awk -v a="$sum" -v n="$runs" 'BEGIN { printf("%.1f\n", a / n) }'
}
mean() {
	local r sum=0
	for (( r = 1; r <= runs; r++ )); do
		[[ -n ${rps[$1.$2.$r]:-} ]] || return 0
		sum=$(( sum + ${rps[$1.$2.$r]} ))
	done
	echo $(( sum / runs ))
}
# monos/Linux, two decimals (the ratio here is a speed, so > 1 is monos ahead).
speed() {
	[[ -n ${1:-} && -n ${2:-} && $2 != 0 ]] || { echo -; return; }
	awk -v a="$1" -v b="$2" 'BEGIN { printf("%.2fx\n", a / b) }'
}
verdict() { # ROW
	local m l
	m=$(mean "$1" monos) l=$(mean "$1" linux)
	[[ -n $m ]] || { echo failed; return; }
	[[ -n $l ]] || { echo "- (no Linux figure)"; return; }
	(( m * 2 >= l * 3 )) && echo met || echo MISSED
}
{
	echo
	echo "Network servers: requests/s seen by the host's client over the tap $tap; runs a side: $runs (one"
	echo "boot per server and run): monos ('monos run --net tap=$tap', TCG) and ${linux_pkg:-Linux (unavailable)}"
	echo "on the same QEMU (microvm, TCG, -smp 1, -m $mem, virtio-net-device), the same binaries;"
	echo "Linux with tsc_early_khz=${linux_tsc_khz:-?} tsc=reliable (the TSC rate monos passes its kernel)."
	row "" "monos" "Linux" "monos/Linux" "target"
	for r in "${rows[@]}"; do
		row "${label[$r]}" "$(figures "$r" monos)" "$(figures "$r" linux)" \
			"$(speed "$(mean "$r" monos)" "$(mean "$r" linux)")" ">= 1.5x Linux: $(verdict "$r")"
	done
	echo "redis-benchmark -c 50 -n $n_plain (-P 16: -n $n_pipe); wrk -t2 -c50 -d${secs}s on a $(stat -c %s "$nginx_data/index.html")-byte file;"
	echo "monos/Linux: the mean of monos's runs over the mean of Linux's."
	echo "redis-server's CPU per request (its main thread's system + user time from INFO cpu, which is"
	echo "getrusage(RUSAGE_THREAD) as each kernel accounts it, over the requests), microseconds:"
	row "" "monos" "Linux" "Linux/monos" ""
	for r in redis_set redis_get redis_set_p16 redis_get_p16; do
		row "${label[$r]}" "$(cpu_figures "$r" monos)" "$(cpu_figures "$r" linux)" \
			"$(speed "$(cpu_mean "$r" linux)" "$(cpu_mean "$r" monos)")" ""
	done
	echo "  (sys+user per run; monos's getrusage reports no system time: its kernel's time is in user.)"
	for k in $(printf '%s\n' "${!note[@]}" | sort); do
		echo "  $k: ${note[$k]}"
	done
	for k in $(printf '%s\n' "${!faillog[@]}" | sort); do
		echo "  FAILED: $k never answered: ${faillog[$k]#$root/}"
		tail -n 6 "${faillog[$k]}" | sed 's/^/      /'
	done
} | tee -a "$out/report.txt"

exit "$failed"
