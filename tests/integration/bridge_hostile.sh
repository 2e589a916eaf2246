#!/bin/sh
# Hostile agents: garbage bytes, an oversized frame length, a flood of
# frames, a STATE whose counts do not add up, a STATE before HELLO, a
# HELLO naming no domain (answered with BYE PROTOCOL).  Each
# has only its own channel closed, with the reason logged and counted,
# while a well-behaved guest keeps being answered.
. "$(dirname "$0")/bridge-lib.sh"

write_conf "max_frame_rate = 1000"
start_bridge
# Alone on an idle migbridge: the bad channel is closed at once, not at
# the next unrelated event.
$TA -s "$T/agents.sock" -D 100 -H badstate >"$T/h-idle.out" 2>&1 ||
	fail "idle migbridge did not close a bad channel: $(cat "$T/h-idle.out")"
start_agent good 1 -u 2
wait_line "$T/good.out" '^hello'

# mode domid expected-log-regex
i=0
while read -r mode dom why; do
	i=$((i + 1))
	$TA -s "$T/agents.sock" -D "$dom" -H "$mode" >"$T/h-$mode.out" 2>&1 &
	hp=$!
	PIDS="$PIDS $hp"
	# migbridge keeps answering another client meanwhile.
	v=$(ctl query 1 --mig 1$i --fresh) || fail "no verdict during $mode"
	[ "$(field reason "$v")" = defer ] || fail "good guest misjudged during $mode: $v"
	wait "$hp" || fail "$mode: channel not closed: $(cat "$T/h-$mode.out")"
	grep -q '^closed: ' "$T/h-$mode.out" || fail "$mode: no close seen"
	wait_line "$T/mb.log" "dropping agent channel: $why"
	echo "$mode: $(grep -E "dropping agent channel: $why" "$T/mb.log" | tail -n 1)"
done <<'LIST'
garbage 101 frame type 0x42424242 not allowed
oversize 102 .*(len|long|large|size)
flood 103 more than 1000 frames/s
badstate 104 STATE: 
nohello 105 STATE before HELLO
nodomid 106 HELLO names no domain
LIST

grep -Eq 'domain 101: dropping agent channel' "$T/mb.log" || fail "log does not name the domain"
grep -Eq 'agent connection #[0-9]+: dropping agent channel: STATE before HELLO' "$T/mb.log" ||
	fail "nohello: log does not name the connection"
st=$(ctl status) || fail "status"
echo "$st"
echo "$st" | grep -q ' 7 rejects$' || fail "rejects not counted"
grep -q '^bye reason=protocol text=HELLO names no domain' "$T/h-nodomid.out" ||
	fail "nodomid: no BYE PROTOCOL"
echo "$st" | grep -Eq '^1 +good .*connected' || fail "the good guest lost its channel"
m=$(ctl metrics)
echo "$m" | grep -q '^migbridge_domain_rejects_total{domid="103"} 1$' || fail "per-domain reject"
# The good guest's own traffic is untouched.
v=$(ctl query 1 --mig 99 --fresh) || fail "query after the attacks"
[ "$(field unsuitable "$v")" = 2 ] || fail "good guest state: $v"
echo "PASS"
