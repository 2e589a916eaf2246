#!/usr/bin/env python3
"""hashpipe.py - payload-integrity peers for the proxy's tcp tests.

  hashpipe.py server PORT
  hashpipe.py client HOST PORT NCONN UP DOWN [--tls] [--eof]

Each client connection sends a 24-byte header (id, UP, DOWN: 3 x uint64,
network order) then UP random bytes, and reads until EOF; the server reads
the header, then at the same time reads UP bytes and sends DOWN random
bytes, then closes.  Both print one line per connection:

  server: ID sha256(received) sha256(sent)
  client: ID sha256(sent) sha256(received) BYTES_RECEIVED

so that a test compares them: a lost, duplicated or reordered byte in
either direction changes a hash.  --eof: the client half-closes (shutdown
SHUT_WR) after its payload, which the server does not need but the proxy
must pass on.  --tls: the client speaks TLS (no certificate check).
"""
import asyncio
import hashlib
import os
import ssl
import struct
import sys

CHUNK = 65536


async def send_random(writer, size, h):
    left = size
    while left > 0:
        b = os.urandom(min(CHUNK, left))
        h.update(b)
        writer.write(b)
        await writer.drain()
        left -= len(b)


async def serve_one(reader, writer):
    try:
        hdr = await reader.readexactly(24)
        cid, up, down = struct.unpack("!QQQ", hdr)
        hr, hs = hashlib.sha256(), hashlib.sha256()

        async def recv():
            left = up
            while left > 0:
                b = await reader.read(min(CHUNK, left))
                if not b:
                    break
                hr.update(b)
                left -= len(b)

        await asyncio.gather(recv(), send_random(writer, down, hs))
        print(cid, hr.hexdigest(), hs.hexdigest(), flush=True)
    except (asyncio.IncompleteReadError, ConnectionError) as e:
        print("error", repr(e), flush=True)
    finally:
        writer.close()


async def server(port):
    srv = await asyncio.start_server(serve_one, "127.0.0.1", port, backlog=2048)
    print("ready", flush=True)
    async with srv:
        await srv.serve_forever()


async def client_one(host, port, cid, up, down, tls, eof, sem):
    async with sem:
        ctx = None
        if tls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        reader, writer = await asyncio.open_connection(host, port, ssl=ctx)
        hs, hr = hashlib.sha256(), hashlib.sha256()
        n = 0

        async def send():
            writer.write(struct.pack("!QQQ", cid, up, down))
            await send_random(writer, up, hs)
            if eof and not tls:
                writer.write_eof()

        async def recv():
            nonlocal n
            while True:
                b = await reader.read(CHUNK)
                if not b:
                    break
                hr.update(b)
                n += len(b)

        try:
            await asyncio.gather(send(), recv())
        except (ConnectionError, ssl.SSLError) as e:
            print(cid, "error", repr(e), flush=True)
            return
        finally:
            writer.close()
        print(cid, hs.hexdigest(), hr.hexdigest(), n, flush=True)


async def client(host, port, nconn, up, down, tls, eof):
    sem = asyncio.Semaphore(nconn)
    await asyncio.gather(*(client_one(host, port, i, up, down, tls, eof, sem)
                           for i in range(nconn)))


def main():
    a = sys.argv[1:]
    if len(a) == 2 and a[0] == "server":
        asyncio.run(server(int(a[1])))
    elif len(a) >= 6 and a[0] == "client":
        asyncio.run(client(a[1], int(a[2]), int(a[3]), int(a[4]), int(a[5]),
                           "--tls" in a, "--eof" in a))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
