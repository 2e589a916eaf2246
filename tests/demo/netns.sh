#!/bin/sh
# netns.sh - the demo's network: a "guest" namespace and a "clients"
# namespace joined by a veth pair, with private addresses that exist only
# inside these two namespaces (no route leaves them).
#
#	sh netns.sh up GUEST CLIENTS	create (GUEST 10.200.0.1, CLIENTS 10.200.0.2)
#	sh netns.sh down GUEST CLIENTS	delete (no error if already gone)
#
# Also sourceable: netns_up / netns_down with the same arguments.
# NETNS_GUEST_ADDR / NETNS_CLIENT_ADDR override the addresses.
: "${NETNS_GUEST_ADDR:=10.200.0.1}"
: "${NETNS_CLIENT_ADDR:=10.200.0.2}"

# The veth ends are named after the namespaces (<= 15 characters).
netns_ifname() {
	printf 'v%s' "$1" | cut -c1-15
}

netns_up() {
	g=$1 c=$2
	gi=$(netns_ifname "$g") ci=$(netns_ifname "$c")
	ip netns add "$g" || return 1
	ip netns add "$c" || return 1
	ip link add "$gi" netns "$g" type veth peer name "$ci" netns "$c" || return 1
	ip -n "$g" addr add "$NETNS_GUEST_ADDR/24" dev "$gi" || return 1
	ip -n "$c" addr add "$NETNS_CLIENT_ADDR/24" dev "$ci" || return 1
	ip -n "$g" link set lo up && ip -n "$g" link set "$gi" up || return 1
	ip -n "$c" link set lo up && ip -n "$c" link set "$ci" up || return 1
	# The clients' line is the seed's WAN-like path: small buffers both ways.
	ip netns exec "$g" sysctl -qw net.ipv4.tcp_wmem="4096 16384 65536" \
	    net.ipv4.tcp_rmem="4096 65536 131072" 2>/dev/null || true
	ip netns exec "$c" sysctl -qw net.ipv4.tcp_rmem="4096 65536 131072" \
	    2>/dev/null || true
	return 0
}

netns_down() {
	ip netns del "$1" 2>/dev/null
	ip netns del "$2" 2>/dev/null
	return 0
}

case "$(basename -- "$0")" in
netns.sh)
	case $1 in
	up)	shift; netns_up "$@" ;;
	down)	shift; netns_down "$@" ;;
	*)	echo "usage: netns.sh up|down GUEST CLIENTS" >&2; exit 2 ;;
	esac
	;;
esac
