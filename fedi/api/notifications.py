"""Notifications: the list (with types and exclude_types filters and paging), one, dismiss and
clear."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fedi.api.base import APIError, Caller, authorized, routes
from fedi.api.entities import account_bytes, account_entity, dump_json, status_bytes, status_entity
from fedi.api.filtering import filtered_json
from fedi.api.paging import id_param
from fedi.api.warnings import account_warning_entity
from fedi.context import Context
from fedi.core.ids import parse_id
from fedi.core.models import Account, User
from fedi.core.timeutil import from_db, to_api
from fedi.db import interactions
from fedi.db.account_warnings import AccountWarning
from fedi.statuses.batch import Batch
from fedi.statuses.notifications import TYPES, Row, Shown, rows_of
from fedi.statuses.notifications import shown as shown_notifications
from fedi.statuses.timeline_rules import ViewerRules, rules_for
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of


def _head(shown: Shown) -> dict[str, Any]:
    return {
        "id": str(shown.id),
        "type": shown.kind,
        "group_key": shown.group_key,
        "created_at": to_api(from_db(shown.row[4])),
    }


async def notifications_json(
    context: Context, user: User, rows: list[Row], rules: ViewerRules | None = None
) -> list[dict[str, Any]]:
    """Notification entities for a page of rows (fedi.statuses.notifications.shown says what is
    left out)."""
    batch, kept = await shown_notifications(context, user, rows, rules)
    body = []
    for shown in kept:
        rendered = None
        if shown.status is not None:
            rendered = status_entity(context, batch, shown.status, user)
            if shown.verdict is not None:
                rendered["filtered"] = filtered_json(shown.verdict)
                if rendered.get("reblog"):
                    rendered["reblog"]["filtered"] = rendered["filtered"]
        entity = _head(shown)
        entity["account"] = _account(context, batch, shown.sender)
        entity["status"] = rendered
        if shown.row[1] == "moderation_warning":
            entity["moderation_warning"] = warning_json(context, batch, shown.warning)
        body.append(entity)
    return body


async def notifications_body(
    context: Context, user: User, rows: list[Row], rules: ViewerRules
) -> bytes:
    """notifications_json as the JSON array itself, the statuses and accounts put together
    from their kept parts (fedi.api.entities) without encoding them again."""
    batch, kept = await shown_notifications(context, user, rows, rules)
    parts = []
    for shown in kept:
        status = b"null"
        if shown.status is not None:
            verdict = shown.verdict
            filtered = dump_json(filtered_json(verdict)) if verdict and verdict.matches else b"[]"
            status = status_bytes(context, batch, shown.status, user, filtered)
        sender = shown.sender
        warning = b""
        if shown.row[1] == "moderation_warning":
            rendered_warning = warning_json(context, batch, shown.warning)
            warning = b',"moderation_warning":' + dump_json(rendered_warning)
        parts.append(b"".join((
            dump_json(_head(shown))[:-1],
            b',"account":', account_bytes(context, sender, batch.counts_of(sender)),
            b',"status":', status, warning, b"}",
        )))  # fmt: skip
    return b"[" + b",".join(parts) + b"]"


def _account(context: Context, batch: Batch, account: Account) -> dict[str, Any]:
    return account_entity(context, account, batch.counts_of(account))


def warning_json(
    context: Context, batch: Batch, warning: AccountWarning | None
) -> dict[str, Any] | None:
    if warning is None:
        return None
    target = batch.accounts.get(warning.target_account_id)
    return account_warning_entity(warning, _account(context, batch, target) if target else None)


async def notification_json(
    context: Context, user: User, row: Row, rules: ViewerRules | None = None
) -> dict[str, Any] | None:
    """One notification (a live stream's, or one asked for by id)."""
    found = await notifications_json(context, user, [row], rules)
    return found[0] if found else None


@authorized("read:notifications")
async def list_notifications(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    params = caller.params
    raw = params.get("limit", "15") or "15"
    limit = min(max(int(raw), 1), 30) if raw.isdigit() else 15
    types = [t for t in params.get_list("types") if t in TYPES]
    exclude = [t for t in params.get_list("exclude_types") if t in TYPES]
    me = caller.user.account.id
    rows = await rows_of(
        context,
        me,
        id_param(params, "max_id"),
        id_param(params, "min_id"),
        limit,
        types,
        exclude,
        id_param(params, "account_id"),
    )
    rules = await rules_for(context, me)
    body = await notifications_body(context, caller.user, rows, rules)
    return Response(body, media_type=JSONResponse.media_type)


@authorized("read:notifications")
async def one(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    wanted = parse_id(request.path_params["notification_id"])
    rows = await rows_of(context, caller.user.account.id, None, None, 1000)
    for row in rows:
        if row[0] == wanted:
            found = await notification_json(context, caller.user, row)
            if found:
                return JSONResponse(found)
    raise APIError(404, "Record not found")


@authorized("write:notifications")
async def dismiss(request: Request, caller: Caller) -> Response:
    wanted = parse_id(request.path_params["notification_id"]) or 0
    account_id = caller.user.account.id
    await context_of(request).db.write(
        lambda conn: interactions.dismiss_notification(conn, account_id, wanted)
    )
    return JSONResponse({})


@authorized("write:notifications")
async def clear(request: Request, caller: Caller) -> Response:
    account_id = caller.user.account.id
    await context_of(request).db.write(
        lambda conn: interactions.clear_notifications(conn, account_id)
    )
    return JSONResponse({})


notification_routes = [
    *routes("/api/v1/notifications", list_notifications, ["GET"]),
    *routes("/api/v1/notifications/clear", clear, ["POST"]),
    *routes("/api/v1/notifications/{notification_id}", one, ["GET"]),
    *routes("/api/v1/notifications/{notification_id}/dismiss", dismiss, ["POST"]),
]
