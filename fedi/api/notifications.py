"""Notifications: the list (with types and exclude_types filters and paging), one, dismiss and
clear."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fedi.api.base import APIError, Caller, authorized, routes
from fedi.api.entities import account_json, status_json
from fedi.api.filtering import judged_json
from fedi.api.paging import id_param
from fedi.api.warnings import warning_json
from fedi.context import Context
from fedi.core.ids import parse_id
from fedi.core.models import User
from fedi.core.timeutil import from_db, to_api, to_db, utcnow
from fedi.db import accounts, interactions, statuses
from fedi.db.moderated import moderated_sender_clause
from fedi.db.mutes import hidden_sender_clause
from fedi.groups.access import may_see_group_post
from fedi.statuses.timeline_rules import ViewerRules, hidden_by_moderators, rules_for
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of


def _hidden(me: int) -> tuple[str, list[object]]:
    """Senders the member hides, and those moderators took out of view."""
    muted, muted_args = hidden_sender_clause(me, to_db(utcnow()))
    moderated, moderated_args = moderated_sender_clause(me)
    return muted + moderated, [*muted_args, *moderated_args]


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


async def notification_json(
    context: Context, user: User, row: tuple[int, str, int, int | None, str],
    rules: ViewerRules | None = None,
) -> dict[str, Any] | None:  # fmt: skip
    """The Notification entity, or None when its sender is gone or, with the member's rules,
    a `hide` filter in the notifications context matches its status."""
    notification_id, kind, from_id, status_id, created_at = row
    async with context.db.read() as conn:
        sender = await accounts.get_by_id(conn, from_id)
        status = await statuses.get_by_id(conn, status_id) if status_id else None
    if sender is None:
        return None
    if await hidden_by_moderators(context, user.account.id, [sender], "notifications"):
        return None  # suspended, or limited and not followed (live streams come here too)
    if status is not None and await may_see_group_post(context, status, user.account) is False:
        return None  # a private group's post, and the member has left the group
    rendered = None
    if status is not None:
        if rules is not None:
            rendered = await judged_json(context, status, user, rules, "notifications")
            if rendered is None:
                return None
        else:
            rendered = await status_json(context, status, user)
    found = {
        "id": str(notification_id),
        "type": kind,
        "group_key": f"ungrouped-{notification_id}",
        "created_at": to_api(from_db(created_at)),
        "account": await account_json(context, sender),
        "status": rendered,
    }
    if kind == "moderation_warning":
        found["moderation_warning"] = await warning_json(context, notification_id)
    return found


@authorized("read:notifications")
async def list_notifications(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    params = caller.params
    raw = params.get("limit", "15") or "15"
    limit = min(max(int(raw), 1), 30) if raw.isdigit() else 15
    types = [t for t in params.get_list("types") if t in TYPES]
    exclude = [t for t in params.get_list("exclude_types") if t in TYPES]
    me = caller.user.account.id
    async with context.db.read() as conn:
        rows = await interactions.notifications_page(
            conn, me, id_param(params, "max_id"), id_param(params, "min_id"),
            limit, types, exclude, _hidden(me),
        )  # fmt: skip
    rules = await rules_for(context, me)
    found = [await notification_json(context, caller.user, r, rules) for r in rows]
    body = [n for n in found if n]
    return JSONResponse(body)


@authorized("read:notifications")
async def one(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    wanted = parse_id(request.path_params["notification_id"])
    async with context.db.read() as conn:
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
