"""An instance whose mail goes to a real SMTP server started by the test (aiosmtpd)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from fedi.app import create_app
from fedi.context import Context, open_context
from fedi.core.config import Settings, load_settings
from fedi.core.timeutil import utcnow
from fedi.mail.worker import MailWorker
from tests.conftest import BASE, DOMAIN
from tests.mail.smtp import SmtpServer, running


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    yield from running(SmtpServer())


def mail_settings(tmp_path: Path, port: int, **extra: str) -> Settings:
    return load_settings(
        {
            "FEDI_DOMAIN": DOMAIN,
            "FEDI_DATA_DIR": str(tmp_path / "data"),
            "FEDI_REGISTRATIONS": "open",
            "FEDI_INSTANCE_TITLE": "Test network",
            "FEDI_SMTP_HOST": "127.0.0.1",
            "FEDI_SMTP_PORT": str(port),
            "FEDI_SMTP_SECURITY": "none",
            "FEDI_SMTP_FROM": "Test network <fedi@fedi.test>",
        }
        | extra
    )


@pytest.fixture
def settings(tmp_path: Path, smtp: SmtpServer) -> Settings:
    return mail_settings(tmp_path, smtp.port)


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


async def deliver(context: Context, at: datetime | None = None) -> int:
    """One round of the mail worker at `at` (now by default)."""
    moment = at or utcnow()
    return await MailWorker(context, clock=lambda: moment).run_once()
