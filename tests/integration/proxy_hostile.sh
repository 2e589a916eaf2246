#!/bin/sh
# proxy_hostile.sh - bad input: plaintext garbage on a TLS port, a TLS
# alert, a slowloris that never finishes its handshake, an idle client, an
# oversized line before STARTTLS, a line over the tracker's limit, a
# backend that refuses and one that resets, max_connections.  Each: one
# clear log line naming the service and client, that connection closed
# (the tracker error: counted busy, left open), the agent alive and still
# proxying.
. "$(dirname "$0")/proxy_lib.sh"
make_cert
EP=$(free_port); GP=$(free_port); RP=$(free_port); DEAD=$(free_port)
start_fake echo "$EP"
start_fake greet "$GP"
start_fake reset "$RP"
TLSP=$(free_port); IDP=$(free_port); STP=$(free_port); TRP=$(free_port)
REFP=$(free_port); RSTP=$(free_port); MAXP=$(free_port)
C="cert = $T/cert.pem"; K="key = $T/key.pem"
write_proxy_conf \
    "[service tls]" "listen = 127.0.0.1:$TLSP" "backend = 127.0.0.1:$EP" "protocol = tcp" \
    "tls = implicit" "$C" "$K" "handshake_timeout = 1s" \
    "[service idle]" "listen = 127.0.0.1:$IDP" "backend = 127.0.0.1:$EP" "protocol = tcp" \
    "idle_timeout = 1s" \
    "[service stls]" "listen = 127.0.0.1:$STP" "backend = 127.0.0.1:$GP" "protocol = pop3" \
    "tls = starttls" "$C" "$K" \
    "[service track]" "listen = 127.0.0.1:$TRP" "backend = 127.0.0.1:$GP" "protocol = pop3" \
    "[service refused]" "listen = 127.0.0.1:$REFP" "backend = 127.0.0.1:$DEAD" "protocol = tcp" \
    "[service reset]" "listen = 127.0.0.1:$RSTP" "backend = 127.0.0.1:$RP" "protocol = tcp" \
    "[service max]" "listen = 127.0.0.1:$MAXP" "backend = 127.0.0.1:$EP" "protocol = tcp" \
    "max_connections = 2"
start_proxy_agent 7

# raw PORT HEXBYTES [SECONDS]: connect, send, read until closed (bounded);
# prints what came back (hex) and "closed" if the peer closed.
raw() {
	timeout 20 python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(bytes.fromhex(sys.argv[2]))
s.settimeout(float(sys.argv[3]))
d = b""
try:
    while True:
        b = s.recv(4096)
        if not b:
            print("closed"); break
        d += b
except socket.timeout:
    print("open")
except ConnectionResetError:
    print("closed")
print(d.hex())' "$@" 2>/dev/null
}

# echo_ok PORT [--tls]: a line goes through and comes back.
echo_ok() {
	timeout 20 python3 -c '
import socket, ssl, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
if "--tls" in sys.argv:
    s = ssl._create_unverified_context().wrap_socket(s)
s.sendall(b"ping\r\n")
assert s.recv(100) == b"ping\r\n"' "$@" || fail "no echo through port $1"
}

echo_ok "$TLSP" --tls
# Garbage before TLS.
raw "$TLSP" "$(printf 'GET / HTTP/1.0\r\n\r\n' | od -v -An -tx1 | tr -d ' \n')" 5 | grep -q '^closed' ||
    fail "garbage before TLS: connection not closed"
wait_for "$T/agent.log" 'service tls: client 127.0.0.1:[0-9]+: TLS handshake failed: .*http request'
echo "ok: garbage before TLS -> closed, logged"
# A fatal TLS alert instead of a ClientHello (handshake_failure).
raw "$TLSP" 15030300020228 5 | grep -q '^closed' || fail "TLS alert: not closed"
wait_for "$T/agent.log" 'service tls: client .*TLS handshake failed' 2
echo "ok: TLS alert -> closed, logged"
# Slowloris: connects, sends half a record header, then nothing.
raw "$TLSP" 1603 5 | grep -q '^closed' || fail "slowloris: not closed"
wait_for "$T/agent.log" 'service tls: client .*TLS handshake: timed out'
echo "ok: slowloris handshake -> closed at handshake_timeout"
# Idle client on a tcp service.
raw "$IDP" "" 5 | grep -q '^closed' || fail "idle client not closed"
wait_for "$T/agent.log" 'service idle: client .*idle: timed out'
echo "ok: idle -> closed at idle_timeout"
# An oversized line before STARTTLS.
raw "$STP" "$(head -c 3000 /dev/zero | tr '\0' A | od -v -An -tx1 | tr -d ' \n')" 5 | grep -q '^closed' ||
    fail "oversized line before TLS: not closed"
wait_for "$T/agent.log" 'service stls: client .*command line too long before TLS'
echo "ok: oversized line before STARTTLS -> closed, logged"
# A line over the tracker's limit: logged, counted busy, connection kept.
state_now 'total=0 ' 20
raw "$TRP" "$(head -c 1000 /dev/zero | tr '\0' A | od -v -An -tx1 | tr -d ' \n')0d0a" 2 > "$T/trk.out" &
RAWPID=$!
wait_for "$T/agent.log" 'service track: client .*tracker: .*counted as busy'
state_now 'total=1 unsuitable=1 .* processing=1 '
wait "$RAWPID"
grep -q '^open' "$T/trk.out" || fail "tracker error closed the connection: $(cat "$T/trk.out")"
echo "ok: line over the tracker's limit -> logged, busy, left open"
# Backend refuses, backend resets.
raw "$REFP" 6869 5 | grep -q '^closed' || fail "refused backend: client not closed"
wait_for "$T/agent.log" "service refused: client .*127.0.0.1:$DEAD: connect: Connection refused"
raw "$RSTP" 6869 5 | grep -q '^closed' || fail "reset backend: client not closed"
wait_for "$T/agent.log" 'service reset: client .*backend: Connection reset by peer'
echo "ok: backend refused / reset -> client closed, logged"
# max_connections = 2: the third is closed at once.
raw "$MAXP" "" 3 > "$T/m1" &
M1=$!
raw "$MAXP" "" 3 > "$T/m2" &
M2=$!
sleep 0.5
raw "$MAXP" "" 2 | grep -q '^closed' || fail "third connection not closed"
wait_for "$T/agent.log" 'service max: max_connections \(2\) reached: client 127.0.0.1:[0-9]+ closed'
wait "$M1" "$M2"
grep -q '^open' "$T/m1" && grep -q '^open' "$T/m2" || fail "the two allowed connections were closed"
echo "ok: max_connections -> excess closed, logged"

agent_alive
echo_ok "$TLSP" --tls
echo_ok "$IDP"
state_now 'total=0 ' 20
echo "PASS"
