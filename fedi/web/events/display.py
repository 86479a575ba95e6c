"""Events as the pages show them: times in the viewer's time zone (their preference, else the
event's own), in their language, with the zone named; and who may see what (EventView)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_timezone_name
from starlette.requests import Request

from fedi.core.models import User
from fedi.db import events as event_rows
from fedi.events.views import EventView
from fedi.i18n.locales import Locale
from fedi.web.state import context_of


@dataclass(frozen=True)
class Shown:
    """One event on a page."""

    view: EventView
    starts: str
    ends: str
    zone: str
    own_starts: str  # in the event's own zone, when it differs from the viewer's
    path: str

    @property
    def event_id(self) -> int:
        return self.view.event.id


def _format(moment: datetime, zone: str, locale: Locale) -> str:
    """The date in full and a 24-hour time (unambiguous in every language), in `zone`."""
    local = moment.astimezone(ZoneInfo(zone))
    day = format_date(local, "full", locale=locale.code)
    return f"{day} {format_time(local, 'HH:mm', locale=locale.code)}"


def _zone_name(zone: str, locale: Locale) -> str:
    try:
        return str(get_timezone_name(ZoneInfo(zone), locale=locale.code))
    except (LookupError, ValueError):
        return zone


async def viewer_zone(request: Request, viewer: User | None) -> str | None:
    if viewer is None:
        return None
    async with context_of(request).db.read() as conn:
        return await event_rows.time_zone_of(conn, viewer.account.id)


def shown(view: EventView, locale: Locale, preferred: str | None) -> Shown:
    event = view.event
    zone = preferred or event.time_zone
    own = ""
    if zone != event.time_zone:
        own = f"{_format(event.starts_at, event.time_zone, locale)} ({event.time_zone})"
    return Shown(
        view=view,
        starts=_format(event.starts_at, zone, locale),
        ends=_format(event.ends_at, zone, locale),
        zone=f"{_zone_name(zone, locale)} ({zone})",
        own_starts=own,
        path=f"/events/{event.id}",
    )
