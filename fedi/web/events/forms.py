"""The events forms, each with its CSRF token checked: creating an event (alone or in one of the
member's spaces), registering and cancelling, an organiser cancelling the event, and the time
zone the member reads times in. Mistakes come back on the form, never as a server error."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from fedi.core.ids import parse_id
from fedi.core.models import Account, User
from fedi.db import events as event_rows
from fedi.db import group_directory
from fedi.db import groups as group_rows
from fedi.events.events import EventError, NotFound, cancel_event, create_event, visible_event
from fedi.events.registrations import cancel_registration, register
from fedi.events.validation import EventInvalid, draft_from, valid_zone
from fedi.web.events.display import viewer_zone
from fedi.web.forms import safe_next
from fedi.web.member.gate import member_form, member_or_sign_in
from fedi.web.responses import private_no_store
from fedi.web.state import context_of, pages_of

FIELDS = ("title", "description", "start_at", "end_at", "timezone", "online_url", "capacity",
          "registration", "language", "group")  # fmt: skip


async def _spaces(request: Request, viewer: User) -> list[tuple[str, str]]:
    """(name, shown name) of the local spaces the member may create events in."""
    async with context_of(request).db.read_now() as conn:
        listed = await group_directory.local_groups(conn, viewer.account.id, with_local_only=True)
    return [
        (g.group.account.username, g.group.account.display_name or g.group.account.username)
        for g in listed
        if g.membership == "accepted" or g.moderator_role is not None
    ]


async def _form_page(
    request: Request, viewer: User, values: dict[str, str], errors: dict[str, str], status: int
) -> Response:
    pages = pages_of(request)
    locale = pages.locale_for(request, viewer)
    return pages.render(
        request, "events/new.html", status, viewer=viewer, title=locale.gettext("New event"),
        values=values, errors=errors, spaces=await _spaces(request, viewer),
    )  # fmt: skip


async def new_event(request: Request) -> Response:
    viewer = await member_or_sign_in(request)
    if isinstance(viewer, Response):
        return viewer
    values = {name: "" for name in FIELDS}
    values["timezone"] = await viewer_zone(request, viewer) or "UTC"
    values["registration"] = "open"
    values["group"] = request.query_params.get("group", "")[:64]
    return await _form_page(request, viewer, values, {}, 200)


async def _group_named(request: Request, name: str) -> Account | None:
    async with context_of(request).db.read() as conn:
        group = await group_rows.get_group_by_name(conn, name)
    return group.account if group else None


async def create(request: Request) -> Response:
    posted = await member_form(request)
    if isinstance(posted, Response):
        return posted
    viewer, form = posted
    values = {name: form.get(name, "")[:20_000] for name in FIELDS}
    try:
        draft = draft_from(lambda name: values.get(name))
    except EventInvalid as exc:
        return await _form_page(request, viewer, values, exc.details, 422)
    group = None
    if values["group"]:
        group = await _group_named(request, values["group"])
        if group is None:
            return await _form_page(request, viewer, values, {"group": "unknown"}, 422)
    try:
        event = await create_event(context_of(request), viewer.account, draft, group)
    except EventError:
        return await _form_page(request, viewer, values, {"group": "unknown"}, 422)
    return private_no_store(RedirectResponse(f"/events/{event.id}", 303))


async def _event_form(request: Request) -> tuple[User, dict[str, str], int] | Response:
    posted = await member_form(request)
    if isinstance(posted, Response):
        return posted
    viewer, form = posted
    event_id = parse_id(request.path_params["event_id"])
    if event_id is None:
        raise HTTPException(404, "no such event")
    return viewer, form, event_id


def _back(event_id: int, done: str) -> Response:
    return private_no_store(
        RedirectResponse(f"/events/{event_id}?{urlencode({'done': done})}", 303)
    )


async def register_form(request: Request) -> Response:
    posted = await _event_form(request)
    if isinstance(posted, Response):
        return posted
    viewer, form, event_id = posted
    context = context_of(request)
    try:
        event = await visible_event(context, event_id, viewer.account)
        await register(context, event, viewer.account, form.get("message", ""))
    except NotFound:
        raise HTTPException(404, "no such event") from None
    except EventError:
        return _back(event_id, "closed")
    return _back(event_id, "registered")


async def cancel_form(request: Request) -> Response:
    posted = await _event_form(request)
    if isinstance(posted, Response):
        return posted
    viewer, _, event_id = posted
    context = context_of(request)
    try:
        event = await visible_event(context, event_id, viewer.account)
    except NotFound:
        raise HTTPException(404, "no such event") from None
    await cancel_registration(context, event, viewer.account)
    return _back(event_id, "cancelled")


async def cancel_event_form(request: Request) -> Response:
    posted = await _event_form(request)
    if isinstance(posted, Response):
        return posted
    viewer, _, event_id = posted
    context = context_of(request)
    try:
        event = await visible_event(context, event_id, viewer.account)
        await cancel_event(context, event, viewer.account)
    except NotFound:
        raise HTTPException(404, "no such event") from None
    return _back(event_id, "event_cancelled")


async def time_zone_form(request: Request) -> Response:
    """The member's time zone for event times (empty: each event's own)."""
    posted = await member_form(request)
    if isinstance(posted, Response):
        return posted
    viewer, form = posted
    chosen = form.get("time_zone", "").strip()
    zone = valid_zone(chosen) if chosen else None
    if chosen and zone is None:
        raise HTTPException(422, "not a known time zone")
    await context_of(request).db.write(
        lambda conn: event_rows.set_time_zone(conn, viewer.account.id, zone)
    )
    target = form.get("next", "/events")
    return private_no_store(RedirectResponse(safe_next(target), 303))


routes = [
    Route("/events/new", new_event, methods=["GET"]),
    Route("/events/new", create, methods=["POST"]),
    Route("/events/time_zone", time_zone_form, methods=["POST"]),
    Route("/events/{event_id}/register", register_form, methods=["POST"]),
    Route("/events/{event_id}/cancel", cancel_form, methods=["POST"]),
    Route("/events/{event_id}/cancel_event", cancel_event_form, methods=["POST"]),
]
