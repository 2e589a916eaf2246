#!/bin/sh
# tests/xen/run.sh OUT [SECONDS]: boot Xen, Dom-0 and the scenarios under
# QEMU's software emulation (no KVM), one CPU, serial console on stdout
# and in OUT/serial.log; then read the verdicts from the log: PASS/FAIL per
# scenario and a closing "xen: N passed, N failed".  Exit 0 only if all
# passed.  SECONDS (default 1800) bounds the whole run, every attempt.
#
# A waker: QEMU 7.2's software emulation of this machine now and then
# leaves the CPU halted in Xen's idle loop with interrupts enabled and the
# local APIC timer's interrupt pending (IRR 250), never delivered: the whole
# machine stops until another interrupt arrives.  Once Xen's console is up,
# the serial input is switched to Xen (three ^A) and a NUL, a key Xen
# ignores, goes down the serial line every second: its receive interrupt
# wakes the CPU, which then takes the timer's too.
#
# A stall watchdog: the rig prints a tick every 30 s of Dom-0's time, so a
# serial console silent for XEN_STALL seconds (default 180) means the
# emulated machine stopped anyway.  The watchdog then records what it can
# (QEMU's CPU use, the CPU's registers and local APIC from QEMU's monitor,
# Xen's own dumps through its debug keys on the serial line) in
# OUT/stall-N.log and the console, ends that boot and, within XEN_ATTEMPTS
# boots (default 2) and the time left, boots again.  Only a stall is
# retried, never a FAIL.
set -u
OUT=${1:?usage: run.sh OUT [SECONDS]}
limit=${2:-1800}
stall=${XEN_STALL:-180}
attempts=${XEN_ATTEMPTS:-2}
log=$OUT/serial.log
scenarios="s1 s3 s8 s2 s6 s4 s5 s7"
for f in xen vmlinuz dom0.cpio.gz; do
	[ -f "$OUT/$f" ] || { echo "run.sh: $OUT/$f missing (build-images.sh)" >&2; exit 1; }
done
xenargs="console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M dom0_max_vcpus=1
	loglvl=all guest_loglvl=all console_timestamps=boot console_to_ring"

# qemu_cpu PID: QEMU's CPU use over 10 s, in per cent of one core.
qemu_cpu() {
	t0=$(awk '{ print $14 + $15 }' /proc/$1/stat 2>/dev/null || echo 0)
	sleep 10
	t1=$(awk '{ print $14 + $15 }' /proc/$1/stat 2>/dev/null || echo 0)
	echo $(((t1 - t0) * 100 / ($(getconf CLK_TCK) * 10)))
}

# monitor CMD...: each command to QEMU's human monitor, its answers to stdout.
monitor() {
	for c in "$@"; do printf '%s\n' "$c" >&4; done
	sleep 2
}

# diagnose PID N: what a stalled machine shows, into OUT/stall-N.log.
diagnose() {
	{
		echo "run.sh: stall at $(date -u +%T): console silent for ${stall}s"
		echo "run.sh: QEMU used $(qemu_cpu $1)% of a core over 10 s"
		monitor "info registers" "x/8i \$pc" "info lapic" "info pic"
		# Xen's debug keys (the input switched to Xen unless the waker
		# did): r (scheduler), q (domains and vCPUs), d (registers, stacks).
		size=$(wc -c <"$log")
		[ -e "$OUT/xen-input" ] || printf '\001\001\001' >&3
		sleep 2
		for k in r q d; do printf %s $k >&3; sleep 5; done
		sleep 20
		echo "run.sh: the console printed $(($(wc -c <"$log") - size)) bytes after the debug keys"
	} >"$OUT/stall-$2.log" 2>&1
	# The monitor echoes what it is sent, with terminal escapes: drop those.
	sed -e 's/\x1b\[[0-9;]*[A-Za-z]//g' -e '/^(qemu)/d' "$OUT/mon-$2.log" >>"$OUT/stall-$2.log"
	grep -Ev '^(XMM|FPR)' "$OUT/stall-$2.log" | sed "s/^/STALL| /"
}

# boot N SECONDS: one boot of the rig, at most SECONDS long; OUT/stalled
# says whether the watchdog ended it.
boot() {
	n=$1
	rm -f "$OUT/com1" "$OUT/mon.in" "$OUT/mon.out" "$OUT/qemu.pid" "$OUT/stalled" \
	    "$OUT/xen-input"
	mkfifo "$OUT/com1" "$OUT/mon.in" "$OUT/mon.out"
	: >"$log"
	exec 3<>"$OUT/com1" 4<>"$OUT/mon.in"
	cat "$OUT/mon.out" >"$OUT/mon-$n.log" &
	mpid=$!
	(
		while [ ! -s "$OUT/qemu.pid" ]; do sleep 1; done
		qpid=$(cat "$OUT/qemu.pid")
		last=-1 since=$(date +%s)
		while kill -0 "$qpid" 2>/dev/null; do
			sleep 5
			size=$(wc -c <"$log" 2>/dev/null)
			now=$(date +%s)
			if [ "$size" != "$last" ]; then last=$size since=$now; continue; fi
			[ $((now - since)) -ge "$stall" ] || continue
			touch "$OUT/stalled"
			diagnose "$qpid" "$n"
			kill "$qpid"
			break
		done
	) &
	wpid=$!
	(
		while ! tr -d '\r' <"$log" 2>/dev/null | grep -aq 'Serial input to DOM0'; do
			[ -e "$OUT/stalled" ] && exit
			sleep 1
		done
		printf '\001\001\001' >&3
		touch "$OUT/xen-input"
		# Until QEMU is gone (then this loop is killed) or stalled.
		while [ ! -e "$OUT/stalled" ]; do
			printf '\000' >&3
			sleep 1
		done
	) &
	kpid=$!
	# Not -nographic: its stdio multiplexer would take the ^A of Xen's keys.
	timeout --foreground -k 10 "$2" qemu-system-x86_64 -accel tcg -cpu qemu64,+svm,+npt \
	    -smp 1 -m 2048 -display none -no-reboot -nodefaults -vga none \
	    -serial stdio -monitor pipe:"$OUT/mon" -pidfile "$OUT/qemu.pid" \
	    -kernel "$OUT/xen" -append "$(echo $xenargs)" \
	    -initrd "$OUT/vmlinuz console=hvc0 earlyprintk=xen ${RIG_DOM0_ARGS:-},$OUT/dom0.cpio.gz" \
	    <&3 2>&1 | tee "$log"
	# QEMU is gone: a watchdog still diagnosing ends with it; one still
	# waiting for the pid file (QEMU never started) is not needed.
	[ -e "$OUT/stalled" ] || kill "$wpid" 2>/dev/null
	kill "$kpid" 2>/dev/null
	wait "$wpid" "$kpid"
	kill "$mpid" 2>/dev/null
	exec 3>&- 4>&-
	rm -f "$OUT/com1" "$OUT/mon.in" "$OUT/mon.out"
}

start=$(date +%s)
n=1
while :; do
	boot $n $((limit - ($(date +%s) - start)))
	[ -e "$OUT/stalled" ] || break
	cp "$log" "$OUT/serial-$n.log"
	left=$((limit - ($(date +%s) - start)))
	if [ $n -ge "$attempts" ] || [ $left -lt 300 ]; then
		echo "xen: boot $n stalled (see $OUT/stall-$n.log), no boot left (${left}s, $n of $attempts)"
		break
	fi
	echo "xen: boot $n stalled (see $OUT/stall-$n.log, $OUT/serial-$n.log), booting again"
	n=$((n + 1))
done
secs=$(($(date +%s) - start))
echo "xen: QEMU ran ${secs}s over $n boot(s) (limit ${limit}s), serial log $log"
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
