#!/bin/sh
# bench-trackers.sh: the HTTP tracker (proto/track_http.c) against Debian's
# libhttp-parser on the same corpus of pipelined HTTP/1.1 requests and
# responses.  Instructions per byte from callgrind (counted inside the
# parsing only, stable on a noisy machine) and MB/s from a native run.
# Two corpora: realistic (bodies of 0-3000 bytes, a fifth chunked) and
# heads only (every body empty: the parsers' worst case).
# Exit 77 if valgrind or libhttp-parser is missing.
PAIRS=${PAIRS:-20000}
ROUNDS=${ROUNDS:-20}
CC=${CC:-cc}
command -v valgrind >/dev/null 2>&1 || { echo "valgrind not installed"; exit 77; }
[ -f /usr/include/http_parser.h ] || { echo "libhttp-parser-dev not installed"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
$CC -std=gnu11 -O2 -g -Iproto -I. -o "$tmp/trackbench" tests/bench/trackbench.c \
    proto/track.c proto/track_http.c proto/track_pop3.c proto/track_ftp.c \
    proto/track_smtp.c proto/track_imap.c -lhttp_parser || exit 1

echo "HTTP/1.1 pipelined, $PAIRS request/response pairs a round"
printf '%-12s %-11s %12s %12s %9s %9s\n' corpus parser bytes Ir Ir/byte MB/s
for corpus in realistic heads; do
	for p in track http_parser; do
		arg=; [ $corpus = heads ] && arg=heads
		out=$(valgrind --tool=callgrind --toggle-collect=bench_run \
		    --callgrind-out-file="$tmp/cg" "$tmp/trackbench" $p "$PAIRS" 1 $arg 2>&1) ||
		    { echo "$out"; exit 1; }
		ir=$(echo "$out" | sed -n 's/.*Collected : *//p')
		bytes=$(echo "$out" | sed -n 's/.*bytes=\([0-9]*\).*/\1/p')
		mbps=$("$tmp/trackbench" $p "$PAIRS" "$ROUNDS" $arg | sed -n 's/.*MBps=//p')
		printf '%-12s %-11s %12s %12s %9.2f %9s\n' $corpus $p "$bytes" "$ir" \
		    "$(echo "$ir $bytes" | awk '{ print $1 / $2 }')" "$mbps"
	done
done
