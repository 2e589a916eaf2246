#!/bin/sh
# fetch-kernel.sh CACHE - the guest kernel for the VM tests: Debian's
# linux-image-amd64 (its dependency, the versioned package) fetched with
# apt-get download into CACHE and unpacked there once.  Prints the kernel
# version.  Exit 77 if it cannot be fetched (no network, no apt).
set -e
cache=$1
mkdir -p "$cache"
cd "$cache"
if [ ! -f kernel.version ]; then
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	    sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n 1)
	[ -n "$pkg" ] || { echo "SKIP: no linux-image-amd64 in apt's lists"; exit 77; }
	ls "$pkg"_*.deb >/dev/null 2>&1 || apt-get download "$pkg" >/dev/null 2>&1 ||
	    { echo "SKIP: apt-get download $pkg failed"; exit 77; }
	rm -rf kpkg
	dpkg -x "$pkg"_*.deb kpkg
	echo "${pkg#linux-image-}" > kernel.version
fi
cat kernel.version
