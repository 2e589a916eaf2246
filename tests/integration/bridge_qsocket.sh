#!/bin/sh
# The query socket itself: mode 0600; pipelined requests answered in
# order; a stalled client (half a frame, never reading) does not hold up
# anyone; an invalid frame gets ERROR and the connection closed.  The raw
# client is perl (perl-base: IO::Socket::UNIX).
. "$(dirname "$0")/bridge-lib.sh"
command -v perl >/dev/null || { echo "skip: no perl"; exit 77; }

write_conf
start_bridge
[ "$(stat -c %a "$T/q.sock")" = 600 ] || fail "query socket mode $(stat -c %a "$T/q.sock")"
start_agent w 9 -u 1
wait_line "$T/w.out" '^hello'

# raw SCRIPT: run perl with helpers: frame(type, payload), rd() -> (type, payload).
raw() {
	perl -MIO::Socket::UNIX -e '
		my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die "connect: $!";
		sub frame { pack("VV", $_[0], length($_[1] // "")) . ($_[1] // "") }
		sub rd { my ($h, $p) = ("", ""); sysread($s, $h, 8) == 8 or return ();
			my ($t, $l) = unpack("VV", $h); while (length($p) < $l) {
			sysread($s, my $b, $l - length($p)) or last; $p .= $b } return ($t, $p) }
		sub dq { pack("VVQ<q<Q<VVQ<", $_[0], 5, $_[1], -1, 0, 1, 0, 0) }
		eval $ARGV[1]; die $@ if $@;' "$T/q.sock" "$1"
}

# A stalled client: 3 bytes of a header, then nothing for 3 s.
raw 'syswrite($s, "\x03\x10\x00"); sleep 3;' &
stalled=$!
PIDS="$PIDS $stalled"
sleep 0.2
v=$(ctl query 9 --mig 1) || fail "query blocked by a stalled client"
[ "$(field reason "$v")" = defer ] || fail "verdict: $v"

# Pipelined: STATUS, DOMAIN-QUERY, LIST in one write; answers in order.
out=$(raw 'syswrite($s, frame(0x1003) . frame(0x1000, dq(9, 7)) . frame(0x1002));
	my @t; while (my ($t, $p) = rd()) { push @t, sprintf("%x", $t); last if $t == 0x1102 }
	print join(" ", @t), "\n";') || fail "pipelined client"
echo "pipelined: $out"
[ "$out" = "1103 1100 1101 1102" ] || fail "pipelined answers: $out"

# Invalid: an agent-side frame type on the query socket -> ERROR, closed.
out=$(raw 'syswrite($s, frame(0x0100, "x" x 40)); my ($t, $p) = rd();
	my ($c, $txt) = unpack("VZ*", $p); my @more = rd();
	printf "%x %s closed=%d\n", $t, $txt, @more ? 0 : 1;') || fail "invalid client"
echo "invalid: $out"
echo "$out" | grep -Eq '^1104 frame type 0x100 not allowed closed=1$' || fail "no ERROR+close: $out"
# A DOMAIN-QUERY of the wrong size.
out=$(raw 'syswrite($s, frame(0x1000, "abc")); my ($t, $p) = rd();
	printf "%x %s\n", $t, unpack("x4Z*", $p);') || fail "short query client"
echo "$out" | grep -q '^1104 DOMAIN-QUERY: wrong length' || fail "short query: $out"
grep -q 'query client #[0-9]*: frame type 0x100 not allowed' "$T/mb.log" || fail "not logged"

# Still serving.
v=$(ctl query 9 --mig 2) || fail "query after bad clients"
kill "$stalled" 2>/dev/null
echo "PASS"
