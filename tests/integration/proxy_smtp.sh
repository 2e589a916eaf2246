#!/bin/sh
# proxy_smtp.sh - OpenSMTPD behind the proxy with STARTTLS done by the
# proxy: the EHLO reply offers STARTTLS exactly once before TLS (the
# backend's own offer removed, the proxy's added) and not after; mail
# goes through with curl --ssl-reqd, python's smtplib.starttls() and
# openssl s_client -starttls smtp; the counts follow (greeted -> new,
# after EHLO -> idle).
. "$(dirname "$0")/proxy_lib.sh"
need curl
make_cert
start_smtpd
ST=$(free_port)
write_proxy_conf \
    "[service smtp]" "listen = 127.0.0.1:$ST" "backend = 127.0.0.1:$DSMTP" \
    "protocol = smtp" "tls = starttls" "cert = $T/cert.pem" "key = $T/key.pem"
start_proxy_agent 1

timeout 30 python3 -c '
import smtplib, ssl, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20)
code, msg = s.ehlo()
print("pre", msg.decode().count("STARTTLS"), msg.decode().splitlines()[-1])
s.starttls(context=ssl._create_unverified_context())
code, msg = s.ehlo()
print("post", msg.decode().count("STARTTLS"), code)
s.sendmail("a@example.org", ["root@example.org"], "Subject: via smtplib\r\n\r\nbody one\r\n")
s.quit()' "$ST" > "$T/smtplib.out" 2>&1 || fail "smtplib: $(cat "$T/smtplib.out")"
grep -q '^pre 1 STARTTLS$' "$T/smtplib.out" || fail "EHLO before TLS: $(cat "$T/smtplib.out")"
grep -q '^post 0 250$' "$T/smtplib.out" || fail "EHLO after TLS: $(cat "$T/smtplib.out")"
wait_for "$T/sink/last.eml" 'body one' 1 20
echo "ok: smtplib starttls(): STARTTLS offered once before TLS, never after; mail delivered"

printf 'Subject: via curl\r\n\r\nbody two\r\n' > "$T/mail.txt"
curl -sSk --max-time 30 --ssl-reqd "smtp://127.0.0.1:$ST" --mail-from a@example.org \
    --mail-rcpt root@example.org -T "$T/mail.txt" || fail "curl --ssl-reqd smtp://"
wait_for "$T/sink/last.eml" 'body two' 1 20
echo "ok: curl --ssl-reqd smtp://"

printf 'EHLO client\r\nQUIT\r\n' | timeout 20 openssl s_client -quiet -starttls smtp \
    -connect "127.0.0.1:$ST" > "$T/ehlo.tls" 2> "$T/sclient.err" || true
grep -q '^250[- ]SIZE' "$T/ehlo.tls" || fail "s_client -starttls smtp: $(cat "$T/ehlo.tls" "$T/sclient.err")"
grep -q 'STARTTLS' "$T/ehlo.tls" && fail "STARTTLS offered after TLS: $(cat "$T/ehlo.tls")"
grep -q '^221' "$T/ehlo.tls" || fail "no 221 to QUIT"
echo "ok: openssl s_client -starttls smtp"

state_now 'total=0 ' 20
start_step 127.0.0.1 "$ST"
step 'expect ^220 '
state_now 'total=1 .* new=1 '
step 'send EHLO step'
step 'expect ^250 '
step 'send STARTTLS'
step 'expect ^220 '
step 'starttls'
step 'send EHLO step'
step 'expect ^250 '
state_now 'total=1 unsuitable=0 .* idle=1 '
echo "ok: greeted -> new; after EHLO (through STARTTLS) -> idle"
step 'send QUIT'
step 'expect ^221'
stop_step
state_now 'total=0 ' 20
agent_alive
echo "PASS"
