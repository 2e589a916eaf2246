# lib-apache.sh - shared helpers for the tests that run a real Apache httpd
# on loopback with a generated configuration (source it from bash).
#
#   ma_init                  temp dir, ports, certificate, docroot, client;
#                            exits 77 if Apache or the build is missing
#   ma_conf MPM [EXTRA]      write $MA_DIR/httpd.conf for mpm MPM (event,
#                            worker, prefork) plus EXTRA lines
#   ma_start / ma_stop       start (-k start) / stop the server and wait
#   ma_graceful              apachectl -k graceful, wait for the new children
#   ma_dump                  the counters line of the shared memory
#   ma_expect T K=V...       wait up to T seconds until every counter named
#                            is V and every other reason counter is 0
#   ma_client NAME ARGS...   run the Python client in the background
#                            (output in $MA_DIR/NAME.out); ma_release NAME
#                            creates the file its `hold:NAME` waits for
#   ma_kill_clients          stop every client started
# All processes started are stopped by the EXIT trap.

[ -n "${BASH_VERSION:-}" ] || { echo "lib-apache.sh needs bash"; exit 1; }

B=${B:-build}
MA_MODULE=$PWD/$B/mod_migstate/mod_migstate.so
MA_DUMP=$PWD/$B/tests/tools/migshm-dump
MA_MODDIR=$(apxs -q LIBEXECDIR 2>/dev/null || echo /usr/lib/apache2/modules)
MA_CLIENTS=

ma_skip() { echo "SKIP: $*"; exit 77; }
ma_fail() { echo "FAIL: $*"; [ -f "$MA_DIR/error.log" ] && tail -n 20 "$MA_DIR/error.log"; exit 1; }
ma_log() { echo "# $*"; }

ma_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

ma_init() {
	command -v apache2 >/dev/null || ma_skip "apache2 not installed"
	command -v openssl >/dev/null || ma_skip "openssl not installed"
	command -v python3 >/dev/null || ma_skip "python3 not installed"
	[ -f "$MA_MODULE" ] || ma_skip "$MA_MODULE not built"
	[ -x "$MA_DUMP" ] || ma_skip "$MA_DUMP not built"
	[ "$(id -u)" = 0 ] || ma_skip "must run as root (Apache switches to www-data)"
	id www-data >/dev/null 2>&1 || ma_skip "no www-data user"
	MA_DIR=$(mktemp -d /tmp/mod_migstate.XXXXXX)
	chmod 755 "$MA_DIR"
	trap ma_cleanup EXIT
	trap 'exit 1' INT TERM
	MA_PORT=$(ma_free_port)
	MA_SPORT=$(ma_free_port)
	while [ "$MA_SPORT" = "$MA_PORT" ]; do MA_SPORT=$(ma_free_port); done
	MA_SHM=$MA_DIR/run/migstate.shm
	mkdir -p "$MA_DIR/htdocs" "$MA_DIR/cgi" "$MA_DIR/holds"
	chmod 777 "$MA_DIR/holds"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
	    -keyout "$MA_DIR/key.pem" -out "$MA_DIR/cert.pem" 2>/dev/null ||
	    ma_fail "openssl req failed"
	echo hello >"$MA_DIR/htdocs/small.txt"
	head -c 1048576 /dev/zero >"$MA_DIR/htdocs/1m.bin"
	head -c 5242880 /dev/zero >"$MA_DIR/htdocs/5m.bin"
	head -c 4194304 /dev/zero >"$MA_DIR/htdocs/4m.bin"
	head -c 4194303 /dev/zero >"$MA_DIR/htdocs/4m-1.bin"
	mkdir -p "$MA_DIR/htdocs/dir"
	head -c 5242880 /dev/zero >"$MA_DIR/htdocs/dir/index.bin"
	# A handler that sleeps until its hold file appears (bounded).
	cat >"$MA_DIR/cgi/slow.cgi" <<EOF
#!/bin/sh
i=0
while [ -d "$MA_DIR/holds" ] && [ ! -e "$MA_DIR/holds/\${QUERY_STRING:-slow}" ] &&
    [ \$i -lt 600 ]; do
	sleep 0.1; i=\$((i + 1))
done
printf 'Content-Type: text/plain\r\n\r\nslept\n'
EOF
	# A response of unknown length (chunked), 2 MiB, then done.
	cat >"$MA_DIR/cgi/chunked.cgi" <<'EOF'
#!/bin/sh
printf 'Content-Type: application/octet-stream\r\n\r\n'
head -c 2097152 /dev/zero
EOF
	chmod 755 "$MA_DIR/cgi/"*.cgi
	ma_write_client
}

ma_cleanup() {
	ma_kill_clients
	ma_stop >/dev/null 2>&1
	[ -n "${MA_KEEP:-}" ] && { echo "kept $MA_DIR"; return; }
	rm -rf "$MA_DIR"
}

# ma_conf MPM [EXTRA_LINES] [NO_MODULE]: the server's configuration.
ma_conf() {
	local mpm=$1 extra=${2:-} nomod=${3:-} m=$MA_MODDIR cgi=cgid
	MA_MPM=$mpm
	[ "$mpm" = prefork ] && cgi=cgi
	{
	cat <<EOF
ServerRoot $MA_DIR
ServerName localhost
PidFile $MA_DIR/httpd.pid
DefaultRuntimeDir $MA_DIR
ErrorLog $MA_DIR/error.log
LogLevel info
LogFormat "%h %r %>s %B" short
CustomLog $MA_DIR/access.log short
User www-data
Group www-data
Listen 127.0.0.1:$MA_PORT
Listen 127.0.0.1:$MA_SPORT
# Linux's TCP_DEFER_ACCEPT would hide silent connections from Apache.
AcceptFilter http none
AcceptFilter https none
LoadModule mpm_${mpm}_module $m/mod_mpm_${mpm}.so
LoadModule authz_core_module $m/mod_authz_core.so
LoadModule mime_module $m/mod_mime.so
LoadModule alias_module $m/mod_alias.so
LoadModule dir_module $m/mod_dir.so
# As in Debian's default configuration: it sits between mod_ssl and core.
LoadModule reqtimeout_module $m/mod_reqtimeout.so
LoadModule ${cgi}_module $m/mod_${cgi}.so
LoadModule socache_shmcb_module $m/mod_socache_shmcb.so
LoadModule ssl_module $m/mod_ssl.so
EOF
	[ "$mpm" != prefork ] && echo "LoadModule http2_module $m/mod_http2.so"
	[ -z "$nomod" ] && cat <<EOF
LoadModule migstate_module $MA_MODULE
MigStateShmFile $MA_SHM
EOF
	cat <<EOF
ScriptSock $MA_DIR/cgid.sock
TypesConfig /etc/mime.types
DocumentRoot $MA_DIR/htdocs
<Directory />
	Require all granted
</Directory>
ScriptAlias /cgi/ $MA_DIR/cgi/
DirectoryIndex index.bin
ErrorDocument 404 /5m.bin
Timeout 60
# Small socket buffers, so a stalled client really blocks the server.
SendBufferSize 32768
KeepAlive On
KeepAliveTimeout 60
MaxKeepAliveRequests 100
SSLSessionCache shmcb:$MA_DIR/ssl_scache(512000)
<VirtualHost 127.0.0.1:$MA_SPORT>
	SSLEngine on
	SSLCertificateFile $MA_DIR/cert.pem
	SSLCertificateKeyFile $MA_DIR/key.pem
	Protocols h2 http/1.1
</VirtualHost>
EOF
	case $mpm in
	prefork) cat <<EOF
StartServers 2
MinSpareServers 1
MaxSpareServers 8
ServerLimit 8
MaxRequestWorkers 8
EOF
	;;
	*) cat <<EOF
StartServers 1
ServerLimit 2
ThreadsPerChild 16
MinSpareThreads 1
MaxSpareThreads 32
MaxRequestWorkers 32
EOF
	;;
	esac
	echo "$extra"
	} >"$MA_DIR/httpd.conf"
	[ "$cgi" = cgid ] || sed -i '/^ScriptSock/d' "$MA_DIR/httpd.conf"
}

ma_pid() { cat "$MA_DIR/httpd.pid" 2>/dev/null; }

# The pids of the parent's children (the workers).
ma_children() {
	local p; p=$(ma_pid)
	[ -n "$p" ] && pgrep -P "$p" -u www-data -x apache2 || true
}

# The children that serve connections (not mod_cgid's daemon, which is
# single-threaded, unlike event's and worker's children).
ma_workers() {
	local p
	for p in $(ma_children); do
		[ "$MA_MPM" = prefork ] || [ "$(ps -o nlwp= -p "$p")" -gt 1 ] && echo "$p"
	done
}

ma_start() {
	local i
	: >"$MA_DIR/error.log"
	apache2 -f "$MA_DIR/httpd.conf" -k start || ma_fail "apache2 -k start failed"
	for i in $(seq 1 100); do
		if [ -s "$MA_DIR/httpd.pid" ] &&
		    curl -s -o /dev/null "http://127.0.0.1:$MA_PORT/small.txt"; then
			ma_log "apache ($MA_MPM) up, pid $(ma_pid)"
			return 0
		fi
		sleep 0.1
	done
	ma_fail "apache did not start"
}

ma_stop() {
	local p i; p=$(ma_pid)
	[ -n "$p" ] || return 0
	kill -TERM "$p" 2>/dev/null
	for i in $(seq 1 100); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$p" 2>/dev/null
	pkill -KILL -P "$p" 2>/dev/null
	rm -f "$MA_DIR/httpd.pid"
}

ma_graceful() {
	apache2 -f "$MA_DIR/httpd.conf" -k graceful || ma_fail "graceful failed"
}

ma_dump() { "$MA_DUMP" "$MA_SHM"; }

# ma_expect TIMEOUT key=val ...: every named counter equals val, every
# other reason counter is 0 (slots is checked only when named).
ma_expect() {
	local t=$1 want line ok kv k v i; shift
	want=" $* "
	for i in $(seq 1 $((t * 10))); do
		line=$(ma_dump 2>&1) || line="error: $line"
		ok=1
		for kv in $line; do
			k=${kv%%=*}; v=${kv#*=}
			case "$want" in
			*" $k="*) [[ "$want" == *" $k=$v "* ]] || ok=0 ;;
			*) [ "$k" = slots ] || [ "$v" = 0 ] || ok=0 ;;
			esac
		done
		[[ "$line" == error* ]] && ok=0
		if [ $ok = 1 ]; then
			ma_log "ok: $line"
			return 0
		fi
		sleep 0.1
	done
	ma_fail "expected [$*], have [$line]"
}

# ma_client NAME [client.py args]: start a client in the background.
ma_client() {
	local name=$1; shift
	python3 "$MA_DIR/client.py" --holds "$MA_DIR/holds" "$@" \
	    >"$MA_DIR/$name.out" 2>&1 &
	MA_CLIENTS="$MA_CLIENTS $!"
	eval "MA_CPID_$name=$!"
}

ma_release() { touch "$MA_DIR/holds/$1"; }

# ma_wait_client NAME: wait for its exit; fail unless it succeeded.
ma_wait_client() {
	local pid; eval "pid=\$MA_CPID_$1"
	wait "$pid" || ma_fail "client $1 failed: $(cat "$MA_DIR/$1.out")"
}

ma_kill_clients() {
	local p
	for p in $MA_CLIENTS; do kill "$p" 2>/dev/null; done
	for p in $MA_CLIENTS; do wait "$p" 2>/dev/null; done
	MA_CLIENTS=
	rm -f "$MA_DIR/holds/"* 2>/dev/null
}

# The client: a script of steps over one connection (see its header).
ma_write_client() {
	cat >"$MA_DIR/client.py" <<'EOF'
"""client.py [--tls] [--h2] [--rcvbuf N] --port P --holds DIR STEP...
Steps: send:TEXT (\\r\\n escapes)  resp (read one HTTP/1.1 response; prints
status and body length)  loop:N:PATH (N keep-alive GETs of PATH, one by one)  hold:NAME (wait for DIR/NAME)  hello (raw: half a
TLS ClientHello)  h2:PATH,PATH (open HTTP/2 streams)  h2wait:N (read until N
streams ended, granting flow control)  h2c:PATH (GET PATH with Upgrade: h2c,
read the 101, send the preface: the answer comes on stream 1)  sleep:S"""
import os, socket, ssl, sys, time

args = sys.argv[1:]
opt = {"tls": False, "h2": False, "rcvbuf": 0, "port": 0, "holds": "."}
while args and args[0].startswith("--"):
    a = args.pop(0)[2:]
    if a in ("tls", "h2"):
        opt[a] = True
    else:
        opt[a] = args.pop(0)
s = socket.socket()
if int(opt["rcvbuf"]):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, int(opt["rcvbuf"]))
s.connect(("127.0.0.1", int(opt["port"])))
if opt["tls"]:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if opt["h2"]:
        ctx.set_alpn_protocols(["h2"])
    s = ctx.wrap_socket(s, server_hostname="localhost")
    if opt["h2"] and s.selected_alpn_protocol() != "h2":
        sys.exit("h2 not negotiated")
buf = b""

def more():
    global buf
    d = s.recv(65536)
    if not d:
        raise SystemExit("connection closed by server")
    buf += d

def line():
    global buf
    while b"\r\n" not in buf:
        more()
    l, buf = buf.split(b"\r\n", 1)
    return l

def take(n):
    global buf
    while len(buf) < n:
        more()
    d, buf = buf[:n], buf[n:]
    return d

def skip(n):
    """Consume n bytes without keeping them; returns n."""
    global buf
    left = n
    while left:
        if not buf:
            more()
        k = min(left, len(buf))
        buf = buf[k:]
        left -= k
    return n

def resp():
    status = line().split()[1].decode()
    hdrs = {}
    while True:
        l = line()
        if not l:
            break
        k, v = l.split(b":", 1)
        hdrs[k.strip().lower()] = v.strip().lower()
    n = 0
    if hdrs.get(b"transfer-encoding") == b"chunked":
        while True:
            size = int(line().split(b";")[0], 16)
            if size == 0:
                line()
                break
            n += skip(size)
            line()
    elif b"content-length" in hdrs and not resp.head:
        n = skip(int(hdrs[b"content-length"]))
    print("status=%s len=%d" % (status, n), flush=True)

resp.head = False

def frame(typ, flags, sid, payload=b""):
    return len(payload).to_bytes(3, "big") + bytes([typ, flags]) + sid.to_bytes(4, "big") + payload

def h2streams(paths):
    out = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(4, 0, 0) if not h2streams.started else b""
    h2streams.started = True
    for p in paths:
        p = p.encode()
        block = b"\x82\x87\x04" + bytes([len(p)]) + p + b"\x01\x09localhost"
        out += frame(1, 5, h2streams.sid, block)
        h2streams.sid += 2
    s.sendall(out)

h2streams.started = False
h2streams.sid = 1

def h2wait(n):
    ended = 0
    while ended < n:
        hdr = take(9)
        ln, typ, flags = int.from_bytes(hdr[:3], "big"), hdr[3], hdr[4]
        sid = int.from_bytes(hdr[5:9], "big") & 0x7fffffff
        payload = take(ln)
        if typ == 4 and not flags & 1:
            s.sendall(frame(4, 1, 0))
        elif typ == 6 and not flags & 1:
            s.sendall(frame(6, 1, 0, payload))
        elif typ == 7:
            raise SystemExit("GOAWAY")
        if typ == 0 and ln:
            inc = ln.to_bytes(4, "big")
            s.sendall(frame(8, 0, 0, inc) + frame(8, 0, sid, inc))
        if typ in (0, 1) and flags & 1:
            ended += 1
    print("h2 streams ended=%d" % ended, flush=True)

for step in args:
    cmd, _, arg = step.partition(":")
    if cmd == "send":
        data = arg.encode().decode("unicode_escape").encode("latin-1")
        resp.head = data.startswith(b"HEAD")
        s.sendall(data)
    elif cmd == "resp":
        resp()
    elif cmd == "hold":
        path = os.path.join(opt["holds"], arg)
        for _ in range(1200):
            if os.path.exists(path):
                break
            time.sleep(0.05)
        else:
            sys.exit("hold %s: timed out" % arg)
    elif cmd == "hello":
        # A TLS record header announcing 512 bytes, then only 10 of them.
        s.sendall(bytes([0x16, 3, 1, 2, 0, 1, 0, 1, 0xfc, 3, 3]) + b"\0" * 5)
    elif cmd == "h2":
        h2streams(arg.split(","))
    elif cmd == "h2wait":
        h2wait(int(arg))
    elif cmd == "h2c":
        # HTTP2-Settings: an empty SETTINGS payload, base64url-encoded.
        s.sendall(("GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, "
                   "HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: \r\n\r\n" % arg).encode())
        resp()
        h2streams([])
        h2streams.sid = 3
    elif cmd == "loop":
        count, _, path = arg.partition(":")
        req = ("GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n" % path).encode()
        for _ in range(int(count)):
            s.sendall(req)
            resp()
    elif cmd == "sleep":
        time.sleep(float(arg))
    else:
        sys.exit("unknown step " + step)
print("done", flush=True)
EOF
}

# ---------------------------------------------------------------- scenarios
# Each runs against the server already started; $1 is http or https.  The
# counters are back to zero (or to the given baseline) after each.

ma_port_of() { [ "$1" = https ] && echo "--tls --port $MA_SPORT" || echo "--port $MA_PORT"; }

GET() { echo "send:GET $1 HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n"; }

# Connection opened and silent: new (https: after the handshake, new again).
ma_sc_new() {
	ma_client c1 $(ma_port_of "$1") hold:r1
	ma_expect 10 new=1
	ma_release r1; ma_wait_client c1
	ma_expect 10
}

# HTTPS only: half a ClientHello: handshake.
ma_sc_handshake() {
	ma_client c1 --port "$MA_SPORT" hello hold:r1
	ma_expect 10 handshake=1
	ma_release r1; ma_wait_client c1
	ma_expect 10
}

# Half a request line: reading; then the rest, the response, idle; half a
# line again on the kept-alive connection: reading; the rest: idle.
ma_sc_reading() {
	local rest="send:xt HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n"
	ma_client c1 $(ma_port_of "$1") "send:GET /small.t" hold:r1 "$rest" resp hold:r2 \
	    "send:GET /small.t" hold:r3 "$rest" resp hold:r4
	ma_expect 10 reading=1
	ma_release r1
	ma_expect 10 idle=1
	ma_release r2
	ma_expect 10 reading=1
	ma_release r3
	ma_expect 10 idle=1
	ma_release r4; ma_wait_client c1
	[ "$(grep -c 'status=200' "$MA_DIR/c1.out")" = 2 ] || ma_fail "reading: $(cat "$MA_DIR/c1.out")"
	ma_expect 10
}

# A handler that sleeps: processing; after it, idle.
ma_sc_processing() {
	ma_client c1 $(ma_port_of "$1") "$(GET /cgi/slow.cgi?p1)" resp hold:r2
	ma_expect 10 processing=1
	ma_release p1
	ma_expect 10 idle=1
	ma_release r2; ma_wait_client c1
	ma_expect 10
}

# A response of SIZE read slowly (the client stalls, tiny receive buffer):
# writing_small or writing_large; then idle.
ma_sc_writing() {
	local scheme=$1 file=$2 reason=$3
	ma_client c1 --rcvbuf 131072 $(ma_port_of "$scheme") "$(GET "/$file")" hold:r1 resp hold:r2
	ma_expect 20 "$reason=1"
	ma_release r1
	ma_expect 20 idle=1
	ma_release r2; ma_wait_client c1
	ma_expect 10
}

# 206: a 1 MiB range of the 5 MiB file is a small transfer, a 5 MiB range
# of it a large one (the length sent counts, not the file's).
ma_sc_range() {
	local range=$2 reason=$3
	ma_client c1 --rcvbuf 131072 $(ma_port_of "$1") \
	    "send:GET /5m.bin HTTP/1.1\\r\\nHost: localhost\\r\\nRange: bytes=$range\\r\\n\\r\\n" \
	    hold:r1 resp hold:r2
	ma_expect 20 "$reason=1"
	ma_release r1
	ma_expect 20 idle=1
	ma_release r2; ma_wait_client c1
	grep -q "status=206" "$MA_DIR/c1.out" || ma_fail "range: $(cat "$MA_DIR/c1.out")"
	ma_expect 10
}

# Three pipelined requests: the slow one first keeps the other two read
# but unanswered; then all three answered, idle.
ma_sc_pipelined() {
	local r="GET /small.txt HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n"
	ma_client c1 $(ma_port_of "$1") \
	    "send:GET /cgi/slow.cgi?p2 HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n$r$r" \
	    resp resp resp hold:r2
	ma_expect 10 processing=1
	ma_release p2
	ma_expect 10 idle=1
	ma_release r2; ma_wait_client c1
	[ "$(grep -c 'status=200' "$MA_DIR/c1.out")" = 3 ] || ma_fail "pipelined: $(cat "$MA_DIR/c1.out")"
	ma_expect 10
}

# Three pipelined requests for 5 MiB, 1 MiB, small, read slowly: Apache
# blocks writing the first and has not read the other two (they wait in
# its buffers): writing_large only; then three responses, idle.
ma_sc_pipelined_large() {
	local r2="GET /1m.bin HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n"
	local r3="GET /small.txt HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n"
	ma_client c1 --rcvbuf 131072 $(ma_port_of "$1") \
	    "send:GET /5m.bin HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n$r2$r3" \
	    hold:r1 resp resp resp hold:r2
	ma_expect 20 writing_large=1
	ma_release r1
	ma_expect 20 idle=1
	ma_release r2; ma_wait_client c1
	[ "$(grep -c 'status=200' "$MA_DIR/c1.out")" = 3 ] || ma_fail "pipelined: $(cat "$MA_DIR/c1.out")"
	ma_expect 10
}

# A chunked response (CGI, unknown length) read slowly: writing_small.
ma_sc_chunked() {
	ma_client c1 --rcvbuf 131072 $(ma_port_of "$1") "$(GET /cgi/chunked.cgi)" hold:r1 resp hold:r2
	ma_expect 20 writing_small=1
	ma_release r1
	ma_expect 20 idle=1
	ma_release r2; ma_wait_client c1
	grep -q 'status=200 len=2097152' "$MA_DIR/c1.out" || ma_fail "chunked: $(cat "$MA_DIR/c1.out")"
	ma_expect 10
}

# Connection: close: after the response the connection is not counted.
ma_sc_close() {
	ma_client c1 $(ma_port_of "$1") \
	    "send:GET /small.txt HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n" \
	    resp hold:r2
	ma_expect 10
	ma_release r2; ma_wait_client c1
}

# Several connections at once, in different states.
ma_sc_mixed() {
	ma_client c1 $(ma_port_of "$1") hold:r1
	ma_client c2 $(ma_port_of "$1") "send:GE" hold:r1
	ma_client c3 $(ma_port_of "$1") "$(GET /cgi/slow.cgi?p3)" resp hold:r1
	ma_client c4 $(ma_port_of "$1") "$(GET /small.txt)" resp hold:r1
	ma_client c5 --rcvbuf 131072 $(ma_port_of "$1") "$(GET /5m.bin)" hold:r1 resp
	ma_expect 20 new=1 reading=1 processing=1 idle=1 writing_large=1
	ma_release p3
	ma_expect 20 new=1 reading=1 idle=2 writing_large=1
	ma_release r1
	ma_wait_client c1; ma_wait_client c3; ma_wait_client c4; ma_wait_client c5
	ma_kill_clients
	ma_expect 10
}

# ma_run TITLE FUNCTION ARGS...: one scenario, then a clean slate.
ma_run() {
	local title=$1 t0=$SECONDS; shift
	ma_log "--- $title"
	"$@"
	ma_kill_clients
	ma_log "    ($((SECONDS - t0)) s)"
}

# Every basic scenario over one scheme (MA_BOUNDARY=1: and the threshold's
# boundary, 4 MiB - 1 and 4 MiB).
ma_sc_all() {
	local s=$1
	ma_run "$s: new" ma_sc_new "$s"
	[ "$s" = https ] && ma_run "$s: handshake" ma_sc_handshake
	ma_run "$s: reading" ma_sc_reading "$s"
	ma_run "$s: processing" ma_sc_processing "$s"
	ma_run "$s: 1 MiB" ma_sc_writing "$s" 1m.bin writing_small
	ma_run "$s: 5 MiB" ma_sc_writing "$s" 5m.bin writing_large
	# The threshold's boundary (>=) is the same code under every MPM.
	if [ -n "${MA_BOUNDARY:-}" ]; then
		ma_run "$s: 4 MiB - 1" ma_sc_writing "$s" 4m-1.bin writing_small
		ma_run "$s: 4 MiB" ma_sc_writing "$s" 4m.bin writing_large
	fi
	ma_run "$s: chunked" ma_sc_chunked "$s"
	if [ -n "${MA_BOUNDARY:-}" ]; then
		# mod_dir's fast redirect and ErrorDocument's internal redirect.
		ma_run "$s: DirectoryIndex, 5 MiB" ma_sc_writing "$s" dir/ writing_large
		ma_run "$s: ErrorDocument, 5 MiB" ma_sc_writing "$s" missing writing_large
		ma_run "$s: 206, 1 MiB of 5" ma_sc_range "$s" 0-1048575 writing_small
		ma_run "$s: 206, 5 MiB - 1 of 5" ma_sc_range "$s" 1-5242879 writing_large
	fi
	ma_run "$s: pipelined" ma_sc_pipelined "$s"
	ma_run "$s: pipelined, large first" ma_sc_pipelined_large "$s"
	ma_run "$s: close" ma_sc_close "$s"
	ma_run "$s: mixed" ma_sc_mixed "$s"
}
