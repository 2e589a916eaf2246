# common.sh - shared by demo.sh, tests/integration/demo_short.sh and
# tests/bench/bench-demo.sh (sourced; needs B and DEMO_SRC = tests/demo).
# Builds the "guest" (namespace, Apache with mod_ssl and mod_migstate,
# migstate-agent, all inside one freezer cgroup), the clients' namespace,
# and migbridge in Dom-0; runs one migration with migload running.
#
# Every resource carries the run's id (the shell's pid) in its name, and
# demo_cleanup (install it with trap) removes exactly those.

: "${B:=build}"
: "${DEMO_SRC:=tests/demo}"
DEMO_ID=${DEMO_ID:-$$}
DEMO_G=migg$DEMO_ID
DEMO_C=migc$DEMO_ID
DEMO_GADDR=10.200.0.1
DEMO_PORT=443
MIGLOAD=$B/tests/migload/migload
MOD_MIGSTATE=$B/mod_migstate/mod_migstate.so
AGENT=$B/guest-agent/migstate-agent
[ -x "$AGENT" ] || [ ! -x "$B/migstate-agent" ] || AGENT=$B/migstate-agent
BRIDGE=$B/dom0-bridge/migbridge
BRIDGE_CTL=$B/dom0-bridge/migbridge-ctl
HOOK=$B/dom0-bridge/libmigstate-precopy.so
SAVEDRIVER=$B/tests/harness/savedriver
. "$DEMO_SRC/netns.sh"

demo_log() {
	echo "[$(date +%H:%M:%S)] $*" >&2
}

demo_ms() {
	date +%s%3N
}

# Skip (77) or fail with a reason; the last line says why.
demo_skip() {
	echo "SKIP: $*"
	exit 77
}

# The facilities the demo needs; prints what is missing, returns 1 if any.
demo_check_env() {
	miss=
	[ "$(id -u)" = 0 ] || miss="$miss root"
	for t in ip nft apache2 openssl; do
		command -v $t >/dev/null 2>&1 || miss="$miss $t"
	done
	[ -x "$MIGLOAD" ] || miss="$miss $MIGLOAD"
	[ -n "$miss" ] && { echo "missing:$miss"; return 1; }
	return 0
}

# The migstate parts present in $B: prints the missing ones.
demo_missing_parts() {
	for f in "$MOD_MIGSTATE" "$AGENT" "$BRIDGE" "$BRIDGE_CTL" "$HOOK" "$SAVEDRIVER"; do
		[ -e "$f" ] || printf ' %s' "$f"
	done
}

# Make the run's folder tree under $DEMO_DIR (which must exist).
demo_tree() {
	mkdir -p "$DEMO_DIR/run" "$DEMO_DIR/logs" "$DEMO_DIR/htdocs" "$DEMO_DIR/xs" \
	    "$DEMO_DIR/out" || return 1
	chmod 755 "$DEMO_DIR" "$DEMO_DIR/htdocs"
	"$MIGLOAD" --make-fileset "$DEMO_DIR/htdocs" || return 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	    -keyout "$DEMO_DIR/key.pem" -out "$DEMO_DIR/cert.pem" -days 2 \
	    -subj /CN=guest >/dev/null 2>&1
}

# httpd.conf from the template; $1 = 1 to load mod_migstate.
demo_apache_conf() {
	if [ "$1" = 1 ]; then
		ms="LoadModule migstate_module $(readlink -f "$MOD_MIGSTATE")\\
MigState On\\
MigStateShmFile $DEMO_DIR/run/migstate.shm\\
MigStateLargeTransfer ${DEMO_LARGE:-4194304}"
	else
		ms="# mod_migstate not loaded"
	fi
	user=www-data
	id "$user" >/dev/null 2>&1 || user=nobody
	group=$(id -gn "$user")
	sed -e "s|@DIR@|$DEMO_DIR|g" -e "s|@USER@|$user|g" -e "s|@GROUP@|$group|g" \
	    -e "s|@MODDIR@|/usr/lib/apache2/modules|g" -e "s|@ADDR@|$DEMO_GADDR|g" \
	    -e "s|@PORT@|$DEMO_PORT|g" -e "s|@KEEPALIVE@|${DEMO_KEEPALIVE:-15}|g" \
	    -e "s|@SNDBUF@|${DEMO_SNDBUF:-8192}|g" -e "s|@MIGSTATE@|$ms|" \
	    "$DEMO_SRC/apache.conf.in" >"$DEMO_DIR/httpd.conf"
	chown "$user" "$DEMO_DIR/logs"
}

demo_pause() {
	PAUSE_NAME=migdemo$DEMO_ID PAUSE_NETNS=$DEMO_G PAUSE_IF=$(netns_ifname "$DEMO_G") \
	    PAUSE_LOG=${PAUSE_LOG:-$DEMO_DIR/out/pause.log} sh "$DEMO_SRC/pause.sh" "$@"
}

# Namespaces, cgroup, Apache in the guest.  $1: load mod_migstate (0/1).
demo_guest_up() {
	netns_up "$DEMO_G" "$DEMO_C" || return 1
	demo_pause setup || return 1
	demo_apache_conf "$1" || return 1
	demo_pause exec ip netns exec "$DEMO_G" apache2 -f "$DEMO_DIR/httpd.conf" \
	    -k start || { cat "$DEMO_DIR/logs/error.log" >&2; return 1; }
	i=0
	while [ -z "$(ip netns exec "$DEMO_G" ss -Hltn "sport = :$DEMO_PORT" 2>/dev/null)" ]
	do
		i=$((i + 1))
		[ $i -gt 50 ] && { demo_log "Apache did not come up"; return 1; }
		sleep 0.1
	done
}

# POP3 in the guest: dovecot (tests/tools/pop3-guest.sh, plaintext on the
# guest's loopback, user demo/demo, messages of the Support download
# sizes) inside the guest's namespace and cgroup as Apache is, behind the
# agent's TLS proxy ([service pop3s], implicit TLS on DEMO_GADDR:995, the
# demo's certificate).  DEMO_POP3_SESSIONS=0 leaves POP3 out.  Called
# between demo_guest_up and demo_migstate_up.
: "${DEMO_POP3_SESSIONS:=6}"
: "${DEMO_POP3_PORT:=995}"
: "${DEMO_POP3_BACKEND:=1110}"
demo_guest_extra() {
	[ "$DEMO_POP3_SESSIONS" -gt 0 ] || return 0
	command -v dovecot >/dev/null 2>&1 || { demo_log "POP3: dovecot is not installed"; return 1; }
	demo_pause exec ip netns exec "$DEMO_G" sh "$(readlink -f "$DEMO_SRC/../tools/pop3-guest.sh")" \
	    "$DEMO_DIR/pop3" 127.0.0.1 "$DEMO_POP3_BACKEND" >"$DEMO_DIR/logs/dovecot.out" 2>&1 &
	i=0
	until [ -n "$(ip netns exec "$DEMO_G" ss -Hltn "sport = :$DEMO_POP3_BACKEND" 2>/dev/null)" ]
	do
		i=$((i + 1))
		[ $i -gt 300 ] && { demo_log "dovecot did not come up";
		    tail -5 "$DEMO_DIR/logs/dovecot.out" >&2; return 1; }
		sleep 0.1
	done
	DEMO_AGENT_EXTRA="[service pop3s]
listen = $DEMO_GADDR:$DEMO_POP3_PORT
backend = 127.0.0.1:$DEMO_POP3_BACKEND
protocol = pop3
tls = implicit
cert = $DEMO_DIR/cert.pem
key = $DEMO_DIR/key.pem
${DEMO_AGENT_EXTRA:-}"
}

# Remove everything this run made.  Safe to call twice.
demo_cleanup() {
	[ -n "${DEMO_BRIDGE_PID:-}" ] && kill "$DEMO_BRIDGE_PID" 2>/dev/null
	[ -n "${DEMO_TAP_PID:-}" ] && kill "$DEMO_TAP_PID" 2>/dev/null
	[ -n "${DEMO_LOAD_PID:-}" ] && kill "$DEMO_LOAD_PID" 2>/dev/null
	[ -n "${DEMO_POP3_PID:-}" ] && kill "$DEMO_POP3_PID" 2>/dev/null
	demo_pause teardown 2>/dev/null
	netns_down "$DEMO_G" "$DEMO_C"
	[ -n "${DEMO_BRIDGE_PID:-}" ] && wait "$DEMO_BRIDGE_PID" 2>/dev/null
	[ -n "${DEMO_LOAD_PID:-}" ] && wait "$DEMO_LOAD_PID" 2>/dev/null
	[ -n "${DEMO_POP3_PID:-}" ] && wait "$DEMO_POP3_PID" 2>/dev/null
	[ -n "${DEMO_TAP_PID:-}" ] && wait "$DEMO_TAP_PID" 2>/dev/null
	DEMO_BRIDGE_PID= DEMO_LOAD_PID= DEMO_POP3_PID= DEMO_TAP_PID=
	[ -n "${DEMO_KEEP:-}" ] || rm -rf "$DEMO_DIR"
	return 0
}

# ------------------------------------------------------------ migstate parts
DEMO_DOMID=5

# migstate-agent in the guest (namespace and cgroup), migbridge in Dom-0.
demo_migstate_up() {
	cat >"$DEMO_DIR/agent.conf" <<CONF
[agent]
name = demo-guest
domid = $DEMO_DOMID
uplink = unix
socket = $DEMO_DIR/run/tap.sock
xenstore = dir:$DEMO_DIR/xs
poll = 10ms
heartbeat = 1s
# No new domid after this "migration": serve again once thawed.
quiesce_timeout = 1s
[apache]
shm = $DEMO_DIR/run/migstate.shm
${DEMO_AGENT_EXTRA:-}
CONF
	cat >"$DEMO_DIR/bridge.conf" <<CONF
[bridge]
mode = unix
agent_socket = $DEMO_DIR/run/agent.sock
query_socket = $DEMO_DIR/run/query.sock
query_timeout = 20ms
stale_after = 3s
decision_log = $DEMO_DIR/out/decisions.log
[policy]
deadline = ${DEMO_DEADLINE:-30}s
max_iterations = 200
tolerance_cap = 16
deferrals_per_step = 4
enabled = yes
CONF
	demo_bridge_start || return 1
	demo_tap_start || return 1
	demo_pause exec ip netns exec "$DEMO_G" "$(readlink -f "$AGENT")" -d \
	    -f "$DEMO_DIR/agent.conf" >"$DEMO_DIR/logs/agent.log" 2>&1 &
	i=0
	until "$BRIDGE_CTL" -s "$DEMO_DIR/run/query.sock" status 2>/dev/null |
	    grep -q "$DEMO_DOMID"; do
		i=$((i + 1))
		[ $i -gt 100 ] && { demo_log "the agent did not reach migbridge";
		    tail -5 "$DEMO_DIR/logs/agent.log" "$DEMO_DIR/logs/bridge.log" >&2;
		    return 1; }
		sleep 0.1
	done
}

demo_bridge_start() {
	"$BRIDGE" -d -f "$DEMO_DIR/bridge.conf" >>"$DEMO_DIR/logs/bridge.log" 2>&1 &
	DEMO_BRIDGE_PID=$!
	i=0
	until [ -S "$DEMO_DIR/run/query.sock" ]; do
		i=$((i + 1))
		[ $i -gt 50 ] && { demo_log "migbridge did not start";
		    tail -5 "$DEMO_DIR/logs/bridge.log" >&2; return 1; }
		sleep 0.1
	done
}

# uptap.py between the agent and migbridge: every byte passed unchanged,
# the agent's per-protocol STATE records logged to out/states.log (the
# POP3 rows of the table; migbridge-ctl shows only their sum).
demo_tap_start() {
	python3 "$DEMO_SRC/uptap.py" "$DEMO_DIR/run/tap.sock" "$DEMO_DIR/run/agent.sock" \
	    "$DEMO_DIR/out/states.log" 2>>"$DEMO_DIR/logs/uptap.log" &
	DEMO_TAP_PID=$!
	i=0
	until [ -S "$DEMO_DIR/run/tap.sock" ]; do
		i=$((i + 1))
		[ $i -gt 50 ] && { demo_log "uptap did not start"; return 1; }
		sleep 0.1
	done
}

demo_bridge_stop() {
	[ -n "${DEMO_BRIDGE_PID:-}" ] || return 0
	kill "$DEMO_BRIDGE_PID" 2>/dev/null
	wait "$DEMO_BRIDGE_PID" 2>/dev/null
	DEMO_BRIDGE_PID=
	rm -f "$DEMO_DIR/run/query.sock"
}

# ------------------------------------------------------------ one run
# Workload and model knobs (demo defaults; bench-demo.sh sets its own).
: "${DEMO_SESSIONS:=60}"
: "${DEMO_THINK:=5}"
: "${DEMO_WARMUP:=8}"
: "${DEMO_COOLDOWN:=6}"
: "${DEMO_PAGES:=131072}"
: "${DEMO_HOT_PAGES:=12288}"
: "${DEMO_DIRTY_RATE:=20000}"
: "${DEMO_BANDWIDTH:=100000000}"
: "${DEMO_LINE_RATE:=100000}"
: "${DEMO_WINDOW_PAD:=1}"

# POP3 clients: their RETRs read at DEMO_POP3_RATE (a mail client on a
# faster line than the Support users'), judged against 99 % and 95 % of it
# (as SPECweb judges downloads against its line rate).
: "${DEMO_POP3_RATE:=1000000}"

# demo_run POLICY OUT SEED: migload in the clients' namespace (HTTPS, and
# a second migload for POP3 unless DEMO_POP3_SESSIONS=0; DEMO_CLIENTS_EXTRA,
# a command, runs there beside them), then one
# migration under POLICY (stock: the harness alone; migstate: the hook
# preloaded).  Leaves in OUT: load.csv, load.txt, pop3.csv, pop3.txt,
# harness.txt, pause.log, decisions.log and states.log (this run's
# lines), window (ms "start end").
demo_run() {
	pol=$1 out=$2 seed=$3
	mkdir -p "$out"
	dl0=$(cat "$DEMO_DIR/out/decisions.log" 2>/dev/null | wc -l)
	sl0=$(cat "$DEMO_DIR/out/states.log" 2>/dev/null | wc -l)
	ip netns exec "$DEMO_C" "$(readlink -f "$MIGLOAD")" -u "https://$DEMO_GADDR:$DEMO_PORT/" \
	    -k -c "$DEMO_SESSIONS" -d 0 -s "$seed" --think-mean "$DEMO_THINK" \
	    --ramp "$DEMO_THINK" --line-rate "$DEMO_LINE_RATE" --rcvbuf "${DEMO_RCVBUF:-8192}" \
	    --progress "${DEMO_PROGRESS:-10}" --csv "$out/load.csv" \
	    --window-file "$out/window" ${DEMO_MIGLOAD_ARGS:-} >"$out/load.txt" \
	    2>"$out/load.err" &
	DEMO_LOAD_PID=$!
	if [ "$DEMO_POP3_SESSIONS" -gt 0 ]; then
		ip netns exec "$DEMO_C" "$(readlink -f "$MIGLOAD")" \
		    -u "pop3s://demo:demo@$DEMO_GADDR:$DEMO_POP3_PORT" -k \
		    -c "$DEMO_POP3_SESSIONS" -d 0 -s "$seed" --think-mean "$DEMO_THINK" \
		    --ramp "$DEMO_THINK" --line-rate "$DEMO_POP3_RATE" --page-rate 0 \
		    --download-good "$(awk "BEGIN{print $DEMO_POP3_RATE * 0.99}")" \
		    --download-tolerable "$(awk "BEGIN{print $DEMO_POP3_RATE * 0.95}")" \
		    --rcvbuf "${DEMO_RCVBUF:-8192}" --progress "${DEMO_PROGRESS:-10}" \
		    --csv "$out/pop3.csv" --window-file "$out/window" ${DEMO_POP3_ARGS:-} \
		    >"$out/pop3.txt" 2>"$out/pop3.err" &
		DEMO_POP3_PID=$!
	fi
	xpid=
	if [ -n "${DEMO_CLIENTS_EXTRA:-}" ]; then
		ip netns exec "$DEMO_C" sh -c "$DEMO_CLIENTS_EXTRA" >"$out/extra.log" 2>&1 &
		xpid=$!
	fi
	sleep "$DEMO_WARMUP"
	demo_migrate "$pol" "$out"
	sleep "$DEMO_COOLDOWN"
	demo_window "$out"
	kill -TERM "$DEMO_LOAD_PID" ${DEMO_POP3_PID:-} $xpid 2>/dev/null
	wait "$DEMO_LOAD_PID" ${DEMO_POP3_PID:-} $xpid
	DEMO_LOAD_PID= DEMO_POP3_PID=
	tail -n +$((dl0 + 1)) "$DEMO_DIR/out/decisions.log" 2>/dev/null >"$out/decisions.log"
	tail -n +$((sl0 + 1)) "$DEMO_DIR/out/states.log" 2>/dev/null >"$out/states.log"
}

# The migration itself: the harness's savedriver, the pause as its
# suspend (freeze) and resume (thaw) commands.
demo_migrate() {
	pol=$1 out=$2
	pz="PAUSE_NAME=migdemo$DEMO_ID PAUSE_NETNS=$DEMO_G PAUSE_IF=$(netns_ifname "$DEMO_G")"
	pz="$pz PAUSE_LOG=$out/pause.log sh $(readlink -f "$DEMO_SRC/pause.sh")"
	# What migbridge holds at the stop (both policies), then the pause.
	snap="$(readlink -f "$BRIDGE_CTL") -s $DEMO_DIR/run/query.sock --json status"
	snap="$snap >$out/stop-state.json 2>&1"
	set -- env MIGHARNESS_PAGES="$DEMO_PAGES" MIGHARNESS_HOT_PAGES="$DEMO_HOT_PAGES" \
	    MIGHARNESS_DIRTY_RATE="$DEMO_DIRTY_RATE" MIGHARNESS_BANDWIDTH="$DEMO_BANDWIDTH" \
	    MIGHARNESS_CLOCK=real MIGHARNESS_REPORT="$out/harness.txt" \
	    MIGHARNESS_SUSPEND_CMD="$snap; $pz freeze${DEMO_SUSPEND_EXTRA:+; $DEMO_SUSPEND_EXTRA}" \
	    MIGHARNESS_RESUME_CMD="$pz thaw"
	if [ "$pol" = migstate ]; then
		set -- "$@" LD_PRELOAD="$(readlink -f "$HOOK")" \
		    MIGSTATE_QUERY_SOCKET="$DEMO_DIR/run/query.sock" \
		    MIGSTATE_XS="dir:$DEMO_DIR/xs" MIGSTATE_DEADLINE_S="${DEMO_DEADLINE:-30}"
	fi
	demo_log "$pol: migrating ($(awk "BEGIN{printf \"%.0f\", $DEMO_PAGES*4/1024}") MiB" \
	    "at $(awk "BEGIN{printf \"%.0f\", $DEMO_BANDWIDTH/1e6}") Mbps)"
	"$@" "$SAVEDRIVER" "$DEMO_DOMID" 2>"$out/savedriver.err" ||
	    demo_log "$pol: savedriver failed: $(tail -1 "$out/savedriver.err")"
}

# The QoS window: from the freeze to the thaw, padded.
demo_window() {
	awk -v pad="$DEMO_WINDOW_PAD" '$1=="freeze"{a=$2} $1=="thawed"{b=$2}
	    END { if (a && b) printf "%.0f %.0f\n", a - pad*1000, b + pad*1000 }' \
	    "$1/pause.log" >"$1/window"
}
