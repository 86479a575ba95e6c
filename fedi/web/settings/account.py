"""/settings/account: a member changes their password (the current one first, throttled like
signing in; every other session and app token then ends), their e-mail address (marked
unconfirmed until the mailed link is followed, which they can have sent again) and interface
language, and sees and revokes their open web sessions and the apps holding a token."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.accounts.access import (
    authorised_apps,
    end_session_of,
    is_current,
    open_sessions,
    revoke_token_of,
)
from fedi.accounts.auth import Authenticator
from fedi.accounts.credentials import (
    CredentialError,
    change_email,
    change_password,
    set_language,
)
from fedi.accounts.email_confirmation import (
    ConfirmationError,
    address_of,
    resend_confirmation,
)
from fedi.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from fedi.core.ids import parse_id
from fedi.core.models import User
from fedi.i18n.locales import LANG_COOKIE, LOCALE_NAMES, match_locale
from fedi.web.member.gate import member_form, member_or_sign_in
from fedi.web.settings.base import back, render_settings
from fedi.web.signin import SESSION_COOKIE, sign_in_refusal, signed_in
from fedi.web.state import context_of, pages_of

PATH = "/settings/account"
MAX_FIELD = 2000


async def _page(
    request: Request, viewer: User, status_code: int = 200, error: str = "", email: str = ""
) -> Response:
    context = context_of(request)
    token = request.cookies.get(SESSION_COOKIE)
    sessions = [(s, is_current(s, token)) for s in await open_sessions(context, viewer)]
    address = await address_of(context, viewer)
    return render_settings(
        request, "account.html", viewer, "account", status_code, error=error,
        email=email or address.email or "", sessions=sessions,
        current_email=address.email or "", email_confirmed=address.is_confirmed,
        apps=await authorised_apps(context, viewer), languages_offered=LOCALE_NAMES,
        min_password=MIN_LENGTH, max_password=MAX_LENGTH,
    )  # fmt: skip


async def account_settings(request: Request) -> Response:
    viewer = await member_or_sign_in(request)
    if isinstance(viewer, Response):
        return viewer
    return await _page(request, viewer)


async def _throttled(request: Request, viewer: User) -> Response | None:
    """Proving the current password counts as an attempt to sign in (security.md A8)."""
    refusal = sign_in_refusal(request, viewer.account.username)
    if refusal is None:
        return None
    response = await _page(request, viewer, 429, "throttled")
    response.headers.update(refusal.headers())
    return response


async def save_password(request: Request) -> Response:
    checked = await member_form(request)
    if isinstance(checked, Response):
        return checked
    viewer, form = checked
    if (throttled := await _throttled(request, viewer)) is not None:
        return throttled
    new = form.get("new_password", "")[:MAX_FIELD]
    if new != form.get("new_password_confirmation", "")[:MAX_FIELD]:
        return await _page(request, viewer, 422, "confirmation")
    authenticator: Authenticator = request.app.state.authenticator
    try:
        current = form.get("current_password", "")[:MAX_FIELD]
        await change_password(context_of(request), authenticator, viewer, current, new)
    except CredentialError as exc:
        return await _page(request, viewer, 403 if exc.code == "wrong_password" else 422, exc.code)
    # Every session ended with the change: this browser is signed in again.
    return await signed_in(request, viewer, f"{PATH}?done=password")


async def save_email(request: Request) -> Response:
    checked = await member_form(request)
    if isinstance(checked, Response):
        return checked
    viewer, form = checked
    if (throttled := await _throttled(request, viewer)) is not None:
        return throttled
    email = form.get("email", "")[:MAX_FIELD]
    authenticator: Authenticator = request.app.state.authenticator
    try:
        current = form.get("current_password", "")[:MAX_FIELD]
        await change_email(context_of(request), authenticator, viewer, current, email)
    except CredentialError as exc:
        status = 403 if exc.code == "wrong_password" else 422
        return await _page(request, viewer, status, exc.code, email=email)
    return back(PATH, done="email")


async def resend_email_confirmation(request: Request) -> Response:
    checked = await member_form(request)
    if isinstance(checked, Response):
        return checked
    viewer, _ = checked
    try:
        await resend_confirmation(context_of(request), viewer)
    except ConfirmationError as exc:
        return await _page(request, viewer, 429 if exc.code == "throttled" else 422, exc.code)
    return back(PATH, done="confirmation")


async def save_language(request: Request) -> Response:
    checked = await member_form(request)
    if isinstance(checked, Response):
        return checked
    viewer, form = checked
    chosen = form.get("language", "")[:16]
    try:
        await set_language(context_of(request), viewer, chosen)
    except CredentialError as exc:
        return await _page(request, viewer, 422, exc.code)
    response = back(PATH, done="language")
    # This browser follows the new choice at once, whatever it was shown before (its cookie).
    code = match_locale(chosen)
    if code is None:
        response.delete_cookie(LANG_COOKIE)
    else:
        response.set_cookie(
            LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax", httponly=True,
            secure=pages_of(request).secure,
        )  # fmt: skip
    return response


async def revoke_session(request: Request) -> Response:
    checked = await member_form(request)
    if isinstance(checked, Response):
        return checked
    viewer, _ = checked
    session_id = parse_id(request.path_params["session_id"])
    if session_id is not None:
        await end_session_of(context_of(request), viewer, session_id)
    return back(PATH, done="session")


async def revoke_app(request: Request) -> Response:
    checked = await member_form(request)
    if isinstance(checked, Response):
        return checked
    viewer, _ = checked
    token_id = parse_id(request.path_params["token_id"])
    if token_id is not None:
        await revoke_token_of(context_of(request), viewer, token_id)
    return back(PATH, done="app")


routes = [
    Route(PATH, account_settings, methods=["GET"]),
    Route(f"{PATH}/password", save_password, methods=["POST"]),
    Route(f"{PATH}/email", save_email, methods=["POST"]),
    Route(f"{PATH}/email/confirmation", resend_email_confirmation, methods=["POST"]),
    Route(f"{PATH}/language", save_language, methods=["POST"]),
    Route(f"{PATH}/sessions/{{session_id}}/revoke", revoke_session, methods=["POST"]),
    Route(f"{PATH}/apps/{{token_id}}/revoke", revoke_app, methods=["POST"]),
]
