"""Grouped notifications (Mastodon 4.3): GET /api/v2/notifications with its accounts and
statuses given once, one group, its accounts, dismissing it, and the unread counts (v1 and v2)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fedi.api.base import APIError, Caller, Params, authorized, routes
from fedi.api.entities import account_entity, status_entity
from fedi.api.filtering import filtered_json
from fedi.api.notifications import warning_json
from fedi.api.paging import id_param, limit_of, link_header
from fedi.context import Context
from fedi.core.models import User
from fedi.core.timeutil import from_db, to_api
from fedi.statuses.batch import Batch
from fedi.statuses.notification_groups import (
    GROUPABLE,
    Group,
    Query,
    dismiss_group,
    group_accounts,
    one_group,
    page_of_groups,
    unread_count,
)
from fedi.statuses.notifications import TYPES
from fedi.statuses.timeline_rules import rules_for
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of

# Mastodon's NotificationGroupSerializer#status_type?
STATUS_TYPES = ("favourite", "reblog", "status", "mention", "poll", "update")
PARTIAL = ("id", "acct", "locked", "bot", "url", "avatar", "avatar_static")
MAX_KEY = 200


def query_of(params: Params, default: int, cap: int) -> Query:
    grouped = params.values.get("grouped_types[]", []) + params.values.get("grouped_types", [])
    return Query(
        max_id=id_param(params, "max_id"),
        since_id=id_param(params, "since_id"),
        min_id=id_param(params, "min_id"),
        limit=limit_of(params, default, cap),
        types=tuple(t for t in params.get_list("types") if t in TYPES),
        exclude=tuple(t for t in params.get_list("exclude_types") if t in TYPES),
        from_account_id=id_param(params, "account_id"),
        # Given, even empty of known types, grouped_types groups only those it names.
        grouped=tuple(t for t in GROUPABLE if t in grouped) if grouped else GROUPABLE,
    )


def _expand(params: Params) -> str:
    value = params.get("expand_accounts") or "full"
    if value not in ("full", "partial_avatars"):
        raise APIError(
            400, f"Invalid value for 'expand_accounts': '{value[:40]}', allowed values are"
            " 'full' and 'partial_avatars'",
        )  # fmt: skip
    return value


def _group_json(context: Context, batch: Batch, group: Group, paginated: bool) -> dict[str, Any]:
    head = group.head
    body: dict[str, Any] = {
        "group_key": group.key,
        "notifications_count": group.count,
        "type": head.kind,
        "most_recent_notification_id": str(group.most_recent_id),
    }
    if paginated:
        body["page_min_id"] = str(group.page_min_id)
        body["page_max_id"] = str(group.page_max_id)
        body["latest_page_notification_at"] = to_api(from_db(group.latest_at))
    body["sample_account_ids"] = [str(i) for i in group.sample_account_ids if i in batch.accounts]
    if head.kind in STATUS_TYPES:
        body["status_id"] = str(head.status.id) if head.status else None
    if head.kind == "moderation_warning":
        body["moderation_warning"] = warning_json(context, batch, head.warning)
    return body


def _status_json(context: Context, batch: Batch, group: Group, user: User) -> dict[str, Any]:
    head = group.head
    assert head.status is not None
    rendered = status_entity(context, batch, head.status, user)
    if head.verdict is not None:
        rendered["filtered"] = filtered_json(head.verdict)
        if rendered.get("reblog"):
            rendered["reblog"]["filtered"] = rendered["filtered"]
    return rendered


def grouped_body(
    context: Context, batch: Batch, groups: list[Group], user: User, expand: str,
    paginated: bool,
) -> dict[str, Any]:  # fmt: skip
    """Mastodon's GroupedNotificationsResults: each account and status once. With
    partial_avatars, only each group's newest sender in full, the others in part."""
    full: dict[int, dict[str, Any]] = {}
    partial: dict[int, dict[str, Any]] = {}
    statuses: dict[int, dict[str, Any]] = {}
    for group in groups:
        for n, account_id in enumerate(group.sample_account_ids):
            account = batch.accounts.get(account_id)
            if account is None or account_id in full:
                continue
            entity = account_entity(context, account, batch.counts_of(account))
            if expand == "full" or n == 0:
                full[account_id] = entity
                partial.pop(account_id, None)
            else:
                partial[account_id] = {k: entity[k] for k in PARTIAL}
        status = group.head.status
        if group.head.kind in STATUS_TYPES and status is not None and status.id not in statuses:
            statuses[status.id] = _status_json(context, batch, group, user)
    body: dict[str, Any] = {"accounts": list(full.values())}
    if expand == "partial_avatars":
        body["partial_accounts"] = list(partial.values())
    body["statuses"] = list(statuses.values())
    body["notification_groups"] = [_group_json(context, batch, g, paginated) for g in groups]
    return body


def _key(request: Request) -> str:
    key = str(request.path_params["group_key"])
    if len(key) > MAX_KEY:
        raise APIError(404, "Record not found")
    return key


@authorized("read:notifications")
async def list_groups(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    expand = _expand(caller.params)
    query = query_of(caller.params, 40, 80)
    rules = await rules_for(context, caller.user.account.id)
    page = await page_of_groups(context, caller.user, query, rules)
    body = grouped_body(context, page.batch, page.groups, caller.user, expand, True)
    return JSONResponse(body, headers=link_header(request, page.cursors))


@authorized("read:notifications")
async def show_group(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    rules = await rules_for(context, caller.user.account.id)
    found = await one_group(context, caller.user, _key(request), rules)
    if found is None:
        raise APIError(404, "Record not found")
    batch, group = found
    return JSONResponse(grouped_body(context, batch, [group], caller.user, "full", False))


@authorized("read:notifications")
async def group_accounts_list(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    params = caller.params
    batch, accounts, cursors = await group_accounts(
        context, caller.user, _key(request), id_param(params, "max_id"),
        id_param(params, "since_id"), limit_of(params, 40, 80),
    )  # fmt: skip
    body = [account_entity(context, a, batch.counts_of(a)) for a in accounts]
    return JSONResponse(body, headers=link_header(request, cursors))


@authorized("write:notifications")
async def dismiss(request: Request, caller: Caller) -> Response:
    await dismiss_group(context_of(request), caller.user.account.id, _key(request))
    return JSONResponse({})


def _unread(groups: bool) -> Any:
    @authorized("read:notifications")
    async def endpoint(request: Request, caller: Caller) -> Response:
        query = query_of(caller.params, 100, 1000)
        count = await unread_count(
            context_of(request), caller.user.account.id, query, groups=groups
        )
        return JSONResponse({"count": count})

    return endpoint


grouped_notification_routes = [
    *routes("/api/v1/notifications/unread_count", _unread(False), ["GET"]),
    *routes("/api/v2/notifications", list_groups, ["GET"]),
    *routes("/api/v2/notifications/unread_count", _unread(True), ["GET"]),
    *routes("/api/v2/notifications/{group_key}", show_group, ["GET"]),
    *routes("/api/v2/notifications/{group_key}/accounts", group_accounts_list, ["GET"]),
    *routes("/api/v2/notifications/{group_key}/dismiss", dismiss, ["POST"]),
]
