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

# bench_port: a free TCP port on 127.0.0.1.
bench_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# bench_up NAME PORT: wait until something listens on PORT; else say so
# (NAME: the benchmark), show the tail of $T's logs and exit 1.
bench_up() {
	_i=100
	until python3 -c "import socket; socket.create_connection(('127.0.0.1', $2), 1)" 2>/dev/null; do
		_i=$((_i - 1)); [ $_i -gt 0 ] || { echo "$1: nothing on port $2"; tail -n 5 "$T"/*.log; exit 1; }
		sleep 0.1
	done
}
