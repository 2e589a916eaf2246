#!/bin/sh
# proxy_pop3.sh - dovecot's POP3 behind the proxy: implicit TLS (pop3s),
# STARTTLS done by the proxy (STLS offered in CAPA although dovecot's own
# listener has no TLS), a PROXY v2 listener; curl, openssl s_client and
# python's poplib see the mailbox intact; the agent's counts follow a
# session: greeting/USER/PASS -> auth; logged-in idle -> idle (suitable);
# a 5 MiB RETR read slowly -> writing_large (suitable); a 10 KiB RETR ->
# unsuitable while in flight, never writing_large; QUIT -> none left.
. "$(dirname "$0")/proxy_lib.sh"
need curl
start_dovecot
make_cert
PS=$(free_port); PT=$(free_port); PX=$(free_port)
write_proxy_conf \
    "[service pop3s]" "listen = 127.0.0.1:$PS" "backend = 127.0.0.1:$DPOP" \
    "protocol = pop3" "tls = implicit" "cert = $T/cert.pem" "key = $T/key.pem" \
    "[service pop3]" "listen = 127.0.0.1:$PT" "backend = 127.0.0.1:$DPOP" \
    "protocol = pop3" "tls = starttls" "cert = $T/cert.pem" "key = $T/key.pem" \
    "buffer_size = 8K" \
    "[service pop3x]" "listen = 127.0.0.1:$PX" "backend = 127.0.0.1:$DPOPX" \
    "protocol = pop3" "tls = implicit" "cert = $T/cert.pem" "key = $T/key.pem" \
    "proxy_protocol = v2"
start_proxy_agent 3
SMALLF=$(ls "$T"/mail/test/cur/1000000001.*)
BIGF=$(ls "$T"/mail/test/cur/1000000002.*)

# --- curl over implicit TLS: LIST, then both messages byte for byte.
curl -sSk --max-time 30 -u test:secret "pop3s://127.0.0.1:$PS/" > "$T/list" ||
    fail "curl pop3s LIST"
SMALL=$(tr -d "\r" < "$T/list" | awk '$2 < 100000 { print $1 }')
BIG=$(tr -d "\r" < "$T/list" | awk '$2 > 5000000 { print $1 }')
[ -n "$SMALL" ] && [ -n "$BIG" ] || fail "LIST: $(cat "$T/list")"
curl -sSk --max-time 30 -u test:secret "pop3s://127.0.0.1:$PS/$BIG" > "$T/big" ||
    fail "curl pop3s RETR"
cmp -s "$T/big" "$BIGF" || fail "the 5 MiB message differs through pop3s"
echo "ok: curl pop3s:// LIST and RETR (5 MiB intact)"

# --- STARTTLS by the proxy: curl insists on TLS (--ssl-reqd), needs STLS in CAPA.
curl -sSk --max-time 30 --ssl-reqd -u test:secret "pop3://127.0.0.1:$PT/$SMALL" > "$T/small" ||
    fail "curl --ssl-reqd pop3:// (STARTTLS)"
cmp -s "$T/small" "$SMALLF" || fail "the 10 KiB message differs through STARTTLS"
curl -sSk --max-time 30 --ssl-reqd -u test:secret "pop3://127.0.0.1:$PT/$BIG" > "$T/big2" ||
    fail "curl --ssl-reqd pop3:// RETR big"
cmp -s "$T/big2" "$BIGF" || fail "the 5 MiB message differs through STARTTLS"
echo "ok: curl --ssl-reqd pop3:// (STLS by the proxy)"

# The CAPA before TLS offers STLS once; after TLS, not at all.
printf 'CAPA\r\nQUIT\r\n' | timeout 20 python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(sys.stdin.buffer.read())
d = b""
while True:
    b = s.recv(4096)
    if not b: break
    d += b
sys.stdout.write(d.decode())' "$PT" > "$T/capa.plain"
[ "$(grep -c '^STLS' "$T/capa.plain")" -eq 1 ] || fail "plain CAPA: $(cat "$T/capa.plain")"
printf 'CAPA\r\nQUIT\r\n' | timeout 20 openssl s_client -quiet -starttls pop3 \
    -connect "127.0.0.1:$PT" > "$T/capa.tls" 2> "$T/sclient.err" || true
grep -q '^USER' "$T/capa.tls" || fail "s_client -starttls pop3: no CAPA after TLS: $(cat "$T/capa.tls" "$T/sclient.err")"
grep -q '^STLS' "$T/capa.tls" && fail "STLS still offered after TLS"
echo "ok: openssl s_client -starttls pop3; STLS offered before TLS only"

# poplib.stls() checks CAPA itself.
timeout 30 python3 -c '
import poplib, ssl, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=20)
p.stls(context=ssl._create_unverified_context())
p.user("test"); p.pass_("secret")
print("stat", p.stat()[0]); p.quit()' "$PT" > "$T/poplib.out" 2>&1 ||
    fail "poplib stls: $(cat "$T/poplib.out")"
grep -q '^stat 2$' "$T/poplib.out" || fail "poplib: $(cat "$T/poplib.out")"
echo "ok: python poplib stls()"

# PROXY v2: dovecot's haproxy listener accepts only connections with it.
curl -sSk --max-time 30 -u test:secret "pop3s://127.0.0.1:$PX/" > "$T/listx" ||
    fail "curl through proxy_protocol = v2: $(tail -3 "$T/dc/dovecot.log")"
[ "$(wc -l < "$T/listx")" -eq 2 ] || fail "LIST via v2: $(cat "$T/listx")"
echo "ok: proxy_protocol = v2 accepted by dovecot"

# --- the counts follow a session (implicit TLS).
state_now 'total=0 ' 20
start_step 127.0.0.1 "$PS" --tls
step 'expect ^\+OK'
state_now 'total=1 .* auth=1 '
step 'send USER test'
step 'expect ^\+OK'
step 'send PASS secret'
step 'expect ^\+OK'
state_now 'total=1 unsuitable=0 .* idle=1 '
sleep 1
last_state | grep -qE 'total=1 unsuitable=0 .* idle=1 ' || fail "idle session not idle: $(last_state)"
echo "ok: auth -> idle (suitable)"

step "send RETR $BIG"
step 'expect ^\+OK'
step_bg 'slowdot 1000000'
state_now 'total=1 unsuitable=0 .* writing_large=1 '
sleep 1
last_state | grep -qE 'unsuitable=0 .* writing_large=1 ' || fail "slow 5 MiB RETR: $(last_state)"
step_wait
grep -q '^read 52' "$T/step.out" || fail "RETR read: $(grep '^read' "$T/step.out")"
state_now 'total=1 unsuitable=0 .* idle=1 '
echo "ok: 5 MiB RETR read slowly -> writing_large (suitable), then idle"

MARK=$(grep -c '^state ' "$T/tb.out")
step "send RETR $SMALL"
step 'expect ^\+OK'
step 'slowdot 20000'
state_now 'total=1 unsuitable=0 .* idle=1 '
grep '^state ' "$T/tb.out" | tail -n +"$((MARK + 1))" > "$T/small.states"
grep -q 'unsuitable=1 ' "$T/small.states" || fail "10 KiB RETR never unsuitable"
grep -q 'writing_large=1' "$T/small.states" && fail "10 KiB RETR counted writing_large"
echo "ok: 10 KiB RETR -> unsuitable while in flight"

step 'send QUIT'
step 'expect ^\+OK'
stop_step
state_now 'total=0 ' 20
agent_alive
echo "PASS"
