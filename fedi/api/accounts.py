"""Accounts: the caller's own (verify_credentials), lookup by handle, an account by id and its
posts."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from fedi.api.base import APIError, Caller, Params, authorized, public, routes
from fedi.api.entities import account_json, credential_account_json, status_json
from fedi.api.statuses import link_header, page_of
from fedi.db import accounts, statuses
from fedi.ids import parse_id
from fedi.models import Account
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of


@authorized("read:accounts")
async def verify_credentials(request: Request, caller: Caller) -> Response:
    return JSONResponse(await credential_account_json(context_of(request), caller.user))


async def _account(request: Request) -> Account:
    account_id = parse_id(request.path_params["account_id"])
    async with context_of(request).db.read() as conn:
        account = await accounts.get_by_id(conn, account_id) if account_id is not None else None
    if account is None or account.actor_type == "Application":
        raise APIError(404, "Record not found")
    return account


@public
async def show(request: Request, params: Params) -> Response:
    return JSONResponse(await account_json(context_of(request), await _account(request)))


@public
async def lookup(request: Request, params: Params) -> Response:
    context = context_of(request)
    acct = (params.get("acct") or "").lstrip("@")
    username, _, domain = acct.partition("@")
    async with context.db.read() as conn:
        if not domain or domain.lower() == context.settings.domain:
            account = await accounts.get_local_actor(conn, username)
        else:
            account = await accounts.get_remote_by_acct(conn, username, domain)
    if account is None or account.actor_type == "Application":
        raise APIError(404, "Record not found")
    return JSONResponse(await account_json(context, account))


@public
async def account_statuses(request: Request, params: Params) -> Response:
    """An account's public and unlisted posts, newest first (what anyone may see)."""
    context = context_of(request)
    account = await _account(request)
    page = page_of(params)
    async with context.db.read() as conn:
        items = await statuses.public_page(conn, account.id, page.max_id, page.limit)
    body = [await status_json(context, s, None) for s in items]
    return JSONResponse(body, headers=link_header(request, items))


account_routes = [
    *routes("/api/v1/accounts/verify_credentials", verify_credentials, ["GET"]),
    *routes("/api/v1/accounts/lookup", lookup, ["GET"]),
    *routes("/api/v1/accounts/{account_id}", show, ["GET"]),
    *routes("/api/v1/accounts/{account_id}/statuses", account_statuses, ["GET"]),
]
