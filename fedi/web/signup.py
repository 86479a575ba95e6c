"""The sign-up page (/auth/sign_up): the same rules as POST /api/v1/accounts, with errors shown
next to each field in the visitor's language. In `open` mode the new member is signed in at once;
in `approval` mode they are told to wait for a moderator; in `closed` mode the page says so. The
server's rules are shown, and agreeing to them is asked for only when there are some."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from fedi.accounts.passwords import MIN_LENGTH
from fedi.accounts.registrations import (
    MAX_REASON,
    MAX_USERNAME,
    RegistrationError,
    RegistrationsClosed,
    SignUp,
    check,
    register,
)
from fedi.core.ratelimit import Throttled, first_refusal
from fedi.db.instance_rules import Rule
from fedi.moderation.instance_rules import list_rules
from fedi.web.forms import check_csrf, read_form
from fedi.web.signin import SignInLimits, client_address, is_safelisted, signed_in, viewer_of
from fedi.web.state import context_of, pages_of

MAX_FIELD = 2000


async def _page(
    request: Request,
    status_code: int,
    *,
    state: str = "form",
    errors: dict[str, list[str]] | None = None,
    values: dict[str, str] | None = None,
    rules: list[Rule] | None = None,
) -> Response:
    """state: form (with any errors), closed, pending (created, awaiting approval), throttled."""
    if rules is None:
        rules = await list_rules(context_of(request)) if state == "form" else []
    return pages_of(request).render(
        request,
        "auth/sign_up.html",
        status_code,
        state=state,
        mode=context_of(request).settings.registrations,
        errors=errors or {},
        values=values or {},
        max_username=MAX_USERNAME,
        max_reason=MAX_REASON,
        min_password=MIN_LENGTH,
        rules=rules,
    )


async def sign_up_form(request: Request) -> Response:
    if await viewer_of(request) is not None:
        return RedirectResponse("/", 303)
    if context_of(request).settings.registrations == "closed":
        return await _page(request, 200, state="closed")
    return await _page(request, 200)


def _refusal(request: Request, limits: SignInLimits, address: str) -> Throttled | None:
    if is_safelisted(request):
        return None
    refusal = first_refusal([(limits.per_address, address)])
    wait = limits.sign_ups.retry_after(address)
    if refusal is None and wait is not None:
        return Throttled(limits.sign_ups, address, wait)
    return refusal


async def sign_up(request: Request) -> Response:
    context = context_of(request)
    form = await read_form(request)
    check_csrf(request, form, context.settings.base_url)
    if context.settings.registrations == "closed":
        return await _page(request, 403, state="closed")
    values = {name: form.get(name, "")[:MAX_FIELD] for name in ("username", "email", "reason")}
    limits: SignInLimits = request.app.state.sign_in_limits
    address = client_address(request)
    # Every form sent counts like a sign-in attempt; only accounts made count against the
    # sign-up budget (5 per 30 minutes), so a typo does not lock a person out.
    refusal = _refusal(request, limits, address)
    if refusal is not None:
        response = await _page(request, 429, state="throttled", values=values)
        response.headers.update(refusal.headers())
        return response
    password = form.get("password", "")[:MAX_FIELD]
    rules = await list_rules(context)
    attempt = SignUp(
        username=values["username"].strip().lstrip("@"),
        email=values["email"].strip(),
        password=password,
        # Nothing to agree to without rules (the API keeps Mastodon's required `agreement`).
        agreement=form.get("agreement") == "1" or not rules,
        locale=pages_of(request).locale_for(request).code,
        reason=values["reason"] if context.settings.registrations == "approval" else "",
    )
    found = await check(context, attempt)
    errors: dict[str, list[str]] = {
        name: [problem.code for problem in problems] for name, problems in found.items()
    }
    if password != form.get("password_confirmation", "")[:MAX_FIELD]:
        errors["password_confirmation"] = ["ERR_CONFIRMATION"]
    if errors:
        return await _page(request, 422, errors=errors, values=values, rules=rules)
    try:
        user = await register(context, attempt)
    except RegistrationsClosed:
        return await _page(request, 403, state="closed")
    except RegistrationError as refused:  # taken meanwhile by someone quicker
        errors = {name: [str(p.code) for p in taken] for name, taken in refused.errors.items()}
        return await _page(request, 422, errors=errors, values=values)
    if not is_safelisted(request):
        limits.sign_ups.hit(address)
    if not user.is_approved:
        return await _page(request, 200, state="pending", values=values)
    return await signed_in(request, user, "/")


routes = [
    Route("/auth/sign_up", sign_up_form, methods=["GET"]),
    Route("/auth/sign_up", sign_up, methods=["POST"]),
]
