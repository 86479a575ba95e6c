"""The server half of bench/m1_inbox.py, started by it in a separate process so that the server's
CPU can be read from /proc/<pid>/stat. Not meant to be run by hand.

    _inbox_server.py fedi --port P --parent PID [--host-override NAME=IP ...] [--loop L]
                     [--production-logging]
    _inbox_server.py bare --port P --parent PID [--loop L] [--production-logging]
    _inbox_server.py floor --port P --parent PID --public-key PEM --host NAME --database PATH
                     [--loop L] [--production-logging]
    _inbox_server.py raw-floor (the same arguments as floor)

`fedi` serves fedi.app.create_app (workers off, so only the inbox route's own work is measured)
with settings read from the FEDI_* environment variables, and an HttpClient that sends the given
host names to the given addresses. `bare` serves one Starlette route that reads the body of a
POST and answers {"ok": true}: the baseline. `floor` serves the least a correct inbox can do
(bench/_inbox_floor.py) for requests signed by the one key in PEM, sent to host NAME. Those three
run one uvicorn worker with httptools on the chosen event loop (uvloop by default); `raw-floor`
serves the same floor without uvicorn or ASGI (httptools on the socket, answers written back
directly). All answer GET /health once ready. SIGTERM or SIGINT stops them cleanly; so does the
death of the benchmark process PID.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

# Run as a script: make the repository importable (fedi, inbox, outbox, keys).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import uvicorn
import uvloop
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from bench._common import die_with_parent

# `fedi serve`'s server class: a signal stops it without being re-raised once it has drained.
from fedi.cli.server import GracefulServer, freeze_startup_objects


async def bare_post(request: Request) -> Response:
    await request.body()
    return JSONResponse({"ok": True})


async def bare_health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def bare_app() -> Starlette:
    return Starlette(
        routes=[
            Route("/health", bare_health, methods=["GET"]),
            Route("/inbox", bare_post, methods=["POST"]),
        ]
    )


def uvicorn_config(app: ASGIApp, port: int, production_logging: bool) -> uvicorn.Config:
    # As `fedi serve` configures uvicorn (fedi/cli/server.py), with the logging made optional. The
    # event loop is the one main() runs serve() in: Config.loop only matters to Server.run().
    return uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        http="httptools",
        lifespan="on",
        log_level="info" if production_logging else "warning",
        access_log=production_logging,
        server_header=False,
        proxy_headers=True,
    )


async def serve_bare(port: int, production_logging: bool) -> None:
    await GracefulServer(uvicorn_config(bare_app(), port, production_logging)).serve()


async def serve_floor(args: argparse.Namespace, public_key: bytes) -> None:
    from bench._inbox_floor import FloorInbox

    app = FloorInbox(public_key, args.host, Path(args.database))
    await GracefulServer(uvicorn_config(app, args.port, args.production_logging)).serve()


async def serve_raw_floor(args: argparse.Namespace, public_key: bytes) -> None:
    from bench._inbox_floor import FloorInbox, RawFloor

    loop = asyncio.get_running_loop()
    inbox = FloorInbox(public_key, args.host, Path(args.database))
    stop = asyncio.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, stop.set)
    inbox.writer.start()
    try:
        server = await loop.create_server(lambda: RawFloor(inbox, loop), "127.0.0.1", args.port)
        async with server:
            await stop.wait()
    finally:
        inbox.writer.stop()


async def serve_fedi(port: int, overrides: dict[str, str], production_logging: bool) -> None:
    from fedi.app import create_app
    from fedi.context import open_context
    from fedi.core.config import load_settings
    from fedi.transport.http import HttpClient

    settings = load_settings({k: v for k, v in os.environ.items() if k.startswith("FEDI_")})
    client = HttpClient(
        allow_private_networks=settings.allow_private_networks,
        user_agent="fedi-bench",
        host_overrides=overrides,
        deadline=10.0,
    )
    async with open_context(settings, client) as context:
        app = create_app(settings, context, workers=False)
        freeze_startup_objects()  # as `fedi serve` does
        await GracefulServer(uvicorn_config(app, port, production_logging)).serve()


def parse_overrides(items: list[str]) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for item in items:
        name, sep, address = item.partition("=")
        if not sep:
            raise SystemExit(f"--host-override wants NAME=IP, not {item!r}")
        overrides[name] = address
    return overrides


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", choices=["fedi", "bare", "floor", "raw-floor"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host-override", action="append", default=[], metavar="NAME=IP")
    parser.add_argument("--loop", choices=["uvloop", "asyncio"], default="uvloop")
    parser.add_argument("--production-logging", action="store_true")
    parser.add_argument("--parent", type=int, required=True, help="the benchmark's pid")
    parser.add_argument("--public-key", help="floor: the signer's public key (PEM file)")
    parser.add_argument("--host", help="floor: the host the requests are signed for")
    parser.add_argument("--database", help="floor: its SQLite file")
    args = parser.parse_args()
    die_with_parent(args.parent)
    if args.production_logging:
        # As `fedi serve` does (fedi/cli/main.py, run()).
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    factory = uvloop.new_event_loop if args.loop == "uvloop" else None
    with asyncio.Runner(loop_factory=factory) as runner:
        if args.mode == "bare":
            runner.run(serve_bare(args.port, args.production_logging))
        elif args.mode == "floor":
            runner.run(serve_floor(args, Path(args.public_key).read_bytes()))
        elif args.mode == "raw-floor":
            runner.run(serve_raw_floor(args, Path(args.public_key).read_bytes()))
        else:
            overrides = parse_overrides(args.host_override)
            runner.run(serve_fedi(args.port, overrides, args.production_logging))


if __name__ == "__main__":
    main()
