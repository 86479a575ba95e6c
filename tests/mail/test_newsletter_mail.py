"""The newsletter by mail, through a real SMTP server: a published issue goes to each subscriber
(confirmed address, newsletter chosen) once, in their language when the issue has it, with the
public spaces' recent posts and never a members-only space's, and one-click unsubscribe."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import httpx

from fedi.accounts.members import add_member
from fedi.context import Context
from fedi.core.timeutil import utcnow
from fedi.db import mail_preferences
from fedi.db.mail_preferences import MailPreferences
from fedi.events.events import create_event
from fedi.events.validation import EventDraft
from fedi.groups.groups import create_group
from fedi.newsletter.issues import create_issue, publish, save_issue
from fedi.newsletter.mailing import mail_pending
from tests.mail.conftest import deliver
from tests.mail.smtp import SmtpServer
from tests.mail.test_outbox import member
from tests.testrig.group_web import group_post


async def subscribe(context: Context, account_id: int) -> None:
    def write(conn: sqlite3.Connection) -> None:
        mail_preferences.save_preferences(conn, account_id, MailPreferences(newsletter=True))

    await context.db.write(write)


async def test_each_subscriber_gets_the_issue_once_in_their_language(
    context: Context, client: httpx.AsyncClient, smtp: SmtpServer
) -> None:
    editor = await add_member(context, "ada", "ada-password", "admin")
    ids = {}
    for name, locale in (("alice", "en"), ("bruno", "fr"), ("carla", "pt")):
        ids[name] = await member(context, name, f"{name}@example.org", locale)
        await subscribe(context, ids[name])
    await member(context, "dora", "dora@example.org", "fr")  # did not subscribe
    forum = await create_group(context, "forum", "ada", display_name="Open forum")
    closed = await create_group(context, "casework", "ada", is_private=True)
    await group_post(context, editor.account, forum, "Hearing moved to Tuesday")
    await group_post(context, editor.account, closed, "Witness list", visibility="private")
    start = utcnow() + timedelta(days=5)
    draft = EventDraft("Monthly rights webinar", "", start, start + timedelta(hours=1),
                       "America/Sao_Paulo", None, "en", None, "open")  # fmt: skip
    await create_event(context, editor.account, draft)
    issue_id = await create_issue(context, editor.account)
    await save_issue(context, editor.account, issue_id, {
        "en": ("News of March", "Our webinar is on the 12th."),
        "fr": ("Nouvelles de mars", "Notre webinaire a lieu le 12."),
    })  # fmt: skip
    assert await mail_pending(context) == 0 and smtp.received == []  # a draft is not mailed
    await publish(context, editor.account, issue_id)
    assert await mail_pending(context) == 0
    await deliver(context)
    by_address = {m.recipients[0]: m for m in smtp.received}
    assert sorted(by_address) == ["alice@example.org", "bruno@example.org", "carla@example.org"]
    french = by_address["bruno@example.org"]
    assert "Nouvelles de mars" in french.message["Subject"]
    assert "Notre webinaire a lieu le 12." in french.text()
    assert "Récemment dans les espaces publics" in french.text()
    english = by_address["alice@example.org"]
    assert "News of March" in english.message["Subject"]
    assert "Our webinar is on the 12th." in english.text()
    # Portuguese was not written: the server's language (English), the mail's frame in Portuguese.
    portuguese = by_address["carla@example.org"]
    assert "Our webinar is on the 12th." in portuguese.text()
    for mail in smtp.received:
        assert "Hearing moved to Tuesday" in mail.text()
        assert "Monthly rights webinar" in mail.text() and "America/Sao_Paulo" in mail.text()
        assert "Witness list" not in mail.everything()
        assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Once only: another round, or the mail worker again, sends nothing more.
    assert await mail_pending(context) == 0
    await deliver(context)
    assert len(smtp.received) == 3

    path = english.message["List-Unsubscribe"].strip("<>").removeprefix("https://fedi.test")
    client.cookies.clear()
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    left = await client.post(path, content=b"List-Unsubscribe=One-Click", headers=form)
    assert left.status_code == 200
    async with context.db.read() as conn:
        assert not (await mail_preferences.preferences(conn, ids["alice"])).newsletter
        assert (await mail_preferences.preferences(conn, ids["bruno"])).newsletter
