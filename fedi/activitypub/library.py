"""A group's shared library as ActivityStreams: each file a Document whose `context` is the post
that shared it (FEP-7888's use of `context` for what an object belongs to)."""

from __future__ import annotations

from typing import Any

from fedi.core.models import Account
from fedi.core.timeutil import to_ap
from fedi.core.urls import Urls
from fedi.db.group_pages import LibraryItem


def file_url(item: LibraryItem, urls: Urls) -> str:
    return urls.media(item.file) if item.file else item.remote_url or ""


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
