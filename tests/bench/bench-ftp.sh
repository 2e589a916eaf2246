#!/bin/sh
# bench-ftp.sh - FTP through migstate-agent's proxy against vsftpd direct,
# in one run, on one machine, same vsftpd (plaintext, loopback):
#   (a) bulk: a BENCH_FTP_MB (100) MiB RETR with curl -o /dev/null, median
#       of 3, MB/s: vsftpd direct; proxy plaintext; proxy explicit TLS
#       (AUTH TLS, PROT P: data in TLS); proxy implicit TLS (ftps://)
#   (b) session cost: 20 sessions in turn, each login + EPSV + RETR of a
#       10 KiB file + QUIT (curl), median ms per session, same four paths
# The clients run on the same cores as the proxy and vsftpd: compare the
# rows with each other, not with other machines.
B=${B:-build}
. "$(dirname "$0")/lib.sh"
AGENT=$B/guest-agent/migstate-agent
MB=${BENCH_FTP_MB:-100}
[ -x "$AGENT" ] || { echo "bench-ftp: $AGENT not built"; exit 1; }
for c in vsftpd curl openssl python3; do
	command -v $c > /dev/null || { echo "bench-ftp: $c not installed (skipped)"; exit 0; }
done
T=$(mktemp -d)
chmod 755 "$T"
PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
port() { bench_port; }
up() { bench_up bench-ftp "$1"; }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost \
    -days 2 -keyout "$T/key.pem" -out "$T/cert.pem" > /dev/null 2>&1 || exit 1
mkdir -p "$T/ftp" "$T/empty"
head -c $((MB * 1048576)) /dev/urandom > "$T/ftp/big.bin"
head -c 10240 /dev/urandom > "$T/ftp/small.bin"
D=$(port); PP=$(port); PE=$(port); PI=$(port)
cat > "$T/vsftpd.conf" <<-VC
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$D
background=NO
anonymous_enable=YES
no_anon_password=YES
anon_root=$T/ftp
local_enable=NO
pasv_min_port=$((D + 1))
pasv_max_port=$((D + 20))
secure_chroot_dir=$T/empty
run_as_launching_user=YES
seccomp_sandbox=NO
isolate=NO
isolate_network=NO
max_per_ip=0
max_clients=0
VC
vsftpd "$T/vsftpd.conf" > "$T/vsftpd.log" 2>&1 &
PIDS="$PIDS $!"
cat > "$T/agent.conf" <<-AC
[agent]
name = bench
domid = 7
uplink = unix
socket = $T/none.sock
reconnect_max = 10s
[service ftp]
listen = 127.0.0.1:$PP
backend = 127.0.0.1:$D
protocol = ftp
[service ftpes]
listen = 127.0.0.1:$PE
backend = 127.0.0.1:$D
protocol = ftp
tls = starttls
cert = $T/cert.pem
key = $T/key.pem
[service ftps]
listen = 127.0.0.1:$PI
backend = 127.0.0.1:$D
protocol = ftp
tls = implicit
cert = $T/cert.pem
key = $T/key.pem
AC
"$AGENT" -d -f "$T/agent.conf" 2> "$T/agent.log" &
PIDS="$PIDS $!"
up "$D"; up "$PP"; up "$PE"; up "$PI"

# bulk URL [curl options]: median MB/s of 3 downloads.
bulk() {
	_u=$1; shift
	for _i in 1 2 3; do
		curl -sSk "$@" --max-time 300 -o /dev/null -w '%{speed_download}\n' "$_u" ||
		    { echo "bench-ftp: curl $_u failed" >&2; echo 0; }
	done | bench_median | awk '{ printf "%.0f", $1 / 1e6 }'
}

# sessions URL [curl options]: median ms of 20 whole sessions.
sessions() {
	_u=$1; shift
	for _i in $(seq 20); do
		curl -sSk "$@" --max-time 30 -o /dev/null -w '%{time_total}\n' "$_u" ||
		    { echo "bench-ftp: curl $_u failed" >&2; echo 0; }
	done | bench_median | awk '{ printf "%.1f", $1 * 1000 }'
}

echo "bench-ftp: $MB MiB RETR (median of 3) and 10 KiB sessions (median of 20)"
printf '%-34s %10s %12s\n' "path" "bulk MB/s" "session ms"
row() {	# NAME URLBASE [curl options]
	_n=$1 _b=$2; shift 2
	printf '%-34s %10s %12s\n' "$_n" "$(bulk "$_b/big.bin" "$@")" \
	    "$(sessions "$_b/small.bin" "$@")"
}
row "vsftpd direct" "ftp://127.0.0.1:$D"
row "proxy, plaintext" "ftp://127.0.0.1:$PP"
row "proxy, AUTH TLS + PROT P" "ftp://127.0.0.1:$PE" --ftp-ssl-reqd
row "proxy, implicit TLS (ftps://)" "ftps://127.0.0.1:$PI"
grep -q 'tracker:' "$T/agent.log" && echo "bench-ftp: a tracker failed: $(grep 'tracker:' "$T/agent.log")"
exit 0
