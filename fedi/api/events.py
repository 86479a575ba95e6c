"""Events from the API (for apps and the web app): create, list the upcoming ones the member may
see, read one, cancel one; register and cancel; the organisers' list of registrations, and their
approval or refusal. An event the member may not see is the same 404 as no event; the meeting
link is in the entity only for organisers and accepted registrants."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fedi.api.base import APIError, Caller, ValidationFailed, authorized, routes
from fedi.api.entities import accounts_json
from fedi.api.paging import limit_of
from fedi.core.ids import parse_id
from fedi.core.models import Account
from fedi.core.timeutil import to_api
from fedi.core.validation import BASE, Problem
from fedi.db import accounts, event_registrations
from fedi.db.event_registrations import Registration
from fedi.events.events import (
    EventError,
    NotFound,
    cancel_event,
    create_event,
    may_manage,
    upcoming,
    visible_event,
)
from fedi.events.registrations import cancel_registration, decide, register
from fedi.events.validation import EventInvalid, draft_from
from fedi.events.views import EventView, view_of, views_of
from fedi.web.responses import JSONResponse, private_no_store
from fedi.web.state import context_of

READ, WRITE = "read:statuses", "write:statuses"


def _json(content: Any) -> Response:
    """Every answer here depends on who asks (the link, the registration): never cached."""
    return private_no_store(JSONResponse(content))


def _invalid(exc: EventInvalid) -> APIError:
    return ValidationFailed(*(Problem(k, "ERR_INVALID", v) for k, v in exc.details.items()))


async def events_json(request: Request, views: list[EventView]) -> list[dict[str, Any]]:
    context = context_of(request)
    people: dict[int, Account] = {}
    for view in views:
        people[view.organiser.id] = view.organiser
        if view.group is not None:
            people[view.group.id] = view.group
    rendered = dict(zip(people, await accounts_json(context, list(people.values())), strict=True))
    return [_entity(v, rendered) for v in views]


def _entity(view: EventView, rendered: dict[int, dict[str, Any]]) -> dict[str, Any]:
    event = view.event
    entity: dict[str, Any] = {
        "id": str(event.id),
        "uri": event.uri,
        "url": event.url or event.uri,
        "title": event.title,
        "description": event.description,
        "start_at": to_api(event.starts_at),
        "end_at": to_api(event.ends_at),
        "timezone": event.time_zone,
        "language": event.language,
        "capacity": event.capacity,
        "registration": event.join_mode,
        "participant_count": view.participant_count,
        "remaining_capacity": view.remaining,
        "organiser": rendered[view.organiser.id],
        "group": rendered[view.group.id] if view.group else None,
        "registration_state": view.state,
        "cancelled": event.is_cancelled,
        "local": event.is_local,
        "created_at": to_api(event.created_at),
    }
    link = view.online_url
    if link is not None:  # organisers and accepted registrants only
        entity["online_url"] = link
    return entity


async def _event_of(request: Request, caller: Caller) -> EventView:
    context = context_of(request)
    viewer = caller.user.account
    try:
        event = await visible_event(context, parse_id(request.path_params["event_id"]), viewer)
        return await view_of(context, event, viewer)
    except (NotFound, LookupError):
        raise APIError(404, "Record not found") from None


async def _one(request: Request, view: EventView) -> dict[str, Any]:
    return (await events_json(request, [view]))[0]


@authorized(READ)
async def index(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    group_id = caller.params.get("group_id")
    space = parse_id(group_id) if group_id else None
    if group_id and space is None:
        return _json([])  # no such space
    events = await upcoming(
        context, caller.user.account, group_id=space, limit=limit_of(caller.params, 20, 40)
    )
    views = await views_of(context, events, caller.user.account)
    return _json(await events_json(request, views))


@authorized(WRITE)
async def create(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    try:
        draft = draft_from(caller.params.get)
    except EventInvalid as exc:
        raise _invalid(exc) from None
    group = None
    group_id = caller.params.get("group_id")
    if group_id:
        async with context.db.read() as conn:
            group = await accounts.get_by_id(conn, parse_id(group_id) or 0)
        if group is None:
            raise APIError(404, "Record not found")
    try:
        event = await create_event(context, caller.user.account, draft, group)
    except NotFound:
        raise APIError(404, "Record not found") from None
    except EventError as exc:
        raise ValidationFailed.of(BASE, "ERR_INVALID", str(exc)) from None
    return _json(await _one(request, await view_of(context, event, caller.user.account)))


@authorized(READ)
async def show(request: Request, caller: Caller) -> Response:
    return _json(await _one(request, await _event_of(request, caller)))


@authorized(WRITE)
async def cancel(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    view = await _event_of(request, caller)
    try:
        event = await cancel_event(context, view.event, caller.user.account)
    except NotFound:
        raise APIError(403, "This action is not allowed") from None
    return _json(await _one(request, await view_of(context, event, caller.user.account)))


async def _registration_answer(request: Request, caller: Caller) -> Response:
    view = await _event_of(request, caller)
    answered = await _one(request, view)
    return _json({"state": view.state or "none", "event": answered})


@authorized(WRITE)
async def registrations_create(request: Request, caller: Caller) -> Response:
    view = await _event_of(request, caller)
    try:
        await register(
            context_of(request), view.event, caller.user.account,
            caller.params.get("message") or "",
        )  # fmt: skip
    except EventError as exc:
        raise ValidationFailed.of(BASE, "ERR_INVALID", str(exc)) from None
    return await _registration_answer(request, caller)


@authorized(WRITE)
async def registrations_delete(request: Request, caller: Caller) -> Response:
    view = await _event_of(request, caller)
    await cancel_registration(context_of(request), view.event, caller.user.account)
    return await _registration_answer(request, caller)


async def _managed(request: Request, caller: Caller) -> EventView:
    view = await _event_of(request, caller)
    if not await may_manage(context_of(request), view.event, caller.user.account):
        raise APIError(403, "This action is not allowed")
    return view


def _registration_entity(reg: Registration, account: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(reg.id),
        "account": account,
        "state": reg.state,
        "message": reg.message,
        "created_at": to_api(reg.created_at),
        "updated_at": to_api(reg.updated_at),
    }


@authorized(READ)
async def registrations_index(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    view = await _managed(request, caller)
    async with context.db.read() as conn:
        regs = await event_registrations.of_event(conn, view.event.id)
        people = await accounts.get_many(conn, [r.account_id for r in regs])
    listed = [people[r.account_id] for r in regs if r.account_id in people]
    rendered = dict(zip([a.id for a in listed], await accounts_json(context, listed), strict=True))
    return _json([_registration_entity(r, rendered[r.account_id]) for r in regs
                         if r.account_id in rendered])  # fmt: skip


async def _decide(request: Request, caller: Caller, approve: bool) -> Response:
    context = context_of(request)
    view = await _managed(request, caller)
    participant = parse_id(request.path_params["account_id"])
    try:
        reg = await decide(context, view.event, caller.user.account, participant or 0, approve)
    except NotFound:
        raise APIError(404, "Record not found") from None
    async with context.db.read() as conn:
        account = await accounts.get_by_id(conn, reg.account_id)
    assert account is not None
    return _json(_registration_entity(reg, (await accounts_json(context, [account]))[0]))


@authorized(WRITE)
async def authorize(request: Request, caller: Caller) -> Response:
    return await _decide(request, caller, True)


@authorized(WRITE)
async def reject(request: Request, caller: Caller) -> Response:
    return await _decide(request, caller, False)


ONE = "/api/v1/events/{event_id}"
event_routes = [
    *routes("/api/v1/events", index, ["GET"]),
    *routes("/api/v1/events", create, ["POST"]),
    *routes(ONE, show, ["GET"]),
    *routes(ONE, cancel, ["DELETE"]),
    *routes(f"{ONE}/registrations", registrations_index, ["GET"]),
    *routes(f"{ONE}/registrations", registrations_create, ["POST"]),
    *routes(f"{ONE}/registrations", registrations_delete, ["DELETE"]),
    *routes(f"{ONE}/registrations/{{account_id}}/authorize", authorize, ["POST"]),
    *routes(f"{ONE}/registrations/{{account_id}}/reject", reject, ["POST"]),
]
