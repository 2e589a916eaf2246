#!/bin/sh
# bench-mod_migstate.sh - the cost of mod_migstate on the request path.
#
# wrk (one thread, a few keep-alive connections) fetches a small file over
# HTTP and HTTPS from Apache (MPM event, one child) in three set-ups, the
# same run, alternating, ROUNDS rounds of SECS seconds each:
#   on    module loaded, MigState On (default)
#   off   module loaded, MigState Off
#   none  module not loaded
# (three servers side by side), and prints each round's requests/s, p99
# latency and the server's CPU time per request, then the medians and the
# ratios on/none and off/none.  Goal: on/none >= 0.99 of requests/s.
# Then, if valgrind is installed (CALLGRIND=0 skips it), the instructions
# Apache executes per request, on versus none, counted by callgrind: a
# figure the machine's load cannot blur.
# ROUNDS (default 5), SECS (4), CONNS (4), CG_REQS (2000) may be set.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
ROUNDS=${ROUNDS:-5}
SECS=${SECS:-4}
CONNS=${CONNS:-4}
. "$(dirname "$0")/../integration/lib-apache.sh"
command -v wrk >/dev/null || ma_skip "wrk not installed (apt-get install wrk)"
ma_init
RES=$MA_DIR/results
: >"$RES"

# p99 of wrk --latency in microseconds.
to_us() {
	awk '{ v = $1; u = v; sub(/^[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
	       f = (u == "us") ? 1 : (u == "ms") ? 1000 : (u == "s") ? 1000000 : 60000000;
	       printf "%.0f\n", v * f }'
}

# use SETUP: point the lib-apache.sh variables at that set-up's server.
use() {
	MA_DIR=$BASE/$1
	eval "MA_PORT=\$PORT_$1 MA_SPORT=\$SPORT_$1"
	MA_SHM=$MA_DIR/run/migstate.shm
}

bench_cleanup() {
	for s in on off none; do use "$s"; ma_stop >/dev/null 2>&1; done
	rm -rf "$BASE"
}

# CPU time (clock ticks, user + system) used so far by the server's
# processes: less sensitive than req/s to what else the machine runs.
cpu_ticks() {
	local p t=0
	for p in $(ma_pid) $(ma_children); do
		t=$((t + $(awk '{ print $14 + $15 }' /proc/"$p"/stat 2>/dev/null || echo 0)))
	done
	echo $t
}

# measure SETUP SCHEME URL
measure() {
	local out rps p99 n t0 t1 cpu
	t0=$(cpu_ticks)
	out=$(wrk -t1 -c"$CONNS" -d"${SECS}s" --latency "$3" 2>&1)
	t1=$(cpu_ticks)
	rps=$(echo "$out" | awk '/^Requests\/sec:/ { print $2 }')
	p99=$(echo "$out" | awk '$1 == "99%" { print $2 }' | to_us)
	n=$(echo "$out" | awk '/requests in/ { print $1 }')
	[ -n "$rps" ] && [ -n "$p99" ] && [ -n "$n" ] || ma_fail "wrk: $out"
	cpu=$(awk -v d=$((t1 - t0)) -v n="$n" -v hz="$(getconf CLK_TCK)" \
	    'BEGIN { printf "%.1f", d * 1000000 / hz / n }')
	echo "$1 $2 $rps $p99 $cpu" >>"$RES"
	printf '  %-5s %-5s %10.1f req/s  p99 %7d us  server CPU %6.1f us/req\n' \
	    "$1" "$2" "$rps" "$p99" "$cpu"
}

# The three servers run side by side (only the one under wrk is busy), so
# the rounds alternate quickly and drift on the machine hits all alike.
BASE=$MA_DIR
trap bench_cleanup EXIT
for s in on off none; do
	mkdir -p "$BASE/$s/htdocs"
	cp "$BASE/cert.pem" "$BASE/key.pem" "$BASE/$s/"
	cp "$BASE/htdocs/small.txt" "$BASE/$s/htdocs/"
	eval "PORT_$s=$(ma_free_port) SPORT_$s=$(ma_free_port)"
	use "$s"
	case $s in
	on)   ma_conf event "LogLevel warn" ;;
	off)  ma_conf event "LogLevel warn
MigState Off" ;;
	none) ma_conf event "LogLevel warn" nomodule ;;
	esac
	sed -i '/^CustomLog/d' "$MA_DIR/httpd.conf"
	ma_start >/dev/null
	# Warm up (threads, TLS, caches).
	wrk -t1 -c"$CONNS" -d1s "http://127.0.0.1:$MA_PORT/small.txt" >/dev/null 2>&1
	wrk -t1 -c"$CONNS" -d1s "https://127.0.0.1:$MA_SPORT/small.txt" >/dev/null 2>&1
done
[ -e "$BASE/on/run/migstate.shm" ] && [ ! -e "$BASE/off/run/migstate.shm" ] ||
    ma_fail "set-ups not as intended"

echo "mod_migstate benchmark: $ROUNDS rounds x ${SECS}s, wrk -t1 -c$CONNS, small file"
for r in $(seq 1 "$ROUNDS"); do
	echo "round $r"
	# Rotate the order so no set-up always runs first.
	case $((r % 3)) in
	1) order="on off none" ;;
	2) order="off none on" ;;
	0) order="none on off" ;;
	esac
	for scheme in http https; do
		for s in $order; do
			use "$s"
			if [ $scheme = http ]; then
				measure "$s" http "http://127.0.0.1:$MA_PORT/small.txt"
			else
				measure "$s" https "https://127.0.0.1:$MA_SPORT/small.txt"
			fi
		done
	done
done

# ------------------------------------------------ instructions per request
# Valgrind's callgrind counts the instructions Apache (-X: one process)
# executes: free of the machine's noise.  One keep-alive connection makes
# CG_REQS requests; a run that serves one request is subtracted, so the
# start-up, the shutdown and the TLS handshake cancel out.

# cg_total SCHEME NREQ: instructions of one run of the current set-up.
cg_total() {
	local out=$MA_DIR/cg/out.$$.$RANDOM vg i port
	port=$MA_PORT; [ "$1" = https ] && port="$MA_SPORT --tls"
	# Created for www-data: Apache switches to it before callgrind writes.
	install -m 666 -o www-data /dev/null "$out"
	valgrind --tool=callgrind --callgrind-out-file="$out" \
	    apache2 -X -f "$MA_DIR/cg.conf" >/dev/null 2>&1 &
	vg=$!
	for i in $(seq 1 600); do
		curl -s -o /dev/null "http://127.0.0.1:$MA_PORT/nothing" && break
		sleep 0.1
	done
	python3 "$BASE/client.py" --port $port "loop:$2:/small.txt" >/dev/null ||
	    ma_fail "client failed"
	# A first SIGTERM can come too early for Apache's handler: repeat.
	for i in $(seq 1 30); do
		kill -TERM "$vg" 2>/dev/null || break
		sleep 1
	done
	kill -KILL "$vg" 2>/dev/null
	wait "$vg"
	awk '/^(summary|totals):/ { print $2; exit }' "$out"
}

cg_bench() {
	local s scheme base meas per
	echo "instructions per request (callgrind, apache2 -X, $CG_REQS keep-alive requests):"
	for scheme in http https; do
		for s in on none; do
			use "$s"
			mkdir -p -m 777 "$MA_DIR/cg"
			# No mod_cgid: its daemon, a fork of the server, would outlive it.
			sed '/cgid_module/d; /^ScriptSock/d; /^ScriptAlias/d; s/^MaxKeepAliveRequests.*/MaxKeepAliveRequests 0/' \
			    "$MA_DIR/httpd.conf" >"$MA_DIR/cg.conf"
			base=$(cg_total $scheme 1)
			meas=$(cg_total $scheme $((CG_REQS + 1)))
			per=$(echo "$base $meas" | awk 'NF == 2 { printf "%.0f", ($2 - $1) / '"$CG_REQS"' }')
			[ -n "$per" ] || ma_fail "callgrind run failed ($s $scheme: $base / $meas)"
			eval "ir_$s=$per"
			printf '  %-5s %-5s %9d instructions/request\n' "$s" "$scheme" "$per"
		done
		awk -v k=$scheme -v a="$ir_on" -v c="$ir_none" 'BEGIN {
			printf "  %-5s on - none %+d instructions/request, on/none %.4f\n", k, a - c, a / c }'
	done
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
echo "medians and ratios (on/none, off/none):"
for scheme in http https; do
	for s in on off none; do
		for f in 3:rps 4:p99 5:cpu; do
			eval "${f#*:}_$s=$(awk -v s=$s -v k=$scheme -v c=${f%%:*} \
			    '$1 == s && $2 == k { print $c }' "$RES" | median)"
		done
	done
	awk -v k=$scheme -v a="$rps_on" -v b="$rps_off" -v c="$rps_none" \
	    -v pa="$p99_on" -v pb="$p99_off" -v pc="$p99_none" \
	    -v ca="$cpu_on" -v cb="$cpu_off" -v cc="$cpu_none" 'BEGIN {
		printf "  %-5s req/s   on %9.1f  off %9.1f  none %9.1f   on/none %.4f  off/none %.4f\n", k, a, b, c, a / c, b / c
		printf "  %-5s p99 us  on %9d  off %9d  none %9d   on/none %.4f  off/none %.4f\n", k, pa, pb, pc, pa / pc, pb / pc
		printf "  %-5s CPU us  on %9.1f  off %9.1f  none %9.1f   on/none %.4f  off/none %.4f\n", k, ca, cb, cc, ca / cc, cb / cc
	}'
done

if [ "${CALLGRIND:-1}" = 1 ] && command -v valgrind >/dev/null; then
	for s in on off none; do use "$s"; ma_stop >/dev/null 2>&1; done
	CG_REQS=${CG_REQS:-2000}
	cg_bench
fi
