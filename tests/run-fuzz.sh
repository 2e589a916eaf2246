#!/bin/sh
# run-fuzz.sh SECONDS FUZZER...: run each libFuzzer target for SECONDS on a
# scratch copy of its seed corpus (tests/fuzz/corpus/<name>/); print the
# executions it made.  Exit 1 if any target found a crash.
secs=$1; shift
rc=0
for f in "$@"; do
	name=$(basename "$f")
	work=$(mktemp -d)
	[ -d "tests/fuzz/corpus/$name" ] && cp -r "tests/fuzz/corpus/$name/." "$work/"
	log=$work/fuzz.log
	if "$f" -max_total_time="$secs" -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$work/" "$work" >"$log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		echo "FUZZ $name: ${execs:-?} executions in ${secs}s, no crash"
	else
		echo "FUZZ $name: FAILED; last lines:"; tail -n 40 "$log" | sed 's/^/    /'
		for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do
			[ -f "$a" ] && { mkdir -p fuzz-artifacts; cp "$a" "fuzz-artifacts/$name-$(basename "$a")"; }
		done
		rc=1
	fi
	rm -rf "$work"
done
exit $rc
