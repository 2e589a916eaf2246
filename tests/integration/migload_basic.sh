#!/bin/sh
# migload_basic.sh - migload against a plain Apache (HTTPS, MPM event) on
# loopback, serving the file set migload makes: every page request and
# download completes Good with no error; the request mix follows the
# Support shares; downloads are read at the line rate (not faster); the
# window option counts a sub-range; a bad certificate is refused unless
# --insecure.
set -u
: "${B:=build}"
M=$B/tests/migload/migload
[ -x "$M" ] || { echo "SKIP: $M not built"; exit 77; }
command -v apache2 >/dev/null 2>&1 || { echo "SKIP: needs apache2"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (Apache's User)"; exit 77; }
DEMO_SRC=tests/demo
. "$DEMO_SRC/common.sh"
DEMO_DIR=$(mktemp -d)
cleanup() {
	[ -f "$DEMO_DIR/run/httpd.pid" ] && kill "$(cat "$DEMO_DIR/run/httpd.pid")" 2>/dev/null
	sleep 0.3
	rm -rf "$DEMO_DIR"
}
[ -n "${KEEP:-}" ] || trap cleanup EXIT
trap 'exit 1' INT TERM
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

$M --help | grep -q -- '--line-rate' || bad "--help lacks --line-rate"
demo_tree || exit 1
DEMO_GADDR=127.0.0.1
DEMO_PORT=$((20000 + $$ % 20000))
demo_apache_conf 0
apache2 -f "$DEMO_DIR/httpd.conf" -k start || { cat "$DEMO_DIR/logs/error.log"; exit 1; }
i=0
until [ -s "$DEMO_DIR/run/httpd.pid" ] && ss -Hltn "sport = :$DEMO_PORT" | grep -q .; do
	i=$((i + 1)); [ $i -gt 50 ] && { echo "Apache did not start"; exit 1; }; sleep 0.1
done
URL=https://127.0.0.1:$DEMO_PORT/

# Verification on: a self-signed certificate must fail every request.
$M -u "$URL" -c 2 -d 2 --progress 0 --csv "$DEMO_DIR/v.csv" >"$DEMO_DIR/v.txt" 2>&1
awk -F, 'NR > 1 && $13 != "tls" { n++ } END { exit n > 0 }' "$DEMO_DIR/v.csv" ||
    bad "requests succeeded against an unverifiable certificate"
[ "$(awk -F, 'NR > 1' "$DEMO_DIR/v.csv" | wc -l)" -gt 0 ] || bad "no request tried with verification on"

# The run: 20 users, short think times, fast pages, 1 MB/s downloads.
t0=$(date +%s%3N)
$M -u "$URL" -k -c 20 -d 12 -s 7 --think-mean 0.3 --page-rate 0 --line-rate 1000000 \
    --burst 16384 --progress 0 --csv "$DEMO_DIR/run.csv" \
    --window "$((t0 + 4000)),$((t0 + 8000))" >"$DEMO_DIR/run.txt" 2>&1 || bad "migload exited $?"
cat "$DEMO_DIR/run.txt"
awk -F, '
NR == 1 { next }
{ n++; k[$5]++ }
$6 == 1 { if ($12 != "good" || $13 != "") bad++
	  # no faster than the line, give or take the bucket and a TLS record
	  if ($4 == "download") { dl++; if ($10 < ($8 - 32768) / 1000) fast++ }
	  if ($4 == "page" && ($7 < 9 || $7 > 29)) badimg++ }
END {
	if (n < 200) { print "FAIL: only " n " records"; exit 1 }
	if (bad) { print "FAIL: " bad " records not good"; exit 1 }
	if (dl < 3) { print "FAIL: only " dl " downloads"; exit 1 }
	if (fast) { print "FAIL: " fast " downloads faster than the line rate"; exit 1 }
	if (badimg) { print "FAIL: " badimg " pages outside 8-28 images"; exit 1 }
	split("home 8.1 search 12.6 catalog 11.7 product 24.8 fileCatalog 22.5 file 13.5 download 6.76", s, " ")
	for (i = 1; i < 14; i += 2) { p = 100 * k[s[i]] / n
		printf "%-12s %5.1f%% (Support: %s%%)\n", s[i], p, s[i + 1]
		if (p < s[i + 1] / 2 || p > s[i + 1] * 2) { print "FAIL: share of " s[i]; exit 1 } }
}' "$DEMO_DIR/run.csv" || fails=$((fails + 1))
grep -q '^window  all' "$DEMO_DIR/run.txt" || bad "no window lines"
run=$(awk '$1 == "run" && $2 == "all" { print $3 }' "$DEMO_DIR/run.txt")
win=$(awk '$1 == "window" && $2 == "all" { print $3 }' "$DEMO_DIR/run.txt")
[ -n "$win" ] && [ "$win" -gt 0 ] && [ "$win" -lt "$run" ] || bad "window $win of run $run"
grep -q 'errors=0 resets=0' "$DEMO_DIR/run.txt" || bad "errors or resets"

[ $fails -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "migload_basic: all assertions passed"
