#!/bin/sh
# migload_pop3.sh - migload's POP3 mode against a real dovecot: directly
# (plain POP3) and through the agent's TLS proxy (pop3s, implicit TLS).
# Asserts the counts migload prints: every command Good with no error,
# the sessions' command order (greeting, USER, PASS, LIST, RETR..., QUIT),
# each RETR's bytes equal to the size LIST announced, the summary's
# command and retr counts equal to the CSV's; a wrong password is a
# -ERR counted as a failed PASS; an unverifiable certificate fails every
# greeting unless --insecure; and the agent's proxy reported the POP3
# sessions (testbridge's STATE lines: pop3 connections, idle between
# RETRs, none left after the run).
. "$(dirname "$0")/proxy_lib.sh"
M=$B/tests/migload/migload
[ -x "$M" ] || { echo "SKIP: $M not built"; exit 77; }
start_dovecot
make_cert
PS=$(free_port)
write_proxy_conf \
    "[service pop3s]" "listen = 127.0.0.1:$PS" "backend = 127.0.0.1:$DPOP" \
    "protocol = pop3" "tls = implicit" "cert = $T/cert.pem" "key = $T/key.pem"
start_proxy_agent 1
LIST=$(python3 -c '
import poplib, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=10)
p.user("test"); p.pass_("secret")
print(" ".join(l.decode().split()[1] for l in p.list()[1])); p.quit()' "$DPOP") ||
    fail "poplib LIST"
echo "mailbox sizes: $LIST"

# check NAME: migload's $T/NAME.txt and $T/NAME.csv of a clean run.
check() {
	awk -F, -v sizes="$LIST" '
	BEGIN { n = split(sizes, s, " "); for (i = 1; i <= n; i++) ok[s[i]] = 1
		nx["greeting"] = "user"; nx["user"] = "pass"; nx["pass"] = "list" }
	NR == 1 { next }
	{ rec++; k[$4]++ }
	$13 != "" { print "FAIL: error " $13 " on " $5; bad++ }
	$6 == 1 && $12 != "good" { print "FAIL: not good: " $0; bad++ }
	$4 == "retr" && $6 == 1 { retr++
		if ($8 != $9 || !($9 in ok)) { print "FAIL: RETR " $8 " of " $9; bad++ } }
	# The order of one session: what follows each command.
	($3 in last) && (last[$3] in nx) && nx[last[$3]] != $5 {
		print "FAIL: session " $3 ": " $5 " after " last[$3]; bad++ }
	($3 in last) && last[$3] == "list" && $5 != "retr" && $5 != "quit" {
		print "FAIL: session " $3 ": " $5 " after list"; bad++ }
	($3 in last) && last[$3] == "quit" && $5 != "greeting" {
		print "FAIL: session " $3 ": " $5 " after quit"; bad++ }
	{ last[$3] = $5; seen[$5]++ }
	END {
		if (retr < 5 || seen["quit"] < 2 || seen["list"] < 2) {
			print "FAIL: too little done: " retr " RETRs, " seen["quit"] " QUITs"; bad++ }
		printf "%d records: %d commands, %d retr\n", rec, k["command"], k["retr"]
		print k["command"] + 0, k["retr"] + 0 > "'"$T/$1.counts"'"
		exit bad > 0
	}' "$T/$1.csv" || fail "$1: the CSV"
	read -r nc nr < "$T/$1.counts"
	pc=$(awk '$1 == "run" && $2 == "command" { print $3 }' "$T/$1.txt")
	pr=$(awk '$1 == "run" && $2 == "retr" { print $3 }' "$T/$1.txt")
	# The summary counts the records judged (unfinished ones may be "-").
	[ -n "$pc" ] && [ "$pc" -gt 0 ] && [ "$pc" -le "$nc" ] && [ "$pc" -ge $((nc - 3)) ] ||
	    fail "$1: summary says $pc commands, CSV has $nc"
	[ -n "$pr" ] && [ "$pr" -gt 0 ] && [ "$pr" -le "$nr" ] && [ "$pr" -ge $((nr - 3)) ] ||
	    fail "$1: summary says $pr retrs, CSV has $nr"
	grep -q '^errors=0 resets=0 ' "$T/$1.txt" || fail "$1: $(tail -1 "$T/$1.txt")"
	echo "ok: $1: $pc commands and $pr RETRs counted, all Good, sizes as listed"
}

# --- directly: plain POP3 on dovecot.
"$M" -u "pop3://test:secret@127.0.0.1:$DPOP" -c 3 -d 6 --think-mean 0.3 \
    --line-rate 8000000 --page-rate 0 --progress 0 --csv "$T/direct.csv" \
    > "$T/direct.txt" 2> "$T/direct.err" || fail "migload direct: $(cat "$T/direct.err")"
cat "$T/direct.txt"
check direct

# --- through the agent's proxy, implicit TLS; the agent counts the sessions.
MARK=$(grep -c '^state ' "$T/tb.out")
"$M" -u "pop3s://127.0.0.1:$PS" --user test --password secret -k -c 3 -d 6 \
    --think-mean 0.5 --line-rate 4000000 --page-rate 0 --progress 0 \
    --csv "$T/proxy.csv" > "$T/proxy.txt" 2> "$T/proxy.err" ||
    fail "migload proxy: $(cat "$T/proxy.err")"
cat "$T/proxy.txt"
check proxy
grep '^state ' "$T/tb.out" | tail -n +"$((MARK + 1))" > "$T/run.states"
grep -q 'protos=pop3' "$T/run.states" || fail "no STATE with a pop3 record"
awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    if (v["total"] > m) m = v["total"]; if (v["idle"] > 0) idle++
    if (v["writing_large"] > 0) large++ }
    END { printf "max %d connections, %d states with idle, %d with writing_large\n",
    m, idle, large; exit !(m >= 1 && m <= 3 && idle > 0) }' "$T/run.states" ||
    fail "the agent's STATEs during the run: never idle$(grep -q 'response without command' \
    "$T/agent.log" && echo " (its POP3 tracker failed: 'response without command': the
    greeting arrived after the implicit TLS handshake, when the tracker already expects
    replies to commands)")"
state_now 'total=0 ' 20
echo "ok: the agent reported the POP3 sessions (idle between RETRs), none left after"

# --- a wrong password: -ERR, a failed PASS, no RETR.
"$M" -u "pop3://test:wrong@127.0.0.1:$DPOP" -c 1 -d 4 --think-mean 5 --progress 0 \
    --csv "$T/wrong.csv" > "$T/wrong.txt" 2>&1
awk -F, '$5 == "pass" && $13 == "pop3-err" && $12 == "fail" { p++ } $5 == "retr" { r++ }
    END { exit !(p >= 1 && r == 0) }' "$T/wrong.csv" ||
    fail "wrong password: $(cat "$T/wrong.csv")"
echo "ok: a wrong password is a failed PASS (-ERR), nothing retrieved"

# --- verification on: the self-signed certificate fails every greeting.
"$M" -u "pop3s://test:secret@127.0.0.1:$PS" -c 1 -d 2 --think-mean 0.2 --progress 0 \
    --csv "$T/verify.csv" > "$T/verify.txt" 2>&1
awk -F, 'NR > 1 { n++; if ($5 != "greeting" || $13 != "tls") bad++ }
    END { exit !(n > 0 && bad == 0) }' "$T/verify.csv" ||
    fail "certificate verification: $(head -5 "$T/verify.csv")"
echo "ok: an unverifiable certificate fails the greeting (tls) without -k"
agent_alive
echo "PASS"
