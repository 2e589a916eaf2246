#!/usr/bin/env python3
"""holdconns.py - idle connections for the proxy benchmark.

  holdconns.py sink PORT            accept and hold every connection
  holdconns.py open PORT N          open N TLS connections (handshake done,
                                    nothing sent), print "held N", hold them
                                    until stdin closes
"""
import asyncio
import ssl
import sys


async def sink(port):
    conns = []

    async def hold(r, w):
        conns.append(w)
        await r.read()          # until the peer closes
        w.close()

    srv = await asyncio.start_server(hold, "127.0.0.1", port, backlog=4096)
    print("ready", flush=True)
    async with srv:
        await srv.serve_forever()


async def opener(port, n):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    sem = asyncio.Semaphore(200)
    held, failed = [], 0

    async def one():
        nonlocal failed
        async with sem:
            try:
                held.append(await asyncio.wait_for(
                    asyncio.open_connection("127.0.0.1", port, ssl=ctx), 60))
            except (OSError, ssl.SSLError, asyncio.TimeoutError):
                failed += 1

    await asyncio.gather(*(one() for _ in range(n)))
    print("held", len(held), "failed", failed, flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)


def main():
    a = sys.argv[1:]
    if len(a) == 2 and a[0] == "sink":
        asyncio.run(sink(int(a[1])))
    elif len(a) == 3 and a[0] == "open":
        asyncio.run(opener(int(a[1]), int(a[2])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
