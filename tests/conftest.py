"""Shared fixtures: an instance on its own SQLite file in a temporary directory, and an HTTP client
speaking to its ASGI application in process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from fedi.app import create_app
from fedi.config import Settings, load_settings
from fedi.context import Context, open_context

DOMAIN = "fedi.test"
BASE = f"https://{DOMAIN}"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        {
            "FEDI_DOMAIN": DOMAIN,
            "FEDI_DATA_DIR": str(tmp_path / "data"),
            "FEDI_REGISTRATIONS": "approval",
            "FEDI_INSTANCE_TITLE": "Test network",
        }
    )


@pytest.fixture
async def context(settings: Settings) -> AsyncIterator[Context]:
    async with open_context(settings) as opened:
        yield opened


@pytest.fixture
async def client(settings: Settings, context: Context) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, context, workers=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        yield http
