# proxy_lib.sh - shared by the proxy_*.sh integration tests (sourced, not a
# test itself): agent_lib.sh's folder, testbridge and clean-up, plus a
# self-signed certificate, free ports and the [service] configuration.
. "$(dirname "$0")/agent_lib.sh"
HASHPIPE="$(dirname "$0")/../tools/hashpipe.py"
# Apache daemonises: stopped by its pid file on exit, before the rest.
trap 'stop_apache; cleanup' EXIT

need() {
	for _c in "$@"; do
		command -v "$_c" > /dev/null 2>&1 || { echo "SKIP: $_c not installed"; exit 77; }
	done
}
need openssl python3

# A fresh port on loopback (the kernel's choice, released at once).
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# $T/cert.pem and $T/key.pem: a throw-away self-signed P-256 certificate.
make_cert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	    -subj /CN=localhost -days 2 -keyout "$T/key.pem" -out "$T/cert.pem" \
	    > "$T/openssl.log" 2>&1 || fail "openssl req"
}

# write_proxy_conf LINES...: [agent] for unix mode (domid 7), then LINES
# (the [service] sections).
write_proxy_conf() {
	{
		echo "[agent]"
		echo "name = guest1"
		echo "domid = 7"
		echo "uplink = unix"
		echo "socket = $SOCK"
		echo "reconnect_max = 200ms"
		echo "heartbeat = 200ms"
		for l in "$@"; do echo "$l"; done
	} > "$T/agent.conf"
}

# start_proxy_agent: testbridge, then the agent, waiting for every service
# to listen ($1: how many listeners).
start_proxy_agent() {
	: >> "$T/tb.out"; : >> "$T/agent.log"	# exist before wait_for reads them
	start_bridge
	wait_for "$T/tb.out" '^listening'
	start_agent
	wait_for "$T/agent.log" 'listening on' "${1:-1}"
	wait_for "$T/tb.out" '^state '
}

# state_has REGEX [SECONDS]: a STATE line matching REGEX arrives.
state_has() { wait_for "$T/tb.out" "^state .*$1" 1 "${2:-10}"; }

# state_now REGEX [SECONDS]: the latest STATE matches REGEX (waits for it).
state_now() {
	_t=$(( ${2:-10} * 20 ))
	until last_state | grep -qE -- "$1"; do
		_t=$((_t - 1))
		[ $_t -gt 0 ] || fail "timed out: last STATE does not match '$1': $(last_state)"
		sleep 0.05
	done
}

# start_dovecot: dovecot (POP3 and IMAP, plaintext on loopback, as root
# with its own config in $T) with user "test" (password "secret") and a
# maildir holding a 10 KiB and a 5 MiB message.  Sets DPOP, DIMAP (plain
# ports) and DPOPX (POP3 expecting a PROXY v2 header).
start_dovecot() {
	need dovecot
	[ -x /usr/lib/dovecot/pop3 ] && [ -x /usr/lib/dovecot/imap ] ||
	    { echo "SKIP: dovecot-pop3d or dovecot-imapd not installed"; exit 77; }
	DPOP=$(free_port); DIMAP=$(free_port); DPOPX=$(free_port)
	mkdir -p "$T/dc/run" "$T/dc/state" "$T/mail/test/cur" "$T/mail/test/new" \
	    "$T/mail/test/tmp" "$T/home/test"
	echo "test:{PLAIN}secret:65534:65534::$T/home/test::" > "$T/dc/passwd"
	mail_msg 10240 > "$T/mail/test/cur/1000000001.M1P1.test:2,S"
	mail_msg 5242880 > "$T/mail/test/cur/1000000002.M2P1.test:2,S"
	chown -R 65534:65534 "$T/mail" "$T/home"
	chmod 755 "$T"
	cat > "$T/dc/dovecot.conf" <<-DC
	base_dir = $T/dc/run
	state_dir = $T/dc/state
	log_path = $T/dc/dovecot.log
	protocols = pop3 imap
	listen = 127.0.0.1
	ssl = no
	disable_plaintext_auth = no
	auth_mechanisms = plain login
	first_valid_uid = 1
	mail_location = maildir:$T/mail/%u
	pop3_uidl_format = %08Xu%08Xv
	haproxy_trusted_networks = 127.0.0.0/8
	passdb {
	  driver = passwd-file
	  args = scheme=PLAIN username_format=%u $T/dc/passwd
	}
	userdb {
	  driver = passwd-file
	  args = username_format=%u $T/dc/passwd
	}
	service pop3-login {
	  inet_listener pop3 {
	    port = $DPOP
	  }
	  inet_listener pop3x {
	    port = $DPOPX
	    haproxy = yes
	  }
	  inet_listener pop3s {
	    port = 0
	  }
	}
	service imap-login {
	  inet_listener imap {
	    port = $DIMAP
	  }
	  inet_listener imaps {
	    port = 0
	  }
	}
	DC
	dovecot -F -c "$T/dc/dovecot.conf" >> "$T/dc/dovecot.out" 2>&1 &
	KIDS="$KIDS $!"
	for _p in $DPOP $DIMAP; do
		_i=100
		until python3 -c "import socket; socket.create_connection(('127.0.0.1', $_p), 1)" 2>/dev/null; do
			_i=$((_i - 1)); [ $_i -gt 0 ] || { cat "$T/dc/dovecot.out" "$T/dc/dovecot.log"; fail "dovecot does not listen"; }
			sleep 0.1
		done
	done
}

# mail_msg SIZE: an RFC 5322 message of about SIZE bytes (CRLF lines).
mail_msg() {
	python3 - "$1" <<-'PY'
	import sys
	n = int(sys.argv[1])
	h = ("From: a@example.org\r\nTo: test@example.org\r\nSubject: size %d\r\n"
	     "Message-ID: <%d@example.org>\r\n\r\n" % (n, n))
	line = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01234567\r\n"
	body = line * ((n - len(h)) // len(line) + 1)
	sys.stdout.write(h + body)
	PY
}

# Step client: mailstep.py on a fifo; step "CMD" waits for its "ok N".
MAILSTEP="$(dirname "$0")/../tools/mailstep.py"
STEPN=0
start_step() {	# HOST PORT [--tls]
	rm -f "$T/step.in"; mkfifo "$T/step.in"
	: > "$T/step.out"
	STEPN=0
	python3 "$MAILSTEP" "$@" < "$T/step.in" >> "$T/step.out" 2>&1 &
	STEPPID=$!
	KIDS="$KIDS $STEPPID"
	exec 4> "$T/step.in"
	wait_for "$T/step.out" '^connected'
}
step() {
	STEPN=$((STEPN + 1))
	echo "$*" >&4
	_t=600
	until grep -qE "^(ok|fail) $STEPN( |\$)" "$T/step.out"; do
		_t=$((_t - 1)); [ $_t -gt 0 ] || fail "step '$*' timed out"
		sleep 0.05
	done
	grep -q "^fail $STEPN " "$T/step.out" && fail "step '$*': $(grep "^fail $STEPN " "$T/step.out")"
	return 0
}
# step_bg CMD: send a step without waiting (slow reads).
step_bg() { STEPN=$((STEPN + 1)); echo "$*" >&4; }
step_wait() {
	_t=1200
	until grep -qE "^(ok|fail) $STEPN( |\$)" "$T/step.out"; do
		_t=$((_t - 1)); [ $_t -gt 0 ] || fail "step $STEPN timed out"
		sleep 0.05
	done
}
stop_step() { exec 4>&-; wait "$STEPPID" 2>/dev/null; }

# start_smtpd: OpenSMTPD in the foreground on loopback (its own config in
# $T; its queue is the package's /var/spool/smtpd, which it creates), with
# its own STARTTLS (so that the test sees the proxy remove that offer),
# delivering every message to $T/sink/last.eml.  Sets DSMTP.
start_smtpd() {
	need smtpd
	[ -e /run/smtpd.sock ] && ! pgrep -x smtpd > /dev/null && rm -f /run/smtpd.sock
	_i=50	# an instance of an earlier test may still be exiting
	while pgrep -x smtpd > /dev/null; do
		_i=$((_i - 1)); [ $_i -gt 0 ] || { echo "SKIP: an smtpd already runs (OpenSMTPD instances share /var/spool/smtpd)"; exit 77; }
		sleep 0.1
	done
	DSMTP=$(free_port)
	mkdir -p "$T/sink"
	chmod 1777 "$T/sink"
	chmod 755 "$T"
	cp "$T/cert.pem" "$T/smtpd.crt"
	install -m 600 "$T/key.pem" "$T/smtpd.key"
	cat > "$T/smtpd.conf" <<-SC
	pki localhost cert "$T/smtpd.crt"
	pki localhost key "$T/smtpd.key"
	listen on 127.0.0.1 port $DSMTP tls pki localhost
	action "sink" mda "/bin/sh -c 'cat > $T/sink/last.eml'" user nobody
	match from any for any action "sink"
	SC
	chmod 644 "$T/smtpd.conf"
	smtpd -d -f "$T/smtpd.conf" >> "$T/smtpd.log" 2>&1 &
	KIDS="$KIDS $!"
	_i=100
	until python3 -c "import socket; socket.create_connection(('127.0.0.1', $DSMTP), 1)" 2>/dev/null; do
		_i=$((_i - 1)); [ $_i -gt 0 ] || { cat "$T/smtpd.log"; fail "smtpd does not listen"; }
		sleep 0.1
	done
}

# start_apache: Apache httpd (event MPM, no mod_migstate) on loopback,
# plaintext, from its own config in $T; docroot $T/www with small.txt and a
# random 5m.bin; /cgi-bin/slow.cgi?NAME sleeps until $T/holds/NAME exists.
# Sets DHTTP.
start_apache() {
	need apache2
	M=/usr/lib/apache2/modules
	[ -f $M/mod_mpm_event.so ] && [ -f $M/mod_cgid.so ] || { echo "SKIP: apache2 modules missing"; exit 77; }
	id www-data > /dev/null 2>&1 || { echo "SKIP: no www-data user"; exit 77; }
	DHTTP=$(free_port)
	chmod 755 "$T"
	mkdir -p "$T/www" "$T/cgi" "$T/holds" "$T/arun"
	chmod 777 "$T/holds"
	echo hello > "$T/www/small.txt"
	head -c 5242880 /dev/urandom > "$T/www/5m.bin"
	cat > "$T/cgi/slow.cgi" <<-CGI
	#!/bin/sh
	i=0
	while [ ! -e "$T/holds/\${QUERY_STRING:-slow}" ] && [ \$i -lt 300 ]; do
		sleep 0.1; i=\$((i + 1))
	done
	printf 'Content-Type: text/plain\r\n\r\nslept\n'
	CGI
	chmod 755 "$T/cgi/slow.cgi"
	cat > "$T/httpd.conf" <<-HC
	ServerRoot /etc/apache2
	ServerName localhost
	Listen 127.0.0.1:$DHTTP
	PidFile $T/arun/httpd.pid
	DefaultRuntimeDir $T/arun
	ErrorLog $T/apache.err
	LogLevel warn
	User www-data
	Group www-data
	LoadModule mpm_event_module $M/mod_mpm_event.so
	LoadModule authz_core_module $M/mod_authz_core.so
	LoadModule mime_module $M/mod_mime.so
	LoadModule alias_module $M/mod_alias.so
	LoadModule cgid_module $M/mod_cgid.so
	TypesConfig /etc/mime.types
	ScriptSock $T/arun/cgid.sock
	KeepAlive On
	KeepAliveTimeout 60
	MaxKeepAliveRequests 0
	DocumentRoot $T/www
	<Directory $T/www>
	  Require all granted
	</Directory>
	ScriptAlias /cgi-bin/ $T/cgi/
	<Directory $T/cgi>
	  Require all granted
	</Directory>
	HC
	apache2 -f "$T/httpd.conf" -k start > "$T/apache.out" 2>&1 || { cat "$T/apache.out"; fail "apache2 -k start"; }
	APACHE_UP=1
	_i=100
	until python3 -c "import socket; socket.create_connection(('127.0.0.1', $DHTTP), 1)" 2>/dev/null; do
		_i=$((_i - 1)); [ $_i -gt 0 ] || { cat "$T/apache.out" "$T/apache.err"; fail "apache does not listen"; }
		sleep 0.1
	done
}

stop_apache() {
	[ -n "${APACHE_UP:-}" ] || return 0
	_pid=$(cat "$T/arun/httpd.pid" 2>/dev/null)
	[ -n "$_pid" ] && kill -TERM "$_pid" 2>/dev/null
	_i=50
	while [ -n "$_pid" ] && kill -0 "$_pid" 2>/dev/null && [ $_i -gt 0 ]; do
		sleep 0.1; _i=$((_i - 1))
	done
	APACHE_UP=
}

# start_fake MODE PORT: a small scripted backend on loopback.
#   echo    echoes every line
#   greet   sends "+OK ready" (a POP3 greeting), then reads and discards
#   reset   accepts, then closes with a TCP reset
start_fake() {
	: >> "$T/fake.$1.log"	# exists before wait_for reads it
	python3 - "$1" "$2" >> "$T/fake.$1.log" 2>&1 <<-'PY' &
	import socket, struct, sys, threading
	mode, port = sys.argv[1], int(sys.argv[2])
	ls = socket.socket()
	ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	ls.bind(("127.0.0.1", port)); ls.listen(128)
	print("ready", flush=True)
	def serve(c):
	    try:
	        if mode == "reset":
	            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
	            c.close(); return
	        if mode == "greet":
	            c.sendall(b"+OK ready\r\n")
	        while True:
	            b = c.recv(65536)
	            if not b: break
	            if mode == "echo": c.sendall(b)
	    except OSError:
	        pass
	    c.close()
	while True:
	    c, _ = ls.accept()
	    threading.Thread(target=serve, args=(c,), daemon=True).start()
	PY
	KIDS="$KIDS $!"
	wait_for "$T/fake.$1.log" '^ready'
}
