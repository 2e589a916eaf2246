#!/bin/sh
# agent_reconnect.sh - the uplink comes back, again and again: the bridge
# process goes away and comes back 10 times (a stale socket file in
# between), then the socket path is removed and re-created 10 times.  Each
# time the agent reconnects with a new HELLO and its first STATE carries
# the counts as they are now (changed while it was disconnected): no stale
# state; seq keeps increasing.
. "$(dirname "$0")/agent_lib.sh"

"$SHMW" create "$T/shm" 16 || fail "shmwriter create"
write_conf "heartbeat = 500ms"
start_bridge
wait_for "$T/tb.out" '^listening'
start_agent
wait_for "$T/tb.out" '^state '

# first_state: the first STATE after the newest "connected" line, if any.
first_state() {
	awk '/^connected/{st=""} /^state /{if (st=="") st=$0} END{print st}' "$T/tb.out"
}

# check_fresh ROUND N: after the ROUND-th connection, the first STATE has reading=N.
check_fresh() {
	wait_for "$T/tb.out" '^hello ' "$1" 15
	t=100
	while s=$(first_state); [ -z "$s" ]; do
		t=$((t - 1)); [ $t -gt 0 ] || fail "round $1: no STATE after HELLO"
		sleep 0.05
	done
	[ "$(field "$s" reading)" = "$2" ] || fail "round $1: stale first STATE: $s"
	seq=$(field "$s" seq)
	[ "$seq" -gt "$lastseq" ] || fail "round $1: seq $seq after $lastseq"
	lastseq=$seq
}

lastseq=0
round=1
check_fresh 1 0
i=1
while [ $i -le 10 ]; do
	stop_bridge
	# Changed while nobody listens (the socket file stays behind, stale).
	"$SHMW" set "$T/shm" 0 $$ 1 $i
	sleep 0.3
	start_bridge
	round=$((round + 1))
	check_fresh $round $i
	agent_alive
	i=$((i + 1))
done

i=1
while [ $i -le 10 ]; do
	bridge close
	bridge unlisten
	wait_for "$T/tb.out" '^unlistened' $i
	[ -e "$SOCK" ] && fail "socket still there"
	"$SHMW" set "$T/shm" 0 $$ 1 $((100 + i))
	sleep 0.3
	bridge listen
	round=$((round + 1))
	check_fresh $round $((100 + i))
	agent_alive
	i=$((i + 1))
done
# The backoff is capped (reconnect_max = 200ms): retries are logged once
# per outage, not once per attempt.
n=$(count "$T/agent.log" 'cannot open .*re-trying')
[ "$n" -le 20 ] || fail "$n 'cannot open' lines for 20 outages"
echo "PASS ($round connections)"
