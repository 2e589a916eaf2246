# hooklib.sh - sourced by tests/integration/hook_*.sh and
# tests/bench/bench-harness.sh: run libmigstate-precopy.so inside the
# savedriver/libxenguest-harness pair, with migbridge and test agents on
# Unix sockets in a temporary folder.  POSIX sh.
B=${B:-build}
HOOK_SO=$(cd "$B" 2>/dev/null && pwd)/dom0-bridge/libmigstate-precopy.so
DRIVER=$B/tests/harness/savedriver
BINDCHECK=$B/tests/harness/bindcheck
BRIDGE=$B/dom0-bridge/migbridge
AGENT=$B/tests/tools/testagent
PIDS=

fail() { echo "FAIL: $*"; exit 1; }

# Skip (77) unless every file is built.
hook_need() {
	for f; do
		[ -e "$f" ] || { echo "skipped: $f is not built"; exit 77; }
	done
}

hook_cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "$T" ] && rm -rf "$T"
}

hook_init() {
	T=$(mktemp -d) || exit 1
	trap hook_cleanup EXIT
	trap 'exit 1' INT TERM
	# Nothing here may touch the real xenstore.
	MIGSTATE_XS=dir:$T/xs
	MIGSTATE_QUERY_SOCKET=$T/query.sock
	export MIGSTATE_XS MIGSTATE_QUERY_SOCKET
}

# The real clock, a 32 MiB guest over 1 Gbit/s: the first pass takes about
# 0.27 s, later rounds 50-70 ms; stock stops after about 0.5 s.
hook_real_clock() {
	MIGHARNESS_CLOCK=real MIGHARNESS_PAGES=8192 MIGHARNESS_BANDWIDTH=1000000000
	MIGHARNESS_HOT_PAGES=1024 MIGHARNESS_DIRTY_RATE=2000 MIGHARNESS_ROUND_MS=50
	export MIGHARNESS_CLOCK MIGHARNESS_PAGES MIGHARNESS_BANDWIDTH \
	    MIGHARNESS_HOT_PAGES MIGHARNESS_DIRTY_RATE MIGHARNESS_ROUND_MS
}

hook_wait_file() {
	i=0
	while [ ! -e "$1" ]; do
		i=$((i + 1)); [ $i -gt 200 ] && return 1
		sleep 0.05
	done
}

# hook_wait_grep PATTERN FILE: until FILE has a line matching (10 s max).
hook_wait_grep() {
	i=0
	while ! grep -q -- "$1" "$2" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 200 ] && return 1
		sleep 0.05
	done
}

# hook_bridge [DEADLINE]: start migbridge (unix mode) with a fresh config.
hook_bridge() {
	cat >"$T/bridge.conf" <<EOC
[bridge]
mode=unix
agent_socket=$T/agent.sock
query_socket=$T/query.sock
query_timeout=20ms
stale_after=3s
decision_log=$T/decisions.log
[policy]
deadline=${1:-60s}
max_iterations=200
tolerance_cap=16
deferrals_per_step=4
enabled=yes
EOC
	rm -f "$T/query.sock"
	# Each bridge run starts a fresh decision log.
	[ -e "$T/decisions.log" ] && mv "$T/decisions.log" "$T/decisions.log.$(date +%s%N)"
	"$BRIDGE" -d -f "$T/bridge.conf" >>"$T/bridge.out" 2>&1 &
	BRIDGE_PID=$!; PIDS="$PIDS $!"
	hook_wait_file "$T/query.sock" || fail "migbridge did not start: $(cat "$T/bridge.out")"
	hook_wait_file "$T/agent.sock" || fail "migbridge has no agent socket"
}

# hook_agent NAME ARGS...: a test agent in the background, output in
# $T/NAME.out, pid in AGENT_PID.  Waits (3 s at most) until it reports the
# bridge's HELLO, so that the bridge knows its domain.
hook_agent() {
	name=$1; shift
	"$AGENT" -s "$T/agent.sock" "$@" >"$T/$name.out" 2>&1 &
	AGENT_PID=$!; PIDS="$PIDS $!"
	i=0
	while ! grep -q '^hello\|^state' "$T/$name.out" 2>/dev/null && [ $i -lt 60 ]; do
		i=$((i + 1)); sleep 0.05
	done
	kill -0 "$AGENT_PID" 2>/dev/null || fail "test agent $name died: $(cat "$T/$name.out")"
}

# verdicts DOMID: the decision log's verdict lines for a domain.
verdicts() { grep " domid=$1 .*verdict=" "$T/decisions.log" 2>/dev/null; }

# first_defer_wall REPORT: wall time of the first call where the hook
# continued while stock would have stopped ("" if none).
first_defer_wall() {
	grep '^call=.*decision=continue stock=stop' "$1" | head -n 1 |
	    sed 's/.*wall_ms=//'
}

# hook_save DOMID REPORT [DRIVER ARGS...]: one save with the hook preloaded;
# its stderr (the hook's log) is appended to $T/hook.log.  Returns the
# driver's status.
hook_save() {
	dom=$1 rep=$2; shift 2
	LD_PRELOAD=$HOOK_SO MIGHARNESS_REPORT=$rep "$DRIVER" "$@" "$dom" 2>>"$T/hook.log"
}

# hook_stock_save DOMID REPORT [DRIVER ARGS...]: the same without the hook.
hook_stock_save() {
	dom=$1 rep=$2; shift 2
	MIGHARNESS_REPORT=$rep "$DRIVER" "$@" "$dom" 2>>"$T/stock.log"
}

# rget KEY REPORT: a total from a harness report.
rget() { sed -n "s/^$1=//p" "$2" | tail -n 1; }

# The policy calls of a report without their wall-clock stamps.
rcalls() { grep '^call=' "$1" | sed 's/ wall_ms=[0-9]*//'; }

now_ms() { date +%s%3N; }
