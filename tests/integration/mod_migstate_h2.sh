#!/bin/sh
# mod_migstate and HTTP/2 over TLS and in cleartext (h2c: prior knowledge,
# and curl's Upgrade from HTTP/1.1) with mod_http2, MPM event: streams count
# as requests of their primary connection, which is idle only when at least
# one stream completed and none is open.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$(dirname "$0")/lib-apache.sh"
ma_init
[ -f "$MA_MODDIR/mod_http2.so" ] || ma_skip "mod_http2 not available"
ma_conf event "Protocols h2c http/1.1"
ma_start

# slow_pair A B: a client holding at s0, then opening streams
# slow.cgi?A and ?B, holding at s1, then reading them: new while only the
# preface is in, processing while the streams run, idle once they ended.
slow_pair() {
	ma_expect 10 new=1
	ma_release s0
	ma_expect 10 processing=2
	ma_release "$1"
	ma_expect 10 processing=1
	ma_release "$2"
	ma_expect 10 idle=1
	ma_release s1
	ma_expect 10 idle=1
}

ma_log "--- h2: preface only, then two concurrent slow streams"
ma_client c1 --tls --h2 --port "$MA_SPORT" hold:s0 \
    "h2:/cgi/slow.cgi?h1,/cgi/slow.cgi?h2" hold:s1 h2wait:2 hold:s2 \
    "h2:/5m.bin,/1m.bin" hold:s3 h2wait:2 hold:s4
# Handshake done, nothing sent yet: new.
slow_pair h1 h2
ma_log "--- h2: 5 MiB and 1 MiB streams stalled by flow control"
ma_release s2
ma_expect 20 writing_large=1 writing_small=1
ma_release s3
ma_expect 20 idle=1
ma_release s4
ma_wait_client c1
grep -q "h2 streams ended=2" "$MA_DIR/c1.out" || ma_fail "h2 client: $(cat "$MA_DIR/c1.out")"
ma_expect 10
ma_kill_clients

ma_log "--- h2 and HTTP/1.1 side by side"
ma_client c1 --tls --h2 --port "$MA_SPORT" "h2:/cgi/slow.cgi?h3,/small.txt" hold:s1
ma_client c2 --tls --port "$MA_SPORT" "$(GET /cgi/slow.cgi?h4)" resp hold:s1
# h3 open (small.txt done) on the h2 connection, h4 on the other.
ma_expect 10 processing=2
ma_release h3
ma_release h4
ma_expect 10 idle=2
ma_release s1
ma_wait_client c1; ma_wait_client c2
ma_expect 10

ma_log "--- h2c, prior knowledge: the same, in cleartext"
ma_client c1 --h2 --port "$MA_PORT" hold:s0 "h2:/cgi/slow.cgi?c1,/cgi/slow.cgi?c2" \
    hold:s1 h2wait:2 hold:s2
slow_pair c1 c2
ma_release s2
ma_wait_client c1
grep -q "h2 streams ended=2" "$MA_DIR/c1.out" || ma_fail "h2c client: $(cat "$MA_DIR/c1.out")"
ma_expect 10

ma_log "--- h2c, Upgrade from HTTP/1.1: the request is stream 1, counted once"
ma_client c1 --port "$MA_PORT" "h2c:/cgi/slow.cgi?u1" hold:s1 h2wait:1
ma_expect 10 processing=1
ma_release u1
ma_release s1
ma_wait_client c1
grep -q "^status=101 " "$MA_DIR/c1.out" || ma_fail "h2c client: no 101: $(cat "$MA_DIR/c1.out")"
grep -q "h2 streams ended=1" "$MA_DIR/c1.out" || ma_fail "h2c client: $(cat "$MA_DIR/c1.out")"
# Apache closes an upgraded connection once its session idles (GOAWAY).
ma_expect 10

ma_log "--- h2c, Upgrade by curl --http2"
curl -s --http2 -o "$MA_DIR/u.out" -w '%{http_version}\n' \
    "http://127.0.0.1:$MA_PORT/cgi/slow.cgi?u2" >"$MA_DIR/u.ver" 2>&1 &
cpid=$!
ma_expect 10 processing=1
ma_release u2
wait "$cpid" || ma_fail "curl --http2 failed: $(cat "$MA_DIR/u.ver")"
[ "$(cat "$MA_DIR/u.ver")" = 2 ] || ma_fail "not upgraded to h2c: HTTP $(cat "$MA_DIR/u.ver")"
grep -q slept "$MA_DIR/u.out" || ma_fail "curl --http2: wrong body"
ma_expect 10
ma_stop
echo "PASS mod_migstate_h2"
