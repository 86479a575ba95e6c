"""Favourites, boosts and threads from the API: favourite, reblog and their undo, who favourited
or boosted a post, and a post's context (ancestors and descendants)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fedi.accounts.oauth import token_for
from fedi.api.base import APIError, Caller, Params, authorized, bearer_of, public_read, routes
from fedi.api.entities import accounts_json, status_json
from fedi.api.filtering import statuses_json
from fedi.api.statuses import visible_to
from fedi.core.ids import parse_id
from fedi.core.models import Status, User
from fedi.db import accounts, interactions, statuses
from fedi.statuses.interactions import boost, favourite, unboost, unfavourite
from fedi.statuses.threads import thread_of
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of


async def visible_status(request: Request, viewer: User | None) -> Status:
    status_id = parse_id(request.path_params["status_id"])
    async with context_of(request).db.read_now() as conn:
        status = await statuses.get_by_id(conn, status_id) if status_id is not None else None
    if status is None or not await visible_to(request, status, viewer):
        raise APIError(404, "Record not found")
    return status


def _act(act: Any, scope: str, returns_new: bool = False) -> Any:
    @authorized(scope)
    async def endpoint(request: Request, caller: Caller) -> Response:
        context = context_of(request)
        status = await visible_status(request, caller.user)
        result = await act(context, caller.user.account.username, status.id)  # PostError: 422
        if returns_new and isinstance(result, Status):
            # A boost answers with the new status whose `reblog` is the original, and says on
            # both that the member boosted it (Mastodon: reblogged? asks of the proper status).
            boost = await status_json(context, result, caller.user)
            boost["reblogged"] = True
            return JSONResponse(boost)
        async with context.db.read_now() as conn:
            fresh = await statuses.get_by_id(conn, status.id)
        return JSONResponse(await status_json(context, fresh or status, caller.user))

    return endpoint


async def _viewer(request: Request) -> User | None:
    bearer = bearer_of(request)
    token = await token_for(context_of(request), bearer) if bearer else None
    return token.user if token else None


@public_read
async def context_endpoint(request: Request, params: Params) -> Response:
    context = context_of(request)
    viewer = await _viewer(request)
    status = await visible_status(request, viewer)
    # Mutes, blocks and thread-context filters apply to both sides (Mastodon StatusFilter).
    thread = await thread_of(context, status, viewer)
    above, below, batch = thread.ancestors, thread.descendants, thread.batch
    return JSONResponse(
        {
            "ancestors": await statuses_json(context, above, viewer, "thread", batch=batch),
            "descendants": await statuses_json(context, below, viewer, "thread", batch=batch),
        }
    )


async def _who(request: Request, reblogs: bool) -> Response:
    context = context_of(request)
    status = await visible_status(request, await _viewer(request))
    async with context.db.read_now() as conn:
        if reblogs:
            ids = await statuses.reblogged_by(conn, status.id, 80)
        else:
            ids = await interactions.favourited_by(conn, status.id, 80)
        found = await accounts.get_many(conn, ids)
    return JSONResponse(await accounts_json(context, [found[i] for i in ids if i in found]))


@public_read
async def favourited_by(request: Request, params: Params) -> Response:
    return await _who(request, reblogs=False)


@public_read
async def reblogged_by(request: Request, params: Params) -> Response:
    return await _who(request, reblogs=True)


interaction_routes = [
    *routes("/api/v1/statuses/{status_id}/context", context_endpoint, ["GET"]),
    *routes(
        "/api/v1/statuses/{status_id}/favourite", _act(favourite, "write:favourites"), ["POST"]
    ),
    *routes(
        "/api/v1/statuses/{status_id}/unfavourite", _act(unfavourite, "write:favourites"), ["POST"]
    ),
    *routes("/api/v1/statuses/{status_id}/reblog", _act(boost, "write:statuses", True), ["POST"]),
    *routes("/api/v1/statuses/{status_id}/unreblog", _act(unboost, "write:statuses"), ["POST"]),
    *routes("/api/v1/statuses/{status_id}/favourited_by", favourited_by, ["GET"]),
    *routes("/api/v1/statuses/{status_id}/reblogged_by", reblogged_by, ["GET"]),
]
