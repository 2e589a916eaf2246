#!/bin/sh
# mod_migstate under MPM event: every basic scenario over HTTP and HTTPS,
# with exact counts read from the shared memory (scenarios: lib-apache.sh).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$(dirname "$0")/lib-apache.sh"
ma_init
ma_conf event
ma_start
ma_expect 10 slots=1
# The threshold's boundary, 206, DirectoryIndex and ErrorDocument over
# HTTP (their code is the same over HTTPS, which has every basic scenario).
MA_BOUNDARY=1
ma_sc_all http
MA_BOUNDARY=
ma_sc_all https
ma_stop
echo "PASS mod_migstate_event"
