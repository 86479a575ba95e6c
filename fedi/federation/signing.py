"""Signing this server's outgoing requests with a local actor's key (draft-cavage, as Mastodon
sends; the verification side accepts RFC 9421 too)."""

from __future__ import annotations

import asyncio
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric import rsa

from fedi.context import Context
from fedi.core.models import Account
from fedi.core.timeutil import utcnow
from fedi.transport.http import Signer
from keys.httpsig import sign_request

__all__ = ["Signer", "SigningBatch", "signer_for"]

_Request = tuple[str, str, dict[str, str], bytes | None, rsa.RSAPrivateKey, str, datetime]


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
                signed.set_result(sign_request(*request))
            except Exception as exc:  # handed to the one request it belongs to
                signed.set_exception(exc)


def signer_for(context: Context, account: Account, batch: SigningBatch | None = None) -> Signer:
    """A signer for the account's requests. The private key is loaded once, here (KeyStoreError
    if it cannot be): make a signer per request, or per delivery round, so that a rotated key
    is picked up by the next one. With a batch, signatures are made in its batches."""
    assert account.is_local and account.public_key_id
    private_key = context.keys.load(account.id)
    key_id = account.public_key_id

    async def sign(
        method: str, url: str, headers: dict[str, str], body: bytes | None
    ) -> dict[str, str]:
        if batch is not None:
            return await batch.sign((method, url, headers, body, private_key, key_id, utcnow()))
        return sign_request(method, url, headers, body, private_key, key_id, utcnow())

    return sign
