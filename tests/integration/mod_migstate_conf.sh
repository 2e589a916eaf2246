#!/bin/sh
# mod_migstate's directives: clear errors for bad values and contexts,
# MigStateLargeTransfer in force, MigState Off publishes nothing.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$(dirname "$0")/lib-apache.sh"
ma_init

# conf_error LINE EXPECTED: apache2 -t rejects LINE with EXPECTED.
conf_error() {
	ma_conf event "$1"
	out=$(apache2 -t -f "$MA_DIR/httpd.conf" 2>&1) && ma_fail "accepted: $1"
	echo "$out" | grep -qF "$2" || ma_fail "for [$1] expected [$2], got: $out"
	ma_log "rejected [$1]: $(echo "$out" | grep -F "$2" | head -1)"
}
conf_error "MigStateLargeTransfer 4M" "MigStateLargeTransfer: '4M' is not a positive number of bytes"
conf_error "MigStateLargeTransfer 0" "is not a positive number of bytes"
conf_error "MigStateLargeTransfer -5" "is not a positive number of bytes"
conf_error "MigState maybe" "MigState must be On or Off"
conf_error "MigStateShmFile $MA_DIR/run/" "MigStateShmFile: expects a file name, not a directory"
conf_error "<VirtualHost 127.0.0.1:1>
MigState Off
</VirtualHost>" "MigState cannot occur within <VirtualHost> section"
ma_conf event "MigStateLargeTransfer 1048576"
apache2 -t -f "$MA_DIR/httpd.conf" 2>&1 | grep -q "Syntax OK" || ma_fail "valid config rejected"

ma_log "--- MigStateLargeTransfer 1048576: 1 MiB is large, 1 MiB - 1 small"
head -c 1048575 /dev/zero >"$MA_DIR/htdocs/1m-1.bin"
ma_start
ma_run "1 MiB" ma_sc_writing http 1m.bin writing_large
ma_run "1 MiB - 1" ma_sc_writing https 1m-1.bin writing_small
grep -q "MS00003: MigStateShmFile $MA_SHM: 4 slots, threshold 1048576" "$MA_DIR/error.log" ||
    ma_fail "no MS00003 line"
ma_stop

ma_log "--- MigState Off: no file, nothing counted"
rm -f "$MA_SHM"
ma_conf event "MigState Off"
ma_start
ma_client c1 --port "$MA_PORT" "$(GET /small.txt)" resp hold:r1
sleep 0.5
[ -e "$MA_SHM" ] && ma_fail "MigState Off created $MA_SHM"
ma_release r1; ma_wait_client c1
ma_kill_clients
ma_log "--- graceful to On: the file appears and counts"
ma_conf event ""
ma_graceful
ma_expect 20 slots=1
ma_run "idle after Off -> On" ma_sc_processing http
ma_stop

ma_log "--- an unusable MigStateShmFile: logged, Apache serves anyway"
mkdir -p "$MA_DIR/ro"; touch "$MA_DIR/ro/file"
ma_conf event "MigStateShmFile $MA_DIR/ro/file/x"
ma_start
grep -q "MS00002: MigStateShmFile $MA_DIR/ro/file/x: cannot create" "$MA_DIR/error.log" ||
    ma_fail "no MS00002 line"
ma_stop
echo "PASS mod_migstate_conf"
