"""E-mail confirmation for apps, as Mastodon has it: POST /api/v1/emails/confirmations mails the
link again (to a corrected address when `email` is given), for the app the member signed up
with only and while the address awaits confirmation; GET /api/v1/emails/check_confirmation
says whether it is confirmed."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from fedi.accounts.email_confirmation import (
    ConfirmationError,
    address_of,
    resend_confirmation,
    signed_up_with,
)
from fedi.api.base import APIError, Caller, ValidationFailed, authorized, routes
from fedi.core.validation import Problem
from fedi.web.responses import JSONResponse, private_no_store
from fedi.web.state import context_of

MAX_FIELD = 2000
PROBLEMS = {
    "bad_email": Problem("email", "ERR_INVALID", "is invalid"),
    "email_taken": Problem("email", "ERR_TAKEN", "has already been taken"),
}


@authorized("write:accounts")
async def resend(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    if await signed_up_with(context, caller.user) != caller.token.app.id:
        raise APIError(
            403,
            "This method is only available to the application the user originally signed-up with",
        )
    state = await address_of(context, caller.user)
    if state.is_confirmed:
        raise APIError(
            403, "This method is only available while the e-mail is awaiting confirmation"
        )
    email = caller.params.get("email")
    try:
        await resend_confirmation(context, caller.user, email[:MAX_FIELD] if email else None)
    except ConfirmationError as exc:
        if exc.code == "throttled":
            raise APIError(429, "Too many requests") from None
        raise ValidationFailed(PROBLEMS[exc.code]) from None
    return private_no_store(JSONResponse({}))


@authorized("read:accounts")
async def check(request: Request, caller: Caller) -> Response:
    state = await address_of(context_of(request), caller.user)
    return private_no_store(JSONResponse(state.is_confirmed))


email_routes = [
    *routes("/api/v1/emails/confirmations", resend, ["POST"]),
    *routes("/api/v1/emails/check_confirmation", check, ["GET"]),
]
