"""The digest through a real SMTP server: a member who chose it gets, once a week (or month), the
public spaces' news by name and counts, and only "something new" for members-only spaces, never
their names nor their words; nothing new, no mail; never twice for one period."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from fedi.accounts.members import add_member
from fedi.context import Context
from fedi.core.timeutil import to_db, utcnow
from fedi.db import mail_preferences
from fedi.db.mail_preferences import MailPreferences
from fedi.groups import moderation
from fedi.groups.groups import create_group
from fedi.mail.digest import send_due
from fedi.relationships.relationships import follow
from tests.mail.conftest import deliver
from tests.mail.smtp import SmtpServer
from tests.mail.test_outbox import member
from tests.testrig.group_web import group_post


async def choose(context: Context, account_id: int, digest: str) -> None:
    def write(conn: sqlite3.Connection) -> None:
        mail_preferences.save_preferences(conn, account_id, MailPreferences(digest=digest))

    await context.db.write(write)


async def test_the_digest_names_public_spaces_and_never_members_only_ones(
    context: Context, smtp: SmtpServer
) -> None:
    olga = await add_member(context, "olga", "olga-password")
    alice = await member(context, "alice", "alice@example.org")
    bruno = await member(context, "bruno", "bruno@example.org", "fr")
    carla = await member(context, "carla", "carla@example.org")  # chose no digest
    forum = await create_group(context, "forum", "olga", display_name="Open forum")
    closed = await create_group(context, "casework", "olga", is_private=True,
                                display_name="Litigation against Acme")  # fmt: skip
    for name in ("alice", "bruno", "carla"):
        await follow(context, name, forum.account)
        await follow(context, name, closed.account)
        async with context.db.read() as conn:
            cursor = await conn.execute(
                "SELECT id FROM accounts WHERE username = ? AND domain IS NULL", (name,)
            )
            row = await cursor.fetchone()
        assert row is not None
        await moderation.approve(context, closed, olga, row[0])
    await choose(context, alice, "weekly")
    await choose(context, bruno, "monthly")
    await group_post(context, olga.account, forum, "Hearing moved to Tuesday")
    await group_post(context, olga.account, forum, "Minutes are online")
    await group_post(context, olga.account, closed, "The witness is Jane", visibility="private")

    now = utcnow()
    assert await send_due(context, now) == 2
    await deliver(context, now)
    by_address = {m.recipients[0]: m for m in smtp.received}
    assert sorted(by_address) == ["alice@example.org", "bruno@example.org"]
    english = by_address["alice@example.org"]
    assert "Your spaces this week" in english.message["Subject"]
    assert "Open forum" in english.text() and "2 new posts" in english.text()
    assert "something new in 1 of your members-only spaces" in english.text()
    assert english.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    for mail in smtp.received:
        everything = mail.everything()
        for secret in ("Litigation against Acme", "casework", "The witness is Jane"):
            assert secret not in everything
    assert "Open forum" in by_address["bruno@example.org"].text()

    # Not twice in one period; the next week's digest covers only what came since.
    assert await send_due(context, now + timedelta(days=1)) == 0
    assert await send_due(context, now + timedelta(days=8)) == 1  # alice, weekly
    await deliver(context, now + timedelta(days=8))
    assert len(smtp.received) == 2  # nothing new since the last one: no mail
    later = await group_post(context, olga.account, forum, "A new week")
    when = to_db(now + timedelta(days=10))
    await context.db.write(
        lambda conn: conn.execute(
            "UPDATE statuses SET created_at = ? WHERE id = ?", (when, later.id)
        )
    )
    assert await send_due(context, now + timedelta(days=16)) == 1
    await deliver(context, now + timedelta(days=16))
    assert len(smtp.received) == 3 and "1 new post" in smtp.received[-1].text()
    assert carla  # chose nothing: never mailed
