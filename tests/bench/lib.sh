# lib.sh - helpers shared by the benchmarks (sourced).

# bench_median: the median of the numbers on stdin, one a line (the mean of
# the middle two for an even count); "n/a" if there are none.
bench_median() {
	sort -n | awk '{ a[NR] = $1 } END {
		if (NR == 0) print "n/a";
		else if (NR % 2) print a[(NR + 1) / 2];
		else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# bench_wrk_us: wrk's latencies on stdin (e.g. 850.00us, 1.23ms, 2.01s) in
# microseconds, one a line.
bench_wrk_us() {
	awk '{ v = $1; u = v; sub(/^[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
	       f = (u == "us") ? 1 : (u == "ms") ? 1000 : (u == "s") ? 1000000 : 60000000;
	       printf "%.0f\n", v * f }'
}
