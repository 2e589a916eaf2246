#!/bin/sh
# hook_binding.sh: a program linked against Debian's real libxenguest
# (bindcheck, -lxenguest) binds xc_domain_save@VERS_4.17.0 to
# libmigstate-precopy.so when it is preloaded, as libxl-save-helper does;
# the hook exports nothing else; and it forwards to the next definition
# (here the harness) with the caller's callbacks intact.
. tests/harness/hooklib.sh
hook_need "$BINDCHECK" "$HOOK_SO" "$DRIVER"
hook_init

# Without the hook: the real library (also proves the check can fail).
"$BINDCHECK" >"$T/plain" || fail "bindcheck failed"
grep -q '^bound=.*libxenguest\.so' "$T/plain" || fail "not bound to libxenguest: $(cat "$T/plain")"

# With the hook preloaded.
LD_DEBUG=bindings LD_PRELOAD=$HOOK_SO "$BINDCHECK" >"$T/hooked" 2>"$T/ldd" ||
    fail "bindcheck failed under the hook"
cat "$T/hooked"
grep -q '^bound=.*/libmigstate-precopy\.so$' "$T/hooked" || fail "address not the hook's"
grep -q '^dlsym=.*/libmigstate-precopy\.so$' "$T/hooked" || fail "dlsym not the hook's"
line=$(grep "binding file [^ ]*bindcheck .* normal symbol .xc_domain_save' \[VERS_4.17.0\]" "$T/ldd")
echo "$line"
echo "$line" | grep -q 'to [^ ]*/libmigstate-precopy\.so ' || fail "LD_DEBUG: not bound to the hook"
! grep "binding file [^ ]*bindcheck .*libxenguest.*xc_domain_save" "$T/ldd" ||
    fail "LD_DEBUG: a binding to libxenguest"

# Xen's own libxl-save-helper, when installed (xen-utils-4.17), through the
# packaging wrapper: bound at start-up (LD_BIND_NOW) to the hook for
# --save-domain, to libxenguest otherwise.  It then stops on its missing
# arguments (an assertion); only the bindings matter here.
REAL=/usr/lib/xen-4.17/bin/libxl-save-helper
if [ -x "$REAL" ]; then
	for mode in --save-domain --restore-domain; do
		MIGSTATE_PRECOPY_LIB=$HOOK_SO MIGSTATE_SAVE_HELPER=$REAL LD_BIND_NOW=1 \
		    LD_DEBUG=bindings timeout 10 sh packaging/libxl-save-helper-wrapper \
		    $mode </dev/null >/dev/null 2>"$T/real$mode"
		grep "binding file $REAL .*xc_domain_save' \[VERS_4.17.0\]" "$T/real$mode" |
		    sed 's/^ *[0-9]*:[[:space:]]*//' >"$T/b$mode"
		cat "$T/b$mode"
	done
	grep -q 'to [^ ]*/libmigstate-precopy\.so ' "$T/b--save-domain" ||
	    fail "the real helper is not bound to the hook for --save-domain"
	grep -q 'to [^ ]*/libxenguest\.so[^ ]* ' "$T/b--restore-domain" ||
	    fail "the real helper is not bound to libxenguest for --restore-domain"
else
	echo "($REAL not installed: real helper not checked)"
fi

# Exported: xc_domain_save@@VERS_4.17.0 and the version node, nothing else.
nm -D --defined-only "$HOOK_SO" | awk '{print $3}' | sort >"$T/exports"
printf 'VERS_4.17.0\nxc_domain_save@@VERS_4.17.0\n' >"$T/expected"
diff "$T/expected" "$T/exports" || fail "unexpected exported symbols"

# Forwarding: the harness (next in line) ran the save and the driver got
# its callbacks back as given.
MIGHARNESS_CLOCK=sim hook_save 3 "$T/report" || fail "save through the hook failed"
[ "$(rget result "$T/report")" = 0 ] || fail "the harness did not run the save"
echo "PASS"
