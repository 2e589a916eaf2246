#!/bin/sh
# hook_defer.sh: an agent reports 40 unsuitable connections (more than the tolerance cap, 16) for 2 s, then
# none.  The hooked save defers the stop while they are unsuitable, and
# stops at the first query after they drop: every deferral saw 40
# unsuitable, the stop verdict saw 0, and the stop came after the drop.
# Real clock (a 32 MiB model guest: stock would stop after ~0.5 s).
. tests/harness/hooklib.sh
hook_need "$DRIVER" "$HOOK_SO" "$BRIDGE" "$AGENT"
hook_init
hook_real_clock
hook_bridge 60s

t0=$(now_ms)
hook_agent a5 -D 5 -u 40:2,0
hook_save 5 "$T/report" || fail "save failed: $(cat "$T/hook.log")"
cat "$T/hook.log"

verdicts 5 >"$T/v5"
cat "$T/v5"
n=$(grep -c 'verdict=continue reason=defer' "$T/v5")
[ "$n" -ge 1 ] || fail "no deferral"
! grep 'verdict=continue' "$T/v5" | grep -v ' unsuitable=40 ' ||
    fail "deferred while the agent was not unsuitable"
tail -n 1 "$T/v5" | grep -q 'verdict=stop reason=suitable .* unsuitable=0 ' ||
    fail "the last verdict is not a stop on 0 unsuitable"
[ "$(grep -c 'verdict=stop' "$T/v5")" = 1 ] || fail "more than one stop verdict"

# At most one round after the drop (the agent started after t0): every
# query asks for a fresh state, so a deferral later than that saw 40.
late=$(sed 's/^t=\([0-9]*\) .*verdict=continue.*/\1/;t;d' "$T/v5" | awk -v t=$((t0 + 2100)) '$1 > t' | wc -l)
[ "$late" -le 1 ] || fail "$late deferrals after the drop"
stop=$(rget stop_wall_ms "$T/report")
[ "$stop" -ge $((t0 + 2000)) ] || fail "stopped at $stop, before the drop ($t0 + 2000)"
[ "$(rget iterations "$T/report")" -gt 5 ] || fail "no extra round"
grep -q 'bridge says stop (suitable' "$T/hook.log" || fail "hook did not log the stop"
grep -q "domid=5 mig=.* end result=0" "$T/decisions.log" || fail "no MIGRATION-END"
! grep -q 'fail open' "$T/hook.log" || fail "the hook failed open"
echo "deferrals: $n, rounds: $(rget iterations "$T/report"), stop $((stop - t0)) ms after the agent started"
echo "PASS"
