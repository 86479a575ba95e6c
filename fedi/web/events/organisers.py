"""The organisers' side of an event: its registrations (who, state, message), approving or
refusing each, and the list as CSV. For the organiser and the moderators of its space only;
anyone else gets the same 404 as for no event."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from fedi.core.ids import parse_id
from fedi.core.models import Account, User
from fedi.db import accounts, event_registrations
from fedi.db.event_registrations import Registration
from fedi.db.events import Event
from fedi.events.events import NotFound, may_manage, visible_event
from fedi.events.registrations import decide
from fedi.web.member.gate import member_form, member_or_sign_in
from fedi.web.responses import private_no_store
from fedi.web.state import context_of, pages_of


@dataclass(frozen=True)
class Row:
    registration: Registration
    account: Account
    handle: str


async def _managed(request: Request, viewer: User) -> Event:
    context = context_of(request)
    try:
        event = await visible_event(
            context, parse_id(request.path_params["event_id"]), viewer.account
        )
    except NotFound:
        raise HTTPException(404, "no such event") from None
    if not await may_manage(context, event, viewer.account):
        raise HTTPException(404, "no such event")
    return event


async def _rows(request: Request, event: Event) -> list[Row]:
    context = context_of(request)
    async with context.db.read() as conn:
        regs = await event_registrations.of_event(conn, event.id)
        people = await accounts.get_many(conn, [r.account_id for r in regs])
    domain = context.settings.domain
    return [
        Row(r, a, f"@{a.username}@{a.domain or domain}")
        for r in regs
        for a in [people.get(r.account_id)]
        if a is not None
    ]


async def registrations_page(request: Request) -> Response:
    viewer = await member_or_sign_in(request)
    if isinstance(viewer, Response):
        return viewer
    event = await _managed(request, viewer)
    pages = pages_of(request)
    locale = pages.locale_for(request, viewer)
    return pages.render(
        request, "events/registrations.html", viewer=viewer, event=event,
        rows=await _rows(request, event), title=locale.gettext("Registrations"),
    )  # fmt: skip


async def registrations_csv(request: Request) -> Response:
    viewer = await member_or_sign_in(request)
    if isinstance(viewer, Response):
        return viewer
    event = await _managed(request, viewer)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["handle", "name", "state", "message", "registered_at"])
    for row in await _rows(request, event):
        writer.writerow([
            _cell(row.handle), _cell(row.account.display_name), row.registration.state,
            _cell(row.registration.message), row.registration.created_at.isoformat(),
        ])  # fmt: skip
    response = Response(out.getvalue(), media_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="event-{event.id}-registrations.csv"'
    )
    return private_no_store(response)


def _cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


async def decide_form(request: Request) -> Response:
    posted = await member_form(request)
    if isinstance(posted, Response):
        return posted
    viewer, _ = posted
    event = await _managed(request, viewer)
    participant = parse_id(request.path_params["account_id"])
    decision = request.path_params["decision"]
    if decision not in ("approve", "reject"):
        raise HTTPException(404, "no such page")
    approve = decision == "approve"
    try:
        await decide(context_of(request), event, viewer.account, participant or 0, approve)
    except NotFound:
        raise HTTPException(404, "no such registration") from None
    return private_no_store(RedirectResponse(f"/events/{event.id}/registrations", 303))


routes = [
    Route("/events/{event_id}/registrations", registrations_page, methods=["GET"]),
    Route("/events/{event_id}/registrations.csv", registrations_csv, methods=["GET"]),
    Route(
        "/events/{event_id}/registrations/{account_id}/{decision:str}",
        decide_form,
        methods=["POST"],
    ),
]
