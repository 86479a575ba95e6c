"""`fedi worker`: the queues' workers without a web server, for an instance whose web processes
leave the queues to worker processes (the setting `workers = "separate"`); run as many as the
load needs, on this machine or others sharing the database."""

from __future__ import annotations

import argparse
import asyncio

from fedi import __version__
from fedi.cli.base import CommandError
from fedi.cli.server import STOP_SIGNALS, run_server
from fedi.context import open_context
from fedi.core.config import Settings


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    commands.add_parser(
        "worker", help='run the queues\' workers without serving HTTP (with workers = "separate")'
    )


async def work(settings: Settings) -> None:
    """Open the instance, run every worker until SIGTERM or SIGINT, then stop them cleanly:
    what they were doing is finished or let go of for the other workers."""
    from fedi.app import running_workers

    async with open_context(settings) as context:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in STOP_SIGNALS:
            loop.add_signal_handler(sig, stop.set)
        try:
            async with running_workers(context, alone=False):
                print(f"fedi {__version__}: worker {context.claims.worker} for "
                      f"{settings.base_url} running", flush=True)  # fmt: skip
                await stop.wait()
        finally:
            for sig in STOP_SIGNALS:
                loop.remove_signal_handler(sig)
    print(f"fedi worker {context.claims.worker} stopped", flush=True)


def command_worker(settings: Settings) -> None:
    if settings.workers != "separate":
        # fedi serve then runs the queues itself, and frees at its start whatever was claimed.
        raise CommandError(
            'fedi worker runs with the setting workers = "separate" (FEDI_WORKERS=separate), '
            "which leaves the queues to worker processes; now fedi serve runs them itself"
        )
    run_server(work(settings))
