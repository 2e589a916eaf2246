#!/bin/sh
# agent_config.sh - `migstate-agent -n`: "configuration OK" and exit 0 for
# a valid file; for a bad one exit 1 and every error listed, each with its
# file and line (the unit test test_agent_config has the table of errors).
. "$(dirname "$0")/agent_lib.sh"

write_conf "poll = 20ms" "xenstore = dir:$T/xs"
"$AGENT" -n -f "$T/agent.conf" > "$T/out" 2>&1 || fail "valid config refused: $(cat "$T/out")"
grep -qx 'configuration OK' "$T/out" || fail "no 'configuration OK': $(cat "$T/out")"
# -n starts nothing.
[ -e "$T/xs" ] && fail "-n touched xenstore"

C=$T/bad.conf
cat > "$C" <<CONF
# a comment
[agent]
name = guest1
poll = fast
uplink = carrier-pigeon
colour = blue
[apache]
shm = relative/path
[proxy]
listen = 443
CONF
"$AGENT" -n -f "$C" > "$T/out" 2>&1 && fail "bad config accepted"
cat "$T/out"
for want in \
    "$C:4: poll: \"fast\" is not a duration" \
    "$C:5: uplink: \"carrier-pigeon\" is not vchan, unix, virtio or auto" \
    "$C:6: unknown key \"colour\" in [agent]" \
    "$C:8: shm: \"relative/path\" is not an absolute path" \
    "$C:10: unknown section [proxy]" \
    "$C:5: [agent] domid is required when uplink is unix"; do
	grep -qF "$want" "$T/out" || fail "missing error: $want"
done
[ "$(wc -l < "$T/out")" -eq 6 ] || fail "expected exactly 6 lines"
grep -q 'configuration OK' "$T/out" && fail "OK printed for a bad file"

# A missing file is an error too.
"$AGENT" -n -f "$T/nonexistent.conf" > "$T/out" 2>&1 && fail "missing file accepted"
grep -q "nonexistent.conf.*cannot open" "$T/out" || fail "$(cat "$T/out")"
# Bad usage.
"$AGENT" -x > "$T/out" 2>&1 && fail "bad option accepted"
grep -q '^usage: migstate-agent \[-dnv\] \[-f file\]' "$T/out" || fail "$(cat "$T/out")"
echo "PASS"
