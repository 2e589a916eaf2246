#!/bin/sh
# agent_uplink.sh - migstate-agent and a test Dom-0 (testbridge) over the
# unix uplink: HELLO and version negotiation, STATE pushed on a change,
# heartbeat, QUERY answered at once with the nonce echoed and fresh counts,
# MIGRATION, and a bridge with no common version.
. "$(dirname "$0")/agent_lib.sh"

"$SHMW" create "$T/shm" 16 || fail "shmwriter create"
# poll 1s: a QUERY's answer can only be fresh because of the QUERY.
write_conf "poll = 1s" "heartbeat = 2s"
start_bridge
wait_for "$T/tb.out" '^listening'
start_agent

# HELLO: our version range, the configured domid and name.
wait_for "$T/tb.out" '^hello '
h=$(grep '^hello ' "$T/tb.out" | head -n 1)
[ "$(field "$h" version)" = 1 ] || fail "negotiated version: $h"
[ "$(field "$h" domid)" = 7 ] || fail "domid: $h"
[ "$(field "$h" name)" = guest1 ] || fail "name: $h"
[ "$(field "$h" caps)" = 3 ] || fail "caps: $h"
# The first STATE follows at once, with the http record of the apache source.
wait_for "$T/tb.out" '^state seq=1 total=0 .* protos=http '

# A change is pushed (the bound is generous: poll is 1s here).
"$SHMW" set "$T/shm" 0 $$ 1 3
wait_for "$T/tb.out" '^state .* total=3 unsuitable=3 .*reading=3 ' 1 5

# Heartbeat: more STATEs with nothing changing.
n=$(count "$T/tb.out" '^state ')
wait_for "$T/tb.out" '^state ' $((n + 2)) 8
s=$(last_state)
[ "$(field "$s" nonce)" = 0 ] || fail "a heartbeat has nonce 0: $s"

# QUERY: answered at once, nonce echoed, counts read fresh.
"$SHMW" set "$T/shm" 1 $$ 6 5
bridge query 4242
wait_for "$T/tb.out" '^state .* nonce=4242 ' 1 5
q=$(grep 'nonce=4242 ' "$T/tb.out")
[ "$(field "$q" total)" = 8 ] || fail "QUERY answer not fresh: $q"
[ "$(field "$q" idle)" = 5 ] || fail "QUERY answer idle: $q"
[ "$(field "$q" unsuitable)" = 3 ] || fail "QUERY answer unsuitable: $q"

# seq increases by one per STATE.
seqs=$(grep '^state ' "$T/tb.out" | sed 's/^state seq=\([0-9]*\).*/\1/' | tr '\n' ' ')
prev=0
for s in $seqs; do
	[ "$s" -eq $((prev + 1)) ] || fail "seq not consecutive: $seqs"
	prev=$s
done

# MIGRATION 1: STATE flags say detailed, the poll shortens.
bridge migration 1
wait_for "$T/agent.log" 'migration started'
bridge query 5
wait_for "$T/tb.out" '^state .* nonce=5 flags=1 '
bridge migration 0
wait_for "$T/agent.log" 'migration ended'
agent_alive

# A bridge with no common version: the agent says BYE(version) and retries.
stop_bridge
start_bridge -V 2:3
wait_for "$T/tb.out" '^bye reason=version ' 1 10
wait_for "$T/agent.log" 'no common protocol version \(Dom-0 speaks 2-3, we 1-1\)'
agent_alive
# Back to a good bridge: up again.
n=$(count "$T/tb.out" '^hello ')
stop_bridge
start_bridge
wait_for "$T/tb.out" '^hello ' $((n + 1)) 10
agent_alive

# SIGTERM: an orderly BYE.
kill -TERM "$APID"
wait_for "$T/tb.out" '^bye reason=normal '
wait "$APID" || fail "agent exit status $?"
APID=
echo "PASS"
