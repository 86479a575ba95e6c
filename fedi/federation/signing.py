"""Signing this server's outgoing requests with a local actor's key (draft-cavage, as Mastodon
sends; the verification side accepts RFC 9421 too)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fedi.context import Context
from fedi.core.models import Account
from fedi.core.timeutil import utcnow
from keys.httpsig import sign_request

Signer = Callable[[str, str, dict[str, str], bytes | None], Awaitable[dict[str, str]]]


def signer_for(context: Context, account: Account) -> Signer:
    assert account.is_local and account.public_key_id

    async def sign(
        method: str, url: str, headers: dict[str, str], body: bytes | None
    ) -> dict[str, str]:
        private_key = context.keys.load(account.id)
        return sign_request(
            method, url, headers, body, private_key, account.public_key_id or "", utcnow()
        )

    return sign
