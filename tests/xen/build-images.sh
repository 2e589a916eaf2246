#!/bin/sh
# tests/xen/build-images.sh B CACHE OUT: the boot files of the Xen rig.
#
#   OUT/xen           Debian's Xen 4.17 hypervisor (xen.gz unpacked: QEMU's
#                     -kernel wants the multiboot ELF)
#   OUT/vmlinuz       Debian's kernel, for Dom-0 and the guest alike
#   OUT/dom0.cpio.gz  Dom-0's initramfs: busybox, the Xen tools and their
#                     libraries, migbridge installed the way the migbridge
#                     package installs it (the save helper diverted to the
#                     packaging's wrapper), the scenarios, and the guest's
#                     kernel, initramfs and configuration under /guest
#
# B holds the project's binaries (make all), CACHE the packages fetch.sh
# unpacked.  The trees are staged in a temporary folder: the top Makefile
# includes every *.d file under $(B), and root file systems have some.
set -eu
B=${1:?usage: build-images.sh B CACHE OUT}
CACHE=${2:?}
OUT=${3:?}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
B=$(cd "$B" && pwd)
SR=$(cd "$CACHE/sysroot" && pwd)
KV=$(cat "$SR/.kver")
MOD=$SR/lib/modules/$KV/kernel
XLIB=$SR/usr/lib/x86_64-linux-gnu
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT INT TERM

die() { echo "build-images.sh: $*" >&2; exit 1; }

# The agent moved from $(B)/ to $(B)/guest-agent/: take either.
agent=$B/guest-agent/migstate-agent
[ -x "$agent" ] || agent=$B/migstate-agent
for f in "$agent" "$B/dom0-bridge/migbridge" "$B/dom0-bridge/migbridge-ctl" \
    "$B/dom0-bridge/libmigstate-precopy.so" "$B/mod_migstate/mod_migstate.so" \
    /bin/busybox /usr/sbin/apache2; do
	[ -e "$f" ] || die "$f missing (make all; apt-get install busybox-static apache2-bin)"
done

# A root with merged /usr: /lib is usr/lib, libraries in one folder.
mkroot() {
	mkdir -p "$1/bin" "$1/usr/lib/x86_64-linux-gnu" "$1/lib64" "$1/etc" \
	    "$1/proc" "$1/sys" "$1/dev" "$1/run" "$1/tmp" "$1/var/log"
	ln -s usr/lib "$1/lib"
	cp /bin/busybox "$1/bin/busybox"
	cp -L /lib64/ld-linux-x86-64.so.2 "$1/lib64/"
	# dlopen()ed by glibc for pthread_cancel: ldd does not list it.
	cp -L /lib/x86_64-linux-gnu/libgcc_s.so.1 "$1/usr/lib/x86_64-linux-gnu/"
	echo "root:x:0:0:root:/root:/bin/sh" >"$1/etc/passwd"
	echo "root:x:0:" >"$1/etc/group"
}

# copy_libs ROOT ELF...: the shared libraries the ELFs need, the Xen ones
# from the unpacked packages, the rest from this (Debian 12) machine.
copy_libs() {
	r=$1; shift
	for e in "$@"; do
		LD_LIBRARY_PATH=$XLIB ldd "$e" 2>/dev/null | awk '/=> \//{print $3}'
	done | sort -u | while read -r lib; do
		cp -L "$lib" "$r/usr/lib/x86_64-linux-gnu/"
	done
}

# mods ROOT NAME...: kernel modules (paths under kernel/) to /modules.
mods() {
	r=$1; shift
	mkdir -p "$r/modules"
	for m in "$@"; do cp "$MOD/$m" "$r/modules/"; done
}

cpio_gz() { (cd "$1" && find . | cpio -o -H newc --quiet | gzip -1) >"$2"; }

zcat "$SR/boot/xen-4.17-amd64.gz" >"$OUT/xen"
cp "$SR/boot/vmlinuz-$KV" "$OUT/vmlinuz"

# ------------------------------------------------------------------ guest
G=$stage/domu
mkroot "$G"
cp "$here/domu-init" "$G/init"
chmod 0755 "$G/init"
mkdir -p "$G/usr/sbin" "$G/usr/bin" "$G/etc/migstate" "$G/etc/apache2" \
    "$G/usr/lib/apache2/modules" "$G/srv/www" "$G/run/migstate"
cp "$agent" "$G/usr/sbin/migstate-agent"
cp /usr/sbin/apache2 "$G/usr/sbin/"
cp /usr/lib/apache2/modules/mod_mpm_event.so /usr/lib/apache2/modules/mod_authz_core.so "$G/usr/lib/apache2/modules/"
cp "$B/mod_migstate/mod_migstate.so" "$G/usr/lib/apache2/modules/"
cp -a "$SR/usr/bin/xenstore" "$SR/usr/bin/xenstore-read" "$SR/usr/bin/xenstore-write" \
    "$G/usr/bin/"
copy_libs "$G" "$agent" /usr/sbin/apache2 /usr/lib/apache2/modules/mod_mpm_event.so \
    "$B/mod_migstate/mod_migstate.so" "$SR/usr/bin/xenstore"
mods "$G" drivers/xen/xen-evtchn.ko drivers/xen/xen-gntalloc.ko drivers/net/xen-netfront.ko
cp "$here/guest-httpd.conf" "$G/etc/apache2/httpd.conf"
cat >"$G/etc/migstate/agent.conf" <<'EOF'
[agent]
name = rig-guest
uplink = vchan
xenstore = xen
poll = 10ms
heartbeat = 1s
[apache]
shm = /run/migstate/mod_migstate.shm
EOF
echo "www-data:x:33:33:www-data:/srv/www:/bin/sh" >>"$G/etc/passwd"
echo "www-data:x:33:" >>"$G/etc/group"
echo "migstate rig guest" >"$G/srv/www/index.html"
cpio_gz "$G" "$stage/domu-initrd.gz"

# ------------------------------------------------------------------ Dom-0
R=$stage/dom0
mkroot "$R"
cp "$here/dom0-init" "$R/init"
mkdir -p "$R/usr/lib/xen-4.17" "$R/usr/bin" "$R/usr/sbin" "$R/guest" "$R/rig" \
    "$R/usr/lib/migstate" "$R/etc/migstate" "$R/etc/xen/scripts"
cp -a "$SR/usr/lib/xen-4.17/bin" "$R/usr/lib/xen-4.17/"
cp -a "$SR/etc/xen/xl.conf" "$R/etc/xen/"
cp -a "$SR/usr/bin/xenstore" "$SR"/usr/bin/xenstore-[a-z]* "$R/usr/bin/" 2>/dev/null || true
find "$R/usr/bin" -type l -delete
# migbridge, as packaging/debian/migbridge.install and .links place it, and
# the diversion migbridge.preinst makes (dpkg-divert --rename).
cp "$B/dom0-bridge/migbridge" "$R/usr/sbin/"
cp "$B/dom0-bridge/migbridge-ctl" "$R/usr/bin/"
cp "$B/dom0-bridge/libmigstate-precopy.so" "$R/usr/lib/migstate/"
cp "$top/packaging/libxl-save-helper-wrapper" "$R/usr/lib/migstate/"
chmod 0755 "$R/usr/lib/migstate/libxl-save-helper-wrapper"
h=$R/usr/lib/xen-4.17/bin/libxl-save-helper
mv "$h" "$h.distrib"
ln -s /usr/lib/migstate/libxl-save-helper-wrapper "$h"
copy_libs "$R" $(find "$R/usr/lib/xen-4.17/bin" -type f) "$R/usr/bin/xenstore" \
    "$B/dom0-bridge/migbridge" "$B/dom0-bridge/migbridge-ctl" \
    "$B/dom0-bridge/libmigstate-precopy.so"
mods "$R" drivers/xen/xen-evtchn.ko drivers/xen/xen-gntdev.ko drivers/xen/xen-gntalloc.ko \
    drivers/xen/xen-privcmd.ko drivers/xen/xenfs/xenfs.ko net/llc/llc.ko net/802/stp.ko \
    net/bridge/bridge.ko drivers/net/xen-netback/xen-netback.ko
cp "$here/vif-rig" "$R/etc/xen/scripts/vif-rig"
cp "$here/localssh" "$here/scenarios.sh" "$R/rig/"
chmod 0755 "$R/rig/"* "$R/etc/xen/scripts/vif-rig" "$R/init"
cp "$OUT/vmlinuz" "$R/guest/vmlinuz"
cp "$stage/domu-initrd.gz" "$R/guest/initrd.gz"
cp "$here/guest.cfg" "$R/guest/guest.cfg"
cpio_gz "$R" "$OUT/dom0.cpio.gz"
ls -l "$OUT"
