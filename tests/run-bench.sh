#!/bin/sh
# run-bench.sh SCRIPT...: run each benchmark script in turn, with its output
# shown and kept in $B/bench-logs/.  Benchmarks report figures; they do
# not pass or fail on them.  Exit 1 if a script itself failed.
B=${B:-build}
mkdir -p "$B/bench-logs"
rc=0
for s in "$@"; do
	name=$(basename "$s" .sh)
	echo "==== $name"
	if ! B=$B sh "$s" 2>&1 | tee "$B/bench-logs/$name.log"; then
		echo "==== $name: FAILED (see $B/bench-logs/$name.log)"
		rc=1
	fi
done
exit $rc
