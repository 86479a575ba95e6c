"""Follows and blocks from the API: follow, unfollow, block, unblock, relationships, the followers
and following lists, and follow requests. Each action federates through
fedi.relationships.relationships."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fedi.accounts.members import MemberError
from fedi.api.base import APIError, Caller, Params, authorized, public, routes
from fedi.api.entities import accounts_json
from fedi.api.paging import link_header, page_of
from fedi.context import Context
from fedi.core.ids import parse_id
from fedi.core.models import Account, User
from fedi.db import accounts, listings
from fedi.relationships.relationship import relationship_of
from fedi.relationships.relationships import (
    authorize_follow,
    block,
    follow,
    reject_follow,
    unblock,
    unfollow,
)
from fedi.relationships.subscriptions import set_subscription
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of

LIST_LIMIT = 80


async def target_account(request: Request) -> Account:
    account_id = parse_id(request.path_params["account_id"])
    async with context_of(request).db.read_now() as conn:  # one row by its key
        account = await accounts.get_kept(conn, account_id) if account_id is not None else None
    if account is None or account.actor_type == "Application":
        raise APIError(404, "Record not found")
    return account


async def relationship_json(context: Context, user: User, other: Account) -> dict[str, Any]:
    found = await relationship_of(context, user.account.id, other)
    return {
        "id": str(other.id),
        "following": found.following,
        "showing_reblogs": found.showing_reblogs,
        "notifying": found.notifying,
        "languages": None,
        "followed_by": found.followed_by,
        "blocking": found.blocking,
        "blocked_by": found.blocked_by,
        "muting": found.muting,
        "muting_notifications": found.muting_notifications,
        "requested": found.requested,
        "requested_by": found.requested_by,
        "domain_blocking": found.domain_blocking,
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


@authorized("write:follows")
async def follow_endpoint(request: Request, caller: Caller) -> Response:
    """Follow; `notify` turns the subscription to new posts on or off (unchanged if absent)."""
    context = context_of(request)
    other = await target_account(request)
    try:
        await follow(context, caller.user.account.username, other)
    except MemberError as exc:
        raise APIError(422, str(exc)) from None
    if caller.params.get("notify") is not None:
        notify = caller.params.get_bool("notify")
        await set_subscription(context, caller.user.account.id, other.id, notify)
    return JSONResponse(await relationship_json(context, caller.user, other))


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


def _people(scope: str | None, side: listings.Side, own: bool = False) -> Any:
    """A paged list of accounts on one side of the follows: those of the account in the path,
    or (own=True) of the caller."""

    async def listing(request: Request, account_id: int, params: Params) -> Response:
        context = context_of(request)
        async with context.db.read() as conn:
            rows = await listings.follows(conn, account_id, side, page_of(params, 40, 80))
        body = await accounts_json(context, [account for _, account in rows])
        return JSONResponse(body, headers=link_header(request, [row_id for row_id, _ in rows]))

    if own:

        @authorized(scope)
        async def mine(request: Request, caller: Caller) -> Response:
            return await listing(request, caller.user.account.id, caller.params)

        return mine

    @public
    async def theirs(request: Request, params: Params) -> Response:
        return await listing(request, (await target_account(request)).id, params)

    return theirs


@authorized("read:blocks")
async def blocks(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    async with context.db.read() as conn:
        rows = await listings.blocked(conn, caller.user.account.id, page_of(caller.params, 40, 80))
    body = await accounts_json(context, [account for _, account in rows])
    return JSONResponse(body, headers=link_header(request, [row_id for row_id, _ in rows]))


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
    *routes("/api/v1/accounts/{account_id}/follow", follow_endpoint, ["POST"]),
    *routes("/api/v1/accounts/{account_id}/unfollow", _action("write:follows", unfollow), ["POST"]),
    *routes("/api/v1/accounts/{account_id}/block", _action("write:blocks", block), ["POST"]),
    *routes("/api/v1/accounts/{account_id}/unblock", _action("write:blocks", unblock), ["POST"]),
    *routes("/api/v1/accounts/{account_id}/followers", _people(None, "followers"), ["GET"]),
    *routes("/api/v1/accounts/{account_id}/following", _people(None, "following"), ["GET"]),
    *routes("/api/v1/follow_requests", _people("read:follows", "requests", own=True), ["GET"]),
    *routes("/api/v1/blocks", blocks, ["GET"]),
    *routes("/api/v1/follow_requests/{account_id}/authorize", _answer(True), ["POST"]),
    *routes("/api/v1/follow_requests/{account_id}/reject", _answer(False), ["POST"]),
]
