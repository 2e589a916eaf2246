#!/bin/sh
# proxy_tcp.sh - a `tcp` service (counted, not inspected): 1,000 concurrent
# connections and large random payloads both ways, plaintext with
# half-close and with implicit TLS, compared by SHA-256 at both ends; many
# TLS records arriving in one segment all delivered; the counts follow
# (opaque connections are "processing", then none).
. "$(dirname "$0")/proxy_lib.sh"
ulimit -n 16384 2>/dev/null || { echo "SKIP: cannot raise ulimit -n"; exit 77; }
make_cert
BP=$(free_port); PP=$(free_port); TP=$(free_port); EP=$(free_port); RP=$(free_port)
# An echo backend, for the records check below.
python3 -c '
import socket, sys, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
def echo(c):
    while True:
        d = c.recv(65536)
        if not d: break
        c.sendall(d)
    c.close()
while True:
    threading.Thread(target=echo, args=(s.accept()[0],), daemon=True).start()
' "$EP" > "$T/echo.out" 2>&1 &
KIDS="$KIDS $!"
: > "$T/srv.out"
python3 "$HASHPIPE" server "$BP" >> "$T/srv.out" 2>&1 &
KIDS="$KIDS $!"
wait_for "$T/srv.out" '^ready'
write_proxy_conf "[service raw]" "listen = 127.0.0.1:$PP" "backend = 127.0.0.1:$BP" \
    "protocol = tcp" "max_connections = 2000" \
    "[service rawtls]" "listen = 127.0.0.1:$TP" "backend = 127.0.0.1:$BP" \
    "protocol = tcp" "tls = implicit" "cert = $T/cert.pem" "key = $T/key.pem" \
    "buffer_size = 8K" \
    "[service echotls]" "listen = 127.0.0.1:$RP" "backend = 127.0.0.1:$EP" \
    "protocol = tcp" "tls = implicit" "cert = $T/cert.pem" "key = $T/key.pem"
start_proxy_agent 3

# check CLIENT_OUT N UP DOWN: N connections, each hash pair equal to the
# server's (ids are unique per run: the server file is cut before).
check() {
	[ "$(grep -c ' error ' "$1")" -eq 0 ] || fail "client errors: $(grep ' error ' "$1" | head -3)"
	[ "$(wc -l < "$1")" -eq "$2" ] || fail "$(wc -l < "$1") client lines, want $2"
	awk -v d="$4" '$4 != d { print "short: " $0; exit 1 }' "$1" || fail "short download"
	awk '{ print $1, $2, $3 }' "$1" | sort > "$T/c.sorted"
	grep -v '^ready' "$T/srv.out" | sort > "$T/s.sorted"
	cmp -s "$T/c.sorted" "$T/s.sorted" || { diff "$T/c.sorted" "$T/s.sorted" | head -5; fail "hash mismatch"; }
	: > "$T/srv.out"
}

# 1,000 at once, 64 KiB up and 128 KiB down each, half-closed by the client.
python3 "$HASHPIPE" client 127.0.0.1 "$PP" 1000 65536 131072 --eof > "$T/c1.out" 2>&1
wait_for "$T/srv.out" '^[0-9]' 1000 30
check "$T/c1.out" 1000 65536 131072
echo "ok: 1000 concurrent connections, payloads intact"

# Large payloads both ways at the same time: 48 MiB up, 64 MiB down, x2.
python3 "$HASHPIPE" client 127.0.0.1 "$PP" 2 50331648 67108864 --eof > "$T/c2.out" 2>&1
wait_for "$T/srv.out" '^[0-9]' 2 30
check "$T/c2.out" 2 50331648 67108864
echo "ok: large plaintext payloads intact"

# The same through TLS (with the smallest buffers), 16 MiB each way, x4.
python3 "$HASHPIPE" client 127.0.0.1 "$TP" 4 16777216 16777216 --tls > "$T/c3.out" 2>&1
wait_for "$T/srv.out" '^[0-9]' 4 30
check "$T/c3.out" 4 16777216 16777216
echo "ok: large TLS payloads intact"

# 200 TLS records of 10 bytes sent in one write: the socket is drained after
# the first read, but OpenSSL still holds 199 records that must be delivered
# without waiting for another socket event.
python3 - "$RP" > "$T/rec.out" 2>&1 <<'PY' || fail "records: $(tail -n 3 "$T/rec.out")"
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
sock = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
tls = ctx.wrap_bio(inc, out)
while True:
    try:
        tls.do_handshake(); break
    except ssl.SSLWantReadError:
        sock.sendall(out.read())
        inc.write(sock.recv(65536))
sock.sendall(out.read())
want = b"".join(b"record%03d\n" % i for i in range(200))
for i in range(200):
    tls.write(want[i * 10:(i + 1) * 10])	# one record each
sock.sendall(out.read())			# all of them in one segment
got = b""
sock.settimeout(10)
while len(got) < len(want):
    try:
        got += tls.read(65536)
        continue
    except ssl.SSLWantReadError:
        pass
    try:
        d = sock.recv(65536)
    except socket.timeout:
        sys.exit("stalled after %d of %d bytes" % (len(got), len(want)))
    if not d:
        sys.exit("closed after %d bytes" % len(got))
    inc.write(d)
sys.exit(0 if got == want else "echo differs")
PY
echo "ok: 200 TLS records in one segment all delivered"

# Every connection ended: nothing counted, the agent alive.
state_now 'total=0 ' 20
agent_alive
grep -q 'protos=tcp' "$T/tb.out" || fail "no tcp record in STATE"
echo "PASS"
