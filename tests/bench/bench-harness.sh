#!/bin/sh
# bench-harness.sh: what deferring the stop costs.  A 512 MiB guest over
# 100 Mbit/s (libxenguest-harness: 2000 page writes/s into 8192 hot pages,
# 50 ms per round), its migration run by savedriver through
# libmigstate-precopy.so, migbridge and a test agent, against stock:
#   A  connections go idle 10 s after the migration starts (before stock's
#      stop: the first pass alone takes 43 s): migstate should cost nothing;
#   B  connections stay busy until 10 s after the point where stock stops:
#      migstate defers ~10 s, in cheap rounds.
# Figures: rounds, total migration time, downtime, extra time versus stock.
# Real clock, compressed BENCH_TIMESCALE times (default 10: model seconds
# per real second; 1 = real time, about 4 minutes); times are model time.
. tests/harness/hooklib.sh
hook_need "$DRIVER" "$HOOK_SO" "$BRIDGE" "$AGENT"
hook_init
K=${BENCH_TIMESCALE:-10}
MIGHARNESS_CLOCK=real MIGHARNESS_TIMESCALE=$K MIGHARNESS_PAGES=131072
MIGHARNESS_BANDWIDTH=100000000 MIGHARNESS_DIRTY_RATE=2000
MIGHARNESS_HOT_PAGES=8192 MIGHARNESS_ROUND_MS=50
export MIGHARNESS_CLOCK MIGHARNESS_TIMESCALE MIGHARNESS_PAGES MIGHARNESS_BANDWIDTH \
    MIGHARNESS_DIRTY_RATE MIGHARNESS_HOT_PAGES MIGHARNESS_ROUND_MS
export MIGSTATE_HOOK_LOG=stderr

# line NAME REPORT [STOCK_TOTAL_MS]
line() {
	tot=$(rget total_ms "$2")
	extra=
	[ -n "$3" ] && extra=$(awk -v a="$tot" -v b="$3" 'BEGIN { v = (a - b) / 1000; if (v > -0.05 && v < 0.05) v = 0; printf " extra=%+.1fs", v }')
	printf '%-28s rounds=%-3s total=%.1fs downtime=%.0fms%s\n' "$1" \
	    "$(rget iterations "$2")" "$(awk -v t="$tot" 'BEGIN { print t / 1000 }')" \
	    "$(rget downtime_ms "$2")" "$extra"
}

echo "bench-harness: 512 MiB, 100 Mbit/s, 2000 writes/s in 32 MiB hot set, timescale $K"
hook_stock_save 5 "$T/stock" || fail "stock save failed"
S=$(rget total_ms "$T/stock")
SUSP=$(rget suspend_ms "$T/stock")
line "stock" "$T/stock"

hook_bridge 60s
# A: idle 10 s (model) after the start.
a=$(awk -v k="$K" 'BEGIN { printf "%.3f", 10 / k }')
hook_agent a -D 5 -u "40:$a,0"
hook_save 5 "$T/A" || fail "save A failed"
line "A idle after 10s" "$T/A" "$S"
kill "$AGENT_PID"

# B: busy until 10 s (model) after stock's stop point.
b=$(awk -v k="$K" -v s="$SUSP" 'BEGIN { printf "%.3f", (s / 1000 + 10) / k }')
hook_agent b -D 6 -u "40:$b,0"
hook_save 6 "$T/B" || fail "save B failed"
line "B busy until stock stop+10s" "$T/B" "$S"
echo "B: $(verdicts 6 | grep -c 'verdict=continue') deferrals;" \
    "stop verdict: $(verdicts 6 | tail -n 1 | sed 's/.*\(verdict=[a-z]* reason=[a-z_]*\).*/\1/')"
