"""GET /library/files/<version id>: a remote space's library document for one of its members
here (signed in, or with a token granting read), fetched from the space's server on their
behalf (fedi.library.remote.download) and handed over privately, never cached or kept. Anyone
else, and any failure, gets the 404 of a missing file."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.core.ids import parse_id
from fedi.library.remote import DownloadError, download
from fedi.media.media import MEDIA_TYPES
from fedi.web.media import SAFE_HEADERS, attachment_disposition, not_found, reader_of
from fedi.web.state import context_of

_EXTENSIONS = {media_type: extension for extension, media_type in MEDIA_TYPES.items()}


async def library_file(request: Request) -> Response:
    version_id = parse_id(request.path_params["version_id"])
    reader = await reader_of(request, signed=False)
    if version_id is None or reader is None or reader.domain is not None:
        return not_found()
    try:
        found = await download(context_of(request), version_id, reader)
    except DownloadError:
        return not_found()
    extension = _EXTENSIONS.get(found.media_type)
    if extension is None:  # a type we would not serve from our own uploads: bytes to save
        media_type, extension = "application/octet-stream", "bin"
    else:
        media_type = found.media_type
    headers = {
        **SAFE_HEADERS,
        "Cache-Control": "private, no-store",
        "Content-Disposition": attachment_disposition(found.document.name, extension),
    }
    return Response(found.data, media_type=media_type, headers=headers)


routes = [Route("/library/files/{version_id}", library_file, methods=["GET"])]
