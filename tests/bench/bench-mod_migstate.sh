#!/bin/sh
# bench-mod_migstate.sh - the cost of mod_migstate on the request path.
#
# Run it on a quiet machine: wrk's figures move with whatever else runs
# (the callgrind figures at the end do not).
#
# 1. wrk (one thread, CONNS keep-alive connections) fetches a small file
#    over HTTP and HTTPS from Apache (MPM event, one child) in three
#    set-ups, the same run, alternating, ROUNDS rounds of SECS seconds:
#      on    module loaded, MigState On (default)
#      off   module loaded, MigState Off
#      none  module not loaded
#    (three servers side by side, only the one under wrk is busy).  With
#    two CPUs or more, every server runs on CPU 0 and wrk on CPU 1
#    (taskset), so the server's CPU is the bottleneck and wrk does not
#    compete with it.  Each round prints requests/s, p99 latency and the
#    server's CPU time per request (user + system, from /proc); then the
#    medians, the ratios on/none and off/none, and whether the goal
#    on/none >= 0.99 of requests/s is met.
#    The module's share of the server's CPU is estimated at the end:
#    callgrind's on - none scaled by the user-space share of the server's
#    CPU time measured here.
# 2. If valgrind is installed (CALLGRIND=0 skips it): the instructions
#    Apache (-X, one process) executes per request in user space, on, off
#    and none, counted by callgrind, and those executed in the module's own
#    functions (self cost, exact).  All three run from the same directory,
#    so that only the configuration differs (path lengths change glibc's
#    string functions' instruction counts); on - off is the module's work
#    and what Apache does to call it, off - none what loading any module
#    costs (one more slot in every configuration vector, which also moves
#    the alignment of later allocations).  The totals still move by tens
#    to hundreds of instructions per request between runs, more when the
#    machine is loaded: work done on timers (event's listener, the main
#    loop) grows with the run's wall-clock time, which valgrind stretches.
# ROUNDS (default 7), SECS (4), CONNS (4), CG_REQS (2000) may be set;
# WRK=0 skips part 1, CALLGRIND=0 part 2.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
ROUNDS=${ROUNDS:-7}
SECS=${SECS:-4}
CONNS=${CONNS:-4}
CG_REQS=${CG_REQS:-2000}
. "$(dirname "$0")/../integration/lib-apache.sh"
. "$(dirname "$0")/lib.sh"
command -v wrk >/dev/null || ma_skip "wrk not installed (apt-get install wrk)"
ma_init
RES=$MA_DIR/results
: >"$RES"

# Pinning: servers on CPU 0, wrk on CPU 1, when there are two CPUs.
PIN_SRV= PIN_WRK=
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
	PIN_SRV=0 PIN_WRK="taskset -c 1"
fi

# use SETUP: point the lib-apache.sh variables at that set-up's server.
use() {
	MA_DIR=$BASE/$1
	eval "MA_PORT=\$PORT_$1 MA_SPORT=\$SPORT_$1"
	MA_SHM=$MA_DIR/run/migstate.shm
}

bench_cleanup() {
	for s in on off none; do use "$s"; ma_stop >/dev/null 2>&1; done
	[ -n "${VG:-}" ] && kill -KILL "$VG" 2>/dev/null
	rm -rf "$BASE"
}

# Every thread of the current set-up's processes onto CPU $PIN_SRV (the
# threads and children created later inherit it).
pin_server() {
	local p
	[ -n "$PIN_SRV" ] || return 0
	for p in $(ma_pid) $(ma_children); do
		taskset -a -p -c "$PIN_SRV" "$p" >/dev/null || ma_fail "taskset $p"
	done
}

# CPU time (clock ticks, "user system") used so far by the server's
# processes: less sensitive than req/s to what else the machine runs.
cpu_ticks() {
	local p u=0 s=0
	for p in $(ma_pid) $(ma_children); do
		set -- $(awk '{ print $14, $15 }' /proc/"$p"/stat 2>/dev/null || echo 0 0)
		u=$((u + $1)) s=$((s + $2))
	done
	echo $u $s
}

# measure SETUP SCHEME URL
measure() {
	local out rps p99 n t0 t1 cpu
	t0=$(cpu_ticks)
	out=$($PIN_WRK wrk -t1 -c"$CONNS" -d"${SECS}s" --latency "$3" 2>&1)
	t1=$(cpu_ticks)
	rps=$(echo "$out" | awk '/^Requests\/sec:/ { print $2 }')
	p99=$(echo "$out" | awk '$1 == "99%" { print $2 }' | bench_wrk_us)
	n=$(echo "$out" | awk '/requests in/ { print $1 }')
	[ -n "$rps" ] && [ -n "$p99" ] && [ -n "$n" ] || ma_fail "wrk: $out"
	echo "$out" | grep -q 'Non-2xx' && ma_fail "wrk got errors: $out"
	# user + system, and user alone, in microseconds per request
	cpu=$(echo "$t0 $t1" | awk -v n="$n" -v hz="$(getconf CLK_TCK)" \
	    '{ f = 1000000 / hz / n; printf "%.2f %.2f", ($3 + $4 - $1 - $2) * f, ($3 - $1) * f }')
	echo "$1 $2 $rps $p99 $cpu" >>"$RES"
	printf '  %-5s %-5s %10.1f req/s  p99 %7d us  server CPU %6.2f us/req (user %6.2f)\n' \
	    "$1" "$2" "$rps" "$p99" $cpu
}

url() { [ "$1" = http ] && echo "http://127.0.0.1:$MA_PORT/small.txt" ||
    echo "https://127.0.0.1:$MA_SPORT/small.txt"; }

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
	pin_server
done
[ -e "$BASE/on/run/migstate.shm" ] && [ ! -e "$BASE/off/run/migstate.shm" ] ||
    ma_fail "set-ups not as intended"

# Part 1: wrk against the three servers, alternating.
wrk_bench() {
	echo "mod_migstate benchmark: $ROUNDS rounds x ${SECS}s, wrk -t1 -c$CONNS, small file (6 bytes)," \
	    "MPM event${PIN_SRV:+, servers on CPU $PIN_SRV, wrk on CPU 1}"
	echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	# Warm up every server and scheme (threads, TLS session cache, CPU caches).
	for s in on off none; do
		use "$s"
		for scheme in http https; do
			$PIN_WRK wrk -t1 -c"$CONNS" -d2s "$(url $scheme)" >/dev/null 2>&1
		done
	done
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
				measure "$s" $scheme "$(url $scheme)"
			done
		done
	done
	echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

	echo "medians and ratios (on/none, off/none):"
	GOAL=
	for scheme in http https; do
		for s in on off none; do
			for f in 3:rps 4:p99 5:cpu 6:usr; do
				eval "${f#*:}_$s=$(awk -v s=$s -v k=$scheme -v c=${f%%:*} \
				    '$1 == s && $2 == k { print $c }' "$RES" | bench_median)"
			done
		done
		awk -v k=$scheme -v a="$rps_on" -v b="$rps_off" -v c="$rps_none" \
		    -v pa="$p99_on" -v pb="$p99_off" -v pc="$p99_none" \
		    -v ca="$cpu_on" -v cb="$cpu_off" -v cc="$cpu_none" 'BEGIN {
			printf "  %-5s req/s   on %9.1f  off %9.1f  none %9.1f   on/none %.4f  off/none %.4f\n", k, a, b, c, a / c, b / c
			printf "  %-5s p99 us  on %9d  off %9d  none %9d   on/none %.4f  off/none %.4f\n", k, pa, pb, pc, pa / pc, pb / pc
			printf "  %-5s CPU us  on %9.2f  off %9.2f  none %9.2f   on/none %.4f  off/none %.4f\n", k, ca, cb, cc, ca / cc, cb / cc
		}'
		eval "usr_share_$scheme=$(awk -v u="$usr_none" -v c="$cpu_none" 'BEGIN { printf "%.3f", u / c }')"
		GOAL="$GOAL $(awk -v k=$scheme -v a="$rps_on" -v c="$rps_none" 'BEGIN {
			printf "%s %s (%.4f)", toupper(k), (a / c >= 0.99) ? "met" : "NOT met", a / c }')"
	done
	echo "goal on/none >= 0.99 req/s (medians):$GOAL"
}

# ------------------------------------------------ instructions per request
# Valgrind's callgrind counts the instructions Apache (-X: one process)
# executes: free of the machine's noise.  One keep-alive connection makes
# CG_REQS requests; a run that serves one request is subtracted, so the
# start-up, the shutdown and the TLS handshake cancel out.

# cg_total SETUP SCHEME NREQ: instructions of one run of SETUP's
# configuration, served from $CG, then those executed in the module's own
# functions (self cost: not what they call; 0 without callgrind_annotate).
cg_total() {
	local out=$CG/out.$$.$RANDOM i port
	port=$MA_PORT; [ "$2" = https ] && port="$MA_SPORT --tls"
	# Created for www-data: Apache switches to it before callgrind writes.
	install -m 666 -o www-data /dev/null "$out"
	valgrind --tool=callgrind --callgrind-out-file="$out" \
	    apache2 -X -f "$CG/$(cg_conf $1)" >/dev/null 2>&1 &
	VG=$!
	for i in $(seq 1 600); do
		curl -s -o /dev/null "http://127.0.0.1:$MA_PORT/nothing" && break
		sleep 0.1
	done
	python3 "$BASE/client.py" --port $port "loop:$3:/small.txt" >/dev/null ||
	    ma_fail "client failed"
	# A first SIGTERM can come too early for Apache's handler: repeat.
	for i in $(seq 1 30); do
		kill -TERM "$VG" 2>/dev/null || break
		sleep 1
	done
	kill -KILL "$VG" 2>/dev/null
	wait "$VG"
	VG=
	echo "$(awk '/^(summary|totals):/ { print $2; exit }' "$out")" \
	    "$(callgrind_annotate --threshold=100 "$out" 2>/dev/null |
	    awk '$0 ~ /:migstate_[a-z0-9_.]* / || $0 ~ /:migstate_[a-z0-9_.]*$/ {
		gsub(",", "", $1); s += $1 } END { print s + 0 }')"
	rm -f "$out"
}

# The configuration file of SETUP: names of one length, as the length of
# apache2's arguments moves the stack, hence the alignment of strings.
cg_conf() { case $1 in on) echo 1.conf ;; off) echo 2.conf ;; none) echo 3.conf ;; esac; }

cg_bench() {
	local s scheme base meas per
	echo "instructions per request in user space (callgrind, apache2 -X, $CG_REQS keep-alive requests):"
	CG=$BASE/cg
	mkdir -p -m 777 "$CG"
	cp -r "$BASE/on/htdocs" "$BASE/cert.pem" "$BASE/key.pem" "$CG/"
	for s in on off none; do
		# The same paths for all; no mod_cgid: its daemon, a fork of the
		# server, would outlive it.
		sed "s|$BASE/$s|$CG|g; /cgid_module/d; /^ScriptSock/d; /^ScriptAlias/d;
		    s/^MaxKeepAliveRequests.*/MaxKeepAliveRequests 0/" \
		    "$BASE/$s/httpd.conf" >"$CG/$(cg_conf $s)"
	done
	for scheme in http https; do
		for s in on off none; do
			use "$s"
			base=$(cg_total $s $scheme 1)
			meas=$(cg_total $s $scheme $((CG_REQS + 1)))
			set -- $base $meas
			per=$(echo "$1 $3" | awk 'NF == 2 { printf "%.0f", ($2 - $1) / '"$CG_REQS"' }')
			[ -n "$per" ] || ma_fail "callgrind run failed ($s $scheme: $base / $meas)"
			own=$(echo "${2:-0} ${4:-0}" | awk '{ printf "%.0f", ($2 - $1) / '"$CG_REQS"' }')
			eval "ir_$s=$per own_$s=$own"
			printf '  %-5s %-5s %9d instructions/request, %4d in mod_migstate'"'"'s own functions\n' \
			    "$s" "$scheme" "$per" "$own"
		done
		awk -v k=$scheme -v a="$ir_on" -v b="$ir_off" -v c="$ir_none" -v o="$own_on" 'BEGIN {
			printf "  %-5s on - none %+d (on/none %.4f), on - off %+d (%.2f%% of none), off - none %+d\n",
			    k, a - c, a / c, a - b, (a - b) * 100 / c, b - c
			printf "  %-5s the module'"'"'s own functions: %d instructions/request, %.2f%% of none" \
			    " (exact; the totals above also move with timers and alignment)\n", k, o, o * 100 / c }'
		# Apache's user space is only part of its CPU time (the kernel's
		# TCP and epoll work is the rest): scale by the share measured.
		eval "share=\${usr_share_$scheme:-}"
		[ -z "$share" ] || awk -v k=$scheme -v a="$ir_on" -v c="$ir_none" -v u="$share" 'BEGIN {
			printf "  %-5s user space is %.1f%% of the server'"'"'s CPU time (wrk, none): the module'"'"'s share" \
			    " of the server'"'"'s CPU per request is about %.2f%% (on - none)\n", k, u * 100, (a - c) * 100 / c * u }'
	done
}

[ "${WRK:-1}" = 1 ] && wrk_bench
if [ "${CALLGRIND:-1}" = 1 ] && command -v valgrind >/dev/null; then
	for s in on off none; do use "$s"; ma_stop >/dev/null 2>&1; done
	cg_bench
fi
exit 0
