"""What a notification mail may say of a post: the text of a public or unlisted post outside
any members-only space, a content warning instead of the text it hides, and nothing of a
direct message, a followers-only post, a members-only space's post or a local-only post."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fedi.db.mail_preferences import Pending
from fedi.mail.notices import notice_of
from fedi.mail.worker import CEILING, backoff

BASE = "https://fedi.test"
PUBLIC = Pending(
    id=1, type="mention", sender_id=2, sender_acct="bob@remote.example.org", sender_name="Bob",
    status_id=3, visibility="public", group_id=None, group_is_private=False, is_local_only=False,
    spoiler_text="", content="<p>first line</p><p>second &amp; last</p>",
)  # fmt: skip


def test_a_public_mention_is_quoted_as_plain_text() -> None:
    notice = notice_of(PUBLIC, BASE)
    assert notice.kind == "mention"
    assert notice.quote == "first line\nsecond & last"
    assert notice.url == f"{BASE}/@bob@remote.example.org/3"


@pytest.mark.parametrize(
    "changes",
    [
        {"visibility": "direct"},
        {"visibility": "private"},
        {"group_id": 9, "group_is_private": True},
        {"is_local_only": True},
    ],
)
def test_nothing_confidential_is_quoted(changes: dict[str, object]) -> None:
    notice = notice_of(replace(PUBLIC, **changes), BASE)  # type: ignore[arg-type]
    assert notice.quote == "" and notice.warning == ""
    assert notice.url == f"{BASE}/@bob@remote.example.org/3"


def test_a_direct_message_is_announced_as_one() -> None:
    assert notice_of(replace(PUBLIC, visibility="direct"), BASE).kind == "direct"


def test_a_content_warning_stands_in_for_the_text() -> None:
    notice = notice_of(replace(PUBLIC, spoiler_text="spoilers"), BASE)
    assert notice.warning == "spoilers" and notice.quote == ""


def test_a_public_groups_post_may_be_quoted() -> None:
    assert notice_of(replace(PUBLIC, group_id=9, group_is_private=False), BASE).quote


def test_follow_requests_lead_to_the_requests_page() -> None:
    notice = notice_of(replace(PUBLIC, type="follow_request", status_id=None), BASE)
    assert notice.url == f"{BASE}/follow_requests"


def test_retries_wait_longer_each_time_up_to_a_ceiling() -> None:
    waits = [backoff(n) for n in range(1, 14)]
    assert waits[0].total_seconds() < 90
    assert all(w <= CEILING * 1.2 for w in waits)
    assert waits[5] > waits[0]
