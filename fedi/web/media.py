"""GET /media/<name>: the stored files, under names we made, with headers that keep a browser
from treating them as anything but the type we detected (no sniffing, no scripts, no listing,
nothing outside the media directory). Images are shown inline; documents are downloaded, under
the name they had on the member's device."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from fedi.db import media as media_db
from fedi.media import documents
from fedi.media.media import FILE_NAME, MEDIA_TYPES
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


def _ascii_stem(stem: str) -> str:
    """A name for `filename=`, which old clients read: ASCII letters, digits and a few signs,
    anything else a `_` (so no quote, backslash or line break can end the header's value)."""
    plain = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    return "".join(c if c.isalnum() or c in " .-()" else "_" for c in plain).strip(" ._")


def attachment_disposition(file_name: str | None, extension: str) -> str:
    """RFC 6266: download, never render; the name in ASCII and, for those who read it, in full
    (RFC 8187's UTF-8 percent-encoding)."""
    name = documents.download_name(file_name, extension)
    ascii_name = f"{_ascii_stem(name[: -len(extension) - 1]) or 'document'}.{extension}"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


async def media_file(request: Request) -> Response:
    name = request.path_params["name"]
    match = FILE_NAME.match(name)
    if match is None:
        return not_found()
    context = context_of(request)
    path = context.settings.media_dir / name
    if not path.is_file():
        return not_found()
    extension = match[1]
    media_type = MEDIA_TYPES[extension]
    disposition = "inline"
    if extension in documents.BY_EXTENSION:
        async with context.db.read() as conn:
            file_name = await media_db.file_name_of(conn, name)
        disposition = attachment_disposition(file_name, extension)
        if media_type.startswith("text/"):
            media_type += "; charset=utf-8"
    # The names are random and a file never changes under its name: cache it for good.
    headers = {
        **SAFE_HEADERS,
        "Cache-Control": "public, max-age=31536000, immutable",
        "Content-Disposition": disposition,
    }
    return FileResponse(path, media_type=media_type, headers=headers)


async def anything_else(request: Request) -> Response:
    return not_found()


routes = [
    Route("/media/{name}", media_file, methods=["GET", "HEAD"]),
    Route("/media/{rest:path}", anything_else, methods=["GET", "HEAD"]),
    Route("/media", anything_else, methods=["GET", "HEAD"]),
]
