"""Response types: ActivityStreams JSON, JRD, the JSON error body every API error uses, and the
Server-Sent Events stream of the streaming API and the member pages."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from fedi.activitypub.vocab import ACTIVITY_JSON


def _dump(content: Any) -> bytes:
    return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return _dump(content)


class ActivityResponse(JSONResponse):
    media_type = ACTIVITY_JSON

    def __init__(self, content: Any, status_code: int = 200) -> None:
        super().__init__(content, status_code=status_code, headers={"Vary": "Accept"})


class JRDResponse(JSONResponse):
    media_type = "application/jrd+json"


def private_no_store(response: Response) -> Response:
    """A response that depends on who asks: never kept by a shared cache, nor by the browser
    (web-app.md section 4: phones get lost or seized)."""
    response.headers["Cache-Control"] = "private, no-store"
    return response


def json_error(status_code: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"error": message}, status_code=status_code, headers=headers)


class EventStreamResponse(StreamingResponse):
    """A stream that always lets go of its listener, however the response ends."""

    def __init__(self, body: AsyncIterator[str], on_end: Callable[[], None]) -> None:
        super().__init__(
            body,
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )
        self.on_end = on_end

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.on_end()
