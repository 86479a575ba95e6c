"""The notification policy and requests of Mastodon 4.3, as this server has them: nothing is
held back for review, so the policy accepts every sender but those moderators limited (whose
notifications are left out unless the member follows them), and there are no requests."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fedi.api.base import APIError, Caller, authorized, routes
from fedi.web.responses import JSONResponse

POLICY = {
    "for_not_following": "accept",
    "for_not_followers": "accept",
    "for_new_accounts": "accept",
    "for_private_mentions": "accept",
    "for_limited_accounts": "drop",
}


def _policy() -> dict[str, Any]:
    return {**POLICY, "summary": {"pending_requests_count": 0, "pending_notifications_count": 0}}


@authorized("read:notifications")
async def show_policy(request: Request, caller: Caller) -> Response:
    return JSONResponse(_policy())


@authorized("write:notifications")
async def update_policy(request: Request, caller: Caller) -> Response:
    """Only the policy this server follows can be asked for: it holds nothing for review."""
    for field, value in POLICY.items():
        asked = caller.params.get(field)
        if asked is not None and asked != value:
            raise APIError(422, f"Validation failed: {field} can only be {value!r} on this server")
    return JSONResponse(_policy())


@authorized("read:notifications")
async def list_requests(request: Request, caller: Caller) -> Response:
    return JSONResponse([])


@authorized("read:notifications")
async def merged(request: Request, caller: Caller) -> Response:
    return JSONResponse({"merged": True})


@authorized("read:notifications")
async def one_request(request: Request, caller: Caller) -> Response:
    raise APIError(404, "Record not found")


@authorized("write:notifications")
async def answer_request(request: Request, caller: Caller) -> Response:
    raise APIError(404, "Record not found")


@authorized("write:notifications")
async def answer_requests(request: Request, caller: Caller) -> Response:
    return JSONResponse({})  # Mastodon answers the same whichever ids it was given


policy_routes = [
    *routes("/api/v2/notifications/policy", show_policy, ["GET"]),
    *routes("/api/v2/notifications/policy", update_policy, ["PATCH"]),
    *routes("/api/v1/notifications/requests", list_requests, ["GET"]),
    *routes("/api/v1/notifications/requests/merged", merged, ["GET"]),
    *routes("/api/v1/notifications/requests/accept", answer_requests, ["POST"]),
    *routes("/api/v1/notifications/requests/dismiss", answer_requests, ["POST"]),
    *routes("/api/v1/notifications/requests/{request_id}", one_request, ["GET"]),
    *routes("/api/v1/notifications/requests/{request_id}/accept", answer_request, ["POST"]),
    *routes("/api/v1/notifications/requests/{request_id}/dismiss", answer_request, ["POST"]),
]
