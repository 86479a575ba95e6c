"""Remote actors: fetched, checked, cached in the accounts table and refreshed.

Keys follow security.md A: the key's owner is the actor that lists it (S11); a key that fails to
verify is refetched at most once per cool-off (S12); a routine refetch never swaps a stored key
(S13) — only a refetch after a failed verification, or an Update signed by the old key, does.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from fedi.activitypub.parse import InvalidActivity, host_of, uri_of
from fedi.activitypub.remote_actor import actor_from_ap
from fedi.context import Context
from fedi.core.jsonsafe import JSONError, loads_object
from fedi.core.models import Account, RemoteActor
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts, domain_accounts
from fedi.db.connection import Connection
from fedi.federation.dereference import DereferenceError, fetch_document
from fedi.transport.http import FetchError

log = logging.getLogger(__name__)
ACTOR_TTL = timedelta(days=1)
KEY_REFETCH_COOLOFF = timedelta(minutes=5)
JRD_ACCEPT = "application/jrd+json, application/json"


class ActorError(Exception):
    """The actor cannot be found or trusted; the message says why. Not `retryable` when asking
    again cannot help (its domain is refused, say)."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


async def _lookup(context: Context, uri: str) -> Account | None:
    async with context.db.read() as conn:
        return await accounts.get_by_uri(conn, uri)


async def store_actor(context: Context, actor: RemoteActor, *, accept_new_key: bool) -> Account:
    now = to_db(utcnow())
    is_new = await _lookup(context, actor.uri) is None
    block = context.policy.current.block_for(host_of(actor.uri)) if is_new else None
    stamp = to_db(block.severity_at) if block is not None else None

    def write(conn: Connection) -> int:
        account_id = accounts.upsert_remote(conn, actor, now, accept_new_key=accept_new_key)
        if block is not None and block.severity in ("silence", "suspend"):
            # A new account of a limited or suspended domain is born limited or suspended.
            domain_accounts.stamp_new_account(
                conn, account_id,
                silenced_at=stamp if block.severity == "silence" else None,
                suspended_at=stamp if block.severity == "suspend" else None,
            )  # fmt: skip
        return account_id

    account_id = await context.db.write(write)
    async with context.db.read() as conn:
        stored = await accounts.get_by_id(conn, account_id)
    assert stored is not None
    context.key_owners.put(stored)
    return stored


async def fetch_actor(context: Context, uri: str, *, accept_new_key: bool = False) -> Account:
    """The actor fetched from its origin and stored; concurrent fetches of one actor (a burst
    of activities naming it) share one request."""
    return await context.key_owners.once(
        f"actor {accept_new_key} {uri}", lambda: _fetch_actor(context, uri, accept_new_key)
    )


async def _fetch_actor(context: Context, uri: str, accept_new_key: bool) -> Account:
    try:
        document = await fetch_document(context, uri)
    except DereferenceError as exc:
        raise ActorError(str(exc), retryable=exc.retryable) from None
    return await _store_fetched(context, uri, document, accept_new_key)


async def _store_fetched(
    context: Context, uri: str, document: dict[str, Any], accept_new_key: bool
) -> Account:
    """The actor document fetched from `uri`, checked and stored."""
    try:
        actor = actor_from_ap(document)
    except InvalidActivity as exc:
        raise ActorError(str(exc)) from None
    if actor.uri != uri and host_of(actor.uri) != host_of(uri):
        raise ActorError(f"{uri} resolved to an actor on another host")
    existing = await _lookup(context, actor.uri)
    # A first sight of an actor has no old key to protect.
    return await store_actor(context, actor, accept_new_key=accept_new_key or existing is None)


async def get_actor(context: Context, uri: str, *, refresh: bool = False) -> Account:
    """The actor with this id: local, cached (refreshed once a day) or fetched."""
    if host_of(uri) == context.settings.domain:
        account = await _lookup(context, uri)
        if account is None:
            raise ActorError(f"no local actor {uri}")
        return account
    account = await _lookup(context, uri)
    if account is not None and not refresh:
        fetched = account.fetched_at
        if fetched is not None and utcnow() - fetched < ACTOR_TTL:
            return account
    try:
        return await fetch_actor(context, uri)
    except ActorError:
        if account is not None:  # the cached copy stays usable while its server is away
            return account
        raise


async def actor_for_key_id(context: Context, key_id: str) -> Account:
    """The actor owning key_id, fetched if needed. The key id is the actor id plus a fragment
    (Mastodon), or a separate key document naming its owner (GoToSocial)."""
    cached = context.key_owners.get(key_id)
    if cached is not None:
        return cached
    async with context.db.read() as conn:
        known = await accounts.get_by_key_id(conn, key_id)
    if known is not None:
        context.key_owners.put(known)
        return known
    if host_of(key_id) == context.settings.domain:
        raise ActorError("a remote signature cannot use one of our keys")
    # Requests signed with a key we do not know yet arrive in bursts: one fetch for all of them.
    return await context.key_owners.once(f"key {key_id}", lambda: _fetch_key_owner(context, key_id))


async def _fetch_key_owner(context: Context, key_id: str) -> Account:
    document_uri = key_id.split("#", 1)[0]
    try:
        document = await fetch_document(context, document_uri)
    except DereferenceError as exc:
        raise ActorError(str(exc), retryable=exc.retryable) from None
    owner_uri = document_uri
    if "inbox" not in document:  # a key document: follow its owner, on the same host
        owner = uri_of(document.get("owner"))
        if owner is None or host_of(owner) != host_of(key_id):
            raise ActorError("the key names no owner on its own host")
        owner_uri = owner
    if owner_uri == document_uri and await _lookup(context, owner_uri) is None:
        # The key's document is its actor, seen for the first time: stored from this fetch
        # rather than fetched again (a known actor goes through get_actor, whose stored key a
        # fetch does not replace, S13).
        account = await _store_fetched(context, owner_uri, document, accept_new_key=True)
    else:
        account = await get_actor(context, owner_uri)
    if account.public_key_id != key_id:
        raise ActorError("the key's owner does not list this key")  # S11
    return account


async def refetch_key(context: Context, account: Account) -> Account | None:
    """After a failed verification: refetch the actor once per cool-off and take its new key.
    Returns None inside the cool-off, so a flood of bad signatures costs one fetch (S12)."""
    now = utcnow()
    if account.key_refetched_at and now - account.key_refetched_at < KEY_REFETCH_COOLOFF:
        return None
    cached = context.key_owners.get(account.public_key_id or "")
    if (
        cached is not None
        and cached.key_refetched_at
        and now - cached.key_refetched_at < (KEY_REFETCH_COOLOFF)
    ):
        return None  # a request that raced this one has just spent the refetch
    # The cached copy carries the cool-off at once, or a failing refetch would be retried each
    # time, and requests failing meanwhile would each refetch.
    context.key_owners.put(replace(account, key_refetched_at=now))
    await context.db.write(lambda conn: accounts.mark_key_refetched(conn, account.id, to_db(now)))
    try:
        return await fetch_actor(context, account.uri, accept_new_key=True)
    except ActorError as exc:
        log.info("key refetch for %s failed: %s", account.uri, exc)
        return None


def parse_handle(handle: str) -> tuple[str, str]:
    """'@alice@social.example' or 'alice@social.example' -> ('alice', 'social.example')."""
    username, at, domain = handle.strip().removeprefix("acct:").lstrip("@").partition("@")
    if not at or not username or not domain or "@" in domain or "/" in domain:
        raise ActorError(f"{handle!r} is not a handle like @name@server.example")
    return username, domain.lower()


async def resolve_handle(context: Context, handle: str) -> Account:
    """A remote account by its handle, through WebFinger (RFC 7033)."""
    username, domain = parse_handle(handle)
    if domain != context.settings.domain and context.policy.refuses(domain):
        # No WebFinger request to a domain we do not federate with.
        raise ActorError(f"{username}@{domain} is on a domain this server does not federate with",
                         retryable=False)  # fmt: skip
    if domain == context.settings.domain:
        async with context.db.read() as conn:
            local = await accounts.get_local_actor(conn, username)
        if local is None:
            raise ActorError(f"no local account {username}")
        return local
    # The remote server is reached over the scheme this server itself uses: https in
    # production; http only for local set-ups and tests.
    query = urlencode({"resource": f"acct:{username}@{domain}"})
    url = f"{context.settings.scheme}://{domain}/.well-known/webfinger?{query}"
    try:
        response = await context.http.get(url, {"Accept": JRD_ACCEPT})
        if response.status != 200:
            raise ActorError(f"WebFinger for {username}@{domain} answered {response.status}")
        jrd = loads_object(response.body, 256 * 1024)
    except (FetchError, JSONError) as exc:
        raise ActorError(f"WebFinger for {username}@{domain} failed: {exc}") from None
    links = jrd.get("links")
    actor_uri = None
    for link in links if isinstance(links, list) else []:
        if (
            isinstance(link, dict)
            and link.get("rel") == "self"
            and "json" in str(link.get("type", ""))
        ):
            actor_uri = uri_of(link.get("href"))
            break
    if actor_uri is None:
        raise ActorError(f"WebFinger for {username}@{domain} names no ActivityPub actor")
    account = await get_actor(context, actor_uri)
    if account.username.lower() != username.lower():
        raise ActorError(f"{actor_uri} is not {username}@{domain}")
    return account
