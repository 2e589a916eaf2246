#!/bin/sh
# agent_shm.sh - the mod_migstate source through the whole agent: forked
# writer "children" claim slots; one killed with SIGKILL (its slot keeps its
# pid and counts, as when an Apache child crashes) vanishes from the STATE
# at the next pid check (heartbeat); a missing, corrupted or truncated file
# is logged and re-tried, and a re-created one is followed.
. "$(dirname "$0")/agent_lib.sh"

write_conf "heartbeat = 500ms"
start_bridge
wait_for "$T/tb.out" '^listening'
start_agent
# No file yet: not an error, zeroes.
wait_for "$T/agent.log" 'no such file yet, re-trying every second'
wait_for "$T/tb.out" '^state .* total=0 '

"$SHMW" create "$T/shm" 32 || fail "shmwriter create"
# child REASON COUNT: a writer process holding one slot; its pid in $kid.
child() {
	"$SHMW" child "$T/shm" "$1" "$2" > "$T/child.$1.$2" &
	kid=$!
	KIDS="$KIDS $kid"
	wait_for "$T/child.$1.$2" '^ready'
}
child 1 2; k1=$kid
child 1 3; k2=$kid
child 6 5; k3=$kid
child 2 1
wait_for "$T/tb.out" '^state .* total=11 unsuitable=6 .*reading=5 processing=1 .*idle=5 ' 1 10

# A child dies hard: its counts disappear at the next pid check.
kill -9 "$k2"
wait_for "$T/tb.out" '^state .* total=8 unsuitable=3 .*reading=2 ' 1 10
kill -9 "$k1" "$k3"
wait_for "$T/tb.out" '^state .* total=1 unsuitable=1 .*processing=1 ' 1 10

# Corrupted: one clear line, zeroes, re-tried.
# (a new file, as after an Apache restart, with a broken header)
cp "$T/shm" "$T/shm.bad"
"$SHMW" corrupt "$T/shm.bad"
mv "$T/shm.bad" "$T/shm"
wait_for "$T/agent.log" 'rejected: bad magic' 1 10
wait_for "$T/tb.out" '^state .* total=0 ' 2 10
sleep 2		# re-tried every second, logged once
[ "$(count "$T/agent.log" 'rejected: bad magic')" -eq 1 ] || fail "bad magic logged more than once"

# Re-created valid: followed.
"$SHMW" create "$T/shm" 8
child 4 2
wait_for "$T/tb.out" '^state .* total=2 .*handshake=2 ' 1 10

# Truncated under the reader: rejected with a clear line, zeroes.
"$SHMW" truncate "$T/shm" 100
wait_for "$T/agent.log" 'rejected while reading: file truncated' 1 10
n=$(count "$T/tb.out" '^state .* total=0 ')
wait_for "$T/tb.out" '^state .* total=0 ' $((n + 1)) 10
agent_alive
echo "PASS"
