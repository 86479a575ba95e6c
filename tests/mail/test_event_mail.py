"""Event mail through a real SMTP server: registration (accepted with the calendar attached and
the meeting link; waitlisted; promoted when a place frees up), reminders a day and an hour
before (injected clock), each in the member's language and time zone; an event of a
members-only space is never described (no title, link or calendar), only linked to."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from icalendar import Calendar

from fedi.accounts.members import add_member
from fedi.context import Context
from fedi.core.timeutil import utcnow
from fedi.db import accounts
from fedi.db import events as event_rows
from fedi.events.events import create_event
from fedi.events.registrations import cancel_registration, register
from fedi.events.reminders import send_due_reminders
from fedi.events.validation import EventDraft
from fedi.groups import moderation
from fedi.groups.groups import create_group
from fedi.relationships.relationships import follow
from tests.mail.conftest import deliver
from tests.mail.smtp import Received, SmtpServer
from tests.mail.test_outbox import member

LINK = "https://meet.example.org/rights-webinar"


def calendar_of(mail: Received) -> Calendar | None:
    for part in mail.message.walk():
        if part.get_content_type() == "text/calendar":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return Calendar.from_ical(payload)
    return None


async def test_registration_and_reminders_by_mail_with_the_calendar(
    context: Context, smtp: SmtpServer
) -> None:
    organiser = (await add_member(context, "org", "org-password")).account
    alice_id = await member(context, "alice", "alice@example.org")
    bruno_id = await member(context, "bruno", "bruno@example.org", "fr")

    def zone(conn: sqlite3.Connection) -> None:
        event_rows.set_time_zone(conn, bruno_id, "America/Sao_Paulo")

    await context.db.write(zone)
    start = (utcnow() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    draft = EventDraft("Rights webinar", "Monthly webinar", start, start + timedelta(hours=1),
                       "Europe/Paris", LINK, "en", 1, "open")  # fmt: skip
    event = await create_event(context, organiser, draft)
    async with context.db.read() as conn:
        alice_account = await accounts.get_by_id(conn, alice_id)
        bruno_account = await accounts.get_by_id(conn, bruno_id)
    assert alice_account is not None and bruno_account is not None
    await register(context, event, alice_account)  # the one place
    await register(context, event, bruno_account)  # waiting list
    await deliver(context)
    by_address = {m.recipients[0]: m for m in smtp.received}
    accepted = by_address["alice@example.org"]
    assert "You are registered: " in accepted.message["Subject"]
    assert "Rights webinar" in accepted.message["Subject"]
    assert LINK in accepted.text()
    calendar = calendar_of(accepted)
    assert calendar is not None
    [entry] = calendar.walk("VEVENT")
    assert str(entry["SUMMARY"]) == "Rights webinar" and str(entry["CONFERENCE"]) == LINK
    waiting = by_address["bruno@example.org"]
    assert "Rights webinar" in waiting.message["Subject"] and "attente" in waiting.text()
    assert LINK not in waiting.everything() and calendar_of(waiting) is None

    await cancel_registration(context, event, alice_account)  # bruno takes the place
    await deliver(context)
    promoted = smtp.received[-1]
    assert promoted.recipients == ["bruno@example.org"] and LINK in promoted.text()
    assert calendar_of(promoted) is not None
    assert "America/Sao_Paulo" in promoted.text()  # his time zone

    sent = len(smtp.received)
    assert await send_due_reminders(context, start - timedelta(hours=23)) == 1
    assert await send_due_reminders(context, start - timedelta(hours=22)) == 0  # once
    await deliver(context)
    assert len(smtp.received) == sent + 1
    reminder = smtp.received[-1]
    assert reminder.recipients == ["bruno@example.org"]
    assert "Rights webinar" in reminder.message["Subject"] and LINK in reminder.text()


async def test_a_members_only_spaces_event_is_never_described_by_mail(
    context: Context, smtp: SmtpServer
) -> None:
    olga = await add_member(context, "olga", "olga-password")
    mia_id = await member(context, "mia", "mia@example.org")
    space = await create_group(context, "casework", "olga", is_private=True)
    await follow(context, "mia", space.account)
    await moderation.approve(context, space, olga, mia_id)
    start = utcnow() + timedelta(days=2)
    end = start + timedelta(hours=2)
    draft = EventDraft("Strategy for the Acme hearing", "Witness: Jane", start, end,
                       "Europe/Paris", LINK, "en", None, "open")  # fmt: skip
    event = await create_event(context, olga.account, draft, space.account)
    async with context.db.read() as conn:
        mia = await accounts.get_by_id(conn, mia_id)
    assert mia is not None
    await register(context, event, mia)
    await send_due_reminders(context, start - timedelta(hours=23))
    await deliver(context)
    assert len(smtp.received) == 2  # the registration, the reminder
    for mail in smtp.received:
        everything = mail.everything()
        for secret in ("Strategy", "Acme", "Jane", LINK, "casework"):
            assert secret not in everything
        assert calendar_of(mail) is None
        assert f"/events/{event.id}" in mail.text()
