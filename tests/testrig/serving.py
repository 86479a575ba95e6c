"""An ASGI app served by uvicorn on a loopback port inside the test's event loop."""

from __future__ import annotations

import asyncio
import atexit
import socket
from collections.abc import Callable
from typing import Literal

import uvicorn
from starlette.types import ASGIApp

# Ports handed out for a BackgroundServer stay bound until the server takes the socket over:
# released in between, the kernel could give the port to an outgoing connection as its source
# port, and the server's bind would then fail ("address already in use").
_RESERVED: dict[int, socket.socket] = {}


def free_port(*, reserve: bool = True) -> int:
    """A free loopback port. reserve=False for a port another process will bind (e2e)."""
    probe = socket.socket()
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    probe.bind(("127.0.0.1", 0))
    port: int = probe.getsockname()[1]
    if reserve:
        _RESERVED[port] = probe
    else:
        probe.close()
    return port


@atexit.register
def _release_all() -> None:
    while _RESERVED:
        _RESERVED.popitem()[1].close()


class _Server(uvicorn.Server):
    """uvicorn's server, stopping as soon as it is told to: uvicorn looks at `should_exit`
    every 0.1 s and waits 0.1 s more for open connections, which hundreds of tests would
    wait for on each server they stop."""

    async def main_loop(self) -> None:
        # `should_exit` is a flag (uvicorn's signal handler sets it too): no event to wait on.
        while not await self.on_tick(0):  # noqa: ASYNC110
            await asyncio.sleep(0.005)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        # Responses under way are finished (a stream ends when its app returns), as uvicorn
        # does; never longer than its own default grace.
        async with asyncio.timeout(self.config.timeout_graceful_shutdown or 30):
            # uvicorn keeps sets of them, with no event when they empty.
            while self.server_state.connections or self.server_state.tasks:  # noqa: ASYNC110
                await asyncio.sleep(0.005)
        for server in self.servers:
            await server.wait_closed()
        await self.lifespan.shutdown()


class BackgroundServer:
    def __init__(
        self,
        app: ASGIApp,
        port: int,
        *,
        lifespan: Literal["on", "off"] = "on",
        before_stop: Callable[[], None] = lambda: None,
        tls: tuple[str, str] | None = None,
    ) -> None:
        self.app = app
        self.tls = tls  # (certificate file, key file): serve https
        self.port = port
        self.lifespan = lifespan
        self.before_stop = before_stop  # ends live streams, which uvicorn would wait for
        self._server: _Server | None = None
        self._task: asyncio.Task[None] | None = None
        self._socket: socket.socket | None = None

    async def start(self) -> None:
        certificate, key = self.tls or (None, None)
        config = uvicorn.Config(
            self.app, lifespan=self.lifespan, log_level="warning", access_log=False,
            ssl_certfile=certificate, ssl_keyfile=key,
        )  # fmt: skip
        self._server = _Server(config)
        reserved = _RESERVED.pop(self.port, None)
        if reserved is not None:
            self._socket = reserved
        else:
            self._socket = socket.socket()
            self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._socket.bind(("127.0.0.1", self.port))
        self._task = asyncio.create_task(self._server.serve(sockets=[self._socket]))
        # uvicorn only exposes a `started` flag, so poll it briefly.
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self.before_stop()
            self._server.should_exit = True
            await self._task
        if self._socket is not None:
            self._socket.close()
        self._server, self._task, self._socket = None, None, None
