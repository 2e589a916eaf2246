#!/bin/sh
# mod_migstate: a "100 Continue" interim response is not the response.  A
# POST with "Expect: 100-continue" to a CGI that reads the body and then
# waits: Apache sends the 100 when mod_cgid reads the body, and the
# request must stay in processing (not writing_small) until the final
# response; then, the connection closed by curl, every counter is back to
# 0.  HTTP and HTTPS, MPM event.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$(dirname "$0")/lib-apache.sh"
command -v curl >/dev/null || ma_skip "curl not installed"
ma_init
ma_conf event
ma_start
ma_expect 10 slots=1
head -c 2000 /dev/zero >"$MA_DIR/body"
# Like slow.cgi, but it reads the body first.
cat >"$MA_DIR/cgi/readslow.cgi" <<SCRIPT
#!/bin/sh
cat >/dev/null
i=0
while [ ! -e "$MA_DIR/holds/\$QUERY_STRING" ] && [ \$i -lt 600 ]; do
	sleep 0.1; i=\$((i + 1))
done
printf 'Content-Type: text/plain\r\n\r\nread\n'
SCRIPT
chmod 755 "$MA_DIR/cgi/readslow.cgi"

# continue_case SCHEME NAME
continue_case() {
	local url out=$MA_DIR/$2.curl i
	url="http://127.0.0.1:$MA_PORT"
	[ "$1" = https ] && url="https://127.0.0.1:$MA_SPORT"
	curl -skv --http1.1 --expect100-timeout 30 -H 'Expect: 100-continue' \
	    --data-binary @"$MA_DIR/body" -o /dev/null -w 'final %{http_code}\n' \
	    "$url/cgi/readslow.cgi?$2" >"$out" 2>&1 &
	MA_CLIENTS="$MA_CLIENTS $!"
	for i in $(seq 1 100); do
		grep -q '^< HTTP/1.1 100' "$out" && break
		sleep 0.1
	done
	grep -q '^< HTTP/1.1 100' "$out" || ma_fail "$1: no 100 Continue: $(cat "$out")"
	# The body was sent after the 100; the script waits for its hold file.
	ma_expect 10 processing=1
	ma_release "$2"
	for i in $(seq 1 100); do
		grep -q '^final ' "$out" && break
		sleep 0.1
	done
	grep -q '^final 200' "$out" || ma_fail "$1: final response: $(cat "$out")"
	ma_expect 10
}

continue_case http k1
continue_case https k2
ma_stop
echo "PASS mod_migstate_continue"
