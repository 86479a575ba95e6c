"""Opt-in notification mail through a real SMTP server: off until the member chooses it at
/settings/mail; then a mention, a follow or a direct message brings one mail for whatever came
within a few minutes, with List-Unsubscribe (RFC 8058 one-click) for that list; the text of a
public post is quoted, and no text of a direct message or of a members-only space's post ever
appears in any mail."""

from __future__ import annotations

import logging
import re
import sqlite3
from datetime import timedelta

import httpx
import pytest

from fedi.accounts.members import add_member
from fedi.context import Context
from fedi.core.timeutil import utcnow
from fedi.db import mail_outbox, mail_preferences
from fedi.groups.groups import create_group
from fedi.relationships.relationships import follow
from fedi.statuses.posting import post_status
from tests.conftest import BASE
from tests.mail.conftest import deliver
from tests.mail.smtp import SmtpServer
from tests.mail.test_outbox import member
from tests.testrig.group_web import BROWSER, csrf_token, sign_in
from tests.testrig.groups import join


def ours(caplog: pytest.LogCaptureFixture) -> str:
    """What fedi logged (the test's SMTP server logs whatever it receives)."""
    return "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("fedi"))


SECRETS = ("whisper of the direct message", "plan of the collective", "hidden from the public")


async def opt_in(client: httpx.AsyncClient) -> None:
    await sign_in(client, "alice", "alice-password")
    page = await client.get("/settings/mail", headers=BROWSER)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "private, no-store"
    assert 'name="notifications"' in page.text and "checked" not in page.text.split("digest-off")[0]
    csrf = await csrf_token(client, "/settings/mail")
    saved = await client.post(
        "/settings/mail", data={"csrf_token": csrf, "notifications": "1", "digest": "weekly"},
        headers=BROWSER | {"Origin": BASE},
    )  # fmt: skip
    assert saved.status_code == 303


async def all_mail_text(context: Context, smtp: SmtpServer) -> str:
    """Everything every mail said: as received, and as kept in the queue."""
    async with context.db.read() as conn:
        rows = await mail_outbox.recent(conn, None, 100)
        kept = [await mail_outbox.get(conn, row.id) for row in rows]
    raw = [found[1].decode("utf-8", "replace") for found in kept if found]
    return "\n".join([m.everything() for m in smtp.received] + raw)


async def test_notification_mail_never_carries_confidential_text(
    context: Context, client: httpx.AsyncClient, smtp: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await member(context, "alice", "alice@example.org")
    await add_member(context, "bob", "bob-password")
    await add_member(context, "carol", "carol-password")
    await create_group(context, "collective", "bob", is_private=True)
    await join(context, "collective", context, "alice")
    await join(context, "collective", context, "bob")
    await opt_in(client)

    await post_status(context, "bob", "@alice words anyone may read", "public")
    await post_status(context, "bob", f"@alice {SECRETS[0]}", "direct")
    await post_status(context, "bob", f"@collective @alice {SECRETS[1]}", "public")
    hidden = await post_status(context, "bob", f"@alice {SECRETS[2]}", "private")
    # Even a post marked public, once it belongs to a members-only space, is not quoted.
    in_space = await post_status(context, "bob", "@alice the space's own words", "public")
    space = await create_group(context, "space", "bob", is_private=True)

    def into_space(conn: sqlite3.Connection) -> None:
        conn.execute(
            "UPDATE statuses SET group_id = ? WHERE id = ?", (space.account.id, in_space.id)
        )

    await context.db.write(into_space)
    await follow(context, "carol", "alice@fedi.test")
    assert hidden.visibility == "private"

    now = utcnow()
    await deliver(context, now)
    [mail] = smtp.received
    assert mail.recipients == ["alice@example.org"]
    text = mail.text()
    assert "words anyone may read" in text  # the public post is quoted
    assert "sent you a direct message" in text
    assert "follows you" in text
    # Each post linked (the members-only space's copy comes from the group), and the follower.
    assert text.count("https://fedi.test/@bob/") == 4
    assert text.count("https://fedi.test/@collective/") == 1
    assert "https://fedi.test/@carol\r\n" in text
    assert "the space's own words" not in text
    unsubscribe = mail.message["List-Unsubscribe"]
    assert re.fullmatch(r"<https://fedi\.test/mail/unsubscribe/[\w-]+>", unsubscribe)
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # What comes within a few minutes waits, then shares the next mail.
    await post_status(context, "bob", f"@alice {SECRETS[0]} again", "direct")
    await deliver(context, now + timedelta(minutes=1))
    assert len(smtp.received) == 1
    await deliver(context, now + timedelta(minutes=6))
    assert len(smtp.received) == 2

    everything = await all_mail_text(context, smtp)
    for secret in SECRETS:
        assert secret not in everything
        assert secret not in ours(caplog)  # nor in any log line
    assert "the space's own words" not in everything
    assert "words anyone may read" not in ours(caplog)  # no mail's text is logged


async def test_one_click_unsubscribe_by_post(
    context: Context, client: httpx.AsyncClient, smtp: SmtpServer
) -> None:
    alice = await member(context, "alice", "alice@example.org")
    await add_member(context, "bob", "bob-password")
    await opt_in(client)
    await post_status(context, "bob", "@alice hello", "public")
    now = utcnow()
    await deliver(context, now)
    [mail] = smtp.received
    url = mail.message["List-Unsubscribe"].strip("<>")
    path = url.removeprefix(BASE)

    client.cookies.clear()  # a mail program: no session, no CSRF token
    shown = await client.get(path, headers=BROWSER)
    assert shown.status_code == 200 and "<form" in shown.text
    async with context.db.read() as conn:
        assert (await mail_preferences.preferences(conn, alice)).notifications
    one_click = await client.post(
        path, content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    assert one_click.status_code == 200
    assert one_click.headers["cache-control"] == "private, no-store"
    async with context.db.read() as conn:
        chosen = await mail_preferences.preferences(conn, alice)
    assert not chosen.notifications
    assert chosen.digest == "weekly"  # another list is left alone
    again = await client.post(path, content=b"List-Unsubscribe=One-Click")
    assert again.status_code == 200

    await post_status(context, "bob", "@alice are you there?", "public")
    await deliver(context, now + timedelta(minutes=10))
    assert len(smtp.received) == 1
    forged = await client.post("/mail/unsubscribe/" + "A" * 43)
    assert forged.status_code == 404


async def test_members_who_did_not_opt_in_get_no_notification_mail(
    context: Context, smtp: SmtpServer
) -> None:
    alice = await member(context, "alice", "alice@example.org")
    await add_member(context, "bob", "bob-password")
    await post_status(context, "bob", "@alice hello", "public")
    await deliver(context)
    assert smtp.received == []
    # Opting in does not mail what came before.
    await context.db.write(
        lambda conn: mail_preferences.save_preferences(
            conn, alice, mail_preferences.MailPreferences(notifications=True)
        )
    )
    await deliver(context, utcnow() + timedelta(hours=1))
    assert smtp.received == []
