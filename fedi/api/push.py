"""Mastodon's push/subscription resource: the Web Push subscription of the calling token
(POST makes it anew, GET reads it, PUT changes its alerts and policy, DELETE removes it)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fedi.api.base import APIError, Caller, Params, authorized, bearer_of, routes
from fedi.db.push_subscriptions import Subscription
from fedi.push import subscriptions
from fedi.push.payload import MASTODON_TYPES
from fedi.push.subscriptions import Data, SubscriptionError, data_from
from fedi.push.vapid import vapid_key
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of


async def subscription_json(request: Request, found: Subscription) -> dict[str, Any]:
    """Mastodon's WebPushSubscription entity."""
    key = await vapid_key(context_of(request))
    return {
        "id": str(found.id),
        "endpoint": found.endpoint,
        "standard": found.is_standard,
        "alerts": {kind: found.alerts.get(kind, False) for kind in MASTODON_TYPES},
        "policy": found.policy,
        "server_key": key.public_key,
    }


def _invalid(exc: SubscriptionError) -> APIError:
    code = "ERR_INVALID" if exc.field != "endpoint" else "ERR_INVALID_URL"
    return APIError(422, f"Validation failed: {exc}",
                    details={exc.field: [{"error": code, "description": str(exc)}]})  # fmt: skip


def _data(params: Params) -> Data:
    """data[alerts][<type>] and data[policy]; a bare `policy` too, which Mastodon.py sends."""
    alerts = {
        key[len("[alerts][") : -1]: params.get_bool(f"data{key}")
        for key in params.nested("data")
        if key.startswith("[alerts][") and key.endswith("]")
    }
    try:
        return data_from(alerts, params.get("data[policy]") or params.get("policy"))
    except SubscriptionError as exc:
        raise _invalid(exc) from None


async def _respond(request: Request, found: Subscription | None) -> Response:
    if found is None:
        raise APIError(404, "Record not found")
    return JSONResponse(await subscription_json(request, found))


@authorized("push")
async def create(request: Request, caller: Caller) -> Response:
    params = caller.params
    endpoint = params.get("subscription[endpoint]") or ""
    p256dh = params.get("subscription[keys][p256dh]") or ""
    auth = params.get("subscription[keys][auth]") or ""
    if not endpoint or not p256dh or not auth:
        field = "endpoint" if not endpoint else "keys"
        raise _invalid(SubscriptionError(field, f"subscription[{field}] is required"))
    try:
        made = await subscriptions.subscribe(
            context_of(request), token_id=caller.token.id, access_token=bearer_of(request) or "",
            account_id=caller.user.account.id, endpoint=endpoint, p256dh=p256dh, auth=auth,
            standard=params.get_bool("subscription[standard]"), data=_data(params),
        )  # fmt: skip
    except SubscriptionError as exc:
        raise _invalid(exc) from None
    return await _respond(request, made)


@authorized("push")
async def show(request: Request, caller: Caller) -> Response:
    found = await subscriptions.subscription_of(context_of(request), caller.token.id)
    return await _respond(request, found)


@authorized("push")
async def update(request: Request, caller: Caller) -> Response:
    data = _data(caller.params)
    return await _respond(
        request, await subscriptions.change(context_of(request), caller.token.id, data)
    )


@authorized("push")
async def destroy(request: Request, caller: Caller) -> Response:
    await subscriptions.unsubscribe(context_of(request), caller.token.id)
    return JSONResponse({})


push_routes = [
    *routes("/api/v1/push/subscription", create, ["POST"]),
    *routes("/api/v1/push/subscription", show, ["GET"]),
    *routes("/api/v1/push/subscription", update, ["PUT"]),
    *routes("/api/v1/push/subscription", destroy, ["DELETE"]),
]
