#!/bin/sh
# pop3-guest.sh DIR ADDR PORT - dovecot's POP3 for the demo's guest (run it
# inside the guest's namespace): plaintext on ADDR:PORT (the agent's proxy
# terminates TLS in front of it), config, maildir and logs under DIR, user
# "demo" (password "demo") with messages of the Support workload's
# download sizes (0.1 to 9.53 MiB) and six small ones (10 KiB).  Runs
# dovecot in the foreground (exec): stop it with SIGTERM.
set -eu
D=$1 ADDR=$2 PORT=$3
mkdir -p "$D/run" "$D/state" "$D/home" "$D/mail/demo/cur" "$D/mail/demo/new" "$D/mail/demo/tmp"
echo "demo:{PLAIN}demo:65534:65534::$D/home::" > "$D/passwd"
i=0
for kib in 10 10 10 10 10 10 102 307 512 614 737 860 1024 1741 2468 4096 5417 9759; do
	i=$((i + 1))
	f="$D/mail/demo/cur/$((1000000000 + i)).M${i}P1.demo:2,S"
	[ -f "$f" ] && continue
	python3 -c '
import sys
n = int(sys.argv[1]) * 1024
h = "From: a@example.org\r\nTo: demo@example.org\r\nSubject: %d KiB\r\n\r\n" % (n // 1024)
l = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01234567\r\n"
sys.stdout.write(h + l * ((n - len(h)) // len(l) + 1))' "$kib" > "$f"
done
chown -R 65534:65534 "$D/mail" "$D/home"
cat > "$D/dovecot.conf" <<DC
base_dir = $D/run
state_dir = $D/state
log_path = $D/dovecot.log
protocols = pop3
listen = $ADDR
ssl = no
disable_plaintext_auth = no
first_valid_uid = 1
mail_location = maildir:$D/mail/%u
pop3_uidl_format = %08Xu%08Xv
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $D/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u $D/passwd
}
service pop3-login {
  inet_listener pop3 {
    port = $PORT
  }
  inet_listener pop3s {
    port = 0
  }
}
service imap-login {
  inet_listener imap {
    port = 0
  }
}
DC
exec dovecot -F -c "$D/dovecot.conf"
