"""RSA key pairs for actors: generation and PEM encoding.

Mastodon and every other mainstream server sign with RSA-2048 (PKCS#1 v1.5, SHA-256),
so that is what each actor gets.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_BITS = 2048
PUBLIC_EXPONENT = 65537


@dataclass(frozen=True)
class KeyPair:
    private_pem: str
    public_pem: str


def generate_keypair(bits: int = KEY_BITS) -> KeyPair:
    private_key = rsa.generate_private_key(public_exponent=PUBLIC_EXPONENT, key_size=bits)
    return keypair_from_private(private_key)


def keypair_from_private(private_key: rsa.RSAPrivateKey) -> KeyPair:
    private_pem = private_key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    ).decode("ascii")
    return KeyPair(private_pem=private_pem, public_pem=public_pem_of(private_key))


def public_pem_of(private_key: rsa.RSAPrivateKey) -> str:
    return (
        private_key.public_key()
        .public_bytes(
            encoding=serialization.Encoding.PEM,
            format=serialization.PublicFormat.SubjectPublicKeyInfo,
        )
        .decode("ascii")
    )


def load_private_key(pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA private key")
    return key
