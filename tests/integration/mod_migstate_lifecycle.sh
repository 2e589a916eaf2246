#!/bin/sh
# mod_migstate across `apachectl -k graceful` with connections open (their
# counts stay right, the old children's slots are released when they
# exit) and a child killed with SIGKILL (its counts vanish), under MPM
# event and prefork.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$(dirname "$0")/lib-apache.sh"
ma_init

# ma_nslots: how many slots are claimed now.
ma_nslots() { ma_dump | sed 's/.*slots=//'; }

graceful() {
	local mpm=$1 old idle i
	ma_log "=== $mpm: graceful restart with connections open"
	ma_conf "$mpm"
	ma_start
	ma_client c1 --port "$MA_PORT" "$(GET /small.txt)" resp hold:r1 "$(GET /small.txt)" resp
	ma_client c2 --port "$MA_PORT" "$(GET /cgi/slow.cgi?g1)" resp hold:r1
	ma_client c3 --rcvbuf 131072 --tls --port "$MA_SPORT" "$(GET /5m.bin)" hold:r1 resp
	ma_expect 60 idle=1 processing=1 writing_large=1
	old=$(ma_children | sort | tr '\n' ' ')
	ma_graceful
	# The new generation's children claim their own slots.
	for i in $(seq 1 100); do
		grep -q "AH00493\|AH00171" "$MA_DIR/error.log" &&
		    [ -n "$(comm -13 <(echo "$old" | tr ' ' '\n' | sort) <(ma_children | sort))" ] && break
		sleep 0.1
	done
	# The old children finish their connections.  An idle keep-alive one
	# is closed at once by event (so no longer counts); a prefork child
	# keeps it until its next request, after which it closes.
	idle=; [ "$mpm" = prefork ] && idle=idle=1
	ma_expect 60 processing=1 writing_large=1 $idle
	ma_client c4 --port "$MA_PORT" hold:r2
	ma_expect 60 new=1 processing=1 writing_large=1 $idle
	ma_release g1
	ma_release r1
	ma_wait_client c2; ma_wait_client c3
	if [ "$mpm" = prefork ]; then
		ma_wait_client c1
		[ "$(grep -c status=200 "$MA_DIR/c1.out")" = 2 ] || ma_fail "c1: $(cat "$MA_DIR/c1.out")"
	fi
	ma_release r2; ma_wait_client c4
	ma_kill_clients
	ma_expect 60
	# Every old child exited (event may linger on a closing connection for
	# up to 30 s): no slot names a dead process.
	for i in $(seq 1 350); do
		[ "$(ma_nslots)" = "$("$MA_DUMP" -p "$MA_SHM" | sed 's/.*slots=//')" ] &&
		    [ "$(ma_nslots)" = "$(ma_workers | wc -l)" ] && break
		sleep 0.1
	done
	[ "$(ma_nslots)" = "$(ma_workers | wc -l)" ] ||
	    ma_fail "slots $(ma_nslots), live workers $(ma_workers | wc -l):
$(ps -o pid,nlwp,stat,args --ppid "$(ma_pid)"; "$MA_DUMP" -p "$MA_SHM")"
	ma_log "ok: slots=$(ma_nslots), as many as live workers"
	ma_stop
}

killed() {
	local mpm=$1 victim
	ma_log "=== $mpm: a child killed with SIGKILL"
	ma_conf "$mpm"
	ma_start
	ma_client c1 --port "$MA_PORT" "$(GET /small.txt)" resp hold:r1
	ma_client c2 --rcvbuf 131072 --port "$MA_PORT" "$(GET /5m.bin)" hold:r1 resp
	ma_client c3 --tls --port "$MA_SPORT" "$(GET /cgi/slow.cgi?k1)" resp hold:r1
	ma_expect 60 idle=1 writing_large=1 processing=1
	# Kill the child that holds the slow request: under prefork the
	# parent of the CGI (other children keep their counts), under event
	# the only worker child (mod_cgid's daemon runs the CGI).
	if [ "$mpm" = prefork ]; then
		victim=$(ps -o ppid= -p "$(pgrep -n -u www-data -f "$MA_DIR/cgi/slow.cgi k1")" | tr -d ' ')
		ma_workers | grep -qx "$victim" || ma_fail "CGI parent '$victim' is no worker"
	else
		victim=$(ma_workers)
	fi
	[ -n "$victim" ] || ma_fail "no child to kill"
	ma_log "killing child $victim"
	kill -KILL "$victim"
	if [ "$mpm" = prefork ]; then
		ma_expect 60 idle=1 writing_large=1
	else
		ma_expect 60
	fi
	# The parent zeroed the slot; the reader need not probe pids.
	"$MA_DUMP" "$MA_SHM" | grep -q "slots=$("$MA_DUMP" -p "$MA_SHM" | sed 's/.*slots=//')$" ||
	    ma_fail "a dead child's slot is still claimed"
	ma_release k1
	ma_release r1
	ma_kill_clients
	ma_expect 60
	ma_stop
}

graceful event
killed event
graceful prefork
killed prefork
echo "PASS mod_migstate_lifecycle"
