"""fedi served as `fedi serve` serves it (the instance opened first, the workers running, its
graceful uvicorn server) on a free loopback port, in a thread of its own so that a browser
driven from the test's thread can talk to it; `run` carries out set-up on the server's loop."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import uvicorn

from fedi.accounts.members import add_member
from fedi.app import create_app
from fedi.cli.server import GracefulServer
from fedi.context import Context, open_context
from fedi.core.config import Settings, load_settings
from fedi.core.models import Role

T = TypeVar("T")
START_TIMEOUT = 30.0


class LiveServer:
    def __init__(self, data_dir: Path, **environ: str) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.port: int = self.socket.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.settings: Settings = load_settings(
            {
                "FEDI_DOMAIN": f"127.0.0.1:{self.port}",
                "FEDI_SCHEME": "http",
                "FEDI_DATA_DIR": str(data_dir),
                "FEDI_ALLOW_PRIVATE_NETWORKS": "true",
                "FEDI_REGISTRATIONS": "open",
                "FEDI_INSTANCE_TITLE": "Test network",
                "FEDI_RATE_LIMIT_SAFELIST": "127.0.0.1",
                **environ,
            }
        )
        self._context: Context | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: GracefulServer | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"fedi-{self.port}", daemon=True)

    @property
    def context(self) -> Context:
        assert self._context is not None, "the server is not running"
        return self._context

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self) -> LiveServer:
        self.socket.listen(128)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not (self._server is not None and self._server.started):
            if self._error is not None or not self._thread.is_alive():
                raise RuntimeError(f"the server did not start: {self._error!r}")
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start in time")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        self._thread.join(timeout=30)
        self.socket.close()
        if self._error is not None:
            raise RuntimeError("the server failed") from self._error

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        """Await `work` on the server's event loop (where its database connection lives)."""
        assert self._loop is not None, "the server is not running"
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(timeout=60)

    def add_member(self, username: str, password: str, role: Role = "member") -> None:
        self.run(add_member(self.context, username, password, role))

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # reported by start() or stop(), in the test's thread
            self._error = exc

    async def _serve(self) -> None:
        async with open_context(self.settings) as context:
            self._context, self._loop = context, asyncio.get_running_loop()
            config = uvicorn.Config(
                create_app(self.settings, context),
                lifespan="on",
                log_level="warning",
                server_header=False,
                access_log=False,
            )
            self._server = GracefulServer(config, context.streams.close_all)
            await self._server.serve(sockets=[self.socket])
