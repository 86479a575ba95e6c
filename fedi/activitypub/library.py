"""A group's shared library as ActivityStreams: each file of a post a Document whose `context` is
the post that shared it (FEP-7888's use of `context` for what an object belongs to), and each
document of the library a Document whose `context` is the space, sent and read here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fedi.activitypub.parse import InvalidActivity, required_uri, text
from fedi.activitypub.vocab import AS_CONTEXT, GROUP_NAMESPACE
from fedi.core.models import Account
from fedi.core.timeutil import to_ap
from fedi.core.urls import Urls
from fedi.db.group_pages import LibraryItem
from fedi.db.library import Document, Version


def file_url(item: LibraryItem, urls: Urls) -> str:
    return urls.attachment(item.file) if item.file else item.remote_url or ""


def library_item_to_ap(item: LibraryItem, shared_by: Account | None, urls: Urls) -> dict[str, Any]:
    document: dict[str, Any] = {
        "type": "Document",
        "mediaType": item.media_type,
        "url": file_url(item, urls),
        "name": item.title,
        "context": item.status_uri,
        "published": to_ap(item.shared_at),
    }
    if shared_by is not None:
        document["attributedTo"] = shared_by.uri
    return document


# A library document as the space sends it: our terms for what ActivityStreams has no word for
# (its title, its size in bytes, its language).
LIBRARY_CONTEXT: list[Any] = [
    AS_CONTEXT,
    {"nb": GROUP_NAMESPACE, "title": "nb:title", "size": "nb:size", "language": "nb:language"},
]
NAME_LIMIT = 200
TEXT_LIMIT = 1500


def document_to_ap(
    document: Document, version: Version, group: Account, url: str, to: list[str], cc: list[str]
) -> dict[str, Any]:
    """A document of a space's library, kept by the space: attributed to it, in its context."""
    found: dict[str, Any] = {
        "id": document.uri,
        "type": "Document",
        "attributedTo": group.uri,
        "context": group.uri,
        "audience": group.uri,
        "name": document.name,
        "title": document.title,
        "summary": document.description or None,
        "language": document.language,
        "mediaType": version.media_type,
        "size": version.size,
        "url": url,
        "published": to_ap(document.created_at),
        "updated": to_ap(version.created_at),
        "to": to,
        "cc": cc,
    }
    return {k: v for k, v in found.items() if v is not None}


@dataclass(frozen=True)
class ParsedDocument:
    uri: str
    attributed_to: str
    context: str
    name: str
    title: str
    description: str
    language: str | None
    media_type: str
    size: int
    url: str


def document_from_ap(obj: dict[str, Any]) -> ParsedDocument:
    """A space's Document, read strictly: every field bounded, the URIs http(s)."""
    size = obj.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise InvalidActivity("a library document has a size in bytes")
    language = obj.get("language")
    media_type = text(obj.get("mediaType"), 100)
    if not media_type or "/" not in media_type:
        raise InvalidActivity("a library document has a media type")
    name = " ".join(text(obj.get("name"), NAME_LIMIT).split())
    if not name:
        raise InvalidActivity("a library document has a name")
    return ParsedDocument(
        uri=required_uri(obj, "id"),
        attributed_to=required_uri(obj, "attributedTo"),
        context=required_uri(obj, "context"),
        name=name,
        title=" ".join(text(obj.get("title"), NAME_LIMIT).split()),
        description=text(obj.get("summary"), TEXT_LIMIT),
        language=language
        if isinstance(language, str) and language.isalpha() and len(language) <= 3
        else None,
        media_type=media_type.lower(),
        size=size,
        url=required_uri(obj, "url"),
    )
