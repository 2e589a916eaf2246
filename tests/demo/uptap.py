#!/usr/bin/env python3
"""uptap.py - the demo's window on the agent's per-protocol counts.

  uptap.py LISTEN UPSTREAM LOG

A transparent relay on the agent's Unix-socket uplink: it listens on
LISTEN (the agent's `socket =`), and for each agent connection connects to
UPSTREAM (migbridge's `agent_socket`), passing every byte both ways
unchanged; a close on either side closes both.  It decodes the frames the
agent sends (proto/PROTOCOL.md: a little-endian {u32 type; u32 len}
header, then len bytes) and, for each STATE (0x0100), appends one line per
protocol record to LOG:

  <ms since the epoch> seq=S proto=pop3 total=T unsuitable=U new=.. ... writing_large=..

migbridge keeps these per-protocol records but reports only their sum
(migbridge-ctl status); the demo's table needs POP3's own.  A frame that
does not parse stops the decoding for that connection, never the relay.
"""
import os
import selectors
import socket
import struct
import sys
import time

T_STATE = 0x0100
REASONS = ("new", "reading", "processing", "writing_small", "handshake", "auth",
           "idle", "writing_large")
PROTOS = {1: "http", 2: "pop3", 3: "imap", 4: "smtp", 5: "ftp", 6: "tcp"}
MAX_FRAME = 64 * 1024 + 8


class Pair:
    """One agent connection and its upstream twin."""

    def __init__(self, agent, up):
        self.agent, self.up = agent, up
        self.buf = b""          # agent -> bridge bytes not yet decoded
        self.decoding = True
        self.closed = False

    def decode(self, data, log):
        if not self.decoding:
            return
        self.buf += data
        while len(self.buf) >= 8:
            typ, n = struct.unpack_from("<II", self.buf)
            if n + 8 > MAX_FRAME:
                self.decoding = False
                return
            if len(self.buf) < 8 + n:
                return
            body, self.buf = self.buf[8:8 + n], self.buf[8 + n:]
            if typ == T_STATE and n >= 40:
                self.state(body, log)

    @staticmethod
    def state(b, log):
        seq = struct.unpack_from("<Q", b)[0]
        nproto = struct.unpack_from("<I", b, 36)[0]
        now = int(time.time() * 1000)
        for i in range(min(nproto, (len(b) - 40) // 36)):
            rec = struct.unpack_from("<9I", b, 40 + 36 * i)
            counts = rec[1:]
            unsuit = sum(counts[:6])
            log.write("%d seq=%d proto=%s total=%d unsuitable=%d %s\n" % (
                now, seq, PROTOS.get(rec[0], str(rec[0])), sum(counts), unsuit,
                " ".join("%s=%d" % kv for kv in zip(REASONS, counts))))
        log.flush()


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: uptap.py LISTEN UPSTREAM LOG")
    listen, upstream, logpath = sys.argv[1:]
    log = open(logpath, "a")
    try:
        os.unlink(listen)
    except FileNotFoundError:
        pass
    ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ls.bind(listen)
    ls.listen(8)
    sel = selectors.DefaultSelector()
    sel.register(ls, selectors.EVENT_READ, None)

    def close(p):
        if p.closed:
            return
        p.closed = True
        for s in (p.agent, p.up):
            sel.unregister(s)
            s.close()

    while True:
        for key, _ in sel.select():
            if key.data is None:
                agent, _ = ls.accept()
                up = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    up.connect(upstream)
                except OSError:
                    agent.close()       # no bridge: the agent retries, as without us
                    up.close()
                    continue
                p = Pair(agent, up)
                sel.register(agent, selectors.EVENT_READ, (p, True))
                sel.register(up, selectors.EVENT_READ, (p, False))
                continue
            p, from_agent = key.data
            if p.closed:                # its twin closed it in this same batch
                continue
            src, dst = (p.agent, p.up) if from_agent else (p.up, p.agent)
            try:
                data = src.recv(65536)
                if data:
                    dst.sendall(data)
            except OSError:
                data = b""
            if not data:
                close(p)
                continue
            if from_agent:
                p.decode(data, log)


if __name__ == "__main__":
    main()
