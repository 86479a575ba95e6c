"""Response types: ActivityStreams JSON, JRD, and the JSON error body every API error uses."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

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
