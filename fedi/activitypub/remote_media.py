"""The media of a remote media object (Image, Audio, Video, Document) read from its own `url`:
a URL, a Link, or a list of Links of several kinds (PeerTube's renditions and torrents beside its
page, Funkwhale's stream beside its page). One file is kept, linked where its server has it."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from fedi.activitypub.parse import as_list, text, uri_of
from fedi.core.models import NewAttachment

MEDIA_TYPES = ("Image", "Audio", "Video", "Document")
_PREFIX = {"Image": "image/", "Audio": "audio/", "Video": "video/"}
_FALLBACK = {"Image": "image/jpeg", "Audio": "audio/mpeg", "Video": "video/mp4"}
_MEDIA = ("image/", "video/", "audio/")
MAX_LINKS = 64
BEST_HEIGHT = 1080  # the largest video rendition kept: apps play it inline


@dataclass(frozen=True)
class _Link:
    href: str
    media_type: str
    width: int | None
    height: int | None


def _size(value: Any) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 < value < 100_000
    return value if ok else None


def _guess(href: str) -> str:
    guessed, _ = mimetypes.guess_type(urlsplit(href).path)
    return guessed or ""


def _links(document: dict[str, Any]) -> list[_Link]:
    """Every http(s) link of the object's `url`, with its media type (stated by a Link as
    `mediaType`, or `mimeType` in older PeerTube and Funkwhale; else the object's own, when it
    names a file type, or guessed from the path)."""
    own = text(document.get("mediaType"), 100)
    found = []
    for value in as_list(document.get("url"))[:MAX_LINKS]:
        if isinstance(value, str):
            href = uri_of(value)
            media_type = own if own.startswith(_MEDIA) else ""
            width, height = _size(document.get("width")), _size(document.get("height"))
        elif isinstance(value, dict):
            raw = value.get("href") if isinstance(value.get("href"), str) else value.get("url")
            href = uri_of(raw) if isinstance(raw, str) else None
            media_type = text(value.get("mediaType") or value.get("mimeType"), 100)
            width, height = _size(value.get("width")), _size(value.get("height"))
        else:
            continue
        if href is not None:
            found.append(_Link(href, media_type.lower() or _guess(href), width, height))
    return found


def _pick(links: list[_Link], object_type: str) -> _Link | None:
    prefix = _PREFIX.get(object_type)
    if prefix is None:  # a Document: its first file that is not a web page
        return next((link for link in links if link.media_type.split(";")[0] != "text/html"),
                    None)  # fmt: skip
    fitting = [link for link in links if link.media_type.startswith(prefix)]
    if object_type == "Video" and fitting:
        sized = [link for link in fitting if (link.height or 0) <= BEST_HEIGHT]
        return max(sized, key=lambda link: link.height or 0) if sized else fitting[0]
    if fitting:
        return fitting[0]
    # A bare URL of unknown type on an Image or Audio: its file all the same.
    return next((link for link in links if not link.media_type), None)


def own_media(document: dict[str, Any], object_type: str) -> tuple[NewAttachment, ...]:
    """The object's own file as an attachment (none when its `url` names none), described by
    the object's name."""
    link = _pick(_links(document), object_type)
    if link is None:
        return ()
    return (
        NewAttachment(
            media_type=link.media_type or _FALLBACK.get(object_type, ""),
            remote_url=link.href,
            description=text(document.get("name"), 1500),
            blurhash=text(document.get("blurhash"), 100) or None,
            width=link.width,
            height=link.height,
        ),
    )


def page_url(document: dict[str, Any]) -> str | None:
    """The object's web page among its links (a text/html Link), if it names one."""
    for link in _links(document):
        if link.media_type.split(";")[0] == "text/html":
            return link.href
    return None
