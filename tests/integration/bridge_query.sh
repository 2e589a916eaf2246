#!/bin/sh
# DOMAIN-QUERY end to end: deferral while the guest is busy, stop when it
# is quiet, a fresh STATE through QUERY, MIGRATION start/end reaching the
# agent, stock CONTINUE passed through, and the decision log lines.
. "$(dirname "$0")/bridge-lib.sh"

write_conf
start_bridge
# Busy (3 unsuitable) for 2 s, then quiet.
start_agent db3 3 -u 3:2,0
wait_line "$T/db3.out" '^hello version=1'
wait_until 5 sh -c "$CTL -s $T/q.sock status | grep -q '^3 .*connected'" || fail "no agent"

v=$(ctl query 3 --mig 5a --iteration 7 --dirty 12) || fail "query failed"
echo "$v"
[ "$(field verdict "$v")" = continue ] || fail "busy guest not deferred: $v"
[ "$(field reason "$v")" = defer ] || fail "reason: $v"
[ "$(field unsuitable "$v")" = 3 ] || fail "unsuitable: $v"
[ "$(field deferrals "$v")" = 1 ] || fail "deferrals: $v"
wait_line "$T/db3.out" '^migration active=1$'

# Fresh: the agent sees a QUERY and the verdict judges a state 0 s old.
v=$(ctl query 3 --mig 5a --iteration 8 --fresh) || fail "fresh query failed"
echo "$v"
wait_line "$T/db3.out" '^query nonce=[0-9]+$'
[ "$(field deferrals "$v")" = 2 ] || fail "deferrals not counted per migration: $v"
[ "$(field age_us "$v")" -lt 100000 ] || fail "fresh state is old: $v"

# Stock CONTINUE is passed through and does not count as a deferral.
v=$(ctl query 3 --mig 5a --stock continue) || fail "query failed"
[ "$(field reason "$v")" = stock_continue ] || fail "stock continue: $v"
[ "$(field deferrals "$v")" = 2 ] || fail "stock continue counted: $v"

# Another migration of the same domain has its own bookkeeping.
v=$(ctl query 3 --mig 77) || fail "query failed"
[ "$(field deferrals "$v")" = 1 ] || fail "migrations share bookkeeping: $v"

# Quiet after 2 s: stop, reason suitable.
wait_line "$T/db3.out" '^state unsuitable=0$'
sleep 0.1
v=$(ctl query 3 --mig 5a --fresh) || fail "query failed"
echo "$v"
[ "$(field verdict "$v")" = stop ] || fail "quiet guest not stopped: $v"
[ "$(field reason "$v")" = suitable ] || fail "reason: $v"

ctl end 3 --mig 5a --result 0 || fail "end failed"
ctl end 3 --mig 77 --result 1 || fail "end failed"
wait_line "$T/db3.out" '^migration active=0$'
wait_line "$T/decisions.log" ' domid=3 mig=5a end result=0 deferrals=2$'
wait_line "$T/decisions.log" ' domid=3 mig=77 end result=1 deferrals=1$'

# The decision log: one line per verdict with every key.
[ "$(grep -c ' verdict=' "$T/decisions.log")" -eq 5 ] || fail "decision log: not 5 verdicts"
line=$(grep ' verdict=' "$T/decisions.log" | head -n 1)
for k in t domid mig iter dirty stock verdict reason total unsuitable tolerance deferrals \
    age_us new reading processing writing_small handshake auth idle writing_large; do
	[ -n "$(field $k "$line")" ] || fail "decision log lacks $k: $line"
done
[ "$(field iter "$line")" = 7 ] && [ "$(field dirty "$line")" = 12 ] ||
	fail "iteration/dirty not logged: $line"
[ "$(field processing "$line")" = 3 ] && [ "$(field idle "$line")" = 1 ] ||
	fail "reasons not logged: $line"
ctl status | grep -q '5 queries (0 fail-open)' || fail "query counter"
echo "PASS"
