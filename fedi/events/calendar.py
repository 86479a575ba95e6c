"""Events as iCalendar (RFC 5545, 5546 and 7986; events.md §6): one VEVENT per event with its
own TZID and a VTIMEZONE for each zone used, never a floating time; a cancelled event stays,
with STATUS:CANCELLED. The meeting link (CONFERENCE) is in the calendar only when the viewer may
see it (an organiser or an accepted registrant): that variant is what a confirmation mail
attaches. Building is pure: the caller decides who sees what (fedi.events.views)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as VEvent

from fedi.core.html import plain_text
from fedi.core.timeutil import utcnow
from fedi.events.views import EventView

PRODID = "-//fedi//events//EN"
MEDIA_TYPE = "text/calendar; charset=utf-8"


def _vevent(view: EventView, now: datetime) -> VEvent:
    event = view.event
    zone = ZoneInfo(event.time_zone)
    entry = VEvent()
    entry.add("uid", event.uri)
    entry.add("dtstamp", now)
    entry.add("dtstart", event.starts_at.astimezone(zone))
    entry.add("dtend", event.ends_at.astimezone(zone))
    entry.add("summary", event.title)
    description = plain_text(event.description).strip()
    if description:
        entry.add("description", description)
    entry.add("url", event.url or event.uri)
    entry.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    entry.add("sequence", event.sequence)
    entry.add("created", event.created_at)
    entry.add("last-modified", event.updated_at)
    if event.language:
        entry.add("x-fedi-language", event.language)
    link = view.online_url
    if link is not None:  # RFC 7986 §5.11, for this viewer only
        entry.add("conference", link, parameters={"VALUE": "URI", "FEATURE": "VIDEO,AUDIO"})
    return entry


def calendar_of(views: Sequence[EventView], name: str) -> bytes:
    """A calendar of these events, as the viewer they were read for may see them."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    now = utcnow()
    for view in views:
        calendar.add_component(_vevent(view, now))
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def event_calendar(view: EventView) -> bytes:
    """One event's calendar: for a download, a subscription, or a mail to attach."""
    return calendar_of([view], view.event.title)
