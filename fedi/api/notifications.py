"""Notifications: the list (with types and exclude_types filters and paging), one, dismiss and
clear."""

from __future__ import annotations

from dataclasses import dataclass
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
from fedi.core.models import Account, Status, User
from fedi.core.timeutil import from_db, to_api, to_db, utcnow
from fedi.db import account_warnings, interactions, statuses
from fedi.db.account_warnings import AccountWarning
from fedi.db.moderated import moderated_sender_clause
from fedi.db.mutes import hidden_sender_clause
from fedi.statuses.batch import Batch, load
from fedi.statuses.timeline_rules import Verdict, ViewerRules, judge, moderated_in, rules_for
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of


def _hidden(me: int) -> tuple[str, list[object]]:
    """Senders the member hides, and those moderators took out of view."""
    muted, muted_args = hidden_sender_clause(me, to_db(utcnow()))
    moderated, moderated_args = moderated_sender_clause(me)
    return muted + moderated, [*muted_args, *moderated_args]


Row = tuple[int, str, int, int | None, str]  # id, type, sender, status, created_at
TYPES = (
    "mention",
    "status",
    "reblog",
    "follow",
    "follow_request",
    "favourite",
    "poll",
    "update",
    "moderation_warning",
)


@dataclass(frozen=True)
class _Shown:
    """A notification kept on the page: its row, sender, status (with the verdict of the
    member's rules on it, when they apply) and moderation warning."""

    row: Row
    sender: Account
    status: Status | None
    verdict: Verdict | None
    warning: AccountWarning | None


async def _shown(
    context: Context, user: User, rows: list[Row], rules: ViewerRules | None
) -> tuple[Batch, list[_Shown]]:
    """The page loaded at once, and what it keeps. A row is left out when its sender is gone
    or moderated away, its status is a private group's post the member may no longer read, or
    (with the member's rules) a `hide` filter in the notifications context matches its
    status."""
    async with context.db.read_now() as conn:
        found = await statuses.get_many(conn, [r[3] for r in rows if r[3]])
        warnings = await account_warnings.of_notifications(
            conn, [r[0] for r in rows if r[1] == "moderation_warning"]
        )
    batch = await load(
        context, list(found.values()), user.account,
        with_accounts=[*(r[2] for r in rows), *(w.target_account_id for w in warnings.values())],
    )  # fmt: skip
    kept = []
    for row in rows:
        notification_id, _, from_id, status_id, _ = row
        sender = batch.accounts.get(from_id)
        if sender is None:
            continue
        if moderated_in(batch, user.account.id, [sender], "notifications"):
            continue  # suspended, or limited and not followed (live streams come here too)
        status = found.get(status_id) if status_id else None
        if status is not None and batch.may_see_group_post(status) is False:
            continue  # a private group's post, and the member has left the group
        verdict = None
        if status is not None and rules is not None:
            verdict = judge(batch, rules, status, "notifications")
            if verdict.hidden:
                continue
        kept.append(_Shown(row, sender, status, verdict, warnings.get(notification_id)))
    return batch, kept


def _head(shown: _Shown) -> dict[str, Any]:
    notification_id, kind, _, _, created_at = shown.row
    return {
        "id": str(notification_id),
        "type": kind,
        "group_key": f"ungrouped-{notification_id}",
        "created_at": to_api(from_db(created_at)),
    }


async def notifications_json(
    context: Context, user: User, rows: list[Row], rules: ViewerRules | None = None
) -> list[dict[str, Any]]:
    """Notification entities for a page of rows (see _shown for what is left out)."""
    batch, kept = await _shown(context, user, rows, rules)
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
            entity["moderation_warning"] = _warning(context, batch, shown.warning)
        body.append(entity)
    return body


async def notifications_body(
    context: Context, user: User, rows: list[Row], rules: ViewerRules
) -> bytes:
    """notifications_json as the JSON array itself, the statuses and accounts put together
    from their kept parts (fedi.api.entities) without encoding them again."""
    batch, kept = await _shown(context, user, rows, rules)
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
            warning = b',"moderation_warning":' + dump_json(_warning(context, batch, shown.warning))
        parts.append(b"".join((
            dump_json(_head(shown))[:-1],
            b',"account":', account_bytes(context, sender, batch.counts_of(sender)),
            b',"status":', status, warning, b"}",
        )))  # fmt: skip
    return b"[" + b",".join(parts) + b"]"


def _account(context: Context, batch: Batch, account: Account) -> dict[str, Any]:
    return account_entity(context, account, batch.counts_of(account))


def _warning(
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
    async with context.db.read_now() as conn:
        rows = await interactions.notifications_page(
            conn, me, id_param(params, "max_id"), id_param(params, "min_id"),
            limit, types, exclude, _hidden(me),
        )  # fmt: skip
    rules = await rules_for(context, me)
    body = await notifications_body(context, caller.user, rows, rules)
    return Response(body, media_type=JSONResponse.media_type)


@authorized("read:notifications")
async def one(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    wanted = parse_id(request.path_params["notification_id"])
    async with context.db.read_now() as conn:
        me = caller.user.account.id
        rows = await interactions.notifications_page(
            conn, me, None, None, 1000, [], [], _hidden(me)
        )
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
