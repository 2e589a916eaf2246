#!/bin/sh
# hook_hostile.sh: while a save of domain 5 is deferring, hostile agents
# (garbage, oversize, flood, badstate, nohello) connect for domain 7.
# migbridge drops each of them, and the save still gets its verdicts within
# the hook's timeout (deferrals after they arrived, no fail-open) and stops
# when its agent drops to 0 unsuitable.
. tests/harness/hooklib.sh
hook_need "$DRIVER" "$HOOK_SO" "$BRIDGE" "$AGENT"
hook_init
hook_real_clock
hook_bridge 60s

hook_agent a5 -D 5 -u 40:2.5,0
hook_save 5 "$T/r5" & save=$!; PIDS="$PIDS $save"
sleep 1
h=$(now_ms)
for mode in garbage oversize flood badstate nohello; do
	"$AGENT" -s "$T/agent.sock" -D 7 -H $mode >"$T/h-$mode.out" 2>&1 &
	PIDS="$PIDS $!"
done
wait $save || fail "save failed: $(tail -n 5 "$T/hook.log")"

verdicts 5 >"$T/v5"
late=$(sed 's/^t=\([0-9]*\) .*verdict=continue reason=defer.*/\1/;t;d' "$T/v5" | awk -v t="$h" '$1 > t' | wc -l)
echo "dom 5: $late deferrals after the hostile agents came"
[ "$late" -ge 3 ] || fail "dom 5 got $late verdicts after the hostile agents came"
tail -n 1 "$T/v5" | grep -q 'verdict=stop reason=suitable ' || fail "dom 5 not stopped as suitable"
! grep -q 'fail open' "$T/hook.log" || fail "the hook failed open: $(grep 'fail open' "$T/hook.log")"
for mode in garbage oversize flood badstate nohello; do
	hook_wait_grep '^closed' "$T/h-$mode.out" ||
	    fail "hostile $mode not dropped: $(cat "$T/h-$mode.out")"
	echo "$mode: $(grep '^closed' "$T/h-$mode.out")"
done
echo "PASS"
