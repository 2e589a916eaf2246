#!/bin/sh
# migbridge + one test agent: migbridge-ctl status, --json, metrics and
# watch show the guest; killing the agent shows it disconnected with its
# last state kept; a second agent for the same domain is refused while the
# first is alive and replaces it once the first falls silent.
. "$(dirname "$0")/bridge-lib.sh"

write_conf
start_bridge
start_agent web7 7 -u 3
wait_line "$T/web7.out" '^hello version=1'
wait_until 5 sh -c "$CTL -s $T/q.sock status | grep -q '^7 .*connected'" ||
	fail "status does not show domain 7 connected"

out=$(ctl status) || fail "status failed"
echo "$out"
echo "$out" | grep -Eq '^7 +web7 +testagent 0.1 +connected +4 +3 .*processing=3' ||
	fail "status line for domain 7 wrong"
echo "$out" | grep -q '1 domains (1 connected)' || fail "status header wrong"

json=$(ctl --json status) || fail "--json status failed"
echo "$json"
for k in '"domid":7' '"name":"web7"' '"link":"connected"' '"connections":4' \
    '"unsuitable":3' '"processing":3' '"idle":1' '"last_verdict":null'; do
	echo "$json" | grep -q "$k" || fail "--json lacks $k"
done
[ "$(ctl status --json)" != "" ] || fail "status --json failed"

m=$(ctl metrics) || fail "metrics failed"
echo "$m" | grep -q '^migbridge_domain_connections{domid="7",reason="processing"} 3$' ||
	fail "metrics: processing gauge"
echo "$m" | grep -q '^migbridge_domain_connected{domid="7"} 1$' || fail "metrics: connected"
echo "$m" | grep -q '^# TYPE migbridge_queries_total counter$' || fail "metrics: TYPE line"
echo "$m" | grep -Eq '^migbridge_domain_state_age_seconds\{domid="7"\} [0-9.]+$' ||
	fail "metrics: state age"

w=$(ctl watch -i 0.2 -n 3) || fail "watch failed"
[ "$(echo "$w" | grep -c '^migbridge: up')" -eq 3 ] || fail "watch did not refresh 3 times"

# A second agent claiming domain 7 while the first is alive is refused
# (it retries every 0.5 s, refused each time); once the first stops
# sending (stale_after, 3 s), the second replaces it.
first=$AGENT
start_agent web7b 7 -u 1
wait_line "$T/mb.log" 'dropping agent channel: agent "web7b" refused: domain 7 already has a live agent \("web7"\)'
wait_line "$T/web7b.out" 'disconnected'
sleep 1
ctl status | grep -Eq '^7 +web7 +testagent 0.1 +connected +4 +3 ' ||
	fail "the live agent lost domain 7 to the second: $(ctl status)"
grep -q 'domain 7: agent channel closed: replaced' "$T/mb.log" && fail "first agent replaced"
kill -STOP "$first"
wait_line "$T/mb.log" 'domain 7: agent channel closed: replaced by a new channel' 10
wait_until 5 sh -c "$CTL -s $T/q.sock status | grep -Eq '^7 +web7b .*connected +2 +1 '" ||
	fail "replacement agent not shown"
kill "$first"

# The agent dies: the domain stays, disconnected, with its last state.
kill "$AGENT"
wait_line "$T/mb.log" 'domain 7: agent channel closed'
wait_until 5 sh -c "$CTL -s $T/q.sock status | grep -Eq '^7 +web7b .*disconnected +2 +1 '" ||
	fail "status does not show domain 7 disconnected with its last state"
ctl status | grep -q '1 domains (0 connected)' || fail "header after disconnect"

# No migbridge: a clear error.
kill "$MBPID"
wait "$MBPID" 2>/dev/null
err=$($CTL -s "$T/q.sock" status 2>&1) && fail "status succeeded without migbridge"
echo "$err" | grep -q "migbridge not running? cannot connect to $T/q.sock" ||
	fail "unclear error: $err"
echo "PASS"
