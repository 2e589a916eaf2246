#!/usr/bin/env python3
"""pop3mix.py - a POP3 client mix for the demo (implicit TLS).

  pop3mix.py HOST PORT SESSIONS [--user demo --password demo]
             [--rate BYTES_PER_S] [--think SECONDS] [--seed N]

Each of SESSIONS users loops until killed: connect (TLS), USER/PASS, LIST,
RETR one message (a random one, read at --rate), idle (exponential think
time, mean --think), QUIT.  One line a RETR on stdout:
  retr t=UNIX_TIME session=I msg=N bytes=B secs=S max_stall_ms=M
where max_stall_ms is the longest gap between two reads of the body: the
QoS a pause of the server shows as.  Errors: "error session=I WHY".
"""
import argparse
import random
import socket
import ssl
import sys
import threading
import time


def session(i, a, stop):
    rnd = random.Random(a.seed * 1000 + i)
    ctx = ssl._create_unverified_context()
    while not stop.is_set():
        try:
            s = ctx.wrap_socket(socket.create_connection((a.host, a.port), 30))
            s.settimeout(60)
            f = s.makefile("rb")

            def cmd(c):
                s.sendall(c.encode() + b"\r\n")
                ln = f.readline()
                if not ln.startswith(b"+OK"):
                    raise RuntimeError("%s: %r" % (c.split()[0], ln))
                return ln

            f.readline()                        # greeting
            cmd("USER " + a.user)
            cmd("PASS " + a.password)
            cmd("LIST")
            sizes = []
            for ln in iter(f.readline, b".\r\n"):
                sizes.append(int(ln.split()[1]))
            msg = rnd.randrange(len(sizes)) + 1
            cmd("RETR %d" % msg)
            t0 = last = time.monotonic()
            n, stall = 0, 0.0
            while True:
                ln = f.readline()
                now = time.monotonic()
                stall = max(stall, now - last)
                last = now
                if ln == b".\r\n" or not ln:
                    break
                n += len(ln)
                if a.rate > 0:
                    ahead = n / a.rate - (now - t0)
                    if ahead > 0:
                        time.sleep(ahead)
            print("retr t=%.3f session=%d msg=%d bytes=%d secs=%.3f max_stall_ms=%.0f"
                  % (time.time(), i, msg, n, time.monotonic() - t0, stall * 1000),
                  flush=True)
            stop.wait(rnd.expovariate(1.0 / a.think))
            cmd("QUIT")
            s.close()
        except Exception as e:      # reported, then the user starts over
            print("error session=%d %r" % (i, e), flush=True)
            stop.wait(1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("sessions", type=int)
    p.add_argument("--user", default="demo")
    p.add_argument("--password", default="demo")
    p.add_argument("--rate", type=float, default=1250000.0)
    p.add_argument("--think", type=float, default=5.0)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    stop = threading.Event()
    ts = [threading.Thread(target=session, args=(i, a, stop), daemon=True)
          for i in range(a.sessions)]
    for t in ts:
        t.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        stop.set()


if __name__ == "__main__":
    main()
