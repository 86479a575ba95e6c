"""Queueing mail: the one function every feature calls to send a member a mail.

`mail_member` finds the member's address and language, renders the mail in that language,
builds the message and writes it to the mail_outbox queue (with any token its links carry, in
the same transaction), then wakes the mail worker; `mail_address` does the same for someone
without an account (a guest of an event). Bulk mail (a newsletter, a digest,
notification mail) names its list: the message then carries List-Unsubscribe with a one-click
link for that member and that list alone.

Nothing confidential goes into a mail (security.md): callers pass what may be read by anyone who
sees the recipient's mailbox, and notification mail (fedi.mail.notices) leaves out the text of
anything that is not public.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fedi.context import Context
from fedi.core.ids import new_id
from fedi.core.timeutil import to_db, utcnow
from fedi.db import mail_outbox, mail_preferences, mail_tokens
from fedi.db.connection import Connection
from fedi.db.mail_preferences import Recipient
from fedi.mail.message import Attachment, Letter, build
from fedi.mail.render import locale_of, render, subject_in
from fedi.mail.tokens import new_token

log = logging.getLogger(__name__)
# An unsubscribe link keeps working this long after its mail was sent.
UNSUBSCRIBE_LIFETIME = timedelta(days=365)


@dataclass(frozen=True)
class Mail:
    """What a feature asks to send: the kind (for the queue and the logs), the template under
    templates/mail/, the subject as marked with _() (translated for the recipient, `subject_vars`
    isolated inside it), the template's parameters, attachments, and for bulk mail the list it
    belongs to (notifications, newsletter, digest)."""

    kind: str
    template: str
    subject: str
    params: dict[str, Any] = field(default_factory=dict)
    subject_vars: dict[str, str] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()
    bulk_list: str | None = None


Also = Callable[[Connection], None]


async def recipient_of(context: Context, account_id: int) -> Recipient | None:
    async with context.db.read() as conn:
        return await mail_preferences.recipient(conn, account_id)


async def mail_member(
    context: Context,
    account_id: int,
    mail: Mail,
    *,
    to: str | None = None,
    confirmed_only: bool = True,
    also: Also | None = None,
    recipient: Recipient | None = None,
) -> int | None:
    """Queue `mail` for the member; returns the mail's id, or None when the member has no
    address (or, with confirmed_only, none proven yet). `to` sends to another address of the
    member's (a confirmation for a new one); `also` writes in the same transaction;
    `recipient`, the member as recipient_of read them already (not read again)."""
    if recipient is None or recipient.account_id != account_id:
        recipient = await recipient_of(context, account_id)
    if recipient is None:
        return None
    address = to or recipient.email
    if not address or (confirmed_only and to is None and not recipient.is_confirmed):
        return None
    return await _queue(context, mail, address, recipient.locale, account_id,
                        recipient.username, also)  # fmt: skip


async def mail_address(
    context: Context, to: str, mail: Mail, *, locale: str | None = None, also: Also | None = None
) -> int:
    """Queue `mail` for someone without an account here (a guest registered to an event, say),
    in `locale` or the instance's default language. Bulk mail needs a member: it is refused."""
    if mail.bulk_list is not None:
        raise ValueError("bulk mail goes to members only (its unsubscribe link names one)")
    return await _queue(context, mail, to, locale, None, "", also)


async def _queue(
    context: Context,
    mail: Mail,
    address: str,
    language: str | None,
    account_id: int | None,
    username: str,
    also: Also | None,
) -> int:
    locale = locale_of(language, context.settings.default_locale)
    now = utcnow()
    unsubscribe_url, token_digest = None, None
    if mail.bulk_list is not None:
        token, token_digest = new_token()
        unsubscribe_url = f"{context.settings.base_url}/mail/unsubscribe/{token}"
    params = {"instance_title": context.settings.instance_title,
              "base_url": context.settings.base_url, "username": username,
              "unsubscribe_url": unsubscribe_url, "preferences_url":
              f"{context.settings.base_url}/settings/mail"} | mail.params  # fmt: skip
    text, html = render(mail.template, locale, **params)
    subject = subject_in(locale, mail.subject, **mail.subject_vars)
    letter = Letter(address, subject, text, html, locale.code, mail.attachments, unsubscribe_url)
    message = build(context.settings, letter, now).as_bytes()
    row = mail_outbox.NewMail(new_id(), account_id, address, mail.kind, subject, message)
    stamp = to_db(now)

    def write(conn: Connection) -> None:
        if token_digest is not None and mail.bulk_list is not None and account_id is not None:
            expires = to_db(now + UNSUBSCRIBE_LIFETIME)
            mail_tokens.insert(
                conn, token_digest, account_id, "unsubscribe", mail.bulk_list, expires, stamp
            )
        if also is not None:
            also(conn)
        mail_outbox.insert(conn, row, stamp)

    await context.db.write(write)
    context.wake.mail.set()
    log.info("mail %d (%s) queued for account %s", row.id, mail.kind, account_id or "none")
    return row.id
