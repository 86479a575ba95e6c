"""Fetching remote ActivityPub documents, signed by the instance actor, with the origin checks of
security.md section A: the document's id is where it came from (S14, S16), it is served as
ActivityStreams (S15), and nothing claiming our own domain is fetched or believed (S18)."""

from __future__ import annotations

import logging
from typing import Any

from yarl import URL

from fedi.activitypub.parse import host_of, uri_of
from fedi.context import Context
from fedi.core.jsonsafe import JSONError, loads_object
from fedi.federation.signing import signer_for
from fedi.transport.http import FetchError, HttpResponse

log = logging.getLogger(__name__)
AS_ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
MAX_DOCUMENT_BYTES = 1_048_576


class DereferenceError(Exception):
    """The document could not be fetched or is not to be trusted. Not `retryable` when asking
    again cannot help (a refused domain, a forbidden address, an oversized body)."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class Gone(DereferenceError):
    """The server says the object was deleted (410)."""


def is_activitystreams(content_type: str) -> bool:
    media, _, params = content_type.partition(";")
    media = media.strip().lower()
    if media == "application/activity+json":
        return True
    if media == "application/ld+json":
        # Mastodon sends the profile; some servers send plain ld+json, still ActivityStreams.
        return "profile" not in params or "activitystreams" in params
    return False


async def _get(context: Context, uri: str) -> HttpResponse:
    if host_of(uri) == context.settings.domain:
        raise DereferenceError(f"refusing to fetch our own domain: {uri}")
    try:
        response = await context.http.get(
            uri, {"Accept": AS_ACCEPT}, sign=signer_for(context, context.instance_actor)
        )
    except FetchError as exc:
        raise DereferenceError(f"fetching {uri} failed: {exc}", retryable=exc.retryable) from None
    if response.status == 410:
        raise Gone(f"{uri} is gone")
    if response.status != 200:
        raise DereferenceError(f"fetching {uri} answered {response.status}")
    if not is_activitystreams(response.headers.get("content-type", "")):
        raise DereferenceError(f"{uri} is not served as ActivityStreams")  # S15
    return response


def canonical(uri: str) -> str:
    """A URL as the HTTP client reports it (lower-case host, default port dropped, escapes
    normalised), so an id can be compared with the URL its document came from."""
    try:
        return str(URL(uri))
    except (ValueError, TypeError):
        return uri


def _parse(response: HttpResponse) -> tuple[dict[str, Any], str | None]:
    try:
        document = loads_object(response.body, MAX_DOCUMENT_BYTES)
    except JSONError as exc:
        raise DereferenceError(f"{response.url}: {exc}") from None
    return document, uri_of(document.get("id"))


async def fetch_document(context: Context, uri: str) -> dict[str, Any]:
    """The document at uri, whose id is the URL it was finally served from."""
    response = await _get(context, uri)
    document, document_id = _parse(response)
    if document_id is None or canonical(document_id) != canonical(response.url):
        # A document may name a different id on the same host (a redirect to the canonical
        # URL, or a /@user alias); then that id itself must serve it. Another host: discard.
        if document_id is None or host_of(document_id) != host_of(response.url):
            raise DereferenceError(f"{uri} served a document claiming to be {document_id}")
        response = await _get(context, document_id)
        document, second_id = _parse(response)
        if second_id is None or canonical(second_id) != canonical(response.url):
            raise DereferenceError(f"{document_id} does not serve itself")
        document_id = second_id
    assert document_id is not None
    if host_of(document_id) == context.settings.domain:
        raise DereferenceError(f"{uri} claims to be on our own domain")  # S18
    return document
