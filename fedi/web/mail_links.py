"""Where links in mails lead: /auth/confirmation (confirm an e-mail address: the page shows a
button, so that a mail scanner following the link confirms nothing) and /mail/unsubscribe/TOKEN
(leave one mailing list: a GET shows a button; a POST, from that button or straight from the
mail program as RFC 8058's one-click, unsubscribes without signing in and without a CSRF token,
the unguessable token being the authority)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.accounts.email_confirmation import confirm_address, pending_confirmation
from fedi.mail.preferences import list_of_link, unsubscribe
from fedi.mail.tokens import MAX_TOKEN
from fedi.web.forms import check_csrf, read_form
from fedi.web.responses import private_no_store
from fedi.web.signin import viewer_of
from fedi.web.state import context_of, pages_of


def _confirmation_page(
    request: Request, state: str, token: str = "", status: int = 200
) -> Response:
    """state: form (press to confirm), done, invalid (unknown, used or expired link)."""
    return pages_of(request).render(
        request, "auth/confirmation.html", status, state=state, token=token
    )


async def confirmation_form(request: Request) -> Response:
    token = request.query_params.get("confirmation_token", "")[:MAX_TOKEN]
    if not await pending_confirmation(context_of(request), token):
        return private_no_store(_confirmation_page(request, "invalid", status=404))
    return _confirmation_page(request, "form", token)


async def confirm(request: Request) -> Response:
    context = context_of(request)
    form = await read_form(request)
    check_csrf(request, form, context.settings.base_url)
    token = form.get("confirmation_token", "")[:MAX_TOKEN]
    if not await confirm_address(context, token):
        return private_no_store(_confirmation_page(request, "invalid", status=404))
    return private_no_store(_confirmation_page(request, "done"))


async def _unsubscribe_page(request: Request, state: str, name: str, status: int = 200) -> Response:
    response = pages_of(request).render(
        request, "pages/unsubscribe.html", status, state=state, list_name=name,
        viewer=await viewer_of(request),
    )  # fmt: skip
    return private_no_store(response)


async def unsubscribe_form(request: Request) -> Response:
    name = await list_of_link(context_of(request), request.path_params["token"][:MAX_TOKEN])
    if name is None:
        return await _unsubscribe_page(request, "invalid", "", 404)
    return await _unsubscribe_page(request, "form", name)


async def unsubscribe_now(request: Request) -> Response:
    """RFC 8058: the body (List-Unsubscribe=One-Click) is not needed; the token says it all."""
    name = await unsubscribe(context_of(request), request.path_params["token"][:MAX_TOKEN])
    if name is None:
        return await _unsubscribe_page(request, "invalid", "", 404)
    return await _unsubscribe_page(request, "done", name)


routes = [
    Route("/auth/confirmation", confirmation_form, methods=["GET"]),
    Route("/auth/confirmation", confirm, methods=["POST"]),
    Route("/mail/unsubscribe/{token}", unsubscribe_form, methods=["GET"]),
    Route("/mail/unsubscribe/{token}", unsubscribe_now, methods=["POST"]),
]
