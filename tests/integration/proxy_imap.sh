#!/bin/sh
# proxy_imap.sh - dovecot's IMAP behind the proxy: imaps:// (implicit TLS)
# and STARTTLS done by the proxy (curl --ssl-reqd, openssl s_client
# -starttls imap, python's imaplib.starttls(), which checks the
# capability list); the counts follow a session: not authenticated ->
# auth; logged in -> idle; a 5 MiB FETCH read slowly -> writing_large.
. "$(dirname "$0")/proxy_lib.sh"
need curl
start_dovecot
make_cert
IS=$(free_port); IT=$(free_port)
write_proxy_conf \
    "[service imaps]" "listen = 127.0.0.1:$IS" "backend = 127.0.0.1:$DIMAP" \
    "protocol = imap" "tls = implicit" "cert = $T/cert.pem" "key = $T/key.pem" \
    "[service imap]" "listen = 127.0.0.1:$IT" "backend = 127.0.0.1:$DIMAP" \
    "protocol = imap" "tls = starttls" "cert = $T/cert.pem" "key = $T/key.pem"
start_proxy_agent 2
BIGF=$(ls "$T"/mail/test/cur/1000000002.*)

curl -sSk --max-time 30 -u test:secret "imaps://127.0.0.1:$IS/INBOX" -X 'SEARCH ALL' \
    > "$T/search" || fail "curl imaps SEARCH"
grep -q 'SEARCH 1 2' "$T/search" || fail "SEARCH: $(cat "$T/search")"
curl -sSk --max-time 30 -u test:secret "imaps://127.0.0.1:$IS/INBOX;UID=2" > "$T/big" ||
    fail "curl imaps FETCH"
cmp -s "$T/big" "$BIGF" || fail "the 5 MiB message differs through imaps"
echo "ok: curl imaps:// SEARCH and FETCH (5 MiB intact)"

curl -sSk --max-time 30 --ssl-reqd -u test:secret "imap://127.0.0.1:$IT/INBOX;UID=2" \
    > "$T/big2" || fail "curl --ssl-reqd imap:// (STARTTLS)"
cmp -s "$T/big2" "$BIGF" || fail "the 5 MiB message differs through STARTTLS"
echo "ok: curl --ssl-reqd imap:// (STARTTLS by the proxy)"

printf 'a CAPABILITY\r\nb LOGOUT\r\n' | timeout 20 openssl s_client -quiet -starttls imap \
    -connect "127.0.0.1:$IT" > "$T/cap.tls" 2> "$T/sclient.err" || true
grep -q '^\* CAPABILITY .*IMAP4rev1' "$T/cap.tls" || fail "s_client -starttls imap: $(cat "$T/cap.tls" "$T/sclient.err")"
grep -q 'STARTTLS' "$T/cap.tls" && fail "STARTTLS still offered after TLS: $(cat "$T/cap.tls")"
echo "ok: openssl s_client -starttls imap; no STARTTLS offered after TLS"

timeout 30 python3 -c '
import imaplib, ssl, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
print("pre", " ".join(m.capabilities))
m.starttls(ssl_context=ssl._create_unverified_context())
print("post", " ".join(m.capabilities))
m.login("test", "secret"); print("select", m.select("INBOX")[1][0].decode()); m.logout()' "$IT" \
    > "$T/imaplib.out" 2>&1 || fail "imaplib starttls: $(cat "$T/imaplib.out")"
grep -q '^pre .*STARTTLS' "$T/imaplib.out" || fail "imaplib: $(cat "$T/imaplib.out")"
grep -q '^post .*STARTTLS' "$T/imaplib.out" && fail "imaplib post: $(cat "$T/imaplib.out")"
grep -q '^select 2$' "$T/imaplib.out" || fail "imaplib: $(cat "$T/imaplib.out")"
echo "ok: python imaplib starttls()"

state_now 'total=0 ' 20
start_step 127.0.0.1 "$IS" --tls
step 'expect ^\* OK'
state_now 'total=1 .* auth=1 '
step 'send a LOGIN test secret'
step 'expect ^a OK'
step 'send b SELECT INBOX'
step 'expect ^b OK'
state_now 'total=1 unsuitable=0 .* idle=1 '
echo "ok: auth -> idle"
step 'send c UID FETCH 2 BODY.PEEK[]'
step 'expect ^\* 2 FETCH'
step_bg 'slowbytes 5000000 1000000'
state_now 'total=1 unsuitable=0 .* writing_large=1 '
step_wait
step 'expect ^c OK'
state_now 'total=1 unsuitable=0 .* idle=1 '
echo "ok: 5 MiB FETCH read slowly -> writing_large, then idle"
step 'send d LOGOUT'
step 'expect ^d OK'
stop_step
state_now 'total=0 ' 20
agent_alive
echo "PASS"
