#!/bin/sh
# bench-proxy.sh - migstate-agent's TLS-terminating proxy side by side with
# haproxy (mode tcp, one thread, like the agent) and stunnel4, in one run,
# on one machine, in front of the same plaintext backend, with the same
# P-256 certificate:
#   (a) HTTP keep-alive small requests: wrk req/s and p99 latency (a
#       6-byte answer)
#   (b) bulk: a 100 MiB download with curl -k -o /dev/null, MB/s, and the
#       proxy's CPU time per download
#   (c) memory per idle TLS connection: 10,000 connections (handshake done,
#       nothing sent) held to a backend that accepts and holds them; the
#       proxy's VmRSS delta / 10,000 (fewer if ulimit -n cannot be raised)
# (a) and (b) run the three proxies side by side, alternating within each
# round (ROUNDS rounds, median reported), so that a machine whose load
# drifts treats them alike: many short rounds rather than a few long ones,
# and for (a) and (a') also the agent's rate over haproxy's in each round,
# with their median, because on a shared host a round's rate can swing by
# a third with the host's load while the proxies differ by a few percent.
# The backend is nginx (one worker; (a) answered from memory, (b) a file
# sent with sendfile): it needs a few microseconds of CPU a request, so the
# proxies rather than the backend set the rate.  (Apache's event MPM needs
# about three times a proxy's CPU a request here: behind it every proxy
# shows Apache's rate, within the noise.)
# With two or more cores the proxy under test is pinned to the last core
# and the clients (wrk, curl) to the others; nginx runs where the
# scheduler puts it, as a backend in the same guest would.
# (a) and (b) also report each proxy's own CPU time (from
# /proc/PID/schedstat, in nanoseconds), which the clients' share of the
# machine does not blur (stunnel's (b) CPU reads 0: each connection has
# its own thread, gone when it is counted).  A 100 MiB download takes a
# fraction of a second here, so (b) makes BULK_REPS of them per proxy per
# round.  The agent reports to a migbridge (unix mode), which stands for
# Dom-0's and runs on the clients' cores.
#   (a') the same as (a) with each proxy held to the same CPU budget,
#       BUDGET percent of one core (a cgroup's CFS quota, 2 ms in every
#       10 ms at 20 %): then the proxy alone limits the rate, and req/s
#       measures what a proxy serves with that CPU, whatever the clients
#       cost.  Skipped if no cgroup CPU controller can be written.
# Compare the rows with each other, not with other machines.  Env:
# WRK_SECS (3), WRK_CONNS (32), ROUNDS (9), BULK_REPS (2), BUDGET (20),
# IDLE_CONNS (10000), PROXIES ("agent haproxy stunnel"), and AGENT_B, the
# path of another migstate-agent build to run side by side as "agentB"
# (an A/B comparison of two versions of the engine).
B=${B:-build}
. "$(dirname "$0")/lib.sh"
AGENT=$B/guest-agent/migstate-agent
MB=$B/dom0-bridge/migbridge
HOLD="$(dirname "$0")/../tools/holdconns.py"
WRK_SECS=${WRK_SECS:-3}
ROUNDS=${ROUNDS:-9}
BULK_REPS=${BULK_REPS:-2}
BUDGET=${BUDGET:-20}
WRK_CONNS=${WRK_CONNS:-32}
IDLE_CONNS=${IDLE_CONNS:-10000}
PROXIES=${PROXIES:-agent haproxy stunnel}
[ -n "${AGENT_B:-}" ] && PROXIES="$PROXIES agentB"
for f in "$AGENT" "$MB" ${AGENT_B:-}; do
	[ -x "$f" ] || { echo "bench-proxy: $f not built"; exit 1; }
done
for c in nginx haproxy stunnel4 wrk curl openssl python3; do
	command -v $c > /dev/null || { echo "bench-proxy: $c not installed (skipped)"; exit 0; }
done
# Each idle connection costs a proxy two descriptors (client and backend):
# raise the limit as far as allowed, and hold fewer connections if needed.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
NOFILE=$(ulimit -n)
if [ $((IDLE_CONNS * 2 + 600)) -gt "$NOFILE" ]; then
	IDLE_CONNS=$(((NOFILE - 600) / 2))
	echo "bench-proxy: ulimit -n is $NOFILE: (c) holds $IDLE_CONNS connections"
fi
T=$(mktemp -d)
chmod 755 "$T"
PIDS=
CG=
cleanup() {
	for p in $PIDS $PID $PID_agent $PID_agentB $PID_haproxy $PID_stunnel; do kill "$p" 2>/dev/null; done
	sleep 0.5
	wait 2>/dev/null
	[ -n "$CG" ] && rmdir "$CG" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
port() { bench_port; }
up() { bench_up bench-proxy "$1"; }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost \
    -days 2 -keyout "$T/key.pem" -out "$T/cert.pem" > /dev/null 2>&1 || exit 1
cat "$T/cert.pem" "$T/key.pem" > "$T/both.pem"

# The backend: nginx, plaintext, in the foreground (its pid in PIDS).
BP=$(port)
mkdir -p "$T/www"
head -c 104857600 /dev/zero > "$T/www/100m.bin"
cat > "$T/nginx.conf" <<NC
daemon off;
user www-data;
worker_processes 1;
pid $T/nginx.pid;
error_log $T/nginx.err;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  default_type text/plain;
  server {
    listen 127.0.0.1:$BP;
    root $T/www;
    location = /small.txt { return 200 "hello\\n"; }
  }
}
NC
nginx -c "$T/nginx.conf" &
PIDS="$PIDS $!"
up "$BP"
SINK=$(port)
python3 "$HOLD" sink "$SINK" > "$T/sink.out" 2>&1 &
PIDS="$PIDS $!"
up "$SINK"

NCPU=$(nproc)
PIN_PROXY= PIN_LOAD=
if [ "$NCPU" -ge 2 ] && command -v taskset > /dev/null; then
	PIN_PROXY="taskset -c $((NCPU - 1))"
	PIN_LOAD="taskset -c 0-$((NCPU - 2))"
fi

# migbridge: the agent reports as it would in production, to a bridge that
# stands for Dom-0's and so runs off the proxy's core.
printf '[bridge]\nmode = unix\nagent_socket = %s\nquery_socket = %s\n' \
    "$T/agents.sock" "$T/q.sock" > "$T/mb.conf"
$PIN_LOAD "$MB" -d -f "$T/mb.conf" 2> "$T/migbridge.log" &
PIDS="$PIDS $!"

# start NAME BACKEND_PORT: the proxy NAME on a fresh port ($PORT, pid $PID).
start() {
	PORT=$(port)
	case $1 in
	agent*)
		# Each agent its own domain: a second one for the same domain
		# would replace the first at the bridge, over and over.
		_dom=7
		[ "$1" = agentB ] && _dom=8
		cat > "$T/$1.conf" <<-AC
		[agent]
		name = bench-$1
		domid = $_dom
		uplink = unix
		socket = $T/agents.sock
		[service bench]
		listen = 127.0.0.1:$PORT
		backend = 127.0.0.1:$2
		protocol = http
		tls = implicit
		cert = $T/cert.pem
		key = $T/key.pem
		max_connections = $((IDLE_CONNS + 50))
		AC
		_bin=$AGENT
		[ "$1" = agentB ] && _bin=$AGENT_B
		$PIN_PROXY "$_bin" -d -f "$T/$1.conf" 2> "$T/$1.log" &
		PID=$! ;;
	haproxy)
		cat > "$T/haproxy.cfg" <<-HA
		global
		  maxconn $((IDLE_CONNS + 50))
		  nbthread 1
		defaults
		  mode tcp
		  timeout connect 5s
		  timeout client 120s
		  timeout server 120s
		frontend f
		  bind 127.0.0.1:$PORT ssl crt $T/both.pem
		  default_backend b
		backend b
		  server s1 127.0.0.1:$2
		HA
		$PIN_PROXY haproxy -db -f "$T/haproxy.cfg" > "$T/haproxy.log" 2>&1 &
		PID=$! ;;
	stunnel)
		cat > "$T/stunnel.conf" <<-ST
		foreground = yes
		pid =
		[bench]
		accept = 127.0.0.1:$PORT
		connect = 127.0.0.1:$2
		cert = $T/cert.pem
		key = $T/key.pem
		ST
		$PIN_PROXY stunnel4 "$T/stunnel.conf" > "$T/stunnel.log" 2>&1 &
		PID=$! ;;
	esac
	up "$PORT"
}
stop() { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; }
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
cpu_ns() {	# PID: CPU time of all its threads (stunnel's come and go)
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'
}

echo "bench-proxy: $NCPU cores; ${PIN_PROXY:+proxy on cpu $((NCPU - 1)), clients on the rest; }load: $(cut -d' ' -f1-3 /proc/loadavg)"
for p in $PROXIES; do
	start $p "$BP"
	eval "PORT_$p=$PORT PID_$p=$PID"
done
# (a')'s budget: a cgroup with a CFS quota (cgroup v2 cpu.max, or v1).
CG_ROOT=
if [ -f /sys/fs/cgroup/cgroup.controllers ] && grep -qw cpu /sys/fs/cgroup/cgroup.controllers &&
    mkdir /sys/fs/cgroup/migbench.$$ 2>/dev/null; then
	CG=/sys/fs/cgroup/migbench.$$ CG_ROOT=/sys/fs/cgroup
	echo "$((BUDGET * 100)) 10000" > "$CG/cpu.max" 2>/dev/null || { rmdir "$CG"; CG=; }
elif [ -f /sys/fs/cgroup/cpu/cpu.cfs_quota_us ] && mkdir /sys/fs/cgroup/cpu/migbench.$$ 2>/dev/null; then
	CG=/sys/fs/cgroup/cpu/migbench.$$ CG_ROOT=/sys/fs/cgroup/cpu
	{ echo 10000 > "$CG/cpu.cfs_period_us" && echo $((BUDGET * 100)) > "$CG/cpu.cfs_quota_us"; } \
	    2>/dev/null || { rmdir "$CG"; CG=; }
fi
[ -n "$CG" ] || echo "bench-proxy: no writable cgroup CPU controller: (a') skipped"
# budget PID on|off: move the proxy (all its threads) into the budget or out.
budget() {
	if [ "$2" = on ]; then echo "$1" > "$CG/cgroup.procs"; else echo "$1" > "$CG_ROOT/cgroup.procs"; fi
}
# small OUT PREFIX NAME: one (a) run against $PORT into OUT; its req/s and
# p99 (ms) appended to PREFIXrps.NAME and PREFIXp99.NAME.
small() {
	$PIN_LOAD wrk -t1 -c"$WRK_CONNS" -d"$WRK_SECS"s --latency \
	    "https://127.0.0.1:$PORT/small.txt" > "$1" 2>&1
	awk '/^Requests\/sec/ { print $2 }' "$1" >> "$T/$2rps.$3"
	awk '$1 == "99%" { print $2 }' "$1" | bench_wrk_us | awk '{ printf "%.2f\n", $1 / 1000 }' >> "$T/$2p99.$3"
}
# (a) and (b): every round visits the three proxies in turn, each round
# starting one further along, so that none always follows the same one.
rotate() { echo "$@" | awk -v k="$R" '{ for (i = 0; i < NF; i++) printf "%s ", $((i + k) % NF + 1) }'; }
for r in $(seq "$ROUNDS"); do
	R=$((r - 1))
	for p in $(rotate $PROXIES); do
		eval "PORT=\$PORT_$p PID=\$PID_$p"
		t0=$(cpu_ns "$PID")
		small "$T/wrk.$p.$r" "" "$p"
		t1=$(cpu_ns "$PID")
		awk -v t=$((t1 - t0)) '/ requests in / {
		    if ($1 > 0) printf "%.1f\n", t / 1000 / $1 }' "$T/wrk.$p.$r" >> "$T/cpu.$p"
		[ -n "$CG" ] || continue
		budget "$PID" on || { echo "bench-proxy: cannot move $p into $CG"; exit 1; }
		small "$T/wrkb.$p.$r" b "$p"
		budget "$PID" off
	done
	for p in $(rotate $PROXIES); do
		eval "PORT=\$PORT_$p PID=\$PID_$p"
		for k in $(seq "$BULK_REPS"); do
			t0=$(cpu_ns "$PID")
			$PIN_LOAD curl -sk -o /dev/null -w '%{speed_download}\n' \
			    "https://127.0.0.1:$PORT/100m.bin" | awk '{ printf "%.0f\n", $1 / 1048576 }' >> "$T/mbs.$p"
			t1=$(cpu_ns "$PID")
			echo $(((t1 - t0) / 1000000)) >> "$T/bcpu.$p"
		done
	done
done
for p in $PROXIES; do
	eval "PID=\$PID_$p"
	stop
	echo "bench-proxy: $p rounds: req/s $(tr '\n' ' ' < "$T/rps.$p")|${CG:+ budget req/s $(tr '\n' ' ' < "$T/brps.$p")|} MB/s $(tr '\n' ' ' < "$T/mbs.$p")"
done

# (c): one proxy at a time in front of the sink.
printf '%-8s %11s %11s %12s %9s %11s %14s\n' proxy "(a) req/s" "(a) p99 ms" "(a) cpu us/r" \
    "(b) MB/s" "(b) cpu ms" "(c) KiB/conn" > "$T/table"
for p in $PROXIES; do
	start $p "$SINK"
	r0=$(rss "$PID")
	rm -f "$T/hold.in"; mkfifo "$T/hold.in"
	python3 "$HOLD" open "$PORT" "$IDLE_CONNS" < "$T/hold.in" > "$T/hold.$p" 2>&1 &
	HPID=$!
	exec 5> "$T/hold.in"
	_i=1200
	until grep -q '^held' "$T/hold.$p"; do
		_i=$((_i - 1)); [ $_i -gt 0 ] || break
		sleep 0.1
	done
	sleep 2
	r1=$(rss "$PID")
	held=$(awk '/^held/ { print $2 }' "$T/hold.$p")
	kib=$(awk -v a="$r0" -v b="$r1" -v n="${held:-0}" 'BEGIN { if (n > 0) printf "%.1f", (b - a) / n; else print "n/a" }')
	exec 5>&-
	wait "$HPID" 2>/dev/null
	stop
	eval "RPS_$p=$(bench_median < "$T/rps.$p") MBS_$p=$(bench_median < "$T/mbs.$p")"
	eval "P99_$p=$(bench_median < "$T/p99.$p")"
	[ -n "$CG" ] && eval "BRPS_$p=$(bench_median < "$T/brps.$p") BP99_$p=$(bench_median < "$T/bp99.$p")"
	printf '%-8s %11s %11s %12s %9s %11s %14s\n' "$p" "$(bench_median < "$T/rps.$p")" \
	    "$(bench_median < "$T/p99.$p")" "$(bench_median < "$T/cpu.$p")" "$(bench_median < "$T/mbs.$p")" \
	    "$(bench_median < "$T/bcpu.$p")" "$kib (${held:-0} held)" >> "$T/table"
done
echo "bench-proxy: medians of $ROUNDS rounds (a: wrk ${WRK_SECS}s, $WRK_CONNS connections;" \
    "b: $BULK_REPS downloads of 100 MiB a round, cpu = the proxy's CPU time per download):"
cat "$T/table"
# verdict WHAT NAME: NAME's median of WHAT against haproxy's; p99 is met
# when at most haproxy's, the others when at least.
verdict() {
	case $1 in
	"(a) req/s") eval "_a=\$RPS_$2 _h=\$RPS_haproxy" ;;
	"(a) p99 ms") eval "_a=\$P99_$2 _h=\$P99_haproxy" ;;
	"(b) MB/s") eval "_a=\$MBS_$2 _h=\$MBS_haproxy" ;;
	*) eval "_a=\$BRPS_$2 _h=\$BRPS_haproxy" ;;
	esac
	awk -v a="$_a" -v h="$_h" -v w="$1" -v n="$2" 'BEGIN {
	    le = (w ~ /p99/); ok = le ? (a + 0 <= h + 0) : (a + 0 >= h + 0)
	    printf "bench-proxy: goal %s %s %s haproxy: %s (%s vs %s, x%.3f)\n", w, n,
		le ? "<=" : ">=", ok ? "met" : "not met", a, h, (h > 0) ? a / h : 0 }'
}
has() { case " $PROXIES " in *" $1 "*) return 0;; esac; return 1; }
has agent && has haproxy || exit 0
# paired NAME FILE WHAT: NAME's figure over haproxy's, round by round (the
# machine's drift cancels within a round), and their median.
paired() {
	paste "$T/$2.$1" "$T/$2.haproxy" | awk '$2 > 0 { printf "%.3f\n", $1 / $2 }' > "$T/ratio"
	echo "bench-proxy: $3 $1/haproxy round by round: $(tr '\n' ' ' < "$T/ratio")(median x$(bench_median < "$T/ratio"))"
}
AGENTS=
for p in agent agentB; do has $p && AGENTS="$AGENTS $p"; done
for p in $AGENTS; do
	paired $p rps "(a) req/s"
	paired $p p99 "(a) p99"
	[ -n "$CG" ] && paired $p brps "(a') req/s"
done
for p in $AGENTS; do
	verdict "(a) req/s" $p
	verdict "(a) p99 ms" $p
	verdict "(b) MB/s" $p
done
[ -n "$CG" ] || exit 0
echo "bench-proxy: (a') each proxy held to $BUDGET % of one core (medians of $ROUNDS rounds):"
printf '%-8s %11s %11s\n' proxy "(a') req/s" "(a') p99 ms"
for p in $PROXIES; do
	eval "printf '%-8s %11s %11s\\n' $p \$BRPS_$p \$BP99_$p"
done
for p in $AGENTS; do
	verdict "(a') req/s at $BUDGET % of a core" $p
done
