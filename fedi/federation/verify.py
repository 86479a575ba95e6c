"""Verifying the HTTP signature of an incoming request (inbox POSTs and signed GETs) and finding
the actor who made it, by the rules of security.md section A."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fedi.activitypub.parse import host_of
from fedi.context import Context
from fedi.core.models import Account
from fedi.core.timeutil import utcnow
from fedi.federation.remote_accounts import ActorError, actor_for_key_id, refetch_key
from keys.httpsig import (
    KeyMismatchError,
    ParsedSignature,
    SignatureError,
    load_public_key,
    parse_signature,
    verify_request,
)

log = logging.getLogger(__name__)


class VerificationError(Exception):
    """The request is not signed acceptably; the message is the reason given in the 401."""


def request_target(scope: Mapping[str, Any]) -> str:
    """The path and query as the client sent them: what `(request-target)` signs."""
    path = scope.get("raw_path") or scope["path"].encode()
    query = scope.get("query_string", b"")
    target = bytes(path) + (b"?" + bytes(query) if query else b"")
    return target.decode("latin-1")


def parse(headers: Mapping[str, str]) -> ParsedSignature:
    """The signature of a request, read without its key. `headers` may be JoinedFields (made
    once per request in front of the application), which verification then reuses."""
    try:
        return parse_signature(headers)
    except SignatureError as exc:
        raise VerificationError(str(exc)) from None


def _check(
    context: Context,
    account: Account,
    parsed: ParsedSignature,
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes,
) -> None:
    if not account.public_key_pem:
        raise SignatureError("the signer has no key")
    key = load_public_key(account.public_key_pem)
    verify_request(
        method,
        target,
        headers,
        body,
        key,
        parsed,
        expected_host=context.settings.domain,
        now=utcnow(),
        scheme=context.settings.scheme,
    )


async def verify_signed_request(
    context: Context,
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes,
    parsed: ParsedSignature | None = None,
) -> Account:
    """The actor whose key signed this request. Raises VerificationError."""
    parsed = parsed or parse(headers)
    if host_of(parsed.key_id) == context.settings.domain:
        raise VerificationError("signed with a key of this server")
    try:
        account = await actor_for_key_id(context, parsed.key_id)
    except ActorError as exc:
        # Why the key could not be had stays here: a resolver's or the address guard's words
        # would tell anyone which internal names exist.
        log.info("refused a signature: the key %s cannot be used: %s", parsed.key_id[:300], exc)
        raise VerificationError("the signing key cannot be used") from None
    try:
        _check(context, account, parsed, method, target, headers, body)
        return account
    except KeyMismatchError:
        pass  # a newer key could cure this; anything else is the request's own fault
    except SignatureError as exc:
        raise VerificationError(str(exc)) from None
    # The actor may have rotated its key: refetch once per cool-off and try again (S12).
    refreshed = await refetch_key(context, account)
    if refreshed is None or refreshed.public_key_pem == account.public_key_pem:
        raise VerificationError("signature does not verify")
    if refreshed.public_key_id != parsed.key_id:
        raise VerificationError("the signing key is no longer the actor's key")
    try:
        _check(context, refreshed, parsed, method, target, headers, body)
    except SignatureError as exc:
        raise VerificationError(str(exc)) from None
    return refreshed
