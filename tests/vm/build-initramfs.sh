#!/bin/sh
# build-initramfs.sh OUT KDIR AGENT [MOD_MIGSTATE_SO]
#   The guest of the VM tests, as a gzip'd cpio: busybox-static, the virtio
#   modules of the kernel unpacked in KDIR (fetch-kernel.sh), migstate-agent
#   with its libraries, and Apache httpd (prefork, mod_cgi) with mod_migstate
#   from the host's apache2 package.  guest-init.sh becomes /init.
set -e
out=$1 kdir=$2 agent=$3 modso=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
kv=$(cat "$kdir/kernel.version")
M=$kdir/kpkg/lib/modules/$kv/kernel
R=$(mktemp -d "${TMPDIR:-/tmp}/migvm-root.XXXXXX")
trap 'rm -rf "$R"' EXIT
chmod 755 "$R"
mkdir -p "$R/bin" "$R/sbin" "$R/proc" "$R/sys" "$R/dev" "$R/tmp" "$R/www/cgi" \
    "$R/mods" "$R/etc/migstate" "$R/run/migstate" "$R/var/log" "$R/usr/sbin" \
    "$R/apache"
cp /bin/busybox "$R/bin/busybox"
for a in $(/bin/busybox --list); do
	[ "$a" = busybox ] || ln -sf busybox "$R/bin/$a"
done
for m in drivers/virtio/virtio_ring.ko drivers/virtio/virtio.ko \
    drivers/virtio/virtio_pci_modern_dev.ko drivers/virtio/virtio_pci_legacy_dev.ko \
    drivers/virtio/virtio_pci.ko net/core/failover.ko drivers/net/net_failover.ko \
    drivers/net/virtio_net.ko drivers/char/virtio_console.ko; do
	cp "$M/$m" "$R/mods/"
done
# A program and the shared libraries it needs, at the same paths.
copy_elf() {
	mkdir -p "$R$(dirname "$2")"
	cp "$1" "$R$2"
	for l in $(ldd "$1" | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p'); do
		[ -e "$R$l" ] && continue
		mkdir -p "$R$(dirname "$l")"
		cp -L "$l" "$R$l"
	done
}
copy_elf "$agent" /usr/sbin/migstate-agent
if [ -n "$modso" ] && [ -f "$modso" ] && [ -x /usr/sbin/apache2 ]; then
	copy_elf /usr/sbin/apache2 /usr/sbin/apache2
	for m in mpm_prefork authz_core alias cgi; do
		copy_elf "/usr/lib/apache2/modules/mod_$m.so" "/apache/mod_$m.so"
	done
	copy_elf "$modso" /apache/mod_migstate.so
	echo 'www-data:x:33:33:www-data:/www:/bin/sh' >> "$R/etc/passwd"
	echo 'www-data:x:33:' >> "$R/etc/group"
fi
# The download test's content, and its hash for the host side (OUT.sha256).
head -c 1048576 /dev/urandom > "$R/www/chunk"
for i in $(seq 1 64); do cat "$R/www/chunk"; done | sha256sum | cut -d' ' -f1 > "$out.sha256"
echo 'root:x:0:0:root:/:/bin/sh' >> "$R/etc/passwd"
echo 'root:x:0:' >> "$R/etc/group"
cp "$here/guest-init.sh" "$R/init"
chmod 755 "$R/init"
(cd "$R" && find . | cpio -o -H newc 2>/dev/null | gzip -1) > "$out"
