"""GET /media/<name>: the stored files, under names we made, with headers that keep a browser
from treating them as anything but the image type we detected (no sniffing, no scripts, no
listing, nothing outside the media directory)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from fedi.media import FILE_NAME, MEDIA_TYPES
from fedi.web.state import context_of

SAFE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cross-Origin-Resource-Policy": "cross-origin",
    "Referrer-Policy": "no-referrer",
}


def not_found() -> Response:
    headers = {**SAFE_HEADERS, "Cache-Control": "no-store"}
    return Response("Not found\n", status_code=404, media_type="text/plain", headers=headers)


async def media_file(request: Request) -> Response:
    name = request.path_params["name"]
    match = FILE_NAME.match(name)
    if match is None:
        return not_found()
    path = context_of(request).settings.media_dir / name
    if not path.is_file():
        return not_found()
    # The names are random and a file never changes under its name: cache it for good.
    headers = {
        **SAFE_HEADERS,
        "Cache-Control": "public, max-age=31536000, immutable",
        "Content-Disposition": "inline",
    }
    return FileResponse(path, media_type=MEDIA_TYPES[match[1]], headers=headers)


async def anything_else(request: Request) -> Response:
    return not_found()


routes = [
    Route("/media/{name}", media_file, methods=["GET", "HEAD"]),
    Route("/media/{rest:path}", anything_else, methods=["GET", "HEAD"]),
    Route("/media", anything_else, methods=["GET", "HEAD"]),
]
