"""An instance served over HTTP on loopback for real API clients (Mastodon.py uses requests)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from fedi.accounts.members import add_member
from fedi.app import create_app
from fedi.context import Context, open_context
from fedi.core.config import load_settings
from tests.testrig.serving import BackgroundServer, free_port


@dataclass
class Served:
    context: Context
    base: str


@asynccontextmanager
async def serve(tmp_path: Path, env: dict[str, str] | None = None) -> AsyncIterator[Served]:
    """The instance over HTTP on loopback, with `env` added to its settings; alice is a
    member."""
    port = free_port()
    settings = load_settings({
        "FEDI_DOMAIN": f"127.0.0.1:{port}", "FEDI_SCHEME": "http",
        "FEDI_DATA_DIR": str(tmp_path / "data"), "FEDI_PASSWORD_GRANT": "true", **(env or {}),
    })  # fmt: skip
    async with open_context(settings) as context:
        await add_member(context, "alice", "alice-password")
        server = BackgroundServer(
            create_app(settings, context, workers=False), port,
            before_stop=context.streams.close_all,
        )  # fmt: skip
        await server.start()
        try:
            yield Served(context, settings.base_url)
        finally:
            await server.stop()


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    async with serve(tmp_path, {"FEDI_REGISTRATIONS": "open"}) as instance:
        yield instance
