"""POSTs to an inbox, the busiest requests of a federating server, taken in front of the
middlewares and the router: the same checks in the same order (the rate limits, the federation
guard; limited federation concerns GETs only), then the inbox itself, without a layer of
middleware, routing and Request and Response objects around each activity. Every other request
goes through the application as before."""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Receive, Scope, Send

from fedi.context import Context
from fedi.core.ratelimit import client_key
from fedi.web.federation_guard import forbidden, signed_by_refused
from fedi.web.rate_limits import RateLimits, charge_verified, inbox_refusal, too_many
from inbox.routes import receive_activity

# The inbox routes (inbox.routes.routes); the group is the personal inbox's username, as the
# router's {username} reads it.
INBOX_ROUTE = re.compile(r"/(?:inbox|actor/inbox|users/([^/]+)/inbox)")


class InboxFront:
    """Added last (so run first) among the application's middlewares: errors still reach the
    application's error handler."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or scope.get("root_path")  # the router would match a shorter path
            or (route := INBOX_ROUTE.fullmatch(scope["path"])) is None
        ):
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        context: Context | None = getattr(state, "context", None)
        limits: RateLimits | None = getattr(state, "rate_limits", None)
        if context is None or limits is None:
            await self.app(scope, receive, send)
            return
        # fedi.web.rate_limits.RateLimitMiddleware
        client = scope.get("client")
        address = client[0] if client else ""
        domain = None
        if not limits.is_safelisted(address):
            refusal, domain = inbox_refusal(limits, client_key(address), scope)
            if refusal is not None:
                await too_many(refusal, scope, receive, send)
                return
        # fedi.web.federation_guard.FederationGuard
        if signed_by_refused(scope, await context.policy.refresh(context.db)):
            await forbidden(scope, receive, send)
            return
        # The route (inbox.routes), then what the rate limits count once it has answered.
        await receive_activity(context, scope, receive, send, route[1])
        charge_verified(limits, domain, scope)
