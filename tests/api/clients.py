"""Mastodon.py clients for the API tests: an app registered and logged in as a member."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests
from mastodon import Mastodon

SCOPES = ["read", "write", "follow"]


@contextmanager
def logged_in(base: str, scopes: list[str] = SCOPES, username: str = "alice") -> Iterator[Mastodon]:
    """A client logged in as `username` (password `<username>-password`), session closed after."""
    with requests.Session() as session:
        client_id, secret = Mastodon.create_app(
            "fedi tests", api_base_url=base, scopes=scopes, session=session
        )
        client = Mastodon(
            client_id=client_id, client_secret=secret, api_base_url=base, session=session
        )
        client.log_in(username, f"{username}-password", scopes=scopes, allow_http=True)
        yield client
