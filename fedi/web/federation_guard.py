"""Refuses any request signed by a key on a domain this instance does not federate with (a
suspended domain, or one off the allowlist in allowlist mode), before anything else runs: no
key is fetched, nothing is read or stored (security.md M1, M8; Mastodon domain_not_allowed?).
Also keeps the federation policy fresh when another process changed it."""

from __future__ import annotations

from collections import OrderedDict

from starlette.types import ASGIApp, Receive, Scope, Send

from fedi.activitypub.parse import host_of
from fedi.context import Context
from fedi.transport.federation_policy import Snapshot
from fedi.web.responses import json_error
from keys.httpsig import (
    JoinedFields,
    ParsedSignature,
    SignatureError,
    joined_raw_fields,
    parse_signature,
)

SIGNATURE_HEADERS = (b"signature", b"signature-input")
_PARSED = "fedi.signature"  # the scope key under which a request's parsed signature is kept
_FIELDS = "fedi.signed_fields"  # and its header fields, joined as signatures read them


def signed_fields(scope: Scope) -> JoinedFields:
    """The request's header fields as signatures read them (names lower-case, repeated fields
    joined), made once per request: parsing the signature and verifying it both use them."""
    fields: JoinedFields | None = scope.get(_FIELDS)
    if fields is None:
        fields = scope[_FIELDS] = joined_raw_fields(scope["headers"])
    return fields


def claimed_signature(scope: Scope) -> ParsedSignature | SignatureError:
    """The request's signature parsed (or why it cannot be), once per request: the rate limits,
    this guard and the inbox all ask."""
    found: ParsedSignature | SignatureError | None = scope.get(_PARSED)
    if found is None:
        try:
            found = parse_signature(signed_fields(scope))
        except SignatureError as exc:
            # Kept without its traceback, whose frames hold the scope that holds the error: a
            # reference cycle (every API request's bearer token lands here) that only the
            # garbage collector would free.
            found = exc.with_traceback(None)
        scope[_PARSED] = found
    return found


class _Refusals:
    """Whether the rules refuse a host, remembered per snapshot of the rules: a snapshot never
    changes (a change of rules makes a new one, which starts afresh), and a busy inbox asks
    about the same few hosts for every request."""

    MAX_HOSTS = 10_000
    MAX_SNAPSHOTS = 8  # one per instance in the process (tests run several)

    def __init__(self) -> None:
        self._by_snapshot: OrderedDict[int, tuple[Snapshot, dict[str, bool]]] = OrderedDict()

    def refuses(self, snapshot: Snapshot, host: str) -> bool:
        entry = self._by_snapshot.get(id(snapshot))
        if entry is None or entry[0] is not snapshot:
            entry = self._by_snapshot[id(snapshot)] = (snapshot, {})
            while len(self._by_snapshot) > self.MAX_SNAPSHOTS:
                self._by_snapshot.popitem(last=False)
        known = entry[1]
        refused = known.get(host)
        if refused is None:
            if len(known) >= self.MAX_HOSTS:
                known.clear()
            refused = known[host] = snapshot.refuses(host)
        return refused


_refusals = _Refusals()


def refuses(snapshot: Snapshot, host: str) -> bool:
    """snapshot.refuses(host), remembered (see _Refusals)."""
    return _refusals.refuses(snapshot, host)


def signing_host(scope: Scope) -> str | None:
    """The host of the key that claims to have signed the request, if it claims any."""
    parsed = claimed_signature(scope)
    return host_of(parsed.key_id) if isinstance(parsed, ParsedSignature) else None


class FederationGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        context: Context | None = getattr(scope["app"].state, "context", None)
        if context is None:
            await self.app(scope, receive, send)
            return
        policy = await context.policy.refresh(context.db)
        if scope["type"] == "http" and signed_by_refused(scope, policy):
            await forbidden(scope, receive, send)
            return
        await self.app(scope, receive, send)


def signed_by_refused(scope: Scope, policy: Snapshot) -> bool:
    """Whether the request claims a signature by a key on a domain the rules refuse."""
    if not any(
        name in SIGNATURE_HEADERS
        or (name == b"authorization" and value[:10].lower() == b"signature ")
        for name, value in scope["headers"]
    ):
        return False  # unsigned, or an app's bearer token: nothing to parse
    host = signing_host(scope)
    return host is not None and host != "" and refuses(policy, host)


async def forbidden(scope: Scope, receive: Receive, send: Send) -> None:
    # Forbidden, with no detail: the other side learns nothing it can work around.
    await json_error(403, "forbidden")(scope, receive, send)
