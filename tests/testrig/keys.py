"""Pre-generated RSA-2048 key pairs for tests: generating a key costs ~50 ms, and a test run
makes hundreds. Each call hands out the next key of a pool made once per process, so keys are
distinct unless a test asks for more keys than the pool holds."""

from __future__ import annotations

import itertools
from functools import lru_cache

from cryptography.hazmat.primitives.asymmetric import rsa

from keys.keypair import KeyPair, keypair_from_private

POOL = 48


@lru_cache(maxsize=1)
def _pool() -> tuple[rsa.RSAPrivateKey, ...]:
    return tuple(
        rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(POOL)
    )


_counter = itertools.count()


def next_private_key() -> rsa.RSAPrivateKey:
    return _pool()[next(_counter) % POOL]


def next_keypair(bits: int = 2048) -> KeyPair:
    if bits != 2048:
        return keypair_from_private(rsa.generate_private_key(public_exponent=65537, key_size=bits))
    return keypair_from_private(next_private_key())
