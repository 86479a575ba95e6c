"""Scheduled posts through the client API, as Mastodon's: POST /api/v1/statuses with
`scheduled_at` answers a ScheduledStatus; GET /api/v1/scheduled_statuses (paged) and
GET/PUT/DELETE /api/v1/scheduled_statuses/:id."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fedi.api import paging
from fedi.api.attachments import attachment_json
from fedi.api.base import APIError, Caller, ValidationFailed, authorized, routes
from fedi.api.paging import page_of
from fedi.context import Context
from fedi.core.ids import MAX_ID, parse_id
from fedi.core.timeutil import to_api
from fedi.db import scheduled_statuses as scheduled_rows
from fedi.db.scheduled_statuses import Scheduled
from fedi.statuses.scheduled import cancel, get_own, reschedule
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of


async def scheduled_json(context: Context, found: list[Scheduled]) -> list[dict[str, Any]]:
    """Mastodon's ScheduledStatus entities, their uploads read in one statement."""
    async with context.db.read() as conn:
        kept = await scheduled_rows.kept_media(conn, [s.id for s in found])
    return [
        {
            "id": str(s.id),
            "scheduled_at": to_api(s.scheduled_at),
            "params": s.params,
            "media_attachments": [attachment_json(context.urls, a) for a in kept.get(s.id, [])],
        }
        for s in found
    ]


@authorized("read:statuses")
async def index(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    page = page_of(caller.params)
    ascending = page.min_id is not None
    above = page.min_id if ascending else page.since_id
    async with context.db.read() as conn:
        found = await scheduled_rows.of_account(
            conn, caller.user.account.id, page.max_id or MAX_ID, above or 0, page.limit,
            ascending,
        )  # fmt: skip
    headers = paging.link_header(request, [s.id for s in found])
    return JSONResponse(await scheduled_json(context, found), headers=headers)


async def _own(request: Request, caller: Caller) -> Scheduled:
    scheduled_id = parse_id(request.path_params["scheduled_id"])
    found = (
        await get_own(context_of(request), caller.user.account.id, scheduled_id)
        if scheduled_id is not None
        else None
    )
    if found is None:
        raise APIError(404, "Record not found")
    return found


@authorized("read:statuses")
async def show(request: Request, caller: Caller) -> Response:
    found = await _own(request, caller)
    return JSONResponse((await scheduled_json(context_of(request), [found]))[0])


@authorized("write:statuses")
async def update(request: Request, caller: Caller) -> Response:
    found = await _own(request, caller)
    when = caller.params.get("scheduled_at")
    if not when:
        raise ValidationFailed.of("scheduled_at", "ERR_BLANK", "can't be blank")
    # A time refused (ScheduleError) is the route's 422 with its details.
    moved = await reschedule(context_of(request), caller.user.account.id, found.id, when)
    if moved is None:
        raise APIError(404, "Record not found")
    return JSONResponse((await scheduled_json(context_of(request), [moved]))[0])


@authorized("write:statuses")
async def destroy(request: Request, caller: Caller) -> Response:
    found = await _own(request, caller)
    if not await cancel(context_of(request), caller.user.account.id, found.id):
        raise APIError(404, "Record not found")
    return JSONResponse({})


scheduled_routes = [
    *routes("/api/v1/scheduled_statuses", index, ["GET"]),
    *routes("/api/v1/scheduled_statuses/{scheduled_id}", show, ["GET"]),
    *routes("/api/v1/scheduled_statuses/{scheduled_id}", update, ["PUT"]),
    *routes("/api/v1/scheduled_statuses/{scheduled_id}", destroy, ["DELETE"]),
]
