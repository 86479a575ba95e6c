"""Resetting a forgotten password on the web, as Mastodon's pages: /auth/password/new asks for
the address (the same answer whether or not it belongs to anyone; throttled per visitor and per
address asked about), and the mailed link leads to /auth/password/edit, whose form sets the new
password under the settings' rules. Every form carries its CSRF token."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.accounts.password_reset import (
    ResetError,
    request_reset,
    reset_link_is_valid,
    reset_password,
)
from fedi.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from fedi.core.ratelimit import first_refusal
from fedi.mail.tokens import MAX_TOKEN
from fedi.web.forms import check_csrf, read_form
from fedi.web.responses import private_no_store
from fedi.web.signin import SignInLimits, client_address, is_safelisted
from fedi.web.state import context_of, pages_of

MAX_FIELD = 2000


def _request_page(request: Request, state: str, status: int = 200, email: str = "") -> Response:
    """state: form, sent (the same whatever the address), throttled."""
    return private_no_store(
        pages_of(request).render(
            request, "auth/password_new.html", status, state=state, email=email
        )
    )


def _edit_page(request: Request, state: str, status: int = 200, token: str = "") -> Response:
    """state: form, invalid (unknown, used or expired link), done, weak_password, confirmation."""
    return private_no_store(
        pages_of(request).render(
            request,
            "auth/password_edit.html",
            status,
            state=state,
            token=token,
            min_password=MIN_LENGTH,
            max_password=MAX_LENGTH,
        )
    )


async def request_form(request: Request) -> Response:
    return _request_page(request, "form")


async def ask_for_reset(request: Request) -> Response:
    context = context_of(request)
    form = await read_form(request)
    check_csrf(request, form, context.settings.base_url)
    email = form.get("email", "")[:MAX_FIELD].strip()
    if not is_safelisted(request):
        limits: SignInLimits = request.app.state.sign_in_limits
        refusal = first_refusal(
            [(limits.resets_per_address, client_address(request)),
             (limits.resets_per_email, email.lower()[:254])]
        )  # fmt: skip
        if refusal is not None:
            response = _request_page(request, "throttled", 429, email)
            response.headers.update(refusal.headers())
            return response
    await request_reset(context, email)
    return _request_page(request, "sent")


async def edit_form(request: Request) -> Response:
    token = request.query_params.get("reset_password_token", "")[:MAX_TOKEN]
    if not await reset_link_is_valid(context_of(request), token):
        return _edit_page(request, "invalid", 404)
    return _edit_page(request, "form", token=token)


async def set_new_password(request: Request) -> Response:
    context = context_of(request)
    form = await read_form(request)
    check_csrf(request, form, context.settings.base_url)
    token = form.get("reset_password_token", "")[:MAX_TOKEN]
    password = form.get("password", "")[:MAX_FIELD]
    if password != form.get("password_confirmation", "")[:MAX_FIELD]:
        return _edit_page(request, "confirmation", 422, token)
    try:
        await reset_password(context, token, password)
    except ResetError as exc:
        if exc.code == "weak_password":
            return _edit_page(request, "weak_password", 422, token)
        return _edit_page(request, "invalid", 404)
    return _edit_page(request, "done")


routes = [
    Route("/auth/password/new", request_form, methods=["GET"]),
    Route("/auth/password/new", ask_for_reset, methods=["POST"]),
    Route("/auth/password/edit", edit_form, methods=["GET"]),
    Route("/auth/password/edit", set_new_password, methods=["POST"]),
]
