"""What no cache may keep: every answer of the client API (as Mastodon sends them) and every
answer to a request that says who asks (a bearer token, an HTTP signature, a web session) is
sent `Cache-Control: private, no-store` unless its route chose a policy itself. A shared proxy
in front of the server then never serves a follower's followers-only post, a member's private
group page or an app's timeline to the next visitor."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PRIVATE = (b"cache-control", b"private, no-store")
ALWAYS_PRIVATE = ("/api/", "/oauth/")
# The same for everyone, whoever asks: the style sheet, scripts and images stay cacheable.
SHARED = ("/static/",)
# Request headers that say who asks.
IDENTIFYING = (b"authorization", b"signature", b"signature-input")
SESSION_COOKIE = b"session="


def identifies_caller(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name in IDENTIFYING or (name == b"cookie" and SESSION_COOKIE in value):
            return True
    return False


class PrivateByDefault:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if (
            scope["type"] != "http"
            or path.startswith(SHARED)
            or not (path.startswith(ALWAYS_PRIVATE) or identifies_caller(scope))
        ):
            await self.app(scope, receive, send)
            return

        async def send_private(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                if not any(name.lower() == b"cache-control" for name, _ in headers):
                    message["headers"] = [*headers, PRIVATE]
            await send(message)

        await self.app(scope, receive, send_private)
