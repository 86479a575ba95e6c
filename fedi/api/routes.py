"""The client API's route table, read like Mastodon's documentation; anything else under /api is
a JSON 404 (apps fall back on a 404, never on a 500 or an HTML page)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.api.accounts import account_routes
from fedi.api.instance import instance_routes
from fedi.api.oauth_routes import oauth_routes
from fedi.api.statuses import status_routes
from fedi.web.responses import json_error


async def not_found(request: Request) -> Response:
    return json_error(404, "Record not found")


api_routes = [
    *oauth_routes,
    *instance_routes,
    *account_routes,
    *status_routes,
    Route("/api/{rest:path}", not_found, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
]
