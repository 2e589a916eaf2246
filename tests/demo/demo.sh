#!/bin/sh
# demo.sh - `make demo`: the seed's experiment on one machine (see
# tests/demo/README or docs: the issue "make demo and make bench").
#
# A "guest" network namespace runs Apache (MPM event, mod_ssl,
# mod_migstate) serving a Support-like file set, dovecot's POP3 behind
# the agent's TLS proxy (pop3s), and migstate-agent; the clients'
# namespace runs migload twice (the Support users over HTTPS, mail users
# over pop3s); Dom-0 (this namespace) runs migbridge
# and the migration: the libxenguest harness's savedriver over a memory
# model, with libmigstate-precopy.so preloaded for the migstate policy.
# The stop is a real pause of the guest: its processes frozen (cgroup
# freezer) and its packets dropped (nftables) for the modelled downtime.
# Stock and migstate runs alternate on the same workload (same seed).
#
# Knobs (environment): DEMO_RUNS (runs per policy, 1), DEMO_SESSIONS,
# DEMO_THINK, DEMO_PAGES, DEMO_HOT_PAGES, DEMO_DIRTY_RATE, DEMO_BANDWIDTH,
# DEMO_DEADLINE, DEMO_WARMUP, DEMO_COOLDOWN, DEMO_POP3_SESSIONS (6; 0:
# no POP3), DEMO_POP3_RATE (RETR read rate, 1000000 B/s), DEMO_OUT (keep
# the results there), DEMO_KEEP=1 (keep the temporary folder).  Needs root.
set -u
: "${B:=build}"
DEMO_SRC=$(dirname "$0")
: "${DEMO_RUNS:=1}"
# Sized for 2 cores and 2-4 minutes: 256 MiB at 100 Mbps (a 21 s first
# pass), a 36 MiB writable working set (3 s rounds and a 3 s stop), 40
# users with 5 s think times, the stop deferred at most 30 s.
: "${DEMO_SESSIONS:=40}"
: "${DEMO_PAGES:=65536}"
: "${DEMO_HOT_PAGES:=9216}"
: "${DEMO_DIRTY_RATE:=20000}"
: "${DEMO_DEADLINE:=30}"

. "$DEMO_SRC/common.sh"
: "${DEMO_TITLE:=stock vs migstate, $(awk "BEGIN{print $DEMO_BANDWIDTH/1e6}") Mbps}"

if ! why=$(demo_check_env); then
	echo "make demo: cannot run: $why" >&2
	exit 1
fi
missing=$(demo_missing_parts)
if [ -n "$missing" ]; then
	echo "make demo: migstate parts not built:$missing" >&2
	exit 1
fi

DEMO_DIR=$(mktemp -d)
trap demo_cleanup EXIT
trap 'exit 1' INT TERM HUP
t0=$(date +%s)
demo_log "set-up: namespaces $DEMO_G/$DEMO_C, Apache + mod_migstate + dovecot + agent in the guest, migbridge"
demo_tree || exit 1
demo_guest_up 1 || exit 1
demo_guest_extra || exit 1
demo_migstate_up || exit 1
demo_log "workload: $DEMO_SESSIONS users, think ${DEMO_THINK}s mean, line rate $DEMO_LINE_RATE B/s;" \
    "$DEMO_POP3_SESSIONS POP3 users, RETRs at $DEMO_POP3_RATE B/s;" \
    "model: $DEMO_PAGES pages, hot $DEMO_HOT_PAGES, dirty $DEMO_DIRTY_RATE pages/s"

n=1
while [ $n -le "$DEMO_RUNS" ]; do
	for pol in stock migstate; do
		demo_log "run $n: $pol"
		demo_run "$pol" "$DEMO_DIR/out/$pol-$n" "$n" || exit 1
		awk -F= '$1=="iterations"||$1=="downtime_ms"||$1=="total_ms"{printf "%s=%s ", $1, $2}
		    END{print ""}' "$DEMO_DIR/out/$pol-$n/harness.txt" >&2
	done
	n=$((n + 1))
done

echo
sh "$DEMO_SRC/report.sh" "$DEMO_DIR/out" "$DEMO_TITLE"
res=${DEMO_OUT:-$B/demo}
rm -rf "$res" && mkdir -p "$res" && cp -r "$DEMO_DIR/out/." "$res/"
echo "results: $res (table.txt, runs.tsv, qos.png, per-run logs); took $(( $(date +%s) - t0 )) s"
