#!/bin/sh
# agent_hostile.sh - a hostile or broken Dom-0: every kind of bad input
# closes the uplink with the reason logged, and the agent re-opens it; it
# never crashes, and the counts it reports stay right.
. "$(dirname "$0")/agent_lib.sh"

"$SHMW" create "$T/shm" 16 || fail "shmwriter create"
"$SHMW" set "$T/shm" 2 $$ 7 4
write_conf
start_bridge
wait_for "$T/tb.out" '^listening'
start_agent
wait_for "$T/tb.out" '^state .* writing_large=4 '

# hostile COMMAND LOG-PATTERN: send it, expect the uplink dropped with the
# reason in the log, and a new HELLO and STATE after it.
hostile() {
	nh=$(count "$T/tb.out" '^hello ')
	nd=$(count "$T/tb.out" '^disconnected')
	bridge "$1"
	wait_for "$T/tb.out" '^disconnected' $((nd + 1))
	wait_for "$T/agent.log" "uplink: $2"
	wait_for "$T/tb.out" '^hello ' $((nh + 1))
	wait_for "$T/tb.out" '^state .* writing_large=4 ' $((nh + 2))
	agent_alive
}

hostile garbage 'frame type 0xdeadbeef \(\?\) not accepted from Dom-0'
hostile oversize 'frame length exceeds'
hostile unknown 'frame type 0x300 \(\?\) not accepted'
hostile badquery 'invalid QUERY'
hostile state 'frame type 0x100 \(STATE\) not accepted'
hostile hello 'second HELLO'
hostile 'bye 2' 'Dom-0 said BYE \(protocol\)'
# The agent tells the bridge why, before closing (for what it can parse).
grep -q '^bye reason=protocol text="invalid QUERY' "$T/tb.out" || fail "no BYE(protocol) sent"

# A bridge that never says HELLO, then sends a QUERY: refused.
stop_bridge
start_bridge -n
wait_for "$T/tb.out" '^connected' 1
n=$(count "$T/tb.out" '^disconnected')
sleep 0.2
bridge query 1
wait_for "$T/agent.log" 'uplink: QUERY before HELLO'
wait_for "$T/tb.out" '^disconnected' $((n + 1))
agent_alive
# Garbage before any HELLO, a burst of it.
bridge hello
wait_for "$T/tb.out" '^state .* writing_large=4 ' 1
i=0
while [ $i -lt 20 ]; do bridge garbage; bridge oversize; i=$((i + 1)); done
sleep 1
agent_alive
bridge hello
n=$(count "$T/tb.out" '^state ')
wait_for "$T/tb.out" '^state ' $((n + 1))
s=$(last_state)
[ "$(field "$s" writing_large)" = 4 ] || fail "counts after the abuse: $s"
echo "PASS"
