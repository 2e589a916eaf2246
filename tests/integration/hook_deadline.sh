#!/bin/sh
# hook_deadline.sh: an agent that is always unsuitable.  (1) migbridge's
# deadline (3 s) stops the migration: the stop verdict says "deadline" and
# comes no earlier than 3 s after the first deferral, and not much later.
# (2) With a lax bridge (60 s), the hook's own bound (MIGSTATE_DEADLINE_S=1)
# stops it without asking.  Real clock.
. tests/harness/hooklib.sh
hook_need "$DRIVER" "$HOOK_SO" "$BRIDGE" "$AGENT"
hook_init
hook_real_clock

# (1) the bridge's deadline
hook_bridge 3s
hook_agent a5 -D 5 -u 40
hook_save 5 "$T/r1" || fail "save 1 failed"
verdicts 5 >"$T/v1"
tail -n 1 "$T/v1" | grep -q 'verdict=stop reason=deadline ' || fail "not stopped by the deadline: $(tail -n 1 "$T/v1")"
! grep -q 'verdict=stop reason=suitable' "$T/v1" || fail "stopped as suitable"
f=$(first_defer_wall "$T/r1") s=$(rget stop_wall_ms "$T/r1")
[ -n "$f" ] || fail "no deferral"
d=$((s - f))
echo "bridge deadline 3 s: stop after $d ms of deferral, $(rget iterations "$T/r1") rounds"
[ $d -ge 2900 ] || fail "stopped $d ms after the first deferral, before the deadline"
[ $d -le 4500 ] || fail "stopped $d ms after the first deferral, long after the deadline"
! grep -q 'hook deadline' "$T/hook.log" || fail "the hook's own bound fired"
kill "$BRIDGE_PID" "$AGENT_PID"; sleep 0.2

# (2) the hook's own bound
hook_bridge 60s
hook_agent b5 -D 5 -u 40
MIGSTATE_DEADLINE_S=1 hook_save 5 "$T/r2" || fail "save 2 failed"
grep -q 'hook deadline 1 s: stop' "$T/hook.log" || fail "the hook's bound did not fire"
verdicts 5 >"$T/v2"
! grep -q 'verdict=stop' "$T/v2" || fail "the bridge said stop"
grep -q 'verdict=continue reason=defer' "$T/v2" || fail "no deferral"
f=$(first_defer_wall "$T/r2") s=$(rget stop_wall_ms "$T/r2")
d=$((s - f))
echo "hook deadline 1 s: stop after $d ms of deferral"
[ $d -ge 900 ] && [ $d -le 2500 ] || fail "hook bound: stopped $d ms after the first deferral"
grep -q "domid=5 mig=.* end result=0" "$T/decisions.log" || fail "no MIGRATION-END"
echo "PASS"
