#!/bin/sh
# hook_passthrough.sh: the hook leaves alone what is not a plain live save
# without a policy: a non-live save (xl save), silently, and a caller with
# its own precopy policy, with one line saying so.
. tests/harness/hooklib.sh
hook_need "$DRIVER" "$HOOK_SO"
hook_init
export MIGHARNESS_CLOCK=sim

# Non-live: no policy calls, the whole memory sent while suspended.
hook_save 4 "$T/nonlive" -n || fail "non-live save failed"
[ "$(rget live "$T/nonlive")" = 0 ] || fail "non-live: live"
[ "$(rget policy_calls "$T/nonlive")" = 0 ] || fail "non-live: policy called"
[ "$(rget policy "$T/nonlive")" = stock ] || fail "non-live: a policy was installed"

! grep -q migstate-precopy "$T/hook.log" || fail "the hook spoke: $(cat "$T/hook.log")"

# The caller's own policy (stop at iteration 2) is the one that runs; the
# hook says once that it stands aside (a patched libxl would disable it).
hook_save 4 "$T/own" -p 2 || fail "own-policy save failed"
[ "$(rget iterations "$T/own")" = 2 ] || fail "own policy: $(rget iterations "$T/own") rounds"
grep -q '4 own-policy call(s)' "$T/hook.log" || fail "own policy not called: $(cat "$T/hook.log")"
grep -q 'dom 4: the caller has its own precopy policy' "$T/hook.log" || fail "no stand-aside line"
! grep -q 'live migration' "$T/hook.log" || fail "the hook took over: $(cat "$T/hook.log")"

# And a plain live save right after is taken over (the check can fail).
hook_save 4 "$T/live" || fail "live save failed"
grep -q 'migstate-precopy: dom 4: live migration' "$T/hook.log" || fail "live save not hooked"
echo "PASS"
