#!/bin/sh
# migbridge -n: a table of bad configurations, each with the error text
# that must appear (with file:line); every error reported at once; good
# configurations (and the packaged default) pass.
. "$(dirname "$0")/bridge-lib.sh"

# check NAME EXPECTED-REGEX: config body on stdin.
check() {
	cat > "$T/$1.conf"
	out=$($MB -n -f "$T/$1.conf" 2>&1) && fail "$1: accepted"
	echo "$out" | grep -Eq "^$T/$1.conf:[0-9]+: $2" || fail "$1: got '$out', want '$2'"
	echo "ok $1: $out"
}

printf '[bridge]\nmode = vchan\n' | check mode 'mode: "vchan" is not unix or xen'
printf '[bridge]\nquery_timeout = fast\n' | check dur 'query_timeout: "fast" is not a duration'
printf '[bridge]\nquery_timeout = 0\n' | check zero 'query_timeout: 0 is out of range'
printf '[bridge]\nstale_after = 2h\n' | check unit 'stale_after: "2h" is not a duration'
printf '[bridge]\nforget_after = 500ms\n' | check range 'forget_after: 500 is out of range'
printf '[bridge]\nmax_frame_rate = -5\n' | check neg 'max_frame_rate: "-5" is not a whole number'
printf '[bridge]\nagent_socket = rel.sock\n' | check rel 'agent_socket: "rel.sock" is not an absolute path'
printf '[bridge]\nquery_socket = /%0120d\n' 0 | check long 'query_socket: value longer than 107 bytes'
printf '[bridge]\nagent_socket = /x\nquery_socket = /x\n' | check same 'agent_socket and query_socket are the same path'
printf '[bridge]\nfoo = 1\n' | check key 'unknown key "foo" in \[bridge\]'
printf '[bogus]\nx = 1\n' | check section 'unknown section \[bogus\]'
printf 'mode = unix\n' | check nosection 'key "mode" outside a section'
printf '[bridge]\nthis is not ini\n' | check syntax 'syntax error'
printf '[policy]\nenabled = maybe\n' | check bool 'enabled: "maybe" is not yes or no'
printf '[policy]\ndeferrals_per_step = 0\n' | check steps 'deferrals_per_step: 0 is out of range'
printf '[policy]\nmax_iterations = 0\n' | check iter 'max_iterations: 0 is out of range'
printf '[policy]\ndeadline = soon\n' | check deadline 'deadline: "soon" is not a duration'
printf '[policy]\ntolerance_cap = 99999999999\n' | check cap 'tolerance_cap: 99999999999 is out of range'

# Every error at once, each with its line.
printf '[bridge]\nmode = x\n# fine\n[policy]\nenabled = 2\ndeadline = x\n' > "$T/multi.conf"
out=$($MB -n -f "$T/multi.conf" 2>&1) && fail "multi: accepted"
echo "$out"
[ "$(echo "$out" | wc -l)" -eq 3 ] || fail "multi: not 3 errors"
echo "$out" | grep -q "multi.conf:2: mode" && echo "$out" | grep -q "multi.conf:5: enabled" &&
	echo "$out" | grep -q "multi.conf:6: deadline" || fail "multi: line numbers"

out=$($MB -n -f "$T/absent.conf" 2>&1) && fail "missing -f file accepted"
echo "$out" | grep -q "absent.conf.*cannot open" || fail "missing file: $out"

printf '[bridge]\nmode = xen\nquery_timeout = 5ms\nstale_after = 500ms\n[policy]\ndeadline = 0\nenabled = off\n' > "$T/good.conf"
[ "$($MB -n -f "$T/good.conf" 2>&1)" = "configuration OK" ] || fail "good config rejected"
pkg="$(dirname "$0")/../../packaging/migbridge.conf"
[ "$($MB -n -f "$pkg" 2>&1)" = "configuration OK" ] || fail "packaged default rejected"
# A bad configuration also stops the daemon at start-up.
$MB -d -f "$T/mode.conf" 2>/dev/null && fail "daemon started with a bad config"
echo "PASS"
