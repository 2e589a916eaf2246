#!/bin/sh
# mod_migstate under MPM worker: every basic scenario over HTTP and HTTPS,
# with exact counts read from the shared memory.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$(dirname "$0")/lib-apache.sh"
ma_init
ma_conf worker
ma_start
ma_sc_all http
ma_sc_all https
ma_stop
echo "PASS mod_migstate_worker"
