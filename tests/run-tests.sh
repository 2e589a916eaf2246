#!/bin/sh
# run-tests.sh KIND TEST...: run each test (a binary or a .sh script), keep
# its output in $B/test-logs/, print PASS/FAIL/SKIP per test and a closing
# "N passed, N failed, N skipped" line.  Exit 1 if any failed.
# A script exits 77 to say it was skipped (a missing facility, said why).
kind=$1; shift
B=${B:-build}
logs=$B/test-logs
mkdir -p "$logs"
pass=0 fail=0 skip=0 failed=
for t in "$@"; do
	name=$(echo "$t" | sed 's|^\./||; s|/|_|g')
	log=$logs/$name.log
	start=$(date +%s)
	case $t in
	*.sh)	B=$B timeout 900 sh "$t" >"$log" 2>&1 ;;
	*)	timeout 600 "$t" >"$log" 2>&1 ;;
	esac
	rc=$?
	secs=$(( $(date +%s) - start ))
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1)); echo "PASS $t (${secs}s)"
	elif [ $rc -eq 77 ]; then
		skip=$((skip + 1)); echo "SKIP $t: $(tail -n 1 "$log")"
	else
		fail=$((fail + 1)); failed="$failed $t"
		echo "FAIL $t (exit $rc, ${secs}s); last lines of $log:"
		tail -n 30 "$log" | sed 's/^/    /'
	fi
done
[ -n "$failed" ] && echo "failed:$failed"
echo "$kind: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
