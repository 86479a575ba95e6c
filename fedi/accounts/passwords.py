"""Password hashing with scrypt, a memory-hard function (RFC 7914), from the standard library.

Stored form: scrypt$<log2 n>$<r>$<p>$<salt, base64>$<hash, base64>. The parameters travel with the
hash so they can be raised later without invalidating existing passwords.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# n = 2**15, r = 8: 32 MiB of memory and about 0.1 s per hash on a small server (OWASP's minimum
# for scrypt is n = 2**17 with r = 8, p = 1; n=2**15 with p=4 gives a comparable work factor).
LOG2_N = 15
R = 8
P = 4
MIN_LENGTH = 8
MAX_LENGTH = 1024


class PasswordError(ValueError):
    """The password is not acceptable; the message says why."""


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise PasswordError(f"the password must have at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise PasswordError(f"the password must have at most {MAX_LENGTH} characters")


def _scrypt(password: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    n = 1 << log2_n
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32, maxmem=256 * n * r + 2**20
    )


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, LOG2_N, R, P)
    b64 = base64.b64encode
    return f"scrypt${LOG2_N}${R}${P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, log2_n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(password, base64.b64decode(salt), int(log2_n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)
