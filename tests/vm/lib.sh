# lib.sh - the VM tests' rig (source it from sh).  Everything lives in $T
# (mktemp -d) and in two network namespaces of our own:
#   $NSH  br0 10.0.0.1/24, tap0 (QEMU "a"), tap1 (QEMU "b"), migration over lo
#   $NSC  the clients, 10.0.0.2/24, a veth to br0
# Both QEMUs run in $NSH; "a" and "b" are slots: a QEMU started on a slot
# has its QMP socket $T/<slot>-qmp.sock (migbridge's), a second QMP socket
# $T/<slot>-tqmp.sock (the test's), the agent chardev $T/<slot>-chan.sock and
# its serial log $T/<slot>-serial.log.  vm_cleanup (EXIT trap) removes all.
# Migration bandwidth: 32 MiB/s (QEMU's default, VM_MIG_BW), against the
# guest's 8 MiB dirtying loop: at a 1 ms limit QEMU keeps iterating (unless
# the vCPU stalls for a whole pass), at 500 ms it converges at once.

GUEST=10.0.0.15
vm_log() { echo "# $(date +%H:%M:%S) $*"; }
vm_fail() {
	echo "FAIL: $*"
	for f in "$T"/*-serial.log "$T"/migbridge.log; do
		[ -f "$f" ] && { echo "--- tail $f"; tail -n 15 "$f"; }
	done
	exit 1
}

vm_netns_up() {
	NSH=migvm-h-$$ NSC=migvm-c-$$
	ip netns add "$NSH" && ip netns add "$NSC" || return 1
	H="ip netns exec $NSH" C="ip netns exec $NSC"
	$H ip link set lo up; $C ip link set lo up
	$H ip link add br0 type bridge
	$H ip link set br0 type bridge forward_delay 0 stp_state 0
	$H ip addr add 10.0.0.1/24 dev br0; $H ip link set br0 up
	for t in tap0 tap1; do
		$H ip tuntap add $t mode tap && $H ip link set $t master br0 &&
		    $H ip link set $t up || return 1
	done
	ip link add vh0 netns "$NSH" type veth peer name vc0 netns "$NSC" || return 1
	$H ip link set vh0 master br0; $H ip link set vh0 up
	$C ip addr add 10.0.0.2/24 dev vc0; $C ip link set vc0 up
}

# vm_start SLOT TAP [qemu args...]: start a QEMU on SLOT (background).
vm_start() {
	local slot=$1 tap=$2
	shift 2
	rm -f "$T/$slot-qmp.sock" "$T/$slot-tqmp.sock" "$T/$slot-chan.sock"
	: > "$T/$slot-serial.log"
	$H qemu-system-x86_64 -name "$slot" -machine pc-i440fx-7.2,accel=tcg \
	    -cpu qemu64 -smp 1 -m 512 \
	    -kernel "$KDIR/vmlinuz" -initrd "$INITRD" \
	    -append "console=ttyS0 quiet panic=-1 gip=$GUEST/24 ggw=10.0.0.1 ${VM_APPEND:-}" \
	    -display none -nodefaults -no-user-config \
	    -chardev "file,id=ser0,path=$T/$slot-serial.log" -serial chardev:ser0 \
	    -qmp "unix:$T/$slot-qmp.sock,server=on,wait=off" \
	    -qmp "unix:$T/$slot-tqmp.sock,server=on,wait=off" \
	    -device virtio-serial-pci,id=vs0 \
	    -chardev "socket,path=$T/$slot-chan.sock,server=on,wait=off,id=ch0" \
	    -device virtserialport,chardev=ch0,name=org.migstate.0 \
	    -netdev "tap,id=n0,ifname=$tap,script=no,downscript=no" \
	    -device virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56 \
	    -global "migration.x-max-bandwidth=${VM_MIG_BW:-33554432}" \
	    "$@" > "$T/$slot-qemu.out" 2>&1 &
	echo $! > "$T/$slot.pid"
}

vm_stop() {
	local p
	p=$(cat "$T/$1.pid" 2>/dev/null) || return 0
	kill "$p" 2>/dev/null
	for i in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$p" 2>/dev/null
	rm -f "$T/$1.pid"
}

# vm_wait_log SLOT PATTERN SECONDS
vm_wait_log() {
	local i
	for i in $(seq 1 $(($3 * 4))); do
		grep -aq "$2" "$T/$1-serial.log" 2>/dev/null && return 0
		sleep 0.25
	done
	return 1
}

vm_cleanup() {
	local p
	for p in $(cat "$T"/bg-*.pid 2>/dev/null); do kill -TERM "-$p" 2>/dev/null; done
	local pid
	for pid in $(cat "$T"/*.pid 2>/dev/null); do kill "$pid" 2>/dev/null; done
	sleep 0.5
	for pid in $(cat "$T"/*.pid 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
	[ -n "${NSH:-}" ] && ip netns del "$NSH" 2>/dev/null
	[ -n "${NSC:-}" ] && ip netns del "$NSC" 2>/dev/null
	if [ -n "${VM_KEEP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
