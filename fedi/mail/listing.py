"""What administrators see of the mail: the newest mails with their state (sent, written as a
file, waiting for a retry, given up), and one mail's headers and text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

from fedi.context import Context
from fedi.core.timeutil import from_db
from fedi.db import mail_outbox
from fedi.db.mail_outbox import MailRow

PAGE = 50
SHOWN_HEADERS = ("From", "To", "Subject", "Date", "Message-ID", "Content-Language",
                 "List-Unsubscribe", "List-Unsubscribe-Post")  # fmt: skip


@dataclass(frozen=True)
class ListedMail:
    row: MailRow
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True)
class ShownMail:
    listed: ListedMail
    headers: list[tuple[str, str]]
    text: str
    attachments: list[str]


def _listed(row: MailRow) -> ListedMail:
    return ListedMail(row, from_db(row.created_at), from_db(row.sent_at) if row.sent_at else None)


async def recent_mail(context: Context, max_id: int | None) -> tuple[list[ListedMail], int | None]:
    """A page of mails, newest first, and the max_id of the next page (None at the end)."""
    async with context.db.read() as conn:
        rows = await mail_outbox.recent(conn, max_id, PAGE + 1)
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    return [_listed(row) for row in rows], (rows[-1].id if more and rows else None)


async def mail_counts(context: Context) -> dict[str, int]:
    async with context.db.read() as conn:
        return await mail_outbox.count_by_state(conn)


async def shown_mail(context: Context, mail_id: int) -> ShownMail | None:
    async with context.db.read() as conn:
        found = await mail_outbox.get(conn, mail_id)
    if found is None:
        return None
    row, raw = found
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    headers = [(name, str(message[name])) for name in SHOWN_HEADERS if message[name] is not None]
    body = message.get_body(("plain",))
    text = str(body.get_content()) if body is not None else ""
    names = [part.get_filename() or "" for part in message.iter_attachments()]
    return ShownMail(_listed(row), headers, text, names)
