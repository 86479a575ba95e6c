from __future__ import annotations

from dataclasses import replace

from fedi.core.models import Account
from fedi.core.timeutil import utcnow
from fedi.transport.keycache import KeyOwners


def account(uri: str, key_id: str) -> Account:
    now = utcnow()
    return Account(
        id=1, uri=uri, username="a", domain="x.example", actor_type="Person", display_name="",
        note="", fields=(), url=None, inbox_uri=None, shared_inbox_uri=None, outbox_uri=None,
        followers_uri=None, following_uri=None, featured_uri=None, public_key_id=key_id,
        public_key_pem="pem", avatar_file=None, header_file=None, is_locked=False, is_bot=False,
        is_discoverable=True, suspended_at=None, created_at=now, updated_at=now,
    )  # fmt: skip


def test_entries_expire_and_are_bounded() -> None:
    now = [0.0]
    cache = KeyOwners(ttl=10, size=2, clock=lambda: now[0])
    a, b, c = (account(f"https://x.example/{n}", f"https://x.example/{n}#k") for n in "abc")
    for item in (a, b, c):
        cache.put(item)
    assert cache.get(a.public_key_id or "") is None  # evicted: the cache holds two
    assert cache.get(c.public_key_id or "") == c
    now[0] = 11
    assert cache.get(c.public_key_id or "") is None  # expired


def test_a_new_key_replaces_the_old_one_for_the_same_actor() -> None:
    cache = KeyOwners()
    old = account("https://x.example/a", "https://x.example/a#old")
    new = replace(old, public_key_id="https://x.example/a#new")
    cache.put(old)
    cache.put(new)
    assert cache.get("https://x.example/a#old") is None
    assert cache.get("https://x.example/a#new") == new
    cache.forget(new.uri)
    assert cache.get("https://x.example/a#new") is None
