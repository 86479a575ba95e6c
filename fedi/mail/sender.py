"""Handing queued mail over: to the SMTP server of the settings over one connection per batch
(aiosmtplib; STARTTLS required or implicit TLS as smtp_security says, certificates checked), or,
without smtp_host, to files written atomically as data_dir/mail/<time>-<id>.eml.

Each mail's outcome is returned, never raised: the worker records it on the mail's row. Error
texts name the failure (class, SMTP code, the server's words) and never carry the password or
the message."""

from __future__ import annotations

import asyncio
import os
import ssl
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import aiosmtplib

from fedi.core.config import Settings
from fedi.db.mail_outbox import QueuedMail
from fedi.mail.message import envelope_sender

TIMEOUT = 30.0
MAX_ERROR = 300


@dataclass(frozen=True)
class Outcome:
    mail_id: int
    state: str = ""  # "sent" or "written" when it went; "" when it did not
    error: str = ""
    final: bool = False  # retrying cannot help (the server refused this recipient for good)
    file_name: str | None = None


def describe(exc: BaseException, settings: Settings) -> str:
    """What went wrong, for the administrators' list: never the password."""
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        text = f"{type(exc).__name__}: {exc.code} {exc.message}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    if settings.smtp_password:
        text = text.replace(settings.smtp_password, "[password]")
    return " ".join(text.split())[:MAX_ERROR]


def is_permanent(exc: BaseException) -> bool:
    """A 5xx for this message or recipient: the same message would be refused again."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return all(500 <= r.code < 600 for r in exc.recipients)
    return isinstance(exc, aiosmtplib.SMTPResponseException) and 500 <= exc.code < 600


class SmtpSender:
    def __init__(self, settings: Settings, tls_context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self.tls_context = tls_context

    def _client(self) -> aiosmtplib.SMTP:
        security = self.settings.smtp_security
        return aiosmtplib.SMTP(
            hostname=self.settings.smtp_host,
            port=self.settings.mail_port,
            use_tls=security == "tls",
            start_tls=security == "starttls",  # required, never opportunistic
            validate_certs=True,
            tls_context=self.tls_context,
            timeout=TIMEOUT,
        )

    async def send(self, mails: list[QueuedMail], now: datetime) -> list[Outcome]:
        client = self._client()
        try:
            await client.connect()
            if self.settings.smtp_username:
                await client.login(self.settings.smtp_username, self.settings.smtp_password)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            error = describe(exc, self.settings)
            client.close()
            return [Outcome(mail.id, error=error) for mail in mails]
        outcomes: list[Outcome] = []
        sender = envelope_sender(self.settings)
        try:
            for mail in mails:
                outcomes.append(await self._send_one(client, sender, mail))
                if not client.is_connected:  # the server hung up: the rest wait for a retry
                    break
        finally:
            if client.is_connected:
                try:
                    await client.quit()
                except (aiosmtplib.SMTPException, OSError, TimeoutError):
                    client.close()
        done = {o.mail_id for o in outcomes}
        lost = "SMTPServerDisconnected: the connection closed before this mail"
        return outcomes + [Outcome(m.id, error=lost) for m in mails if m.id not in done]

    async def _send_one(self, client: aiosmtplib.SMTP, sender: str, mail: QueuedMail) -> Outcome:
        try:
            await client.sendmail(sender, [mail.recipient], mail.message)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            return Outcome(mail.id, error=describe(exc, self.settings), final=is_permanent(exc))
        return Outcome(mail.id, state="sent")


class FileSender:
    """No smtp_host: each mail becomes data_dir/mail/<time>-<id>.eml, readable by the server's
    user only (it may hold a password reset link)."""

    def __init__(self, settings: Settings) -> None:
        self.directory = settings.mail_dir

    async def send(self, mails: list[QueuedMail], now: datetime) -> list[Outcome]:
        return await asyncio.to_thread(self._write_all, mails, now)

    def _write_all(self, mails: list[QueuedMail], now: datetime) -> list[Outcome]:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        outcomes = []
        for mail in mails:
            name = f"{now.strftime('%Y%m%dT%H%M%S')}-{mail.id}.eml"
            try:
                write_atomically(self.directory / name, mail.message)
            except OSError as exc:
                outcomes.append(Outcome(mail.id, error=f"{type(exc).__name__}: {exc.strerror}"))
            else:
                outcomes.append(Outcome(mail.id, state="written", file_name=name))
        return outcomes


def write_atomically(path: Path, data: bytes) -> None:
    """Written in full under a temporary name, flushed to disk, then renamed: a reader never
    sees half a mail, and a crash leaves no partial .eml."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".mail-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
