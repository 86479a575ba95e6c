"""Mailing a published issue to the newsletter's subscribers, each in their language when the
issue was written in it (the server's, or the first it has, otherwise), with one-click
unsubscribe (bulk mail, fedi.mail.outbox). Run by the background workers a page of subscribers
at a time; the member a mail was queued for is recorded in the same transaction as the mail,
so that a stopped server starts again where it was and nobody gets an issue twice."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from markupsafe import Markup

from fedi.context import Context
from fedi.core.rounds import repeat
from fedi.core.timeutil import to_db, utcnow
from fedi.db import newsletter
from fedi.db.connection import Connection
from fedi.db.newsletter import Issue
from fedi.mail.outbox import Mail, mail_member, recipient_of
from fedi.mail.preferences import subscribers
from fedi.newsletter.issues import Gathered, body_html, gather, issue_url, text_in

log = logging.getLogger(__name__)
PAGE = 200  # subscribers read at a time
PERIOD = 30.0  # seconds between looks for an issue to mail


def newsletter_mail(
    context: Context, issue: Issue, language: str | None, gathered: Gathered
) -> Mail:
    chosen = text_in(issue, language or "", context.settings.default_locale)
    assert chosen is not None  # a published issue has a text
    code, text = chosen
    html = Markup(body_html(context, text))  # noqa: S704 - sanitised, as on the issue's page
    return Mail(
        kind="newsletter", template="newsletter", subject="%(title)s",
        subject_vars={"title": text.title}, bulk_list="newsletter",
        params={"title": text.title, "body": text.body, "body_html": html,
                "text_language": code, "issue_url": issue_url(context, issue.id),
                "posts": gathered.posts, "events": gathered.events},
    )  # fmt: skip


def _stepper(issue_id: int, account_id: int) -> Callable[[Connection], None]:
    def step(conn: Connection) -> None:
        newsletter.mailed_to(conn, issue_id, account_id)

    return step


async def mail_issue(context: Context, issue_id: int, after: int) -> bool:
    """Queue the issue's mail for the next page of subscribers after member `after`; True once
    every subscriber has it."""
    async with context.db.read() as conn:
        issue = await newsletter.get_issue(conn, issue_id)
    if issue is None or issue.published_at is None or not issue.texts:
        return True
    gathered = await gather(context, issue.published_at)
    page = await subscribers(context, "newsletter", after_id=after, limit=PAGE)
    for account_id in page:
        recipient = await recipient_of(context, account_id)
        mail = newsletter_mail(context, issue, recipient.locale if recipient else None, gathered)
        step = _stepper(issue_id, account_id)
        if await mail_member(context, account_id, mail, also=step, recipient=recipient) is None:
            await context.db.write(step)  # no confirmed address any more: step past them
    if len(page) < PAGE:
        now = to_db(utcnow())
        await context.db.write(lambda conn: newsletter.mailed_to_everyone(conn, issue_id, now))
        log.info("newsletter issue %d mailed to its subscribers", issue_id)
        return True
    return False


async def mail_pending(context: Context) -> int:
    """One round: a page of subscribers for each issue still to mail; how many issues remain."""
    async with context.db.read() as conn:
        pending = await newsletter.to_mail(conn, 10)
    remaining = 0
    for issue_id, after in pending:
        remaining += not await mail_issue(context, issue_id, after)
    return remaining


async def run(context: Context, stop: asyncio.Event, period: float = PERIOD) -> None:
    await repeat(stop, lambda: mail_pending(context), name="newsletter mailing",
                 interval=period, full=1)  # fmt: skip
