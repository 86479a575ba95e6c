"""The admin API for accounts, as Mastodon's: the v1 and v2 lists with their filters, one
account, the moderation action (none, silence, suspend; with report_id and text), unsilence,
unsuspend, enable, approve, reject, and deleting a suspended account's data."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from fedi.accounts import members
from fedi.api.admin.base import staff_only
from fedi.api.admin.entities import admin_account_json
from fedi.api.base import APIError, Caller, Endpoint, Params, ValidationFailed, routes
from fedi.api.paging import id_param, limit_of, link_header
from fedi.context import Context
from fedi.core.ids import parse_id
from fedi.core.models import Account
from fedi.core.timeutil import to_db, utcnow
from fedi.core.validation import BASE
from fedi.db import admin_accounts
from fedi.db.admin_accounts import STATUSES, AccountQuery, StaffView
from fedi.moderation import account_actions as moderation
from fedi.moderation.audit import record
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of


async def _view(request: Request) -> StaffView:
    account_id = parse_id(request.path_params["account_id"])
    async with context_of(request).db.read() as conn:
        view = await admin_accounts.get(conn, account_id) if account_id else None
    if view is None or (view.account.is_local and view.role is None):
        raise APIError(404, "Record not found")  # a group or the instance actor
    return view


def _paging(params: Params) -> dict[str, int | None]:
    return {
        "max_id": id_param(params, "max_id"),
        "min_id": id_param(params, "min_id"),
        "since_id": id_param(params, "since_id"),
    }


async def _listed(request: Request, query: AccountQuery) -> Response:
    context = context_of(request)
    async with context.db.read() as conn:
        found = await admin_accounts.search(conn, query)
    body = [await admin_account_json(context, v) for v in found]
    return JSONResponse(body, headers=link_header(request, [v.account.id for v in found]))


@staff_only("admin:read:accounts")
async def list_v1(request: Request, caller: Caller) -> Response:
    params = caller.params
    status = next((s for s in STATUSES if params.get_bool(s)), None)
    origin = (
        "remote" if params.get_bool("remote") else "local" if params.get_bool("local") else None
    )
    query = AccountQuery(
        origin=origin, status=status, username=params.get("username"),
        display_name=params.get("display_name"), by_domain=params.get("by_domain"),
        email=params.get("email"), staff=params.get_bool("staff"),
        limit=limit_of(params, 100, 200), **_paging(params),
    )  # fmt: skip
    return await _listed(request, query)


@staff_only("admin:read:accounts")
async def list_v2(request: Request, caller: Caller) -> Response:
    params = caller.params
    origin = params.get("origin")
    status = params.get("status")
    if origin not in (None, "", "local", "remote"):
        raise APIError(422, "origin must be local or remote")
    if status not in (None, "", *STATUSES):
        raise APIError(422, f"status must be one of {', '.join(STATUSES)}")
    query = AccountQuery(
        origin=origin or None, status=status or None, username=params.get("username"),
        display_name=params.get("display_name"), by_domain=params.get("by_domain"),
        email=params.get("email"), staff=params.get("permissions") == "staff",
        limit=limit_of(params, 100, 200), **_paging(params),
    )  # fmt: skip
    return await _listed(request, query)


@staff_only("admin:read:accounts")
async def one(request: Request, caller: Caller) -> Response:
    view = await _view(request)
    return JSONResponse(await admin_account_json(context_of(request), view))


async def _fresh(request: Request, account_id: int) -> Response:
    context = context_of(request)
    async with context.db.read() as conn:
        view = await admin_accounts.get(conn, account_id)
    assert view is not None
    return JSONResponse(await admin_account_json(context, view))


@staff_only("admin:write:accounts")
async def take_action(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    view = await _view(request)
    params = caller.params
    kind = params.get("type") or "none"
    if kind not in moderation.ACTIONS:
        raise ValidationFailed.of("type", "ERR_INCLUSION", "is not included in the list")
    decision = moderation.Decision(
        actor=caller.user.account,
        text=params.get("text") or "",
        report_id=id_param(params, "report_id"),
        notify=True,
    )
    take = {"none": moderation.warn, "silence": moderation.silence,
            "suspend": moderation.suspend}[kind]  # fmt: skip
    try:
        await take(context, decision, view.account)
    except moderation.ModerationError as exc:
        raise ValidationFailed.of(BASE, "ERR_INVALID", str(exc)) from None
    return JSONResponse({})


Lift = Callable[[Context, moderation.Decision, Account], Awaitable[None]]


def _lift(name: str, lift: Lift) -> Endpoint:
    @staff_only("admin:write:accounts")
    async def lifted(request: Request, caller: Caller) -> Response:
        view = await _view(request)
        await lift(context_of(request), moderation.Decision(caller.user.account), view.account)
        return await _fresh(request, view.account.id)

    lifted.__name__ = name
    return lifted


@staff_only("admin:write:accounts")
async def enable(request: Request, caller: Caller) -> Response:
    view = await _view(request)  # sign-in is never disabled here (no `disable` action)
    return await _fresh(request, view.account.id)


@staff_only("admin:write:accounts")
async def approve(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    view = await _view(request)
    if not view.account.is_local or view.is_approved:
        raise APIError(403, "This action is not allowed")
    await members.approve_member(context, view.account.username)
    await _audit_user(request, caller, view, "approve_user")
    return await _fresh(request, view.account.id)


@staff_only("admin:write:accounts")
async def reject(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    view = await _view(request)
    if not view.account.is_local or view.is_approved:
        raise APIError(403, "This action is not allowed")
    body = await admin_account_json(context, view)
    await members.reject_member(context, view.account.username)
    await _audit_user(request, caller, view, "reject_user")
    return JSONResponse(body)


async def _audit_user(request: Request, caller: Caller, view: StaffView, action: str) -> None:
    now = to_db(utcnow())
    await context_of(request).db.write(
        lambda conn: record(
            conn,
            caller.user.account,
            action,
            target_type="account",
            target_id=view.account.id,
            target_label=f"@{view.account.username}",
            now=now,
        )
    )


@staff_only("admin:write:accounts")
async def delete_data(request: Request, caller: Caller) -> Response:
    view = await _view(request)
    if not view.account.is_suspended:
        raise APIError(403, "This action is not allowed")
    # Erasing a suspended account's data is not done yet: Mastodon's answer for a refusal.
    raise APIError(422, "Deleting a suspended account's data is not supported on this server")


admin_account_routes = [
    *routes("/api/v1/admin/accounts", list_v1, ["GET"]),
    *routes("/api/v2/admin/accounts", list_v2, ["GET"]),
    *routes("/api/v1/admin/accounts/{account_id}", one, ["GET"]),
    *routes("/api/v1/admin/accounts/{account_id}", delete_data, ["DELETE"]),
    *routes("/api/v1/admin/accounts/{account_id}/action", take_action, ["POST"]),
    *routes(
        "/api/v1/admin/accounts/{account_id}/unsilence",
        _lift("unsilence", moderation.unsilence),
        ["POST"],
    ),
    *routes(
        "/api/v1/admin/accounts/{account_id}/unsuspend",
        _lift("unsuspend", moderation.unsuspend),
        ["POST"],
    ),
    *routes("/api/v1/admin/accounts/{account_id}/enable", enable, ["POST"]),
    *routes("/api/v1/admin/accounts/{account_id}/approve", approve, ["POST"]),
    *routes("/api/v1/admin/accounts/{account_id}/reject", reject, ["POST"]),
]
