"""The mail queue and its worker against a real SMTP server: the message's headers, the
recipient's language, one connection for a batch, retries while the server is down, giving up
after the last attempt, STARTTLS and implicit TLS on a certificate made here, and the .eml
files written when no SMTP server is set."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from fedi.accounts.members import add_member
from fedi.context import Context
from fedi.core.timeutil import utcnow
from fedi.db import mail_outbox, mail_preferences, users
from fedi.mail.message import Attachment
from fedi.mail.outbox import Mail, mail_address, mail_member
from fedi.mail.preferences import subscribers
from fedi.mail.worker import MAX_ATTEMPTS
from tests.mail.conftest import deliver
from tests.mail.smtp import SmtpServer


async def member(context: Context, name: str, email: str, locale: str | None = None) -> int:
    user = await add_member(context, name, f"{name}-password")
    account_id = user.account.id

    def give(conn: sqlite3.Connection) -> None:
        users.set_email(conn, account_id, email)
        mail_preferences.confirm_email(conn, account_id, email, "2026-01-01T00:00:00+00:00")
        conn.execute("UPDATE users SET locale = ? WHERE account_id = ?", (locale, account_id))

    await context.db.write(give)
    return account_id


TEST_MAIL = Mail(kind="test", template="reset", subject="Reset your password",
                 params={"reset_url": "https://fedi.test/r", "hours": 2})  # fmt: skip


async def test_a_queued_mail_reaches_the_smtp_server_with_its_headers(
    context: Context, smtp: SmtpServer
) -> None:
    alice = await member(context, "alice", "alice@example.org")
    ics = Attachment("event.ics", "text/calendar", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
                     {"method": "REQUEST"})  # fmt: skip
    mail = Mail(kind="test", template="reset", subject="Reset your password",
                params={"reset_url": "https://fedi.test/r", "hours": 2},
                attachments=(ics,))  # fmt: skip
    assert await mail_member(context, alice, mail) is not None
    assert await deliver(context) == 1
    [got] = smtp.received
    assert got.recipients == ["alice@example.org"]
    assert got.sender == "fedi@fedi.test"
    headers = got.message
    assert headers["From"] == "Test network <fedi@fedi.test>"
    assert headers["To"] == "alice@example.org"
    assert headers["Auto-Submitted"] == "auto-generated"
    assert headers["Message-ID"].endswith("@fedi.test>")
    assert headers["Date"]
    assert "List-Unsubscribe" not in headers  # not bulk mail
    assert "https://fedi.test/r" in got.text()
    assert 'href="https://fedi.test/r"' in got.html()
    attachments = list(got.message.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["event.ics"]
    assert attachments[0].get_content_type() == "text/calendar"
    async with context.db.read() as conn:
        [row] = await mail_outbox.recent(conn, None, 10)
    assert (row.state, row.attempts, row.recipient) == ("sent", 1, "alice@example.org")


async def test_a_french_member_gets_the_mail_in_french(context: Context, smtp: SmtpServer) -> None:
    amelie = await member(context, "amelie", "amelie@example.org", "fr")
    await mail_member(context, amelie, TEST_MAIL)
    await deliver(context)
    [got] = smtp.received
    assert got.message["Content-Language"] == "fr"
    assert got.message["Subject"] == "Réinitialisez votre mot de passe"
    assert "Bonjour" in got.text()
    assert 'lang="fr"' in got.html()


async def test_an_unconfirmed_address_gets_no_mail_unless_asked(context: Context) -> None:
    user = await add_member(context, "bob", "bob-password")
    await context.db.write(lambda conn: users.set_email(conn, user.account.id, "bob@example.org"))
    assert await mail_member(context, user.account.id, TEST_MAIL) is None
    assert await mail_member(context, user.account.id, TEST_MAIL, confirmed_only=False)


async def test_mail_waits_while_the_server_is_down_and_goes_when_it_is_up(
    tmp_path: Path, context: Context, smtp: SmtpServer
) -> None:
    alice = await member(context, "alice", "alice@example.org")
    smtp.stop()
    for _ in range(3):
        await mail_member(context, alice, TEST_MAIL)
    now = utcnow()
    assert await deliver(context, now) == 3
    async with context.db.read() as conn:
        rows = await mail_outbox.recent(conn, None, 10)
        assert await mail_outbox.due(conn, (now + timedelta(seconds=30)).isoformat(), 10) == []
    assert {(r.state, r.attempts) for r in rows} == {("queued", 1)}
    assert all(r.last_error for r in rows)
    assert all("password" not in r.last_error for r in rows)
    smtp.start()
    assert await deliver(context, now + timedelta(minutes=2)) == 3
    assert len(smtp.received) == 3
    async with context.db.read() as conn:
        rows = await mail_outbox.recent(conn, None, 10)
    assert {(r.state, r.attempts) for r in rows} == {("sent", 2)}


async def test_a_mail_is_given_up_after_the_last_attempt(
    context: Context, smtp: SmtpServer
) -> None:
    alice = await member(context, "alice", "alice@example.org")
    smtp.stop()
    await mail_member(context, alice, TEST_MAIL)
    moment = utcnow()
    for _ in range(MAX_ATTEMPTS):
        await deliver(context, moment)
        moment += timedelta(days=1)
    assert await deliver(context, moment) == 0
    async with context.db.read() as conn:
        [row] = await mail_outbox.recent(conn, None, 10)
    assert (row.state, row.attempts) == ("failed", MAX_ATTEMPTS)


async def test_a_guest_without_an_account_gets_mail_in_the_language_given(
    context: Context, smtp: SmtpServer
) -> None:
    mail_id = await mail_address(context, "guest@example.org", TEST_MAIL, locale="pt")
    await deliver(context)
    [got] = smtp.received
    assert got.recipients == ["guest@example.org"]
    assert got.message["Content-Language"] == "pt"
    assert "Este e-mail foi enviado por" in got.text()
    async with context.db.read() as conn:
        [row] = await mail_outbox.recent(conn, None, 1)
    assert row.id == mail_id
    with pytest.raises(ValueError, match="members only"):
        await mail_address(context, "guest@example.org", replace(TEST_MAIL, bulk_list="digest"))


async def test_newsletter_and_digest_subscribers_have_confirmed_addresses(
    context: Context,
) -> None:
    alice = await member(context, "alice", "alice@example.org")
    bob = await member(context, "bob", "bob@example.org")
    carol = await add_member(context, "carol", "carol-password")
    chosen = mail_preferences.MailPreferences(newsletter=True, digest="weekly")

    def choose(conn: sqlite3.Connection) -> None:
        for account_id in (alice, carol.account.id):
            mail_preferences.save_preferences(conn, account_id, chosen)
        mail_preferences.save_preferences(
            conn, bob, mail_preferences.MailPreferences(digest="monthly")
        )

    await context.db.write(choose)
    assert await subscribers(context, "newsletter") == [alice]  # carol has no address
    assert await subscribers(context, "digest", "weekly") == [alice]
    assert await subscribers(context, "digest", "monthly") == [bob]
