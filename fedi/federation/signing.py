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
import time
from collections.abc import Callable, Iterable
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

__all__ = ["AccountSigner", "Signer", "SigningBatch", "cavage_headers", "signer_for"]

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
_AheadKey = tuple[str, str, str, bytes | None, str]
# How long a signature made ahead may wait for its request: a delivery round's requests go out
# within a second or two; one held up longer (slow hosts ahead of it) is signed afresh.
AHEAD_FOR = 30.0


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
    return _sent(headers, _signed(method, url, body, private_key, key_id, now), body is not None)


def _signed(
    method: str,
    url: str,
    body: bytes | None,
    private_key: rsa.RSAPrivateKey,
    key_id: str,
    now: datetime,
) -> dict[str, str]:
    """Host, Date, Digest (with a body) and Signature, in that order."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    host, target = _host_and_target(url)
    date = _http_date(int(now.timestamp()))
    text = f"(request-target): {method.lower()} {target}\nhost: {host}\ndate: {date}"
    signed = {"Host": host, "Date": date}
    if body is not None:
        signed["Digest"] = digest = _digest(body)
        text = f"{text}\ndigest: {digest}"
    raw = private_key.sign(text.encode(), _PADDING, _SHA256)
    names = _NAMES if body is not None else _NAMES_WITHOUT_BODY
    signature = base64.b64encode(raw).decode("ascii")
    signed["Signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{names}",signature="{signature}"'
    )
    return signed


def _sent(headers: dict[str, str], signed: dict[str, str], has_body: bool) -> dict[str, str]:
    """The caller's headers but those signed here (and any Signature), then the signed ones."""
    replaced = _REPLACED if has_body else _REPLACED_WITHOUT_BODY
    sent = {name: value for name, value in headers.items() if name.lower() not in replaced}
    sent.update(signed)
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
    Each is signed just before it is sent, with the time of signing as its Date, unless it was
    signed ahead (sign_ahead) less than AHEAD_FOR seconds before."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._waiting: list[tuple[_Request, asyncio.Future[dict[str, str]]]] = []
        self._ahead: dict[_AheadKey, tuple[float, dict[str, str]]] = {}
        self._clock = clock

    def sign_ahead(self, requests: Iterable[_Request]) -> None:
        """Sign these requests now, all in a row, before any of them is sent: a delivery round
        signs its requests while the network is quiet rather than between answers, and RSA
        then runs at its full speed. Sign asks for one of them takes this signature, if it is
        still fresh; one that cannot be signed here is signed, and fails, when asked for."""
        signed_at = self._clock()
        for method, url, _, body, private_key, key_id, now in requests:
            try:
                signed = _signed(method, url, body, private_key, key_id, now)
            except ValueError:
                continue
            self._ahead[_ahead_key(method, url, body, key_id)] = (signed_at, signed)

    async def sign(self, request: _Request) -> dict[str, str]:
        if self._ahead:
            method, url, headers, body, _, key_id, _ = request
            ahead = self._ahead.pop(_ahead_key(method, url, body, key_id), None)
            if ahead is not None and self._clock() - ahead[0] < AHEAD_FOR:
                return _sent(headers, ahead[1], body is not None)
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


def _ahead_key(method: str, url: str, body: bytes | None, key_id: str) -> _AheadKey:
    """What a signature covers besides the Date (two spellings of one URL sign alike)."""
    try:
        host, target = _host_and_target(url)
    except ValueError:
        host, target = "", url
    return (method.lower(), host, target, body, key_id)


class AccountSigner:
    """A local account's Signer: signs each request it is handed, in its batch if it has one."""

    def __init__(self, private_key: rsa.RSAPrivateKey, key_id: str, batch: SigningBatch | None):
        self._private_key = private_key
        self._key_id = key_id
        self._batch = batch

    async def __call__(
        self, method: str, url: str, headers: dict[str, str], body: bytes | None
    ) -> dict[str, str]:
        request = (method, url, headers, body, self._private_key, self._key_id, utcnow())
        if self._batch is not None:
            return await self._batch.sign(request)
        return cavage_headers(*request)

    def sign_ahead(self, posts: Iterable[tuple[str, bytes]]) -> None:
        """POSTs of these (url, body) about to be made: with a batch, signed now, in a row."""
        if self._batch is not None:
            now = utcnow()
            self._batch.sign_ahead(
                ("POST", url, {}, body, self._private_key, self._key_id, now) for url, body in posts
            )


def signer_for(
    context: Context, account: Account, batch: SigningBatch | None = None
) -> AccountSigner:
    """A signer for the account's requests. The private key is loaded once, here (KeyStoreError
    if it cannot be): make a signer per request, or per delivery round, so that a rotated key
    is picked up by the next one. With a batch, signatures are made in its batches."""
    assert account.is_local and account.public_key_id
    key_id = account.public_key_id
    if not key_id.isascii() or not key_id.isprintable() or '"' in key_id:
        raise ValueError(f"key id cannot be sent in a Signature header: {key_id!r}")
    return AccountSigner(context.keys.load(account.id), key_id, batch)
