"""GET /media/<name>: the stored files, under names we made, with headers that keep a browser
from treating them as anything but the type we detected (no sniffing, no scripts, no listing,
nothing outside the media directory). Images are shown inline; documents are downloaded, under
the name they had on the member's device (a library document: under its name in the library).

A file of a members-only space is served only to a member of it, who comes signed in, with a
token granting read, or as the verified signer of the GET; and a post's file also to whoever
has its key, which only the post itself carries (apps and members' servers fetch images without
credentials); privately (`private, no-store`). Anyone else gets the 404 of a missing file."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from fedi.accounts import scopes
from fedi.accounts.oauth import token_for
from fedi.core.models import Account
from fedi.core.urls import valid_attachment_key
from fedi.db import library_files
from fedi.db import media as media_db
from fedi.library.access import may_fetch, private_space_of_file
from fedi.media import documents
from fedi.media.media import FILE_NAME, MEDIA_TYPES
from fedi.web.actors import remote_signer
from fedi.web.signin import viewer_of
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


async def reader_of(request: Request, *, signed: bool = True) -> Account | None:
    """Who asks for a file: the signed-in member, else the member of a bearer token that grants
    reading, else (unless signed=False) the verified signer of the GET."""
    viewer = await viewer_of(request)
    if viewer is not None:
        return viewer.account
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        token = await token_for(context_of(request), header[7:].strip())
        if token is None or token.user is None:
            return None
        return token.user.account if scopes.grants(token.scopes, "read:statuses") else None
    return await remote_signer(request) if signed else None


async def _download_name(request: Request, name: str) -> str | None:
    async with context_of(request).db.read() as conn:
        return await library_files.library_name_of(conn, name) or await media_db.file_name_of(
            conn, name
        )


async def _keyed_attachment(request: Request, name: str) -> bool:
    """A post's file asked for with its key (fedi.core.urls.attachment): whoever received the
    post has it, as apps and other servers fetch a post's images, without credentials. Never a
    library document: those go to members alone."""
    key = request.path_params.get("key", "")
    if not key or not valid_attachment_key(context_of(request).urls.media_secret, name, key):
        return False
    async with context_of(request).db.read() as conn:
        return await library_files.library_name_of(conn, name) is None


async def media_file(request: Request) -> Response:
    name = request.path_params["name"]
    match = FILE_NAME.match(name)
    if match is None:
        return not_found()
    context = context_of(request)
    path = context.settings.media_dir / name
    if not path.is_file():
        return not_found()
    space = await private_space_of_file(context, name)
    if space is not None and not (
        await _keyed_attachment(request, name)
        or await may_fetch(context, space, await reader_of(request))
    ):
        return not_found()
    extension = match[1]
    media_type = MEDIA_TYPES[extension]
    disposition = "inline"
    if extension in documents.BY_EXTENSION:
        disposition = attachment_disposition(await _download_name(request, name), extension)
        if media_type.startswith("text/"):
            media_type += "; charset=utf-8"
    # The names are random and a file never changes under its name: cache a public one for good.
    cache = "public, max-age=31536000, immutable" if space is None else "private, no-store"
    headers = {**SAFE_HEADERS, "Cache-Control": cache, "Content-Disposition": disposition}
    if space is not None:
        headers["Vary"] = "Authorization, Cookie, Signature"
    return FileResponse(path, media_type=media_type, headers=headers)


async def anything_else(request: Request) -> Response:
    return not_found()


routes = [
    Route("/media/{name}", media_file, methods=["GET", "HEAD"]),
    Route("/media/k/{key}/{name}", media_file, methods=["GET", "HEAD"]),
    Route("/media/{rest:path}", anything_else, methods=["GET", "HEAD"]),
    Route("/media", anything_else, methods=["GET", "HEAD"]),
]
