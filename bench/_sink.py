"""The remote hosts of bench/m2_fanout.py, all in one process: answers every POST with 202 and
counts it by (Host header, path); GET /count returns the tally as JSON. Started by m2_fanout.py,
not meant to be run by hand: _sink.py --port P --parent PID. SIGTERM or SIGINT stops it, and so
does the death of the benchmark process PID.
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

COUNTS = web.AppKey("counts", Counter[tuple[str, str]])
SIGNED = web.AppKey("signed", Counter[str])


async def receive(request: web.Request) -> web.Response:
    await request.read()
    request.app[COUNTS][(request.headers.get("Host", ""), request.path)] += 1
    if "Signature" in request.headers and "Digest" in request.headers:
        request.app[SIGNED]["signed"] += 1
    return web.Response(status=202)


async def count(request: web.Request) -> web.Response:
    counts = request.app[COUNTS]
    return web.json_response(
        {
            "posts": sum(counts.values()),
            "inboxes": len(counts),
            "max_per_inbox": max(counts.values(), default=0),
            "hosts": len({host for host, _ in counts}),
            "signed": request.app[SIGNED]["signed"],
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--parent", type=int, required=True, help="the benchmark's pid")
    args = parser.parse_args()
    die_with_parent(args.parent)
    port = args.port
    app = web.Application()
    app[COUNTS] = Counter()
    app[SIGNED] = Counter()
    app.router.add_get("/count", count)
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
