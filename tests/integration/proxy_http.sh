#!/bin/sh
# proxy_http.sh - Apache (without mod_migstate) behind the proxy with
# implicit TLS: curl https:// sees a random 5 MiB file intact and a
# resumed TLS session works; the counts follow mod_migstate's scenarios:
# a keep-alive connection between requests -> idle; a slow CGI ->
# processing; a 5 MiB response read slowly -> writing_large.
. "$(dirname "$0")/proxy_lib.sh"
need curl
make_cert
start_apache
HS=$(free_port)
write_proxy_conf \
    "[service https]" "listen = 127.0.0.1:$HS" "backend = 127.0.0.1:$DHTTP" \
    "protocol = http" "tls = implicit" "cert = $T/cert.pem" "key = $T/key.pem"
start_proxy_agent 1

curl -sSk --max-time 30 "https://127.0.0.1:$HS/5m.bin" -o "$T/5m.got" || fail "curl https"
cmp -s "$T/5m.got" "$T/www/5m.bin" || fail "5 MiB differs through the proxy"
# Two requests on one connection, then a new connection resuming the session.
curl -sSk --max-time 30 "https://127.0.0.1:$HS/small.txt" "https://127.0.0.1:$HS/small.txt" \
    > "$T/two" || fail "curl keep-alive"
[ "$(grep -c hello "$T/two")" -eq 2 ] || fail "keep-alive: $(cat "$T/two")"
timeout 20 python3 -c '
import socket, ssl, sys
ctx = ssl._create_unverified_context()
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
sess = None
for i in range(2):
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))), session=sess)
    s.sendall(b"GET /small.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    while s.recv(4096): pass
    print("reused", s.session_reused)
    sess = s.session
    s.close()' "$HS" > "$T/resume" 2>&1 || fail "resumption client: $(cat "$T/resume")"
grep -q 'reused True' "$T/resume" || fail "TLS session not resumed: $(cat "$T/resume")"
echo "ok: curl https:// (5 MiB intact, keep-alive), TLS 1.2 session resumed"

state_now 'total=0 ' 20
start_step 127.0.0.1 "$HS" --tls
state_now 'total=1 .* new=1 '
step 'send GET /small.txt HTTP/1.1'
step 'send Host: localhost'
step 'send'
step 'expect ^hello'
state_now 'total=1 unsuitable=0 .* idle=1 '
echo "ok: keep-alive between requests -> idle"

step 'send GET /cgi-bin/slow.cgi?h1 HTTP/1.1'
step 'send Host: localhost'
step 'send'
state_now 'total=1 unsuitable=1 .* processing=1 '
sleep 0.5
last_state | grep -qE 'processing=1 ' || fail "slow CGI: $(last_state)"
touch "$T/holds/h1"
step 'expect ^slept'
state_now 'total=1 unsuitable=0 .* idle=1 '
echo "ok: slow CGI -> processing, then idle"

step 'send GET /5m.bin HTTP/1.1'
step 'send Host: localhost'
step 'send'
step 'expect ^Content-Length: 5242880'
step 'expect ^$'
step_bg 'slowbytes 5242880 1000000'
state_now 'total=1 unsuitable=0 .* writing_large=1 '
step_wait
state_now 'total=1 unsuitable=0 .* idle=1 '
echo "ok: 5 MiB read slowly -> writing_large, then idle"
step 'close'
stop_step
state_now 'total=0 ' 20
agent_alive
echo "PASS"
