#!/bin/sh
# hook_wrapper.sh: packaging/libxl-save-helper-wrapper preloads the hook
# for --save-domain only, passes every argument and the exit status
# through, keeps stdout clean, and fails open when the hook is missing.
. tests/harness/hooklib.sh
hook_init
W=packaging/libxl-save-helper-wrapper
# A stand-in for the real helper: records its arguments and LD_PRELOAD.
cat >"$T/helper" <<EOH
#!/bin/sh
{ echo "preload=\${LD_PRELOAD-unset}"; for a; do echo "arg=\$a"; done; } >"$T/seen"
exit 7
EOH
chmod +x "$T/helper"
: >"$T/hook.so"
export MIGSTATE_SAVE_HELPER=$T/helper MIGSTATE_PRECOPY_LIB=$T/hook.so

run() { unset LD_PRELOAD; sh "$W" "$@" >"$T/out" 2>"$T/err"; echo $? >"$T/rc"; }

run --save-domain 10 5 "a b" ''
[ "$(cat "$T/rc")" = 7 ] || fail "exit status not passed through"
[ ! -s "$T/out" ] || fail "wrote to stdout"
printf 'preload=%s\narg=--save-domain\narg=10\narg=5\narg=a b\narg=\n' "$T/hook.so" >"$T/want"
diff "$T/want" "$T/seen" || fail "save: wrong preload or arguments"

run --restore-domain 11 6
printf 'preload=unset\narg=--restore-domain\narg=11\narg=6\n' >"$T/want"
diff "$T/want" "$T/seen" || fail "restore: touched"

# An existing LD_PRELOAD is kept, after ours.
LD_PRELOAD=/x/other.so sh "$W" --save-domain 1 >"$T/out" 2>"$T/err"
grep -q "^preload=$T/hook.so /x/other.so\$" "$T/seen" || fail "LD_PRELOAD not kept: $(head -n 1 "$T/seen")"

# Hook missing: stock save, one line on stderr.
MIGSTATE_PRECOPY_LIB=$T/none.so run --save-domain 1
grep -q '^preload=unset' "$T/seen" || fail "preloaded a missing hook"
grep -q 'stock precopy policy' "$T/err" || fail "no fail-open line"
[ ! -s "$T/out" ] || fail "wrote to stdout"
echo "PASS"
