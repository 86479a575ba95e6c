"""The digest: a weekly or monthly mail (off by default, chosen at /settings/mail) of what
happened in the member's spaces since the last one. A public space is named with its counts of
new posts and documents; members-only spaces are never named nor quoted, the mail only says that
something new is in some of them and links to the member's spaces (security.md: nothing
confidential in a mail). A member with nothing new gets no mail. Each member's digest is marked
made in the same transaction as its mail, so that nobody gets one twice."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from fedi.context import Context
from fedi.core.rounds import repeat
from fedi.core.timeutil import to_db, utcnow
from fedi.db import digests
from fedi.db.connection import Connection
from fedi.mail.outbox import Mail, mail_member

log = logging.getLogger(__name__)
PERIODS = {"weekly": timedelta(days=7), "monthly": timedelta(days=30)}
PAGE = 200
PERIOD = 3600.0  # seconds between looks for members due a digest


def _(message: str) -> str:
    """Marks a subject for the catalogues; fedi.mail.outbox translates it for the recipient."""
    return message


def _mark(account_id: int, now: str) -> Callable[[Connection], None]:
    def mark(conn: Connection) -> None:
        digests.mark_sent(conn, account_id, now)

    return mark


async def _digest_of(context: Context, account_id: int, frequency: str, since: str,
                     now: str) -> None:  # fmt: skip
    async with context.db.read() as conn:
        spaces = await digests.activity(conn, account_id, since)
    public = [s for s in spaces if not s.is_private and (s.posts or s.documents)]
    private_news = sum(1 for s in spaces if s.is_private and (s.posts or s.documents))
    mark = _mark(account_id, now)
    if not public and not private_news:
        await context.db.write(mark)  # nothing new: no mail, and the next one starts from now
        return
    base = context.settings.base_url
    listed = [{"name": s.display_name, "posts": s.posts, "documents": s.documents,
               "url": f"{base}/@{s.username}"} for s in public]  # fmt: skip
    mail = Mail(
        kind="digest", template="digest",
        subject=_("Your spaces this week") if frequency == "weekly"
        else _("Your spaces this month"),
        bulk_list="digest",
        params={"frequency": frequency, "private_news": private_news, "public": listed,
                "spaces_url": f"{base}/groups"},
    )  # fmt: skip
    if await mail_member(context, account_id, mail, also=mark) is None:
        await context.db.write(mark)


async def send_due(context: Context, now: datetime | None = None) -> int:
    """Make the digests that are due at `now`; how many members were looked at."""
    moment = now or utcnow()
    stamp = to_db(moment)
    looked = 0
    for frequency, period in PERIODS.items():
        after = 0
        while True:
            async with context.db.read() as conn:
                page = await digests.due(conn, frequency, to_db(moment - period), after, PAGE)
            for account_id, last in page:
                since = last or to_db(moment - period)
                await _digest_of(context, account_id, frequency, since, stamp)
            looked += len(page)
            if len(page) < PAGE:
                break
            after = page[-1][0]
    return looked


async def run(context: Context, stop: asyncio.Event, period: float = PERIOD) -> None:
    await repeat(stop, lambda: send_due(context), name="digests", interval=period)
