#!/usr/bin/env python3
"""mailstep.py - a line-protocol client driven step by step from stdin, so
that a test can look at the agent's STATE between steps.

  mailstep.py HOST PORT [--tls]

Commands, one a line on stdin; each answered "ok N" (N: its number) on
stdout once done, or "fail N WHY" (and exit 1):
  send TEXT          send TEXT CRLF
  expect REGEX       read lines until one matches (each printed "< LINE")
  starttls           start TLS on the connection now (no certificate check)
  slowdot RATE       read a dot-terminated body (POP3) at RATE bytes/s
  slowbytes N RATE   read N bytes at RATE bytes/s
  close              close the connection

The receive buffer is made small (8 KiB) before connecting, so that a slow
reader holds the sender back (backpressure) instead of the kernel
buffering whole messages.
"""
import re
import socket
import ssl
import sys
import time


class Conn:
    def __init__(self, host, port, tls):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
        s.settimeout(30)
        s.connect((host, port))
        self.s = s
        self.buf = b""
        if tls:
            self.starttls()

    def starttls(self):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        self.s = ctx.wrap_socket(self.s)

    def recv(self, n=4096):
        b = self.s.recv(n)
        if not b:
            raise EOFError("connection closed")
        return b

    def line(self):
        while b"\n" not in self.buf:
            self.buf += self.recv()
        ln, self.buf = self.buf.split(b"\n", 1)
        return ln.rstrip(b"\r").decode("latin-1")

    def slow(self, rate, n=None):
        """Read at rate bytes/s until n bytes, or the end of a '.' body."""
        data, self.buf = self.buf, b""
        got, tail = 0, b""
        while True:
            got += len(data)
            tail = (tail + data)[-5:]
            if n is not None and got >= n:
                return got
            if n is None and tail.endswith(b"\r\n.\r\n"):
                return got
            time.sleep(len(data) / rate)
            data = self.recv(4096)


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    c = Conn(host, port, "--tls" in sys.argv)
    print("connected", flush=True)
    for i, cmd in enumerate(sys.stdin, 1):
        cmd = cmd.rstrip("\n")
        verb, _, arg = cmd.partition(" ")
        try:
            if verb == "send":
                c.s.sendall(arg.encode() + b"\r\n")
            elif verb == "expect":
                while True:
                    ln = c.line()
                    print("<", ln, flush=True)
                    if re.search(arg, ln):
                        break
            elif verb == "starttls":
                c.starttls()
            elif verb == "slowdot":
                print("read", c.slow(int(arg)), flush=True)
            elif verb == "slowbytes":
                n, rate = arg.split()
                print("read", c.slow(int(rate), int(n)), flush=True)
            elif verb == "close":
                c.s.close()
            else:
                raise ValueError("unknown command " + verb)
        except Exception as e:  # the test reads the reason
            print("fail", i, repr(e), flush=True)
            sys.exit(1)
        print("ok", i, flush=True)


if __name__ == "__main__":
    main()
