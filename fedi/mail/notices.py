"""Notification mail, for members who asked for it: a mention, a follow, a follow request or a
direct message gets a mail, at most one per member every GAP, telling of everything that came
meanwhile. Only confirmed addresses get it, and never from senders the member hides.

What such a mail may say (security.md): who and what kind, with a link. The text of a post is
quoted only when the post is public or unlisted, outside any members-only space and not
"this server only"; a direct message, a followers-only post or anything from a confidential
space is announced without a word of it, and a content warning stands in for the text it hides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from fedi.context import Context
from fedi.core.html import plain_text
from fedi.core.timeutil import to_db
from fedi.db import mail_preferences
from fedi.db.connection import Connection
from fedi.db.mail_preferences import Pending
from fedi.db.moderated import moderated_sender_clause
from fedi.db.mutes import hidden_sender_clause
from fedi.mail.outbox import Mail, mail_member

GAP = timedelta(minutes=5)
TYPES = ("mention", "follow", "follow_request")
MAX_NOTICES = 20  # listed in one mail; the rest are counted
MAX_QUOTE = 500
MEMBERS_PER_ROUND = 50
_BREAK = re.compile(r"</p>|<br\s*/?>", re.IGNORECASE)


def _(message: str) -> str:
    """Marks a subject for translation; it is translated for each recipient."""
    return message


SUBJECT = _("New activity on %(title)s")


@dataclass(frozen=True)
class Notice:
    """One line of the mail: what happened (kind), from whom, where to see it, and the quoted
    text when the post may be quoted."""

    kind: str  # mention, direct, follow, follow_request
    sender: str  # the sender's handle
    sender_name: str
    url: str
    quote: str = ""
    warning: str = ""


def may_quote(pending: Pending) -> bool:
    """The post is public or unlisted, in no members-only space, not kept to this server."""
    return (
        pending.visibility in ("public", "unlisted")
        and not pending.group_is_private
        and not pending.is_local_only
    )


def notice_of(pending: Pending, base_url: str) -> Notice:
    if pending.type in ("follow", "follow_request"):
        url = (
            f"{base_url}/follow_requests"
            if pending.type == "follow_request"
            else (f"{base_url}/@{pending.sender_acct}")
        )
        return Notice(pending.type, pending.sender_acct, pending.sender_name, url)
    url = f"{base_url}/@{pending.sender_acct}/{pending.status_id}"
    kind = "direct" if pending.visibility == "direct" else "mention"
    if not may_quote(pending):
        return Notice(kind, pending.sender_acct, pending.sender_name, url)
    if pending.spoiler_text:
        warning = plain_text(pending.spoiler_text)[:MAX_QUOTE]
        return Notice(kind, pending.sender_acct, pending.sender_name, url, warning=warning)
    text = plain_text(_BREAK.sub("\n", pending.content)).strip()
    if len(text) > MAX_QUOTE:
        text = text[: MAX_QUOTE - 1] + "…"
    return Notice(kind, pending.sender_acct, pending.sender_name, url, quote=text)


async def gather_notices(context: Context, now: datetime) -> int:
    """Queue one notification mail for each member due one; returns how many were queued."""
    async with context.db.read() as conn:
        due = await mail_preferences.members_with_news(conn, to_db(now - GAP), MEMBERS_PER_ROUND)
    queued = 0
    for account_id in due:
        queued += await _mail_one(context, account_id, now)
    return queued


async def _mail_one(context: Context, account_id: int, now: datetime) -> int:
    muted, muted_args = hidden_sender_clause(account_id, to_db(now))
    moderated, moderated_args = moderated_sender_clause(account_id)
    hidden = (muted + moderated, [*muted_args, *moderated_args])
    async with context.db.read() as conn:
        newest, pending = await mail_preferences.pending_notices(
            conn, account_id, TYPES, hidden, MAX_NOTICES + 1
        )
    stamp = to_db(now)

    def mark(conn: Connection) -> None:
        mail_preferences.mark_notified(conn, account_id, newest, stamp)

    if not pending:  # only kinds that are not mailed, or hidden senders: nothing to tell
        await context.db.write(mark)
        return 0
    notices = [notice_of(p, context.settings.base_url) for p in pending[:MAX_NOTICES]]
    mail = Mail(
        kind="notifications",
        template="notifications",
        subject=SUBJECT,
        subject_vars={"title": context.settings.instance_title},
        params={"notices": notices, "more": len(pending) > MAX_NOTICES,
                "notifications_url": f"{context.settings.base_url}/notifications"},
        bulk_list="notifications",
    )  # fmt: skip
    queued = await mail_member(context, account_id, mail, also=mark)
    if queued is None:
        await context.db.write(mark)
        return 0
    return 1
