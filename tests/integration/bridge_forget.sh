#!/bin/sh
# forget_after: a domain whose agent went away, and a domid only queried
# (its migration ended), are forgotten once quiet that long; a connected
# domain, one a query keeps asking about, and one in the middle of a
# migration are not.
. "$(dirname "$0")/bridge-lib.sh"

write_conf "forget_after = 2s"
start_bridge
start_agent live 7
live=$AGENT
start_agent leaving 8
wait_until 5 sh -c "$CTL -s $T/q.sock status | grep -q '2 domains (2 connected)'" ||
	fail "agents not connected: $(ctl status)"
ctl query 9 --mig 1 >/dev/null || fail "query for domain 9"
ctl end 9 --mig 1 >/dev/null || fail "end for domain 9"
ctl query 11 --mig 3 >/dev/null || fail "query for domain 11"
kill "$AGENT"
wait_line "$T/mb.log" 'domain 8: agent channel closed'
ctl status | grep -q '4 domains (1 connected)' || fail "before: $(ctl status)"

# Domain 10 is asked about every half second: never quiet for 2 s.
i=0
while [ $i -lt 10 ]; do
	ctl query 10 --mig 2 >/dev/null || fail "query for domain 10"
	sleep 0.5
	i=$((i + 1))
done
wait_line "$T/mb.log" 'domain 8: forgotten \(agent gone, quiet for [0-9]+ s\)' 5
wait_line "$T/mb.log" 'domain 9: forgotten \(never had an agent, quiet for [0-9]+ s\)' 5
out=$(ctl status)
echo "$out"
echo "$out" | grep -q '3 domains (1 connected)' || fail "after: $out"
echo "$out" | grep -Eq '^7 +live .*connected' || fail "the connected domain was forgotten"
echo "$out" | grep -q '^10 ' || fail "the domain still queried was forgotten"
echo "$out" | grep -q '^11 ' || fail "the domain in a migration was forgotten"
echo "$out" | grep -Eq '^(8|9) ' && fail "a forgotten domain is still listed"
grep -q 'domain 7: forgotten' "$T/mb.log" && fail "domain 7 forgotten while connected"

# A forgotten domain comes back as new when its agent returns.
start_agent back 8
wait_until 5 sh -c "$CTL -s $T/q.sock status | grep -Eq '^8 +back .*connected'" ||
	fail "domain 8 not back: $(ctl status)"
kill "$live"
echo "PASS"
