"""Paged OrderedCollections, Mastodon-style: the collection names its first page, and each page
links to the next one by a max_id cursor, so pages stay stable while new items arrive."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from fedi.activitypub.vocab import AS_CONTEXT

PAGE_SIZE = 20


def ordered_collection(uri: str, total: int) -> dict[str, Any]:
    return {
        "@context": AS_CONTEXT,
        "id": uri,
        "type": "OrderedCollection",
        "totalItems": total,
        "first": page_uri(uri, None),
    }


def page_uri(collection_uri: str, max_id: int | None) -> str:
    query: dict[str, str] = {"page": "true"}
    if max_id is not None:
        query["max_id"] = str(max_id)
    return f"{collection_uri}?{urlencode(query)}"


def ordered_page(
    collection_uri: str,
    max_id: int | None,
    total: int,
    items: Sequence[Any],
    last_key: int | None,
    has_more: bool,
    context: Any = AS_CONTEXT,
) -> dict[str, Any]:
    page: dict[str, Any] = {
        "@context": context,
        "id": page_uri(collection_uri, max_id),
        "type": "OrderedCollectionPage",
        "totalItems": total,
        "partOf": collection_uri,
        "orderedItems": list(items),
    }
    if has_more and last_key is not None:
        page["next"] = page_uri(collection_uri, last_key)
    if max_id is not None:
        page["prev"] = page_uri(collection_uri, None)
    return page
