"""The tokens links in mails carry: 256 random bits, handed out once in the mail and stored as
their SHA-256 only, so that a copy of the database opens nothing."""

from __future__ import annotations

import hashlib
import secrets

MAX_TOKEN = 128  # longer input is not one of ours: refused before it is hashed


def new_token() -> tuple[str, str]:
    """A token for a link, and the digest to store."""
    token = secrets.token_urlsafe(32)
    return token, digest_of(token)


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def looks_like_token(token: str) -> bool:
    return 20 <= len(token) <= MAX_TOKEN and token.replace("-", "").replace("_", "").isalnum()
