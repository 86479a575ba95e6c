from __future__ import annotations

import pytest

from fedi.accounts.passwords import PasswordError, check_strength, hash_password, verify_password


def test_hash_verifies_and_is_salted() -> None:
    first = hash_password("correct horse")
    second = hash_password("correct horse")
    assert first != second
    assert first.startswith("scrypt$")
    assert verify_password("correct horse", first)
    assert not verify_password("correct horsf", first)


@pytest.mark.parametrize("stored", ["", "plain", "scrypt$x$y$z$a$b", "bcrypt$1$2$3$4$5"])
def test_malformed_hashes_never_verify(stored: str) -> None:
    assert not verify_password("anything", stored)


def test_strength_limits() -> None:
    with pytest.raises(PasswordError):
        check_strength("short")
    with pytest.raises(PasswordError):
        check_strength("x" * 2000)
    check_strength("long enough")
