#!/bin/sh
# deps.sh: install the Debian packages in $DEPS_PKGS that are missing.
# As root it runs apt-get; otherwise it prints the exact command and fails.
missing=
for p in $DEPS_PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
	echo "make deps: missing Debian packages:$missing" >&2
	echo "make deps: as root, run: apt-get update && $cmd" >&2
	exit 1
fi
echo "make deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && $cmd -qq >/dev/null || {
	echo "make deps: apt-get failed; run: apt-get update && $cmd" >&2
	exit 1
}
