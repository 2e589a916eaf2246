#!/bin/sh
# tests/xen/fetch.sh CACHE: download Debian's Xen 4.17 (hypervisor, tools,
# libraries) and kernel packages with `apt-get download` (nothing is
# installed) and unpack them with `dpkg -x` into CACHE/sysroot.  A second
# run with the same CACHE does nothing: CACHE/sysroot/.complete marks it.
set -eu
cache=${1:?usage: fetch.sh CACHE}
mkdir -p "$cache/debs"
cache=$(cd "$cache" && pwd)
root=$cache/sysroot
[ -e "$root/.complete" ] && exit 0
cd "$cache/debs"
# linux-image-amd64 is a metapackage: download the image it points at.
kpkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[ -n "$kpkg" ] || { echo "fetch.sh: cannot resolve linux-image-amd64" >&2; exit 1; }
pkgs="xen-hypervisor-4.17-amd64 xen-utils-4.17 xen-utils-common xenstore-utils
      libxencall1 libxenevtchn1 libxenforeignmemory1 libxengnttab1 libxenmisc4.17
      libxenstore4 libxentoollog1 libxendevicemodel1 libxenhypfs1 libxentoolcore1
      libyajl2 $kpkg"
for p in $pkgs; do
	ls "${p}"_*.deb >/dev/null 2>&1 || apt-get download "$p" ||
	    { apt-get update && apt-get download "$p"; }
done
rm -rf "$root"; mkdir -p "$root"
for d in *.deb; do dpkg -x "$d" "$root"; done
# The top Makefile includes every *.d under $(B) as a dependency file, and
# the default cache lives there: drop what the rig does not use anyway
# (etc/init.d, python's runtime.d).
find "$root" -name '*.d' -prune -exec rm -rf {} +
echo "${kpkg#linux-image-}" > "$root/.kver"
touch "$root/.complete"
