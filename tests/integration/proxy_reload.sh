#!/bin/sh
# proxy_reload.sh - SIGHUP applies a new set of services without dropping
# open connections (a changed service on the same address keeps its
# listening socket; an added one listens; a removed one stops); a broken
# file is refused and the running set stays; SIGTERM stops accepting and
# lets open connections finish, up to shutdown_timeout.
. "$(dirname "$0")/proxy_lib.sh"
EP=$(free_port); PA=$(free_port); PB=$(free_port)
start_fake echo "$EP"
svc_a() { echo "[service a]"; echo "listen = 127.0.0.1:$PA"; echo "backend = 127.0.0.1:$EP"; echo "protocol = tcp"; echo "idle_timeout = $1"; }
svc_b() { echo "[service b]"; echo "listen = 127.0.0.1:$PB"; echo "backend = 127.0.0.1:$EP"; echo "protocol = tcp"; }
conf() { write_proxy_conf "shutdown_timeout = $1"; shift; for s in "$@"; do $s >> "$T/agent.conf"; done; }
echo_ok() {
	timeout 10 python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"ping\r\n"); assert s.recv(100) == b"ping\r\n"' "$1" 2>/dev/null
}
svc_a1() { svc_a 60s; }
svc_a2() { svc_a 50s; }

conf 10s svc_a1
start_proxy_agent 1
echo_ok "$PA" || fail "a does not echo"
start_step 127.0.0.1 "$PA"
step 'send before'
step 'expect ^before'

# Change a (same address), add b.
conf 10s svc_a2 svc_b
kill -HUP "$APID"
wait_for "$T/agent.log" 'SIGHUP: services reloaded \(2\)'
wait_for "$T/agent.log" "service b: listening on 127.0.0.1:$PB"
step 'send after-reload'
step 'expect ^after-reload'
echo_ok "$PA" || fail "a does not echo after the reload"
echo_ok "$PB" || fail "b does not echo"
grep -q "listen 127.0.0.1:$PA" "$T/agent.log" && fail "a's address was re-bound, not handed over"
echo "ok: SIGHUP: open connection kept, changed service still listening, new one listening"

# Remove b.
conf 10s svc_a2
kill -HUP "$APID"
wait_for "$T/agent.log" 'SIGHUP: services reloaded \(1\)'
wait_for "$T/agent.log" 'service b: removed'
echo_ok "$PB" && fail "b still accepts after its removal"
echo_ok "$PA" || fail "a stopped after b's removal"
echo "ok: SIGHUP: removed service no longer listens"

# A broken file: refused, the running set stays.
echo "[service c]" >> "$T/agent.conf"
echo "protocol = gopher" >> "$T/agent.conf"
kill -HUP "$APID"
wait_for "$T/agent.log" 'protocol: "gopher" is not http'
wait_for "$T/agent.log" 'has errors; the running configuration stays'
echo_ok "$PA" || fail "a stopped after a bad reload"
echo "ok: SIGHUP with errors: refused, running set kept"

# SIGTERM: no new connections, the open one goes on until it closes.
kill -TERM "$APID"
wait_for "$T/agent.log" 'no longer accepting; waiting up to 10.0 s for 1 open'
echo_ok "$PA" && fail "new connection accepted while draining"
step 'send draining'
step 'expect ^draining'
step 'close'
stop_step
wait_for "$T/agent.log" 'stopped' 1 10
wait "$APID" 2>/dev/null
echo "ok: SIGTERM: drained, exited once the last connection closed"

# shutdown_timeout: a connection that stays open is closed after it.
: > "$T/agent.log"
conf 1s svc_a1
start_agent
wait_for "$T/agent.log" 'listening on'
start_step 127.0.0.1 "$PA"
step 'send hold'
step 'expect ^hold'
kill -TERM "$APID"
wait_for "$T/agent.log" 'shutdown_timeout: closing 1 open connections' 1 10
wait_for "$T/agent.log" 'closed at shutdown'
wait_for "$T/agent.log" 'stopped' 1 10
stop_step
echo "ok: shutdown_timeout closes what is left"
echo "PASS"
