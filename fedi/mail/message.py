"""One mail as RFC 5322 bytes, built with the standard library's email package: From, To,
Subject, Date, a Message-ID on our domain, Auto-Submitted (RFC 3834, so that auto-responders
stay quiet), the plain text with an HTML alternative, any attachments, and for bulk mail
List-Unsubscribe with one-click unsubscription (RFC 2369, RFC 8058)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid, parseaddr

from fedi.core.config import Settings


@dataclass(frozen=True)
class Attachment:
    """A file sent with the mail, such as an event's .ics (content_type "text/calendar",
    params {"method": "REQUEST"})."""

    filename: str
    content_type: str
    data: bytes
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Letter:
    to: str
    subject: str
    text: str
    html: str
    language: str
    attachments: tuple[Attachment, ...] = ()
    unsubscribe_url: str | None = None


class BadAddress(ValueError):
    """The recipient cannot be written into a header."""


def build(settings: Settings, letter: Letter, now: datetime) -> EmailMessage:
    if any(c in letter.to for c in "\r\n,<>") or "@" not in letter.to:
        raise BadAddress("the recipient is not a single e-mail address")
    message = EmailMessage(policy=SMTP)
    message["From"] = settings.mail_from
    message["To"] = letter.to
    message["Subject"] = " ".join(letter.subject.split())
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=settings.host)
    message["Auto-Submitted"] = "auto-generated"
    if letter.unsubscribe_url is not None:
        message["List-Unsubscribe"] = f"<{letter.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # Quoted-printable: 7-bit safe through any relay, still readable in the raw message.
    message.set_content(letter.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(letter.html, subtype="html", charset="utf-8", cte="quoted-printable")
    for attachment in letter.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype,
            filename=attachment.filename, params=attachment.params,
        )  # fmt: skip
    # Last: setting the body moves Content-* headers into the parts.
    message["Content-Language"] = letter.language
    return message


def envelope_sender(settings: Settings) -> str:
    """The bare address of smtp_from, for MAIL FROM."""
    return parseaddr(settings.mail_from)[1]
