"""Signing in and out on the web, with CSRF protection and login throttling.

Throttling follows Mastodon's Rack::Attack limits: 25 attempts per 5 minutes from one address
(IPv6 per /64) and 25 per hour against one account (FEDI_RATE_LIMIT_SIGN_IN); beyond them, 429
with Retry-After and X-RateLimit-*.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from fedi.accounts.auth import Authenticator, SignInError, end_session, open_session, session_user
from fedi.core.config import Settings
from fedi.core.models import User
from fedi.core.ratelimit import RateLimiter, Throttled, client_key, first_refusal
from fedi.web.forms import check_csrf, read_form, safe_next
from fedi.web.state import context_of, pages_of

SESSION_COOKIE = "session"


@dataclass
class SignInLimits:
    """The throttles on proving who one is (the sign-in form and the password grant) and on
    making accounts (Mastodon: 5 sign-ups per 30 minutes from one address)."""

    per_address: RateLimiter
    per_account: RateLimiter
    sign_ups: RateLimiter
    # Password reset requests (Mastodon: 25 per 5 minutes per address, 5 per 30 minutes per
    # e-mail address asked about).
    resets_per_address: RateLimiter
    resets_per_email: RateLimiter

    @classmethod
    def from_settings(cls, settings: Settings) -> SignInLimits:
        return cls(
            per_address=RateLimiter(settings.rate_limit_sign_in, 5 * 60),
            per_account=RateLimiter(settings.rate_limit_sign_in, 60 * 60),
            sign_ups=RateLimiter(settings.rate_limit_sign_ups, 30 * 60),
            resets_per_address=RateLimiter(settings.rate_limit_sign_in, 5 * 60),
            resets_per_email=RateLimiter(5, 30 * 60),
        )

    def clear(self) -> None:
        for limiter in (self.per_address, self.per_account, self.sign_ups,
                        self.resets_per_address, self.resets_per_email):  # fmt: skip
            limiter.clear()


async def viewer_of(request: Request) -> User | None:
    return await session_user(context_of(request), request.cookies.get(SESSION_COOKIE))


def client_address(request: Request) -> str:
    return client_key(request.client.host if request.client else "")


def is_safelisted(request: Request) -> bool:
    """The address is on FEDI_RATE_LIMIT_SAFELIST (fedi/web/rate_limits.py)."""
    return bool(
        request.app.state.rate_limits.is_safelisted(request.client.host if request.client else "")
    )


def sign_in_refusal(request: Request, username: str) -> Throttled | None:
    """Count one attempt to sign in as `username`: None if it may go ahead, else the limit that
    refuses it. Every way of checking a password goes through here (security.md A8)."""
    limiters: SignInLimits = request.app.state.sign_in_limits
    if is_safelisted(request):
        return None
    return first_refusal(
        [
            (limiters.per_address, client_address(request)),
            (limiters.per_account, username.strip().lstrip("@").lower()[:64]),
        ]
    )


def _sign_in_page(
    request: Request, status_code: int, error: str | None, username: str, next_path: str
) -> Response:
    return pages_of(request).render(
        request,
        "auth/sign_in.html",
        status_code,
        error=error,
        username=username,
        next_path=next_path,
        registrations=context_of(request).settings.registrations,
    )


async def sign_in_form(request: Request) -> Response:
    next_path = safe_next(request.query_params.get("next"))
    if await viewer_of(request) is not None:
        return RedirectResponse(next_path, 303)
    return _sign_in_page(request, 200, None, "", next_path)


async def sign_in(request: Request) -> Response:
    context = context_of(request)
    form = await read_form(request)
    check_csrf(request, form, context.settings.base_url)
    username = form.get("username", "").strip().lstrip("@")[:64]
    password = form.get("password", "")
    next_path = safe_next(form.get("next"))

    refusal = sign_in_refusal(request, username)
    if refusal is not None:
        response = _sign_in_page(request, 429, "throttled", username, next_path)
        response.headers.update(refusal.headers())
        return response

    authenticator: Authenticator = request.app.state.authenticator
    try:
        user = await authenticator.check_password(context, username, password)
    except SignInError as refused:
        return _sign_in_page(request, 401, refused.reason, username, next_path)

    return await signed_in(request, user, next_path)


async def signed_in(request: Request, user: User, next_path: str) -> Response:
    """Open a session for `user` and go on to next_path with its cookie."""
    context = context_of(request)
    token = await open_session(
        context, user, request.headers.get("user-agent", ""), client_address(request)
    )
    response = RedirectResponse(next_path, 303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=30 * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=context.settings.scheme == "https",
    )
    return response


async def sign_out(request: Request) -> Response:
    context = context_of(request)
    form = await read_form(request)
    check_csrf(request, form, context.settings.base_url)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await end_session(context, token)
    response = RedirectResponse("/", 303)
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax")
    # Nothing of the session stays on the device: the browser's cache, and the service
    # worker's cache and registration with the rest of the site's storage (Clear-Site-Data).
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


routes = [
    Route("/auth/sign_in", sign_in_form, methods=["GET"]),
    Route("/auth/sign_in", sign_in, methods=["POST"]),
    Route("/auth/sign_out", sign_out, methods=["POST"]),
]
