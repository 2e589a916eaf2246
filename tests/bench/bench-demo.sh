#!/bin/sh
# bench-demo.sh - `make bench`'s full version of `make demo`: the seed's
# 260 users, 6 runs per policy (stock and migstate alternating), a 512 MiB
# guest, at 100 Mbps, 200 Mbps, 500 Mbps and 1 Gbps; the same table and
# chart per bandwidth, under $B/bench-demo/<Mbps>/ (table.txt, runs.tsv,
# qos.png).  About 25 minutes per bandwidth at 100 Mbps.
# POP3 rows too: BENCH_DEMO_POP3_SESSIONS mail users (26, a tenth of the
# Support users; 0: none) over pop3s through the agent's proxy.
# Knobs: BENCH_DEMO_RUNS (6), BENCH_DEMO_SESSIONS (260), BENCH_DEMO_BANDWIDTHS
# (bits/s, "100000000 200000000 500000000 1000000000"), BENCH_DEMO_THINK (5),
# and every DEMO_* knob of tests/demo/demo.sh.  Needs root.
set -u
: "${B:=build}"
[ "$(id -u)" = 0 ] || { echo "SKIP: bench-demo needs root"; exit 77; }
[ -x tests/demo/demo.sh ] || { echo "SKIP: tests/demo/demo.sh missing"; exit 77; }
runs=${BENCH_DEMO_RUNS:-6}
sessions=${BENCH_DEMO_SESSIONS:-260}
pop3=${BENCH_DEMO_POP3_SESSIONS:-26}
bws=${BENCH_DEMO_BANDWIDTHS:-"100000000 200000000 500000000 1000000000"}
rc=0
for bw in $bws; do
	mbps=$(awk "BEGIN { printf \"%d\", $bw / 1e6 }")
	echo "== bench-demo: $mbps Mbps, $sessions users (+ $pop3 POP3), $runs runs per policy"
	B=$B DEMO_RUNS=$runs DEMO_SESSIONS=$sessions DEMO_BANDWIDTH=$bw DEMO_POP3_SESSIONS=$pop3 \
	    DEMO_PAGES=${DEMO_PAGES:-131072} DEMO_THINK=${BENCH_DEMO_THINK:-5} \
	    DEMO_DEADLINE=${DEMO_DEADLINE:-60} DEMO_PROGRESS=${DEMO_PROGRESS:-60} \
	    DEMO_TITLE="stock vs migstate, $mbps Mbps, $sessions users + $pop3 POP3, $runs runs" \
	    DEMO_OUT="$B/bench-demo/$mbps" sh tests/demo/demo.sh || rc=1
done
exit $rc
