# bridge-lib.sh - shared by tests/integration/bridge_*.sh: start migbridge
# and test agents in a temporary folder, wait for what they print, clean up
# every process started.  Sourced, not run.
B=${B:-build}
MB=$B/dom0-bridge/migbridge
CTL=$B/dom0-bridge/migbridge-ctl
TA=$B/tests/tools/testagent
for f in $MB $CTL $TA; do
	[ -x "$f" ] || { echo "$f is not built (make B=$B all)"; exit 1; }
done
T=$(mktemp -d)
PIDS=

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; kill -CONT "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*"
	echo "--- migbridge log (last 40 lines)"
	tail -n 40 "$T/mb.log" 2>/dev/null
	exit 1
}

# write_conf [extra lines for [bridge]]: $T/mb.conf with the sockets in $T.
write_conf() {
	{
		echo "[bridge]"
		echo "agent_socket = $T/agents.sock"
		echo "query_socket = $T/q.sock"
		echo "decision_log = $T/decisions.log"
		for l in "$@"; do echo "$l"; done
	} > "$T/mb.conf"
}

# wait_until SECONDS COMMAND...: poll every 0.05 s; 1 if it never succeeds.
wait_until() {
	_n=$(($1 * 20)); shift
	while [ $_n -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
		_n=$((_n - 1))
	done
	return 1
}

# wait_line FILE REGEX [SECONDS]: until a line of FILE matches.
wait_line() {
	wait_until "${3:-10}" grep -Eq "$2" "$1" || fail "no line matching '$2' in $1"
}

start_bridge() {
	$MB -d -v -f "$T/mb.conf" 2>>"$T/mb.log" &
	MBPID=$!
	PIDS="$PIDS $MBPID"
	wait_until 10 test -S "$T/q.sock" || fail "migbridge did not start"
}

# start_agent NAME DOMID [testagent options]: output in $T/NAME.out, pid in $AGENT.
start_agent() {
	_name=$1 _dom=$2; shift 2
	$TA -s "$T/agents.sock" -D "$_dom" -n "$_name" "$@" >"$T/$_name.out" 2>&1 &
	AGENT=$!
	PIDS="$PIDS $AGENT"
}

ctl() {
	timeout 10 $CTL -s "$T/q.sock" "$@"
}

# field KEY LINE: the value of KEY=value in a key=value line.
field() {
	echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1
}
