"""An ASGI app served by uvicorn on a loopback port inside the test's event loop."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from typing import Literal

import uvicorn
from starlette.types import ASGIApp


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class BackgroundServer:
    def __init__(
        self,
        app: ASGIApp,
        port: int,
        *,
        lifespan: Literal["on", "off"] = "on",
        before_stop: Callable[[], None] = lambda: None,
    ) -> None:
        self.app = app
        self.port = port
        self.lifespan = lifespan
        self.before_stop = before_stop  # ends live streams, which uvicorn would wait for
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None
        self._socket: socket.socket | None = None

    async def start(self) -> None:
        config = uvicorn.Config(
            self.app, lifespan=self.lifespan, log_level="warning", access_log=False
        )
        self._server = uvicorn.Server(config)
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
