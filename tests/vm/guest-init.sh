#!/bin/sh
# /init of the VM tests' guest (build-initramfs.sh).  Kernel command line:
#   gip=ADDR/LEN ggw=GW   the address on eth0 (virtio-net on a tap)
#   dirty=MB              a loop rewriting MB of memory (0: none)
#   noapache=1            no Apache (busybox httpd serves :80 instead)
# Serves :80 (Apache + mod_migstate: /big, 64 MiB,
# /cgi/slow.cgi?S answers after S seconds), runs migstate-agent over the
# virtio-serial port org.migstate.0, and a control server on :8080
# (busybox httpd: /cgi-bin/kill-agent).
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
mkdir -p /dev/shm /dev/pts; mount -t tmpfs -o size=200m shm /dev/shm
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci \
    failover net_failover virtio_net virtio_console; do
	insmod /mods/$m.ko
done
GIP=10.0.0.15/24 GGW=10.0.0.1 DIRTY=8 NOAPACHE=
for a in $(cat /proc/cmdline); do
	case $a in
	gip=*) GIP=${a#gip=};; ggw=*) GGW=${a#ggw=};;
	dirty=*) DIRTY=${a#dirty=};; noapache=*) NOAPACHE=1;;
	esac
done
hostname migvm
ip link set lo up; ip link set eth0 up; ip addr add $GIP dev eth0
ip route add default via $GGW
echo "hello from the guest" > /www/index.html
# 64 MiB: the host's random 1 MiB chunk 64 times (urandom is slow under TCG);
# the host knows its hash (build-initramfs.sh wrote it next to the image).
for i in $(seq 1 64); do cat /www/chunk; done > /www/big
cat > /www/cgi/slow.cgi <<'EOC'
#!/bin/sh
sleep "${QUERY_STRING:-10}"
printf 'Content-Type: text/plain\r\n\r\nslept %s\n' "${QUERY_STRING:-10}"
EOC
chmod 755 /www/cgi/slow.cgi
chown -R 33:33 /run/migstate
if [ -z "$NOAPACHE" ] && [ -x /usr/sbin/apache2 ]; then
	cat > /etc/apache.conf <<'EOC'
ServerRoot /apache
ServerName migvm
PidFile /run/httpd.pid
DefaultRuntimeDir /run
ErrorLog /dev/ttyS0
LogLevel warn
User www-data
Group www-data
Listen 80
AcceptFilter http none
LoadModule mpm_prefork_module /apache/mod_mpm_prefork.so
LoadModule authz_core_module /apache/mod_authz_core.so
LoadModule alias_module /apache/mod_alias.so
LoadModule cgi_module /apache/mod_cgi.so
LoadModule migstate_module /apache/mod_migstate.so
MigStateShmFile /run/migstate/mod_migstate.shm
DocumentRoot /www
<Directory />
	Require all granted
</Directory>
ScriptAlias /cgi/ /www/cgi/
Timeout 120
KeepAlive On
KeepAliveTimeout 300
MaxKeepAliveRequests 100
StartServers 4
MinSpareServers 2
MaxSpareServers 8
ServerLimit 16
MaxRequestWorkers 16
EOC
	/usr/sbin/apache2 -f /etc/apache.conf -k start
else
	httpd -p 80 -h /www
fi
cat > /etc/migstate/agent.conf <<'EOC'
[agent]
name = migvm
uplink = virtio
virtio_port = org.migstate.0
heartbeat = 500ms
reconnect_max = 500ms
[apache]
shm = /run/migstate/mod_migstate.shm
EOC
(while true; do
	/usr/sbin/migstate-agent -d -v -f /etc/migstate/agent.conf > /dev/ttyS0 2>&1 &
	echo $! > /run/agent.pid; wait
	[ -e /run/agent.stop ] && break
	sleep 1
done) &
mkdir -p /ctl/cgi-bin
cat > /ctl/cgi-bin/kill-agent <<'EOC'
#!/bin/sh
touch /run/agent.stop
kill -KILL "$(cat /run/agent.pid)"
printf 'Content-Type: text/plain\r\n\r\nkilled\n'
EOC
cat > /ctl/cgi-bin/ps <<'EOC'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
ps; cat /proc/loadavg; ls -la /dev/shm
EOC
chmod 755 /ctl/cgi-bin/*
httpd -p 8080 -h /ctl
if [ "$DIRTY" -gt 0 ]; then
	dd if=/dev/urandom of=/dev/shm/s bs=1M count=$DIRTY 2>/dev/null
	(while true; do dd if=/dev/shm/s of=/dev/shm/d bs=1M conv=notrunc 2>/dev/null; done) &
fi
echo "GUEST-READY $(cut -d' ' -f1 /proc/uptime)" > /dev/ttyS0
exec setsid sh -c 'exec sh -i </dev/ttyS0 >/dev/ttyS0 2>&1'
