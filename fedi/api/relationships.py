"""Follows and blocks from the API: follow, unfollow, block, unblock, relationships, the followers
and following lists, and follow requests. Each action federates through fedi.relationships."""

from __future__ import annotations

from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import Response

from fedi.api.base import APIError, Caller, Params, authorized, public, routes
from fedi.api.entities import account_json
from fedi.context import Context
from fedi.db import accounts, follows, interactions, mutes
from fedi.ids import parse_id
from fedi.members import MemberError
from fedi.models import Account, User
from fedi.relationships import authorize_follow, block, follow, reject_follow, unblock, unfollow
from fedi.timeutil import to_db, utcnow
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of

LIST_LIMIT = 80


async def target_account(request: Request) -> Account:
    account_id = parse_id(request.path_params["account_id"])
    async with context_of(request).db.read() as conn:
        account = await accounts.get_by_id(conn, account_id) if account_id is not None else None
    if account is None or account.actor_type == "Application":
        raise APIError(404, "Record not found")
    return account


async def relationship_json(context: Context, user: User, other: Account) -> dict[str, Any]:
    me = user.account.id
    async with context.db.read() as conn:
        out = await follows.get_follow(conn, me, other.id)
        back = await follows.get_follow(conn, other.id, me)
        blocking = await interactions.is_blocked(conn, me, other.id)
        blocked_by = await interactions.is_blocked(conn, other.id, me)
        muted = await mutes.active_mute(conn, me, other.id, to_db(utcnow()))
        domain_blocking = other.domain is not None and await mutes.is_domain_blocked(
            conn, me, other.domain
        )
    return {
        "id": str(other.id),
        "following": out is not None and out[2] == "accepted",
        "showing_reblogs": out is not None,
        "notifying": False,
        "languages": None,
        "followed_by": back is not None and back[2] == "accepted",
        "blocking": blocking,
        "blocked_by": blocked_by,
        "muting": muted is not None,
        "muting_notifications": muted is not None and muted.hide_notifications,
        "requested": out is not None and out[2] == "pending",
        "requested_by": back is not None and back[2] == "pending",
        "domain_blocking": domain_blocking,
        "endorsed": False,
        "note": "",
    }


def _action(scope: str, act: Any) -> Any:
    @authorized(scope)
    async def endpoint(request: Request, caller: Caller) -> Response:
        context = context_of(request)
        other = await target_account(request)
        try:
            await act(context, caller.user.account.username, other)
        except MemberError as exc:
            raise APIError(422, str(exc)) from None
        return JSONResponse(await relationship_json(context, caller.user, other))

    return endpoint


@authorized("read:follows")
async def relationships(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    found = []
    for raw in caller.params.get_list("id")[:LIST_LIMIT]:
        account_id = parse_id(str(raw))
        async with context.db.read() as conn:
            other = await accounts.get_by_id(conn, account_id) if account_id is not None else None
        if other is not None:
            found.append(await relationship_json(context, caller.user, other))
    return JSONResponse(found)


async def _people(request: Request, side: Literal["followers", "following"]) -> Response:
    context = context_of(request)
    account = await target_account(request)
    async with context.db.read() as conn:
        rows = await follows.actor_uris_page(conn, account.id, side, None, LIST_LIMIT)
        people = [await accounts.get_by_uri(conn, uri) for _, uri in rows]
    return JSONResponse([await account_json(context, p) for p in people if p is not None])


@public
async def followers(request: Request, params: Params) -> Response:
    return await _people(request, "followers")


@public
async def following(request: Request, params: Params) -> Response:
    return await _people(request, "following")


@authorized("read:follows")
async def follow_requests(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    async with context.db.read() as conn:
        ids = await follows.pending_requests(conn, caller.user.account.id)
        people = [await accounts.get_by_id(conn, i) for i in ids]
    return JSONResponse([await account_json(context, p) for p in people if p is not None])


def _answer(accept: bool) -> Any:
    @authorized("write:follows")
    async def endpoint(request: Request, caller: Caller) -> Response:
        context = context_of(request)
        other = await target_account(request)
        try:
            if accept:
                await authorize_follow(context, caller.user.account.username, other.id)
            else:
                await reject_follow(context, caller.user.account.username, other.id)
        except MemberError as exc:
            raise APIError(404, str(exc)) from None
        return JSONResponse(await relationship_json(context, caller.user, other))

    return endpoint


relationship_routes = [
    *routes("/api/v1/accounts/relationships", relationships, ["GET"]),
    *routes("/api/v1/accounts/{account_id}/follow", _action("write:follows", follow), ["POST"]),
    *routes("/api/v1/accounts/{account_id}/unfollow", _action("write:follows", unfollow), ["POST"]),
    *routes("/api/v1/accounts/{account_id}/block", _action("write:blocks", block), ["POST"]),
    *routes("/api/v1/accounts/{account_id}/unblock", _action("write:blocks", unblock), ["POST"]),
    *routes("/api/v1/accounts/{account_id}/followers", followers, ["GET"]),
    *routes("/api/v1/accounts/{account_id}/following", following, ["GET"]),
    *routes("/api/v1/follow_requests", follow_requests, ["GET"]),
    *routes("/api/v1/follow_requests/{account_id}/authorize", _answer(True), ["POST"]),
    *routes("/api/v1/follow_requests/{account_id}/reject", _answer(False), ["POST"]),
]
