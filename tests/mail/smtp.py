"""A real SMTP server for the tests (aiosmtpd, in its own thread): it keeps every message it
receives, parsed, and can be started late (a server that was down comes up), with STARTTLS or
implicit TLS on a certificate made for the test, and with a login."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.testrig.certificates import self_signed


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    def text(self) -> str:
        part = self.message.get_body(("plain",))
        assert part is not None
        return str(part.get_content())

    def html(self) -> str:
        part = self.message.get_body(("html",))
        assert part is not None
        return str(part.get_content())

    def everything(self) -> str:
        """Every header and every decoded part, for searching what the mail says anywhere."""
        texts = [str(value) for value in self.message.values()]
        for part in self.message.walk():
            if not part.is_multipart():
                payload = part.get_payload(decode=True)
                if isinstance(payload, bytes):
                    texts.append(payload.decode("utf-8", "replace"))
        return "\n".join(texts)


@dataclass
class Keeper:
    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data = envelope.original_content or envelope.content
        assert isinstance(data, bytes)
        parsed = message_from_bytes(data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), parsed))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost: (certificate, key) files."""
    return self_signed(directory, "smtp", ("localhost",), ("127.0.0.1",))


class Login:
    """Accepts one user name and password."""

    def __init__(self, username: str, password: str) -> None:
        self.expected = (username.encode(), password.encode())

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == self.expected
        return AuthResult(success=ok)


class SmtpServer:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.keeper = Keeper()
        self.controller: Controller | None = None

    @property
    def received(self) -> list[Received]:
        return self.keeper.received

    def start(
        self,
        *,
        starttls: ssl.SSLContext | None = None,
        implicit_tls: ssl.SSLContext | None = None,
        login: Login | None = None,
    ) -> None:
        kwargs: dict[str, Any] = {}
        if starttls is not None:
            kwargs |= {"tls_context": starttls, "require_starttls": True}
        if login is not None:
            kwargs |= {"authenticator": login, "auth_require_tls": True}
        self.controller = Controller(
            self.keeper, hostname="127.0.0.1", port=self.port, ssl_context=implicit_tls,
            server_hostname="localhost", **kwargs,
        )  # fmt: skip
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def client_context(cert: Path) -> ssl.SSLContext:
    """Trusts the test's certificate alone, and checks host names as production does."""
    return ssl.create_default_context(cafile=str(cert))


def running(server: SmtpServer) -> Iterator[SmtpServer]:
    server.start()
    try:
        yield server
    finally:
        server.stop()
