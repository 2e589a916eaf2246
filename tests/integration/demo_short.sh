#!/bin/sh
# demo_short.sh - `make demo`'s machinery in about 45 seconds, asserting:
#  1. under migstate the stop happened with unsuitable <= the tolerance then
#     in force (migbridge's decision log: the stopping verdict);
#  2. under stock it did not wait (the harness stopped at the first call
#     where the stock rule said stop; no deferral logged);
#  3. the pause really froze the guest: every guest process was FROZEN, and a
#     request issued during the pause (a probe sent right after the freeze,
#     and any of migload's) completed only after the thaw;
#  4. no client connection was reset by the pauses (migload's counters);
#  5. with migbridge stopped, the migstate run behaves exactly like stock
#     (fail-open): same decision as the stock rule at every policy call;
#  6. POP3 (dovecot behind the agent's pop3s proxy, migload's POP3 mode):
#     responses counted in both runs, none failed with an error, and the
#     agent's STATEs carried a pop3 record.
# Needs root, ip/nft/apache2/curl and the migstate parts built in $B.
set -u
: "${B:=build}"
DEMO_SRC=tests/demo
# A small guest and a light load, so that a moment with few unsuitable
# connections comes within the deadline: 32 MiB, a 18 MiB working set
# (1.5 s rounds and stop), 4 users without downloads, deadline 12 s.
DEMO_PAGES=8192 DEMO_HOT_PAGES=4608 DEMO_DIRTY_RATE=20000 DEMO_DEADLINE=12
DEMO_SESSIONS=4 DEMO_THINK=2 DEMO_WARMUP=3 DEMO_COOLDOWN=2 DEMO_PROGRESS=0
DEMO_MIGLOAD_ARGS=--no-downloads
# One POP3 user, one RETR a session: counted, without crowding the stop.
DEMO_POP3_SESSIONS=1 DEMO_POP3_ARGS="--retrs 1-1"
. "$DEMO_SRC/common.sh"

[ "$(id -u)" = 0 ] || demo_skip "needs root (namespaces, cgroup freezer, nftables)"
why=$(demo_check_env) || demo_skip "$why"
command -v curl >/dev/null 2>&1 || demo_skip "needs curl"
command -v dovecot >/dev/null 2>&1 || demo_skip "needs dovecot (dovecot-pop3d)"
missing=$(demo_missing_parts)
[ -z "$missing" ] || demo_skip "migstate parts not built:$missing"

DEMO_DIR=$(mktemp -d)
trap demo_cleanup EXIT
trap 'exit 1' INT TERM HUP
fails=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

demo_tree || exit 1
demo_guest_up 1 || exit 1
demo_guest_extra || exit 1
demo_migstate_up || exit 1

# The probe: right after the freeze, from the clients' namespace, one
# request; its start and end times (ms) and HTTP code go to probe.txt.
probe() {
	p="ip netns exec $DEMO_C sh -c 'a=\$(date +%s%3N);"
	p="$p c=\$(curl -sk --max-time 30 -o /dev/null -w %{http_code} https://$DEMO_GADDR/support/img/1.gif);"
	p="$p echo \$a \$(date +%s%3N) \$c >$1/probe.txt'"
	st="PAUSE_NAME=migdemo$DEMO_ID sh $(readlink -f "$DEMO_SRC/pause.sh") state"
	echo "$st >$1/state-at-pause 2>&1; ($p) >/dev/null 2>&1 &"
}

O=$DEMO_DIR/out
DEMO_SUSPEND_EXTRA=$(probe "$O/stock-1") demo_run stock "$O/stock-1" 1
DEMO_SUSPEND_EXTRA=$(probe "$O/migstate-1") demo_run migstate "$O/migstate-1" 1
demo_bridge_stop
DEMO_SUSPEND_EXTRA= demo_run migstate "$O/failopen-1" 1

# 1. the stopping verdict under migstate
stopline=$(grep ' verdict=stop' "$O/migstate-1/decisions.log" | tail -1)
u=$(echo "$stopline" | sed -n 's/.* unsuitable=\([0-9]*\).*/\1/p')
t=$(echo "$stopline" | sed -n 's/.* tolerance=\([0-9]*\).*/\1/p')
if [ -n "$u" ] && [ -n "$t" ] && [ "$u" -le "$t" ]; then
	ok "migstate stopped with unsuitable $u <= tolerance $t ($(grep -c 'reason=defer' \
	    "$O/migstate-1/decisions.log") deferrals)"
else
	bad "migstate's stop: '$stopline'"
fi

# 2. stock did not wait: the first call where the stock rule says stop stopped.
first=$(grep '^call=' "$O/stock-1/harness.txt" | grep -m1 'stock=stop')
last=$(grep '^call=' "$O/stock-1/harness.txt" | tail -1)
if [ -n "$first" ] && [ "$first" = "$last" ] && echo "$last" | grep -q 'decision=stop'; then
	ok "stock stopped at the first stock stop: $(echo "$last" | cut -d' ' -f1-3)"
else
	bad "stock waited: first stock stop '$first', last call '$last'"
fi
[ -s "$O/stock-1/decisions.log" ] && bad "decisions logged during the stock run"

# 3. the pause froze the guest
for r in stock-1 migstate-1; do
	d=$O/$r
	st=$(cat "$d/state-at-pause" 2>/dev/null)
	[ "$st" = FROZEN ] && ok "$r: guest cgroup FROZEN during the pause" ||
	    bad "$r: freezer state during the pause: '$st'"
	i=0
	while [ ! -s "$d/probe.txt" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	frozen=$(awk '$1=="frozen"{print $2}' "$d/pause.log")
	thaw=$(awk '$1=="thaw"{print $2}' "$d/pause.log")
	read -r ps pe pc <"$d/probe.txt" 2>/dev/null || ps= pe= pc=
	if [ -n "$pe" ] && [ "$pc" = 200 ] && [ "$ps" -ge "$frozen" ] && [ "$pe" -ge "$thaw" ]; then
		ok "$r: probe sent $((ps - frozen)) ms into the pause, answered $((pe - thaw)) ms after the thaw"
	else
		bad "$r: probe '$ps $pe $pc', frozen $frozen, thaw $thaw"
	fi
	early=$(awk -F, -v f="$frozen" -v t="$thaw" 'NR > 1 && $1 > f + 50 && $6 == 1 &&
	    $2 < t { n++ } END { print n + 0 }' "$d/load.csv")
	[ "$early" = 0 ] && ok "$r: no migload request issued in the pause completed before the thaw" ||
	    bad "$r: $early migload requests issued in the pause completed during it"
done

# 4. no connection reset
for r in stock-1 migstate-1 failopen-1; do
	resets=$(sed -n 's/.* resets=\([0-9]*\).*/\1/p' "$O/$r/load.txt")
	errs=$(awk -F, 'NR > 1 && $13 != "" { n++ } END { print n + 0 }' "$O/$r/load.csv")
	[ "$resets" = 0 ] && [ "$errs" = 0 ] && ok "$r: no reset, no failed request" ||
	    bad "$r: resets=$resets, requests with errors=$errs"
done

# 5. fail-open: every call decided as the stock rule did.
calls=$(grep -c '^call=' "$O/failopen-1/harness.txt")
diff=$(grep '^call=' "$O/failopen-1/harness.txt" | awk '{ d = $5; s = $6; sub("decision=", "", d);
    sub("stock=", "", s); if (d != s) n++ } END { print n + 0 }')
its=$(sed -n 's/^iterations=//p' "$O/failopen-1/harness.txt")
sits=$(sed -n 's/^iterations=//p' "$O/stock-1/harness.txt")
if [ "$calls" -gt 0 ] && [ "$diff" = 0 ] && [ "$its" = "$sits" ] &&
    grep -q 'result=0' "$O/failopen-1/harness.txt"; then
	ok "without migbridge: $calls calls, all as stock, $its iterations like stock"
else
	bad "fail-open: $diff of $calls calls differ from stock; iterations $its vs $sits"
fi

# 6. POP3 counted in both runs
for r in stock-1 migstate-1; do
	d=$O/$r
	n=$(awk '$1 == "run" && $2 == "all" { print $3 }' "$d/pop3.txt" 2>/dev/null)
	errs=$(awk -F, 'NR > 1 && $13 != "" { n++ } END { print n + 0 }' "$d/pop3.csv" 2>/dev/null)
	states=$(grep -c 'proto=pop3' "$d/states.log" 2>/dev/null)
	if [ -n "$n" ] && [ "$n" -gt 0 ] && [ "$errs" = 0 ] && [ "${states:-0}" -gt 0 ]; then
		ok "$r: $n POP3 responses counted ($(awk -F, 'NR > 1 && $4 == "retr" && $6 == 1' \
		    "$d/pop3.csv" | wc -l) RETRs), no error; $states pop3 STATE records"
	else
		bad "$r: POP3 responses counted '$n', with errors $errs, pop3 STATE records '$states'"
	fi
done

echo "logs: $O (kept only with DEMO_KEEP=1)"
[ $fails -eq 0 ] || { echo "$fails assertion(s) failed"; exit 1; }
echo "all assertions passed"
