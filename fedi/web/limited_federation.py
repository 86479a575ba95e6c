"""Limited federation (allowlist) mode on the web side, as Mastodon's limited_federation_mode:
ActivityPub documents are served only to GETs signed by an allowed server (authorized fetch),
except the instance actor, WebFinger and NodeInfo, which stay open so that allowed servers can
bootstrap; and the profile and post pages are for signed-in members."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from fedi.context import Context
from fedi.web.actors import remote_signer
from fedi.web.negotiation import wants_activity_json
from fedi.web.responses import json_error
from fedi.web.signin import viewer_of
from fedi.web.state import context_of

# Open in every mode: the instance actor (signing key of our own fetches), discovery, the API
# and OAuth (their own rules), static files and media.
OPEN_PREFIXES = ("/actor/", "/.well-known/", "/nodeinfo", "/api/", "/oauth/", "/static/", "/media/")


def is_open(path: str) -> bool:
    return path in ("/actor", "/health") or path.startswith(OPEN_PREFIXES)


class LimitedFederation:
    """Answers 401 to an unsigned (or badly signed) GET of an ActivityPub document while the
    instance runs in allowlist mode. Signatures from refused domains never get here
    (fedi.web.federation_guard answers 403 first)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = scope.get("app")
        context: Context | None = getattr(app.state, "context", None) if app else None
        if (
            scope["type"] != "http"
            or context is None
            or not context.policy.current.allowlist_mode
            or scope["method"] not in ("GET", "HEAD")
            or is_open(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if wants_activity_json(request) and await remote_signer(request) is None:
            await json_error(401, "a signed request is needed")(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def sign_in_required(request: Request) -> Response | None:
    """In allowlist mode, a visitor is sent to the sign-in page (None: go on)."""
    if not context_of(request).policy.current.allowlist_mode or await viewer_of(request):
        return None
    query = urlencode({"next": request.url.path})
    return RedirectResponse(f"/auth/sign_in?{query}", 303)
