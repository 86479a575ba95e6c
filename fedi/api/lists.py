"""Lists from the API: create, read, update and delete a member's lists (title, replies_policy,
exclusive), their members (only accounts the member follows or asked to follow), the lists
holding an account, and the list timeline. Another member's list is not found (404)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fedi.api import paging
from fedi.api.base import (
    APIError,
    Caller,
    Params,
    ValidationFailed,
    authorized,
    owned_by_caller,
    routes,
)  # fmt: skip
from fedi.api.entities import accounts_json
from fedi.api.filtering import statuses_json
from fedi.api.paging import id_param, limit_of, page_of
from fedi.api.relationships import target_account
from fedi.api.statuses import link_header
from fedi.core.ids import parse_id
from fedi.core.timeutil import to_db, utcnow
from fedi.core.validation import BASE, too_long
from fedi.db import accounts, timelines
from fedi.db import lists as lists_db
from fedi.db.connection import Connection
from fedi.db.lists import MAX_LISTS, UserList
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of

MAX_TITLE = 256
POLICIES = ("followed", "list", "none")
MAX_ACCOUNT_IDS = 250


def list_json(found: UserList) -> dict[str, Any]:
    return {
        "id": str(found.id),
        "title": found.title,
        "replies_policy": found.replies_policy,
        "exclusive": found.is_exclusive,
    }


async def owned_list(request: Request, caller: Caller) -> UserList:
    return await owned_by_caller(request, caller, "list_id", lists_db.get_list)


def _settings(params: Params, current: UserList | None) -> tuple[str, str, bool]:
    title = params.get("title")
    if title is None:
        title = current.title if current else ""
    title = title.strip()
    if not title:
        raise ValidationFailed.of("title", "ERR_BLANK", "can't be blank")
    if len(title) > MAX_TITLE:
        raise ValidationFailed.of("title", "ERR_TOO_LONG", too_long(MAX_TITLE))
    policy = params.get("replies_policy") or (current.replies_policy if current else "list")
    if policy not in POLICIES:
        raise ValidationFailed.of("replies_policy", "ERR_INCLUSION", "is not included in the list")
    default = current.is_exclusive if current else False
    return title, policy, params.get_bool("exclusive", default=default)


@authorized("read:lists")
async def index(request: Request, caller: Caller) -> Response:
    async with context_of(request).db.read() as conn:
        found = await lists_db.lists_of(conn, caller.user.account.id)
    return JSONResponse([list_json(f) for f in found])


@authorized("write:lists")
async def create(request: Request, caller: Caller) -> Response:
    title, policy, exclusive = _settings(caller.params, None)
    owner, now = caller.user.account.id, to_db(utcnow())

    def write(conn: Connection) -> UserList | None:
        if lists_db.count_lists(conn, owner) >= MAX_LISTS:
            return None
        return lists_db.insert_list(conn, owner, title, policy, exclusive, now)

    created = await context_of(request).db.write(write)
    if created is None:
        raise ValidationFailed.of(
            BASE, "ERR_INVALID", f"You cannot have more than {MAX_LISTS} lists"
        )
    return JSONResponse(list_json(created))


@authorized("read:lists")
async def show(request: Request, caller: Caller) -> Response:
    return JSONResponse(list_json(await owned_list(request, caller)))


@authorized("write:lists")
async def update(request: Request, caller: Caller) -> Response:
    found = await owned_list(request, caller)
    title, policy, exclusive = _settings(caller.params, found)
    await context_of(request).db.write(
        lambda conn: lists_db.update_list(conn, found.id, title, policy, exclusive)
    )
    return JSONResponse(list_json(UserList(found.id, found.account_id, title, policy, exclusive)))


@authorized("write:lists")
async def destroy(request: Request, caller: Caller) -> Response:
    found = await owned_list(request, caller)
    owner = caller.user.account.id
    await context_of(request).db.write(lambda conn: lists_db.delete_list(conn, owner, found.id))
    return JSONResponse({})


@authorized("read:lists")
async def members(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    found = await owned_list(request, caller)
    params = caller.params
    async with context.db.read_now() as conn:
        page = await lists_db.members_page(
            conn, found.id, id_param(params, "max_id"),
            id_param(params, "min_id") or id_param(params, "since_id"),
            limit_of(params, 40, 80, allow_all=True),
        )  # fmt: skip
        known = await accounts.get_many(conn, [a for _, a in page])
    body = await accounts_json(context, [known[a] for _, a in page if a in known])
    return JSONResponse(body, headers=paging.link_header(request, [i for i, _ in page]))


def _account_ids(params: Params) -> list[int]:
    raw = params.get_list("account_ids")
    if not raw:
        raise ValidationFailed.of("account_ids", "ERR_BLANK", "can't be blank")
    if len(raw) > MAX_ACCOUNT_IDS:
        limit = f"is too long (maximum is {MAX_ACCOUNT_IDS} accounts)"
        raise ValidationFailed.of("account_ids", "ERR_TOO_LONG", limit)
    ids = [parse_id(str(r)) for r in raw]
    if any(i is None for i in ids):
        raise APIError(404, "Record not found")
    return list(dict.fromkeys(i for i in ids if i is not None))


@authorized("write:lists")
async def add_members(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    found = await owned_list(request, caller)
    wanted = _account_ids(caller.params)
    async with context.db.read_now() as conn:
        for account_id in wanted:
            if await accounts.get_by_id(conn, account_id) is None:
                raise APIError(404, "Record not found")

    def write(conn: Connection) -> None:
        # All or nothing, as Mastodon adds them in one transaction: raising rolls the job back.
        for account_id in wanted:
            if not lists_db.add_member(conn, found, account_id):
                raise lists_db.NotFollowed(account_id)

    try:
        await context.db.write(write)
    except lists_db.NotFollowed:
        raise ValidationFailed.of(
            "account_id", "ERR_INVALID", "Account must be followed to be added to a list",
            is_sentence=True,
        ) from None  # fmt: skip
    return JSONResponse({})


@authorized("write:lists")
async def remove_members(request: Request, caller: Caller) -> Response:
    found = await owned_list(request, caller)
    wanted = _account_ids(caller.params)
    await context_of(request).db.write(lambda conn: lists_db.remove_members(conn, found.id, wanted))
    return JSONResponse({})


@authorized("read:lists")
async def account_lists(request: Request, caller: Caller) -> Response:
    other = await target_account(request)
    async with context_of(request).db.read_now() as conn:
        found = await lists_db.lists_containing(conn, caller.user.account.id, other.id)
    return JSONResponse([list_json(f) for f in found])


@authorized("read:lists")
async def timeline(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    found = await owned_list(request, caller)
    async with context.db.read_now() as conn:
        items = await timelines.list_timeline(conn, found, page_of(caller.params))
    body = await statuses_json(context, items, caller.user, "home", in_list=True)
    return JSONResponse(body, headers=link_header(request, items))


list_routes = [
    *routes("/api/v1/lists", index, ["GET"]),
    *routes("/api/v1/lists", create, ["POST"]),
    *routes("/api/v1/lists/{list_id}", show, ["GET"]),
    *routes("/api/v1/lists/{list_id}", update, ["PUT"]),
    *routes("/api/v1/lists/{list_id}", destroy, ["DELETE"]),
    *routes("/api/v1/lists/{list_id}/accounts", members, ["GET"]),
    *routes("/api/v1/lists/{list_id}/accounts", add_members, ["POST"]),
    *routes("/api/v1/lists/{list_id}/accounts", remove_members, ["DELETE"]),
    *routes("/api/v1/accounts/{account_id}/lists", account_lists, ["GET"]),
    *routes("/api/v1/timelines/list/{list_id}", timeline, ["GET"]),
]
