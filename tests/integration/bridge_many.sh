#!/bin/sh
# Fifty agents at once: all listed, each domain judged on its own state.
. "$(dirname "$0")/bridge-lib.sh"

write_conf
start_bridge
n=50
i=1
while [ $i -le $n ]; do
	start_agent "g$i" $((1000 + i)) -u $((i % 4))
	i=$((i + 1))
done
wait_until 20 sh -c "$CTL -s $T/q.sock status | grep -q '$n domains ($n connected)'" ||
	fail "not all $n agents connected: $(ctl status | head -n 1)"
[ "$(ctl status | grep -c ' connected ')" -eq $n ] || fail "status lists fewer than $n"
[ "$(ctl --json status | grep -o '"domid":' | wc -l)" -eq $n ] || fail "json lists fewer"

# Each verdict follows that domain's own count (i % 4 unsuitable).
i=1
while [ $i -le $n ]; do
	v=$(ctl query $((1000 + i)) --mig 1 --fresh) || fail "query $i"
	u=$(field unsuitable "$v")
	[ "$u" = $((i % 4)) ] || fail "domain $((1000 + i)): unsuitable $u, want $((i % 4))"
	if [ "$u" = 0 ]; then want=suitable; else want=defer; fi
	[ "$(field reason "$v")" = $want ] || fail "domain $((1000 + i)): $v"
	i=$((i + 1))
done
[ "$(grep -c '^query nonce=' "$T"/g*.out | awk -F: '{s += $2} END {print s}')" -eq $n ] ||
	fail "not every agent was asked once"
echo "PASS"
