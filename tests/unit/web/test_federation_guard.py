"""A request's signature is parsed once and kept in its scope; a request without one (every
client API request with a bearer token) keeps the reason, without a reference cycle that only
the garbage collector would free."""

from __future__ import annotations

import gc

from fedi.web.federation_guard import claimed_signature
from keys.httpsig import SignatureError


def test_no_signature_is_kept_without_a_cycle() -> None:
    gc.collect()
    gc.disable()
    try:
        for _ in range(10):
            scope = {"type": "http", "headers": [(b"authorization", b"Bearer abc")]}
            found = claimed_signature(scope)
            assert isinstance(found, SignatureError)
            assert claimed_signature(scope) is found  # parsed once
            del scope, found
        assert gc.collect() == 0
    finally:
        gc.enable()
