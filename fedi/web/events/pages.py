"""The events a viewer may see (/events), each event's page at its id (an ActivityStreams Accept
gets the Event itself), its `.ics`, and a space's `.ics` of its upcoming events. An event the
viewer may not see is the same 404 as no event; a members-only space's calendar is for its
members; what depends on who asks is never cached."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.core.ids import parse_id
from fedi.core.models import Account, User
from fedi.core.timeutil import utcnow
from fedi.db import events as event_rows
from fedi.db import groups as group_rows
from fedi.events.calendar import MEDIA_TYPE, calendar_of, event_calendar
from fedi.events.events import NotFound, document_of, upcoming, visible_event
from fedi.events.views import EventView, view_of, views_of
from fedi.groups.groups import may_read
from fedi.web.actors import remote_signer
from fedi.web.events.display import shown, viewer_zone
from fedi.web.member.gate import member_or_sign_in
from fedi.web.negotiation import wants_activity_json
from fedi.web.responses import ActivityResponse, private_no_store
from fedi.web.signin import viewer_of
from fedi.web.state import context_of, pages_of


async def events_page(request: Request) -> Response:
    viewer = await member_or_sign_in(request)
    if isinstance(viewer, Response):
        return viewer
    context = context_of(request)
    events = await upcoming(context, viewer.account, limit=100)
    views = await views_of(context, events, viewer.account)
    pages = pages_of(request)
    locale = pages.locale_for(request, viewer)
    zone = await viewer_zone(request, viewer)
    return pages.render(
        request, "events/index.html", viewer=viewer, title=locale.gettext("Events"),
        events=[shown(v, locale, zone) for v in views],
    )  # fmt: skip


async def _view(request: Request, viewer: User | None) -> EventView:
    context = context_of(request)
    try:
        event = await visible_event(
            context, parse_id(request.path_params["event_id"]),
            viewer.account if viewer else None,
        )  # fmt: skip
        return await view_of(context, event, viewer.account if viewer else None)
    except (NotFound, LookupError):
        raise HTTPException(404, "no such event") from None


async def _fetched_by(request: Request, event_id: int | None) -> Response:
    """The Event for another server: a public one for anyone; one of a members-only space for
    a signed fetch by a member (fedi.groups.groups.may_read); else the 404 of no event."""
    context = context_of(request)
    async with context.db.read() as conn:
        event = await event_rows.get_event(conn, event_id) if event_id is not None else None
        group = await group_rows.get_group(conn, event.group_id or 0) if event else None
    if event is None or not event.is_local:
        raise HTTPException(404, "no such event")
    if not event.is_public:
        signer = await remote_signer(request)
        if group is None or signer is None or not await may_read(context, group, signer):
            raise HTTPException(404, "no such event")
    return ActivityResponse(await document_of(context, event))


async def event_page(request: Request) -> Response:
    if wants_activity_json(request):
        return await _fetched_by(request, parse_id(request.path_params["event_id"]))
    viewer = await viewer_of(request)
    view = await _view(request, viewer)
    pages = pages_of(request)
    locale = pages.locale_for(request, viewer)
    zone = await viewer_zone(request, viewer)
    response = pages.render(
        request, "events/event.html", viewer=viewer, title=view.event.title,
        shown=shown(view, locale, zone), zone=zone or "",
        state=request.query_params.get("done", ""), is_over=view.event.ends_at < utcnow(),
    )  # fmt: skip
    response.headers["Vary"] = "Accept, Accept-Language, Cookie"
    return private_no_store(response)


def _calendar(body: bytes, filename: str) -> Response:
    response = Response(body, media_type=MEDIA_TYPE)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}.ics"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return private_no_store(response)


async def event_ics(request: Request) -> Response:
    viewer = await viewer_of(request)
    view = await _view(request, viewer)
    return _calendar(event_calendar(view), f"event-{view.event.id}")


async def space_ics(request: Request) -> Response:
    """A space's upcoming events; a members-only space's only for its members."""
    context = context_of(request)
    viewer = await viewer_of(request)
    async with context.db.read() as conn:
        group = await group_rows.get_group_by_name(conn, request.path_params["username"])
    reader: Account | None = viewer.account if viewer else None
    if group is None or not await may_read(context, group, reader):
        raise HTTPException(404, "no such space")
    events = await upcoming(context, reader, group_id=group.id, limit=200)
    views = await views_of(context, events, reader)
    name = group.account.display_name or group.account.username
    return _calendar(calendar_of(views, name), group.account.username)


routes = [
    Route("/events", events_page, methods=["GET"]),
    Route("/events/{event_id}.ics", event_ics, methods=["GET"]),
    Route("/@{username}/events.ics", space_ics, methods=["GET"]),
]
event_route = Route("/events/{event_id}", event_page, methods=["GET"])
