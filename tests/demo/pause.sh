#!/bin/sh
# pause.sh - the demo's "paused VM": every guest process frozen (cgroup
# freezer: v1 where mounted, else cgroup v2's cgroup.freeze) and every
# packet to or from the guest silently dropped (nftables in the guest's
# namespace, on its veth), until thawed.
#
#	sh pause.sh setup		create the cgroup (prints nothing)
#	sh pause.sh exec CMD [ARG...]	run CMD inside the cgroup (its children too)
#	sh pause.sh freeze		drop the guest's packets, freeze, wait until frozen
#	sh pause.sh thaw		thaw, stop dropping
#	sh pause.sh state		FROZEN or THAWED
#	sh pause.sh pids		the processes in the cgroup
#	sh pause.sh teardown		thaw, SIGTERM then SIGKILL what is left in the
#					cgroup (only what was started in it), remove it
#
# Environment: PAUSE_NAME (cgroup name, required), PAUSE_NETNS (the guest
# namespace; no packet rules without it), PAUSE_IF (its veth end),
# PAUSE_LOG (append "freeze|frozen|thaw|thawed <ms since epoch>" lines),
# PAUSE_CGROUP=2 (use cgroup v2 even where the v1 freezer is mounted).
set -u
: "${PAUSE_NAME:?PAUSE_NAME is not set}"
: "${PAUSE_NETNS:=}"
: "${PAUSE_IF:=}"
: "${PAUSE_LOG:=/dev/null}"
V1=/sys/fs/cgroup/freezer

pause_v2root() {
	if [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; then
		echo /sys/fs/cgroup
	elif [ -d /sys/fs/cgroup/unified ]; then
		echo /sys/fs/cgroup/unified
	fi
}

# PAUSE_CGROUP=2 forces cgroup v2 where both exist (testing).
if [ "${PAUSE_CGROUP:-}" != 2 ] && [ -d "$V1" ] && [ -f "$V1/tasks" ]; then
	CG=$V1/$PAUSE_NAME
	VERSION=1
else
	CG=$(pause_v2root)/$PAUSE_NAME
	VERSION=2
fi

pause_ms() {
	date +%s%3N
}

pause_state() {
	if [ $VERSION = 1 ]; then
		cat "$CG/freezer.state"
	elif grep -q '^frozen 1' "$CG/cgroup.events"; then
		echo FROZEN
	else
		echo THAWED
	fi
}

pause_nft() {
	[ -n "$PAUSE_NETNS" ] && [ -n "$PAUSE_IF" ] || return 0
	ip netns exec "$PAUSE_NETNS" nft -f - <<NFT
table inet migpause {
	chain in { type filter hook input priority -300; policy accept; iifname "$PAUSE_IF" drop; }
	chain out { type filter hook output priority -300; policy accept; oifname "$PAUSE_IF" drop; }
}
NFT
}

pause_freeze() {
	echo "freeze $(pause_ms)" >>"$PAUSE_LOG"
	pause_nft || return 1
	if [ $VERSION = 1 ]; then
		echo FROZEN >"$CG/freezer.state" || return 1
	else
		echo 1 >"$CG/cgroup.freeze" || return 1
	fi
	i=0
	while [ "$(pause_state)" != FROZEN ]; do
		i=$((i + 1))
		[ $i -gt 500 ] && { echo "pause.sh: $CG did not freeze" >&2; return 1; }
		sleep 0.01
	done
	echo "frozen $(pause_ms)" >>"$PAUSE_LOG"
}

pause_thaw() {
	echo "thaw $(pause_ms)" >>"$PAUSE_LOG"
	if [ -n "$PAUSE_NETNS" ]; then
		ip netns exec "$PAUSE_NETNS" nft delete table inet migpause 2>/dev/null
	fi
	if [ $VERSION = 1 ]; then
		echo THAWED >"$CG/freezer.state"
	else
		echo 0 >"$CG/cgroup.freeze"
	fi
	echo "thawed $(pause_ms)" >>"$PAUSE_LOG"
}

pause_teardown() {
	[ -d "$CG" ] || return 0
	pause_thaw 2>/dev/null
	for sig in TERM TERM KILL; do
		pids=$(cat "$CG/cgroup.procs" 2>/dev/null)
		[ -z "$pids" ] && break
		kill -s $sig $pids 2>/dev/null
		i=0
		while [ -n "$(cat "$CG/cgroup.procs" 2>/dev/null)" ] && [ $i -lt 20 ]; do
			sleep 0.1; i=$((i + 1))
		done
	done
	rmdir "$CG" 2>/dev/null || { echo "pause.sh: cannot remove $CG" >&2; return 1; }
}

case ${1:-} in
setup)		mkdir -p "$CG" ;;
exec)		shift; echo $$ >"$CG/cgroup.procs" || exit 1; exec "$@" ;;
freeze)		pause_freeze ;;
thaw)		pause_thaw ;;
state)		pause_state ;;
pids)		cat "$CG/cgroup.procs" ;;
teardown)	pause_teardown ;;
*)		echo "usage: pause.sh setup|exec CMD|freeze|thaw|state|pids|teardown" >&2
		exit 2 ;;
esac
