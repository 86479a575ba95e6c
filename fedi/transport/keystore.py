"""Private keys on disk: one PEM file per local actor in <data dir>/keys, readable by the server's
user only (files 0600, directory 0700). Private keys never enter the database or any response."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa

from keys.keypair import load_private_key


class KeyStoreError(Exception):
    """A private key is missing or unreadable; the message is fit for an operator."""


class KeyStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def ensure_directory(self) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)

    def path_for(self, account_id: int) -> Path:
        return self.directory / f"{account_id}.pem"

    def save(self, account_id: int, private_pem: str) -> None:
        """Write atomically with mode 0600 from the start (never world-readable, even briefly)."""
        self.ensure_directory()
        final = self.path_for(account_id)
        temporary = final.with_suffix(".pem.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, private_pem.encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, final)
        _load_cached.cache_clear()  # a rotated key must not be served from the cache

    def delete(self, account_id: int) -> None:
        self.path_for(account_id).unlink(missing_ok=True)

    def load(self, account_id: int) -> rsa.RSAPrivateKey:
        return _load_cached(self.path_for(account_id))


@lru_cache(maxsize=1024)
def _load_cached(path: Path) -> rsa.RSAPrivateKey:
    try:
        return load_private_key(path.read_text(encoding="ascii"))
    except OSError as exc:
        raise KeyStoreError(f"cannot read the private key {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise KeyStoreError(f"the private key {path} is not a valid RSA key: {exc}") from None
