#!/bin/sh
# hook_quiesce.sh: the quiesce handshake through the migxs dir backend.
# (1) An agent that answers: when the guest is suspended its state is
# "quiesced"; after the save returns quiesce is back to 0 and the agent
# serves again.  (2) An agent that never answers (-Q never): the hook waits
# its bound (MIGSTATE_QUIESCE_MS) and stops anyway.  (3) No agent keys:
# nothing is written.
. tests/harness/hooklib.sh
hook_need "$DRIVER" "$HOOK_SO" "$BRIDGE" "$AGENT"
hook_init
hook_real_clock
XS=$T/xs
mkdir -p "$XS"
key() { cat "$XS/local/domain/$1/data/migbridge/$2" 2>/dev/null; }
export MIGHARNESS_SUSPEND_CMD='cat "$XS/local/domain/$MIGHARNESS_DOMID/data/migbridge/state" >"$T/at_suspend.$MIGHARNESS_DOMID" 2>&1 || true'
export XS T
hook_bridge 60s

# (1) a cooperating agent
hook_agent a5 -D 5 -x "$XS" -u 0
hook_wait_grep '^serving' "$T/a5.out" || fail "agent not serving: $(cat "$T/a5.out")"
[ "$(key 5 quiesce)" = 0 ] || fail "agent did not create quiesce=0"
hook_save 5 "$T/r5" || fail "save 5 failed"
[ "$(cat "$T/at_suspend.5")" = quiesced ] || fail "state at suspend: $(cat "$T/at_suspend.5")"
grep -q 'dom 5: agent quiesced in' "$T/hook.log" || fail "no quiesce line"
[ "$(key 5 quiesce)" = 0 ] || fail "quiesce not reset: $(key 5 quiesce)"
hook_wait_grep '^quiesced' "$T/a5.out" || fail "agent did not quiesce"
# It serves again after the reset (a failed migration keeps the domid).
i=0
while [ "$(grep -c '^serving' "$T/a5.out")" -lt 2 ] && [ $i -lt 100 ]; do
	i=$((i + 1)); sleep 0.05
done
[ "$(grep -c '^serving' "$T/a5.out")" -ge 2 ] || fail "agent did not serve again: $(cat "$T/a5.out")"

# (2) an agent that never quiesces
hook_agent a6 -D 6 -x "$XS" -u 0 -Q never
hook_wait_grep '^serving' "$T/a6.out" || fail "agent 6 not serving"
t0=$(now_ms)
MIGSTATE_QUIESCE_MS=300 hook_save 6 "$T/r6" || fail "save 6 failed"
grep -q 'dom 6: agent did not quiesce within 300 ms: proceeding' "$T/hook.log" ||
    fail "no timeout line"
[ "$(cat "$T/at_suspend.6")" = serving ] || fail "dom 6 state at suspend: $(cat "$T/at_suspend.6")"
[ "$(key 6 quiesce)" = 0 ] || fail "dom 6 quiesce not reset"

# (3) no agent keys at all: skipped, nothing created
hook_save 8 "$T/r8" || fail "save 8 failed: $(tail -n 5 "$T/hook.log")"
grep -q 'dom 8: quiesce skipped: no agent' "$T/hook.log" || fail "no skip line for dom 8"
[ ! -e "$XS/local/domain/8" ] || fail "keys created for a domain without agent"
cat "$T/hook.log"; echo "PASS"
