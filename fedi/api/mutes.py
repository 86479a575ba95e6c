"""Mutes and user domain blocks from the API: mute and unmute (with `notifications` and
`duration`), the list of muted accounts, and the member's blocked domains. Never federated."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from fedi.accounts.members import MemberError
from fedi.api.base import Caller, ValidationFailed, authorized, routes
from fedi.api.entities import accounts_json
from fedi.api.paging import id_param, limit_of, link_header
from fedi.api.relationships import relationship_json, target_account
from fedi.core.timeutil import from_db, to_api, to_db, utcnow
from fedi.core.validation import BASE
from fedi.db import accounts, mutes
from fedi.relationships.muting import MAX_MUTE_SECONDS, block_domain, mute, unblock_domain, unmute
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of


@authorized("write:mutes")
async def mute_account(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    other = await target_account(request)
    raw = (caller.params.get("duration", "0") or "0").strip()
    if not raw.isdigit() or len(raw) > 12:
        raise ValidationFailed.of("duration", "ERR_INVALID", "must be a number of seconds")
    duration = min(int(raw), MAX_MUTE_SECONDS)
    notifications = caller.params.get_bool("notifications", default=True)
    try:
        await mute(context, caller.user, other, notifications, duration)
    except MemberError as exc:
        raise ValidationFailed.of(BASE, "ERR_INVALID", str(exc)) from None
    return JSONResponse(await relationship_json(context, caller.user, other))


@authorized("write:mutes")
async def unmute_account(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    other = await target_account(request)
    await unmute(context, caller.user, other)
    return JSONResponse(await relationship_json(context, caller.user, other))


@authorized("read:mutes")
async def list_mutes(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    params = caller.params
    async with context.db.read() as conn:
        page = await mutes.mutes_page(
            conn, caller.user.account.id, to_db(utcnow()), id_param(params, "max_id"),
            id_param(params, "min_id") or id_param(params, "since_id"), limit_of(params, 40, 80),
        )  # fmt: skip
        known = await accounts.get_many(conn, [m.target_account_id for m in page])
    people = [(m, known[m.target_account_id]) for m in page if m.target_account_id in known]
    body = []
    for (found, _), entry in zip(people, await accounts_json(context, [p for _, p in people]),
                                 strict=True):  # fmt: skip
        entry["mute_expires_at"] = to_api(from_db(found.expires_at)) if found.expires_at else None
        body.append(entry)
    return JSONResponse(body, headers=link_header(request, [m.id for m in page]))


@authorized("read:blocks")
async def list_domain_blocks(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    params = caller.params
    async with context.db.read() as conn:
        page = await mutes.domain_blocks_page(
            conn, caller.user.account.id, id_param(params, "max_id"),
            id_param(params, "min_id") or id_param(params, "since_id"),
            limit_of(params, 100, 200),
        )  # fmt: skip
    return JSONResponse([d for _, d in page], headers=link_header(request, [i for i, _ in page]))


def _domain_of(caller: Caller) -> str:
    raw = caller.params.get("domain")
    if raw is None or not raw.strip() or len(raw) > 300:
        raise ValidationFailed.of("domain", "ERR_BLANK", "can't be blank")
    return raw


@authorized("write:blocks")
async def add_domain_block(request: Request, caller: Caller) -> Response:
    try:
        await block_domain(context_of(request), caller.user, _domain_of(caller))
    except MemberError as exc:
        raise ValidationFailed.of(BASE, "ERR_INVALID", str(exc)) from None
    return JSONResponse({})


@authorized("write:blocks")
async def remove_domain_block(request: Request, caller: Caller) -> Response:
    try:
        await unblock_domain(context_of(request), caller.user, _domain_of(caller))
    except MemberError as exc:
        raise ValidationFailed.of(BASE, "ERR_INVALID", str(exc)) from None
    return JSONResponse({})


mute_routes = [
    *routes("/api/v1/accounts/{account_id}/mute", mute_account, ["POST"]),
    *routes("/api/v1/accounts/{account_id}/unmute", unmute_account, ["POST"]),
    *routes("/api/v1/mutes", list_mutes, ["GET"]),
    *routes("/api/v1/domain_blocks", list_domain_blocks, ["GET"]),
    *routes("/api/v1/domain_blocks", add_domain_block, ["POST"]),
    *routes("/api/v1/domain_blocks", remove_domain_block, ["DELETE"]),
]
