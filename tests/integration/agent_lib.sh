# agent_lib.sh - shared by the agent_*.sh integration tests (sourced, not a
# test itself): a temporary folder, testbridge driven through a fifo,
# migstate-agent in the foreground, and clean-up of everything started.
B=${B:-build}
AGENT=$B/guest-agent/migstate-agent
TB=$B/tests/tools/testbridge
SHMW=$B/tests/tools/shmwriter
for f in "$AGENT" "$TB" "$SHMW"; do
	[ -x "$f" ] || { echo "FAIL: $f not built (make B=$B all)"; exit 1; }
done

T=$(mktemp -d)
SOCK=$T/agents.sock
APID= TBPID= KIDS=

cleanup() {
	exec 3>&- 2>/dev/null
	for p in $APID $TBPID $KIDS; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*"
	echo "--- testbridge output (last 40 lines)"; tail -n 40 "$T/tb.out" 2>/dev/null
	echo "--- agent log (last 40 lines)"; tail -n 40 "$T/agent.log" 2>/dev/null
	exit 1
}

# wait_for FILE PATTERN [COUNT] [SECONDS]: until FILE has COUNT lines
# matching the extended regex PATTERN (a generous bound only to not hang).
wait_for() {
	_n=${3:-1} _t=$(( ${4:-10} * 20 ))
	# A missing file counts as no match (grep prints nothing then).
	while [ "$(grep -cE -- "$2" "$1" 2>/dev/null || true)" -lt "$_n" ] 2>/dev/null ||
	    [ ! -e "$1" ]; do
		_t=$((_t - 1))
		[ $_t -gt 0 ] || fail "timed out waiting for $_n x '$2' in $(basename "$1")"
		sleep 0.05
	done
}

count() { grep -cE -- "$2" "$1" 2>/dev/null; }

# field LINE NAME: the value of NAME=... in a testbridge line.
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# start_bridge [testbridge options]: testbridge on $SOCK, commands on fd 3.
start_bridge() {
	rm -f "$T/tb.in"; mkfifo "$T/tb.in"
	"$TB" "$@" "$SOCK" < "$T/tb.in" >> "$T/tb.out" 2>&1 &
	TBPID=$!
	exec 3> "$T/tb.in"
}

stop_bridge() {
	kill -9 "$TBPID" 2>/dev/null; wait "$TBPID" 2>/dev/null
	exec 3>&-
	TBPID=
}

bridge() { echo "$*" >&3; }

# write_conf [extra [agent] lines...]: $T/agent.conf for unix mode, domid 7.
write_conf() {
	{
		echo "[agent]"
		echo "name = guest1"
		echo "domid = 7"
		echo "uplink = unix"
		echo "socket = $SOCK"
		echo "reconnect_max = 200ms"
		for l in "$@"; do echo "$l"; done
		echo "[apache]"
		echo "shm = $T/shm"
	} > "$T/agent.conf"
}

start_agent() {
	"$AGENT" -d -v -f "$T/agent.conf" 2>> "$T/agent.log" &
	APID=$!
}

agent_alive() { kill -0 "$APID" 2>/dev/null || fail "the agent died"; }

# last_state: the last "state" line testbridge printed.
last_state() { grep '^state ' "$T/tb.out" | tail -n 1; }
