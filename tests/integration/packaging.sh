#!/bin/sh
# packaging.sh: the three Debian packages (migbridge, migstate-agent,
# libapache2-mod-migstate) build from a clean clone with `make deb`, pass
# lintian (no error; every override justified), then install, upgrade over
# themselves, remove and purge on this machine:
#   - installed, Xen's save helper is migstate's wrapper and the original is
#     diverted to libxl-save-helper.distrib, unchanged; the wrapper preloads
#     the hook into the real helper for --save-domain only, and passes the
#     arguments through untouched;
#   - the shipped default configurations pass the units' ExecStartPre checks,
#     the units verify, and `a2enmod migstate` + `apache2ctl configtest` pass;
#   - removed (and purged), no diversion of ours is left and the original
#     helper is back byte for byte; purged, no file of ours is left.
# In INTEGRATION (about 90 s: a full package build and lintian), or alone:
# `make check-packages`.  Root only (it skips otherwise).  It changes the
# machine's packages and restores them (xen-utils-4.17, from make deps,
# stays); it refuses to run if our packages are already installed.
# PKG_TEST_FROM=worktree builds the working tree instead of HEAD.
set -u
B=${B:-build}
top=$(pwd)
helper=/usr/lib/xen-4.17/bin/libxl-save-helper
hook=/usr/lib/migstate/libmigstate-precopy.so
wrapper=/usr/lib/migstate/libxl-save-helper-wrapper
pkgs="migbridge migstate-agent libapache2-mod-migstate"
t0=$(date +%s)

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
step() { echo "== $* ($(( $(date +%s) - t0 ))s)"; }

[ "$(id -u)" = 0 ] || skip "needs root: installs and purges packages"
for t in dpkg-buildpackage dh lintian git dpkg-divert apache2ctl a2enmod; do
	command -v $t >/dev/null 2>&1 || skip "$t missing (make deps)"
done
[ -f "$helper" ] || skip "$helper missing: xen-utils-4.17 not installed (make deps)"
# One run at a time on a machine (developers share one): the later waits.
if command -v flock >/dev/null 2>&1; then
	exec 9>/run/lock/migstate-packaging.lock
	flock -w 900 9 || fail "another packaging test holds /run/lock/migstate-packaging.lock"
fi
for p in $pkgs; do
	if dpkg-query -W -f='${Status}' $p 2>/dev/null | grep -qv 'not-installed'; then
		skip "$p is already on this machine: purge it first (dpkg -P $pkgs)"
	fi
done
dpkg-divert --list | grep -q ' by migbridge$' &&
    skip "a diversion by migbridge exists already: see dpkg-divert --list"

T=$(mktemp -d)
had_run_dir=no
[ -d /run/migstate ] && had_run_dir=yes
cleanup() {
	for p in $pkgs; do
		case $(dpkg-query -W -f='${Status}' $p 2>/dev/null) in
		""|*not-installed) ;;
		*) dpkg_do "$T/cleanup.log" -P $p ;;
		esac
	done
	[ $had_run_dir = no ] && rmdir /run/migstate 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

sha() { sha256sum <"$1" | cut -d' ' -f1; }

# dpkg_do LOG ARGS...: dpkg ARGS, waiting (up to 10 min) while another apt
# or dpkg holds the lock; its output in LOG.
dpkg_do() {
	log=$1; shift; waited=0
	until dpkg "$@" >"$log" 2>&1; do
		grep -q 'frontend lock\|database is locked\|lock was locked' "$log" &&
		    [ $waited -lt 600 ] || { cat "$log"; return 1; }
		[ $waited = 0 ] && echo "waiting for the dpkg lock..."
		sleep 3; waited=$((waited + 3))
	done
}
sha_stock=$(sha "$helper")
dpkg-query -S "$helper" | grep -q '^xen-utils-4.17: ' ||
    fail "$helper is not xen-utils-4.17's (dpkg -S: $(dpkg-query -S "$helper"))"

# ---------------------------------------------------------------- build
step "build"
src=$T/src
if [ "${PKG_TEST_FROM:-HEAD}" = HEAD ] &&
    git -C "$top" cat-file -e HEAD:packaging/debian/control 2>/dev/null; then
	git clone -q "$top" "$src" || fail "git clone"
	echo "building a clean clone of HEAD ($(git -C "$src" log -1 --format='%h %s'))"
else
	echo "NOTE: building a copy of the working tree (HEAD lacks packaging/debian," \
	    "or PKG_TEST_FROM=worktree)"
	mkdir -p "$src"
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files -z -c -o --exclude-standard |
		    tar --null --ignore-failed-read -T - -cf - 2>/dev/null
	else
		tar --exclude='./build*' --exclude=./.git --exclude=./debian -cf - .
	fi | tar -x -C "$src" || fail "copy of the working tree"
fi
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    make -C "$src" --no-print-directory deb DEB_OUT="$T/debs" >"$T/build.log" 2>&1 || {
	tail -n 40 "$T/build.log"; fail "make deb failed (log above)"; }
for p in $pkgs; do
	set -- "$T"/debs/${p}_*.deb
	[ -f "$1" ] || fail "no $p .deb built"
	eval "deb_$(echo $p | tr -- '-' '_')=\$1"
done
debs="$deb_migbridge $deb_migstate_agent $deb_libapache2_mod_migstate"
for d in $debs; do echo "built: $(basename "$d")"; dpkg-deb -c "$d" | awk '!/\/$/ {print "    " $6, $7, $8}'; done

# ---------------------------------------------------------------- lintian
step "lintian"
# Each override is justified by a comment right above it.
for f in "$src"/packaging/debian/*lintian-overrides; do
	[ -f "$f" ] || continue
	awk -v f="$(basename "$f")" '
	    /^#/ { c = 1; next }
	    /^[[:space:]]*$/ { c = 0; next }
	    { if (!c) { print f ": unjustified override: " $0; bad = 1 }; c = 0 }
	    END { exit bad }' "$f" || fail "an override without its comment"
done
changes=$(ls "$T"/debs/*.changes)
lintian --fail-on error "$changes" >"$T/lintian.log" 2>&1
lrc=$?
echo "lintian output (exit $lrc):"
sed 's/^/    /' "$T/lintian.log"
[ $lrc -eq 0 ] || fail "lintian reported errors"
grep -q '^E: ' "$T/lintian.log" && fail "lintian errors"

# ---------------------------------------------------------------- checks
# check_installed: the diversion, the wrapper in place, the original intact.
check_installed() {
	n=$(dpkg-divert --list "$helper" | grep -c "to $helper.distrib by migbridge$")
	[ "$n" = 1 ] || fail "$1: diversion: $(dpkg-divert --list "$helper")"
	[ "$(readlink -f "$helper")" = "$wrapper" ] || fail "$1: $helper is not the wrapper"
	[ -x "$wrapper" ] || fail "$1: $wrapper not executable"
	[ -f "$hook" ] || fail "$1: $hook missing"
	[ "$(sha "$helper.distrib")" = "$sha_stock" ] ||
	    fail "$1: $helper.distrib differs from the stock helper"
	dpkg-query -S "$helper" >"$T/dpkgS" 2>&1
	grep -qx "diversion by migbridge from: $helper" "$T/dpkgS" &&
	    grep -q "migbridge.*: $helper\$" "$T/dpkgS" || fail "$1: dpkg -S: $(cat "$T/dpkgS")"
	echo "$1: $helper -> $(readlink "$helper"); original at .distrib, sha256 unchanged;" \
	    "dpkg -S: $(tr '\n' ';' <"$T/dpkgS")"
}

# check_stock WHEN: no diversion of ours; the stock helper, byte for byte.
check_stock() {
	dpkg-divert --list | grep ' by migbridge$' && fail "$1: diversion left"
	[ ! -L "$helper" ] && [ -f "$helper" ] || fail "$1: $helper is not a file"
	[ "$(sha "$helper")" = "$sha_stock" ] || fail "$1: $helper is not the stock helper"
	[ ! -e "$helper.distrib" ] || fail "$1: $helper.distrib left"
	[ "$(dpkg-query -S "$helper" 2>&1)" = "xen-utils-4.17: $helper" ] ||
	    fail "$1: dpkg -S: $(dpkg-query -S "$helper" 2>&1)"
	echo "$1: stock helper back (sha256 $sha_stock), no diversion"
}

# The wrapper: arguments and environment reach the program it execs; the
# hook is preloaded for --save-domain only; nothing is written to stdout
# (libxl's control pipe).
check_wrapper() {
	cat >"$T/fake-helper" <<-'EOF'
	#!/bin/sh
	printf 'argc=%s\n' "$#" >&2
	for a in "$@"; do printf 'arg=[%s]\n' "$a" >&2; done
	printf 'LD_PRELOAD=[%s]\n' "${LD_PRELOAD:-}" >&2
	EOF
	chmod +x "$T/fake-helper"
	MIGSTATE_SAVE_HELPER=$T/fake-helper "$helper" --save-domain 7 'a b' '' \
	    >"$T/w.out" 2>"$T/w.err" || fail "wrapper --save-domain failed"
	[ -s "$T/w.out" ] && fail "wrapper wrote to stdout: $(cat "$T/w.out")"
	grep -qx "LD_PRELOAD=\[$hook\]" "$T/w.err" || fail "save: no preload: $(cat "$T/w.err")"
	grep -qx 'argc=4' "$T/w.err" && grep -qx 'arg=\[a b\]' "$T/w.err" &&
	    grep -qx 'arg=\[\]' "$T/w.err" || fail "save: arguments changed: $(cat "$T/w.err")"
	MIGSTATE_SAVE_HELPER=$T/fake-helper "$helper" --restore-domain 3 \
	    >"$T/w.out" 2>"$T/w.err" || fail "wrapper --restore-domain failed"
	grep -qx 'LD_PRELOAD=\[\]' "$T/w.err" || fail "restore: preloaded: $(cat "$T/w.err")"
	grep -qx 'arg=\[--restore-domain\]' "$T/w.err" || fail "restore: arguments changed"
	# Fail open: no hook, a stock save (one line on stderr, none on stdout).
	MIGSTATE_SAVE_HELPER=$T/fake-helper MIGSTATE_PRECOPY_LIB=$T/none "$helper" \
	    --save-domain 7 >"$T/w.out" 2>"$T/w.err" || fail "wrapper without its hook failed"
	[ -s "$T/w.out" ] && fail "wrapper without its hook wrote to stdout"
	grep -qx 'LD_PRELOAD=\[\]' "$T/w.err" && grep -qx 'argc=2' "$T/w.err" ||
	    fail "save without the hook: $(cat "$T/w.err")"
	# The real (diverted) helper, with the dynamic loader's trace: the hook
	# is loaded into libxl-save-helper.distrib itself for saves, not for
	# restores.  (Without a hypervisor the helper then fails: expected.)
	echo "(the real helper aborts here, with no hypervisor: expected)"
	(ulimit -c 0; LD_DEBUG=files "$helper" --save-domain </dev/null >"$T/r.out" 2>"$T/r.err")
	grep -q "file=$hook" "$T/r.err" || fail "the hook is not loaded into the real helper"
	grep -q "libxl-save-helper.distrib" "$T/r.err" || fail "the real helper did not run"
	[ -s "$T/r.out" ] && fail "stdout written on a save: $(cat "$T/r.out")"
	(ulimit -c 0; LD_DEBUG=files "$helper" --restore-domain </dev/null >/dev/null 2>"$T/r.err")
	grep -q "libmigstate" "$T/r.err" && fail "the hook is loaded for a restore"
	grep -q "libxl-save-helper.distrib" "$T/r.err" || fail "restore: the real helper did not run"
	echo "wrapper: hook preloaded into the real helper for --save-domain only;" \
	    "arguments intact; stdout untouched; fails open without the hook"
}

# A unit's ExecStartPre command (the configuration check), run as is.
unit_precheck() {
	unit=/lib/systemd/system/$1
	[ -f "$unit" ] || fail "$unit not installed"
	cmd=$(sed -n 's/^ExecStartPre=[-@:+!]*//p' "$unit" | head -n 1)
	[ -n "$cmd" ] || fail "$unit: no ExecStartPre"
	if out=$(sh -c "$cmd" 2>&1); then
		echo "$1: ExecStartPre '$cmd' passes: $out"
	elif [ "$1" = migstate-agent.service ] && [ ! -e /proc/xen ] &&
	    [ ! -e /dev/xen/xenbus ] && echo "$out" | grep -q 'domid is required'; then
		# Not a Xen guest: "uplink = auto" means unix here, which needs
		# the domid a guest gets from xenstore.  Check the rest of the
		# shipped file with one given.
		echo "NOTE: $1: '$cmd' on a host that is no Xen guest: $out"
		sed '/^\[agent\]/a domid = 1' /etc/migstate/agent.conf >"$T/agent.conf"
		out=$(/usr/sbin/migstate-agent -n -f "$T/agent.conf" 2>&1) ||
		    fail "$1: the shipped agent.conf plus a domid fails: $out"
		echo "$1: the shipped agent.conf plus 'domid = 1' passes -n: $out"
	else
		fail "$1: '$cmd' failed on the shipped default: $out"
	fi
	if command -v systemd-analyze >/dev/null 2>&1; then
		systemd-analyze verify "$unit" >"$T/verify" 2>&1 ||
		    fail "systemd-analyze verify $1: $(cat "$T/verify")"
		[ -s "$T/verify" ] && echo "$1: systemd-analyze verify: $(cat "$T/verify")"
	fi
}

check_apache() {
	a2query -q -m migstate || fail "mod_migstate not enabled on install"
	a2dismod -q migstate >/dev/null || fail "a2dismod migstate"
	a2enmod migstate >"$T/a2enmod" 2>&1 || fail "a2enmod migstate: $(cat "$T/a2enmod")"
	[ -L /etc/apache2/mods-enabled/migstate.load ] &&
	    [ -L /etc/apache2/mods-enabled/migstate.conf ] || fail "a2enmod linked nothing"
	apache2ctl configtest >"$T/configtest" 2>&1 ||
	    fail "apache2ctl configtest: $(cat "$T/configtest")"
	apache2ctl -M 2>/dev/null | grep -q 'migstate_module' || fail "module not loaded by the config"
	for d in 'MigState On' 'MigStateShmFile /run/migstate/mod_migstate.shm' \
	    'MigStateLargeTransfer 4194304'; do
		grep -q "^[[:space:]]*$d\$" /etc/apache2/mods-available/migstate.conf ||
		    fail "migstate.conf lacks '$d'"
	done
	[ -d /run/migstate ] || fail "/run/migstate not created (tmpfiles)"
	echo "apache: a2enmod migstate + configtest: $(tail -n 1 "$T/configtest")"
}

# ---------------------------------------------------------------- install
step "install"
# shellcheck disable=SC2086
dpkg_do "$T/install.log" -i $debs || fail "dpkg -i"
check_installed install
check_wrapper
unit_precheck migbridge.service
grep -q '^mode = xen$' /etc/migstate/migbridge.conf ||
    fail "the Dom-0 package's migbridge.conf does not say mode = xen"
unit_precheck migstate-agent.service
for u in migbridge migstate-agent; do
	[ -L /etc/systemd/system/multi-user.target.wants/$u.service ] ||
	    fail "$u.service not enabled on install"
done
check_apache

step "upgrade over itself"
# shellcheck disable=SC2086
dpkg_do "$T/upgrade.log" -i $debs || fail "dpkg -i (again)"
check_installed upgrade
check_wrapper
a2query -q -m migstate || fail "upgrade: mod_migstate disabled"

step "remove"
# shellcheck disable=SC2086
dpkg_do "$T/remove.log" -r $pkgs || fail "dpkg -r"
check_stock remove
[ -f /etc/migstate/migbridge.conf ] || fail "remove: conffile gone before purge"
[ -e /etc/apache2/mods-enabled/migstate.load ] && fail "remove: module still enabled"
apache2ctl configtest >/dev/null 2>&1 || fail "remove: Apache configuration broken"

step "purge"
# shellcheck disable=SC2086
dpkg_do "$T/purge.log" -P $pkgs || fail "dpkg -P"
check_stock purge
for f in /etc/migstate /usr/lib/migstate /etc/apache2/mods-available/migstate.load \
    /etc/apache2/mods-available/migstate.conf /lib/systemd/system/migbridge.service \
    /lib/systemd/system/migstate-agent.service /usr/lib/apache2/modules/mod_migstate.so \
    /etc/systemd/system/multi-user.target.wants/migbridge.service \
    /etc/systemd/system/multi-user.target.wants/migstate-agent.service \
    /var/log/migstate; do
	[ -e "$f" ] || [ -L "$f" ] && fail "purge: $f left"
done
for p in $pkgs; do
	dpkg-query -W -f='${Status}' $p 2>/dev/null | grep -q 'not-installed' ||
	    [ -z "$(dpkg-query -W -f='${Status}' $p 2>/dev/null)" ] || fail "purge: $p still known"
done
left=$(find /etc/apache2 /etc/systemd /var/lib/apache2 /var/lib/systemd /var/lib/dpkg/info \
    /usr/lib/tmpfiles.d \( -name '*migstate*' -o -name '*migbridge*' \) 2>/dev/null)
[ -z "$left" ] || fail "purge: left behind: $left"
echo "purge: nothing of ours left"
step "done"
echo "PASS"
