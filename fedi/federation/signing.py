"""Signing this server's outgoing requests with a local actor's key (draft-cavage, as Mastodon
sends; the verification side accepts RFC 9421 too).

cavage_headers makes exactly the headers keys.httpsig.sign_request makes (a test holds them to
it) at the cost of the RSA signature alone: a fan-out signs the same body for hundreds of inboxes,
so the body's digest, the Date of the current second and each URL's host and target are worked
out once, not once per request.
"""

from __future__ import annotations

import asyncio
import base64
import functools
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from fedi.context import Context
from fedi.core.models import Account
from fedi.core.timeutil import utcnow
from fedi.transport.http import Signer
from keys.digest import digest_header

__all__ = ["Signer", "SigningBatch", "cavage_headers", "signer_for"]

_PADDING = padding.PKCS1v15()
_SHA256 = hashes.SHA256()
_DEFAULT_PORTS = {"http": 80, "https": 443}
# The signed headers, in the order they are signed; a caller's headers of these names (and its
# Signature) are replaced.
_NAMES = "(request-target) host date digest"
_NAMES_WITHOUT_BODY = "(request-target) host date"
_REPLACED = frozenset({"host", "date", "digest", "signature"})
_REPLACED_WITHOUT_BODY = frozenset({"host", "date", "signature"})

_Request = tuple[str, str, dict[str, str], bytes | None, rsa.RSAPrivateKey, str, datetime]


def cavage_headers(
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes | None,
    private_key: rsa.RSAPrivateKey,
    key_id: str,
    now: datetime,
) -> dict[str, str]:
    """headers with Host, Date, Digest (with a body) and a draft-cavage Signature over
    (request-target), host, date and digest, RSASSA-PKCS1-v1_5 with SHA-256, as Mastodon signs."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    host, target = _host_and_target(url)
    date = _http_date(int(now.timestamp()))
    text = f"(request-target): {method.lower()} {target}\nhost: {host}\ndate: {date}"
    if body is not None:
        digest = _digest(body)
        text = f"{text}\ndigest: {digest}"
    raw = private_key.sign(text.encode(), _PADDING, _SHA256)
    replaced = _REPLACED if body is not None else _REPLACED_WITHOUT_BODY
    sent = {name: value for name, value in headers.items() if name.lower() not in replaced}
    sent["Host"] = host
    sent["Date"] = date
    if body is not None:
        sent["Digest"] = digest
    names = _NAMES if body is not None else _NAMES_WITHOUT_BODY
    signature = base64.b64encode(raw).decode("ascii")
    sent["Signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{names}",signature="{signature}"'
    )
    return sent


@functools.lru_cache(maxsize=4096)
def _host_and_target(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    if parts.hostname is None:
        raise ValueError(f"URL without a host: {url!r}")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if parts.port is not None and parts.port != _DEFAULT_PORTS.get(parts.scheme):
        host = f"{host}:{parts.port}"
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return host, target


@functools.lru_cache(maxsize=4)
def _http_date(second: int) -> str:
    return format_datetime(datetime.fromtimestamp(second, UTC), usegmt=True)


@functools.lru_cache(maxsize=8)  # the bodies of the activities being delivered now
def _digest(body: bytes) -> str:
    return digest_header(body)


class SigningBatch:
    """Signs the requests that ask for a signature in the same turn of the event loop one after
    another, at the end of that turn, rather than each between its own network work: RSA with
    warm caches costs noticeably less (a delivery round has dozens of requests ready at once).
    Each is still signed just before it is sent, with the time of signing as its Date."""

    def __init__(self) -> None:
        self._waiting: list[tuple[_Request, asyncio.Future[dict[str, str]]]] = []

    async def sign(self, request: _Request) -> dict[str, str]:
        loop = asyncio.get_running_loop()
        if not self._waiting:
            loop.call_soon(self._run)
        signed: asyncio.Future[dict[str, str]] = loop.create_future()
        self._waiting.append((request, signed))
        return await signed

    def _run(self) -> None:
        batch, self._waiting = self._waiting, []
        for request, signed in batch:
            if signed.cancelled():
                continue
            try:
                signed.set_result(cavage_headers(*request))
            except Exception as exc:  # handed to the one request it belongs to
                signed.set_exception(exc)


def signer_for(context: Context, account: Account, batch: SigningBatch | None = None) -> Signer:
    """A signer for the account's requests. The private key is loaded once, here (KeyStoreError
    if it cannot be): make a signer per request, or per delivery round, so that a rotated key
    is picked up by the next one. With a batch, signatures are made in its batches."""
    assert account.is_local and account.public_key_id
    key_id = account.public_key_id
    if not key_id.isascii() or not key_id.isprintable() or '"' in key_id:
        raise ValueError(f"key id cannot be sent in a Signature header: {key_id!r}")
    private_key = context.keys.load(account.id)

    async def sign(
        method: str, url: str, headers: dict[str, str], body: bytes | None
    ) -> dict[str, str]:
        request = (method, url, headers, body, private_key, key_id, utcnow())
        if batch is not None:
            return await batch.sign(request)
        return cavage_headers(*request)

    return sign
