"""Signing this server's outgoing requests with a local actor's key (draft-cavage, as Mastodon
sends; the verification side accepts RFC 9421 too)."""

from __future__ import annotations

from fedi.context import Context
from fedi.core.models import Account
from fedi.core.timeutil import utcnow
from fedi.transport.http import Signer
from keys.httpsig import sign_request

__all__ = ["Signer", "signer_for"]


def signer_for(context: Context, account: Account) -> Signer:
    """A signer for the account's requests. The private key is loaded once, here (KeyStoreError
    if it cannot be): make a signer per request, or per delivery round, so that a rotated key
    is picked up by the next one."""
    assert account.is_local and account.public_key_id
    private_key = context.keys.load(account.id)
    key_id = account.public_key_id

    async def sign(
        method: str, url: str, headers: dict[str, str], body: bytes | None
    ) -> dict[str, str]:
        return sign_request(method, url, headers, body, private_key, key_id, utcnow())

    return sign
