"""The check every admin API route goes through: a token with the admin scope the route needs,
held by a member who is staff now (a role taken away stops the token at once); administrator-only
routes also need the admin role. Anyone else gets Mastodon's 403."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from fedi.api.base import APIError, Caller, Endpoint, authorized
from fedi.moderation.staff import is_admin, is_staff

Handler = Callable[[Request, Caller], Awaitable[Response]]


def staff_only(scope: str, *, admin: bool = False) -> Callable[[Handler], Endpoint]:
    if not scope.startswith("admin:"):
        raise ValueError(f"an admin route needs an admin scope, not {scope!r}")

    def decorate(handler: Handler) -> Endpoint:
        @functools.wraps(handler)
        async def checked(request: Request, caller: Caller) -> Response:
            allowed = is_admin(caller.user) if admin else is_staff(caller.user)
            if not allowed:
                raise APIError(403, "This action is not allowed")
            return await handler(request, caller)

        return authorized(scope)(checked)

    return decorate
