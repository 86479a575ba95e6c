"""POST /api/v1/accounts: an app registers a person (Mastodon's AppSignUpService) and gets a token
for them; throttled to 5 attempts per 30 minutes from one address, as Mastodon's Rack::Attack."""

from __future__ import annotations

import math
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response

from fedi.api.base import APIError, Caller, authorized, routes
from fedi.oauth import token_for_new_member
from fedi.ratelimit import RateLimiter
from fedi.registrations import RegistrationError, RegistrationsClosed, SignUp, register
from fedi.timeutil import utcnow
from fedi.web.responses import JSONResponse
from fedi.web.signin import SignInLimits, client_address
from fedi.web.state import context_of

MAX_FIELD = 2000  # longer inputs are refused by validation; this only bounds the work


def rate_limit_headers(limiter: RateLimiter, key: str, wait: float | None) -> dict[str, str]:
    """Mastodon's X-RateLimit-* headers (the reset as an ISO 8601 time)."""
    reset = utcnow() + timedelta(seconds=wait if wait is not None else limiter.period)
    return {
        "X-RateLimit-Limit": str(limiter.limit),
        "X-RateLimit-Remaining": str(max(0, limiter.remaining(key))),
        "X-RateLimit-Reset": reset.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }


def _text(caller: Caller, name: str) -> str:
    return (caller.params.get(name) or "")[:MAX_FIELD]


@authorized("write:accounts", user=False)
async def _create(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    sign_up = SignUp(
        username=_text(caller, "username").strip(),
        email=_text(caller, "email").strip(),
        password=_text(caller, "password"),
        agreement=caller.params.get_bool("agreement"),
        locale=_text(caller, "locale").strip() or None,
        reason=_text(caller, "reason"),
    )
    try:
        user = await register(context, sign_up, caller.token.app.id)
    except RegistrationsClosed:
        raise APIError(403, "This action is not allowed") from None
    except RegistrationError as refused:
        return JSONResponse(refused.as_json(), status_code=422)
    issued = await token_for_new_member(context, caller.token.app, user)
    return JSONResponse(issued.as_json())


async def create_account(request: Request) -> Response:
    """Every attempt counts against the address's budget, before the token is even checked (the
    throttle sits in front of the application in Mastodon)."""
    limits: SignInLimits = request.app.state.sign_in_limits
    key = client_address(request)
    wait = limits.sign_ups.hit(key)
    if wait is not None:
        headers = rate_limit_headers(limits.sign_ups, key, wait)
        headers["Retry-After"] = str(math.ceil(wait))
        return JSONResponse({"error": "Too many requests"}, status_code=429, headers=headers)
    response = await _create(request)
    response.headers.update(rate_limit_headers(limits.sign_ups, key, None))
    return response


# The token check happens in _create; route walks (security.md A1, A5) read it here.
create_account.required_scope = "write:accounts"  # type: ignore[attr-defined]

registration_routes = [*routes("/api/v1/accounts", create_account, ["POST"])]
