"""POST /api/v1/accounts: an app registers a person (Mastodon's AppSignUpService) and gets a token
for them; throttled to 5 attempts per 30 minutes from one address, as Mastodon's Rack::Attack."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from fedi.accounts.oauth import token_for_new_member
from fedi.accounts.registrations import RegistrationsClosed, SignUp, register
from fedi.api.base import APIError, Caller, authorized, routes
from fedi.core.ratelimit import first_refusal, rate_limit_headers
from fedi.web.responses import JSONResponse
from fedi.web.signin import SignInLimits, client_address, is_safelisted
from fedi.web.state import context_of

MAX_FIELD = 2000  # longer inputs are refused by validation; this only bounds the work


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
    try:  # a RegistrationError is the route's 422, with `details` per field
        user = await register(context, sign_up, caller.token.app.id)
    except RegistrationsClosed:
        raise APIError(403, "This action is not allowed") from None
    issued = await token_for_new_member(context, caller.token.app, user)
    return JSONResponse(issued.as_json())


async def create_account(request: Request) -> Response:
    """Every attempt counts against the address's budget, before the token is even checked (the
    throttle sits in front of the application in Mastodon)."""
    if is_safelisted(request):
        return await _create(request)
    limits: SignInLimits = request.app.state.sign_in_limits
    key = client_address(request)
    refusal = first_refusal([(limits.sign_ups, key)])
    if refusal is not None:
        return JSONResponse(
            {"error": "Too many requests"}, status_code=429, headers=refusal.headers()
        )
    response = await _create(request)
    response.headers.update(rate_limit_headers(limits.sign_ups, key))
    return response


# The token check happens in _create; route walks (security.md A1, A5) read it here.
create_account.required_scope = "write:accounts"  # type: ignore[attr-defined]

registration_routes = [*routes("/api/v1/accounts", create_account, ["POST"])]
