#!/bin/sh
# proxy_ftp.sh - vsftpd (anonymous, plaintext on loopback) behind the
# proxy's FTP services: plain, explicit TLS (AUTH TLS done by the proxy,
# vsftpd has no TLS at all) and implicit TLS (ftps://).  curl and lftp
# list, fetch a 10 KiB and a 6 MiB file, upload and resume, every byte
# checked by hash; passive replies (227 and 229) point at the proxy's own
# data ports, in the configured range; data connections under PROT P
# resume the control connection's TLS session; active mode is refused with
# a 502; a data connection from another address is refused and logged; a
# data port nobody connects to is closed after ftp_data_timeout and the
# session goes on; a second PASV closes the first port.  The agent's
# STATE follows a session: greeting (new) -> login (auth) -> idle
# (suitable) -> a command in flight (processing) -> 6 MiB RETR and
# ALLO'd STOR read/written slowly (writing_large, suitable) -> 10 KiB
# transfers (unsuitable, never writing_large) -> QUIT.
. "$(dirname "$0")/proxy_lib.sh"
need curl lftp vsftpd sha256sum

# --- vsftpd: anonymous, root $T/ftp (not writable: vsftpd refuses that),
# uploads into $T/ftp/up.  It runs as root from its own config.
DFTP=$(free_port)
mkdir -p "$T/ftp/pub" "$T/ftp/up" "$T/empty"
chmod 755 "$T" "$T/ftp" "$T/ftp/pub"
chmod 777 "$T/ftp/up"
head -c 10240 /dev/urandom > "$T/ftp/pub/small.bin"
head -c 6291456 /dev/urandom > "$T/ftp/pub/big.bin"
cat > "$T/vsftpd.conf" <<-VC
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$DFTP
background=NO
anonymous_enable=YES
no_anon_password=YES
anon_root=$T/ftp
anon_upload_enable=YES
anon_other_write_enable=YES
write_enable=YES
local_enable=NO
pasv_enable=YES
pasv_min_port=$(($DFTP + 1))
pasv_max_port=$(($DFTP + 1))
port_enable=YES
accept_timeout=5
secure_chroot_dir=$T/empty
run_as_launching_user=YES
seccomp_sandbox=NO
isolate=NO
isolate_network=NO
vsftpd_log_file=$T/vsftpd.log
xferlog_enable=YES
log_ftp_protocol=YES
VC
# One passive port on vsftpd's side: any client-visible port the test sees
# must then be the proxy's (its range below).
vsftpd "$T/vsftpd.conf" >> "$T/vsftpd.out" 2>&1 &
KIDS="$KIDS $!"
_i=100
# Ready when it greets and says goodbye (a bare connect raced its start-up:
# the first session through the proxy was sometimes reset).
until python3 -c "
import socket
s = socket.create_connection(('127.0.0.1', $DFTP), 1)
assert s.recv(512).startswith(b'220')
s.sendall(b'QUIT\r\n')
assert s.recv(512).startswith(b'221')" 2>/dev/null; do
	_i=$((_i - 1)); [ $_i -gt 0 ] || { cat "$T/vsftpd.out"; fail "vsftpd does not listen"; }
	sleep 0.1
done

make_cert
PP=$(free_port); PE=$(free_port); PI=$(free_port); PQ=$(free_port); PN=$(free_port)
DLO=$(python3 -c 'import random; print(random.randrange(20000, 30000, 10))')
DHI=$((DLO + 9))
write_proxy_conf \
    "[service ftp]" "listen = 127.0.0.1:$PP" "backend = 127.0.0.1:$DFTP" \
    "protocol = ftp" "ftp_data_ports = $DLO-$DHI" "ftp_data_timeout = 2s" \
    "[service ftpes]" "listen = 127.0.0.1:$PE" "backend = 127.0.0.1:$DFTP" \
    "protocol = ftp" "tls = starttls" "cert = $T/cert.pem" "key = $T/key.pem" \
    "ftp_data_ports = $DLO-$DHI" \
    "[service ftps]" "listen = 127.0.0.1:$PI" "backend = 127.0.0.1:$DFTP" \
    "protocol = ftp" "tls = implicit" "cert = $T/cert.pem" "key = $T/key.pem" \
    "[service ftpquick]" "listen = 127.0.0.1:$PQ" "backend = 127.0.0.1:$DFTP" \
    "protocol = ftp" "idle_timeout = 1s" \
    "[service ftpnat]" "listen = 127.0.0.1:$PN" "backend = 127.0.0.1:$DFTP" \
    "protocol = ftp" "ftp_pasv_address = 192.0.2.7"
start_proxy_agent 5

SMALLH=$(sha256sum < "$T/ftp/pub/small.bin" | cut -d' ' -f1)
BIGH=$(sha256sum < "$T/ftp/pub/big.bin" | cut -d' ' -f1)
# same FILE HASH WHAT: FILE's content has HASH.
same() { [ "$(sha256sum < "$1" | cut -d' ' -f1)" = "$2" ] || fail "$3: content differs"; }

# --- curl, plaintext: LIST, both files by EPSV (229) and by PASV (227).
curl -sS --max-time 30 "ftp://127.0.0.1:$PP/pub/" > "$T/list" || fail "curl LIST"
grep -q 'big.bin' "$T/list" && grep -q 'small.bin' "$T/list" || fail "LIST: $(cat "$T/list")"
curl -sS --max-time 60 -o "$T/c1" "ftp://127.0.0.1:$PP/pub/big.bin" || fail "curl RETR (EPSV)"
same "$T/c1" "$BIGH" "6 MiB RETR over EPSV"
curl -sS --max-time 30 --disable-epsv -o "$T/c2" "ftp://127.0.0.1:$PP/pub/small.bin" ||
    fail "curl RETR (PASV)"
same "$T/c2" "$SMALLH" "10 KiB RETR over PASV"
curl -sS --max-time 30 -T "$T/ftp/pub/small.bin" "ftp://127.0.0.1:$PP/up/c.bin" || fail "curl STOR"
same "$T/ftp/up/c.bin" "$SMALLH" "curl STOR"
echo "ok: curl ftp:// LIST, RETR (EPSV, PASV), STOR intact"

# --- curl, explicit TLS (--ftp-ssl-reqd: AUTH TLS, PBSZ 0, PROT P by the proxy).
curl -sSk --max-time 30 --ftp-ssl-reqd "ftp://127.0.0.1:$PE/pub/" > "$T/listE" ||
    fail "curl --ftp-ssl-reqd LIST"
grep -q 'big.bin' "$T/listE" || fail "LIST over TLS: $(cat "$T/listE")"
curl -sSk --max-time 60 --ftp-ssl-reqd --limit-rate 3M -o "$T/e1" \
    "ftp://127.0.0.1:$PE/pub/big.bin" || fail "curl --ftp-ssl-reqd RETR big"
same "$T/e1" "$BIGH" "6 MiB RETR over explicit TLS"
curl -sSk --max-time 30 --ftp-ssl-reqd -o "$T/e2" "ftp://127.0.0.1:$PE/pub/small.bin" ||
    fail "curl --ftp-ssl-reqd RETR small"
same "$T/e2" "$SMALLH" "10 KiB RETR over explicit TLS"
curl -sSk --max-time 60 --ftp-ssl-reqd -T "$T/ftp/pub/big.bin" "ftp://127.0.0.1:$PE/up/e.bin" ||
    fail "curl --ftp-ssl-reqd STOR"
same "$T/ftp/up/e.bin" "$BIGH" "6 MiB STOR over explicit TLS"
# Resume (REST): the first MiB is there, the rest is fetched.
head -c 1048576 "$T/ftp/pub/big.bin" > "$T/e3"
curl -sSk --max-time 60 --ftp-ssl-reqd -C - -o "$T/e3" "ftp://127.0.0.1:$PE/pub/big.bin" ||
    fail "curl -C - (REST)"
same "$T/e3" "$BIGH" "resumed RETR"
grep -q '"REST 1048576"' "$T/vsftpd.log" || fail "resume: vsftpd saw no REST 1048576"
grep -qE 'service ftpes: client [0-9.:]+ \(data\): TLSv1\.[23], resumed' "$T/agent.log" ||
    fail "explicit TLS: data connections did not resume the control's TLS session"
echo "ok: curl --ftp-ssl-reqd LIST, RETR 10 KiB + 6 MiB (--limit-rate), STOR, REST resume; data TLS resumed"

# --- curl, implicit TLS (ftps://).
curl -sSk --max-time 60 -o "$T/i1" "ftps://127.0.0.1:$PI/pub/big.bin" || fail "curl ftps:// RETR"
same "$T/i1" "$BIGH" "6 MiB RETR over ftps://"
curl -sSk --max-time 30 -T "$T/ftp/pub/small.bin" "ftps://127.0.0.1:$PI/up/i.bin" ||
    fail "curl ftps:// STOR"
same "$T/ftp/up/i.bin" "$SMALLH" "STOR over ftps://"
grep -qE 'service ftps: client [0-9.:]+ \(data\): TLSv1\.[23], resumed' "$T/agent.log" ||
    fail "implicit TLS: data connection not resumed"
echo "ok: curl ftps:// RETR, STOR"

# --- lftp, explicit TLS (it sees AUTH TLS in FEAT) and implicit.
LFTPSET="set ssl:verify-certificate no; set net:max-retries 1; set net:timeout 10"
timeout 60 lftp -c "$LFTPSET; set ftp:ssl-force yes; set ftp:ssl-protect-data yes;
    open -u anonymous, ftp://127.0.0.1:$PE; quote FEAT; cls -1 pub;
    get pub/big.bin -o $T/l1; get pub/small.bin -o $T/l2; put $T/ftp/pub/big.bin -o up/l.bin" \
    > "$T/lftp.out" 2>&1 || fail "lftp explicit TLS: $(cat "$T/lftp.out")"
grep -q 'AUTH TLS' "$T/lftp.out" || fail "FEAT lacks AUTH TLS: $(cat "$T/lftp.out")"
grep -q 'EPRT' "$T/lftp.out" && fail "FEAT still offers EPRT"
same "$T/l1" "$BIGH" "lftp get big"
same "$T/l2" "$SMALLH" "lftp get small"
same "$T/ftp/up/l.bin" "$BIGH" "lftp put"
timeout 60 lftp -c "$LFTPSET; open -u anonymous, ftps://127.0.0.1:$PI; get pub/big.bin -o $T/l3" \
    > "$T/lftp2.out" 2>&1 || fail "lftp ftps://: $(cat "$T/lftp2.out")"
same "$T/l3" "$BIGH" "lftp ftps:// get"
echo "ok: lftp explicit TLS (FEAT, get, put) and ftps:// intact"

# --- active mode refused (curl tries EPRT, then PORT).
curl -sS --max-time 20 -P 127.0.0.1 -o "$T/a1" "ftp://127.0.0.1:$PP/pub/small.bin" \
    2> "$T/active.err" && fail "active mode through the proxy succeeded"
wait_for "$T/agent.log" 'active mode \((EPRT|PORT)\) refused'
echo "ok: PORT/EPRT refused with 502, logged"

# --- a command line over 2048 bytes closes that session only.
python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
s.recv(1024)
s.sendall(b"NOOP " + b"x" * 3000)
s.settimeout(10)
try:
    while s.recv(4096): pass
except ConnectionResetError:
    pass' "$PP" || fail "long command line: the proxy did not close"
wait_for "$T/agent.log" 'service ftp: client [0-9.:]+: client: command line too long; connection closed'
echo "ok: a 3000-byte command line closes its session, logged"

grep -q 'tracker:' "$T/agent.log" && fail "a tracker failed: $(grep 'tracker:' "$T/agent.log")"

# --- step client: limits and the reported states (plaintext service).
MAILSTEP=$T/ftpstep.py
cat > "$MAILSTEP" <<-'PY'
import hashlib, os, re, socket, ssl, sys, time
host, port = sys.argv[1], int(sys.argv[2])
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
protp = False

def sock(src=None):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8192)
    s.settimeout(30)
    if src:
        s.bind((src, 0))
    return s

c = sock(); c.connect((host, port))
buf, dport, d = b"", 0, None
print("connected", flush=True)

def reply():
    """One complete reply (RFC 959 4.2); its lines printed."""
    global buf
    first = None
    while True:
        while b"\n" not in buf:
            b = c.recv(4096)
            if not b: raise EOFError("control closed")
            buf += b
        ln, buf = buf.split(b"\n", 1)
        ln = ln.rstrip(b"\r").decode("latin-1")
        print("< " + ln, flush=True)
        if first is None:
            first = ln
            if not re.match(r"^\d{3}-", ln): return ln
        elif re.match(r"^\d{3} ", ln) and ln[:3] == first[:3]:
            return ln

def paced(n, rate, t0):
    if rate > 0:
        ahead = t0 + n / rate - time.time()
        if ahead > 0: time.sleep(ahead)

for n, cmd in enumerate(sys.stdin, 1):
    cmd = cmd.rstrip("\n"); w = cmd.split(" ")
    try:
        extra = ""
        if w[0] == "send":
            c.sendall(cmd[5:].encode() + b"\r\n")
        elif w[0] == "expect":
            ln = reply()
            if not re.search(cmd[7:], ln): raise RuntimeError("reply " + ln)
        elif w[0] in ("pasv", "epsv"):
            c.sendall(w[0].upper().encode() + b"\r\n")
            ln = reply()
            m = re.search(r"\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)", ln) if w[0] == "pasv" \
                else re.search(r"\(\|\|\|(\d+)\|\)", ln)
            if not m: raise RuntimeError("reply " + ln)
            dport = int(m.group(5)) * 256 + int(m.group(6)) if w[0] == "pasv" else int(m.group(1))
            extra = "port %d" % dport
            if w[0] == "pasv":
                extra += " addr " + ".".join(m.group(i) for i in range(1, 5))
        elif w[0] == "tls":	# after AUTH TLS's 234
            c = ctx.wrap_socket(c)
        elif w[0] == "protp":	# data connections in TLS, resuming the control's session
            protp = True
        elif w[0] == "dconnect":
            d = sock(w[1] if len(w) > 1 else None); d.connect((host, dport))
            if protp:
                d = ctx.wrap_socket(d, session=c.session)
                extra = "resumed" if d.session_reused else "new-session"
        elif w[0] == "dprobe":	# from another address: must be closed at once
            p = sock(w[1]); p.settimeout(5); p.connect((host, dport))
            try:
                if p.recv(1): raise RuntimeError("data from a foreign address")
            except ConnectionResetError:
                pass
            p.close(); extra = "closed"
        elif w[0] == "drefused":
            p = sock()
            try:
                p.connect((host, dport)); raise RuntimeError("port %d still open" % dport)
            except ConnectionRefusedError:
                extra = "refused"
        elif w[0] == "dread":	# RATE bytes/s (0: at once), to EOF
            rate, h, got, t0 = int(w[1]), hashlib.sha256(), 0, time.time()
            while True:
                b = d.recv(4096 if rate else 65536)
                if not b: break
                h.update(b); got += len(b); paced(got, rate, t0)
            d.close(); extra = "data %d %s" % (got, h.hexdigest())
        elif w[0] == "dwrite":	# SIZE bytes at RATE bytes/s, from FILE
            f, rate, h, sent, t0 = open(w[1], "rb"), int(w[2]), hashlib.sha256(), 0, time.time()
            while True:
                b = f.read(4096)
                if not b: break
                d.sendall(b); h.update(b); sent += len(b); paced(sent, rate, t0)
            d.close(); extra = "data %d %s" % (sent, h.hexdigest())
        elif w[0] == "close":
            c.close()
        else:
            raise RuntimeError("unknown step " + w[0])
        print(("ok %d %s" % (n, extra)).rstrip(), flush=True)
    except Exception as e:
        print("fail %d %s" % (n, e), flush=True); sys.exit(1)
PY
dataline() { grep "^ok $STEPN data" "$T/step.out" | cut -d' ' -f4-; }

state_now 'total=0 ' 20
start_step 127.0.0.1 "$PP"
step 'expect ^220'
state_now 'total=1 unsuitable=1 .* auth=1 '
step 'send USER anonymous'
step 'expect ^230'	# no_anon_password: no PASS
state_now 'total=1 unsuitable=0 .* idle=1 '
sleep 1
last_state | grep -qE 'total=1 unsuitable=0 .* idle=1 ' || fail "logged-in session not idle: $(last_state)"
echo "ok: greeting/login -> auth; logged in, between commands -> idle (suitable)"

# A data connection from another address is refused; the client's works.
step 'pasv'
P1=$(grep "^ok $STEPN port" "$T/step.out" | cut -d' ' -f4)
[ "$P1" -ge "$DLO" ] && [ "$P1" -le "$DHI" ] || fail "227 port $P1 not in ftp_data_ports $DLO-$DHI"
step 'dprobe 127.0.0.2'
wait_for "$T/agent.log" "data connection to port $P1 from 127\.0\.0\.2:[0-9]+ refused"
step 'dconnect'
step 'send RETR pub/small.bin'
step 'expect ^150'
step 'dread 0'
[ "$(dataline)" = "10240 $SMALLH" ] || fail "RETR after a refused foreign connection: $(dataline)"
step 'expect ^226'
echo "ok: data connection from 127.0.0.2 refused and logged; the client's own one intact"

# A second PASV closes the first, unused port.
step 'epsv'
P2=$(grep "^ok $STEPN port" "$T/step.out" | cut -d' ' -f4)
step 'epsv'
wait_for "$T/agent.log" "data port $P2 unused, closed for a new one"
P3=$(grep "^ok $STEPN port" "$T/step.out" | cut -d' ' -f4)
[ "$P3" != "$P2" ] || fail "the same port twice"
echo "ok: one pending data port per session"
# Nobody connects: closed after ftp_data_timeout (2 s); the session goes on.
wait_for "$T/agent.log" "no data connection to port $P3 within 2000 ms; port closed" 1 10
step 'drefused'
step 'send NOOP'
step 'expect ^200'
state_now 'total=1 unsuitable=0 .* idle=1 '
echo "ok: unused data port closed after the timeout, logged; the control session works"

# 6 MiB RETR: processing until the data connection, then writing_large
# while read slowly; all bytes there, 226, idle.
step 'epsv'
step 'send RETR pub/big.bin'
state_now 'total=1 unsuitable=1 .* processing=1 '
step 'dconnect'
step 'expect ^150 .*\(6291456 bytes\)'
step_bg 'dread 1500000'
state_now 'total=1 unsuitable=0 .* writing_large=1 '
sleep 1
last_state | grep -qE 'total=1 unsuitable=0 .* writing_large=1 ' ||
    fail "slow 6 MiB RETR: $(last_state)"
step_wait
[ "$(dataline)" = "6291456 $BIGH" ] || fail "slow RETR: $(dataline)"
step 'expect ^226'
state_now 'total=1 unsuitable=0 .* idle=1 '
echo "ok: 6 MiB RETR read slowly -> writing_large (suitable), intact, then idle"

# 10 KiB RETR read slowly: unsuitable while in flight, never writing_large.
MARK=$(grep -c '^state ' "$T/tb.out")
step 'pasv'
step 'send RETR pub/small.bin'
state_now 'total=1 unsuitable=1 .* processing=1 '
step 'dconnect'
step 'expect ^150'
step 'dread 4000'
step 'expect ^226'
state_now 'total=1 unsuitable=0 .* idle=1 '
grep '^state ' "$T/tb.out" | tail -n +"$((MARK + 1))" > "$T/small.states"
grep -q 'writing_large=1' "$T/small.states" && fail "10 KiB RETR counted writing_large"
echo "ok: 10 KiB RETR -> unsuitable, never writing_large"

# Uploads: ALLO'd 6 MiB STOR written slowly -> writing_large; 10 KiB STOR
# of unknown size -> reading (unsuitable).
step 'send ALLO 6291456'
step 'expect ^2'
step 'epsv'
step 'send STOR up/s.bin'
step 'dconnect'
step 'expect ^150'
step_bg "dwrite $T/ftp/pub/big.bin 1500000"
state_now 'total=1 unsuitable=0 .* writing_large=1 '
step_wait
step 'expect ^226'
same "$T/ftp/up/s.bin" "$BIGH" "slow STOR"
step 'epsv'
step 'send STOR up/t.bin'
step 'dconnect'
step 'expect ^150'
step_bg "dwrite $T/ftp/pub/small.bin 3000"
state_now 'total=1 unsuitable=1 .* reading=1 '
step_wait
step 'expect ^226'
same "$T/ftp/up/t.bin" "$SMALLH" "small STOR"
state_now 'total=1 unsuitable=0 .* idle=1 '
echo "ok: ALLO'd 6 MiB STOR -> writing_large; 10 KiB STOR -> reading; both intact"

step 'send QUIT'
step 'expect ^221'
stop_step
state_now 'total=0 ' 20

# --- the same over explicit TLS: AUTH TLS, PBSZ, PROT P answered by the
# proxy; the data connection in TLS resumes the control's session.
start_step 127.0.0.1 "$PE"
step 'expect ^220'
state_now 'total=1 unsuitable=1 .* auth=1 '
step 'send AUTH TLS'
step 'expect ^234'
step 'tls'
step 'send PBSZ 0'
step 'expect ^200'
step 'send PROT P'
step 'expect ^200'
state_now 'total=1 unsuitable=1 .* auth=1 '
step 'send USER anonymous'
step 'expect ^230'
state_now 'total=1 unsuitable=0 .* idle=1 '
step 'protp'
step 'epsv'
step 'send RETR pub/big.bin'
state_now 'total=1 unsuitable=1 .* processing=1 '
step 'dconnect'
grep -q "^ok $STEPN resumed" "$T/step.out" || fail "data TLS: $(grep "^ok $STEPN" "$T/step.out")"
step 'expect ^150 .*\(6291456 bytes\)'
step_bg 'dread 2000000'
state_now 'total=1 unsuitable=0 .* writing_large=1 '
step_wait
[ "$(dataline)" = "6291456 $BIGH" ] || fail "RETR over TLS: $(dataline)"
step 'expect ^226'
state_now 'total=1 unsuitable=0 .* idle=1 '
step 'send QUIT'
step 'expect ^221'
stop_step
state_now 'total=0 ' 20
echo "ok: explicit TLS step by step: auth -> idle -> processing -> writing_large (data TLS resumed) -> idle"

# --- idle_timeout (1 s here) counts the data connection's bytes: a 3 s
# upload keeps its quiet control connection; once idle, it times out.
# (An upload: the client's pace reaches the proxy at once, while a slow
# download's last megabytes wait in the kernel's socket buffers, where no
# byte moves for the proxy.)
start_step 127.0.0.1 "$PQ"
step 'expect ^220'
step 'send USER anonymous'
step 'expect ^230'
step 'epsv'
step 'send STOR up/q.bin'
step 'dconnect'
step 'expect ^150'
step "dwrite $T/ftp/pub/big.bin 2000000"
step 'expect ^226'
same "$T/ftp/up/q.bin" "$BIGH" "STOR under idle_timeout = 1s"
grep -E 'service ftpquick: .*timed out' "$T/agent.log" &&
    fail "a connection timed out during the transfer"
wait_for "$T/agent.log" 'service ftpquick: client [0-9.:]+: idle: timed out' 1 10
stop_step
echo "ok: a 3 s upload under idle_timeout = 1 s keeps its control connection; idle, it times out"

# ftp_pasv_address: a 227 names the address clients reach through a NAT;
# the port listens where the control connection arrived (what the NAT
# forwards to).  curl ignores a 227's address by default: it works.
start_step 127.0.0.1 "$PN"
step 'expect ^220'
step 'send USER anonymous'
step 'expect ^230'
step 'pasv'
[ "$(grep "^ok $STEPN port" "$T/step.out" | cut -d' ' -f5-)" = "addr 192.0.2.7" ] ||
	fail "227 of ftpnat: $(grep "^ok $STEPN port" "$T/step.out")"
step 'dconnect'
step 'send RETR pub/small.bin'
step 'expect ^150'
step 'dread 0'
[ "$(dataline)" = "10240 $SMALLH" ] || fail "RETR through the announced NAT address: $(dataline)"
step 'expect ^226'
step 'epsv'
step 'send QUIT'
stop_step
curl -sS --max-time 30 --disable-epsv -o "$T/n1" "ftp://127.0.0.1:$PN/pub/small.bin" ||
    fail "curl RETR (PASV) via ftpnat"
same "$T/n1" "$SMALLH" "curl RETR over PASV, 227 naming 192.0.2.7"
echo "ok: ftp_pasv_address named in 227 (not in 229), the data port where the client arrived"
grep -q 'tracker:' "$T/agent.log" && fail "a tracker failed: $(grep 'tracker:' "$T/agent.log")"
agent_alive
echo "PASS"
