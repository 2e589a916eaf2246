#!/bin/sh
# hook_failopen.sh: the hook fails open within one round when (1) the agent
# dies while the stop is deferred (migbridge answers no_agent/stale),
# (2) migbridge dies, (3) migbridge freezes (no answer within the hook's
# query timeout).  Real clock; the agent is always unsuitable.
. tests/harness/hooklib.sh
hook_need "$DRIVER" "$HOOK_SO" "$BRIDGE" "$AGENT"
hook_init
hook_real_clock

# calls_after REPORT MS: continue-while-stock-stops calls after MS.
calls_after() {
	grep '^call=.*decision=continue stock=stop' "$1" |
	    sed 's/.*wall_ms=//' | awk -v t="$2" '$1 > t' | wc -l
}

# (1) agent killed
hook_bridge 60s
hook_agent a5 -D 5 -u 40
hook_save 5 "$T/r1" & save=$!; PIDS="$PIDS $save"
sleep 1.5
k=$(now_ms); kill "$AGENT_PID"
wait $save || fail "save 1 failed"
verdicts 5 >"$T/v1"
tail -n 1 "$T/v1" | grep -q 'verdict=stop reason=\(no_agent\|stale\) ' ||
    fail "agent gone: not a fail-open stop: $(tail -n 1 "$T/v1")"
late=$(sed 's/^t=\([0-9]*\) .*verdict=continue.*/\1/;t;d' "$T/v1" | awk -v t="$k" '$1 > t' | wc -l)
echo "agent killed: $late deferral(s) after the kill"
[ "$late" -le 1 ] || fail "$late deferrals after the agent died"
[ "$(grep -c 'verdict=continue' "$T/v1")" -ge 1 ] || fail "nothing deferred before the kill"
kill "$BRIDGE_PID"; sleep 0.2

# (2) migbridge killed
hook_bridge 60s
hook_agent b5 -D 5 -u 40
hook_save 5 "$T/r2" & save=$!; PIDS="$PIDS $save"
sleep 1.5
k=$(now_ms); kill "$BRIDGE_PID"
wait $save || fail "save 2 failed"
late=$(calls_after "$T/r2" "$k")
echo "bridge killed: $late hook continuation(s) after the kill"
[ "$late" -le 1 ] || fail "$late continuations after migbridge died"
grep -q 'fail open\|unreachable' "$T/hook.log" || fail "no fail-open line"
[ "$(rget result "$T/r2")" = 0 ] || fail "save 2 did not complete"
kill "$AGENT_PID" 2>/dev/null; sleep 0.2

# (3) migbridge frozen: connects, never answers
hook_bridge 60s
hook_agent c5 -D 5 -u 40
hook_save 5 "$T/r3" & save=$!; PIDS="$PIDS $save"
sleep 1.5
k=$(now_ms); kill -STOP "$BRIDGE_PID"
wait $save; rc=$?
kill -CONT "$BRIDGE_PID"
[ $rc = 0 ] || fail "save 3 failed"
late=$(calls_after "$T/r3" "$k")
echo "bridge frozen: $late hook continuation(s) after the freeze"
[ "$late" -le 1 ] || fail "$late continuations after migbridge froze"
grep -q 'no answer in time; stock decision (fail open)' "$T/hook.log" ||
    fail "no timeout line: $(tail -n 5 "$T/hook.log")"
echo "PASS"
