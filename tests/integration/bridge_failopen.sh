#!/bin/sh
# Fail open and the bounds: an agent that died (NO_AGENT), an agent that
# stopped talking (STALE, also when asked for a fresh state), the deadline,
# the iteration cap, and gating disabled.
. "$(dirname "$0")/bridge-lib.sh"

write_conf "stale_after = 1s" "query_timeout = 20ms" "[policy]" "deadline = 1s" \
    "max_iterations = 10"
start_bridge
start_agent busy 4 -u 5
start_agent frozen 6 -u 5
wait_line "$T/busy.out" '^hello'
wait_line "$T/frozen.out" '^hello'
busy=$(echo $PIDS | awk '{print $(NF-1)}')
wait_until 5 sh -c "$CTL -s $T/q.sock status | grep -q '2 connected'" || fail "agents"

# Deadline: deferred once, then 1 s later the deadline stops it.
v=$(ctl query 4 --mig 1) || fail "query"
[ "$(field reason "$v")" = defer ] || fail "not deferred: $v"
sleep 1.1
v=$(ctl query 4 --mig 1) || fail "query"
[ "$(field reason "$v")" = deadline ] && [ "$(field verdict "$v")" = stop ] ||
	fail "deadline not applied: $v"

# Iteration cap.
v=$(ctl query 4 --mig 2 --iteration 9) || fail "query"
[ "$(field reason "$v")" = defer ] || fail "below the cap: $v"
v=$(ctl query 4 --mig 2 --iteration 10) || fail "query"
[ "$(field reason "$v")" = iteration_cap ] || fail "cap not applied: $v"

# STALE: the agent is alive (channel open) but sends nothing.
kill -STOP "$AGENT"
sleep 1.3
v=$(ctl query 6 --mig 3) || fail "query"
echo "$v"
[ "$(field reason "$v")" = stale ] && [ "$(field verdict "$v")" = stop ] ||
	fail "stale state not failed open: $v"
# Asked for a fresh state, the frozen agent cannot answer: the cached
# (stale) state is judged after query_timeout; bounded generously here.
t0=$(date +%s%N)
v=$(ctl query 6 --mig 3 --fresh) || fail "query"
t1=$(date +%s%N)
[ "$(field reason "$v")" = stale ] || fail "fresh query to a frozen agent: $v"
[ $(( (t1 - t0) / 1000000 )) -lt 2000 ] || fail "fresh query not bounded"
kill -CONT "$AGENT"

# NO_AGENT: the agent is killed.
kill "$busy"
wait_line "$T/mb.log" 'domain 4: agent channel closed'
v=$(ctl query 4 --mig 4) || fail "query"
[ "$(field reason "$v")" = no_agent ] && [ "$(field verdict "$v")" = stop ] ||
	fail "dead agent not failed open: $v"
v=$(ctl query 99 --mig 4) || fail "query"
[ "$(field reason "$v")" = no_agent ] || fail "unknown domain: $v"
ctl status | grep -q '8 queries (4 fail-open)' || fail "fail-open counter: $(ctl status | head -n 1)"

# Disabled: stock decisions only.
kill "$MBPID"; wait "$MBPID" 2>/dev/null
write_conf "[policy]" "enabled = no"
start_bridge
wait_until 5 sh -c "$CTL -s $T/q.sock status | grep -q '1 connected'" || fail "reconnect"
v=$(ctl query 6 --mig 5) || fail "query"
[ "$(field reason "$v")" = disabled ] && [ "$(field verdict "$v")" = stop ] ||
	fail "disabled: $v"
v=$(ctl query 6 --mig 5 --stock continue) || fail "query"
[ "$(field reason "$v")" = stock_continue ] || fail "disabled, stock continue: $v"
echo "PASS"
