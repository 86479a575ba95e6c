"""STARTTLS (required, never skipped) and implicit TLS, with a login, against an SMTP server
whose certificate is made by the test; the certificate is checked, so a server the client does
not trust gets nothing."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from fedi.context import Context, open_context
from fedi.db import mail_outbox
from fedi.mail.outbox import mail_member
from fedi.mail.worker import MailWorker
from tests.mail.conftest import mail_settings
from tests.mail.smtp import Login, SmtpServer, client_context, make_certificate, server_context
from tests.mail.test_outbox import TEST_MAIL, member

PASSWORD = "smtp-secret-7"


def ours(caplog: pytest.LogCaptureFixture) -> str:
    """What fedi logged (the test's SMTP server logs whatever it receives)."""
    return "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("fedi"))


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    return make_certificate(tmp_path)


@pytest.fixture
def tls_server(
    certificate: tuple[Path, Path], request: pytest.FixtureRequest
) -> Iterator[SmtpServer]:
    server = SmtpServer()
    tls = server_context(*certificate)
    if request.param == "starttls":
        server.start(starttls=tls, login=Login("fedi", PASSWORD))
    else:  # aiosmtpd offers AUTH only after its own STARTTLS: no login here
        server.start(implicit_tls=tls)
    yield server
    server.stop()


@asynccontextmanager
async def _context(tmp_path: Path, port: int, security: str) -> AsyncIterator[Context]:
    login = {"FEDI_SMTP_USERNAME": "fedi", "FEDI_SMTP_PASSWORD": PASSWORD}
    settings = mail_settings(
        tmp_path, port, FEDI_SMTP_SECURITY=security, FEDI_SMTP_HOST="localhost",
        **(login if security == "starttls" else {}),
    )  # fmt: skip
    async with open_context(settings) as opened:
        yield opened


@pytest.mark.parametrize("tls_server", ["starttls", "tls"], indirect=True)
async def test_mail_goes_over_tls_with_a_login(
    tmp_path: Path, tls_server: SmtpServer, certificate: tuple[Path, Path]
) -> None:
    security = "tls" if tls_server.controller and tls_server.controller.ssl_context else "starttls"
    async with _context(tmp_path, tls_server.port, security) as context:
        alice = await member(context, "alice", "alice@example.org")
        await mail_member(context, alice, TEST_MAIL)
        worker = MailWorker(context, tls_context=client_context(certificate[0]))
        assert await worker.run_once() == 1
        [got] = tls_server.received
        assert got.recipients == ["alice@example.org"]


@pytest.mark.parametrize("tls_server", ["starttls"], indirect=True)
async def test_an_untrusted_certificate_gets_no_mail_and_no_password(
    tmp_path: Path, tls_server: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with _context(tmp_path, tls_server.port, "starttls") as context:
        alice = await member(context, "alice", "alice@example.org")
        await mail_member(context, alice, TEST_MAIL)
        assert await MailWorker(context).run_once() == 1  # the system's CAs: not trusted
        assert tls_server.received == []
        async with context.db.read() as conn:
            [row] = await mail_outbox.recent(conn, None, 1)
        assert row.state == "queued"
        assert "certificate" in row.last_error.lower() or "ssl" in row.last_error.lower()
        assert PASSWORD not in row.last_error
        assert PASSWORD not in ours(caplog)
        assert "not sent" in ours(caplog)


async def test_a_server_without_starttls_is_refused_when_starttls_is_required(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    plain = SmtpServer()
    plain.start()
    try:
        async with _context(tmp_path, plain.port, "starttls") as context:
            alice = await member(context, "alice", "alice@example.org")
            await mail_member(context, alice, TEST_MAIL)
            await MailWorker(context).run_once()
            assert plain.received == []
            async with context.db.read() as conn:
                [row] = await mail_outbox.recent(conn, None, 1)
            assert (row.state, row.attempts) == ("queued", 1)
            assert PASSWORD not in row.last_error
        assert PASSWORD not in ours(caplog)
        assert "not sent" in ours(caplog)
    finally:
        plain.stop()
