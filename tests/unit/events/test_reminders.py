"""Event reminders with an injected clock: a notification to each accepted local registrant 24
hours and 1 hour before the start, each exactly once, none for a waiting list, a cancelled
registration or a cancelled event, and none once the event has started."""

from __future__ import annotations

from datetime import datetime, timedelta

from fedi.accounts.members import add_member
from fedi.context import Context
from fedi.core.models import Account
from fedi.core.timeutil import utcnow
from fedi.db import interactions
from fedi.db.events import Event
from fedi.events.events import cancel_event, create_event
from fedi.events.registrations import cancel_registration, register
from fedi.events.reminders import send_due_reminders
from fedi.events.validation import EventDraft


async def members(context: Context, *names: str) -> list[Account]:
    return [(await add_member(context, n, f"{n}-password")).account for n in names]


async def webinar(context: Context, organiser: Account, start: datetime, capacity: int) -> Event:
    draft = EventDraft("Webinar", "", start, start + timedelta(hours=1), "Europe/Paris",
                       None, None, capacity, "open")  # fmt: skip
    return await create_event(context, organiser, draft)


async def reminders_of(context: Context, account: Account) -> int:
    async with context.db.read() as conn:
        found = await interactions.notifications_of(conn, account.id)
    return sum(1 for kind, _ in found if kind == "event_reminder")


async def test_each_accepted_registrant_is_reminded_a_day_and_an_hour_before_once(
    context: Context,
) -> None:
    organiser, amal, ben, carl, dina = await members(context, "org", "amal", "ben", "carl", "dina")
    start = utcnow() + timedelta(days=3)
    event = await webinar(context, organiser, start, capacity=3)
    for person in (amal, ben, carl, dina):
        await register(context, event, person)  # dina is waitlisted
    await cancel_registration(context, event, carl)  # dina takes carl's place
    await cancel_registration(context, event, ben)
    assert await send_due_reminders(context, start - timedelta(days=2)) == 0
    day_before = start - timedelta(hours=23)
    assert await send_due_reminders(context, day_before) == 2
    assert await send_due_reminders(context, day_before + timedelta(minutes=5)) == 0
    hour_before = start - timedelta(minutes=50)
    assert await send_due_reminders(context, hour_before) == 2
    assert await send_due_reminders(context, hour_before) == 0
    assert await send_due_reminders(context, start + timedelta(minutes=1)) == 0
    assert [await reminders_of(context, p) for p in (amal, ben, carl, dina, organiser)] == [
        2, 0, 0, 2, 0,
    ]  # fmt: skip


async def test_a_late_registration_gets_only_the_hour_reminder_and_cancelled_events_none(
    context: Context,
) -> None:
    organiser, amal, ben = await members(context, "org", "amal", "ben")
    start = utcnow() + timedelta(days=2)
    event = await webinar(context, organiser, start, capacity=10)
    await register(context, event, amal)
    assert await send_due_reminders(context, start - timedelta(minutes=30)) == 1
    assert await send_due_reminders(context, start - timedelta(hours=5)) == 0  # the day one is past
    other = await webinar(context, organiser, start + timedelta(hours=2), capacity=10)
    await register(context, other, ben)
    await cancel_event(context, other, organiser)
    assert await send_due_reminders(context, start + timedelta(hours=1, minutes=30)) == 0
    assert await reminders_of(context, amal) == 1 and await reminders_of(context, ben) == 0
