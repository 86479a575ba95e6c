"""The .ics of an event (RFC 5545): CRLF lines, a VTIMEZONE for the event's zone and TZID on its
times, text escaped, STATUS:CANCELLED kept for a cancelled event, and the meeting link
(CONFERENCE) only in the calendar of someone who may see it."""

from __future__ import annotations

from datetime import timedelta

import icalendar

from fedi.accounts.members import add_member
from fedi.context import Context
from fedi.core.timeutil import utcnow
from fedi.events.calendar import event_calendar
from fedi.events.events import cancel_event, create_event
from fedi.events.registrations import register
from fedi.events.validation import EventDraft
from fedi.events.views import view_of

LINK = "https://meet.example.org/room;42,b"


async def test_the_link_is_only_in_an_accepted_registrants_calendar(context: Context) -> None:
    organiser = (await add_member(context, "org", "org-password")).account
    amal = (await add_member(context, "amal", "amal-password")).account
    ben = (await add_member(context, "ben", "ben-password")).account
    start = (utcnow() + timedelta(days=9)).replace(microsecond=0)
    draft = EventDraft(
        "Droits; libertés, et \\ procès", "Line one\nLine two", start,
        start + timedelta(hours=2), "America/Sao_Paulo", LINK, "pt", 1, "open",
    )  # fmt: skip
    event = await create_event(context, organiser, draft)
    await register(context, event, amal)
    assert (await register(context, event, ben)).state == "waitlisted"
    mine = event_calendar(await view_of(context, event, amal))
    theirs = event_calendar(await view_of(context, event, ben))
    anyone = event_calendar(await view_of(context, event, None))
    assert b"\r\n" in mine and b"\n" not in mine.replace(b"\r\n", b"")
    assert b"Droits\\; libert" in mine and b"et \\\\ proc" in mine
    assert LINK.encode() not in theirs and LINK.encode() not in anyone
    parsed = icalendar.Calendar.from_ical(mine)
    (vevent,) = parsed.walk("VEVENT")
    assert str(vevent["conference"]) == LINK and str(vevent["uid"]) == event.uri
    assert vevent["dtstart"].params["TZID"] == "America/Sao_Paulo"
    assert vevent.decoded("dtstart") == start
    assert [str(z["tzid"]) for z in parsed.walk("VTIMEZONE")] == ["America/Sao_Paulo"]
    assert str(parsed["method"]) == "PUBLISH" and str(vevent["status"]) == "CONFIRMED"
    cancelled = await cancel_event(context, event, organiser)
    again = icalendar.Calendar.from_ical(event_calendar(await view_of(context, cancelled, amal)))
    (vevent,) = again.walk("VEVENT")
    assert str(vevent["status"]) == "CANCELLED" and vevent.decoded("sequence") == 1
