#!/bin/sh
# report.sh OUT [TITLE] - the demo's and the bench's report, from the runs
# under OUT (folders <policy>-<n>/ left by common.sh's demo_run):
#   - the timeline of the first migstate run (one line per policy call, from
#     migbridge's decision log),
#   - OUT/runs.tsv (one line per run) and the side-by-side table, stock vs
#     migstate, means over the runs (printed and in OUT/table.txt),
#   - OUT/qos.png, a bar chart (gnuplot) like the seed's figure 6.
# QoS is counted over the records (page requests with their images, and
# downloads) overlapping the window around the pause (OUT/*/window).
# POP3 (when the runs had it): migload's POP3 records (one per command,
# RETRs judged by size and time: migload(1)) the same way, and the POP3
# connections the agent reported at the freeze (OUT/*/states.log, the
# agent's last STATE before the freeze, its pop3 record).
set -u
out=$1
title=${2:-"stock vs migstate"}

# One run's figures, tab-separated (header: see the printf below).
report_run() {
	d=$1
	pol=$(basename "$d" | sed 's/-[0-9]*$//')
	awk -F, -v w="$(cat "$d/window" 2>/dev/null)" '
	BEGIN { split(w, a, " "); ws = a[1] + 0; we = a[2] + 0 }
	NR == 1 || $12 == "-" { next }
	{ rn++; r[$12]++ }
	ws > 0 && $2 >= ws && $1 <= we { wn++; q[$12]++ }
	END {
		printf "%d\t%.1f\t%.1f\t%.1f\t%d\t%.1f\t%.1f\t%.1f\t", wn,
		    wn ? 100 * q["good"] / wn : 0, wn ? 100 * q["tolerable"] / wn : 0,
		    wn ? 100 * q["fail"] / wn : 0, rn, rn ? 100 * r["good"] / rn : 0,
		    rn ? 100 * r["tolerable"] / rn : 0, rn ? 100 * r["fail"] / rn : 0
	}' "$d/load.csv"
	# Unsuitable at the stop: migstate, the verdict that stopped; both, the
	# state migbridge held when the suspend command ran.
	vu=$(grep ' verdict=stop' "$d/decisions.log" 2>/dev/null | tail -1 |
	    sed -n 's/.* unsuitable=\([0-9]*\).*/\1/p')
	su=$(sed -n 's/.*"unsuitable":\([0-9]*\).*/\1/p' "$d/stop-state.json" 2>/dev/null |
	    head -1)
	defs=$(grep -c 'reason=defer' "$d/decisions.log" 2>/dev/null)
	resets=$(sed -n 's/.* resets=\([0-9]*\).*/\1/p' "$d/load.txt" | head -1)
	pause=$(awk '$1=="freeze"{a=$2} $1=="thawed"{b=$2} END{print (a&&b) ? b-a : "-"}' \
	    "$d/pause.log" 2>/dev/null)
	awk -F= -v pol="$pol" -v vu="${vu:--}" -v su="${su:--}" -v defs="${defs:-0}" \
	    -v resets="${resets:--}" -v pause="${pause:--}" '
	$1 == "downtime_ms" { dt = $2 } $1 == "total_ms" { tt = $2 }
	$1 == "iterations" { it = $2 } $1 == "stop_pages" { sp = $2 }
	END { printf "%s\t%s\t%s\t%s\t%.0f\t%.0f\t%s\t%s\t%s\t%s\t", vu, su, defs, it, dt,
	    tt, sp, pause, resets, pol }' "$d/harness.txt"
	# The page requests alone (the seed's "responses"): in the window, and
	# those in flight when the guest froze (what the policy can change).
	awk -F, -v w="$(cat "$d/window" 2>/dev/null)" \
	    -v fz="$(awk '$1 == "freeze" { print $2 }' "$d/pause.log" 2>/dev/null)" '
	BEGIN { split(w, a, " "); ws = a[1] + 0; we = a[2] + 0; fz += 0 }
	NR == 1 || $12 == "-" || $4 != "page" { next }
	ws > 0 && $2 >= ws && $1 <= we { wn++; q[$12]++ }
	fz > 0 && $1 < fz && $2 > fz { fn++; g[$12]++ }
	END { printf "%d\t%.1f\t%.1f\t%.1f\t%d\t%.1f\t%.1f\t%.1f\t", wn,
	    wn ? 100 * q["good"] / wn : 0, wn ? 100 * q["tolerable"] / wn : 0,
	    wn ? 100 * q["fail"] / wn : 0, fn, fn ? 100 * g["good"] / fn : 0,
	    fn ? 100 * g["tolerable"] / fn : 0, fn ? 100 * g["fail"] / fn : 0 }' "$d/load.csv"
	report_pop3 "$d"
}

# The POP3 columns (28..46): "-" when the run had no POP3 clients.
report_pop3() {
	d=$1
	fz=$(awk '$1 == "freeze" { print $2 }' "$d/pause.log" 2>/dev/null)
	if [ ! -s "$d/pop3.csv" ]; then
		printf -- '-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\n'
		return
	fi
	awk -F, -v w="$(cat "$d/window" 2>/dev/null)" -v fz="${fz:-0}" '
	BEGIN { split(w, a, " "); ws = a[1] + 0; we = a[2] + 0; fz += 0 }
	NR == 1 || $12 == "-" { next }
	{ rn++; r[$12]++ }
	ws > 0 && $2 >= ws && $1 <= we { wn++; q[$12]++; if ($4 == "retr") { tn++; t[$12]++ } }
	fz > 0 && $1 < fz && $2 > fz { fn++; g[$12]++ }
	END { printf "%d\t%.1f\t%.1f\t%.1f\t%d\t%.1f\t%.1f\t%d\t%.1f\t%.1f\t%.1f\t%d\t%.1f\t",
	    wn, wn ? 100 * q["good"] / wn : 0, wn ? 100 * q["tolerable"] / wn : 0,
	    wn ? 100 * q["fail"] / wn : 0, rn, rn ? 100 * r["good"] / rn : 0,
	    rn ? 100 * r["fail"] / rn : 0, fn, fn ? 100 * g["good"] / fn : 0,
	    fn ? 100 * g["tolerable"] / fn : 0, fn ? 100 * g["fail"] / fn : 0, tn,
	    tn ? 100 * (t["good"] + t["tolerable"]) / tn : 0 }' "$d/pop3.csv"
	# The agent's last pop3 record before the freeze.
	awk -v fz="${fz:-0}" '
	function f(k,   i, n) { for (i = 2; i <= NF; i++) { n = index($i, "=");
		if (substr($i, 1, n - 1) == k) return substr($i, n + 1) + 0 } return 0 }
	$3 == "proto=pop3" && $1 <= fz + 0 { tot = f("total"); un = f("unsuitable");
		idle = f("idle"); wl = f("writing_large"); ah = f("new") + f("handshake") + f("auth")
		rp = f("reading") + f("processing"); ws = f("writing_small"); seen = 1 }
	END { if (seen) printf "%d\t%d\t%d\t%d\t%d\t%d\n", tot, un, idle, wl, ah, rp + ws
	    else printf "-\t-\t-\t-\t-\t-\n" }' "$d/states.log" 2>/dev/null ||
	    printf -- '-\t-\t-\t-\t-\t-\n'
}

report_timeline() {
	d=$1
	[ -s "$d/decisions.log" ] || { echo "(no decisions logged)"; return; }
	echo "timeline of $(basename "$d") (migbridge's decision log, one line per policy call;"
	echo "  dirty: pages dirtied since the last round, what a stop then would send):"
	awk -v H="$d/harness.txt" '
	function f(k,   i, n, kv) { for (i = 1; i <= NF; i++) { n = index($i, "=");
		if (substr($i, 1, n - 1) == k) return substr($i, n + 1) } return "-" }
	BEGIN { while ((getline l < H) > 0) {
		if (l ~ /^stop_pages=/) { sub("stop_pages=", "", l); stop = l }
		if (l !~ /^call=/ || l ~ / dirty=-1 /) continue
		n = split(l, kv, " "); it = ""; dv = ""
		for (i = 1; i <= n; i++) { if (kv[i] ~ /^iter=/) it = substr(kv[i], 6)
			if (kv[i] ~ /^dirty=/) dv = substr(kv[i], 7) }
		dirty[it] = dv } 
		close(H)
		while ((getline l < H) > 0) if (l ~ /^call=1 /) {
			sub(/.*wall_ms=/, "", l); t0 = l + 0 } }
	/ end / { printf "  %8.1fs  end: result %s, %s deferrals\n", (f("t") - t0) / 1e3,
		f("result"), f("deferrals"); next }
	{ if (!t0) t0 = f("t")
	  if (!shown++) printf "  %8.1fs  migration starts; the stock rule continues through iteration %d (no query)\n",
	    0, f("iter") - 1
	  dv = f("iter") in dirty ? dirty[f("iter")] : f("verdict") == "stop" ? stop : "-"
	  printf "  %8.1fs  iter %3s dirty %6s  unsuitable %2s/%-3s tol %2s  [read %s proc %s small %s hs %s]  %-8s (%s)\n",
	    (f("t") - t0) / 1e3, f("iter"), dv, f("unsuitable"), f("total"),
	    f("tolerance"), f("reading"), f("processing"), f("writing_small"),
	    f("handshake"), f("verdict"), f("reason") }' "$d/decisions.log"
}

{
	printf "run\twin_n\twin_good\twin_tol\twin_fail\trun_n\trun_good\trun_tol\trun_fail\t"
	printf "unsuit_verdict\tunsuit_state\tdeferrals\titerations\tdowntime_ms\ttotal_ms\t"
	printf "stop_pages\tpause_ms\tresets\tpolicy\twin_pages\tpage_good\tpage_tol\tpage_fail\t"
	printf "inflight_pages\tif_good\tif_tol\tif_fail\t"
	printf "pop3_win_n\tpop3_win_good\tpop3_win_tol\tpop3_win_fail\tpop3_run_n\t"
	printf "pop3_run_good\tpop3_run_fail\tpop3_inflight\tpop3_if_good\tpop3_if_tol\t"
	printf "pop3_if_fail\tpop3_win_retr\tpop3_retr_within_tol\tpop3_conns_stop\t"
	printf "pop3_unsuit_stop\tpop3_idle_stop\tpop3_large_stop\tpop3_login_stop\t"
	printf "pop3_busy_stop\n"
	for d in "$out"/stock-* "$out"/migstate-*; do
		[ -f "$d/harness.txt" ] || continue
		printf "%s\t" "$(basename "$d")"
		report_run "$d"
	done
} >"$out/runs.tsv"

first=$(ls -d "$out"/migstate-* 2>/dev/null | head -1)
[ -n "$first" ] && report_timeline "$first"
echo

# Means per policy, side by side.
awk -F'\t' -v title="$title" '
NR == 1 { next }
{ p = $19; n[p]++; for (i = 2; i <= NF; i++) if (i != 19 && $i != "-") { s[p, i] += $i; c[p, i]++ } }
function m(p, i) { return c[p, i] ? s[p, i] / c[p, i] : -1 }
function row(label, i, fmt,   a, b) {
	a = m("stock", i); b = m("migstate", i)
	printf "  %-42s %12s %12s\n", label, a < 0 ? "-" : sprintf(fmt, a),
	    b < 0 ? "-" : sprintf(fmt, b)
}
END {
	printf "%s (means over %d stock and %d migstate runs)\n", title, n["stock"],
	    n["migstate"]
	printf "  %-42s %12s %12s\n", "", "stock", "migstate"
	row("window: page requests", 20, "%.0f")
	row("window: pages Good %", 21, "%.1f")
	row("window: pages Tolerable %", 22, "%.1f")
	row("window: pages Fail %", 23, "%.1f")
	printf "  %-42s %12.1f %12.1f\n", "window: pages within tolerable %",
	    m("stock", 21) + m("stock", 22), m("migstate", 21) + m("migstate", 22)
	row("in flight at the freeze: page requests", 24, "%.1f")
	row("in flight at the freeze: Good %", 25, "%.1f")
	row("in flight at the freeze: Tolerable %", 26, "%.1f")
	row("in flight at the freeze: Fail %", 27, "%.1f")
	row("window: requests (pages and downloads)", 2, "%.0f")
	row("window: Good %", 3, "%.1f")
	row("window: Tolerable %", 4, "%.1f")
	row("window: Fail %", 5, "%.1f")
	for (p in n) { w[p] = m(p, 3) + m(p, 4) }
	printf "  %-42s %12.1f %12.1f\n", "window: within tolerable (Good+Tol) %",
	    w["stock"], w["migstate"]
	row("whole run: requests", 6, "%.0f")
	row("whole run: Good %", 7, "%.1f")
	row("whole run: Fail %", 9, "%.1f")
	row("unsuitable at the stop (stopping verdict)", 10, "%.1f")
	row("unsuitable at the stop (migbridge state)", 11, "%.1f")
	row("deferrals", 12, "%.1f")
	row("precopy iterations", 13, "%.1f")
	row("downtime, modelled (ms)", 14, "%.0f")
	row("pause, measured freeze..thaw (ms)", 17, "%.0f")
	row("total migration time (ms)", 15, "%.0f")
	row("client connections reset", 18, "%.1f")
	a = m("stock", 15); b = m("migstate", 15)
	if (a > 0 && b > 0)
		printf "  %-42s %25s\n", "total migration time, migstate vs stock",
		    sprintf("%+.1f%%", 100 * (b - a) / a)
	if (m("stock", 28) >= 0 || m("migstate", 28) >= 0) {
		printf "  POP3 (pop3s through the agent proxy; one record per command)\n"
		row("window: POP3 commands", 28, "%.0f")
		row("window: POP3 Good %", 29, "%.1f")
		row("window: POP3 Tolerable %", 30, "%.1f")
		row("window: POP3 Fail %", 31, "%.1f")
		printf "  %-42s %12s %12s\n", "window: POP3 within tolerable %",
		    m("stock", 29) < 0 ? "-" : sprintf("%.1f", m("stock", 29) + m("stock", 30)),
		    m("migstate", 29) < 0 ? "-" : sprintf("%.1f", m("migstate", 29) + m("migstate", 30))
		row("window: RETRs", 39, "%.1f")
		row("window: RETRs within tolerable %", 40, "%.1f")
		row("in flight at the freeze: POP3 commands", 35, "%.1f")
		row("in flight at the freeze: POP3 Fail %", 38, "%.1f")
		row("whole run: POP3 commands", 32, "%.0f")
		row("whole run: POP3 Good %", 33, "%.1f")
		row("whole run: POP3 Fail %", 34, "%.1f")
		row("POP3 conns at the stop (agent): total", 41, "%.1f")
		row("POP3 conns at the stop: unsuitable", 42, "%.1f")
		row("  idle in TRANSACTION (suitable)", 43, "%.1f")
		row("  RETR >= 4 MiB (suitable)", 44, "%.1f")
		row("  new / TLS handshake / login", 45, "%.1f")
		row("  command or small RETR in progress", 46, "%.1f")
	}
	for (p in n) printf "%s %.2f %.2f %.2f %.2f %.2f %.2f %.2f %.2f %.2f\n", p, m(p, 3),
	    m(p, 4), m(p, 5), m(p, 3) + m(p, 4), m(p, 11) < 0 ? 0 : m(p, 11), m(p, 21),
	    m(p, 22), m(p, 23), m(p, 21) + m(p, 22) >"/dev/stderr"
}' "$out/runs.tsv" 2>"$out/chart.dat" | tee "$out/table.txt"

if command -v gnuplot >/dev/null 2>&1; then
	sort -r "$out/chart.dat" >"$out/chart.sorted"
	gnuplot <<GP 2>/dev/null || echo "(gnuplot failed; no chart)"
set terminal pngcairo size 1000,500 font "sans,11"
set output "$out/qos.png"
set multiplot layout 1,2 title "$title (page requests with their images; downloads in table.txt)"
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.8 border -1
set grid ytics
set title "page requests around the pause"
set ylabel "% of page requests"
set yrange [0:125]
set ytics 0, 20, 100
set key top center horizontal
plot "$out/chart.sorted" using 7:xtic(1) title "Good", \\
     "" using 10 title "within tolerable", \\
     "" using 9 title "Fail"
set title "unsuitable connections at the stop"
set ylabel "connections (mean)"
set yrange [0:*]
set ytics autofreq
set key off
plot "$out/chart.sorted" using 6:xtic(1) title "unsuitable" lc rgb "#c03030"
unset multiplot
GP
	[ -s "$out/qos.png" ] && echo "chart: $out/qos.png"
fi
