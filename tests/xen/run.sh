#!/bin/sh
# tests/xen/run.sh OUT [SECONDS]: boot Xen, Dom-0 and the scenarios under
# QEMU's software emulation (no KVM), one CPU, serial console on stdout
# and in OUT/serial.log; then read the verdicts from the log: PASS/FAIL per
# scenario and a closing "xen: N passed, N failed".  Exit 0 only if all
# passed.  SECONDS (default 1800) bounds the whole boot.
set -u
OUT=${1:?usage: run.sh OUT [SECONDS]}
limit=${2:-1800}
log=$OUT/serial.log
scenarios="s1 s3 s8 s2 s6 s4 s5 s7"
for f in xen vmlinuz dom0.cpio.gz; do
	[ -f "$OUT/$f" ] || { echo "run.sh: $OUT/$f missing (build-images.sh)" >&2; exit 1; }
done
xenargs="console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M dom0_max_vcpus=1
	loglvl=all guest_loglvl=all console_timestamps=boot console_to_ring"
start=$(date +%s)
timeout --foreground -k 10 "$limit" qemu-system-x86_64 -accel tcg -cpu qemu64,+svm,+npt \
    -smp 1 -m 2048 -nographic -no-reboot -monitor none -serial stdio -nodefaults -vga none \
    -kernel "$OUT/xen" -append "$(echo $xenargs)" \
    -initrd "$OUT/vmlinuz console=hvc0 earlyprintk=xen ${RIG_DOM0_ARGS:-},$OUT/dom0.cpio.gz" \
    </dev/null 2>&1 | tee "$log"
secs=$(($(date +%s) - start))
echo "xen: QEMU ran ${secs}s (limit ${limit}s), serial log $log"
pass=0 fail=0
for s in $scenarios; do
	line=$(tr -d '\r' <"$log" | grep -a "^RIG-RESULT $s " | tail -n 1)
	case $line in
	"RIG-RESULT $s PASS "*) echo "PASS $s ${line#RIG-RESULT $s PASS }"; pass=$((pass + 1));;
	"RIG-RESULT $s FAIL "*) echo "FAIL $s ${line#RIG-RESULT $s FAIL }"; fail=$((fail + 1));;
	*) echo "FAIL $s: no result in the serial log (the rig stopped before it)"; fail=$((fail + 1));;
	esac
done
tr -d '\r' <"$log" | grep -aq '^RIG-DONE' || echo "xen: the rig did not finish (time limit or crash)"
echo "xen: $pass passed, $fail failed"
[ "$fail" = 0 ]
