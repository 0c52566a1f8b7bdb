#!/bin/bash
# Unmodified Debian servers under monos, reached from the host through QEMU's user network
# (-p HOST:GUEST), each checked by a host-side client:
#   nginx      daemon off; master_process off; (tests/apps/data/nginx/nginx.conf) serves a static
#              file, fetched twice by curl and compared with the original;
#   memcached  set, then get of the same key, over bash's /dev/tcp; then "shutdown" (-A);
#   redis      redis-cli SET, GET and INCR; then SHUTDOWN NOSAVE.
# memcached and redis are stopped through their own protocol and must exit 0. nginx has no such
# command with master_process off, so after the checks the host tool is sent SIGTERM (it stops
# QEMU and exits 128+15); that exit is fine only once the checks passed. Few connections: QEMU's
# forward listens with a backlog of 1. A server that is not installed is a SKIP line.
# MONOS: the host tool (default build/monos). Prints PASS/FAIL/SKIP lines, exits non-zero on a
# failure.
top=$(cd "$(dirname "$0")/../.." && pwd) || exit 1
MONOS=${MONOS:-$top/build/monos}
data=$top/tests/apps/data/nginx
tmp=$(mktemp -d) || exit 1
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
failed=0

pass() { echo "PASS net_apps.$1"; }
fail() { echo "FAIL net_apps.$1: $2"; failed=1; }
skip() { echo "SKIP net_apps.$1: $2"; }

# A host port nobody listens on, from a range unlikely to be in use; differs per run.
free_port() {
	local p=$(( 20000 + (RANDOM % 20000) ))
	while (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; do p=$((p + 1)); done
	echo $p
}

# guest NAME HOSTPORT GUESTPORT PROGRAM ARGS...: the server under monos in the background
# (guest_pid); its console and monos's messages in $tmp/NAME.log.
guest() {
	local name=$1 hport=$2 gport=$3
	shift 3
	"$MONOS" run --timeout 60 -m 256M -p "$hport:$gport" "$@" >"$tmp/$name.log" 2>&1 &
	guest_pid=$!
}

# ready NAME CHECK...: until CHECK succeeds (before the server listens, QEMU accepts the host's
# connection and closes it), for 40 s at most and while the guest runs.
ready() {
	local name=$1 deadline=$(( SECONDS + 40 ))
	shift
	while (( SECONDS < deadline )); do
		"$@" >/dev/null 2>&1 && return 0
		kill -0 $guest_pid 2>/dev/null || break
		sleep 0.25
	done
	fail "$name" "never answered; log: $(tail -n 5 "$tmp/$name.log" | tr '\n' '|')"
	kill $guest_pid 2>/dev/null
	wait $guest_pid
	return 1
}

# finish NAME WANT: waits up to 20 s for the guest; fails NAME unless it exited WANT.
finish() {
	local name=$1 want=$2 code i
	for i in $(seq 1 80); do kill -0 $guest_pid 2>/dev/null || break; sleep 0.25; done
	kill -0 $guest_pid 2>/dev/null && kill $guest_pid
	wait $guest_pid
	code=$?
	[ $code = "$want" ] && return 0
	fail "$name" "guest exit $code, not $want; log: $(tail -n 5 "$tmp/$name.log" | tr '\n' '|')"
	return 1
}

# ---- nginx -------------------------------------------------------------------------------------
if [ -x /usr/sbin/nginx ]; then
	port=$(free_port)
	guest nginx $port 80 --add "$data/nginx.conf:/etc/nginx/nginx.conf" \
		--add "$data/passwd:/etc/passwd" --add "$data/group:/etc/group" \
		--add "$data/index.html:/srv/www/index.html" /usr/sbin/nginx -e stderr
	url=http://127.0.0.1:$port/index.html
	if ready nginx curl -sf -m 5 -o "$tmp/got1.html" "$url"; then
		why=
		cmp -s "$tmp/got1.html" "$data/index.html" || why="first fetch differs from index.html"
		curl -sf -m 5 -o "$tmp/got2.html" "$url" || why="second fetch failed"
		[ -n "$why" ] || cmp -s "$tmp/got2.html" "$data/index.html" || why="second fetch differs"
		code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/absent")
		[ -n "$why" ] || [ "$code" = 404 ] || why="a missing file gave HTTP $code, not 404"
		kill -TERM $guest_pid
		if [ -n "$why" ]; then
			wait $guest_pid
			fail nginx "$why"
		else
			finish nginx 143 && pass nginx
		fi
	fi
else
	skip nginx "/usr/sbin/nginx is not installed"
fi

# ---- memcached ---------------------------------------------------------------------------------
# mc_ask COMMANDS: sends COMMANDS (with \r\n line ends) on a fresh connection and prints the
# answer up to its END/STORED line.
mc_ask() {
	exec 3<>/dev/tcp/127.0.0.1/$port || return 1
	printf '%b' "$1" >&3
	timeout 5 awk '{ sub(/\r$/, ""); print } /^(END|STORED|NOT_STORED|ERROR)$/ { exit }' <&3
	exec 3<&-
}
if command -v memcached >/dev/null; then
	port=$(free_port)
	# As root memcached insists on -u and drops to that user: setgroups, setgid, setuid.
	guest memcached $port 11211 /usr/bin/memcached -u root -A -p 11211 -U 0 -t 2 -m 16
	mc_ready() { [ "$(mc_ask 'set probe 0 0 1\r\nx\r\n' 2>/dev/null)" = STORED ]; }
	if ready memcached mc_ready; then
		stored=$(mc_ask 'set greeting 0 0 16\r\nhello from host!\r\n')
		got=$(mc_ask 'get greeting\r\n' | tr '\n' '|')
		(exec 3<>/dev/tcp/127.0.0.1/$port && printf 'shutdown\r\n' >&3 && timeout 5 cat <&3 >/dev/null) 2>/dev/null
		if [ "$stored" != STORED ]; then
			fail memcached "set answered '$stored'"
			kill $guest_pid; wait $guest_pid
		elif [ "$got" != "VALUE greeting 0 16|hello from host!|END|" ]; then
			fail memcached "get answered '$got'"
			kill $guest_pid; wait $guest_pid
		else
			finish memcached 0 && pass memcached
		fi
	fi
else
	skip memcached "memcached is not installed"
fi

# ---- redis -------------------------------------------------------------------------------------
if command -v redis-server >/dev/null && command -v redis-cli >/dev/null; then
	port=$(free_port)
	guest redis $port 6379 /usr/bin/redis-server --protected-mode no --save '' --appendonly no
	rc() { timeout 5 redis-cli -p $port "$@"; }
	pong() { [ "$(rc ping 2>/dev/null)" = PONG ]; }
	if ready redis pong; then
		set_ok=$(rc set greeting "hello from the host")
		got=$(rc get greeting)
		incr=$(rc incr counter; rc incr counter)
		rc shutdown nosave >/dev/null 2>&1
		if [ "$set_ok" != OK ]; then
			fail redis "SET answered '$set_ok'"
			kill $guest_pid; wait $guest_pid
		elif [ "$got" != "hello from the host" ]; then
			fail redis "GET answered '$got'"
			kill $guest_pid; wait $guest_pid
		elif [ "$(echo $incr)" != "1 2" ]; then
			fail redis "INCR twice answered '$(echo $incr)'"
			kill $guest_pid; wait $guest_pid
		else
			finish redis 0 && pass redis
		fi
	fi
else
	skip redis "redis-server or redis-cli is not installed"
fi
exit $failed
