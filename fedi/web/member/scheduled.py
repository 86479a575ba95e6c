"""The member's scheduled posts as pages: the list (their text and time, in the member's time
zone), each moved to another time or cancelled by its own form; and the reading of a date and
time from a form in that zone, for these forms and the compose box's "schedule for later"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.core.ids import MAX_ID, parse_id
from fedi.core.models import User
from fedi.core.validation import BASE
from fedi.db import events as event_rows
from fedi.db import scheduled_statuses as scheduled_rows
from fedi.events.validation import valid_zone
from fedi.statuses.scheduled import MAX_WAITING, ScheduleError, cancel, reschedule
from fedi.web.member.gate import back, member_form, member_or_sign_in
from fedi.web.state import context_of, pages_of

PATH = "/scheduled"
DEFAULT_ZONE = "UTC"  # without the member's preference or their browser's zone
MAX_TIME_FIELD = 40
DONE = ("scheduled", "moved", "cancelled")


def _(message: str) -> str:
    """Marks a message for the catalogues; it is translated when the page is rendered."""
    return message


UNREADABLE = _("The time to publish is not a date and time: choose one in the date and time field.")
TOO_SOON = _("Choose a time at least 5 minutes from now.")
TOO_MANY = _("You have too many scheduled posts: cancel one, or choose another day.")


def refusal_of(exc: ScheduleError) -> str | None:
    """What the member reads when the time is refused (None: the post itself is refused)."""
    fields = {p.field for p in exc.problems}
    if "scheduled_at" in fields:
        return TOO_SOON
    if BASE in fields:
        return TOO_MANY
    return None


async def preferred_zone(request: Request, viewer: User) -> str | None:
    """The time zone the member chose (on the events pages), if they chose one."""
    async with context_of(request).db.read() as conn:
        return await event_rows.time_zone_of(conn, viewer.account.id)


async def zone_for(request: Request, viewer: User, form: dict[str, Any]) -> str:
    """The zone a form's time is in: the member's preference, else the browser's (sent by
    app.js in the hidden `time_zone` field), else the server's default."""
    chosen = await preferred_zone(request, viewer)
    sent = form.get("time_zone")
    return chosen or (valid_zone(sent) if isinstance(sent, str) else None) or DEFAULT_ZONE


def local_moment(text: str, zone: str) -> datetime | None:
    """A datetime-local field's value ("2025-06-01T14:30"), read in `zone`; None if it is
    not a date and time."""
    text = text.strip()
    if not text or len(text) > MAX_TIME_FIELD:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment


@dataclass(frozen=True)
class Shown:
    """One scheduled post on the page."""

    id: int
    text: str
    spoiler_text: str
    when: str  # in the member's language and zone
    local_value: str  # the same time for the datetime-local field
    iso: str


def _shown(found: scheduled_rows.Scheduled, zone: str, locale: str) -> Shown:
    local = found.scheduled_at.astimezone(ZoneInfo(zone))
    day = format_date(local, "full", locale=locale)
    return Shown(
        id=found.id, text=str(found.params.get("text") or ""),
        spoiler_text=str(found.params.get("spoiler_text") or ""),
        when=f"{day} {format_time(local, 'HH:mm', locale=locale)}",
        local_value=local.strftime("%Y-%m-%dT%H:%M"), iso=found.scheduled_at.isoformat(),
    )  # fmt: skip


async def _page(
    request: Request, viewer: User, status_code: int = 200, error: str | None = None
) -> Response:
    context = context_of(request)
    pages = pages_of(request)
    locale = pages.locale_for(request)
    preferred = await preferred_zone(request, viewer)
    zone = preferred or DEFAULT_ZONE
    async with context.db.read() as conn:
        found = await scheduled_rows.of_account(conn, viewer.account.id, MAX_ID, 0, MAX_WAITING)
    found.sort(key=lambda s: (s.scheduled_at, s.id))
    done = request.query_params.get("done")
    return pages.render(
        request, "member/scheduled.html", status_code=status_code, viewer=viewer,
        title=locale.gettext("Scheduled posts"),
        posts=[_shown(s, zone, locale.code) for s in found],
        zone=zone, has_preference=preferred is not None,
        error=locale.gettext(error) if error else None, done=done if done in DONE else None,
    )  # fmt: skip


async def scheduled_page(request: Request) -> Response:
    viewer = await member_or_sign_in(request)
    if isinstance(viewer, Response):
        return viewer
    return await _page(request, viewer)


def _scheduled_id(request: Request) -> int:
    found = parse_id(request.path_params["scheduled_id"])
    if found is None:
        raise HTTPException(404, "no such scheduled post")
    return found


async def move(request: Request) -> Response:
    """Change a scheduled post's time; a refused time shows the list again, with why."""
    posted = await member_form(request)
    if isinstance(posted, Response):
        return posted
    viewer, form = posted
    scheduled_id = _scheduled_id(request)
    when = local_moment(form.get("scheduled_at", ""), await zone_for(request, viewer, form))
    if when is None:
        return await _page(request, viewer, 422, UNREADABLE)
    try:
        moved = await reschedule(
            context_of(request), viewer.account.id, scheduled_id, when.isoformat()
        )
    except ScheduleError as exc:
        return await _page(request, viewer, 422, refusal_of(exc) or TOO_MANY)
    if moved is None:
        raise HTTPException(404, "no such scheduled post")
    return back({}, f"{PATH}?done=moved")


async def cancel_form(request: Request) -> Response:
    posted = await member_form(request)
    if isinstance(posted, Response):
        return posted
    viewer, _form = posted
    if not await cancel(context_of(request), viewer.account.id, _scheduled_id(request)):
        raise HTTPException(404, "no such scheduled post")
    return back({}, f"{PATH}?done=cancelled")


routes = [
    Route(PATH, scheduled_page, methods=["GET"]),
    Route(PATH + "/{scheduled_id}/time", move, methods=["POST"]),
    Route(PATH + "/{scheduled_id}/cancel", cancel_form, methods=["POST"]),
]
