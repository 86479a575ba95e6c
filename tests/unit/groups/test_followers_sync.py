"""FEP-8fcf Collection-Synchronization headers: parsed strictly, believed only about the sender's
own followers on the sender's own host."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from fedi.core.models import Account
from fedi.groups.followers_sync import SyncError, SyncHeader, check_sender, parse_header

DIGEST = "b3" * 32
GROUP = "https://g.example/groups/x"


def header(**values: str) -> str:
    fields = {"collectionId": f"{GROUP}/followers", "url": f"{GROUP}/sync", "digest": DIGEST}
    fields.update(values)
    return ", ".join(f'{k}="{v}"' for k, v in fields.items())


def sender(uri: str = GROUP, followers: str | None = f"{GROUP}/followers") -> Account:
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    return Account(
        id=1, uri=uri, username="x", domain="g.example", actor_type="Group", display_name="X",
        note="", fields=(), url=None, inbox_uri=None, shared_inbox_uri=None, outbox_uri=None,
        followers_uri=followers, following_uri=None, featured_uri=None, public_key_id=None,
        public_key_pem=None, avatar_file=None, header_file=None, is_locked=False, is_bot=False,
        is_discoverable=True, suspended_at=None, created_at=moment, updated_at=moment,
    )  # fmt: skip


def test_a_header_as_mastodon_sends_it_is_parsed() -> None:
    parsed = parse_header(header())
    assert parsed == SyncHeader(f"{GROUP}/followers", f"{GROUP}/sync", DIGEST)
    # Order and spacing do not matter; the digest is compared in lower case.
    spaced = f'digest="{DIGEST.upper()}" ,url="{GROUP}/sync",  collectionId="{GROUP}/followers"'
    assert parse_header(spaced) == parsed


@pytest.mark.parametrize(
    "value",
    [
        "",
        'collectionId="a", url="b"',
        header(digest="xyz"),
        header(digest="ab" * 31),
        header() + f', url="{GROUP}/other"',
        header().replace('"', "", 1),
        "collectionId=unquoted, url=x, digest=y",
        header() + ", junk",
        header(url='a\\"b'),
        header(url="x" * 3000),
    ],
)
def test_a_malformed_header_is_refused(value: str) -> None:
    with pytest.raises(SyncError):
        parse_header(value)


def test_the_header_must_be_about_the_senders_own_followers_on_its_host() -> None:
    check_sender(parse_header(header()), sender())
    with pytest.raises(SyncError, match="not the sender's followers"):
        check_sender(parse_header(header(collectionId="https://g.example/users/y/followers")),
                     sender())  # fmt: skip
    with pytest.raises(SyncError, match="not on the sender's host"):
        check_sender(parse_header(header(url="https://evil.example/sync")), sender())
    with pytest.raises(SyncError, match="not on the sender's host"):
        check_sender(parse_header(header(url="file:///etc/passwd")), sender())
    with pytest.raises(SyncError, match="no followers collection"):
        check_sender(parse_header(header()), sender(followers=None))
    with pytest.raises(SyncError, match="no followers collection"):
        check_sender(parse_header(header()), replace(sender(), domain=None))
