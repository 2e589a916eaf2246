#!/bin/sh
# hook_stock.sh: with no migbridge reachable, libmigstate-precopy.so
# decides exactly as libxenguest's stock policy: the same policy calls
# (iteration, dirty count, decision), the same stop round and the same
# pages sent, with and without LD_PRELOAD (simulated clock).
. tests/harness/hooklib.sh
hook_need "$DRIVER" "$HOOK_SO"
hook_init

# compare NAME: one stock save and one hooked save, same model.
compare() {
	hook_stock_save 5 "$T/$1.stock" || fail "$1: stock save failed"
	hook_save 5 "$T/$1.hook" || fail "$1: hooked save failed"
	[ "$(rget policy "$T/$1.stock")" = stock ] || fail "$1: driver gave a policy"
	[ "$(rget policy "$T/$1.hook")" = caller ] || fail "$1: the hook installed no policy"
	rcalls "$T/$1.stock" >"$T/$1.calls.stock"
	rcalls "$T/$1.hook" >"$T/$1.calls.hook"
	[ -s "$T/$1.calls.stock" ] || fail "$1: no policy calls"
	diff "$T/$1.calls.stock" "$T/$1.calls.hook" || fail "$1: policy calls differ"
	for k in iterations policy_calls pages_sent stop_pages downtime_ms total_ms result; do
		a=$(rget $k "$T/$1.stock") b=$(rget $k "$T/$1.hook")
		[ -n "$a" ] && [ "$a" = "$b" ] || fail "$1: $k: stock $a, hook $b"
	done
	echo "$1: identical: $(rget iterations "$T/$1.hook") rounds," \
	    "$(rget policy_calls "$T/$1.hook") calls, last: $(tail -n 1 "$T/$1.calls.hook")"
}

export MIGHARNESS_CLOCK=sim
# 1. 512 MiB at 100 Mbit/s: stock stops on its round cap (second call).
compare roundcap
# 2. A quiet guest: stock stops on fewer than 50 dirty pages (first call).
MIGHARNESS_DIRTY_RATE=20 MIGHARNESS_ROUND_MS=10 compare quiet
grep -q 'dirty=[0-9]* .*decision=stop' "$T/quiet.calls.hook" ||
    fail "quiet: the stop was not on a first call"
# 3. An idle guest: nothing dirty after the first pass.
MIGHARNESS_DIRTY_RATE=0 MIGHARNESS_PAGES=4096 compare idle
# 4. A stale socket file where the bridge should listen.
: >"$T/query.sock"
compare stale

grep -q 'fail open\|unreachable' "$T/hook.log" || fail "no fail-open log line"
! grep -q ': deferred (' "$T/hook.log" || fail "a deferral without a bridge"

grep -q 'live migration' "$T/hook.log" || fail "the hook never took over"
# A bad knob is ignored with a line; MIGSTATE_HOOK_LOG=off silences the hook.
MIGSTATE_QUERY_TIMEOUT_MS=abc hook_save 5 "$T/knob" || fail "save with a bad knob failed"
grep -q 'ignoring MIGSTATE_QUERY_TIMEOUT_MS=abc, using 50' "$T/hook.log" || fail "bad knob not reported"
: >"$T/hook.log"
MIGSTATE_HOOK_LOG=off hook_save 5 "$T/quiet2" || fail "silent save failed"
! grep -q migstate-precopy "$T/hook.log" || fail "MIGSTATE_HOOK_LOG=off still logs"
[ "$(rget policy "$T/quiet2")" = caller ] || fail "silent save not hooked"
echo "PASS"
