"""The remote hosts of bench/m2_fanout.py, all in one process: answers every POST with 202 and
counts it by (Host header, path) and by the connection it came on; GET /count returns the tally
as JSON and DELETE /count starts a new one (the benchmark measures cold connections, then warm
ones). Started by m2_fanout.py, not meant to be run by hand: _sink.py --port P --parent PID.
SIGTERM or SIGINT stops it, and so does the death of the benchmark process PID.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

# Run as a script: make the repository importable (bench._common).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import uvloop
from aiohttp import web

from bench._common import die_with_parent

Peer = tuple[str, int]
COUNTS = web.AppKey("counts", Counter[tuple[str, str]])
# "signed": POSTs with a Signature and a Digest header; "new connections": POSTs that came on a
# connection never seen before (none, on warm connections).
TALLY = web.AppKey("tally", Counter[str])
# The client's (address, port) of each connection, in this tally and since the start.
PEERS = web.AppKey("peers", set[Peer])
EVER = web.AppKey("ever", set[Peer])


async def receive(request: web.Request) -> web.Response:
    await request.read()
    app = request.app
    app[COUNTS][(request.headers.get("Host", ""), request.path)] += 1
    if "Signature" in request.headers and "Digest" in request.headers:
        app[TALLY]["signed"] += 1
    peer = request.transport.get_extra_info("peername") if request.transport else None
    if peer:
        app[PEERS].add((peer[0], peer[1]))
        if (peer[0], peer[1]) not in app[EVER]:
            app[EVER].add((peer[0], peer[1]))
            app[TALLY]["new connections"] += 1
    return web.Response(status=202)


async def count(request: web.Request) -> web.Response:
    counts = request.app[COUNTS]
    return web.json_response(
        {
            "posts": sum(counts.values()),
            "inboxes": len(counts),
            "max_per_inbox": max(counts.values(), default=0),
            "hosts": len({host for host, _ in counts}),
            "signed": request.app[TALLY]["signed"],
            "connections": len(request.app[PEERS]),
            "new_connections": request.app[TALLY]["new connections"],
        }
    )


async def reset(request: web.Request) -> web.Response:
    request.app[COUNTS].clear()
    request.app[TALLY].clear()
    request.app[PEERS].clear()
    return web.Response(status=204)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--parent", type=int, required=True, help="the benchmark's pid")
    args = parser.parse_args()
    die_with_parent(args.parent)
    port = args.port
    app = web.Application()
    app[COUNTS] = Counter()
    app[TALLY] = Counter()
    app[PEERS] = set()
    app[EVER] = set()
    app.router.add_get("/count", count)
    app.router.add_delete("/count", reset)
    app.router.add_post("/{path:.*}", receive)
    # One event loop for the whole sink; backlog for 500 hosts connecting at once.
    web.run_app(
        app,
        host="127.0.0.1",
        port=port,
        access_log=None,
        print=None,
        backlog=1024,
        loop=uvloop.new_event_loop(),
    )


if __name__ == "__main__":
    main()
