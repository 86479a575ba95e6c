"""Full instances for federation tests: each has its own data directory and SQLite file, serves
over real HTTP on a loopback port under a `<name>.test:<port>` domain, and reaches the others
through the production HTTP client (test names routed to 127.0.0.1). Workers run only when a
test calls settle(), with an injected clock, so retries never wait on a real timer."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fedi.app import create_app
from fedi.context import Context, open_context
from fedi.core.config import Settings, load_settings
from fedi.core.timeutil import utcnow
from fedi.events.loop import tick as events_tick
from fedi.statuses.poll_loop import tick as poll_tick
from fedi.transport.http import HttpClient
from inbox.worker import InboxWorker
from outbox.worker import OutboxWorker
from tests.testrig.serving import BackgroundServer, free_port


class Clock:
    """A clock the workers read; tests move it forward to make retries due."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return utcnow() + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


@dataclass
class Received:
    path: str
    activity: dict[str, Any]
    headers: dict[str, str]


class Recorder:
    """ASGI middleware keeping every POST to an inbox, as the remote side saw it."""

    def __init__(self, app: ASGIApp, log: list[Received]) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        try:
            activity = json.loads(body)
        except ValueError:
            activity = {}
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self.log.append(Received(scope["path"], activity, headers))
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


@dataclass
class Instance:
    name: str
    port: int
    settings: Settings
    overrides: dict[str, str]
    clock: Clock = field(default_factory=Clock)
    received: list[Received] = field(default_factory=list)
    context: Context | None = None
    _stack: AsyncExitStack | None = None
    _server: BackgroundServer | None = None

    @property
    def domain(self) -> str:
        return self.settings.domain

    @property
    def base(self) -> str:
        return self.settings.base_url

    @property
    def ctx(self) -> Context:
        assert self.context is not None, f"{self.name} is not running"
        return self.context

    def handle(self, username: str) -> str:
        return f"@{username}@{self.domain}"

    async def start(self, serve: bool = True) -> None:
        """Open the instance (database, keys) and, unless serve=False, listen on its port."""
        self._stack = AsyncExitStack()
        client = HttpClient(
            allow_private_networks=True,
            user_agent=f"fedi-test ({self.name})",
            host_overrides=self.overrides,
            deadline=5.0,
        )
        self.context = await self._stack.enter_async_context(open_context(self.settings, client))
        if serve:
            await self.serve()

    async def serve(self) -> None:
        app = Recorder(create_app(self.settings, self.ctx, workers=False), self.received)
        self._server = BackgroundServer(app, self.port, before_stop=self.ctx.streams.close_all)
        await self._server.start()

    async def go_offline(self) -> None:
        """Stop answering HTTP, keeping the instance's data and context."""
        if self._server is not None:
            await self._server.stop()
        self._server = None

    async def stop(self) -> None:
        await self.go_offline()
        if self._stack is not None:
            await self._stack.aclose()
        self._stack, self.context = None, None

    async def run_workers_once(self) -> int:
        context = self.ctx
        done = await InboxWorker(context, self.clock).run_once()
        done += await poll_tick(context, self.clock())
        done += await events_tick(context, self.clock())
        return done + await OutboxWorker(context, self.clock).run_once()


async def settle(*instances: Instance, max_rounds: int = 40) -> None:
    """Run every instance's workers until no queue has anything due. A conversation that keeps
    bouncing activities back and forth trips the bound."""
    for _ in range(max_rounds):
        busy = 0
        for instance in instances:
            if instance.context is not None:
                busy += await instance.run_workers_once()
        if busy == 0:
            return
    raise AssertionError(f"still busy after {max_rounds} rounds: an activity ping-pong?")


@asynccontextmanager
async def federation(
    tmp_path: Path, *names: str, remotes: tuple[str, ...] = ()
) -> AsyncIterator[list[Instance]]:
    """Start one instance per name (alice -> alice.test:<port>), all reachable from each other
    and from the fake remote servers named in `remotes` (tests.testrig.fake_remote)."""
    ports = {name: free_port() for name in names}
    overrides = {f"{name}.test": "127.0.0.1" for name in (*names, *remotes)}
    instances = [
        Instance(
            name=name,
            port=port,
            settings=load_settings(
                {
                    "FEDI_DOMAIN": f"{name}.test:{port}",
                    "FEDI_SCHEME": "http",
                    "FEDI_DATA_DIR": str(tmp_path / name),
                    "FEDI_ALLOW_PRIVATE_NETWORKS": "true",
                    "FEDI_INSTANCE_TITLE": name,
                    "FEDI_PASSWORD_GRANT": "true",
                }
            ),
            overrides=overrides,
        )
        for name, port in ports.items()
    ]
    try:
        for instance in instances:
            await instance.start()
        yield instances
    finally:
        for instance in instances:
            await instance.stop()
