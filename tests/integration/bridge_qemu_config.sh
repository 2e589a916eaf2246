#!/bin/sh
# migbridge -n with [qemu NAME] sections (QEMU mode): each bad one reported
# with file:line; a good one accepted.  The VM itself runs in make check-vm.
. "$(dirname "$0")/bridge-lib.sh"

check() {
	cat > "$T/$1.conf"
	out=$($MB -n -f "$T/$1.conf" 2>&1) && fail "$1: accepted"
	echo "$out" | grep -Eq "^$T/$1.conf:[0-9]+: $2" || fail "$1: got '$out', want '$2'"
	echo "ok $1: $out"
}

printf '[qemu a]\nqmp = rel.sock\nchannel = /c\ndomid = 1\n' |
    check rel 'qmp: "rel.sock" is not an absolute path'
printf '[qemu a]\nqmp = /q\nchannel = /c\ndomid = 0\n' | check domid 'domid: 0 is out of range'
printf '[qemu a]\nqmp = /q\nchannel = /c\ndomid = 1\nport = 4\n' |
    check key 'unknown key "port" in \[qemu a\]'
printf '[qemu a]\nqmp = /q\ndomid = 1\n' | check missing '\[qemu a\] needs qmp, channel and domid'
printf '[qemu a]\nqmp = /q\nchannel = /c\ndomid = 1\n[qemu b]\nqmp = /q2\nchannel = /c2\ndomid = 1\n' |
    check same '\[qemu a\] and \[qemu b\] have the same domid'
printf '[qemu a]\nqmp = /q\nchannel = /c\ndomid = 1\n[qemu b]\nqmp = /q2\nchannel = /c2\ndomid = 2\n' > "$T/good.conf"
[ "$($MB -n -f "$T/good.conf" 2>&1)" = "configuration OK" ] || fail "good config rejected"
echo "PASS"
