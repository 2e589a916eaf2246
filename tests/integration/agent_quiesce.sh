#!/bin/sh
# agent_quiesce.sh - the quiesce handshake (ARCHITECTURE.md, "The vchan
# across a migration"; docs/quiesce.md) run for real: the agent on the unix
# uplink with xenstore = dir:PATH, this script playing the precopy hook and
# the toolstack by writing the keys.
#   quiesce=1           -> a last STATE, BYE(quiesce), channel closed, state=quiesced
#   quiesce=0           -> a new HELLO, state=serving
#   domid change, open  -> warning (no hook), old channel dropped, new HELLO
#   quiesce=1, domid    -> quiesced, then resumed under the new domid
#   quiesce=1, nothing  -> re-served after quiesce_timeout
. "$(dirname "$0")/agent_lib.sh"

XS=$T/xs
HOME7=$XS/local/domain/7
"$SHMW" create "$T/shm" 16 || fail "shmwriter create"
"$SHMW" set "$T/shm" 0 $$ 2 1
write_conf "xenstore = dir:$XS" "quiesce_timeout = 2s"
start_bridge
wait_for "$T/tb.out" '^listening'
start_agent
wait_for "$T/tb.out" '^state .* processing=1 '

key() { cat "$HOME7/data/migbridge/$1" 2>/dev/null; }
# wait_key NAME VALUE
wait_key() {
	t=200
	while [ "$(key "$1")" != "$2" ]; do
		t=$((t - 1)); [ $t -gt 0 ] || fail "key $1 is '$(key "$1")', not '$2'"
		sleep 0.05
	done
}
wait_key quiesce 0
wait_key state serving

# 1. quiesce = 1: last STATE, BYE(quiesce), closed, state = quiesced.
"$SHMW" set "$T/shm" 1 $$ 2 1	# a change just before: the last STATE has it
ns=$(count "$T/tb.out" '^state ')
nh=$(count "$T/tb.out" '^hello ')
printf 1 > "$HOME7/data/migbridge/quiesce"
wait_key state quiesced
wait_for "$T/tb.out" '^bye reason=quiesce ' 1
wait_for "$T/tb.out" '^disconnected' 1
tail -n 3 "$T/tb.out" | head -n 1 | grep -q '^state .* processing=2 ' ||
	fail "no last STATE with the current counts before BYE"
[ "$(count "$T/tb.out" '^state ')" -gt "$ns" ] || fail "no last STATE"
# Quiesced: no reconnection.
sleep 1
[ "$(count "$T/tb.out" '^hello ')" -eq "$nh" ] || fail "reconnected while quiesced"

# 2. quiesce = 0 (the migration failed): serving again, same domid.
printf 0 > "$HOME7/data/migbridge/quiesce"
wait_for "$T/tb.out" '^hello .* domid=7 ' $((nh + 1))
wait_key state serving
wait_for "$T/agent.log" 'quiesce cleared: serving again'

# 3. domid changes with the channel open: a host without the hook.
nh=$(count "$T/tb.out" '^hello ')
printf 8 > "$HOME7/domid"
wait_for "$T/agent.log" 'now domain 8 with the uplink still open: the host lacks migstate.s precopy hook'
wait_for "$T/tb.out" '^hello .* domid=8 ' 1
wait_key state serving
wait_key quiesce 0
agent_alive

# 4. A migration with the hook: quiesce, then the domid changes (resume).
nh=$(count "$T/tb.out" '^hello ')
printf 1 > "$HOME7/data/migbridge/quiesce"
wait_key state quiesced
wait_for "$T/tb.out" '^bye reason=quiesce ' 2
printf 9 > "$HOME7/domid"
wait_for "$T/agent.log" 'domain 8: resumed as domain 9 after migration'
wait_for "$T/tb.out" '^hello .* domid=9 ' 1
wait_key state serving
wait_key quiesce 0

# 5. Quiesced and nothing happens: re-served after quiesce_timeout (2s).
printf 1 > "$HOME7/data/migbridge/quiesce"
wait_key state quiesced
nh=$(count "$T/tb.out" '^hello ')
wait_for "$T/agent.log" 'neither resumed nor cleared within the quiesce timeout' 1 10
wait_for "$T/tb.out" '^hello ' $((nh + 1))
wait_key state serving
wait_key quiesce 0
# The counts still flow.
"$SHMW" set "$T/shm" 3 $$ 2 1
wait_for "$T/tb.out" '^state .* processing=3 '
agent_alive

# An orderly stop removes the keys: the hook finds no agent to wait for.
kill -TERM "$APID"
wait "$APID"
APID=
[ -e "$HOME7/data/migbridge/state" ] && fail "state key left behind"
echo "PASS"
